//! The entries of a map value ([`MapEntries`]): key → value in Go's order (byte order of the keys),
//! kept in a sorted vector while the map is small and in a B-tree once it grows.
//!
//! Helm's data is mostly small maps (a container's `resources`, a rule's `{verb, resource}`, labels):
//! a `BTreeMap` allocates a whole leaf node for its first entry, room for eleven entries (about
//! 0.45 KiB here) however few it holds, so a values file of a few MB took several times its size in
//! maps. A sorted vector holds exactly its entries (40 bytes each), is searched by bisection (a
//! B-tree searches each node linearly, so lookups in small maps cost no more) and iterates in
//! order. Inserting into the middle moves the entries after it, which stays cheap up to
//! [`SMALL_MAX`] entries; a map that grows beyond that becomes a `BTreeMap` and stays one.
//!
//! The API is the part of `BTreeMap`'s that the engine uses, with the same meaning (`insert` returns
//! the replaced value, collecting keeps the last of equal keys, iteration is in key order), so code
//! written against the former `BTreeMap` alias reads the same.
use std::borrow::Borrow;
use std::collections::{btree_map, BTreeMap};
use std::fmt;
use std::{slice, vec};

use super::value::{Str, Value};

/// Largest number of entries kept in the sorted vector.
pub const SMALL_MAX: usize = 32;

/// The ordered key → value store of a map value (see the module doc).
#[derive(Clone)]
pub struct MapEntries(Repr);

#[derive(Clone)]
enum Repr {
    Small(Vec<(Str, Value)>),
    Large(BTreeMap<Str, Value>),
}

impl Default for MapEntries {
    fn default() -> MapEntries {
        MapEntries::new()
    }
}

impl MapEntries {
    pub const fn new() -> MapEntries {
        MapEntries(Repr::Small(Vec::new()))
    }

    /// An empty map with room for `n` entries (a B-tree when `n` is beyond [`SMALL_MAX`]).
    pub fn with_capacity(n: usize) -> MapEntries {
        if n > SMALL_MAX {
            MapEntries(Repr::Large(BTreeMap::new()))
        } else {
            MapEntries(Repr::Small(Vec::with_capacity(n)))
        }
    }

    /// Gives back spare room of the vector (once a map is built and will rarely grow).
    pub fn shrink_to_fit(&mut self) {
        if let Repr::Small(v) = &mut self.0 {
            v.shrink_to_fit();
        }
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Small(v) => v.len(),
            Repr::Large(m) => m.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&mut self) {
        self.0 = Repr::Small(Vec::new());
    }

