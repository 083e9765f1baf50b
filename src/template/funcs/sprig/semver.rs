//! Sprig's semver functions: `semver` (a `*semver.Version` host object) and `semverCompare`.
//!
//! The rules are Masterminds/semver v3's, implemented in [`super::semver_constraints`]. The host
//! object exposes the methods templates can call on Masterminds' type: on `*semver.Version`
//! `Major Minor Patch Prerelease Metadata Original String IncPatch IncMinor IncMajor SetPrerelease
//! SetMetadata LessThan LessThanEqual GreaterThan GreaterThanEqual Equal Compare`; on the
//! `semver.Version` values the `Inc*`/`Set*` methods return, only the value-receiver ones (Go's
//! method sets), so `(semver "1.0.0").IncMajor.Original` fails as in Helm.
use std::any::Any;
use std::cmp::Ordering;
use std::rc::Rc;

use super::semver_constraints::{Constraints, Version};
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::{Object, UintKind, Value};

const STR: GoType = GoType::String;
/// The Go type of `semver`'s result.
pub const VERSION_PTR: &str = "*semver.Version";
const VERSION_VALUE: &str = "semver.Version";

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "semver",
        sig: Signature::fixed(&[STR]),
        imp: semver,
    },
    FuncDef {
        name: "semverCompare",
        sig: Signature::fixed(&[STR, STR]),
        imp: semver_compare,
    },
];

