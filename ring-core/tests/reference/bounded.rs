//! The bounded-load assignment as first written (ring-core before the indexed
//! version): a full rebalance on every release. The property tests run it beside
//! `ringroute::BoundedLoads` and require the same owners and return values after every
//! operation. Kept verbatim apart from imports.
#![allow(dead_code)]

use std::{
    boxed::Box,
    collections::{BTreeMap, BTreeSet},
    vec::Vec,
};

use ringroute::{HashRing, Node, RingError};

/// Assigns items to the nodes of a ring under a load cap; see the module docs.
///
/// A node of weight `w` may hold `ceil(c × m × w / W)` items, where `m` is the number of
/// items (counting one being assigned) and `W` the total weight. An item goes to the
/// first node clockwise from its position that has room. Everything is deterministic:
/// the same operations on the same rings give the same assignment everywhere.
///
#[derive(Debug, Clone, PartialEq)]
pub struct BoundedLoads {
    factor: f64,
    /// Each item's node.
    owner: BTreeMap<Box<[u8]>, Box<str>>,
    /// Each node's items, as (position, key) so eviction order is fixed.
    items: BTreeMap<Box<str>, Items>,
}

/// One node's items, ordered by (position, key).
type Items = BTreeSet<(u32, Box<[u8]>)>;

/// `ceil(x)` for a double, without std's float functions, saturating: 0 for NaN and
/// anything not above 0, `u64::MAX` from 2^64 on (a factor such as `f64::MAX` makes
/// every cap infinite, and a cap of "no limit" must not wrap to 0).
fn ceil(x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    if x >= 18_446_744_073_709_551_616.0 {
        return u64::MAX;
    }
    let t = x as u64;
    // x < 2^64, so t <= 2^64 - 2^11 and t + 1 cannot overflow.
    if (t as f64) < x {
        t + 1
    } else {
        t
    }
}

impl BoundedLoads {
    /// An empty assigner with balance factor `c`.
    ///
    /// # Errors
    /// [`RingError::InvalidBalanceFactor`] unless `c` is finite and at least 1.
    pub fn new(c: f64) -> Result<Self, RingError> {
        if !(c.is_finite() && c >= 1.0) {
            return Err(RingError::InvalidBalanceFactor);
        }
        Ok(Self {
            factor: c,
            owner: BTreeMap::new(),
            items: BTreeMap::new(),
        })
    }

    /// The balance factor `c`.
    #[must_use]
    pub const fn factor(&self) -> f64 {
        self.factor
    }

    /// How many items are assigned.
    #[must_use]
    pub fn len(&self) -> usize {
        self.owner.len()
    }

