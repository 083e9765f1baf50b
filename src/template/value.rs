//! The value model of templates: one `Value` type that behaves like the Go values a Helm template sees.
//!
//! Go's text/template works on `reflect.Value`s of arbitrary Go types; Helm charts only ever see a small
//! set of them: `nil`, `bool`, the signed/unsigned integer kinds, `float64`, `string`, `[]byte`, slices
//! (`[]interface {}`, `[]string`, `[]int`…), `map[string]interface {}` (and named map types such as
//! `chartutil.Values`) and a few host objects with methods (`.Files`, `.Capabilities`, `.Chart`, semver
//! and time values, certificates). `Value` models exactly those:
//!
//! - Integers keep their Go kind (`int` from template literals and `len`, `int64` from `add`, …) because
//!   `typeOf`, `%T` and the comparison rules of `eq`/`lt` depend on it.
//! - Numbers read from YAML are `float64`, as Helm reads values through sigs.k8s.io/yaml.
//! - Maps are shared by reference (`Rc<RefCell<…>>`), so Sprig's `set`, `unset` and `merge` mutate the
//!   map every holder sees, as in Go. Map iteration is in byte order of the keys, which is Go's order
//!   for `range`, `%v` and `toJson`.
//! - Lists are shared, immutable slices (`Rc`): Sprig never mutates a slice in place.
//! - Cloning a `Value` is a reference-count bump or a small copy; field access never deep-copies.
use std::any::Any;
use std::cell::{Ref, RefCell, RefMut};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use super::types::{GoType, Signature};

/// A shared, immutable string.
pub type Str = Rc<str>;

/// The ordered key → value store of a map value.
pub type MapEntries = BTreeMap<Str, Value>;

/// A Go value as seen by a template.
#[derive(Clone)]
pub enum Value {
    /// An untyped nil (a nil `interface {}`), also what a missing map key gives under `missingkey=zero`.
    Nil,
    Bool(bool),
    /// A signed integer of the given Go kind (`int`, `int64`, …).
    Int(i64, IntKind),
    /// An unsigned integer of the given Go kind (`uint`, `uint8`, …).
    Uint(u64, UintKind),
    /// A `float64`.
    Float(f64),
    String(Str),
    /// A `[]byte`.
    Bytes(Rc<[u8]>),
    List(List),
    Map(Map),
    /// A host object (Go struct or pointer with fields and methods).
    Object(Rc<dyn Object>),
}

/// Go's signed integer kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntKind {
    Int,
    Int8,
    Int16,
    Int32,
    Int64,
}

/// Go's unsigned integer kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UintKind {
    Uint,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Uintptr,
}

impl IntKind {
    /// The Go type name (`int`, `int64`, …).
    pub fn go_name(self) -> &'static str {
        match self {
            IntKind::Int => "int",
            IntKind::Int8 => "int8",
            IntKind::Int16 => "int16",
            IntKind::Int32 => "int32",
            IntKind::Int64 => "int64",
        }
    }
}

impl UintKind {
    /// The Go type name (`uint`, `uint8`, …).
    pub fn go_name(self) -> &'static str {
        match self {
            UintKind::Uint => "uint",
            UintKind::Uint8 => "uint8",
            UintKind::Uint16 => "uint16",
            UintKind::Uint32 => "uint32",
            UintKind::Uint64 => "uint64",
            UintKind::Uintptr => "uintptr",
        }
    }
}

/// A Go slice: shared and immutable, tagged with its Go element type (`interface {}`, `string`, …).
#[derive(Clone)]
pub struct List(Rc<ListData>);

struct ListData {
    elem: GoType,
    items: Vec<Value>,
    /// A nil Go slice (`var s []string`): empty, but `encoding/json` writes `null` for it.
    nil: bool,
}

impl List {
    /// A `[]interface {}`.
    pub fn new(items: Vec<Value>) -> List {
        List::typed(GoType::Interface, items)
    }