fn str_at(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

fn semver(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let v = Version::parse(str_at(&args, 0)).map_err(FuncError::msg)?;
    Ok(SemverObject::pointer(v))
}

fn semver_compare(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let c = Constraints::parse(str_at(&args, 0)).map_err(FuncError::msg)?;
    let v = Version::parse(str_at(&args, 1)).map_err(FuncError::msg)?;
    Ok(Value::Bool(c.check(&v)))
}

/// A Masterminds version seen from a template: `*semver.Version` or a `semver.Version` value.
#[derive(Debug)]
pub struct SemverObject {
    pub version: Version,
    is_pointer: bool,
}

impl SemverObject {
    /// A `*semver.Version` value.
    pub fn pointer(version: Version) -> Value {
        Value::Object(Rc::new(SemverObject {
            version,
            is_pointer: true,
        }))
    }

    fn value(version: Version) -> Value {
        Value::Object(Rc::new(SemverObject {
            version,
            is_pointer: false,
        }))
    }
}

const PTR_ARG: &[GoType] = &[GoType::Named(VERSION_PTR)];
const STR_ARG: &[GoType] = &[GoType::String];

fn other_version(args: &[Value]) -> Result<Version, String> {
    match args.first() {
        Some(Value::Object(o)) => o
            .as_any()
            .downcast_ref::<SemverObject>()
            .map(|s| s.version.clone())
            .ok_or_else(|| "expected a *semver.Version".to_string()),
        _ => Err("runtime error: invalid memory address or nil pointer dereference".to_string()),
    }
}

impl Object for SemverObject {
    fn type_name(&self) -> &str {
        if self.is_pointer {
            VERSION_PTR
        } else {
            VERSION_VALUE
        }
    }

    fn kind_name(&self) -> &str {
        if self.is_pointer {
            "ptr"
        } else {
            "struct"
        }
    }

    /// Masterminds' fields are unexported: a template can reach none of them.
    fn field(&self, _: &str) -> Option<Value> {
        None
    }

    fn method(&self, name: &str) -> Option<Signature> {
        let sig = match name {
            "Major" | "Minor" | "Patch" | "Prerelease" | "Metadata" | "String" | "IncPatch"
            | "IncMinor" | "IncMajor" | "MarshalJSON" | "MarshalText" => Signature::fixed(&[]),
            "SetPrerelease" | "SetMetadata" => Signature::fixed(STR_ARG),
            "Original" if self.is_pointer => Signature::fixed(&[]),
            "LessThan" | "LessThanEqual" | "GreaterThan" | "GreaterThanEqual" | "Equal"
            | "Compare"
                if self.is_pointer =>
            {
                Signature::fixed(PTR_ARG)
            }
            _ => return None,
        };
        Some(sig)
    }

    fn call_method(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let v = &self.version;
        let cmp = || other_version(&args).map(|o| v.compare(&o));
        Ok(match name {
            "Major" => Value::Uint(v.major, UintKind::Uint64),
            "Minor" => Value::Uint(v.minor, UintKind::Uint64),
            "Patch" => Value::Uint(v.patch, UintKind::Uint64),
            "Prerelease" => Value::str(&v.pre),
            "Metadata" => Value::str(&v.metadata),
            "Original" => Value::str(&v.original),
            "String" => Value::string(v.to_string()),
            // `json.Marshal(v.String())`, and the text itself: byte slices.
            "MarshalJSON" => Value::Bytes(format!("\"{v}\"").as_bytes().into()),
            "MarshalText" => Value::Bytes(v.to_string().as_bytes().into()),
            "IncPatch" => SemverObject::value(v.inc_patch()),
            "IncMinor" => SemverObject::value(v.inc_minor()),
            "IncMajor" => SemverObject::value(v.inc_major()),
            "SetPrerelease" => SemverObject::value(v.set_prerelease(str_at(&args, 0))?),
            "SetMetadata" => SemverObject::value(v.set_metadata(str_at(&args, 0))?),
            "LessThan" => Value::Bool(cmp()? == Ordering::Less),
            "LessThanEqual" => Value::Bool(cmp()? != Ordering::Greater),
            "GreaterThan" => Value::Bool(cmp()? == Ordering::Greater),
            "GreaterThanEqual" => Value::Bool(cmp()? != Ordering::Less),
            "Equal" => Value::Bool(cmp()? == Ordering::Equal),
            "Compare" => Value::int(match cmp()? {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            }),
            other => return Err(format!("method {other} not implemented")),
        })
    }

    /// `%v` uses `String()` (a `fmt.Stringer`).
    fn format_v(&self) -> String {
        self.version.to_string()
    }

    /// `MarshalJSON` writes `String()` as a JSON string.
    fn to_json_value(&self) -> Option<Value> {
        Some(Value::string(self.version.to_string()))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::fmt::format_v;
    use crate::template::funcs::sprig::test_call::{call, err_text};

    fn method(v: &Value, name: &str, args: Vec<Value>) -> Value {
        let Value::Object(o) = v else {
            panic!("not an object")
        };
        assert!(o.method(name).is_some(), "{name}");
        o.call_method(name, args).unwrap()
    }

    // helm v3.17.3: {{ semver "v1.2.3-beta.1+b5" }} → 1.2.3-beta.1+b5; {{ (semver "1.2").Original }} → 1.2;
    // {{ typeOf (semver "1.2") }} → *semver.Version; {{ typeOf ((semver "1.2.3").IncMajor) }} → semver.Version;
    // {{ (semver "1.2.3").Compare (semver "1.3") }} → -1; {{ semver "1.2" | toJson }} → "1.2.0"
    #[test]
    fn semver_object_behaves_like_masterminds() {
        let v = call(semver, vec![Value::str("v1.2.3-beta.1+b5")]).unwrap();
        assert_eq!(format_v(&v), "1.2.3-beta.1+b5");
        assert_eq!(v.type_name(), "*semver.Version");
        assert_eq!(format_v(&method(&v, "Major", vec![])), "1");
        assert_eq!(
            format_v(&method(&v, "Original", vec![])),
            "v1.2.3-beta.1+b5"
        );
        let inc = method(&v, "IncMajor", vec![]);
        assert_eq!(inc.type_name(), "semver.Version");
        assert_eq!(format_v(&inc), "2.0.0");
        let Value::Object(o) = &inc else {
            unreachable!()
        };
        assert!(o.method("Original").is_none());
        let other = call(semver, vec![Value::str("1.3")]).unwrap();
        assert_eq!(format_v(&method(&v, "Compare", vec![other])), "-1");
    }

    #[test]
    fn semver_compare_errors() {
        assert_eq!(
            err_text(call(
                semver_compare,
                vec![Value::str("foo"), Value::str("1.2.3")]
            )),
            "improper constraint: foo"
        );
        assert_eq!(
            err_text(call(
                semver_compare,
                vec![Value::str(">1"), Value::str("1.x")]
            )),
            "Invalid Semantic Version"
        );
    }

    #[test]
    fn theme_registers_two_names() {
        assert_eq!(FUNCS.len(), 2);
    }
}
