//! The function table Helm v3.17.3 gives templates (`pkg/engine/funcs.go` and `initFunMap` in
//! `engine.go`): Sprig without `env`/`expandenv`, Sprig's and Helm's serialisers, and the engine's
//! own `include`, `tpl`, `required`, `fail` and `lookup`.
use crate::fasthash::FastHashMap;
use std::cell::RefCell;
use std::rc::Rc;

use super::backend;
use crate::template::{
    CallCtx, Error as TemplateError, FuncDef, FuncError, FuncTable, GoType, Map, MapEntries,
    Signature, Value,
};

/// Helm's cap on nested `include`s of one template name (`recursionMaxNums`).
pub const RECURSION_MAX: usize = 1000;

/// The name Helm's root template set has; `tpl` parses its text under it.
pub const ROOT_TEMPLATE_NAME: &str = "gotpl";

/// Where `lookup` reads live objects when rendering against a cluster (`install`, `upgrade`).
/// Mirrors Helm's `lookup` (`pkg/engine/lookup_func.go`).
pub trait Lookup {
    /// The object `name` of `kind` in `api_version` (in `namespace`; `""` for cluster-scoped
    /// objects or all namespaces), as JSON text; with an empty `name`, the list of all such objects.
    /// `None` when it does not exist (templates then see an empty map); `Err` is the error text
    /// the render fails with.
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Option<String>, String>;
}

/// Per-render state the engine's functions share, kept in `FuncEnv::ext`.
#[derive(Default)]
pub struct RenderState {
    /// How deep each template name is currently included.
    pub included: RefCell<FastHashMap<String, usize>>,
    /// Lint mode: `required` and `fail` log instead of failing.
    pub lint_mode: bool,
    /// The cluster `lookup` reads; `None` offline (an empty map for every lookup).
    pub lookup: Option<Rc<dyn Lookup>>,
}

impl std::fmt::Debug for RenderState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderState")
            .field("included", &self.included)
            .field("lint_mode", &self.lint_mode)
            .field("lookup", &self.lookup.is_some())
            .finish()
    }
}

const NAME_AND_DATA: &[GoType] = &[GoType::String, GoType::Interface];
const ONE_STRING: &[GoType] = &[GoType::String];
const FOUR_STRINGS: &[GoType] = &[
    GoType::String,
    GoType::String,
    GoType::String,
    GoType::String,
];

/// The full table: Sprig, the serialisers, and the engine's functions; with `enable_dns`,
/// `getHostByName` resolves names (Helm's `--enable-dns`).
pub fn helm_func_table(enable_dns: bool) -> FuncTable {
    let mut table = FuncTable::sprig();
    table.remove("env");
    table.remove("expandenv");
    if enable_dns {
        table.extend(crate::template::funcs::sprig::network::DNS_FUNCS);
    }
    table.extend(&backend::serial_funcs());
    table.extend(ENGINE_FUNCS);
    table
}

/// `include`, `tpl`, `required`, `fail`, `lookup`.
pub const ENGINE_FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "include",
        sig: Signature::fixed(NAME_AND_DATA),
        imp: include,
    },
    FuncDef {
        name: "tpl",
        sig: Signature::fixed(NAME_AND_DATA),
        imp: tpl,
    },
    FuncDef {
        name: "required",
        sig: Signature::fixed(NAME_AND_DATA),
        imp: required,
    },
    FuncDef {
        name: "fail",
        sig: Signature::fixed(ONE_STRING),
        imp: fail,
    },
    FuncDef {
        name: "lookup",
        sig: Signature::fixed(FOUR_STRINGS),
        imp: lookup,
    },
];

fn state<'a>(ctx: &'a CallCtx<'_>) -> Option<&'a RenderState> {
    ctx.env.ext.downcast_ref::<RenderState>()
}

fn string_arg(args: &[Value], i: usize) -> String {
    args.get(i)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// `include NAME DATA`: the named template's output, with Helm's per-name recursion cap.
fn include(ctx: &mut CallCtx<'_>, mut args: Vec<Value>) -> Result<Value, FuncError> {
    let data = args.get_mut(1).map(std::mem::take).unwrap_or(Value::Nil);
    let name = args.first().and_then(Value::as_str).unwrap_or_default();
    if let Some(state) = state(ctx) {
        let mut included = state.included.borrow_mut();
        if !included.contains_key(name) {
            included.insert(name.to_string(), 0);
        }
        let depth = included.get_mut(name).expect("inserted above");
        if *depth > RECURSION_MAX {
            return Err(FuncError::msg(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            )));
        }
        *depth += 1;
    }
    let result = ctx.exec.execute_template(name, data);
    if let Some(state) = state(ctx) {
        if let Some(depth) = state.included.borrow_mut().get_mut(name) {
            *depth = depth.saturating_sub(1);
        }
    }
    result
        .map(Value::string)
        .map_err(|e| FuncError::Nested(Box::new(e)))
}

