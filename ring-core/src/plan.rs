//! Migration plans: exactly which arcs of the ring change owner between two rings.
//!
//! Both rings cut the circle at their points. Between two consecutive cuts of either
//! ring, both owners are constant, so comparing them once per cut gives the exact
//! answer for every position in one merge pass over both point lists.

use alloc::{boxed::Box, vec::Vec};

use crate::{stats::RING_SIZE, HashRing, RingError};

/// An arc of positions `first..=last` (the issue's `(first - 1, last]`) whose owner
/// changes from `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move<'a> {
    /// The arc's first position.
    pub first: u32,
    /// The arc's last position (inclusive).
    pub last: u32,
    /// The owner in the old ring.
    pub from: &'a str,
    /// The owner in the new ring.
    pub to: &'a str,
}

impl Move<'_> {
    /// How many positions the arc covers.
    #[must_use]
    pub fn len(&self) -> u64 {
        u64::from(self.last) - u64::from(self.first) + 1
    }

    /// Whether `position` lies in the arc.
    #[must_use]
    pub fn contains(&self, position: u32) -> bool {
        (self.first..=self.last).contains(&position)
    }

    /// Arcs are never empty; present for API symmetry with [`len`](Self::len).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// The share of the ring moving from one node to another.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flow<'a> {
    /// The owner in the old ring.
    pub from: &'a str,
    /// The owner in the new ring.
    pub to: &'a str,
    /// Positions moving, out of 2^32.
    pub length: u64,
    /// `length / 2^32`.
    pub fraction: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Arc {
    first: u32,
    last: u32,
    from: u16,
    to: u16,
}

/// The arcs whose owner differs between an old and a new ring; see [`diff`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    old_ids: Vec<Box<str>>,
    new_ids: Vec<Box<str>>,
    arcs: Vec<Arc>,
    seed: u32,
}

/// Compares two rings with the same seed: the exact, coalesced, sorted list of arcs
/// whose owner changes. Nodes are matched by id, so a node's weight may change too.
/// If either ring is empty nothing moves (there is no owner to move from or to).
///
/// ```
/// use ringroute::{diff, HashRing};
/// let mut old = HashRing::new();
/// for id in ["a", "b", "c"] { old.add(id, ())?; }
/// let mut new = old.clone();
/// new.add("d", ())?;
/// let plan = diff(&old, &new)?;
/// assert!(plan.moves().all(|m| m.to == "d")); // a join only takes keys
/// assert!((plan.moved_fraction() - 0.25).abs() < 0.03);
/// for key in ["user:1", "user:2", "user:3"] {
///     let moved = old.get(key).unwrap().id != new.get(key).unwrap().id;
///     assert_eq!(plan.moved(key).is_some(), moved);
/// }
/// # Ok::<(), ringroute::RingError>(())
/// ```
///
/// # Errors
/// [`RingError::SeedMismatch`] when the seeds differ: keys would sit at different
/// positions on the two rings, so no arc describes them.
pub fn diff<A, B>(old: &HashRing<A>, new: &HashRing<B>) -> Result<Plan, RingError> {
    let Sides {
        seed,
        old_ids,
        new_ids,
        same,
    } = sides(old, new)?;
    let mut arcs = Vec::new();
    segments(old, new, |first, last, from, to| {
        if same[from] != Some(to) {
            push_coalesced(
                &mut arcs,
                Arc {
                    first,
                    last,
                    from: from as u16,
                    to: to as u16,
                },
            );
        }
    });
    Ok(Plan {
        old_ids,
        new_ids,
        arcs,
        seed,
    })
}

/// What both kinds of plan start from.
pub(crate) struct Sides {
    /// The seed both rings share.
    pub(crate) seed: u32,
    /// Each ring's ids, in id order.
    pub(crate) old_ids: Vec<Box<str>>,
    pub(crate) new_ids: Vec<Box<str>>,
    /// For each old node, the new index of the node with the same id (None if it left).
    pub(crate) same: Vec<Option<usize>>,
}

