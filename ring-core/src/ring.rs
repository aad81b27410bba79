//! `HashRing<T>`: membership, points, lookup and the clockwise successor walk.

use alloc::{boxed::Box, vec::Vec};
use core::fmt;

use crate::{
    admission::{admit, points_fit, Culprit, Existing, Refusal},
    hash::murmur3_32,
    table::{Point, PointTable},
    RingConfig, RingError,
};

/// The longest accepted node id, in bytes of UTF-8.
pub const MAX_ID_BYTES: usize = 4096;
/// The most virtual nodes one node may have (see [`vnode_count`]).
pub const MAX_NODE_POINTS: u32 = 1 << 20;
/// The most points one ring may hold (about 117 MB of points and index).
pub const MAX_POINTS: usize = 1 << 24;
/// The most nodes one ring may hold: points name their owner in 16 bits.
pub const MAX_NODES: usize = 1 << 16;

/// How many virtual nodes a node of `weight` gets under `vnodes` per unit of weight:
/// `floor(weight × vnodes + 0.5)` in IEEE-754 double arithmetic, and at least 1.
///
/// # Errors
/// [`RingError::InvalidWeight`] for a weight that is not finite and positive, and
/// [`RingError::WeightTooLarge`] when the count would pass [`MAX_NODE_POINTS`].
///
/// ```
/// use ringroute::vnode_count;
/// assert_eq!(vnode_count(1.0, 160), Ok(160));
/// assert_eq!(vnode_count(0.5, 3), Ok(2)); // 1.5 rounds half up
/// assert_eq!(vnode_count(1e-9, 160), Ok(1)); // a live node always has a point
/// assert!(vnode_count(0.0, 160).is_err());
/// ```
pub fn vnode_count(weight: f64, vnodes: u32) -> Result<u32, RingError> {
    if !(weight.is_finite() && weight > 0.0) {
        return Err(RingError::InvalidWeight);
    }
    let rounded = weight * f64::from(vnodes) + 0.5;
    if rounded >= f64::from(MAX_NODE_POINTS) + 1.0 {
        return Err(RingError::WeightTooLarge);
    }
    // `as` truncates toward zero, which is floor for this non-negative, bounded value.
    Ok((rounded as u32).max(1))
}

struct Entry<T> {
    id: Box<str>,
    weight: f64,
    points: u32,
    data: T,
}

/// A node as the ring reports it: its id, weight and payload.
pub struct Node<'a, T> {
    /// The node's id.
    pub id: &'a str,
    /// The node's weight.
    pub weight: f64,
    /// The caller's payload: an address, a connection handle, ...
    pub data: &'a T,
}

impl<T> Clone for Node<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Node<'_, T> {}

impl<T: fmt::Debug> fmt::Debug for Node<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("id", &self.id)
            .field("weight", &self.weight)
            .field("data", self.data)
            .finish()
    }
}

impl<'a, T> Node<'a, T> {
    fn of(entry: &'a Entry<T>) -> Self {
        Self {
            id: &entry.id,
            weight: entry.weight,
            data: &entry.data,
        }
    }
}

/// A consistent-hash ring of nodes carrying payloads of type `T`.
///
/// Each node is hashed to [`vnode_count`] points on a circle of 2^32 positions; a key
/// belongs to the first point at or clockwise after its own position. The ring depends
/// only on its config and its membership (ids and weights), never on insertion order.
///
/// ```
/// use ringroute::HashRing;
///
/// let mut ring = HashRing::new();
/// ring.add("ws-server-0", "10.0.0.5:8080")?;
/// ring.add("ws-server-1", "10.0.0.6:8080")?;
/// ring.add_weighted("ws-server-2", 2.0, "10.0.0.7:8080")?;
///
/// let owner = ring.get("user:42").expect("the ring is not empty");
/// println!("user:42 lives on {} at {}", owner.id, owner.data);
///
/// // The replica list starts with the owner and names distinct nodes.
/// let replicas = ring.get_n("user:42", 2);
/// assert_eq!(replicas[0].id, owner.id);
/// assert_ne!(replicas[0].id, replicas[1].id);
///
/// assert_eq!(ring.remove("ws-server-1"), Some("10.0.0.6:8080"));
/// assert!(ring.add("ws-server-0", "again").is_err()); // duplicate id: ring unchanged
/// assert_eq!(ring.len(), 2);
/// # Ok::<(), ringroute::RingError>(())
/// ```
pub struct HashRing<T> {
    config: RingConfig,
    /// Sorted by id, so a node's slot is its rank in id order.
    nodes: Vec<Entry<T>>,
    /// The points, by ascending position; equal positions are ordered by owner slot (=
    /// id order).
    table: PointTable,
    /// Bumped by every change; see [`version`](HashRing::version).
    version: u64,
}