    /// A slice with the given Go element type, e.g. `GoType::String` for `[]string`.
    pub fn typed(elem: GoType, items: Vec<Value>) -> List {
        List(Rc::new(ListData {
            elem,
            items,
            nil: false,
        }))
    }

    /// A nil slice of the given element type: empty everywhere, `null` in JSON (and so in `toYaml`).
    pub fn nil(elem: GoType) -> List {
        List(Rc::new(ListData {
            elem,
            items: Vec::new(),
            nil: true,
        }))
    }

    /// True for a nil slice (see [`List::nil`]).
    pub fn is_nil(&self) -> bool {
        self.0.nil
    }

    pub fn elem_type(&self) -> &GoType {
        &self.0.elem
    }

    pub fn items(&self) -> &[Value] {
        &self.0.items
    }

    pub fn len(&self) -> usize {
        self.0.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.items.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&Value> {
        self.0.items.get(i)
    }

    /// True when both handles share the same storage (Go slices that alias).
    pub fn ptr_eq(&self, other: &List) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A Go map with string keys, shared by reference: a mutation is seen by every holder, as in Go.
#[derive(Clone)]
/// The flag is set on a handle converted to plain `map[string]interface {}` (a `chartutil.Values`
/// passed to a parameter of that type): same storage, the converted type (see [`Map::as_plain`]).
pub struct Map(Rc<MapData>, bool);

struct MapData {
    kind: MapKind,
    entries: RefCell<MapEntries>,
    /// A nil Go map (an absent `map[string]string` field): empty, `null` in JSON.
    nil: bool,
}

/// Which Go map type a map value is; it only shows in `typeOf`/`%T` and in type checks of arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MapKind {
    /// `map[string]interface {}`.
    StringInterface,
    /// `chartutil.Values` (Helm's named type for `.Values` and the top-level render context).
    Values,
    /// `map[string]string`.
    StringString,
    /// Any other named map type, spelled as Go prints it.
    Named(Str),
}

impl MapKind {
    pub fn go_name(&self) -> &str {
        match self {
            MapKind::StringInterface => "map[string]interface {}",
            MapKind::Values => "chartutil.Values",
            MapKind::StringString => "map[string]string",
            MapKind::Named(n) => n,
        }
    }
}

impl Map {
    /// A new `map[string]interface {}`.
    pub fn new(entries: MapEntries) -> Map {
        Map::with_kind(MapKind::StringInterface, entries)
    }

    pub fn with_kind(kind: MapKind, entries: MapEntries) -> Map {
        Map(
            Rc::new(MapData {
                kind,
                entries: RefCell::new(entries),
                nil: false,
            }),
            false,
        )
    }

    /// A nil map of the given type: empty everywhere, `null` in JSON (and so in `toYaml`).
    pub fn nil(kind: MapKind) -> Map {
        Map(
            Rc::new(MapData {
                kind,
                entries: RefCell::new(MapEntries::new()),
                nil: true,
            }),
            false,
        )
    }

    /// The same map converted to Go's `map[string]interface {}` (as Go converts a named map type
    /// such as `chartutil.Values` passed to a parameter of that type): shares the entries, so a
    /// mutation through either handle is seen by both.
    pub fn as_plain(&self) -> Map {
        Map(self.0.clone(), true)
    }

    /// True for a nil map (see [`Map::nil`]) that nothing was inserted into.
    pub fn is_nil(&self) -> bool {
        self.0.nil && self.0.entries.borrow().is_empty()
    }

    pub fn kind(&self) -> &MapKind {
        if self.1 {
            &MapKind::StringInterface
        } else {
            &self.0.kind
        }
    }

    /// Borrows the entries for reading. Do not hold the borrow across a call that may mutate the map
    /// (a template function or a nested template execution).
    pub fn borrow(&self) -> Ref<'_, MapEntries> {
        self.0.entries.borrow()
    }

