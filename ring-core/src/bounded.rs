//! Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, SODA 2018):
//! assigns persistent items (connections, sessions) to nodes so that no node carries
//! more than `ceil(c × fair share)`, moving as little as the cap allows.
//!
//! Why an index: `release` must end in the same state as a full `rebalance` (SPEC.md,
//! section 13), whose last step repeats passes over every item until none can move back
//! towards its first choice. Only a displaced item (one not on the first node of its
//! clockwise walk) can move, and only to a node with room that its walk passes before
//! its own. So each node keeps the set of displaced items that pass it; a pass asks the
//! nodes with room for their first such item after the pass's cursor, and replays
//! exactly the moves a full pass makes, without visiting the items that cannot move.
//! `assign` and `release` then cost O(k + (walk + k) × log n) for k nodes and n items
//! instead of O(n log n), and a `rebalance` after a membership change rebuilds the
//! index in one walk per item.

use alloc::{
    boxed::Box,
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
    vec::Vec,
};
use core::{fmt, ops::Bound};

use crate::{HashRing, Node, RingConfig, RingError};

/// Assigns items to the nodes of a ring under a load cap; see the module docs.
///
/// A node of weight `w` may hold `ceil(c × m × w / W)` items, where `m` is the number of
/// items (counting one being assigned) and `W` the total weight. An item goes to the
/// first node clockwise from its position that has room. Everything is deterministic:
/// the same operations on the same rings give the same assignment everywhere.
///
/// ```
/// use ringroute::{BoundedLoads, HashRing};
/// let mut ring = HashRing::new();
/// for id in ["a", "b", "c"] { ring.add(id, ())?; }
/// let mut loads = BoundedLoads::new(1.25)?;
/// for i in 0..300 {
///     loads.assign(&ring, format!("conn:{i}"));
/// }
/// assert!(["a", "b", "c"].iter().all(|id| loads.load(id) <= 125)); // ceil(1.25 × 100)
/// ring.remove("b");
/// let moved = loads.rebalance(&ring); // only b's items move
/// assert_eq!(loads.load("b"), 0);
/// # let _ = moved;
/// # Ok::<(), ringroute::RingError>(())
/// ```
#[derive(Clone)]
pub struct BoundedLoads {
    factor: f64,
    /// Each item's node and position.
    owner: BTreeMap<Key, (Id, u32)>,
    /// Each node's items, as (position, key) so eviction order is fixed. No empty sets.
    items: BTreeMap<Id, Items>,
    /// The displaced items by the nodes their walks pass, for the ring last seen; `None`
    /// until a release or rebalance needs it, and again once another ring is used.
    index: Option<Index>,
}

/// Items are shared between the owner map, their node's set and the index.
type Key = Arc<[u8]>;
type Id = Arc<str>;
/// One node's items, ordered by (position, key).
type Items = BTreeSet<(u32, Key)>;

/// For one ring membership: `waiting[x]` holds the displaced items whose clockwise walk
/// passes node `x` (in [`HashRing::iter`] order) before it reaches their own node.
#[derive(Clone)]
struct Index {
    config: RingConfig,
    /// The membership the walks were taken on: ids and weight bits, in id order.
    members: Vec<(Box<str>, u64)>,
    waiting: Vec<Items>,
}

impl Index {
    fn new<T>(ring: &HashRing<T>) -> Self {
        Self {
            config: ring.config(),
            members: ring
                .iter()
                .map(|n| (Box::from(n.id), n.weight.to_bits()))
                .collect(),
            waiting: alloc::vec![Items::new(); ring.len()],
        }
    }

    /// Whether walks on `ring` are the walks this index was built on: same config and
    /// membership. Costs one comparison per node, like the total weight every cap needs.
    fn fits<T>(&self, ring: &HashRing<T>) -> bool {
        self.config == ring.config()
            && self.members.len() == ring.len()
            && self
                .members
                .iter()
                .zip(ring.iter())
                .all(|((id, bits), n)| **id == *n.id && *bits == n.weight.to_bits())
    }
}

/// The nodes `position`'s clockwise walk meets before node `slot`.
fn passed<T>(ring: &HashRing<T>, position: u32, slot: usize) -> impl Iterator<Item = usize> + '_ {
    ring.successor_indices(position)
        .take_while(move |&s| s != slot)
}

/// Everything but the index, which is derived.
impl PartialEq for BoundedLoads {
    fn eq(&self, other: &Self) -> bool {
        self.factor == other.factor && self.owner == other.owner && self.items == other.items
    }
}

