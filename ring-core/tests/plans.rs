//! Migration plans against brute force: for sampled keys, a key moves exactly when its
//! position lies in a plan arc, and the arc names its old and new owner. Likewise for
//! replica lists.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use ringroute::{diff, diff_replicas, HashRing, RingConfig, RingError};

const IDS: &[&str] = &[
    "a", "b", "c", "ws-0", "ws-1", "ws-10", "ünï", "🚀", "node 7", "Zed",
];
const WEIGHTS: &[f64] = &[0.5, 1.0, 1.0, 2.0, 3.0];

fn membership() -> impl Strategy<Value = Vec<(&'static str, f64)>> {
    proptest::sample::subsequence(IDS, 0..=IDS.len())
        .prop_flat_map(|ids| {
            let n = ids.len();
            (
                Just(ids),
                proptest::collection::vec(proptest::sample::select(WEIGHTS), n),
            )
        })
        .prop_map(|(ids, ws)| ids.into_iter().zip(ws).collect())
}

/// An old ring and a new one: a join, a leave, a weight change, or any other membership
/// (sometimes with other vnodes), always with the same seed.
fn ring_pair() -> impl Strategy<Value = (HashRing<()>, HashRing<()>)> {
    (
        1u32..48,
        1u32..48,
        any::<u32>(),
        membership(),
        membership(),
        0u8..4,
        any::<proptest::sample::Index>(),
    )
        .prop_map(|(v1, v2, seed, m1, m2, kind, pick)| {
            let old = HashRing::from_nodes(
                RingConfig::new(v1, seed).unwrap(),
                m1.iter().map(|&(i, w)| (i, w, ())),
            )
            .unwrap();
            let mut new = old.clone();
            match kind {
                0 => {
                    let absent: Vec<&str> =
                        IDS.iter().copied().filter(|i| !old.contains(i)).collect();
                    if !absent.is_empty() {
                        new.add(absent[pick.index(absent.len())], ()).unwrap();
                    }
                }
                1 if !old.is_empty() => {
                    let id = old.node_at(pick.index(old.len())).unwrap().id.to_owned();
                    new.remove(&id);
                }
                2 if !old.is_empty() => {
                    let id = old.node_at(pick.index(old.len())).unwrap().id.to_owned();
                    new.set_weight(&id, 2.5).unwrap();
                }
                _ => {
                    new = HashRing::from_nodes(
                        RingConfig::new(v2, seed).unwrap(),
                        m2.iter().map(|&(i, w)| (i, w, ())),
                    )
                    .unwrap();
                }
            }
            (old, new)
        })
}