    /// Borrows the entries for writing.
    pub fn borrow_mut(&self) -> RefMut<'_, MapEntries> {
        self.0.entries.borrow_mut()
    }

    /// The value under `key`, cloned (cheap).
    pub fn get(&self, key: &str) -> Option<Value> {
        self.0.entries.borrow().get(key).cloned()
    }

    pub fn insert(&self, key: impl Into<Str>, value: Value) {
        self.0.entries.borrow_mut().insert(key.into(), value);
    }

    pub fn remove(&self, key: &str) -> Option<Value> {
        self.0.entries.borrow_mut().remove(key)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.0.entries.borrow().contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.0.entries.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.entries.borrow().is_empty()
    }

    /// The keys in Go's sorted order (byte order).
    pub fn keys(&self) -> Vec<Str> {
        self.0.entries.borrow().keys().cloned().collect()
    }

    /// A snapshot of the entries in sorted order (cheap clones), safe to iterate while the map changes.
    pub fn entries(&self) -> Vec<(Str, Value)> {
        self.0
            .entries
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// True when both handles refer to the same Go map.
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A host object: a Go struct, pointer or named type with fields and methods (`.Files`, `.Capabilities`,
/// `.Chart`, a `*semver.Version`, a `time.Time`, a certificate…).
///
/// Go's evaluator resolves `.Name` on such a value by looking for a method first, then a field; a method
/// with arguments is called through its `Signature`, whose parameter types drive Go's argument checks.
pub trait Object: fmt::Debug {
    /// The Go type as `%T` prints it, e.g. `*chart.Metadata`, `engine.files`, `time.Time`.
    fn type_name(&self) -> &str;

    /// The Go kind as `kindOf` prints it (`ptr`, `struct`, `map`, `slice`, `string`, …).
    fn kind_name(&self) -> &str;

    /// The value of an exported field, or `None` when the type has no such field.
    fn field(&self, name: &str) -> Option<Value>;

    /// The signature of a method, or `None` when the type has no such method.
    fn method(&self, _name: &str) -> Option<Signature> {
        None
    }

    /// Calls a method previously found with [`Object::method`]; `args` are already converted to the
    /// parameter types of its signature.
    fn call_method(&self, name: &str, _args: Vec<Value>) -> Result<Value, String> {
        Err(format!("method {name} not implemented"))
    }

    /// How Go's `%v` prints this value (e.g. a `fmt.Stringer`'s `String()`, or `{a b}` struct syntax).
    fn format_v(&self) -> String;

    /// How Go's `%+v` prints it; defaults to `%v`.
    fn format_plus_v(&self) -> String {
        self.format_v()
    }

    /// Whether Go's truth test holds (a non-nil pointer is true; a struct is always true).
    fn truthy(&self) -> bool {
        true
    }

    /// The value of a named integer type (`time.Duration`), which the comparison builtins
    /// (`eq`, `lt`…) compare as the integer it is; `None` for every other kind.
    fn int_value(&self) -> Option<i64> {
        None
    }

    /// For a method [`Object::method`] finds but that templates cannot call because of its results
    /// (`time.Time.Date` has three, `Zone` a second that is not an `error`): text/template's
    /// `goodFunc` error, given after the argument count is checked and before arguments are
    /// evaluated.
    fn bad_results(&self, _name: &str) -> Option<String> {
        None
    }

    /// How `{{ x }}` prints the object. Go's text/template dereferences a pointer first (`{…}` where
    /// `printf "%v"` gives `&{…}`) and, the value being addressable (a struct field reached through
    /// a pointer, or a variable holding one), uses a `String` method with a pointer receiver that
    /// `fmt` would not see: `{{ .Capabilities.KubeVersion }}` is `v1.32.0`, while
    /// `print`/`printf "%v"`/`quote` of it give `{v1.32.0 1 32}`. Defaults to
    /// [`Object::format_v`].
    ///
    /// A value loses its addressability when it is passed to a function ([`Object::passed_by_value`]),
    /// which is also the only way into a map, a list or a function result.
    fn print_text(&self) -> String {
        self.format_v()
    }

    /// This value as a function receives it. Go copies an argument into the function's parameter, so
    /// a value that was addressable (a struct field reached through a pointer) no longer is, and
    /// [`Object::print_text`] may change. `None` when passing changes nothing (the default).
    fn passed_by_value(&self) -> Option<Value> {
        None
    }

    /// The exported fields of a struct (or pointer to struct) type in declaration order, with their
    /// tags: what `encoding/json` (`toJson`, and `toYaml` through JSON) and yaml.v3 (`toYamlPretty`)
    /// marshal when the type has no marshaller of its own. `None` for other kinds.
    fn go_fields(&self) -> Option<Vec<GoField>> {
        None
    }

    /// The JSON form of a type with its own `MarshalJSON` (`time.Time`, `*semver.Version`), of a named
    /// slice or map type, or of a struct whose fields are not modelled by [`Object::go_fields`].
    /// Serialisers use this first, then `go_fields`, and treat an object with neither as `{}`.
    fn to_json_value(&self) -> Option<Value> {
        None
    }

    /// The elements of a named slice type (`chartutil.VersionSet`), so that `range`, `len`, `index`
    /// and Sprig's list functions treat it as the slice it is; `None` for every other kind.
    fn slice_items(&self) -> Option<List> {
        None
    }

    /// A value of the same named slice type holding `items` (a sub-slice taken by Sprig's `slice`,
    /// which keeps the type in Go); `None` when the type cannot be rebuilt.
    fn with_slice_items(&self, _items: &[Value]) -> Option<Value> {
        None
    }

    /// The entries of a host object whose Go kind is a map (Helm's `engine.files`), in key order, so
    /// that `range` iterates it as Go does; `None` for every other kind.
    fn map_entries(&self) -> Option<Vec<(Str, Value)>> {
        None
    }

    /// Downcasting, for functions that take a concrete host type (e.g. `genSignedCert`'s CA).
    fn as_any(&self) -> &dyn Any;
}

/// One exported field of a Go struct, as the serialisers see it (see [`Object::go_fields`]).
#[derive(Clone, Debug)]
pub struct GoField {
    /// The Go field name (`APIVersion`); for an embedded struct, its type name (`Metadata`).
    pub name: &'static str,
    /// The `json:"…"` tag (`apiVersion,omitempty`), `""` when there is none.
    pub json: &'static str,
    /// The `yaml:"…"` tag, `""` when there is none (yaml.v3 then uses the lower-cased Go name).
    pub yaml: &'static str,
    /// An embedded (anonymous) field: `encoding/json` inlines the fields of its struct.
    pub embedded: bool,
    pub value: Value,
}

impl GoField {
    /// A field with a `json` tag and no `yaml` tag.
    pub fn new(name: &'static str, json: &'static str, value: Value) -> GoField {
        GoField {
            name,
            json,
            yaml: "",
            embedded: false,
            value,
        }
    }

    /// The same field with a `yaml` tag.
    pub fn yaml(mut self, tag: &'static str) -> GoField {
        self.yaml = tag;
        self
    }

    /// The key and `omitempty` flag under the given tag (Go's `parseTag`); `None` for `-`.
    fn tagged(
        &self,
        tag: &'static str,
        default: impl FnOnce() -> String,
    ) -> Option<(String, bool)> {
        if tag == "-" {
            return None;
        }
        let (name, opts) = tag.split_once(',').unwrap_or((tag, ""));
        let omitempty = opts.split(',').any(|o| o == "omitempty");
        let key = if name.is_empty() {
            default()
        } else {
            name.to_string()
        };
        Some((key, omitempty))
    }

    /// The JSON key and whether `omitempty` is set; `None` when the field is skipped (`json:"-"`).
    pub fn json_key(&self) -> Option<(String, bool)> {
        self.tagged(self.json, || self.name.to_string())
    }

    /// The yaml.v3 key (tag name or lower-cased Go name) and whether `omitempty` is set.
    pub fn yaml_key(&self) -> Option<(String, bool)> {
        self.tagged(self.yaml, || self.name.to_lowercase())
    }
}

/// A host object of a named map type (`engine.files`) as a map value of that type, for code that
/// treats it like any Go map (`fmt` verbs, serialisers); `None` for other kinds.
pub fn object_as_map(o: &dyn Object) -> Option<Map> {
    let entries = o.map_entries()?;
    Some(Map::with_kind(
        MapKind::Named(Rc::from(o.type_name())),
        entries.into_iter().collect(),
    ))
}

/// The struct fields of an object as `encoding/json` writes them: embedded structs inlined, skipped
/// fields and empty `omitempty` fields left out, in declaration order. `None` when the object is no
/// struct (see [`Object::go_fields`]).
pub fn json_fields(o: &dyn Object) -> Option<Vec<(String, Value)>> {
    let fields = o.go_fields()?;
    let mut out = Vec::with_capacity(fields.len());
    for f in fields {
        if f.embedded && f.json.is_empty() {
            if let Value::Object(inner) = &f.value {
                if let Some(inner_fields) = json_fields(inner.as_ref()) {
                    out.extend(inner_fields);
                    continue;
                }
            }
        }
        let Some((key, omitempty)) = f.json_key() else {
            continue;
        };
        if omitempty && f.value.is_go_empty() {
            continue;
        }
        out.push((key, f.value));
    }
    Some(out)
}

impl Value {
    /// Go's `isEmptyValue` of `encoding/json` (`omitempty`): false, 0, "", nil, and empty slices,
    /// maps and strings; a struct is never empty.
    pub fn is_go_empty(&self) -> bool {
        match self {
            Value::Object(o) => match (o.slice_items(), o.map_entries()) {
                (Some(l), _) => l.is_empty(),
                (None, Some(entries)) => entries.is_empty(),
                (None, None) => false,
            },
            other => !other.truthy(),
        }
    }

    pub fn str(s: &str) -> Value {
        Value::String(Rc::from(s))
    }

    /// A string built by a function or a template's output; see [`super::gostr::canonical`].
    pub fn string(s: String) -> Value {
        Value::String(Rc::from(super::gostr::canonical(s)))
    }

    /// A Go `int`.
    pub fn int(i: i64) -> Value {
        Value::Int(i, IntKind::Int)
    }

    /// A Go `int64`.
    pub fn int64(i: i64) -> Value {
        Value::Int(i, IntKind::Int64)
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List::new(items))
    }

    /// A `[]string`.
    pub fn string_list(items: Vec<String>) -> Value {
        Value::List(List::typed(
            GoType::String,
            items.into_iter().map(Value::string).collect(),
        ))
    }

    pub fn map(entries: MapEntries) -> Value {
        Value::Map(Map::new(entries))
    }

    pub fn empty_map() -> Value {
        Value::Map(Map::new(MapEntries::new()))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&List> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The Go type name as `%T` and Sprig's `typeOf` print it; `<nil>` for nil.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".to_string(),
            Value::Bool(_) => "bool".to_string(),
            Value::Int(_, k) => k.go_name().to_string(),
            Value::Uint(_, k) => k.go_name().to_string(),
            Value::Float(_) => "float64".to_string(),
            Value::String(_) => "string".to_string(),
            Value::Bytes(_) => "[]uint8".to_string(),
            Value::List(l) => format!("[]{}", l.elem_type().go_name()),
            Value::Map(m) => m.kind().go_name().to_string(),
            Value::Object(o) => o.type_name().to_string(),
        }
    }

    /// The Go kind name as Sprig's `kindOf` prints it (`reflect.Kind.String()`); `invalid` for nil.
    pub fn kind_name(&self) -> String {
        match self {
            Value::Nil => "invalid".to_string(),
            Value::Bool(_) => "bool".to_string(),
            Value::Int(_, k) => k.go_name().to_string(),
            Value::Uint(_, k) => k.go_name().to_string(),
            Value::Float(_) => "float64".to_string(),
            Value::String(_) => "string".to_string(),
            Value::Bytes(_) | Value::List(_) => "slice".to_string(),
            Value::Map(_) => "map".to_string(),
            Value::Object(o) => o.kind_name().to_string(),
        }
    }

    /// Go's `text/template` truth: false, 0, nil, and empty strings, slices and maps are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i, _) => *i != 0,
            Value::Uint(u, _) => *u != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.truthy(),
        }
    }

    /// A deep copy: maps and lists are copied recursively (Sprig's `deepCopy`); objects are shared.
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::List(l) if l.is_nil() => self.clone(),
            Value::List(l) => Value::List(List::typed(
                l.elem_type().clone(),
                l.items().iter().map(Value::deep_copy).collect(),
            )),
            Value::Map(m) => {
                let copied = m
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.deep_copy()))
                    .collect();
                Value::Map(Map::with_kind(m.kind().clone(), copied))
            }
            other => other.clone(),
        }
    }
}