impl<T> Default for HashRing<T> {
    fn default() -> Self {
        Self::with_config(RingConfig::default())
    }
}

impl<T: Clone> Clone for HashRing<T> {
    fn clone(&self) -> Self {
        Self {
            config: self.config,
            nodes: self
                .nodes
                .iter()
                .map(|e| Entry {
                    id: e.id.clone(),
                    weight: e.weight,
                    points: e.points,
                    data: e.data.clone(),
                })
                .collect(),
            table: self.table.clone(),
            version: self.version,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for HashRing<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HashRing")
            .field("config", &self.config)
            .field("nodes", &self.iter().collect::<Vec<_>>())
            .field("points", &self.table.len())
            .finish()
    }
}

impl<T> HashRing<T> {
    /// An empty ring with the default config.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty ring with `config`.
    #[must_use]
    pub const fn with_config(config: RingConfig) -> Self {
        Self {
            config,
            nodes: Vec::new(),
            table: PointTable::new(),
            version: 0,
        }
    }

    /// A ring holding `nodes` as `(id, weight, data)`, built with a single sort.
    ///
    /// # Errors
    /// As [`HashRing::add_all`].
    pub fn from_nodes<'s, I>(config: RingConfig, nodes: I) -> Result<Self, RingError>
    where
        I: IntoIterator<Item = (&'s str, f64, T)>,
    {
        let mut ring = Self::with_config(config);
        ring.add_all(nodes)?;
        Ok(ring)
    }

    /// The ring's config.
    #[must_use]
    pub const fn config(&self) -> RingConfig {
        self.config
    }

    /// The membership version: a counter that every successful change of this ring
    /// increases (an add, [`remove`](Self::remove), [`set_weight`](Self::set_weight),
    /// [`add_all`](Self::add_all) that adds something, and [`data_mut`](Self::data_mut),
    /// since the payload may change). A refused call leaves it unchanged. A new ring starts
    /// at 0 and a clone keeps its original's version.
    ///
    /// Caches of anything derived from the ring (ids by index, payloads, shares) are valid
    /// while the version they were filled at is the current one. Compare versions of the
    /// same ring only: two rings can share a version and differ.
    ///
    /// ```
    /// use ringroute::HashRing;
    /// let mut ring = HashRing::new();
    /// let v0 = ring.version();
    /// ring.add("a", ())?;
    /// assert!(ring.version() > v0);
    /// let v1 = ring.version();
    /// assert!(ring.add("a", ()).is_err()); // refused: no change
    /// assert_eq!(ring.version(), v1);
    /// # Ok::<(), ringroute::RingError>(())
    /// ```
    #[must_use]
    pub const fn version(&self) -> u64 {
        self.version
    }

    fn bump(&mut self) {
        // One per change: 2^64 changes are out of reach, but wrapping would not panic.
        self.version = self.version.wrapping_add(1);
    }

    /// Adds a node of weight 1.
    ///
    /// # Errors
    /// [`RingError::EmptyId`], [`RingError::IdTooLong`], [`RingError::DuplicateId`],
    /// [`RingError::TooManyNodes`], [`RingError::TooManyPoints`] or
    /// [`RingError::ShadowedNode`]; the ring is then unchanged.
    pub fn add(&mut self, id: &str, data: T) -> Result<(), RingError> {
        self.add_weighted(id, 1.0, data)
    }

    /// Adds a node whose share of the ring is proportional to `weight`.
    ///
    /// # Errors
    /// As [`HashRing::add`], plus [`RingError::InvalidWeight`] and [`RingError::WeightTooLarge`].
    pub fn add_weighted(&mut self, id: &str, weight: f64, data: T) -> Result<(), RingError> {
        self.add_all([(id, weight, data)])
    }

    /// Adds several `(id, weight, data)` nodes at once: one merge instead of one per node.
    /// Either all are added or, on error, none.
    ///
    /// Every rule is checked before any point is hashed, and at most one node past
    /// [`MAX_NODES`] is read from `nodes`. When several rules are broken, the error is the
    /// first of: [`RingError::TooManyNodes`]; the first node, in input order, with an
    /// empty, too long or duplicate id or an invalid or too large weight (in that order);
    /// [`RingError::TooManyPoints`]; [`RingError::ShadowedNode`].
    ///
    /// # Errors
    /// As [`HashRing::add_weighted`], for the first offending node.
    pub fn add_all<'s, I>(&mut self, nodes: I) -> Result<(), RingError>
    where
        I: IntoIterator<Item = (&'s str, f64, T)>,
    {
        self.admit_all(nodes).map_err(RingError::from)
    }

    /// As [`add_all`](Self::add_all), saying which input the refusal is about.
    pub(crate) fn admit_all<'s, I>(&mut self, nodes: I) -> Result<(), Refusal>
    where
        I: IntoIterator<Item = (&'s str, f64, T)>,
    {
        // One node past the limit is enough to refuse; the rest is never read or stored.
        let room = MAX_NODES.saturating_sub(self.nodes.len());
        let incoming: Vec<(&'s str, f64, T)> = nodes.into_iter().take(room + 1).collect();
        let counts = admit(
            &Existing {
                vnodes: self.config.vnodes(),
                nodes: self.nodes.len(),
                points: self.table.len(),
                contains: &|id| self.slot(id).is_some(),
            },
            incoming.len(),
            |i| (incoming[i].0, incoming[i].1),
        )?;
        if incoming.is_empty() {
            return Ok(());
        }
        let mut new: Vec<(usize, Entry<T>)> = incoming
            .into_iter()
            .zip(counts)
            .enumerate()
            .map(|(i, ((id, weight, data), points))| {
                (
                    i,
                    Entry {
                        id: id.into(),
                        weight,
                        points,
                        data,
                    },
                )
            })
            .collect();
        new.sort_unstable_by(|a, b| a.1.id.cmp(&b.1.id));
        self.insert_checked(new).map_err(|(refusal, _)| refusal)?;
        self.bump();
        Ok(())
    }

    /// Removes a node and returns its payload, or `None` if no node has this id.
    pub fn remove(&mut self, id: &str) -> Option<T> {
        let slot = self.slot(id)?;
        let entry = self.remove_slot(slot);
        self.bump();
        Some(entry.data)
    }

    /// Changes a node's weight, keeping its payload.
    ///
    /// # Errors
    /// [`RingError::UnknownId`], [`RingError::InvalidWeight`], [`RingError::WeightTooLarge`],
    /// [`RingError::TooManyPoints`] or [`RingError::ShadowedNode`] (in that order of
    /// precedence); the ring is then unchanged.
    pub fn set_weight(&mut self, id: &str, weight: f64) -> Result<(), RingError> {
        let slot = self.slot(id).ok_or(RingError::UnknownId)?;
        let points = vnode_count(weight, self.config.vnodes())?;
        if !points_fit(self.table.len(), self.nodes[slot].points, points) {
            return Err(RingError::TooManyPoints);
        }
        let mut entry = self.remove_slot(slot);
        let old = (entry.weight, entry.points);
        (entry.weight, entry.points) = (weight, points);
        match self.insert_checked(Vec::from([(0, entry)])) {
            Ok(()) => {
                self.bump();
                Ok(())
            }
            Err((refusal, mut back)) => {
                // The old membership was a valid ring, so putting it back cannot fail.
                let (_, mut entry) = back.remove(0);
                (entry.weight, entry.points) = old;
                let restored = self.insert_checked(Vec::from([(0, entry)]));
                debug_assert!(restored.is_ok());
                Err(refusal.error)
            }
        }
    }

    /// Whether a node with this id is on the ring.
    #[must_use]
    pub fn contains(&self, id: &str) -> bool {
        self.slot(id).is_some()
    }

    /// The node with this id.
    #[must_use]
    pub fn node(&self, id: &str) -> Option<Node<'_, T>> {
        self.slot(id).map(|s| Node::of(&self.nodes[s]))
    }

    /// The payload of the node with this id, for changing in place.
    pub fn data_mut(&mut self, id: &str) -> Option<&mut T> {
        let slot = self.slot(id)?;
        // The payload may change: caches of it must see a new version.
        self.bump();
        Some(&mut self.nodes[slot].data)
    }

    /// How many nodes are on the ring.
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the ring has no nodes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// How many points (virtual nodes) the ring holds.
    #[must_use]
    pub fn point_count(&self) -> usize {
        self.table.len()
    }

    /// The nodes in id order (byte-wise on UTF-8): the same order on every platform.
    #[must_use]
    pub fn iter(&self) -> Iter<'_, T> {
        Iter(self.nodes.iter())
    }

    /// The node at `index` in [`iter`](Self::iter) order.
    #[must_use]
    pub fn node_at(&self, index: usize) -> Option<Node<'_, T>> {
        self.nodes.get(index).map(Node::of)
    }

    /// The points in ring order as `(position, node index)`; see [`node_at`](Self::node_at).
    pub fn points(&self) -> impl ExactSizeIterator<Item = (u32, usize)> + '_ {
        self.table
            .as_slice()
            .iter()
            .map(|p| (p.position, usize::from(p.owner)))
    }

