//! The membership rules, stated once: which nodes a ring accepts, checked before a
//! single point is hashed or a large buffer allocated.
//!
//! [`HashRing`](crate::HashRing) applies them when nodes are added, and
//! [`Snapshot`](crate::Snapshot) applies the same function to a document, so a rule can
//! never differ between the two. Counts are summed in `u64`: on 32-bit targets (wasm32,
//! thumbv7m) 4,096 nodes of 2^20 points each sum to 2^32, which wraps a `usize` to 0.
//!
//! When several rules are broken, the first refusal in this order wins:
//! 1. [`TooManyNodes`](RingError::TooManyNodes): the ring would hold more than
//!    [`MAX_NODES`] nodes;
//! 2. the first node, in input order, that breaks a rule of its own, checked in the
//!    order [`EmptyId`](RingError::EmptyId), [`IdTooLong`](RingError::IdTooLong),
//!    [`DuplicateId`](RingError::DuplicateId) (its id is already on the ring or earlier in
//!    the input), [`InvalidWeight`](RingError::InvalidWeight),
//!    [`WeightTooLarge`](RingError::WeightTooLarge);
//! 3. [`TooManyPoints`](RingError::TooManyPoints): the ring would hold more than
//!    [`MAX_POINTS`] points.
//!
//! [`ShadowedNode`](RingError::ShadowedNode) comes last, from the built points.

use alloc::vec::Vec;
use core::cmp::Ordering;

use crate::{vnode_count, RingError, MAX_ID_BYTES, MAX_NODES, MAX_POINTS};

/// What a refusal is about: the input's index and field, or the membership as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Culprit {
    /// The id of the node at this input index.
    Id(usize),
    /// The weight of the node at this input index.
    Weight(usize),
    /// The whole list: too many nodes or points.
    Members,
}

/// A refused membership change: which rule, and about what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) culprit: Culprit,
    pub(crate) error: RingError,
}

impl From<Refusal> for RingError {
    fn from(r: Refusal) -> Self {
        r.error
    }
}

/// The ring that nodes are being added to, as far as the rules need it.
pub(crate) struct Existing<'a> {
    pub(crate) vnodes: u32,
    pub(crate) nodes: usize,
    pub(crate) points: usize,
    /// Whether an id is already on the ring.
    pub(crate) contains: &'a dyn Fn(&str) -> bool,
}

/// Checks adding `new` nodes, given as `(id, weight)` by `node(i)` for `i < len`, to
/// `ring`. Returns each new node's point count, in input order.
pub(crate) fn admit<'s>(
    ring: &Existing<'_>,
    len: usize,
    node: impl Fn(usize) -> (&'s str, f64),
) -> Result<Vec<u32>, Refusal> {
    let refuse = |culprit, error| Err(Refusal { culprit, error });
    if ring.nodes.saturating_add(len) > MAX_NODES {
        return refuse(Culprit::Members, RingError::TooManyNodes);
    }
    let duplicate = duplicates(ring, len, &node);
    let mut counts = Vec::with_capacity(len);
    let mut points = ring.points as u64;
    for (i, &dup) in duplicate.iter().enumerate() {
        let (id, weight) = node(i);
        if id.is_empty() {
            return refuse(Culprit::Id(i), RingError::EmptyId);
        }
        if id.len() > MAX_ID_BYTES {
            return refuse(Culprit::Id(i), RingError::IdTooLong { len: id.len() });
        }
        if dup {
            return refuse(Culprit::Id(i), RingError::DuplicateId);
        }
        let count = vnode_count(weight, ring.vnodes).map_err(|error| Refusal {
            culprit: Culprit::Weight(i),
            error,
        })?;
        // At most 2^16 nodes of 2^20 points: the sum fits in 37 bits.
        points += u64::from(count);
        counts.push(count);
    }
    if points > MAX_POINTS as u64 {
        return refuse(Culprit::Members, RingError::TooManyPoints);
    }
    Ok(counts)
}

/// Whether the total after replacing `old` of `points` points by `new` ones is allowed.
pub(crate) fn points_fit(points: usize, old: u32, new: u32) -> bool {
    points as u64 - u64::from(old) + u64::from(new) <= MAX_POINTS as u64
}

/// For each input index: whether its id is on the ring or at an earlier index.
fn duplicates<'s>(
    ring: &Existing<'_>,
    len: usize,
    node: &impl Fn(usize) -> (&'s str, f64),
) -> Vec<bool> {
    let mut duplicate = repeats(len, &|a, b| node(a).0.cmp(node(b).0));
    for (i, d) in duplicate.iter_mut().enumerate() {
        *d = *d || (ring.contains)(node(i).0);
    }
    duplicate
}

/// For each of `len` items: whether an item at an earlier index is equal to it under
/// `cmp`, found with one sort. Ketama's batches use it too; the comparator is a `dyn`
/// so that the wasm module holds one sort routine for every caller.
pub(crate) fn repeats(len: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<bool> {
    let mut order: Vec<usize> = (0..len).collect();
    // Equal items in index order, so the first of each run is the original. (The index
    // as a tie-break instead of a stable sort: one sort routine fewer in the module.)
    order.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
    let mut repeated = alloc::vec![false; len];
    for pair in order.windows(2) {
        if cmp(pair[0], pair[1]) == Ordering::Equal {
            repeated[pair[1]] = true;
        }
    }
    repeated
}