/// Checks the seeds and matches the two memberships by id.
pub(crate) fn sides<A, B>(old: &HashRing<A>, new: &HashRing<B>) -> Result<Sides, RingError> {
    let seed = old.config().seed();
    if new.config().seed() != seed {
        return Err(RingError::SeedMismatch);
    }
    let old_ids: Vec<Box<str>> = old.iter().map(|n| Box::from(n.id)).collect();
    let new_ids: Vec<Box<str>> = new.iter().map(|n| Box::from(n.id)).collect();
    let same = old_ids
        .iter()
        .map(|id| new_ids.binary_search(id).ok())
        .collect();
    Ok(Sides {
        seed,
        old_ids,
        new_ids,
        same,
    })
}

/// The index of the arc covering `position` among sorted, disjoint `first..=last` arcs.
pub(crate) fn covering<A>(
    arcs: &[A],
    position: u32,
    bounds: impl Fn(&A) -> (u32, u32),
) -> Option<usize> {
    let i = arcs.partition_point(|a| bounds(a).1 < position);
    arcs.get(i).filter(|a| bounds(a).0 <= position).map(|_| i)
}

fn push_coalesced(arcs: &mut Vec<Arc>, arc: Arc) {
    if let Some(prev) = arcs.last_mut() {
        if prev.from == arc.from
            && prev.to == arc.to
            && u64::from(prev.last) + 1 == u64::from(arc.first)
        {
            prev.last = arc.last;
            return;
        }
    }
    arcs.push(arc);
}

/// Calls `f(first, last, old_point, new_point)` for consecutive arcs covering the whole
/// circle in position order, where on each arc both rings' owning points are constant.
/// Does nothing if either ring is empty.
pub(crate) fn segments_points<A, B>(
    old: &HashRing<A>,
    new: &HashRing<B>,
    mut f: impl FnMut(u32, u32, usize, usize),
) {
    let (a, b) = (|i| old.position_at(i), |i| new.position_at(i));
    let (a_len, b_len) = (old.point_count(), new.point_count());
    if a_len == 0 || b_len == 0 {
        return;
    }
    let (mut i, mut j) = (0, 0);
    let mut first = 0u64;
    // Each cut ends an arc; the owners of (prev cut, cut] are the first points at or
    // after the cut in each ring.
    while i < a_len || j < b_len {
        let cut = match (a(i), b(j)) {
            (Some(x), Some(y)) => x.min(y),
            (Some(x), None) => x,
            (None, Some(y)) => y,
            (None, None) => break,
        };
        let (pi, pj) = (if i < a_len { i } else { 0 }, if j < b_len { j } else { 0 });
        if first <= u64::from(cut) {
            f(first as u32, cut, pi, pj);
        }
        first = u64::from(cut) + 1;
        while a(i) == Some(cut) {
            i += 1;
        }
        while b(j) == Some(cut) {
            j += 1;
        }
    }
    // After the last cut both rings wrap to their first point.
    if first < RING_SIZE {
        f(first as u32, u32::MAX, 0, 0);
    }
}

/// As [`segments_points`], with the owning node indices instead of the points.
pub(crate) fn segments<A, B>(
    old: &HashRing<A>,
    new: &HashRing<B>,
    mut f: impl FnMut(u32, u32, usize, usize),
) {
    segments_points(old, new, |first, last, i, j| {
        f(
            first,
            last,
            usize::from(old.owner_at(i)),
            usize::from(new.owner_at(j)),
        )
    });
}

