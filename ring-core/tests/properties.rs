//! Property tests of the ring's contract, 1,000+ cases each, with a fixed RNG seed so a
//! failure reproduces. Memberships mix unicode ids and unequal weights.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use ringroute::{murmur3_32, HashRing, RingConfig, DEFAULT_VNODES};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x5eed_2026),
        ..ProptestConfig::default()
    }
}

const IDS: &[&str] = &[
    "a", "b", "ab", "ws-0", "ws-1", "ws-10", "ünï", "節點", "🚀", "x\u{0}y", "node 7", "Zed",
];
const WEIGHTS: &[f64] = &[0.25, 0.5, 1.0, 1.0, 1.0, 2.0, 3.5];

/// A membership: distinct ids with weights, in an arbitrary order.
fn membership(max: usize) -> impl Strategy<Value = Vec<(String, f64)>> {
    proptest::sample::subsequence(IDS, 1..=max.min(IDS.len()))
        .prop_flat_map(|ids| {
            let n = ids.len();
            (
                Just(ids),
                proptest::collection::vec(proptest::sample::select(WEIGHTS), n),
            )
        })
        .prop_map(|(ids, ws)| {
            ids.into_iter()
                .map(String::from)
                .zip(ws)
                .collect::<Vec<_>>()
        })
        .prop_shuffle()
}

fn ring_config() -> impl Strategy<Value = RingConfig> {
    (1u32..80, any::<u32>()).prop_map(|(v, s)| RingConfig::new(v, s).unwrap())
}

fn build(config: RingConfig, nodes: &[(String, f64)]) -> HashRing<()> {
    let mut ring = HashRing::with_config(config);
    for (id, w) in nodes {
        ring.add_weighted(id, *w, ()).unwrap();
    }
    ring
}

fn keys() -> impl Strategy<Value = Vec<Vec<u8>>> {
    proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..24), 64)
}

fn owners<'a>(ring: &'a HashRing<()>, keys: &[Vec<u8>]) -> Vec<Option<&'a str>> {
    keys.iter().map(|k| ring.get(k).map(|n| n.id)).collect()
}

/// The spec's lookup, written the slow obvious way: sort (position, id) pairs and take
/// the first at or after the key, wrapping.
fn naive_owner(config: RingConfig, nodes: &[(String, f64)], key: &[u8]) -> Option<String> {
    let mut points = Vec::new();
    for (id, w) in nodes {
        let count = ringroute::vnode_count(*w, config.vnodes()).unwrap();
        for i in 0..count {
            let mut label = id.as_bytes().to_vec();
            label.extend_from_slice(&i.to_le_bytes());
            points.push((murmur3_32(&label, config.seed()), id.clone()));
        }
    }
    points.sort();
    let h = murmur3_32(key, config.seed());
    points
        .iter()
        .find(|(p, _)| *p >= h)
        .or(points.first())
        .map(|(_, id)| id.clone())
}

