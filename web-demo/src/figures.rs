//! What a change costs, measured and expected, on ringroute's ring and on its two
//! peers: libmemcached's ketama (ring-core's `Ketama`) and modulo (`hash % n`).

use std::rc::Rc;

use ringroute::{BoundedLoads, HashRing, Ketama, ModuloRouter, Plan, KETAMA_DEFAULT_PORT};

use crate::domain::{Domain, User};

/// What changed.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeKind {
    /// A server joined (or came back after an undo).
    Join {
        /// Its id.
        id: Rc<str>,
        /// Its weight.
        weight: f64,
    },
    /// A server left.
    Leave {
        /// Its id.
        id: Rc<str>,
        /// Its weight.
        weight: f64,
    },
    /// A server's weight changed.
    Weight {
        /// Its id.
        id: Rc<str>,
        /// The weight before.
        from: f64,
        /// The weight after.
        to: f64,
    },
    /// The virtual nodes per unit of weight changed.
    Vnodes {
        /// Before.
        from: u32,
        /// After.
        to: u32,
    },
}

impl ChangeKind {
    /// The change in words: "srv-4 joined".
    pub fn what(&self) -> String {
        match self {
            Self::Join { id, .. } => format!("{id} joined"),
            Self::Leave { id, .. } => format!("{id} left"),
            Self::Weight { id, from, to } => format!("{id} weight {from} → {to}"),
            Self::Vnodes { from, to } => format!("virtual nodes {from} → {to}"),
        }
    }
}

/// The last membership change and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// What happened.
    pub kind: ChangeKind,
    /// Keys (users and hot sessions) at the time.
    pub users: usize,
    /// Keys whose owner changed on the ring: measured.
    pub moved: usize,
    /// The fraction of the ring whose owner changes (ring-core's `diff`): what a
    /// uniformly spread key moves with, so the measured share should be near it.
    pub expected: f64,
    /// What the weights alone would ask to move: a join's weight share, a leave's old
    /// share, a weight change's share delta; 0 for a vnode change (nothing needs to).
    pub ideal: f64,
    /// Keys modulo would move; `None` where modulo has no analogue (weights, vnodes).
    pub modulo: Option<usize>,
    /// Keys ketama would move over the same membership (weights rounded to 1/100).
    pub ketama: usize,
}

/// Each key's server (slot) under the two peers the demo compares against, computed
/// once per membership or user change (ketama hashes every key with MD5, too slow to
/// redo on every render).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Peers {
    /// Per key (users, then hot sessions): ketama's server.
    pub ketama: Vec<u8>,
    /// Per key: modulo's server.
    pub modulo: Vec<u8>,
}

/// The peers' placement of `keys` over `ring`'s membership.
pub fn peers<'u>(ring: &HashRing<u8>, keys: impl Iterator<Item = &'u User> + Clone) -> Peers {
    let k = ketama(ring);
    let m = ModuloRouter::from_ring(ring);
    Peers {
        ketama: keys
            .clone()
            .map(|u| k.get(&*u.id).map_or(0, |s| s.data))
            .collect(),
        modulo: keys
            .map(|u| {
                m.get(&*u.id)
                    .and_then(|id| ring.node(id))
                    .map_or(0, |n| *n.data)
            })
            .collect(),
    }
}

