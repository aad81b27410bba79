//! The replica form of a migration plan: which arcs gain or lose which replicas when the
//! replication factor is `n`, so a store can copy data before it cuts over.

use alloc::{boxed::Box, vec::Vec};

use crate::{
    plan::{covering, segments_points, sides, Sides},
    HashRing, RingError,
};

/// An arc `first..=last` whose replica list changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaChange<'a> {
    /// The arc's first position.
    pub first: u32,
    /// The arc's last position (inclusive).
    pub last: u32,
    /// The replica list in the old ring, owner first.
    pub old: Vec<&'a str>,
    /// The replica list in the new ring, owner first.
    pub new: Vec<&'a str>,
}

impl<'a> ReplicaChange<'a> {
    /// Nodes that must receive a copy of the arc's data: in the new list, not the old.
    #[must_use]
    pub fn gained(&self) -> Vec<&'a str> {
        self.new
            .iter()
            .filter(|id| !self.old.contains(id))
            .copied()
            .collect()
    }

    /// Nodes that may drop the arc's data once the new ring is live.
    #[must_use]
    pub fn lost(&self) -> Vec<&'a str> {
        self.old
            .iter()
            .filter(|id| !self.new.contains(id))
            .copied()
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Span {
    first: u32,
    last: u32,
    old: Vec<u16>,
    new: Vec<u16>,
}

/// Arcs whose `n`-replica list differs between two rings; see [`diff_replicas`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaPlan {
    old_ids: Vec<Box<str>>,
    new_ids: Vec<Box<str>>,
    spans: Vec<Span>,
    replicas: usize,
    seed: u32,
}

/// Compares the replica lists (`get_n(key, n)`) of two rings with the same seed: the
/// coalesced, sorted arcs on which the list changes, in content or in order. With
/// `n = 1` this is [`diff`](crate::diff) with lists instead of single owners.
///
/// ```
/// use ringroute::{diff_replicas, HashRing};
/// let mut old = HashRing::new();
/// for id in ["a", "b", "c", "d"] { old.add(id, ())?; }
/// let mut new = old.clone();
/// new.remove("b");
/// let plan = diff_replicas(&old, &new, 2)?;
/// // Every arc that had "b" as a replica needs a new copy somewhere.
/// assert!(plan.changes().all(|c| c.lost() == ["b"] && c.gained().len() == 1));
/// # Ok::<(), ringroute::RingError>(())
/// ```
///
/// # Errors
/// [`RingError::SeedMismatch`] when the seeds differ.
pub fn diff_replicas<A, B>(
    old: &HashRing<A>,
    new: &HashRing<B>,
    n: usize,
) -> Result<ReplicaPlan, RingError> {
    let Sides {
        seed,
        old_ids,
        new_ids,
        same,
    } = sides(old, new)?;
    let mut spans: Vec<Span> = Vec::new();
    segments_points(old, new, |first, last, _, _| {
        // `last` is owned by the same point as the whole arc in both rings.
        // Node indices are ranks in id order, the order of `old_ids` and `new_ids`.
        let old_list: Vec<u16> = old
            .successor_indices(last)
            .take(n)
            .map(|i| i as u16)
            .collect();
        let new_list: Vec<u16> = new
            .successor_indices(last)
            .take(n)
            .map(|i| i as u16)
            .collect();
        let unchanged = old_list.len() == new_list.len()
            && old_list
                .iter()
                .zip(&new_list)
                .all(|(&o, &w)| same[usize::from(o)] == Some(usize::from(w)));
        if unchanged {
            return;
        }
        match spans.last_mut() {
            Some(s)
                if s.old == old_list
                    && s.new == new_list
                    && u64::from(s.last) + 1 == u64::from(first) =>
            {
                s.last = last;
            }
            _ => spans.push(Span {
                first,
                last,
                old: old_list,
                new: new_list,
            }),
        }
    });
    Ok(ReplicaPlan {
        old_ids,
        new_ids,
        spans,
        replicas: n,
        seed,
    })
}

impl ReplicaPlan {
    fn view(&self, s: &Span) -> ReplicaChange<'_> {
        ReplicaChange {
            first: s.first,
            last: s.last,
            old: s
                .old
                .iter()
                .map(|&i| &*self.old_ids[usize::from(i)])
                .collect(),
            new: s
                .new
                .iter()
                .map(|&i| &*self.new_ids[usize::from(i)])
                .collect(),
        }
    }

    /// Every changing arc, in position order.
    pub fn changes(&self) -> impl ExactSizeIterator<Item = ReplicaChange<'_>> + '_ {
        self.spans.iter().map(|s| self.view(s))
    }

    /// The change covering `position`, if its replica list changes.
    #[must_use]
    pub fn changed_at(&self, position: u32) -> Option<ReplicaChange<'_>> {
        covering(&self.spans, position, |s| (s.first, s.last)).map(|i| self.view(&self.spans[i]))
    }

    /// The change for `key`, if its replica list changes.
    #[must_use]
    pub fn changed(&self, key: impl AsRef<[u8]>) -> Option<ReplicaChange<'_>> {
        self.changed_at(crate::murmur3_32(key.as_ref(), self.seed))
    }

    /// How many arcs change.
    #[must_use]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether no replica list changes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The replication factor compared.
    #[must_use]
    pub const fn replicas(&self) -> usize {
        self.replicas
    }
}