proptest! {
    #![proptest_config(config(1_000))]

    #[test]
    fn insertion_order_does_not_change_routing(
        cfg in ring_config(),
        nodes in membership(12),
        seed in any::<u64>(),
        keys in keys(),
    ) {
        let a = build(cfg, &nodes);
        let mut shuffled = nodes.clone();
        // A second, different order: a seeded rotation plus reversal.
        shuffled.rotate_left((seed % nodes.len() as u64) as usize);
        shuffled.reverse();
        let b = build(cfg, &shuffled);
        let c = HashRing::from_nodes(cfg, nodes.iter().map(|(id, w)| (id.as_str(), *w, ()))).unwrap();
        prop_assert_eq!(a.fingerprint(), b.fingerprint());
        prop_assert_eq!(a.fingerprint(), c.fingerprint());
        prop_assert_eq!(owners(&a, &keys), owners(&b, &keys));
        prop_assert_eq!(owners(&a, &keys), owners(&c, &keys));
        prop_assert_eq!(a.points().collect::<Vec<_>>(), c.points().collect::<Vec<_>>());
    }

    #[test]
    fn lookup_matches_a_naive_sorted_scan(cfg in ring_config(), nodes in membership(8), keys in keys()) {
        let ring = build(cfg, &nodes);
        for key in &keys {
            prop_assert_eq!(ring.get(key).map(|n| n.id.to_owned()), naive_owner(cfg, &nodes, key));
        }
    }

    #[test]
    fn remove_then_readd_restores_identical_routing(
        cfg in ring_config(),
        nodes in membership(12),
        pick in any::<proptest::sample::Index>(),
        keys in keys(),
    ) {
        let mut ring = build(cfg, &nodes);
        let before = (ring.fingerprint(), owners(&ring, &keys).into_iter().map(|o| o.map(String::from)).collect::<Vec<_>>());
        let (id, w) = &nodes[pick.index(nodes.len())];
        prop_assert_eq!(ring.remove(id), Some(()));
        prop_assert!(!ring.contains(id));
        prop_assert!(owners(&ring, &keys).iter().all(|o| *o != Some(id.as_str())));
        ring.add_weighted(id, *w, ()).unwrap();
        let after = (ring.fingerprint(), owners(&ring, &keys).into_iter().map(|o| o.map(String::from)).collect::<Vec<_>>());
        prop_assert_eq!(before, after);
    }

    #[test]
    fn get_n_is_distinct_and_starts_with_get(
        cfg in ring_config(),
        nodes in membership(12),
        key in proptest::collection::vec(any::<u8>(), 0..32),
        n in 0usize..16,
    ) {
        let ring = build(cfg, &nodes);
        let list: Vec<&str> = ring.get_n(&key, n).iter().map(|n| n.id).collect();
        prop_assert_eq!(list.len(), n.min(ring.len()));
        if n > 0 {
            prop_assert_eq!(Some(list[0]), ring.get(&key).map(|n| n.id));
        }
        let mut distinct = list.clone();
        distinct.sort_unstable();
        distinct.dedup();
        prop_assert_eq!(distinct.len(), list.len());
    }

    /// Small config and membership spaces, so equal pairs come up often.
    #[test]
    fn fingerprints_are_equal_exactly_when_config_and_membership_are(
        a in (1u32..3, 0u32..2, proptest::collection::btree_map(proptest::sample::select(&["a", "b", "c"][..]), proptest::sample::select(&[1.0, 2.0][..]), 0..3)),
        b in (1u32..3, 0u32..2, proptest::collection::btree_map(proptest::sample::select(&["a", "b", "c"][..]), proptest::sample::select(&[1.0, 2.0][..]), 0..3)),
    ) {
        let ring = |(v, s, m): &(u32, u32, BTreeMap<&str, f64>)| {
            HashRing::from_nodes(RingConfig::new(*v, *s).unwrap(), m.iter().map(|(id, w)| (*id, *w, ()))).unwrap()
        };
        prop_assert_eq!(ring(&a).fingerprint() == ring(&b).fingerprint(), a == b);
    }

    /// Any sequence of adds, removes and weight changes, valid or not, leaves the ring
    /// equal to one built from scratch from the surviving membership, and never panics.
    #[test]
    fn incremental_changes_equal_a_fresh_build(
        cfg in ring_config(),
        ops in proptest::collection::vec((0u8..3, proptest::sample::select(IDS), proptest::sample::select(&[0.0, -1.0, f64::NAN, f64::INFINITY, 1e300, 0.5, 1.0, 2.0][..])), 1..24),
    ) {
        let mut ring = HashRing::with_config(cfg);
        let mut model: BTreeMap<String, f64> = BTreeMap::new();
        for (op, id, w) in ops {
            let before = ring.fingerprint();
            let ok = match op {
                0 => ring.add_weighted(id, w, ()).is_ok(),
                1 => ring.remove(id).is_some(),
                _ => ring.set_weight(id, w).is_ok(),
            };
            let valid_weight = w.is_finite() && w > 0.0 && w < 1e6;
            let expect_ok = match op {
                0 => valid_weight && !model.contains_key(id),
                1 => model.contains_key(id),
                _ => valid_weight && model.contains_key(id),
            };
            prop_assert_eq!(ok, expect_ok, "op {} on {} weight {}", op, id, w);
            if ok {
                if op == 1 { model.remove(id); } else { model.insert(id.to_owned(), w); }
            } else {
                prop_assert_eq!(ring.fingerprint(), before, "a refused op changed the ring");
            }
            let fresh = HashRing::from_nodes(cfg, model.iter().map(|(id, w)| (id.as_str(), *w, ()))).unwrap();
            prop_assert_eq!(ring.fingerprint(), fresh.fingerprint());
            prop_assert_eq!(ring.points().collect::<Vec<_>>(), fresh.points().collect::<Vec<_>>());
        }
    }
}

