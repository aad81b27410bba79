//! Bounded-load assignment: the cap holds after every operation, a large factor is plain
//! consistent hashing, the same operations give the same assignment, and membership
//! changes move only what they must.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use ringroute::{BoundedLoads, HashRing, RingConfig, RingError};

const IDS: &[&str] = &["a", "b", "c", "d", "e", "f"];

fn check_caps(loads: &BoundedLoads, ring: &HashRing<()>) -> Result<(), TestCaseError> {
    let m = loads.len();
    let mut sum = 0;
    for node in ring.iter() {
        let (load, cap) = (loads.load(node.id), loads.cap(ring, node.id, m));
        prop_assert!(
            load <= cap,
            "{} holds {} > cap {} of {} items",
            node.id,
            load,
            cap,
            m
        );
        sum += load;
    }
    prop_assert_eq!(sum as usize, m, "every item sits on a live node");
    Ok(())
}

#[derive(Debug, Clone)]
enum Op {
    Assign(u16),
    Release(u16),
    Join(usize),
    Leave(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u16..400).prop_map(Op::Assign),
        2 => (0u16..400).prop_map(Op::Release),
        1 => (0..IDS.len()).prop_map(Op::Join),
        1 => (0..IDS.len()).prop_map(Op::Leave),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, rng_seed: RngSeed::Fixed(0xb0a0_2026), ..ProptestConfig::default() })]

    #[test]
    fn the_cap_holds_after_every_operation(
        c in prop_oneof![Just(1.0), Just(1.1), Just(1.25), Just(2.0), 1.0f64..3.0],
        weighted in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..120),
    ) {
        let cfg = RingConfig::new(32, 5).unwrap();
        let weight = |i: usize| if weighted { 1.0 + i as f64 / 2.0 } else { 1.0 };
        let mut ring = HashRing::with_config(cfg);
        ring.add_weighted("a", weight(0), ()).unwrap();
        let mut loads = BoundedLoads::new(c).unwrap();
        let mut twin = BoundedLoads::new(c).unwrap();
        for op in ops {
            match op {
                Op::Assign(k) => {
                    let key = format!("conn:{k}");
                    let node = loads.assign(&ring, &key).unwrap().id.to_owned();
                    prop_assert_eq!(loads.owner(&key), Some(node.as_str()));
                    twin.assign(&ring, &key);
                }
                Op::Release(k) => {
                    let key = format!("conn:{k}");
                    let had = loads.owner(&key).is_some();
                    prop_assert_eq!(loads.release(&ring, &key), had);
                    twin.release(&ring, &key);
                    prop_assert!(loads.owner(&key).is_none());
                }
                Op::Join(i) => {
                    if ring.add_weighted(IDS[i], weight(i), ()).is_ok() {
                        loads.rebalance(&ring);
                        twin.rebalance(&ring);
                    }
                }
                Op::Leave(i) => {
                    if ring.len() > 1 && ring.remove(IDS[i]).is_some() {
                        let leaving = loads.load(IDS[i]) as usize;
                        // All its items move, and others only to a node before their own.
                        prop_assert!(loads.rebalance(&ring) >= leaving);
                        twin.rebalance(&ring);
                    }
                }
            }
            check_caps(&loads, &ring)?;
        }
        prop_assert_eq!(&loads, &twin, "the same operations give the same assignment");
        // After a rebalance no item can move to an earlier node with room.
        loads.rebalance(&ring);
        prop_assert_eq!(loads.clone().rebalance(&ring), 0, "rebalance is idempotent");
    }

    #[test]
    fn a_large_factor_is_plain_consistent_hashing(nodes in proptest::sample::subsequence(IDS, 1..=IDS.len()), n in 1usize..300) {
        let ring = HashRing::from_nodes(RingConfig::new(64, 1).unwrap(), nodes.iter().map(|&i| (i, 1.0, ()))).unwrap();
        let mut loads = BoundedLoads::new(1e12).unwrap();
        for k in 0..n {
            let key = format!("k{k}");
            prop_assert_eq!(loads.assign(&ring, &key).unwrap().id, ring.get(&key).unwrap().id);
        }
    }
}

#[test]
fn factor_is_validated_and_empty_rings_assign_nothing() {
    for c in [0.0, 0.99, -1.0, f64::NAN, f64::INFINITY] {
        assert_eq!(
            BoundedLoads::new(c).unwrap_err(),
            RingError::InvalidBalanceFactor,
            "{c}"
        );
    }
    let ring: HashRing<()> = HashRing::new();
    let mut loads = BoundedLoads::new(1.0).unwrap();
    assert!(loads.assign(&ring, "k").is_none());
    assert!(!loads.release(&ring, "k"));
    assert_eq!(loads.rebalance(&ring), 0);
}

