//! The baseline: `hash(key) % n` over the membership in id order.
//!
//! It balances well and is as fast as hashing gets, but when n changes almost every key
//! moves. The demo and the benchmarks set it beside the ring to show what a ring saves.

use alloc::{boxed::Box, vec::Vec};

use crate::{hash::murmur3_32, HashRing};

/// Routes a key to `ids[murmur3(key, seed) % ids.len()]`, with `ids` sorted byte-wise.
/// Weights are ignored: modulo hashing has no notion of them.
///
/// ```
/// use ringroute::{HashRing, ModuloRouter};
///
/// let mut ring = HashRing::new();
/// for id in ["a", "b", "c"] {
///     ring.add(id, ())?;
/// }
/// let before = ModuloRouter::from_ring(&ring);
/// ring.add("d", ())?;
/// let after = ModuloRouter::from_ring(&ring);
/// let moved = (0..1000)
///     .filter(|i| before.get(format!("user:{i}")) != after.get(format!("user:{i}")))
///     .count();
/// assert!(moved > 600); // about 3/4 of keys move from 3 to 4 nodes
/// # Ok::<(), ringroute::RingError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuloRouter {
    ids: Vec<Box<str>>,
    seed: u32,
}

impl ModuloRouter {
    /// A router over `ids` (sorted and deduplicated here) hashing keys under `seed`.
    pub fn new<'a>(ids: impl IntoIterator<Item = &'a str>, seed: u32) -> Self {
        let mut ids: Vec<Box<str>> = ids.into_iter().map(Box::from).collect();
        ids.sort_unstable();
        ids.dedup();
        Self { ids, seed }
    }

    /// A router over the ring's membership and seed.
    pub fn from_ring<T>(ring: &HashRing<T>) -> Self {
        Self {
            ids: ring.iter().map(|n| Box::from(n.id)).collect(),
            seed: ring.config().seed(),
        }
    }

    /// The id owning `key`; `None` when there are no ids.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<&str> {
        self.get_index(key).map(|i| &*self.ids[i])
    }

    /// The index (in sorted id order) of the id owning `key`.
    pub fn get_index(&self, key: impl AsRef<[u8]>) -> Option<usize> {
        let n = self.ids.len() as u64;
        if n == 0 {
            return None;
        }
        Some((u64::from(murmur3_32(key.as_ref(), self.seed)) % n) as usize)
    }

    /// How many ids the router spreads keys over.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the router has no ids.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}