    /// The key's position on the ring: MurmurHash3 x86_32 of its bytes under the seed.
    /// Store keys by position to sweep or migrate them by arc.
    #[must_use]
    pub fn position(&self, key: impl AsRef<[u8]>) -> u32 {
        murmur3_32(key.as_ref(), self.config.seed())
    }

    /// The node owning `key`; `None` only when the ring is empty.
    #[must_use]
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<Node<'_, T>> {
        self.get_at(self.position(key))
    }

    /// The node owning ring position `position`: the first point at or clockwise after it.
    #[must_use]
    pub fn get_at(&self, position: u32) -> Option<Node<'_, T>> {
        self.index_at(position).map(|i| Node::of(&self.nodes[i]))
    }

    /// The [`iter`](Self::iter)-order index of the node owning `key`: lets a caller keep
    /// per-node state (a cached string, a connection) in a plain array.
    #[must_use]
    pub fn get_index(&self, key: impl AsRef<[u8]>) -> Option<usize> {
        self.index_at(self.position(key))
    }

    /// The node index owning position `position`.
    #[must_use]
    pub fn index_at(&self, position: u32) -> Option<usize> {
        self.table.owner_of(position).map(usize::from)
    }

    /// Up to `n` distinct nodes met walking clockwise from `key`: its replica or
    /// preference list. The first is [`get`](Self::get); fewer come back only when the
    /// ring has fewer than `n` nodes.
    #[must_use]
    pub fn get_n(&self, key: impl AsRef<[u8]>, n: usize) -> Vec<Node<'_, T>> {
        self.successors(self.position(key)).take(n).collect()
    }

    /// Every node, each once, in the order met walking clockwise from `position`.
    #[must_use]
    pub fn successors(&self, position: u32) -> Successors<'_, T> {
        Successors(self.successor_indices(position))
    }

    /// As [`successors`](Self::successors), yielding [`iter`](Self::iter)-order indices.
    #[must_use]
    pub fn successor_indices(&self, position: u32) -> SuccessorIndices<'_, T> {
        SuccessorIndices {
            ring: self,
            next: self.table.first_at(position).unwrap_or(0),
            steps_left: self.table.len(),
            unseen: self.nodes.len(),
            seen: alloc::vec![0u64; self.nodes.len().div_ceil(64)],
        }
    }

    /// The [`iter`](Self::iter)-order index of the node with this id.
    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.slot(id)
    }

    fn slot(&self, id: &str) -> Option<usize> {
        self.nodes.binary_search_by(|e| (*e.id).cmp(id)).ok()
    }

    /// Inserts nodes that [`admit`] accepted, tagged with their input index and sorted
    /// by id: merges their sorted points into the ring's, never re-sorting it. Refuses
    /// with [`RingError::ShadowedNode`], leaving the ring as it was and handing the nodes
    /// back, if afterwards some node would own no position.
    #[allow(clippy::type_complexity)]
    fn insert_checked(
        &mut self,
        new: Vec<(usize, Entry<T>)>,
    ) -> Result<(), (Refusal, Vec<(usize, Entry<T>)>)> {
        // Where each old node and each new node lands in the merged id order.
        let total_nodes = self.nodes.len() + new.len();
        let mut old_to_new = Vec::with_capacity(self.nodes.len());
        let mut new_slots = Vec::with_capacity(new.len());
        let (mut o, mut n) = (0, 0);
        while o < self.nodes.len() || n < new.len() {
            // MAX_NODES = 2^16 bounds the slots.
            let slot = (o + n) as u16;
            if n == new.len() || (o < self.nodes.len() && self.nodes[o].id < new[n].1.id) {
                old_to_new.push(slot);
                o += 1;
            } else {
                new_slots.push(slot);
                n += 1;
            }
        }

        // The new nodes' points, as (position << 16 | slot) so one sort orders both.
        let mut fresh = Vec::new();
        let mut label = Vec::new();
        for ((_, entry), &slot) in new.iter().zip(&new_slots) {
            label.clear();
            label.extend_from_slice(entry.id.as_bytes());
            let id_len = label.len();
            label.extend_from_slice(&[0; 4]);
            for vnode in 0..entry.points {
                label[id_len..].copy_from_slice(&vnode.to_le_bytes());
                let pos = murmur3_32(&label, self.config.seed());
                fresh.push(u64::from(pos) << 16 | u64::from(slot));
            }
        }
        sort_by_position(&mut fresh);

        let total = self.table.len() + fresh.len();
        let mut points = PointTable::buffer(total);
        let mut old = self
            .table
            .as_slice()
            .iter()
            .map(|p| u64::from(p.position) << 16 | u64::from(old_to_new[usize::from(p.owner)]))
            .peekable();
        let mut add = fresh.iter().copied().peekable();
        loop {
            let next = match (old.peek(), add.peek()) {
                (Some(&o), Some(&n)) if n < o => add.next(),
                (Some(_), _) => old.next(),
                (None, Some(_)) => add.next(),
                (None, None) => break,
            };
            if let Some(key) = next {
                points.push(Point {
                    position: (key >> 16) as u32,
                    owner: key as u16,
                });
            }
        }

        if let Some(slot) = first_shadowed(&points, total_nodes) {
            let culprit = new_slots
                .iter()
                .position(|&s| s == slot)
                .map_or(Culprit::Members, |k| Culprit::Id(new[k].0));
            let refusal = Refusal {
                culprit,
                error: RingError::ShadowedNode,
            };
            return Err((refusal, new));
        }

        // Commit: merge the entries in the slot order worked out above.
        let old_nodes = core::mem::take(&mut self.nodes);
        self.nodes.reserve_exact(total_nodes);
        let mut old_iter = old_nodes.into_iter().peekable();
        let mut new_iter = new.into_iter().map(|(_, e)| e).peekable();
        loop {
            let take_old = match (old_iter.peek(), new_iter.peek()) {
                (Some(o), Some(n)) => o.id < n.id,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_old {
                old_iter.next()
            } else {
                new_iter.next()
            };
            self.nodes.extend(next);
        }
        self.table = PointTable::from_sorted(points);
        Ok(())
    }

    fn remove_slot(&mut self, slot: usize) -> Entry<T> {
        let entry = self.nodes.remove(slot);
        let slot = slot as u16;
        let mut points = core::mem::replace(&mut self.table, PointTable::new()).into_points();
        points.retain_mut(|p| {
            let owner = p.owner;
            p.owner = owner - u16::from(owner > slot);
            owner != slot
        });
        self.table = PointTable::from_sorted(points);
        self.table.shrink_if_sparse();
        entry
    }

    /// Heap bytes the ring's routing tables use: points (position and owner) and index
    /// (not ids or payloads).
    #[must_use]
    pub fn table_bytes(&self) -> usize {
        self.table.bytes()
    }

    /// The position of point `i` (in ring order).
    pub(crate) fn position_at(&self, i: usize) -> Option<u32> {
        self.table.as_slice().get(i).map(|p| p.position)
    }

    /// The owner slot of point `i`.
    pub(crate) fn owner_at(&self, i: usize) -> u16 {
        self.table.as_slice()[i].owner
    }

    pub(crate) fn weights(&self) -> impl Iterator<Item = (&str, f64, u32)> + '_ {
        self.nodes.iter().map(|e| (&*e.id, e.weight, e.points))
    }
}