    /// Whether no item is assigned.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.owner.is_empty()
    }

    /// How many items node `id` holds.
    #[must_use]
    pub fn load(&self, id: &str) -> u64 {
        self.items.get(id).map_or(0, |s| s.len() as u64)
    }

    /// The node holding `key`, if assigned.
    #[must_use]
    pub fn owner(&self, key: impl AsRef<[u8]>) -> Option<&str> {
        self.owner.get(key.as_ref()).map(|id| &**id)
    }

    /// The most items node `id` may hold while `items` are assigned on `ring`.
    ///
    /// # Errors
    /// [`RingError::UnknownId`] if no node with this id is on the ring.
    pub fn try_cap<T>(&self, ring: &HashRing<T>, id: &str, items: usize) -> Result<u64, RingError> {
        if !ring.contains(id) {
            return Err(RingError::UnknownId);
        }
        Ok(self.cap(ring, id, items))
    }

    /// The most items `node` may hold while `items` are assigned on `ring`; 0 for a node
    /// that is not on the ring (see [`try_cap`](Self::try_cap)).
    #[must_use]
    pub fn cap<T>(&self, ring: &HashRing<T>, id: &str, items: usize) -> u64 {
        let total: f64 = ring.iter().map(|n| n.weight).sum();
        let weight = ring.node(id).map_or(0.0, |n| n.weight);
        ceil(self.factor * items as f64 * weight / total)
    }

    /// Assigns `key` (or returns where it already is) on `ring`; `None` only when the
    /// ring is empty. An item whose node has left the ring is reassigned.
    pub fn assign<'r, T>(
        &mut self,
        ring: &'r HashRing<T>,
        key: impl AsRef<[u8]>,
    ) -> Option<Node<'r, T>> {
        let key = key.as_ref();
        if let Some(id) = self.owner.get(key) {
            if let Some(node) = ring.node(id) {
                return Some(node);
            }
            self.unassign(key);
        }
        let position = ring.position(key);
        let node = self.place(ring, position, self.len() + 1)?;
        self.insert(node.id, position, key.into());
        Some(node)
    }

    /// Releases `key`; returns whether it was assigned. Items over the lower cap that
    /// follows are moved on, so the cap holds after every operation.
    pub fn release<T>(&mut self, ring: &HashRing<T>, key: impl AsRef<[u8]>) -> bool {
        let found = self.unassign(key.as_ref());
        if found {
            self.rebalance(ring);
        }
        found
    }

    /// Brings the assignment in line with `ring` after nodes joined, left or changed
    /// weight. Items of departed nodes, and the items (highest positions first) that put
    /// a node over its cap, are placed again in position order; then, in position order,
    /// each item moves to the first node clockwise from it with room if that comes before
    /// its own. Returns how many items changed node.
    pub fn rebalance<T>(&mut self, ring: &HashRing<T>) -> usize {
        let before = self.owner.clone();
        let m = self.len();
        let mut pending: Vec<(u32, Box<[u8]>)> = Vec::new();
        let ids: Vec<Box<str>> = self.items.keys().cloned().collect();
        for id in ids {
            let cap = if ring.contains(&id) {
                self.cap(ring, &id, m)
            } else {
                0
            };
            let Some(set) = self.items.get_mut(&id) else {
                continue;
            };
            while set.len() as u64 > cap {
                let Some((pos, key)) = set.pop_last() else {
                    break;
                };
                self.owner.remove(&key);
                pending.push((pos, key));
            }
            if set.is_empty() {
                self.items.remove(&id);
            }
        }
        pending.sort_unstable();
        for (position, key) in pending {
            // Room exists: the caps sum to at least c × m >= m.
            let Some(node) = self.place(ring, position, m) else {
                break;
            };
            self.insert(node.id, position, key);
        }
        self.pull_back(ring);
        before
            .iter()
            .filter(|(key, id)| self.owner.get(*key) != Some(id))
            .count()
    }

    /// Passes in position order until one moves nothing: an item moves to a node that
    /// comes before its own clockwise from its position and has room. This hands a
    /// joining node its share, and lets items pushed on by a cap return when room
    /// appears. It ends: every move brings an item strictly closer to its first choice.
    fn pull_back<T>(&mut self, ring: &HashRing<T>) {
        while self.pull_back_pass(ring) > 0 {}
    }

    fn pull_back_pass<T>(&mut self, ring: &HashRing<T>) -> usize {
        let m = self.len();
        let total: f64 = ring.iter().map(|n| n.weight).sum();
        let mut all: Vec<(u32, Box<[u8]>, Box<str>)> = Vec::with_capacity(m);
        for (id, set) in &self.items {
            all.extend(set.iter().map(|(p, k)| (*p, k.clone(), id.clone())));
        }
        all.sort_unstable();
        let mut moved = 0;
        for (position, key, current) in all {
            for node in ring.successors(position) {
                if *node.id == *current {
                    break;
                }
                if self.load(node.id) < ceil(self.factor * m as f64 * node.weight / total) {
                    self.unassign(&key);
                    self.insert(node.id, position, key);
                    moved += 1;
                    break;
                }
            }
        }
        moved
    }

    /// The first node clockwise from `position` with room under the cap for `items`
    /// items; the least loaded node if rounding ever left none (it cannot in exact
    /// arithmetic), so this never fails on a non-empty ring.
    fn place<'r, T>(
        &self,
        ring: &'r HashRing<T>,
        position: u32,
        items: usize,
    ) -> Option<Node<'r, T>> {
        let total: f64 = ring.iter().map(|n| n.weight).sum();
        let mut least: Option<(u64, Node<'r, T>)> = None;
        for node in ring.successors(position) {
            let load = self.load(node.id);
            if load < ceil(self.factor * items as f64 * node.weight / total) {
                return Some(node);
            }
            if least.as_ref().is_none_or(|(l, _)| load < *l) {
                least = Some((load, node));
            }
        }
        least.map(|(_, node)| node)
    }

    fn insert(&mut self, id: &str, position: u32, key: Box<[u8]>) {
        self.owner.insert(key.clone(), id.into());
        self.items
            .entry(id.into())
            .or_default()
            .insert((position, key));
    }

    fn unassign(&mut self, key: &[u8]) -> bool {
        let Some(id) = self.owner.remove(key) else {
            return false;
        };
        if let Some(set) = self.items.get_mut(&id) {
            set.retain(|(_, k)| **k != *key);
            if set.is_empty() {
                self.items.remove(&id);
            }
        }
        true
    }
}
