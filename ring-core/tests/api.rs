//! The public API's edges: every kind of bad input gets its own error and leaves the
//! ring exactly as it was; empty rings, limits, payload access and statistics.

use ringroute::{
    Balance, HashRing, ModuloRouter, RingConfig, RingError, MAX_ID_BYTES, MAX_NODES,
    MAX_NODE_POINTS, MAX_POINTS, MAX_VNODES,
};

fn three() -> HashRing<&'static str> {
    let mut ring = HashRing::with_config(RingConfig::new(64, 9).unwrap());
    ring.add("a", "addr-a").unwrap();
    ring.add_weighted("b", 2.0, "addr-b").unwrap();
    ring.add("c", "addr-c").unwrap();
    ring
}

/// Runs `op` on a fresh ring, expects `err`, and checks that nothing changed.
fn refused(err: RingError, op: impl FnOnce(&mut HashRing<&'static str>) -> Result<(), RingError>) {
    let mut ring = three();
    let (fp, len, points) = (ring.fingerprint(), ring.len(), ring.point_count());
    assert_eq!(op(&mut ring), Err(err));
    assert_eq!(
        (ring.fingerprint(), ring.len(), ring.point_count()),
        (fp, len, points),
        "{err} changed the ring"
    );
    // Still fully usable afterwards.
    assert!(ring.get("k").is_some());
    ring.add("d", "addr-d").unwrap();
}

#[test]
fn each_bad_input_has_its_own_error_and_changes_nothing() {
    refused(RingError::EmptyId, |r| r.add("", "x"));
    refused(
        RingError::IdTooLong {
            len: MAX_ID_BYTES + 1,
        },
        |r| r.add(&"x".repeat(MAX_ID_BYTES + 1), "x"),
    );
    refused(RingError::DuplicateId, |r| r.add("b", "again"));
    refused(RingError::DuplicateId, |r| {
        r.add_all([("new", 1.0, "x"), ("new", 1.0, "y")])
    });
    refused(RingError::DuplicateId, |r| {
        r.add_all([("new", 1.0, "x"), ("a", 1.0, "y")])
    });
    refused(RingError::UnknownId, |r| r.set_weight("nope", 1.0));
    for w in [
        0.0,
        -0.0,
        -1.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -f64::MIN_POSITIVE,
    ] {
        refused(RingError::InvalidWeight, |r| r.add_weighted("w", w, "x"));
        refused(RingError::InvalidWeight, |r| r.set_weight("a", w));
    }
    refused(RingError::WeightTooLarge, |r| {
        r.add_weighted("w", 1e300, "x")
    });
    refused(RingError::WeightTooLarge, |r| {
        r.add_weighted("w", f64::MAX, "x")
    });
    // 64 vnodes per unit: the limit is reached at exactly MAX_NODE_POINTS / 64.
    let at_limit = f64::from(MAX_NODE_POINTS) / 64.0;
    refused(RingError::WeightTooLarge, |r| {
        r.add_weighted("w", at_limit + 1.0 / 64.0, "x")
    });
    // The good ones in a refused batch are not added either.
    refused(RingError::InvalidWeight, |r| {
        r.add_all([("ok", 1.0, "x"), ("bad", f64::NAN, "y")])
    });
}

#[test]
fn weight_at_the_limit_is_accepted() {
    let mut ring = HashRing::with_config(RingConfig::new(64, 0).unwrap());
    ring.add_weighted("big", f64::from(MAX_NODE_POINTS) / 64.0, ())
        .unwrap();
    assert_eq!(ring.point_count(), MAX_NODE_POINTS as usize);
}

#[test]
fn total_points_and_node_count_are_capped() {
    let mut ring = HashRing::with_config(RingConfig::new(MAX_VNODES, 0).unwrap());
    let per_node = f64::from(MAX_NODE_POINTS) / f64::from(MAX_VNODES);
    let ids: Vec<String> = (0..=MAX_POINTS / MAX_NODE_POINTS as usize)
        .map(|i| format!("n{i}"))
        .collect();
    // One node too many: refused before any point is computed.
    assert_eq!(
        ring.add_all(ids.iter().map(|id| (id.as_str(), per_node, ()))),
        Err(RingError::TooManyPoints)
    );
    assert!(ring.is_empty());

    let mut ring = HashRing::with_config(RingConfig::new(1, 0).unwrap());
    let ids: Vec<String> = (0..MAX_NODES).map(|i| format!("n{i}")).collect();
    ring.add_all(ids.iter().map(|id| (id.as_str(), 1.0, ())))
        .unwrap();
    assert_eq!(ring.len(), MAX_NODES);
    let fp = ring.fingerprint();
    assert_eq!(ring.add("one-more", ()), Err(RingError::TooManyNodes));
    assert_eq!(ring.fingerprint(), fp);
    // The last slot routes correctly: owner indices use all 16 bits.
    let last = ring.node_at(MAX_NODES - 1).unwrap().id.to_owned();
    let (pos, _) = ring.points().find(|&(_, i)| i == MAX_NODES - 1).unwrap();
    assert_eq!(ring.get_at(pos).unwrap().id, last);
    assert_eq!(ring.remove(&last), Some(()));
    ring.add("one-more", ()).unwrap();
}

#[test]
fn config_is_validated() {
    assert_eq!(
        RingConfig::new(0, 0),
        Err(RingError::InvalidVnodes { vnodes: 0 })
    );
    assert_eq!(
        RingConfig::new(MAX_VNODES + 1, 0),
        Err(RingError::InvalidVnodes {
            vnodes: MAX_VNODES + 1
        })
    );
    let c = RingConfig::new(MAX_VNODES, u32::MAX).unwrap();
    assert_eq!((c.vnodes(), c.seed()), (MAX_VNODES, u32::MAX));
    assert_eq!(RingConfig::default().vnodes(), ringroute::DEFAULT_VNODES);
}

#[test]
fn errors_display_in_lowercase_and_are_std_errors() {
    let all = RingError::ALL;
    let mut messages = Vec::new();
    for &e in all {
        let msg = e.to_string();
        assert!(msg.chars().next().unwrap().is_lowercase(), "{msg}");
        assert!(!msg.ends_with('.'), "{msg}");
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        messages.push(boxed.to_string());
    }
    assert!(RingError::IdTooLong { len: 5000 }
        .to_string()
        .contains("5000"));
    assert!(
        messages[6].contains("from 1 to 65536, got 0"),
        "{}",
        messages[6]
    );
    messages.sort();
    messages.dedup();
    assert_eq!(messages.len(), all.len(), "every error reads differently");
}

#[test]
fn empty_ring_answers_nothing() {
    let ring: HashRing<()> = HashRing::new();
    assert!(ring.is_empty());
    assert!(ring.get("k").is_none() && ring.get_at(0).is_none() && ring.get_index("k").is_none());
    assert!(ring.get_n("k", 3).is_empty());
    assert_eq!(ring.successors(7).count(), 0);
    assert!(ring.balance().is_none());
    assert!(ring.owned().is_empty() && ring.shares().is_empty());
    assert_eq!(ModuloRouter::from_ring(&ring).get("k"), None);
    let mut ring = ring;
    assert_eq!(ring.remove("k"), None);
}

#[test]
fn payloads_are_returned_and_editable() {
    let mut ring = three();
    assert_eq!(
        ring.node("b").map(|n| (n.id, n.weight, *n.data)),
        Some(("b", 2.0, "addr-b"))
    );
    *ring.data_mut("c").unwrap() = "moved-c";
    assert_eq!(*ring.node("c").unwrap().data, "moved-c");
    let fp = ring.fingerprint();
    ring.set_weight("b", 2.0).unwrap();
    assert_eq!(ring.fingerprint(), fp, "same weight, same ring");
    ring.set_weight("b", 0.5).unwrap();
    assert_eq!(
        *ring.node("b").unwrap().data,
        "addr-b",
        "set_weight keeps the payload"
    );
    assert_eq!(ring.node("b").unwrap().weight, 0.5);
    assert_eq!(ring.remove("b"), Some("addr-b"));
    assert!(!ring.contains("b"));
    let ids: Vec<&str> = ring.iter().map(|n| n.id).collect();
    assert_eq!(ids, ["a", "c"]);
}

#[test]
fn iteration_is_in_byte_order_of_ids() {
    let mut ring = HashRing::new();
    for id in ["é", "z", "Z", "a", "🚀", "ab", "a\u{0}"] {
        ring.add(id, ()).unwrap();
    }
    let ids: Vec<&str> = ring.iter().map(|n| n.id).collect();
    let mut want = ids.clone();
    want.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(ids, want);
    assert_eq!(ids, ["Z", "a", "a\u{0}", "ab", "z", "é", "🚀"]);
    assert_eq!(ring.iter().next_back().unwrap().id, "🚀");
    assert_eq!((&ring).into_iter().len(), 7);
}

#[test]
fn owned_arcs_cover_the_ring_and_match_weights() {
    let ring = three();
    assert_eq!(ring.owned().iter().sum::<u64>(), 1 << 32);
    let shares = ring.shares();
    assert!((shares.iter().map(|s| s.1).sum::<f64>() - 1.0).abs() < 1e-12);
    // "b" has twice the weight, so about half the ring.
    assert!(shares[1].1 > 0.35 && shares[1].1 < 0.65, "{shares:?}");
    let b = ring.balance().unwrap();
    assert!(b.max_over_avg >= 1.0 && b.min_over_avg <= 1.0);

    let single: HashRing<()> =
        HashRing::from_nodes(RingConfig::new(1, 0).unwrap(), [("only", 1.0, ())]).unwrap();
    assert_eq!(single.owned(), [1u64 << 32]);
    assert_eq!(
        single.balance(),
        Some(Balance {
            max_over_avg: 1.0,
            min_over_avg: 1.0
        })
    );
}

#[test]
fn balance_of_loads() {
    assert_eq!(Balance::from_loads(&[]), None);
    assert_eq!(Balance::from_loads(&[0, 0]), None);
    let b = Balance::from_loads(&[10, 20, 30]).unwrap();
    assert!((b.max_over_avg - 1.5).abs() < 1e-12 && (b.min_over_avg - 0.5).abs() < 1e-12);
}

#[test]
fn get_index_and_node_at_agree_with_get() {
    let ring = three();
    for i in 0..500 {
        let key = format!("user:{i}");
        let idx = ring.get_index(&key).unwrap();
        assert_eq!(ring.node_at(idx).unwrap().id, ring.get(&key).unwrap().id);
        assert_eq!(ring.index_at(ring.position(&key)), Some(idx));
    }
    assert!(ring.node_at(3).is_none());
}

#[test]
fn successors_visit_every_node_once() {
    let ring = three();
    let all: Vec<&str> = ring.successors(12345).map(|n| n.id).collect();
    assert_eq!(all.len(), 3);
    assert_eq!(ring.get_n("k", 100).len(), 3);
    // A ring where one node has a single point among thousands still finds it.
    let mut skewed = HashRing::with_config(RingConfig::new(4096, 1).unwrap());
    skewed.add("big", ()).unwrap();
    skewed.add_weighted("tiny", 1e-9, ()).unwrap();
    assert_eq!(skewed.get_n("k", 2).len(), 2);
}

#[test]
fn modulo_router_moves_most_keys_where_the_ring_moves_few() {
    let ids: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
    let mut ring = HashRing::from_nodes(
        RingConfig::default(),
        ids.iter().map(|i| (i.as_str(), 1.0, ())),
    )
    .unwrap();
    let keys: Vec<String> = (0..20_000).map(|i| format!("user:{i}")).collect();
    let (ring_before, mod_before): (Vec<_>, Vec<_>) = {
        let m = ModuloRouter::from_ring(&ring);
        keys.iter()
            .map(|k| {
                (
                    ring.get(k).unwrap().id.to_owned(),
                    m.get(k).unwrap().to_owned(),
                )
            })
            .unzip()
    };
    ring.add("s10", ()).unwrap();
    let m = ModuloRouter::from_ring(&ring);
    let ring_moved = keys
        .iter()
        .zip(&ring_before)
        .filter(|(k, b)| ring.get(k).unwrap().id != b.as_str())
        .count();
    let mod_moved = keys
        .iter()
        .zip(&mod_before)
        .filter(|(k, b)| m.get(k).unwrap() != b.as_str())
        .count();
    // 10 -> 11 nodes: the ring moves ~1/11 (9%), modulo ~10/11 (91%).
    assert!(
        ring_moved < keys.len() * 13 / 100,
        "ring moved {ring_moved}"
    );
    assert!(
        mod_moved > keys.len() * 85 / 100,
        "modulo moved {mod_moved}"
    );
    assert_eq!(
        ModuloRouter::new(["b", "a", "b"], 0),
        ModuloRouter::new(["a", "b"], 0)
    );
}

#[test]
fn routing_tables_take_at_most_seven_bytes_per_point() {
    for n in [1usize, 3, 8, 100, 512] {
        let ids: Vec<String> = (0..n).map(|i| format!("node-{i}")).collect();
        let ring = HashRing::from_nodes(
            RingConfig::default(),
            ids.iter().map(|i| (i.as_str(), 1.0, ())),
        )
        .unwrap();
        // 4 + 2 bytes a point; an index of a u8 per bucket of at least 1.5 points and a
        // u32 per 16 buckets (under 0.84 bytes a point); four sentinel points and an end.
        let limit = 7 * ring.point_count() + 64;
        assert!(
            ring.table_bytes() <= limit,
            "{n} nodes: {} bytes for {} points",
            ring.table_bytes(),
            ring.point_count()
        );
    }
}

#[cfg(feature = "serde")]
#[test]
fn config_deserialization_is_validated() {
    let ok: RingConfig = serde_json::from_str(r#"{"vnodes": 160, "seed": 7}"#).unwrap();
    assert_eq!((ok.vnodes(), ok.seed()), (160, 7));
    let err = serde_json::from_str::<RingConfig>(r#"{"vnodes": 0, "seed": 7}"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("vnodes must be a whole number from 1 to 65536, got 0"),
        "{err}"
    );
    assert_eq!(
        serde_json::to_string(&ok).unwrap(),
        r#"{"vnodes":160,"seed":7}"#
    );
}

/// groupcache and stathat labelled vnodes `decimal(i) ‖ id`, so node "1" vnode 11 and
/// node "11" vnode 1 both hashed "111" and landed on the same point. Our labels end in
/// a fixed-width index, so such pairs never share a label.
#[test]
fn vnode_labels_are_unambiguous_regression() {
    let ambiguous = |id: &str, i: u32| format!("{i}{id}");
    assert_eq!(
        ambiguous("1", 11),
        ambiguous("11", 1),
        "the old scheme collides"
    );

    let ring = HashRing::from_nodes(
        RingConfig::new(16, 0).unwrap(),
        [("1", 1.0, ()), ("11", 1.0, ())],
    )
    .unwrap();
    let of = |id: &str| -> std::collections::BTreeSet<u32> {
        let idx = ring.iter().position(|n| n.id == id).unwrap();
        ring.points()
            .filter(|&(_, o)| o == idx)
            .map(|(p, _)| p)
            .collect()
    };
    let (one, eleven) = (of("1"), of("11"));
    assert_eq!((one.len(), eleven.len()), (16, 16));
    assert!(
        one.is_disjoint(&eleven),
        "nodes \"1\" and \"11\" share a point"
    );

    // The labels themselves, as SPEC.md defines them, are distinct across tricky ids.
    let mut labels = std::collections::HashSet::new();
    for id in [
        "1",
        "11",
        "111",
        "1\u{0}",
        "\u{0}1",
        "a",
        "a\u{0}\u{0}\u{0}\u{0}",
    ] {
        for i in 0u32..300 {
            let mut label = id.as_bytes().to_vec();
            label.extend_from_slice(&i.to_le_bytes());
            assert!(labels.insert(label), "label of ({id:?}, {i}) repeats");
        }
    }
}

#[test]
fn vnode_positions_are_the_rings_points() {
    let config = RingConfig::new(7, 42).unwrap();
    let mut ring = HashRing::with_config(config);
    ring.add_weighted("α-node", 2.0, ()).unwrap();
    ring.add("b", ()).unwrap();
    let mut expected: Vec<u32> = (0..14)
        .map(|v| config.vnode_position("α-node", v))
        .chain((0..7).map(|v| config.vnode_position("b", v)))
        .collect();
    expected.sort_unstable();
    let points: Vec<u32> = ring.points().map(|(p, _)| p).collect();
    assert_eq!(points, expected);
}

#[test]
fn every_change_bumps_the_version_and_no_refusal_does() {
    let mut ring = three();
    let mut seen = vec![ring.version()];
    let mut changed = |ring: &HashRing<&'static str>| {
        assert!(
            ring.version() > *seen.last().unwrap(),
            "version did not grow"
        );
        seen.push(ring.version());
    };
    ring.add("d", "addr-d").unwrap();
    changed(&ring);
    ring.add_weighted("e", 0.5, "addr-e").unwrap();
    changed(&ring);
    ring.add_all([("f", 1.0, "f"), ("g", 2.0, "g")]).unwrap();
    changed(&ring);
    ring.set_weight("a", 3.0).unwrap();
    changed(&ring);
    // The same weight again still counts as a change: the call replaced the node's points.
    ring.set_weight("a", 3.0).unwrap();
    changed(&ring);
    assert_eq!(ring.remove("b"), Some("addr-b"));
    changed(&ring);
    *ring.data_mut("c").unwrap() = "moved";
    changed(&ring);

    let v = ring.version();
    assert!(ring.add("a", "again").is_err());
    assert!(ring.add("", "x").is_err());
    assert!(ring.add_weighted("x", f64::NAN, "x").is_err());
    assert!(ring.set_weight("nope", 1.0).is_err());
    assert!(ring.set_weight("a", -1.0).is_err());
    assert_eq!(ring.remove("nope"), None);
    assert!(ring.data_mut("nope").is_none());
    ring.add_all(std::iter::empty()).unwrap();
    assert_eq!(
        ring.version(),
        v,
        "refusals and no-ops leave the version alone"
    );
    // Reads do not count.
    let _ = (
        ring.get("k"),
        ring.get_n("k", 3),
        ring.shares(),
        ring.fingerprint(),
    );
    assert_eq!(ring.version(), v);
    // A clone starts where its original is, and the two then move apart.
    let mut copy = ring.clone();
    assert_eq!(copy.version(), v);
    copy.add("z", "z").unwrap();
    assert!(copy.version() > v);
    assert_eq!(ring.version(), v);
    assert_eq!(HashRing::<()>::new().version(), 0);
}

#[test]
fn every_error_has_its_own_stable_code() {
    let mut codes: Vec<&str> = RingError::ALL.iter().map(RingError::code).collect();
    assert_eq!(codes[0], "EMPTY_ID");
    assert!(codes
        .iter()
        .all(|c| c.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_')));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), RingError::ALL.len(), "codes are distinct");
    assert_eq!(RingError::DuplicateId.code(), "DUPLICATE_ID");
    assert_eq!(RingError::ShadowedNode.code(), "SHADOWED_NODE");
    assert_eq!(
        RingError::InvalidVnodes { vnodes: 7 }.code(),
        "INVALID_VNODES"
    );
}
