//! The keyword evaluation of santhosh-tekuri/jsonschema v6 (`validator.go`), interpreted straight
//! from the schema document: which keywords apply in which draft, the order they are checked in,
//! where a failure stops the others (`type`, `const`, `enum` and `format` end a schema's checks;
//! before draft 2019 a `$ref` hides its siblings), and how errors nest (several errors of one
//! schema become a `validation failed` group at its location; `anyOf`, `oneOf`, `allOf`,
//! `contains` and `propertyNames` carry their branches' errors as causes; a `$ref` that failed is
//! a group of its target's errors, printed through when it has only one).
//!
//! Where the library walks a Go map (an object's properties, `patternProperties`), the order is
//! random from run to run; here properties are checked in key order.
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value as Json};

use super::words::{display, int, is_primitive, join_quoted, quote};

/// One error of the tree: where in the values, what, and the errors it stands for.
#[derive(Debug, Clone)]
pub struct Error {
    pub location: Vec<String>,
    pub message: String,
    /// A `$ref` that failed: printed only through its causes when it has one.
    pub reference: bool,
    /// Several errors of one schema (`validation failed`), flattened where the library does.
    pub group: bool,
    pub causes: Vec<Error>,
}

impl Error {
    fn at(location: &[String], message: impl Into<String>) -> Error {
        Error {
            location: location.to_vec(),
            message: message.into(),
            reference: false,
            group: false,
            causes: Vec::new(),
        }
    }

    fn with_causes(mut self, causes: Vec<Error>) -> Error {
        self.causes = causes;
        self
    }
}

/// What a schema evaluated of an object or array, for `unevaluatedProperties`/`unevaluatedItems`.
#[derive(Default)]
struct Evaluated {
    props: HashSet<String>,
    items: HashSet<usize>,
}

impl Evaluated {
    fn merge(&mut self, other: Evaluated) {
        self.props.extend(other.props);
        self.items.extend(other.items);
    }
}

/// A schema document ready to validate with: its draft, and the `$id`s and anchors `$ref` can name.
pub struct Validator<'a> {
    root: &'a Json,
    /// 4, 6, 7, 2019 or 2020.
    pub draft: u32,
    base: String,
    ids: HashMap<String, &'a Json>,
    anchors: HashMap<String, &'a Json>,
    regexes: RefCell<HashMap<String, Result<regex::Regex, String>>>,
    id_key: &'static str,
    /// Formats asserted in every draft (the library's `AssertFormat`, as it validates schemas
    /// against their metaschema); otherwise only before draft 2019.
    assert_format: bool,
    /// The schema resources (documents and subschemas with their own `$id`) being evaluated,
    /// outermost first: where a `#…` reference is resolved, and the dynamic scope of
    /// `$dynamicRef`/`$recursiveRef`.
    scope: RefCell<Vec<&'a Json>>,
}

const LOCATION: &str = "file:///values.schema.json";