impl fmt::Debug for BoundedLoads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedLoads")
            .field("factor", &self.factor)
            .field(
                "owner",
                &self
                    .owner
                    .iter()
                    .map(|(k, (id, _))| (&**k, &**id))
                    .collect::<BTreeMap<_, _>>(),
            )
            .finish()
    }
}

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

/// The total weight, summed in id order from 0 as every cap sums it.
fn total_weight<T>(ring: &HashRing<T>) -> f64 {
    ring.iter().map(|n| n.weight).sum()
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
            index: None,
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
        self.owner.get(key.as_ref()).map(|(id, _)| &**id)
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
        let total = total_weight(ring);
        let weight = ring.node(id).map_or(0.0, |n| n.weight);
        self.cap_of(weight, items, total)
    }

    fn cap_of(&self, weight: f64, items: usize, total: f64) -> u64 {
        ceil(self.factor * items as f64 * weight / total)
    }

    /// Every node's cap while `items` are assigned, in id order.
    fn caps<T>(&self, ring: &HashRing<T>, items: usize) -> Vec<u64> {
        let total = total_weight(ring);
        ring.iter()
            .map(|n| self.cap_of(n.weight, items, total))
            .collect()
    }

    /// Assigns `key` (or returns where it already is) on `ring`; `None` only when the
    /// ring is empty. An item whose node has left the ring is reassigned.
    pub fn assign<'r, T>(
        &mut self,
        ring: &'r HashRing<T>,
        key: impl AsRef<[u8]>,
    ) -> Option<Node<'r, T>> {
        let key = key.as_ref();
        if let Some((id, _)) = self.owner.get(key) {
            if let Some(node) = ring.node(id) {
                return Some(node);
            }
        }
        self.forget_other_rings(ring);
        let key: Key = match self.owner.get_key_value(key) {
            Some((shared, _)) => {
                let shared = shared.clone();
                self.unassign(ring, &shared);
                shared
            }
            None => key.into(),
        };
        let position = ring.position(&key);
        let slot = self.place(ring, position, self.len() + 1)?;
        self.insert(ring, slot, position, key);
        ring.node_at(slot)
    }

    /// Releases `key`; returns whether it was assigned. Items over the lower cap that
    /// follows are moved on, so the cap holds after every operation: the result is that
    /// of [`rebalance`](Self::rebalance), reached without visiting every item.
    pub fn release<T>(&mut self, ring: &HashRing<T>, key: impl AsRef<[u8]>) -> bool {
        self.forget_other_rings(ring);
        let found = self.unassign(ring, key.as_ref());
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
        self.forget_other_rings(ring);
        if self.index.is_none() {
            self.build_index(ring);
        }
        // Where each item that moves started, to count those that end elsewhere.
        let mut origin: BTreeMap<Key, Id> = BTreeMap::new();
        let m = self.len();
        let mut pending: Vec<(u32, Key)> = Vec::new();
        let total = total_weight(ring);
        let ids: Vec<Id> = self.items.keys().cloned().collect();
        for id in ids {
            let cap = ring
                .node(&id)
                .map_or(0, |n| self.cap_of(n.weight, m, total));
            while self.load(&id) > cap {
                let Some((position, key)) = self.items.get(&*id).and_then(|s| s.last().cloned())
                else {
                    break;
                };
                origin.entry(key.clone()).or_insert_with(|| id.clone());
                self.unassign(ring, &key);
                pending.push((position, key));
            }
        }
        pending.sort_unstable();
        for (position, key) in pending {
            // Room exists: the caps sum to at least c × m >= m.
            let Some(slot) = self.place(ring, position, m) else {
                break;
            };
            self.insert(ring, slot, position, key);
        }
        self.pull_back(ring, &mut origin);
        origin
            .iter()
            .filter(|(key, id)| self.owner.get(*key).map(|(now, _)| now) != Some(id))
            .count()
    }

    /// Passes in position order until one moves nothing: an item moves to a node that
    /// comes before its own clockwise from its position and has room. This hands a
    /// joining node its share, and lets items pushed on by a cap return when room
    /// appears. It ends: every move brings an item strictly closer to its first choice.
    ///
    /// Each pass visits only the items that move: the next one after the cursor is the
    /// first, over the nodes with room, of the displaced items waiting on that node.
    fn pull_back<T>(&mut self, ring: &HashRing<T>, origin: &mut BTreeMap<Key, Id>) {
        let caps = self.caps(ring, self.len());
        let mut loads: Vec<u64> = ring.iter().map(|n| self.load(n.id)).collect();
        loop {
            let mut cursor: Option<(u32, Key)> = None;
            let mut moved = 0;
            while let Some((position, key)) = self.next_movable(&caps, &loads, cursor.as_ref()) {
                let Some((id, _)) = self.owner.get(&key) else {
                    break;
                };
                let id = id.clone();
                let Some(from) = ring.index_of(&id) else {
                    break;
                };
                // The index says a node before `from` has room.
                let Some(to) = passed(ring, position, from).find(|&s| loads[s] < caps[s]) else {
                    break;
                };
                origin.entry(key.clone()).or_insert(id);
                self.unassign(ring, &key);
                self.insert(ring, to, position, key.clone());
                loads[from] -= 1;
                loads[to] += 1;
                moved += 1;
                cursor = Some((position, key));
            }
            if moved == 0 {
                break;
            }
        }
    }

    /// The first displaced item after `cursor`, in (position, key) order, whose walk
    /// passes a node with room before its own.
    fn next_movable(
        &self,
        caps: &[u64],
        loads: &[u64],
        cursor: Option<&(u32, Key)>,
    ) -> Option<(u32, Key)> {
        let index = self.index.as_ref()?;
        let after = cursor.map_or(Bound::Unbounded, Bound::Excluded);
        index
            .waiting
            .iter()
            .enumerate()
            .filter(|&(x, _)| loads[x] < caps[x])
            .filter_map(|(_, waiting)| waiting.range((after, Bound::Unbounded)).next())
            .min()
            .cloned()
    }

    /// The first node clockwise from `position` with room under the cap for `items`
    /// items; the least loaded node if rounding ever left none (it cannot in exact
    /// arithmetic), so this never fails on a non-empty ring.
    fn place<T>(&self, ring: &HashRing<T>, position: u32, items: usize) -> Option<usize> {
        let total = total_weight(ring);
        let mut least: Option<(u64, usize)> = None;
        for slot in ring.successor_indices(position) {
            let node = ring.node_at(slot)?;
            let load = self.load(node.id);
            if load < self.cap_of(node.weight, items, total) {
                return Some(slot);
            }
            if least.is_none_or(|(l, _)| load < l) {
                least = Some((load, slot));
            }
        }
        least.map(|(_, slot)| slot)
    }

    /// Drops the index if `ring` is not the membership it was built on.
    fn forget_other_rings<T>(&mut self, ring: &HashRing<T>) {
        if self.index.as_ref().is_some_and(|index| !index.fits(ring)) {
            self.index = None;
        }
    }

    /// Indexes every item on a node of `ring` by the nodes its walk passes.
    fn build_index<T>(&mut self, ring: &HashRing<T>) {
        let mut index = Index::new(ring);
        for (id, set) in &self.items {
            let Some(slot) = ring.index_of(id) else {
                continue;
            };
            for (position, key) in set {
                for x in passed(ring, *position, slot) {
                    index.waiting[x].insert((*position, key.clone()));
                }
            }
        }
        self.index = Some(index);
    }

    /// Puts `key` at position `position` on node `slot` of `ring`.
    fn insert<T>(&mut self, ring: &HashRing<T>, slot: usize, position: u32, key: Key) {
        let Some(node) = ring.node_at(slot) else {
            return;
        };
        let id: Id = match self.items.get_key_value(node.id) {
            Some((id, _)) => id.clone(),
            None => node.id.into(),
        };
        if let Some(index) = &mut self.index {
            for x in passed(ring, position, slot) {
                index.waiting[x].insert((position, key.clone()));
            }
        }
        self.owner.insert(key.clone(), (id.clone(), position));
        self.items.entry(id).or_default().insert((position, key));
    }

    /// Takes `key` off its node; whether it was assigned. The index, if any, is `ring`'s.
    fn unassign<T>(&mut self, ring: &HashRing<T>, key: &[u8]) -> bool {
        let Some((shared, (id, position))) = self.owner.remove_entry(key) else {
            return false;
        };
        if let Some(set) = self.items.get_mut(&id) {
            set.remove(&(position, shared.clone()));
            if set.is_empty() {
                self.items.remove(&id);
            }
        }
        if let (Some(index), Some(slot)) = (&mut self.index, ring.index_of(&id)) {
            for x in passed(ring, position, slot) {
                index.waiting[x].remove(&(position, shared.clone()));
            }
        }
        true
    }
}