/// The first node slot, in rank order, that owns no position: each of its points comes
/// after a point of a lower-ranked node at the same position (SPEC.md, section 5). The
/// first point always owns something, as it also owns the wrap past the last one.
fn first_shadowed(points: &[Point], nodes: usize) -> Option<u16> {
    let mut owns = alloc::vec![false; nodes];
    let mut previous = None;
    for p in points {
        let position = p.position;
        if previous != Some(position) {
            owns[usize::from(p.owner)] = true;
        }
        previous = Some(position);
    }
    // At most MAX_NODES = 2^16 slots.
    owns.iter().position(|o| !o).map(|s| s as u16)
}

/// Sorts `(position << 16 | slot)` keys by position with a stable LSD radix sort, one
/// byte a pass. Keys arrive in slot order, so stability leaves ties ordered by slot.
/// Four linear passes beat a comparison sort by about 4x at 100,000 points; below a few
/// hundred keys a comparison sort would be quicker, but by microseconds, and it would
/// cost the wasm module a second copy of quicksort.
fn sort_by_position(keys: &mut Vec<u64>) {
    let mut buf = alloc::vec![0u64; keys.len()];
    for shift in [16, 24, 32, 40] {
        let digit = |k: u64| ((k >> shift) & 0xff) as usize;
        let mut offsets = [0usize; 256];
        for &k in keys.iter() {
            offsets[digit(k)] += 1;
        }
        let mut sum = 0;
        for slot in &mut offsets {
            let count = *slot;
            *slot = sum;
            sum += count;
        }
        for &k in keys.iter() {
            let d = digit(k);
            buf[offsets[d]] = k;
            offsets[d] += 1;
        }
        core::mem::swap(keys, &mut buf);
    }
}