impl<'a> Validator<'a> {
    /// Reads the draft (`$schema`; draft 2020-12 when absent or unknown) and every `$id` and
    /// anchor; `Err` with the library's text when a `$ref` or a `pattern` cannot be compiled.
    pub fn new(root: &'a Json) -> Result<Validator<'a>, String> {
        Validator::with_resources(root, &[], false)
    }

    /// A validator for `root` that can also `$ref` the documents of `resources` by their `$id`
    /// (a metaschema's vocabularies), asserting formats in every draft when `assert_format`.
    pub fn with_resources(
        root: &'a Json,
        resources: &[&'a Json],
        assert_format: bool,
    ) -> Result<Validator<'a>, String> {
        let draft = draft_of(root);
        let id_key = if draft == 4 { "id" } else { "$id" };
        let base = root
            .get(id_key)
            .and_then(Json::as_str)
            .map(|s| s.split('#').next().unwrap_or("").to_string())
            .unwrap_or_default();
        let mut v = Validator {
            root,
            draft,
            base,
            ids: HashMap::new(),
            anchors: HashMap::new(),
            regexes: RefCell::new(HashMap::new()),
            id_key,
            assert_format,
            scope: RefCell::new(Vec::new()),
        };
        v.index(root, id_key);
        for doc in resources {
            v.index(doc, id_key);
        }
        v.check(root, root)?;
        for doc in resources {
            v.check(doc, doc)?;
        }
        Ok(v)
    }

    fn index(&mut self, sch: &'a Json, id_key: &str) {
        let Json::Object(map) = sch else {
            if let Json::Array(items) = sch {
                for item in items {
                    self.index(item, id_key);
                }
            }
            return;
        };
        if let Some(id) = map.get(id_key).and_then(Json::as_str) {
            let (url, fragment) = id.split_once('#').unwrap_or((id, ""));
            if !url.is_empty() {
                self.ids.insert(url.to_string(), sch);
            }
            if !fragment.is_empty() && self.draft < 2019 {
                self.anchors.insert(fragment.to_string(), sch);
            }
        }
        for key in ["$anchor", "$dynamicAnchor"] {
            if let Some(a) = map.get(key).and_then(Json::as_str) {
                self.anchors.insert(a.to_string(), sch);
            }
        }
        for (key, value) in map {
            if matches!(key.as_str(), "enum" | "const" | "default" | "examples") {
                continue;
            }
            self.index(value, id_key);
        }
    }

    /// The schema resource `sch` starts, if it has an `$id` with a URL of its own.
    fn resource_id<'s>(&self, sch: &'s Json) -> Option<&'s str> {
        sch.get(self.id_key)
            .and_then(Json::as_str)
            .filter(|id| !id.starts_with('#') && !id.is_empty())
    }

    /// What the library's compiler rejects before validating: a `$ref` that leads nowhere, a
    /// `pattern` that is not a regular expression. `doc` is the resource `sch` is part of.
    fn check(&self, sch: &'a Json, doc: &'a Json) -> Result<(), String> {
        let doc = if self.resource_id(sch).is_some() {
            sch
        } else {
            doc
        };
        match sch {
            Json::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("enum" | "const" | "default" | "examples", _) => continue,
                        ("$ref", Json::String(r)) => {
                            self.resolve_in(doc, r)?;
                        }
                        ("pattern", Json::String(p)) => {
                            self.regex(p).map_err(|e| {
                                format!("invalid regex {}: {e}", super::go_quote(p))
                            })?;
                        }
                        _ => self.check(value, doc)?,
                    }
                }
                Ok(())
            }
            Json::Array(items) => items.iter().try_for_each(|i| self.check(i, doc)),
            _ => Ok(()),
        }
    }

    fn regex(&self, pattern: &str) -> Result<regex::Regex, String> {
        self.regexes
            .borrow_mut()
            .entry(pattern.to_string())
            .or_insert_with(|| crate::template::funcs::sprig::regex::compile_go(pattern))
            .clone()
    }

    /// The innermost schema resource being evaluated (the root document outside any).
    fn current(&self) -> &'a Json {
        self.scope.borrow().last().copied().unwrap_or(self.root)
    }

    /// The resource a `$ref` names and the schema in it: a JSON pointer or an anchor in this
    /// document, in a part of it with its own `$id`, or in one of the extra resources. Nothing
    /// is loaded from elsewhere. `doc` is the resource the reference is written in.
    fn resolve_in(&self, doc: &'a Json, reference: &str) -> Result<(&'a Json, &'a Json), String> {
        let (url, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let doc = if url.is_empty() {
            doc
        } else if url == self.base {
            self.root
        } else if let Some(doc) = self.ids.get(url).or_else(|| {
            // A relative `$id`/`$ref` against the root's base.
            let joined = join_url(&self.base, url);
            self.ids.get(joined.as_str())
        }) {
            doc
        } else {
            return Err(format!(
                "failing loading {}: no schema with $id {} in values.schema.json (Rudder loads no remote schemas)",
                super::go_quote(reference),
                super::go_quote(url)
            ));
        };
        if fragment.is_empty() {
            return Ok((doc, doc));
        }
        if let Some(pointer) = fragment.strip_prefix('/') {
            let mut at = doc;
            for token in pointer.split('/') {
                let token = percent_decode(token).replace("~1", "/").replace("~0", "~");
                let next = match at {
                    Json::Object(m) => m.get(&token),
                    Json::Array(a) => token.parse::<usize>().ok().and_then(|i| a.get(i)),
                    _ => None,
                };
                at = next.ok_or_else(|| {
                    format!(
                        "json-pointer in {} not found",
                        super::go_quote(&format!("{LOCATION}#{fragment}"))
                    )
                })?;
            }
            return Ok((doc, at));
        }
        self.anchors
            .get(fragment)
            .map(|a| (doc, *a))
            .ok_or_else(|| {
                format!(
                    "anchor in {} not found",
                    super::go_quote(&format!("{LOCATION}#{fragment}"))
                )
            })
    }

    /// Validates the values against the whole schema: the errors the library lists under its
    /// `jsonschema validation failed` line.
    pub fn validate_root(&self, instance: &Json) -> Vec<Error> {
        let mut location = Vec::new();
        match self.validate(self.root, instance, &mut location, 0) {
            Ok(_) => Vec::new(),
            Err(e) if e.group => e.causes,
            Err(e) => vec![e],
        }
    }

    fn validate(
        &self,
        sch: &'a Json,
        v: &Json,
        loc: &mut Vec<String>,
        depth: usize,
    ) -> Result<Evaluated, Error> {
        let s = match sch {
            Json::Bool(true) => return Ok(Evaluated::default()),
            Json::Bool(false) => return Err(Error::at(loc, "false schema")),
            Json::Object(s) => s,
            _ => return Ok(Evaluated::default()),
        };
        if depth > 256 {
            return Err(Error::at(
                loc,
                "reference cycle: the schema refers to itself without end",
            ));
        }
        if self.resource_id(sch).is_some() {
            self.scope.borrow_mut().push(sch);
            let result = self.validate_schema(s, v, loc, depth);
            self.scope.borrow_mut().pop();
            return result;
        }
        self.validate_schema(s, v, loc, depth)
    }

    fn validate_schema(
        &self,
        s: &'a Map<String, Json>,
        v: &Json,
        loc: &mut Vec<String>,
        depth: usize,
    ) -> Result<Evaluated, Error> {
        let draft = self.draft;
        if draft < 2019 {
            if let Some(r) = s.get("$ref").and_then(Json::as_str) {
                return self.validate_ref(r, v, loc, depth);
            }
        }

        // type, const, enum and format each end the checks of this schema.
        if let Some(want) = types(s.get("type")) {
            let got = type_of(v);
            let matched = want.contains(&got)
                || (want.contains(&"integer") && got == "number" && is_integer(v));
            if !matched {
                return Err(Error::at(
                    loc,
                    format!("got {got}, want {}", want.join(" or ")),
                ));
            }
        }
        if draft >= 6 {
            if let Some(want) = s.get("const") {
                if !equals(v, want) {
                    let message = if is_primitive(want) {
                        format!("value must be {}", display(want))
                    } else {
                        "'const' failed".to_string()
                    };
                    return Err(Error::at(loc, message));
                }
            }
        }
        if let Some(Json::Array(options)) = s.get("enum") {
            if !options.iter().any(|o| equals(v, o)) {
                let message = if options.iter().all(is_primitive) {
                    if options.len() == 1 {
                        format!("value must be {}", display(&options[0]))
                    } else {
                        format!(
                            "value must be one of {}",
                            options.iter().map(display).collect::<Vec<_>>().join(", ")
                        )
                    }
                } else {
                    "'enum' failed".to_string()
                };
                return Err(Error::at(loc, message));
            }
        }
        if draft < 2019 || self.assert_format {
            if let Some(name) = s.get("format").and_then(Json::as_str) {
                if let Some(Err(why)) = super::format::check(name, v, |p| self.regex(p).map(|_| ()))
                {
                    return Err(Error::at(
                        loc,
                        format!("{} is not valid {name}: {why}", display(v)),
                    ));
                }
            }
        }

        let mut errors = Vec::new();
        let mut evaluated = Evaluated::default();
        if let Some(r) = s.get("$ref").and_then(Json::as_str) {
            match self.validate_ref(r, v, loc, depth) {
                Ok(e) => evaluated.merge(e),
                Err(e) => errors.push(e),
            }
        }
        if let Some(r) = dynamic_reference(s, draft) {
            match self.validate_dynamic_ref(r, v, loc, depth) {
                Ok(e) => evaluated.merge(e),
                Err(e) => errors.push(e),
            }
        }

        match v {
            Json::Object(obj) => self.object(s, obj, loc, depth, &mut errors, &mut evaluated),
            Json::Array(arr) => self.array(s, arr, loc, depth, &mut errors, &mut evaluated),
            Json::String(text) => self.string(s, text, loc, &mut errors),
            Json::Number(_) => number(s, v, draft, loc, &mut errors),
            _ => {}
        }

        self.conditions(s, v, loc, depth, &mut errors, &mut evaluated);
        if draft >= 2019 {
            self.unevaluated(s, v, loc, depth, &mut errors, &mut evaluated);
        }

        match errors.len() {
            0 => Ok(evaluated),
            1 => Err(errors.pop().unwrap()),
            _ => {
                let mut group = Error::at(loc, "validation failed").with_causes(errors);
                group.group = true;
                Err(group)
            }
        }
    }

    fn validate_ref(
        &self,
        reference: &str,
        v: &Json,
        loc: &mut Vec<String>,
        depth: usize,
    ) -> Result<Evaluated, Error> {
        let (doc, target) = match self.resolve_in(self.current(), reference) {
            Ok(t) => t,
            Err(e) => return Err(Error::at(loc, e)),
        };
        self.validate_target(doc, target, v, loc, depth)
    }

    /// A `$dynamicRef` (draft 2020) or `$recursiveRef` (draft 2019): its target, unless that
    /// target is a dynamic (recursive) anchor; then the outermost resource in the dynamic scope
    /// with the same anchor.
    fn validate_dynamic_ref(
        &self,
        reference: &str,
        v: &Json,
        loc: &mut Vec<String>,
        depth: usize,
    ) -> Result<Evaluated, Error> {
        let (doc, mut target) = match self.resolve_in(self.current(), reference) {
            Ok(t) => t,
            Err(e) => return Err(Error::at(loc, e)),
        };
        let anchor = |sch: &Json| -> bool {
            if self.draft >= 2020 {
                let name = reference.split_once('#').map_or("", |(_, f)| f);
                !name.is_empty()
                    && !name.starts_with('/')
                    && sch.get("$dynamicAnchor").and_then(Json::as_str) == Some(name)
            } else {
                sch.get("$recursiveAnchor") == Some(&Json::Bool(true))
            }
        };
        if anchor(target) {
            let outermost = std::iter::once(self.root)
                .chain(self.scope.borrow().iter().copied())
                .find(|resource| anchor(resource));
            if let Some(resource) = outermost {
                target = resource;
            }
        }
        self.validate_target(doc, target, v, loc, depth)
    }

    /// A reference's target, evaluated inside the resource it belongs to; when it fails, a
    /// reference error carrying its errors.
    fn validate_target(
        &self,
        doc: &'a Json,
        target: &'a Json,
        v: &Json,
        loc: &mut Vec<String>,
        depth: usize,
    ) -> Result<Evaluated, Error> {
        self.scope.borrow_mut().push(doc);
        let result = self.validate(target, v, loc, depth + 1);
        self.scope.borrow_mut().pop();
        result.map_err(|e| {
            let causes = if e.group { e.causes } else { vec![e] };
            let mut r = Error::at(loc, "validation failed").with_causes(causes);
            r.reference = true;
            r
        })
    }

    /// A subschema applied to a member of the value (a property, an item).
    fn child(
        &self,
        sch: &'a Json,
        v: &Json,
        loc: &mut Vec<String>,
        token: String,
        depth: usize,
    ) -> Result<(), Error> {
        loc.push(token);
        let result = self.validate(sch, v, loc, depth + 1).map(|_| ());
        loc.pop();
        result
    }

    fn object(
        &self,
        s: &'a Map<String, Json>,
        obj: &Map<String, Json>,
        loc: &mut Vec<String>,
        depth: usize,
        errors: &mut Vec<Error>,
        evaluated: &mut Evaluated,
    ) {
        let draft = self.draft;
        count_bound(s, "minProperties", obj.len(), loc, errors);
        count_bound(s, "maxProperties", obj.len(), loc, errors);
        if let Some(Json::Array(required)) = s.get("required") {
            let missing = missing(obj, required);
            if missing.len() == 1 {
                errors.push(Error::at(
                    loc,
                    format!("missing property {}", quote(&missing[0])),
                ));
            } else if !missing.is_empty() {
                errors.push(Error::at(
                    loc,
                    format!("missing properties {}", join_quoted(&missing)),
                ));
            }
        }
        if let Some(Json::Object(deps)) = s.get("dependencies") {
            for (prop, dep) in deps {
                if !obj.contains_key(prop) {
                    continue;
                }
                match dep {
                    Json::Array(names) => dependent_required(obj, prop, names, loc, errors),
                    sch => match self.validate(sch, &Json::Object(obj.clone()), loc, depth + 1) {
                        Ok(e) => evaluated.merge(e),
                        Err(e) => errors.push(e),
                    },
                }
            }
        }

        let properties = s.get("properties").and_then(Json::as_object);
        let patterns: Vec<(regex::Regex, &Json)> = s
            .get("patternProperties")
            .and_then(Json::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(p, sch)| self.regex(p).ok().map(|re| (re, sch)))
                    .collect()
            })
            .unwrap_or_default();
        let additional = s.get("additionalProperties");
        let mut keys: Vec<&String> = obj.keys().collect();
        keys.sort();
        let mut not_allowed = Vec::new();
        for key in keys {
            let value = &obj[key];
            let mut seen = false;
            if let Some(sch) = properties.and_then(|p| p.get(key)) {
                seen = true;
                if let Err(e) = self.child(sch, value, loc, key.clone(), depth) {
                    errors.push(e);
                }
            }
            for (re, sch) in &patterns {
                if re.is_match(key) {
                    seen = true;
                    if let Err(e) = self.child(sch, value, loc, key.clone(), depth) {
                        errors.push(e);
                    }
                }
            }
            if !seen {
                match additional {
                    Some(Json::Bool(false)) => {
                        seen = true;
                        not_allowed.push(key.clone());
                    }
                    Some(Json::Bool(true)) => seen = true,
                    Some(sch @ Json::Object(_)) => {
                        seen = true;
                        if let Err(e) = self.child(sch, value, loc, key.clone(), depth) {
                            errors.push(e);
                        }
                    }
                    _ => {}
                }
            }
            if seen {
                evaluated.props.insert(key.clone());
            }
        }
        if !not_allowed.is_empty() {
            errors.push(Error::at(
                loc,
                format!(
                    "additional properties {} not allowed",
                    join_quoted(&not_allowed)
                ),
            ));
        }
        if draft == 4 {
            return;
        }

        if let Some(names) = s.get("propertyNames") {
            let mut keys: Vec<&String> = obj.keys().collect();
            keys.sort();
            for key in keys {
                let mut inner = Vec::new();
                if let Err(e) =
                    self.validate(names, &Json::String(key.clone()), &mut inner, depth + 1)
                {
                    let causes = if e.group { e.causes } else { vec![e] };
                    errors.push(
                        Error::at(&[], format!("invalid propertyName {}", quote(key)))
                            .with_causes(causes),
                    );
                }
            }
        }
        if draft == 6 || draft < 2019 {
            return;
        }
        if let Some(Json::Object(deps)) = s.get("dependentSchemas") {
            for (prop, sch) in deps {
                if obj.contains_key(prop) {
                    match self.validate(sch, &Json::Object(obj.clone()), loc, depth + 1) {
                        Ok(e) => evaluated.merge(e),
                        Err(e) => errors.push(e),
                    }
                }
            }
        }
        if let Some(Json::Object(deps)) = s.get("dependentRequired") {
            for (prop, names) in deps {
                if let (true, Json::Array(names)) = (obj.contains_key(prop), names) {
                    dependent_required(obj, prop, names, loc, errors);
                }
            }
        }
    }

    fn array(
        &self,
        s: &'a Map<String, Json>,
        arr: &[Json],
        loc: &mut Vec<String>,
        depth: usize,
        errors: &mut Vec<Error>,
        evaluated: &mut Evaluated,
    ) {
        let draft = self.draft;
        count_bound(s, "minItems", arr.len(), loc, errors);
        count_bound(s, "maxItems", arr.len(), loc, errors);
        if s.get("uniqueItems") == Some(&Json::Bool(true)) && arr.len() > 1 {
            'dup: for i in 1..arr.len() {
                for j in 0..i {
                    if equals(&arr[i], &arr[j]) {
                        errors.push(Error::at(
                            loc,
                            format!("items at {} and {} are equal", int(j as i64), int(i as i64)),
                        ));
                        break 'dup;
                    }
                }
            }
        }
        // Items past the first ones are located by their index among the rest, as the library
        // does (`arr[evaluated:]` enumerated from 0).
        if draft < 2020 {
            let mut done = 0;
            match s.get("items") {
                Some(Json::Array(schemas)) => {
                    done = schemas.len().min(arr.len());
                    for (i, item) in arr[..done].iter().enumerate() {
                        if let Err(e) = self.child(&schemas[i], item, loc, i.to_string(), depth) {
                            errors.push(e);
                        }
                    }
                    match s.get("additionalItems") {
                        Some(Json::Bool(false)) if done != arr.len() => {
                            errors.push(Error::at(
                                loc,
                                format!(
                                    "last {} additionalItem(s) not allowed",
                                    int((arr.len() - done) as i64)
                                ),
                            ));
                        }
                        Some(sch @ Json::Object(_)) => {
                            for (i, item) in arr[done..].iter().enumerate() {
                                if let Err(e) = self.child(sch, item, loc, i.to_string(), depth) {
                                    errors.push(e);
                                }
                            }
                            done = arr.len();
                        }
                        Some(Json::Bool(true)) => done = arr.len(),
                        _ => {}
                    }
                }
                Some(sch @ (Json::Object(_) | Json::Bool(_))) => {
                    for (i, item) in arr.iter().enumerate() {
                        if let Err(e) = self.child(sch, item, loc, i.to_string(), depth) {
                            errors.push(e);
                        }
                    }
                    done = arr.len();
                }
                _ => {}
            }
            evaluated.items.extend(0..done);
        } else {
            let prefix = s.get("prefixItems").and_then(Json::as_array);
            let done = prefix.map_or(0, |p| p.len().min(arr.len()));
            if let Some(prefix) = prefix {
                for (i, item) in arr[..done].iter().enumerate() {
                    if let Err(e) = self.child(&prefix[i], item, loc, i.to_string(), depth) {
                        errors.push(e);
                    }
                }
            }
            evaluated.items.extend(0..done);
            if let Some(sch) = s.get("items") {
                for (i, item) in arr[done..].iter().enumerate() {
                    if let Err(e) = self.child(sch, item, loc, i.to_string(), depth) {
                        errors.push(e);
                    }
                }
                evaluated.items.extend(0..arr.len());
            }
        }

        if draft >= 6 {
            if let Some(contains) = s.get("contains") {
                let mut failures = Vec::new();
                let mut matched = Vec::new();
                for (i, item) in arr.iter().enumerate() {
                    match self.child(contains, item, loc, i.to_string(), depth) {
                        Err(e) => failures.push(e),
                        Ok(()) => {
                            matched.push(i);
                            if draft >= 2020 {
                                evaluated.items.insert(i);
                            }
                        }
                    }
                }
                let min = if draft >= 2019 {
                    int_keyword(s, "minContains")
                } else {
                    None
                };
                let max = if draft >= 2019 {
                    int_keyword(s, "maxContains")
                } else {
                    None
                };
                if let Some(min) = min {
                    if (matched.len() as i64) < min {
                        let message = if matched.is_empty() {
                            format!(
                                "min {} items required to match contains schema, but none matched",
                                int(min)
                            )
                        } else {
                            format!(
                                "min {} items required to match contains schema, but matched {} items at {}",
                                int(min),
                                int(matched.len() as i64),
                                matched.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" ")
                            )
                        };
                        errors.push(Error::at(loc, message).with_causes(failures));
                    }
                } else if matched.is_empty() {
                    errors.push(
                        Error::at(loc, "no items match contains schema").with_causes(failures),
                    );
                }
                if let Some(max) = max {
                    if (matched.len() as i64) > max {
                        errors.push(Error::at(
                            loc,
                            format!(
                                "max {} items required to match contains schema, but matched {} items at {}",
                                int(max),
                                int(matched.len() as i64),
                                matched.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" ")
                            ),
                        ));
                    }
                }
            }
        }
    }

    fn string(
        &self,
        s: &'a Map<String, Json>,
        text: &str,
        loc: &[String],
        errors: &mut Vec<Error>,
    ) {
        let len = text.chars().count();
        count_bound(s, "minLength", len, loc, errors);
        count_bound(s, "maxLength", len, loc, errors);
        if let Some(pattern) = s.get("pattern").and_then(Json::as_str) {
            if let Ok(re) = self.regex(pattern) {
                if !re.is_match(text) {
                    errors.push(Error::at(
                        loc,
                        format!("{} does not match pattern {}", quote(text), quote(pattern)),
                    ));
                }
            }
        }
    }

    fn conditions(
        &self,
        s: &'a Map<String, Json>,
        v: &Json,
        loc: &mut Vec<String>,
        depth: usize,
        errors: &mut Vec<Error>,
        evaluated: &mut Evaluated,
    ) {
        let depth = depth + 1;
        if let Some(not) = s.get("not") {
            if self.validate(not, v, loc, depth).is_ok() {
                errors.push(Error::at(loc, "'not' failed"));
            }
        }
        if let Some(Json::Array(all)) = s.get("allOf") {
            let mut failures = Vec::new();
            for sch in all {
                match self.validate(sch, v, loc, depth) {
                    Ok(e) => evaluated.merge(e),
                    Err(e) => failures.push(e),
                }
            }
            if !failures.is_empty() {
                errors.push(Error::at(loc, "'allOf' failed").with_causes(failures));
            }
        }
        if let Some(Json::Array(any)) = s.get("anyOf") {
            let mut failures = Vec::new();
            let mut matched = false;
            for sch in any {
                match self.validate(sch, v, loc, depth) {
                    Ok(e) => {
                        matched = true;
                        evaluated.merge(e);
                    }
                    Err(e) => failures.push(e),
                }
            }
            if !matched {
                errors.push(Error::at(loc, "'anyOf' failed").with_causes(failures));
            }
        }
        if let Some(Json::Array(one)) = s.get("oneOf") {
            let mut failures = Vec::new();
            let mut matched: Option<usize> = None;
            for (i, sch) in one.iter().enumerate() {
                match self.validate(sch, v, loc, depth) {
                    Err(e) => {
                        if matched.is_none() {
                            failures.push(e);
                        }
                    }
                    Ok(e) => match matched {
                        None => {
                            matched = Some(i);
                            evaluated.merge(e);
                        }
                        Some(first) => {
                            errors.push(Error::at(
                                loc,
                                format!(
                                    "'oneOf' failed, subschemas {}, {} matched",
                                    int(first as i64),
                                    int(i as i64)
                                ),
                            ));
                            break;
                        }
                    },
                }
            }
            if matched.is_none() {
                errors.push(Error::at(loc, "'oneOf' failed, none matched").with_causes(failures));
            }
        }
        if self.draft >= 7 {
            if let Some(cond) = s.get("if") {
                let branch = match self.validate(cond, v, loc, depth) {
                    Ok(e) => {
                        evaluated.merge(e);
                        s.get("then")
                    }
                    Err(_) => s.get("else"),
                };
                if let Some(branch) = branch {
                    match self.validate(branch, v, loc, depth) {
                        Ok(e) => evaluated.merge(e),
                        Err(e) => errors.push(e),
                    }
                }
            }
        }
    }

    fn unevaluated(
        &self,
        s: &'a Map<String, Json>,
        v: &Json,
        loc: &mut Vec<String>,
        depth: usize,
        errors: &mut Vec<Error>,
        evaluated: &mut Evaluated,
    ) {
        if let (Some(sch), Json::Object(obj)) = (s.get("unevaluatedProperties"), v) {
            let mut keys: Vec<&String> = obj
                .keys()
                .filter(|k| !evaluated.props.contains(*k))
                .collect();
            keys.sort();
            for key in keys {
                if let Err(e) = self.child(sch, &obj[key], loc, key.clone(), depth) {
                    errors.push(e);
                }
            }
            evaluated.props.extend(obj.keys().cloned());
        }
        if let (Some(sch), Json::Array(arr)) = (s.get("unevaluatedItems"), v) {
            for (i, item) in arr.iter().enumerate() {
                if !evaluated.items.contains(&i) {
                    if let Err(e) = self.child(sch, item, loc, i.to_string(), depth) {
                        errors.push(e);
                    }
                }
            }
            evaluated.items.extend(0..arr.len());
        }
    }
}