/// `tpl TEXT DATA`: parses `TEXT` in a copy of the template set and executes it with `DATA`.
fn tpl(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let text = string_arg(&args, 0);
    let data = args.get(1).cloned().unwrap_or(Value::Nil);
    match ctx.exec.parse_and_execute(ROOT_TEMPLATE_NAME, &text, data) {
        Ok(out) => Ok(Value::string(out.replace("<no value>", ""))),
        Err(err) => Err(tpl_error(&text, err)),
    }
}

/// Helm wraps `tpl` failures in text; a `required`/`fail` inside keeps its own message, since Helm
/// finds it anywhere in the error chain.
fn tpl_error(text: &str, err: TemplateError) -> FuncError {
    match backend::describe(&err) {
        backend::Described::Exec {
            abort: Some(message),
            ..
        } => FuncError::Abort(message),
        backend::Described::Parse { .. } => {
            FuncError::msg(format!("cannot parse template {}: {err}", go_quote(text)))
        }
        _ => FuncError::msg(format!(
            "error during tpl function execution for {}: {err}",
            go_quote(text)
        )),
    }
}

/// `required MSG VALUE`: fails with `MSG` when `VALUE` is nil or an empty string.
fn required(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let message = string_arg(&args, 0);
    let value = args.get(1).cloned().unwrap_or(Value::Nil);
    let missing = match &value {
        Value::Nil => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    };
    if !missing {
        return Ok(value);
    }
    if state(ctx).is_some_and(|s| s.lint_mode) {
        return Ok(Value::str(""));
    }
    Err(FuncError::Abort(message))
}

/// `fail MSG`: always fails with `MSG` (Helm overrides Sprig's to wrap the message).
fn fail(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    if state(ctx).is_some_and(|s| s.lint_mode) {
        return Ok(Value::str(""));
    }
    Err(FuncError::Abort(string_arg(&args, 0)))
}

/// `lookup API_VERSION KIND NAMESPACE NAME`: the live object through the render's [`Lookup`];
/// offline (`helm template`) and for objects that do not exist, an empty map.
fn lookup(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let empty = || Value::Map(Map::new(MapEntries::new()));
    let Some(source) = state(ctx).and_then(|s| s.lookup.clone()) else {
        return Ok(empty());
    };
    let found = source
        .lookup(
            &string_arg(&args, 0),
            &string_arg(&args, 1),
            &string_arg(&args, 2),
            &string_arg(&args, 3),
        )
        .map_err(FuncError::msg)?;
    match found {
        None => Ok(empty()),
        Some(json) => {
            crate::yaml::json::unmarshal(&json).map_err(|e| FuncError::msg(e.to_string()))
        }
    }
}

/// Go's `strconv.Quote` (one implementation, in the template layer's printf).
pub use crate::template::printf::quote_go as go_quote;

/// Shared so each render builds the table once.
pub fn shared_table(enable_dns: bool) -> Rc<FuncTable> {
    Rc::new(helm_func_table(enable_dns))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Helm 3.17.3 registers Sprig v3.3.0's 211 names minus `env`/`expandenv` (209) plus 13 of its own,
    /// 11 of them new (220); Go's 19 builtins come on top (`slice` is Sprig's, as in Helm).
    #[test]
    fn helm_registers_every_function() {
        let table = helm_func_table(false);
        assert_eq!(table.len(), 220, "{:?}", table.names());
        for name in [
            "toToml",
            "fromToml",
            "toYaml",
            "toYamlPretty",
            "fromYaml",
            "fromYamlArray",
            "toJson",
            "fromJson",
            "fromJsonArray",
            "include",
            "tpl",
            "required",
            "lookup",
            "toPrettyJson",
            "mustToRawJson",
            "mustFromJson",
        ] {
            assert!(table.contains(name), "{name} is not registered");
        }
        for name in ["env", "expandenv"] {
            assert!(!table.contains(name), "{name} must not be registered");
        }
        let builtins = [
            "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "html",
            "js", "urlquery", "call", "eq", "ne", "lt", "le", "gt", "ge",
        ];
        for name in builtins {
            assert!(
                crate::template::builtins::Builtin::lookup(name).is_some(),
                "{name}"
            );
        }
        let callable: std::collections::BTreeSet<&str> =
            table.names().into_iter().chain(builtins).collect();
        assert_eq!(
            callable.len(),
            238,
            "distinct callable names (slice is both)"
        );
    }

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("{{ \"a\" }}\n"), "\"{{ \\\"a\\\" }}\\n\"");
        assert_eq!(go_quote("é"), "\"é\"");
    }

    #[test]
    fn table_has_engine_funcs_and_no_env() {
        let t = helm_func_table(false);
        for name in ["include", "tpl", "required", "fail", "lookup"] {
            assert!(t.contains(name), "{name}");
        }
        assert!(!t.contains("env") && !t.contains("expandenv"));
    }
}