impl Default for Value {
    /// Nil, Go's zero value of `interface {}`.
    fn default() -> Value {
        Value::Nil
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::string(s)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => write!(f, "nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i, k) => write!(f, "{}({i})", k.go_name()),
            Value::Uint(u, k) => write!(f, "{}({u})", k.go_name()),
            Value::Float(x) => write!(f, "float64({x:?})"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Bytes(b) => write!(f, "bytes({b:?})"),
            Value::List(l) => f.debug_list().entries(l.items()).finish(),
            Value::Map(m) => f.debug_map().entries(m.borrow().iter()).finish(),
            Value::Object(o) => write!(f, "{o:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_stays_small() {
        assert!(std::mem::size_of::<Value>() <= 24);
    }

    #[test]
    fn maps_are_shared_by_reference() {
        let m = Map::new(MapEntries::new());
        let a = Value::Map(m.clone());
        m.insert("k", Value::int(1));
        assert_eq!(a.as_map().unwrap().len(), 1);
    }

    #[test]
    fn go_field_tags() {
        let f = GoField::new("APIVersion", "apiVersion,omitempty", Value::str(""));
        assert_eq!(f.json_key(), Some(("apiVersion".to_string(), true)));
        assert_eq!(f.yaml_key(), Some(("apiversion".to_string(), false)));
        let f = GoField::new("Tags", "tags,omitempty", Value::Nil).yaml("tags,omitempty");
        assert_eq!(f.yaml_key(), Some(("tags".to_string(), true)));
        assert_eq!(GoField::new("X", "-", Value::Nil).json_key(), None);
        assert_eq!(
            GoField::new("X", ",omitempty", Value::Nil).json_key(),
            Some(("X".to_string(), true))
        );
    }

    #[test]
    fn nil_slices_and_maps_are_empty_but_marked() {
        let l = List::nil(GoType::String);
        assert!(l.is_nil() && l.is_empty());
        assert!(!List::typed(GoType::String, vec![]).is_nil());
        let m = Map::nil(MapKind::StringString);
        assert!(m.is_nil());
        m.insert("k", Value::str("v"));
        assert!(!m.is_nil(), "a map with entries is not nil");
        assert!(Value::List(l).is_go_empty());
        assert!(!Value::Bool(true).is_go_empty());
    }

    #[test]
    fn go_type_names() {
        assert_eq!(Value::int64(1).type_name(), "int64");
        assert_eq!(Value::list(vec![]).type_name(), "[]interface {}");
        assert_eq!(Value::string_list(vec![]).type_name(), "[]string");
        assert_eq!(Value::empty_map().type_name(), "map[string]interface {}");
        assert_eq!(Value::Nil.kind_name(), "invalid");
    }
}