/// The draft a schema names in `$schema`: 4, 6, 7, 2019 or 2020 (when absent or unknown).
pub fn draft_of(root: &Json) -> u32 {
    let named = root.get("$schema").and_then(Json::as_str).unwrap_or("");
    if named.contains("draft-04") {
        4
    } else if named.contains("draft-06") {
        6
    } else if named.contains("draft-07") {
        7
    } else if named.contains("2019-09") {
        2019
    } else {
        2020
    }
}

/// The reference of a `$dynamicRef` (draft 2020) or `$recursiveRef` (draft 2019).
fn dynamic_reference(s: &Map<String, Json>, draft: u32) -> Option<&str> {
    let key = match draft {
        2019 => "$recursiveRef",
        d if d >= 2020 => "$dynamicRef",
        _ => return None,
    };
    s.get(key).and_then(Json::as_str)
}

fn number(s: &Map<String, Json>, v: &Json, draft: u32, loc: &[String], errors: &mut Vec<Error>) {
    let Some(got) = v.as_f64() else { return };
    let limit = |key: &str| s.get(key).and_then(Json::as_f64);
    let show = super::words::float;
    let mut minimum = limit("minimum");
    let mut maximum = limit("maximum");
    let mut exclusive_min = None;
    let mut exclusive_max = None;
    if draft == 4 {
        if s.get("exclusiveMinimum") == Some(&Json::Bool(true)) {
            exclusive_min = minimum.take();
        }
        if s.get("exclusiveMaximum") == Some(&Json::Bool(true)) {
            exclusive_max = maximum.take();
        }
    } else {
        exclusive_min = limit("exclusiveMinimum");
        exclusive_max = limit("exclusiveMaximum");
    }
    if let Some(want) = minimum.filter(|w| got < *w) {
        errors.push(Error::at(
            loc,
            format!("minimum: got {}, want {}", show(got), show(want)),
        ));
    }
    if let Some(want) = maximum.filter(|w| got > *w) {
        errors.push(Error::at(
            loc,
            format!("maximum: got {}, want {}", show(got), show(want)),
        ));
    }
    if let Some(want) = exclusive_min.filter(|w| got <= *w) {
        errors.push(Error::at(
            loc,
            format!("exclusiveMinimum: got {}, want {}", show(got), show(want)),
        ));
    }
    if let Some(want) = exclusive_max.filter(|w| got >= *w) {
        errors.push(Error::at(
            loc,
            format!("exclusiveMaximum: got {}, want {}", show(got), show(want)),
        ));
    }
    if let Some(Json::Number(want)) = s.get("multipleOf") {
        if let (Json::Number(n), Some(w)) = (v, want.as_f64()) {
            if !is_multiple(n, want) {
                errors.push(Error::at(
                    loc,
                    format!("multipleOf: got {}, want {}", show(got), show(w)),
                ));
            }
        }
    }
}

