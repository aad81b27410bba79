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
    /// Ketama's continuum as (position, slot), in ring order, for drawing it.
    pub ketama_points: Vec<(u32, u8)>,
    /// Per key: modulo's server.
    pub modulo: Vec<u8>,
}

/// The peers' placement of `keys` over `ring`'s membership, with `k` its ketama ring
/// (see [`ketama_from`]).
pub fn peers<'u>(
    ring: &HashRing<u8>,
    k: &Ketama<u8>,
    keys: impl Iterator<Item = &'u User> + Clone,
) -> Peers {
    let m = ModuloRouter::from_ring(ring);
    Peers {
        ketama: keys
            .clone()
            .map(|u| k.get_at(u.ketama_position).map_or(0, |s| s.data))
            .collect(),
        ketama_points: k.points().map(|(p, s)| (p, s.data)).collect(),
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

/// [`ketama`] of `ring`, from `previous` (the ketama of an earlier membership) when
/// one server joined at the end or one left: ketama rebuilds its whole continuum on
/// every `add`, so building 32 servers one by one hashed 21,000 digests where one
/// change needs 1,300. The result always equals `ketama(ring)`: the same servers, in the
/// same order, with the same weights, or it is built from scratch.
pub fn ketama_from(previous: &Ketama<u8>, ring: &HashRing<u8>) -> Ketama<u8> {
    let weight = |w: f64| (w * 100.0).round().max(1.0) as u32;
    let want: Vec<(&str, u32, u8)> = ring
        .iter()
        .map(|n| (n.id, weight(n.weight), *n.data))
        .collect();
    let have: Vec<(&str, u32, u8)> = previous
        .servers()
        .map(|s| (&*s.host, s.weight, s.data))
        .collect();
    let mut k = previous.clone();
    if want.len() == have.len() + 1 && want[..have.len()] == have[..] {
        let (id, w, slot) = want[have.len()];
        if k.add(id, KETAMA_DEFAULT_PORT, w, slot).is_ok() {
            return k;
        }
    } else if want.len() + 1 == have.len() {
        let gone = (0..have.len()).find(|&i| i == want.len() || have[i].0 != want[i].0);
        if let Some(i) = gone {
            let rest = have[..i].iter().chain(&have[i + 1..]);
            if rest.eq(want.iter()) {
                k.remove(have[i].0, KETAMA_DEFAULT_PORT);
                return k;
            }
        }
    } else if want == have {
        return k;
    }
    ketama(ring)
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

#[cfg(test)]
mod tests {
    use super::*;
    use ringroute::RingConfig;

    fn same(a: &Ketama<u8>, b: &Ketama<u8>) -> bool {
        a.servers().eq(b.servers()) && a.points().eq(b.points())
    }

    #[test]
    fn ketama_kept_in_step_equals_a_fresh_build() {
        let mut ring = HashRing::with_config(RingConfig::new(16, 0).unwrap());
        let mut k = Ketama::new();
        let step = |ring: &HashRing<u8>, k: &mut Ketama<u8>| {
            *k = ketama_from(k, ring);
            assert!(same(k, &ketama(ring)));
        };
        for i in 0..6u8 {
            ring.add_weighted(&format!("srv-{i}"), 1.0, i).unwrap();
            step(&ring, &mut k);
        }
        ring.remove("srv-2");
        step(&ring, &mut k);
        ring.remove("srv-5"); // the last one
        step(&ring, &mut k);
        ring.set_weight("srv-1", 2.5).unwrap();
        step(&ring, &mut k);
        ring.add_weighted("srv-2", 1.0, 2).unwrap(); // back, not at the end by number
        step(&ring, &mut k);
        step(&ring, &mut k); // no change
    }
}
