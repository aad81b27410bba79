//! A scaling event in progress: the old ring, the new ring, and a deterministic,
//! gradual cut-over of the arcs that move between them.
//!
//! While a transition runs, a moving key's arc is either pending (the key still belongs
//! to its old owner) or cut over (it belongs to the new owner, and the old owner keeps
//! receiving its messages until the transition completes, because the client may not
//! have reconnected yet). Every router that sets the same progress cuts over the same
//! arcs, so routers agree without talking to each other.

use alloc::vec::Vec;

use crate::{diff, murmur3_32, HashRing, Move, Node, Plan, RingError};

/// Where to deliver a key's messages during a transition.
pub struct Route<'a, T> {
    /// The key's owner now: the old owner until its arc is cut over, then the new one.
    pub owner: Node<'a, T>,
    /// The old owner, for keys whose arc is cut over while the transition runs: deliver
    /// to it too until [`Transition::complete`]. `None` for keys that do not move or
    /// whose arc is still pending.
    pub previous: Option<Node<'a, T>>,
}

impl<T> Clone for Route<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Route<'_, T> {}

impl<T: core::fmt::Debug> core::fmt::Debug for Route<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Route")
            .field("owner", &self.owner)
            .field("previous", &self.previous)
            .finish()
    }
}

/// Old ring, new ring, epoch and cut-over progress. See the module docs and `SPEC.md`.
///
/// ```
/// use ringroute::{HashRing, Transition};
/// let mut old = HashRing::new();
/// for id in ["ws-0", "ws-1", "ws-2"] { old.add(id, ())?; }
/// let mut new = old.clone();
/// new.add("ws-3", ())?;
///
/// let mut t = Transition::new(old, new, 7)?;
/// assert!(t.route("user:1").unwrap().previous.is_none()); // progress 0: the old ring
/// for step in 1..=4 {
///     let newly = t.set_step(step, 4)?; // every router at step k agrees on the same arcs
///     for arc in t.cut_over().skip(t.cut_over().len() - newly) {
///         // tell the clients in arc.first..=arc.last on arc.from to reconnect to arc.to
///         assert_eq!(arc.to, "ws-3");
///     }
/// }
/// let ring = t.complete();
/// assert_eq!(ring.len(), 4);
/// # Ok::<(), ringroute::RingError>(())
/// ```
#[derive(Clone)]
pub struct Transition<T> {
    old: HashRing<T>,
    new: HashRing<T>,
    plan: Plan,
    epoch: u64,
    /// Arc indices (position order) in cut-over order.
    order: Vec<u32>,
    /// `rank[arc]`: where the arc stands in `order`.
    rank: Vec<u32>,
    /// `cumulative[r]`: total length of `order[..=r]`.
    cumulative: Vec<u64>,
    /// The cut-over threshold in positions; arcs whose cumulative length fits are cut over.
    threshold: u64,
    /// How many arcs, a prefix of `order`, are cut over.
    cut: usize,
}

impl<T> Transition<T> {
    /// Starts a transition from `old` to `new` at progress 0.
    ///
    /// # Errors
    /// [`RingError::SeedMismatch`] if the rings' seeds differ.
    pub fn new(old: HashRing<T>, new: HashRing<T>, epoch: u64) -> Result<Self, RingError> {
        let plan = diff(&old, &new)?;
        // Cut-over order: by H(LE64(epoch) ‖ LE32(first), seed), then by first.
        let seed = plan.seed();
        let mut keyed: Vec<(u32, u32, u32)> = plan
            .bounds()
            .enumerate()
            .map(|(i, (first, _))| {
                let mut label = [0u8; 12];
                label[..8].copy_from_slice(&epoch.to_le_bytes());
                label[8..].copy_from_slice(&first.to_le_bytes());
                (murmur3_32(&label, seed), first, i as u32)
            })
            .collect();
        keyed.sort_unstable();
        let order: Vec<u32> = keyed.iter().map(|k| k.2).collect();
        let mut rank = alloc::vec![0u32; order.len()];
        let mut cumulative = Vec::with_capacity(order.len());
        let mut sum = 0u64;
        for (r, &arc) in order.iter().enumerate() {
            rank[arc as usize] = r as u32;
            sum += plan.arc(arc as usize).len();
            cumulative.push(sum);
        }
        Ok(Self {
            old,
            new,
            plan,
            epoch,
            order,
            rank,
            cumulative,
            threshold: 0,
            cut: 0,
        })
    }

