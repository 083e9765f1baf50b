//! The function registry: one table keyed by the exact name templates use (`"toYaml"`, `"nindent"`).
//!
//! Each entry is a `FuncDef`: the Go signature (which drives Go's argument checks and conversions, see
//! [`super::types`]) and a plain Rust function that receives the converted arguments. Go's builtins
//! (`and`, `or`, `len`, `index`, `print`, `eq`, …) live in the evaluator; as in Go, a registered function
//! of the same name overrides a builtin (in Helm, `slice` is Sprig's).
//!
//! Sprig's functions are in `sprig/`, one file per theme; each theme exports `FUNCS: &[FuncDef]`.
//! Helm's own functions (`toYaml`, `include`, `tpl`, `required`, `lookup`, …) are registered by the
//! engine layer on top of [`FuncTable::sprig`].
use crate::fasthash::FastHashMap;
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use super::types::Signature;
use super::value::Value;

pub mod serial;
pub mod sprig;

/// A template function: converted arguments in, a value or an error out.
pub type FuncImpl = fn(&mut CallCtx<'_>, Vec<Value>) -> Result<Value, FuncError>;

/// One registered function.
#[derive(Clone)]
pub struct FuncDef {
    /// The name templates call it by, exactly as Sprig/Helm spell it.
    pub name: &'static str,
    pub sig: Signature,
    pub imp: FuncImpl,
}

/// The error a function returns. The evaluator reports it as Go does:
/// `error calling NAME: MESSAGE` at the call's location.
#[derive(Debug, Clone)]
pub enum FuncError {
    /// An ordinary error (Go's returned `error`, or a recovered panic), with Go's exact message.
    Msg(String),
    /// Helm's `required`/`fail`: reported by the engine as `execution error at (FILE:L:C): MESSAGE`,
    /// at the location of the outermost call that failed.
    Abort(String),
    /// An error from a nested template execution (`include`, `tpl`), kept structured.
    Nested(Box<super::Error>),
}

impl FuncError {
    pub fn msg(m: impl Into<String>) -> FuncError {
        FuncError::Msg(m.into())
    }
}

/// What a running function may use besides its arguments.
pub struct CallCtx<'a> {
    /// The execution that called the function (for `include`/`tpl`).
    pub exec: &'a mut dyn Exec,
    /// Clock, randomness and layer-specific state.
    pub env: &'a FuncEnv,
}

/// What a function can ask of the running template execution.
pub trait Exec {
    /// Executes the named template with `data` and returns its output (Go's `ExecuteTemplate` into a
    /// buffer), as Helm's `include` does.
    fn execute_template(&mut self, name: &str, data: Value) -> Result<String, super::Error>;

    /// Parses `text` as a template named `name` in a copy of the current template set and executes it
    /// with `data` (Helm's `tpl`). Templates it defines do not leak into the caller's set.
    fn parse_and_execute(
        &mut self,
        name: &str,
        text: &str,
        data: Value,
    ) -> Result<String, super::Error>;

    /// The name of the template at the top of the execution (the file being rendered).
    fn top_name(&self) -> &str;
}

/// Clock, randomness and per-layer state shared by the functions of one render.
pub struct FuncEnv {
    /// Seconds since the Unix epoch and nanoseconds, for `now`, `ago`, `date`… Tests inject a fixed time.
    pub clock: Box<dyn Fn() -> chrono::DateTime<chrono::Utc>>,
    /// The random source for `rand*`, `shuffle`, `uuidv4`, key generation. Seeded in tests.
    pub rng: RefCell<rand::rngs::StdRng>,
    /// State owned by the layer that registered extra functions (the Helm engine keeps its include
    /// recursion counters and render options here).
    pub ext: Box<dyn Any>,
}

impl FuncEnv {
    /// The real clock and an OS-seeded random source.
    pub fn system() -> FuncEnv {
        use rand::SeedableRng;
        FuncEnv {
            clock: Box::new(chrono::Utc::now),
            rng: RefCell::new(rand::rngs::StdRng::from_os_rng()),
            ext: Box::new(()),
        }
    }

    /// A fixed clock and a seeded random source, for deterministic tests.
    pub fn deterministic(now: chrono::DateTime<chrono::Utc>, seed: u64) -> FuncEnv {
        use rand::SeedableRng;
        FuncEnv {
            clock: Box::new(move || now),
            rng: RefCell::new(rand::rngs::StdRng::seed_from_u64(seed)),
            ext: Box::new(()),
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        (self.clock)()
    }
}

/// The functions a template set can call, by name.
#[derive(Clone, Default)]
pub struct FuncTable {
    funcs: FastHashMap<&'static str, FuncDef>,
}

impl FuncTable {
    pub fn new() -> FuncTable {
        FuncTable::default()
    }

    /// Sprig v3.3.0's functions as Helm registers them (without `env` and `expandenv`).
    pub fn sprig() -> FuncTable {
        let mut table = FuncTable::new();
        for theme in sprig::THEMES {
            table.extend(theme);
        }
        table
    }

    pub fn insert(&mut self, def: FuncDef) {
        self.funcs.insert(def.name, def);
    }

    pub fn extend(&mut self, defs: &[FuncDef]) {
        for def in defs {
            self.insert(def.clone());
        }
    }

    pub fn remove(&mut self, name: &str) {
        self.funcs.remove(name);
    }

    pub fn get(&self, name: &str) -> Option<&FuncDef> {
        self.funcs.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.funcs.keys().copied().collect();
        names.sort_unstable();
        names
    }

    pub fn len(&self) -> usize {
        self.funcs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.funcs.is_empty()
    }

    pub fn into_shared(self) -> Rc<FuncTable> {
        Rc::new(self)
    }
}