proptest! {
    #![proptest_config(config(1_000))]

    /// Adding a node to n equal nodes moves keys only to the new node, and the moved
    /// fraction f stays near p = 1/(n+1). The new node's share over P = (n+1)·v points is
    /// about Beta-distributed with variance p(1-p)/P, and sampling K keys adds p(1-p)/K;
    /// with σ² the sum, we assert |f - p| <= 6σ (a false alarm about once in 10^8 cases).
    #[test]
    fn adding_a_node_moves_about_one_in_n_plus_one_keys_and_only_to_it(n in 1usize..24, seed in any::<u32>()) {
        const K: usize = 4_000;
        let cfg = RingConfig::new(DEFAULT_VNODES, seed).unwrap();
        let ids: Vec<String> = (0..n).map(|i| format!("srv-{i}")).collect();
        let mut ring = HashRing::from_nodes(cfg, ids.iter().map(|id| (id.as_str(), 1.0, ()))).unwrap();
        let keys: Vec<String> = (0..K).map(|i| format!("user:{seed}:{i}")).collect();
        let before: Vec<usize> = keys.iter().map(|k| ring.get_index(k).unwrap()).collect();
        let before_ids: Vec<String> = before.iter().map(|&i| ring.node_at(i).unwrap().id.to_owned()).collect();
        ring.add("srv-new", ()).unwrap();
        let mut moved = 0;
        for (key, old) in keys.iter().zip(&before_ids) {
            let new = ring.get(key).unwrap().id;
            if new != old {
                prop_assert_eq!(new, "srv-new", "a key moved between old nodes");
                moved += 1;
            }
        }
        let p = 1.0 / (n as f64 + 1.0);
        let points = ring.point_count() as f64;
        let sigma = (p * (1.0 - p) * (1.0 / points + 1.0 / K as f64)).sqrt();
        let f = moved as f64 / K as f64;
        prop_assert!((f - p).abs() <= 6.0 * sigma, "moved {} of {} keys: {:.4} vs 1/(n+1) = {:.4} (6σ = {:.4})", moved, K, f, p, 6.0 * sigma);
    }
}

proptest! {
    #![proptest_config(config(1_000))]

    /// Arbitrary ids, weights, configs and keys: every call returns, errors leave the
    /// ring as it was, and the ring's invariants hold after each step.
    #[test]
    fn arbitrary_input_never_panics(
        vnodes in prop_oneof![Just(0u32), 1u32..200, Just(ringroute::MAX_VNODES), Just(u32::MAX)],
        seed in any::<u32>(),
        ops in proptest::collection::vec((0u8..4, ".{0,12}", any::<f64>(), proptest::collection::vec(any::<u8>(), 0..16)), 1..16),
    ) {
        let Ok(cfg) = RingConfig::new(vnodes, seed) else {
            prop_assert!(vnodes == 0 || vnodes > ringroute::MAX_VNODES);
            return Ok(());
        };
        let mut ring = HashRing::with_config(cfg);
        for (op, id, weight, key) in ops {
            let before = ring.fingerprint();
            let result = match op {
                0 => ring.add_weighted(&id, weight, ()),
                1 => ring.set_weight(&id, weight),
                2 => { ring.remove(&id); Ok(()) }
                _ => {
                    prop_assert_eq!(ring.get_n(&key, key.len()).len(), key.len().min(ring.len()));
                    Ok(())
                }
            };
            if result.is_err() {
                prop_assert_eq!(ring.fingerprint(), before);
            }
            prop_assert_eq!(ring.owned().iter().sum::<u64>(), if ring.is_empty() { 0 } else { 1 << 32 });
            prop_assert_eq!(ring.get(&key).is_some(), !ring.is_empty());
            let counted: usize = ring.iter().map(|n| ringroute::vnode_count(n.weight, vnodes).unwrap() as usize).sum();
            prop_assert_eq!(counted, ring.point_count());
        }
    }
}