impl Plan {
    fn view(&self, arc: &Arc) -> Move<'_> {
        Move {
            first: arc.first,
            last: arc.last,
            from: &self.old_ids[usize::from(arc.from)],
            to: &self.new_ids[usize::from(arc.to)],
        }
    }

    /// Every moving arc, in position order. Adjacent arcs with the same from and to are
    /// merged, so neighbouring arcs always differ in owner or leave a gap.
    pub fn moves(&self) -> impl ExactSizeIterator<Item = Move<'_>> + '_ {
        self.arcs.iter().map(|a| self.view(a))
    }

    /// How many arcs move.
    #[must_use]
    pub fn len(&self) -> usize {
        self.arcs.len()
    }

    /// Whether nothing moves.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.arcs.is_empty()
    }

    /// The move covering ring position `position`, if that position changes owner.
    #[must_use]
    pub fn moved_at(&self, position: u32) -> Option<Move<'_>> {
        self.arc_index_at(position).map(|i| self.arc(i))
    }

    /// Whether `key` changes owner, and from where to where.
    #[must_use]
    pub fn moved(&self, key: impl AsRef<[u8]>) -> Option<Move<'_>> {
        self.moved_at(crate::murmur3_32(key.as_ref(), self.seed))
    }

    /// The moves of many keys at once, in the order given: for sweeping a store.
    pub fn moved_many<'p, K: AsRef<[u8]>>(
        &'p self,
        keys: impl IntoIterator<Item = K> + 'p,
    ) -> impl Iterator<Item = Option<Move<'p>>> + 'p {
        keys.into_iter().map(move |k| self.moved(k))
    }

    /// The arcs a node gives away: the key ranges it must ship out.
    pub fn outgoing<'p>(&'p self, id: &'p str) -> impl Iterator<Item = Move<'p>> + 'p {
        self.moves().filter(move |m| m.from == id)
    }

    /// The arcs a node takes over: the key ranges it must fetch.
    pub fn incoming<'p>(&'p self, id: &'p str) -> impl Iterator<Item = Move<'p>> + 'p {
        self.moves().filter(move |m| m.to == id)
    }

    /// Positions moving, out of 2^32.
    #[must_use]
    pub fn moved_length(&self) -> u64 {
        self.arcs
            .iter()
            .map(|a| u64::from(a.last) - u64::from(a.first) + 1)
            .sum()
    }

    /// The fraction of the ring (and so of uniformly spread keys) that moves.
    #[must_use]
    pub fn moved_fraction(&self) -> f64 {
        self.moved_length() as f64 / RING_SIZE as f64
    }

    /// The moving share between each pair of nodes, sorted by (from, to) id.
    #[must_use]
    pub fn flows(&self) -> Vec<Flow<'_>> {
        let mut pairs: Vec<(u16, u16, u64)> = self
            .arcs
            .iter()
            .map(|a| (a.from, a.to, u64::from(a.last) - u64::from(a.first) + 1))
            .collect();
        pairs.sort_unstable_by_key(|p| (p.0, p.1));
        let mut flows: Vec<Flow<'_>> = Vec::new();
        for (from, to, length) in pairs {
            let (from, to) = (
                &*self.old_ids[usize::from(from)],
                &*self.new_ids[usize::from(to)],
            );
            match flows.last_mut() {
                Some(f) if f.from == from && f.to == to => f.length += length,
                _ => flows.push(Flow {
                    from,
                    to,
                    length,
                    fraction: 0.0,
                }),
            }
        }
        for f in &mut flows {
            f.fraction = f.length as f64 / RING_SIZE as f64;
        }
        flows
    }

    /// `(first, last)` of each arc, in position order.
    pub(crate) fn bounds(&self) -> impl ExactSizeIterator<Item = (u32, u32)> + '_ {
        self.arcs.iter().map(|a| (a.first, a.last))
    }

    /// The index of the arc covering `position`.
    pub(crate) fn arc_index_at(&self, position: u32) -> Option<usize> {
        covering(&self.arcs, position, |a| (a.first, a.last))
    }

    /// The arc at `index` in position order.
    pub(crate) fn arc(&self, index: usize) -> Move<'_> {
        self.view(&self.arcs[index])
    }

    /// The seed both rings share.
    #[must_use]
    pub const fn seed(&self) -> u32 {
        self.seed
    }
}