/// Measures a change from `old` to `new`: `moved` keys on the ring, the peers'
/// placements before and after.
pub fn measure(
    kind: ChangeKind,
    old: &HashRing<u8>,
    new: &HashRing<u8>,
    plan: &Plan,
    (before, after): (&Peers, &Peers),
    moved: usize,
) -> Change {
    let total = |ring: &HashRing<u8>| ring.iter().map(|n| n.weight).sum::<f64>();
    let weight_of = |ring: &HashRing<u8>, id: &str| ring.node(id).map_or(0.0, |n| n.weight);
    let ideal = match &kind {
        ChangeKind::Join { id, .. } => weight_of(new, id) / total(new),
        ChangeKind::Leave { id, .. } => weight_of(old, id) / total(old),
        ChangeKind::Weight { id, .. } => {
            (weight_of(new, id) / total(new) - weight_of(old, id) / total(old)).abs()
        }
        ChangeKind::Vnodes { .. } => 0.0,
    };
    // Slots are reused only after a leave, and a leave's slot has no keys afterwards,
    // so comparing slots compares servers.
    let differ = |a: &[u8], b: &[u8]| a.iter().zip(b).filter(|(x, y)| x != y).count();
    let modulo = match kind {
        ChangeKind::Join { .. } | ChangeKind::Leave { .. } => {
            Some(differ(&before.modulo, &after.modulo))
        }
        ChangeKind::Weight { .. } | ChangeKind::Vnodes { .. } => None,
    };
    Change {
        kind,
        users: after.ketama.len(),
        moved,
        expected: plan.moved_fraction(),
        ideal,
        modulo,
        ketama: differ(&before.ketama, &after.ketama),
    }
}

/// Ketama over a ring's membership: host = server id, integer weight = weight × 100.
pub fn ketama(ring: &HashRing<u8>) -> Ketama<u8> {
    let mut k = Ketama::new();
    for node in ring.iter() {
        let weight = (node.weight * 100.0).round().max(1.0) as u32;
        // Ids are short and distinct and weights positive, so ketama cannot refuse.
        let _ = k.add(node.id, KETAMA_DEFAULT_PORT, weight, *node.data);
    }
    k
}

/// Each key's server under ring-core's `BoundedLoads` with cap factor `c`, assigning
/// users then hot sessions in order (as they would connect).
pub fn bounded_owners(domain: &Domain, c: f64) -> Vec<u8> {
    let Ok(mut loads) = BoundedLoads::new(c) else {
        return Vec::new();
    };
    domain
        .all_users()
        .map(|u| {
            loads
                .assign(&domain.ring, &*u.id)
                .map_or(u.owner, |n| *n.data)
        })
        .collect()
}

/// The three algorithms the demo compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// ringroute's ring (the one drawn).
    Ring,
    /// libmemcached's ketama.
    Ketama,
    /// `hash % n` over the sorted ids.
    Modulo,
}

impl Algorithm {
    /// All three, in display order.
    pub const ALL: [Self; 3] = [Self::Ring, Self::Ketama, Self::Modulo];

    /// The short name used in the URL and the page.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ring => "ring",
            Self::Ketama => "ketama",
            Self::Modulo => "modulo",
        }
    }

    /// The algorithm called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// Keys per server slot (in the domain's server order) under `algorithm`.
pub fn loads_under(domain: &Domain, algorithm: Algorithm) -> Vec<(u8, usize)> {
    let count = |slots: &mut dyn Iterator<Item = u8>| {
        let mut per_slot = [0usize; 256];
        for s in slots {
            per_slot[usize::from(s)] += 1;
        }
        domain
            .servers
            .iter()
            .map(|s| (s.slot, per_slot[usize::from(s.slot)]))
            .collect()
    };
    match algorithm {
        Algorithm::Ring => count(&mut domain.all_users().map(|u| u.owner)),
        Algorithm::Ketama => count(&mut domain.peers.ketama.iter().copied()),
        Algorithm::Modulo => count(&mut domain.peers.modulo.iter().copied()),
    }
}

/// The busiest server's load over its fair (weighted) share: 1.00 is perfect.
pub fn max_over_fair(domain: &Domain, loads: &[(u8, usize)]) -> Option<f64> {
    let keys: usize = loads.iter().map(|l| l.1).sum();
    let weight: f64 = domain.servers.iter().map(|s| s.weight).sum();
    if keys == 0 || weight <= 0.0 {
        return None;
    }
    loads
        .iter()
        .filter_map(|&(slot, n)| {
            let w = domain.server(slot)?.weight;
            Some((n as f64 / keys as f64) / (w / weight))
        })
        .reduce(f64::max)
}
