//! A fast hasher for maps keyed by short names (template names, function names): rustc's FxHash.
//!
//! std's default SipHash resists hash flooding, which costs more than the lookups themselves on these
//! small keys (it showed up at 1–2 % of a `rudder template` run). The keys here come from the chart
//! being rendered, whose author could only slow their own render down.
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// `HashMap` with [`FxHasher`].
pub type FastHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// rustc's FxHash: a multiply-rotate over 8-byte words.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.add(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_finds_what_it_holds() {
        let mut map: FastHashMap<String, usize> = FastHashMap::default();
        for i in 0..1000 {
            map.insert(format!("chart/templates/t{i}.yaml"), i);
        }
        for i in 0..1000 {
            assert_eq!(map.get(&format!("chart/templates/t{i}.yaml")), Some(&i));
        }
        assert_eq!(map.get("chart/templates/t1000.yaml"), None);
    }

    #[test]
    fn length_is_part_of_the_hash() {
        let hash = |s: &str| {
            let mut h = FxHasher::default();
            std::hash::Hash::hash(s, &mut h);
            h.finish()
        };
        // The last word is zero-padded: the length keeps `a` and `a\0` apart.
        assert_ne!(hash("a"), hash("a\0"));
        assert_ne!(hash(""), hash("\0"));
    }
}