/// `n / m` is an integer, computed on the decimal texts (as the library's rationals do), so that
/// `0.07` is a multiple of `0.01`.
fn is_multiple(n: &serde_json::Number, m: &serde_json::Number) -> bool {
    fn decimal(x: &serde_json::Number) -> Option<(i128, i32)> {
        let text = match x.as_f64() {
            Some(f) if x.is_f64() => format!("{:e}", f),
            _ => format!("{x}e0"),
        };
        let (mantissa, exp) = text.split_once('e')?;
        let mut exp: i32 = exp.parse().ok()?;
        let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        exp -= frac.len() as i32;
        let digits: i128 = format!("{whole}{frac}").parse().ok()?;
        Some((digits, exp))
    }
    match (decimal(n), decimal(m)) {
        (Some((a, ea)), Some((b, eb))) if b != 0 => {
            // a·10^ea / (b·10^eb) is an integer.
            let shift = ea - eb;
            if shift >= 0 {
                match 10i128
                    .checked_pow(shift as u32)
                    .and_then(|p| a.checked_mul(p))
                {
                    Some(a) => a % b == 0,
                    None => (n.as_f64().unwrap_or(0.0) / m.as_f64().unwrap_or(1.0)).fract() == 0.0,
                }
            } else {
                match 10i128
                    .checked_pow((-shift) as u32)
                    .and_then(|p| b.checked_mul(p))
                {
                    Some(b) => a % b == 0,
                    None => false,
                }
            }
        }
        _ => true,
    }
}