fn keys() -> impl Strategy<Value = Vec<Vec<u8>>> {
    proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..16), 200)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1_000,
        rng_seed: RngSeed::Fixed(0x91a2_2026),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_key_moves_exactly_when_a_plan_arc_covers_it((old, new) in ring_pair(), keys in keys()) {
        let plan = diff(&old, &new).unwrap();
        let both = !old.is_empty() && !new.is_empty();
        for key in &keys {
            let (o, n) = (old.get(key).map(|n| n.id), new.get(key).map(|n| n.id));
            match plan.moved(key) {
                Some(m) => {
                    prop_assert!(m.contains(old.position(key)));
                    prop_assert_eq!((Some(m.from), Some(m.to)), (o, n));
                    prop_assert_ne!(o, n);
                }
                None => prop_assert!(!both || o == n, "{:?} -> {:?} not in the plan", o, n),
            }
        }
        // Arcs are sorted, disjoint, non-empty and coalesced.
        let moves: Vec<_> = plan.moves().collect();
        for w in moves.windows(2) {
            prop_assert!(w[0].last < w[1].first);
            prop_assert!(w[0].last + 1 < w[1].first || (w[0].from, w[0].to) != (w[1].from, w[1].to));
        }
        // The flows add up to the total.
        let flows = plan.flows();
        prop_assert_eq!(flows.iter().map(|f| f.length).sum::<u64>(), plan.moved_length());
    }

    #[test]
    fn arc_boundaries_are_exact((old, new) in ring_pair()) {
        // At each arc's ends and just outside them, brute force agrees with the plan.
        let plan = diff(&old, &new).unwrap();
        for m in plan.moves().take(50) {
            for p in [m.first, m.last] {
                prop_assert_eq!(old.get_at(p).unwrap().id, m.from);
                prop_assert_eq!(new.get_at(p).unwrap().id, m.to);
            }
            for p in [m.first.checked_sub(1), m.last.checked_add(1)].into_iter().flatten() {
                let (o, n) = (old.get_at(p).unwrap().id, new.get_at(p).unwrap().id);
                match plan.moved_at(p) {
                    Some(other) => prop_assert_eq!((other.from, other.to), (o, n)),
                    None => prop_assert_eq!(o, n),
                }
            }
        }
    }

    #[test]
    fn a_replica_list_changes_exactly_when_a_replica_arc_covers_it((old, new) in ring_pair(), keys in keys(), n in 1usize..4) {
        let plan = diff_replicas(&old, &new, n).unwrap();
        let both = !old.is_empty() && !new.is_empty();
        for key in &keys {
            let o: Vec<&str> = old.get_n(key, n).iter().map(|x| x.id).collect();
            let w: Vec<&str> = new.get_n(key, n).iter().map(|x| x.id).collect();
            match plan.changed(key) {
                Some(c) => {
                    prop_assert_eq!(&c.old, &o);
                    prop_assert_eq!(&c.new, &w);
                    prop_assert_ne!(&o, &w);
                    for g in c.gained() { prop_assert!(w.contains(&g) && !o.contains(&g)); }
                    for l in c.lost() { prop_assert!(o.contains(&l) && !w.contains(&l)); }
                }
                None => prop_assert!(!both || o == w, "{:?} -> {:?} not in the plan", o, w),
            }
        }
        // With n = 1 the replica plan covers exactly the single-owner plan.
        if n == 1 {
            let single = diff(&old, &new).unwrap();
            let a: u64 = plan.changes().map(|c| u64::from(c.last) - u64::from(c.first) + 1).sum();
            prop_assert_eq!(a, single.moved_length());
        }
    }
}

#[test]
fn seeds_must_match() {
    let a: HashRing<()> = HashRing::with_config(RingConfig::new(8, 1).unwrap());
    let b: HashRing<()> = HashRing::with_config(RingConfig::new(8, 2).unwrap());
    assert_eq!(diff(&a, &b).unwrap_err(), RingError::SeedMismatch);
    assert_eq!(
        diff_replicas(&a, &b, 2).unwrap_err(),
        RingError::SeedMismatch
    );
}

#[test]
fn identical_rings_move_nothing_and_a_leave_moves_only_the_leaver() {
    let ids: Vec<String> = (0..20).map(|i| format!("s{i}")).collect();
    let old = HashRing::from_nodes(
        RingConfig::default(),
        ids.iter().map(|i| (i.as_str(), 1.0, ())),
    )
    .unwrap();
    assert!(diff(&old, &old.clone()).unwrap().is_empty());
    let mut new = old.clone();
    new.remove("s7");
    let plan = diff(&old, &new).unwrap();
    assert!(plan.moves().all(|m| m.from == "s7"));
    let share = old.shares().into_iter().find(|s| s.0 == "s7").unwrap().1;
    assert!(
        (plan.moved_fraction() - share).abs() < 1e-12,
        "the leaver's whole share moves, nothing else"
    );
    assert_eq!(plan.outgoing("s7").count(), plan.len());
    assert_eq!(plan.incoming("s7").count(), 0);
    let flows = plan.flows();
    assert!(
        flows.len() > 10,
        "the leaver's arcs spread over many successors"
    );
    assert!(flows
        .windows(2)
        .all(|w| (w[0].from, w[0].to) < (w[1].from, w[1].to)));
}