    /// Cuts over every arc whose cumulative length in cut-over order is at most
    /// `floor(progress × moving length)`. Returns how many arcs were newly cut over: the
    /// last ones of [`cut_over`](Self::cut_over).
    ///
    /// # Errors
    /// [`RingError::InvalidProgress`] unless `progress` is in `0.0..=1.0` and not behind
    /// the current progress. The transition is then unchanged.
    pub fn set_progress(&mut self, progress: f64) -> Result<usize, RingError> {
        if !(0.0..=1.0).contains(&progress) {
            return Err(RingError::InvalidProgress);
        }
        // A product of doubles, truncated: the same on every IEEE-754 platform.
        self.advance_to((progress * self.total() as f64) as u64)
    }

    /// Cuts over the arcs of step `step` of `steps` equal steps: the threshold is
    /// `floor(moving length × step / steps)` in exact integer arithmetic.
    ///
    /// # Errors
    /// [`RingError::InvalidProgress`] unless `1 <= steps` and `step <= steps`, and the step
    /// is not behind the current progress.
    pub fn set_step(&mut self, step: u32, steps: u32) -> Result<usize, RingError> {
        if steps == 0 || step > steps {
            return Err(RingError::InvalidProgress);
        }
        // total <= 2^32 and step < 2^32, so the product fits in 64 bits.
        self.advance_to(self.total() * u64::from(step) / u64::from(steps))
    }

    fn advance_to(&mut self, threshold: u64) -> Result<usize, RingError> {
        if threshold < self.threshold {
            return Err(RingError::InvalidProgress);
        }
        self.threshold = threshold;
        let cut = self.cumulative.partition_point(|&c| c <= threshold);
        let newly = cut - self.cut;
        self.cut = cut;
        Ok(newly)
    }

    fn total(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    /// The fraction of the moving positions already cut over (1.0 when nothing moves).
    #[must_use]
    pub fn progress(&self) -> f64 {
        match self.total() {
            0 => 1.0,
            total => {
                self.cut.checked_sub(1).map_or(0, |r| self.cumulative[r]) as f64 / total as f64
            }
        }
    }

    /// Where `key`'s messages go now; `None` only if the ring that routes it is empty.
    #[must_use]
    pub fn route(&self, key: impl AsRef<[u8]>) -> Option<Route<'_, T>> {
        self.route_at(self.new.position(key))
    }

    /// As [`route`](Self::route), for a ring position.
    #[must_use]
    pub fn route_at(&self, position: u32) -> Option<Route<'_, T>> {
        let Some(arc) = self.plan.arc_index_at(position) else {
            // Not moving: both rings agree (or one is empty and the other routes).
            let owner = self
                .new
                .get_at(position)
                .or_else(|| self.old.get_at(position))?;
            return Some(Route {
                owner,
                previous: None,
            });
        };
        let old = self.old.get_at(position)?;
        if (self.rank[arc] as usize) < self.cut {
            Some(Route {
                owner: self.new.get_at(position)?,
                previous: Some(old),
            })
        } else {
            Some(Route {
                owner: old,
                previous: None,
            })
        }
    }

    /// The arcs cut over so far, in cut-over order.
    pub fn cut_over(&self) -> impl ExactSizeIterator<Item = Move<'_>> + '_ {
        self.order[..self.cut]
            .iter()
            .map(|&a| self.plan.arc(a as usize))
    }

    /// The arcs still pending, in cut-over order.
    pub fn pending(&self) -> impl ExactSizeIterator<Item = Move<'_>> + '_ {
        self.order[self.cut..]
            .iter()
            .map(|&a| self.plan.arc(a as usize))
    }

    /// The plan: every arc that moves, in position order.
    #[must_use]
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The ring before the event.
    #[must_use]
    pub fn old(&self) -> &HashRing<T> {
        &self.old
    }

    /// The ring after the event.
    #[must_use]
    pub fn new_ring(&self) -> &HashRing<T> {
        &self.new
    }

    /// The event's epoch, as published with the new membership.
    #[must_use]
    pub const fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Ends the transition (whatever its progress) and returns the new ring.
    #[must_use]
    pub fn complete(self) -> HashRing<T> {
        self.new
    }
}