fn int_keyword(s: &Map<String, Json>, key: &str) -> Option<i64> {
    let n = s.get(key)?.as_f64()?;
    (n.fract() == 0.0).then_some(n as i64)
}

/// A `min…`/`max…` count keyword (`minItems`, `maxLength`, …): `<keyword>: got N, want M` when
/// the count is out of its bound.
fn count_bound(
    s: &Map<String, Json>,
    keyword: &str,
    got: usize,
    loc: &[String],
    errors: &mut Vec<Error>,
) {
    let Some(want) = int_keyword(s, keyword) else {
        return;
    };
    let got = got as i64;
    let out = if keyword.starts_with("min") {
        got < want
    } else {
        got > want
    };
    if out {
        errors.push(Error::at(
            loc,
            format!("{keyword}: got {}, want {}", int(got), int(want)),
        ));
    }
}

/// `dependencies`/`dependentRequired` with a list of names: the ones missing while `prop` is there.
fn dependent_required(
    obj: &Map<String, Json>,
    prop: &str,
    names: &[Json],
    loc: &[String],
    errors: &mut Vec<Error>,
) {
    let missing = missing(obj, names);
    if !missing.is_empty() {
        errors.push(Error::at(
            loc,
            format!(
                "properties {} required, if {} exists",
                join_quoted(&missing),
                quote(prop)
            ),
        ));
    }
}