#[test]
fn tight_cap_spreads_load_evenly_and_joins_move_little() {
    let ids: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
    let mut ring = HashRing::from_nodes(
        RingConfig::new(160, 0).unwrap(),
        ids[..9].iter().map(|i| (i.as_str(), 1.0, ())),
    )
    .unwrap();
    let mut loads = BoundedLoads::new(1.25).unwrap();
    for k in 0..9_000 {
        loads.assign(&ring, format!("conn:{k}"));
    }
    let max = ring.iter().map(|n| loads.load(n.id)).max().unwrap();
    assert!(max <= 1_250, "{max}");
    ring.add("s9", ()).unwrap();
    let moved = loads.rebalance(&ring);
    // The newcomer takes about its share, as plain hashing would (~1/10), not much more.
    assert!(loads.load("s9") > 500, "{}", loads.load("s9"));
    assert!(moved < 9_000 / 6, "{moved}");
    assert!(ring.iter().all(|n| loads.load(n.id) <= 1_125));
}

#[test]
fn an_unbounded_balance_factor_saturates_the_caps() {
    // ceil(f64::MAX x m x w / W) is past 2^64: the cap must saturate, not wrap to 0
    // (which would send every item to the least loaded node) or panic.
    let ring = HashRing::from_nodes(
        RingConfig::new(16, 3).unwrap(),
        ["a", "b", "c"].map(|id| (id, 1.0, ())),
    )
    .unwrap();
    for c in [f64::MAX, 1e300, 2e19] {
        let mut loads = BoundedLoads::new(c).unwrap();
        for k in 0..50 {
            let key = format!("k{k}");
            assert_eq!(
                loads.assign(&ring, &key).unwrap().id,
                ring.get(&key).unwrap().id,
                "factor {c}: no cap binds, so items go where the ring puts them"
            );
        }
        assert_eq!(loads.cap(&ring, "a", 50), u64::MAX, "{c}");
        assert!(loads.release(&ring, "k7"));
        assert_eq!(loads.len(), 49);
    }
}

mod reference;

/// Applies `op` to the indexed assigner and to the reference (the full-rebalance code it
/// replaced) and requires the same answers and the same owners afterwards.
fn both(
    ring: &mut HashRing<()>,
    fast: &mut BoundedLoads,
    slow: &mut reference::bounded::BoundedLoads,
    op: &Op,
    weight: impl Fn(usize) -> f64,
) -> Result<(), TestCaseError> {
    match *op {
        Op::Assign(k) => {
            let key = format!("conn:{k}");
            let a = fast.assign(ring, &key).map(|n| n.id.to_owned());
            let b = slow.assign(ring, &key).map(|n| n.id.to_owned());
            prop_assert_eq!(a, b, "assign {}", key);
        }
        Op::Release(k) => {
            let key = format!("conn:{k}");
            prop_assert_eq!(
                fast.release(ring, &key),
                slow.release(ring, &key),
                "release {}",
                key
            );
        }
        Op::Join(i) => {
            if ring.add_weighted(IDS[i], weight(i), ()).is_ok() {
                prop_assert_eq!(
                    fast.rebalance(ring),
                    slow.rebalance(ring),
                    "join {}",
                    IDS[i]
                );
            }
        }
        Op::Leave(i) => {
            if ring.remove(IDS[i]).is_some() {
                prop_assert_eq!(
                    fast.rebalance(ring),
                    slow.rebalance(ring),
                    "leave {}",
                    IDS[i]
                );
            }
        }
    }
    Ok(())
}

fn same_owners(
    fast: &BoundedLoads,
    slow: &reference::bounded::BoundedLoads,
    keys: u16,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(fast.len(), slow.len());
    for k in 0..keys {
        let key = format!("conn:{k}");
        prop_assert_eq!(fast.owner(&key), slow.owner(&key), "owner of {}", key);
    }
    for id in IDS {
        prop_assert_eq!(fast.load(id), slow.load(id), "load of {}", id);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, rng_seed: RngSeed::Fixed(0x1d3e_2026), ..ProptestConfig::default() })]

    /// The indexed release and rebalance give exactly the full rebalance's results, step
    /// by step: owners, loads, return values. Tight factors make long displacement chains.
    #[test]
    fn the_index_gives_the_full_rebalances_results(
        c in prop_oneof![Just(1.0), Just(1.05), Just(1.25), 1.0f64..2.0],
        weighted in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..200),
    ) {
        let weight = |i: usize| if weighted { 1.0 + i as f64 / 3.0 } else { 1.0 };
        let mut ring = HashRing::with_config(RingConfig::new(16, 9).unwrap());
        ring.add_weighted("a", weight(0), ()).unwrap();
        ring.add_weighted("b", weight(1), ()).unwrap();
        let mut fast = BoundedLoads::new(c).unwrap();
        let mut slow = reference::bounded::BoundedLoads::new(c).unwrap();
        for op in &ops {
            both(&mut ring, &mut fast, &mut slow, op, weight)?;
            same_owners(&fast, &slow, 400)?;
        }
        // A ring the index was not built on: rebuilt, same answers.
        let mut other = ring.clone();
        if other.add_weighted("z", 1.5, ()).is_ok() {
            for k in 0..30u16 {
                both(&mut other, &mut fast, &mut slow, &Op::Assign(400 + k), weight)?;
                both(&mut ring, &mut fast, &mut slow, &Op::Release(k * 7), weight)?;
            }
            same_owners(&fast, &slow, 430)?;
        }
    }
}
