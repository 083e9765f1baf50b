//! Go types as far as template function signatures need them.
//!
//! Go's text/template calls functions through reflection: each argument is checked against (and
//! converted to) the declared parameter type, with Go's own error texts (`wrong type for value; expected
//! string; got int`, `expected integer; found 1.5`, `invalid value; expected string`). A `Signature`
//! declares those parameter types so the evaluator can apply the same rules to every registered function
//! and host-object method, and the function bodies receive already-converted values.
use super::value::{IntKind, UintKind};

/// A Go type that can appear as a parameter type, a slice element type, or a host type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoType {
    /// `interface {}`: accepts anything, nil included.
    Interface,
    Bool,
    Int(IntKind),
    Uint(UintKind),
    Float64,
    String,
    /// `[]byte` (`[]uint8`).
    Bytes,
    /// `[]interface {}`.
    SliceInterface,
    /// `[]string`.
    SliceString,
    /// `[]int`.
    SliceInt,
    /// `map[string]interface {}`; a `chartutil.Values` is assignable to it as Helm's funcs see it.
    MapStringInterface,
    /// A host type matched by its `%T` name, e.g. `time.Time`, `*semver.Version`, `sprig.certificate`.
    Named(&'static str),
}

impl GoType {
    /// `int`.
    pub const INT: GoType = GoType::Int(IntKind::Int);
    /// `int64`.
    pub const INT64: GoType = GoType::Int(IntKind::Int64);

    /// The type as Go prints it (`interface {}`, `[]string`, `map[string]interface {}`, …).
    pub fn go_name(&self) -> &str {
        match self {
            GoType::Interface => "interface {}",
            GoType::Bool => "bool",
            GoType::Int(k) => k.go_name(),
            GoType::Uint(k) => k.go_name(),
            GoType::Float64 => "float64",
            GoType::String => "string",
            GoType::Bytes => "[]uint8",
            GoType::SliceInterface => "[]interface {}",
            GoType::SliceString => "[]string",
            GoType::SliceInt => "[]int",
            GoType::MapStringInterface => "map[string]interface {}",
            GoType::Named(n) => n,
        }
    }
}

/// The parameter list of a function or method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Fixed parameters, in order.
    pub params: &'static [GoType],
    /// The element type of a trailing `...T` parameter, if any.
    pub variadic: Option<GoType>,
}

impl Signature {
    /// A function of fixed arity.
    pub const fn fixed(params: &'static [GoType]) -> Signature {
        Signature {
            params,
            variadic: None,
        }
    }

    /// A function whose last parameter is `...elem`.
    pub const fn variadic(params: &'static [GoType], elem: GoType) -> Signature {
        Signature {
            params,
            variadic: Some(elem),
        }
    }
}