fn missing(obj: &Map<String, Json>, names: &[Json]) -> Vec<String> {
    names
        .iter()
        .filter_map(Json::as_str)
        .filter(|n| !obj.contains_key(*n))
        .map(str::to_string)
        .collect()
}

/// The `type` keyword's names, in the library's order (null, boolean, number, integer, string,
/// array, object); `None` when it names none.
fn types(t: Option<&Json>) -> Option<Vec<&'static str>> {
    let named: Vec<&str> = match t? {
        Json::String(s) => vec![s.as_str()],
        Json::Array(a) => a.iter().filter_map(Json::as_str).collect(),
        _ => return None,
    };
    let out: Vec<&'static str> = [
        "null", "boolean", "number", "integer", "string", "array", "object",
    ]
    .into_iter()
    .filter(|t| named.contains(t))
    .collect();
    (!out.is_empty()).then_some(out)
}

fn type_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn is_integer(v: &Json) -> bool {
    match v {
        Json::Number(n) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

/// The library's `equals`: numbers by value, lists in order, maps by keys.
fn equals(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equals(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| equals(v, w)))
        }
        _ => a == b,
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A relative reference against a base URL (enough for `$id`s that name sibling files).
fn join_url(base: &str, relative: &str) -> String {
    if relative.contains("://") || base.is_empty() {
        return relative.to_string();
    }
    match base.rfind('/') {
        Some(i) => format!("{}{relative}", &base[..=i]),
        None => relative.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiples_on_decimal_texts() {
        let n = |s: &str| serde_json::from_str::<serde_json::Number>(s).unwrap();
        assert!(is_multiple(&n("0.07"), &n("0.01")));
        assert!(is_multiple(&n("10"), &n("2.5")));
        assert!(!is_multiple(&n("3.7"), &n("0.5")));
        assert!(is_multiple(&n("4"), &n("2")));
        assert!(!is_multiple(&n("5"), &n("2")));
    }
}