    /// Where `key` is in the vector (`Ok`) or would go (`Err`).
    fn search<Q>(v: &[(Str, Value)], key: &Q) -> Result<usize, usize>
    where
        Str: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        v.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q>(&self, key: &Q) -> Option<&Value>
    where
        Str: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.get_key_value(key).map(|(_, v)| v)
    }

    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&Str, &Value)>
    where
        Str: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match &self.0 {
            Repr::Small(v) => Self::search(v, key).ok().map(|i| (&v[i].0, &v[i].1)),
            Repr::Large(m) => m.get_key_value(key),
        }
    }

    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut Value>
    where
        Str: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match &mut self.0 {
            Repr::Small(v) => match Self::search(v, key) {
                Ok(i) => Some(&mut v[i].1),
                Err(_) => None,
            },
            Repr::Large(m) => m.get_mut(key),
        }
    }

    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        Str: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`; returns the value it replaces. (As `BTreeMap::insert`, a replaced
    /// entry keeps its key.)
    pub fn insert(&mut self, key: Str, value: Value) -> Option<Value> {
        match &mut self.0 {
            Repr::Small(v) => match Self::search(v, &*key) {
                Ok(i) => Some(std::mem::replace(&mut v[i].1, value)),
                Err(i) if v.len() < SMALL_MAX => {
                    v.insert(i, (key, value));
                    None
                }
                Err(_) => {
                    let mut m: BTreeMap<Str, Value> = std::mem::take(v).into_iter().collect();
                    m.insert(key, value);
                    self.0 = Repr::Large(m);
                    None
                }
            },
            Repr::Large(m) => m.insert(key, value),
        }
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<Value>
    where
        Str: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(Str, Value)>
    where
        Str: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match &mut self.0 {
            Repr::Small(v) => Self::search(v, key).ok().map(|i| v.remove(i)),
            Repr::Large(m) => m.remove_entry(key),
        }
    }

    /// Keeps the entries for which `keep` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(&Str, &mut Value) -> bool) {
        match &mut self.0 {
            Repr::Small(v) => v.retain_mut(|(k, v)| keep(k, v)),
            Repr::Large(m) => m.retain(|k, v| keep(k, v)),
        }
    }

    pub fn first_key_value(&self) -> Option<(&Str, &Value)> {
        self.iter().next()
    }

    pub fn last_key_value(&self) -> Option<(&Str, &Value)> {
        self.iter().next_back()
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_> {
        match &self.0 {
            Repr::Small(v) => Iter::Small(v.iter()),
            Repr::Large(m) => Iter::Large(m.iter()),
        }
    }

    pub fn iter_mut(&mut self) -> IterMut<'_> {
        match &mut self.0 {
            Repr::Small(v) => IterMut::Small(v.iter_mut()),
            Repr::Large(m) => IterMut::Large(m.iter_mut()),
        }
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Str> + ExactSizeIterator + Clone {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator + Clone {
        self.iter().map(|(_, v)| v)
    }

    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.iter_mut().map(|(_, v)| v)
    }

    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = Str> + ExactSizeIterator {
        self.into_iter().map(|(k, _)| k)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = Value> + ExactSizeIterator {
        self.into_iter().map(|(_, v)| v)
    }
}

/// Iterator over `(&key, &value)` in key order.
#[derive(Clone)]
pub enum Iter<'a> {
    Small(slice::Iter<'a, (Str, Value)>),
    Large(btree_map::Iter<'a, Str, Value>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Str, &'a Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(i) => i.next().map(|(k, v)| (k, v)),
            Iter::Large(i) => i.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Small(i) => i.size_hint(),
            Iter::Large(i) => i.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(i) => i.next_back().map(|(k, v)| (k, v)),
            Iter::Large(i) => i.next_back(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// Iterator over `(&key, &mut value)` in key order.
pub enum IterMut<'a> {
    Small(slice::IterMut<'a, (Str, Value)>),
    Large(btree_map::IterMut<'a, Str, Value>),
}

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a Str, &'a mut Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            IterMut::Small(i) => i.next().map(|(k, v)| (&*k, v)),
            IterMut::Large(i) => i.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            IterMut::Small(i) => i.size_hint(),
            IterMut::Large(i) => i.size_hint(),
        }
    }
}

impl DoubleEndedIterator for IterMut<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            IterMut::Small(i) => i.next_back().map(|(k, v)| (&*k, v)),
            IterMut::Large(i) => i.next_back(),
        }
    }
}

impl ExactSizeIterator for IterMut<'_> {}

/// Owning iterator over `(key, value)` in key order.
pub enum IntoIter {
    Small(vec::IntoIter<(Str, Value)>),
    Large(btree_map::IntoIter<Str, Value>),
}

impl Iterator for IntoIter {
    type Item = (Str, Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            IntoIter::Small(i) => i.next(),
            IntoIter::Large(i) => i.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            IntoIter::Small(i) => i.size_hint(),
            IntoIter::Large(i) => i.size_hint(),
        }
    }
}

impl DoubleEndedIterator for IntoIter {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            IntoIter::Small(i) => i.next_back(),
            IntoIter::Large(i) => i.next_back(),
        }
    }
}

impl ExactSizeIterator for IntoIter {}

impl IntoIterator for MapEntries {
    type Item = (Str, Value);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        match self.0 {
            Repr::Small(v) => IntoIter::Small(v.into_iter()),
            Repr::Large(m) => IntoIter::Large(m.into_iter()),
        }
    }
}

impl<'a> IntoIterator for &'a MapEntries {
    type Item = (&'a Str, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut MapEntries {
    type Item = (&'a Str, &'a mut Value);
    type IntoIter = IterMut<'a>;

    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

impl FromIterator<(Str, Value)> for MapEntries {
    /// As `BTreeMap`'s: of equal keys, the last value is kept.
    fn from_iter<I: IntoIterator<Item = (Str, Value)>>(iter: I) -> MapEntries {
        let mut pairs: Vec<(Str, Value)> = iter.into_iter().collect();
        if pairs.len() > SMALL_MAX {
            return MapEntries(Repr::Large(pairs.into_iter().collect()));
        }
        if !pairs.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable: equal keys stay in the order given, so the last of each run wins.
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            let mut deduped: Vec<(Str, Value)> = Vec::with_capacity(pairs.len());
            for pair in pairs {
                match deduped.last_mut() {
                    Some(last) if last.0 == pair.0 => last.1 = pair.1,
                    _ => deduped.push(pair),
                }
            }
            pairs = deduped;
        }
        pairs.shrink_to_fit();
        MapEntries(Repr::Small(pairs))
    }
}

impl<K: Into<Str>> Extend<(K, Value)> for MapEntries {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k.into(), v);
        }
    }
}

impl From<BTreeMap<Str, Value>> for MapEntries {
    fn from(m: BTreeMap<Str, Value>) -> MapEntries {
        m.into_iter().collect()
    }
}

impl<const N: usize> From<[(Str, Value); N]> for MapEntries {
    fn from(pairs: [(Str, Value); N]) -> MapEntries {
        pairs.into_iter().collect()
    }
}

impl fmt::Debug for MapEntries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    fn key(s: &str) -> Str {
        Rc::from(s)
    }

    fn keys(m: &MapEntries) -> Vec<String> {
        m.keys().map(|k| k.to_string()).collect()
    }

    /// The same answers as a `BTreeMap` for every operation, across the switch to the B-tree.
    #[test]
    fn behaves_as_a_btree_map_small_and_large() {
        let mut ours = MapEntries::new();
        let mut theirs: BTreeMap<Str, Value> = BTreeMap::new();
        // A fixed pseudo-random sequence of keys, with repeats, growing beyond SMALL_MAX.
        let mut x: u32 = 7;
        for step in 0..400 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let k = key(&format!("k{}", (x >> 8) % 90));
            match step % 5 {
                0..=2 => {
                    let a = ours.insert(k.clone(), Value::int(step));
                    let b = theirs.insert(k, Value::int(step));
                    assert_eq!(format!("{a:?}"), format!("{b:?}"));
                }
                3 => {
                    let a = ours.remove(&*k);
                    let b = theirs.remove(&*k);
                    assert_eq!(format!("{a:?}"), format!("{b:?}"));
                }
                _ => {
                    assert_eq!(
                        format!("{:?}", ours.get(&*k)),
                        format!("{:?}", theirs.get(&*k))
                    );
                    assert_eq!(ours.contains_key(&*k), theirs.contains_key(&*k));
                }
            }
            assert_eq!(ours.len(), theirs.len());
            assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        }
        assert!(matches!(ours.0, Repr::Large(_)));
        let back: Vec<_> = ours.iter().rev().map(|(k, _)| k.clone()).collect();
        let want: Vec<_> = theirs.keys().rev().cloned().collect();
        assert_eq!(back, want);
    }

    #[test]
    fn collecting_sorts_and_keeps_the_last_of_equal_keys() {
        let m: MapEntries = [
            (key("b"), Value::int(1)),
            (key("a"), Value::int(2)),
            (key("b"), Value::int(3)),
        ]
        .into();
        assert_eq!(keys(&m), ["a", "b"]);
        assert_eq!(format!("{:?}", m.get("b")), "Some(int(3))");
        let many: MapEntries = (0..50)
            .rev()
            .map(|i| (key(&format!("{i:02}")), Value::int(i)))
            .collect();
        assert_eq!(many.len(), 50);
        assert_eq!(many.first_key_value().unwrap().0.as_ref(), "00");
        assert_eq!(many.last_key_value().unwrap().0.as_ref(), "49");
    }

    #[test]
    fn retain_and_mutation_through_iterators() {
        let mut m: MapEntries = (0..5)
            .map(|i| (key(&i.to_string()), Value::int(i)))
            .collect();
        for v in m.values_mut() {
            *v = Value::int(7);
        }
        m.retain(|k, _| k.as_ref() != "2");
        assert_eq!(keys(&m), ["0", "1", "3", "4"]);
        assert!(m.values().all(|v| format!("{v:?}") == "int(7)"));
        *m.get_mut("3").unwrap() = Value::Nil;
        assert_eq!(format!("{:?}", m.into_values().nth(2)), "Some(nil)");
    }
}
