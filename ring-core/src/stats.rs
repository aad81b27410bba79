//! How evenly a ring spreads its keys: each node's share, and a balance summary.

use alloc::vec::Vec;

use crate::HashRing;

/// The size of the ring: every position from 0 to 2^32 - 1.
pub const RING_SIZE: u64 = 1 << 32;

/// Load relative to the fair share, for the busiest and the idlest node.
///
/// A node's fair share is its weight over the total weight; with equal weights these
/// are simply max/avg and min/avg. A perfect ring has both at 1.0.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Balance {
    /// The largest load over fair share (max/avg): 1.10 means 10% above fair.
    pub max_over_avg: f64,
    /// The smallest load over fair share (min/avg).
    pub min_over_avg: f64,
}

impl Balance {
    /// Balance of observed loads (keys per node, connections per node) for nodes of
    /// equal weight. `None` when `loads` is empty or all zero.
    #[must_use]
    pub fn from_loads(loads: &[u64]) -> Option<Self> {
        Self::from_weighted(loads.iter().map(|&l| (l as f64, 1.0)))
    }

    fn from_weighted(items: impl Iterator<Item = (f64, f64)> + Clone) -> Option<Self> {
        let (load_sum, weight_sum) = items
            .clone()
            .fold((0.0, 0.0), |(l, w), (li, wi)| (l + li, w + wi));
        if load_sum <= 0.0 || weight_sum <= 0.0 {
            return None;
        }
        let mut balance = Self {
            max_over_avg: f64::MIN,
            min_over_avg: f64::MAX,
        };
        for (load, weight) in items {
            let ratio = (load / load_sum) / (weight / weight_sum);
            balance.max_over_avg = balance.max_over_avg.max(ratio);
            balance.min_over_avg = balance.min_over_avg.min(ratio);
        }
        Some(balance)
    }
}

impl<T> HashRing<T> {
    /// The positions each node owns, in id order; they sum to 2^32 on a non-empty ring.
    ///
    /// The point at index `i` owns the arc `(position[i-1], position[i]]`, and the first
    /// point also owns everything after the last: exactly the keys [`get`](Self::get)
    /// sends to it.
    #[must_use]
    pub fn owned(&self) -> Vec<u64> {
        let mut owned = alloc::vec![0u64; self.len()];
        let mut prev = match self.points().last() {
            Some((last, _)) => i64::from(last) - RING_SIZE as i64,
            None => return owned,
        };
        for (pos, owner) in self.points() {
            owned[owner] += (i64::from(pos) - prev) as u64;
            prev = i64::from(pos);
        }
        owned
    }

    /// Each node's share of the ring (arc length over 2^32), in id order.
    #[must_use]
    pub fn shares(&self) -> Vec<(&str, f64)> {
        self.iter()
            .zip(self.owned())
            .map(|(node, owned)| (node.id, owned as f64 / RING_SIZE as f64))
            .collect()
    }

    /// How far the busiest and idlest nodes' shares stray from their fair shares.
    /// `None` on an empty ring.
    #[must_use]
    pub fn balance(&self) -> Option<Balance> {
        let owned = self.owned();
        let items = self
            .iter()
            .zip(owned.iter())
            .map(|(n, &o)| (o as f64, n.weight));
        Balance::from_weighted(items)
    }
}