/// The nodes of a ring in id order; see [`HashRing::iter`].
pub struct Iter<'a, T>(core::slice::Iter<'a, Entry<T>>);

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = Node<'a, T>;
    fn next(&mut self) -> Option<Node<'a, T>> {
        self.0.next().map(Node::of)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<T> DoubleEndedIterator for Iter<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(Node::of)
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

impl<'a, T> IntoIterator for &'a HashRing<T> {
    type Item = Node<'a, T>;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// Distinct nodes in clockwise order from a position; see [`HashRing::successors`].
pub struct Successors<'a, T>(SuccessorIndices<'a, T>);

impl<'a, T> Iterator for Successors<'a, T> {
    type Item = Node<'a, T>;
    fn next(&mut self) -> Option<Node<'a, T>> {
        let ring = self.0.ring;
        self.0.next().map(|i| Node::of(&ring.nodes[i]))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

/// The [`iter`](HashRing::iter)-order indices of distinct nodes in clockwise order from
/// a position; see [`HashRing::successor_indices`].
pub struct SuccessorIndices<'a, T> {
    ring: &'a HashRing<T>,
    next: usize,
    steps_left: usize,
    unseen: usize,
    seen: Vec<u64>,
}

impl<T> Iterator for SuccessorIndices<'_, T> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        while self.unseen > 0 && self.steps_left > 0 {
            let owner = usize::from(self.ring.table.as_slice()[self.next].owner);
            self.steps_left -= 1;
            self.next += 1;
            if self.next == self.ring.table.len() {
                self.next = 0;
            }
            let (word, bit) = (owner / 64, 1u64 << (owner % 64));
            if self.seen[word] & bit == 0 {
                self.seen[word] |= bit;
                self.unseen -= 1;
                return Some(owner);
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.unseen))
    }
}
