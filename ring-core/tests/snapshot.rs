//! Membership snapshots: the seeds' metadata loads, documents round-trip exactly, the
//! loaded ring has the writer's fingerprint, and every error names its field.
#![cfg(feature = "serde")]

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use ringroute::{HashRing, RingConfig, Snapshot, DEFAULT_VNODES};

#[test]
fn the_seed_metadata_loads_as_is() {
    let doc = r#"{"servers": [{"id": 0, "address": "ws-server-0"}, {"id": 1, "address": "ws-server-1"}, {"id": "ws-2"}, {"id": 3.0}]}"#;
    let snap: Snapshot = serde_json::from_str(doc).unwrap();
    assert_eq!(snap.epoch, 0);
    assert_eq!(snap.config, RingConfig::default());
    let ids: Vec<&str> = snap.servers.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["0", "1", "ws-2", "3"]);
    assert!(snap.servers.iter().all(|s| s.weight == 1.0));
    let ring = snap.to_ring().unwrap();
    assert_eq!(ring.node("1").unwrap().data.as_deref(), Some("ws-server-1"));
    assert_eq!(ring.node("ws-2").unwrap().data, &None);
    assert_eq!(ring.config().vnodes(), DEFAULT_VNODES);
}

#[test]
fn documents_round_trip_exactly() {
    let doc = r#"{"version":1,"epoch":42,"vnodes":160,"seed":7,"servers":[{"id":"a","address":"10.0.0.1:80","weight":2.5},{"id":"ünï","weight":0.1}]}"#;
    let snap: Snapshot = serde_json::from_str(doc).unwrap();
    assert_eq!(serde_json::to_string(&snap).unwrap(), doc);
    let again: Snapshot = serde_json::from_str(&serde_json::to_string(&snap).unwrap()).unwrap();
    assert_eq!(again, snap);
}

/// The parse error, or else the validation error, of a document.
fn error(doc: &str) -> String {
    match serde_json::from_str::<Snapshot>(doc) {
        Err(e) => e.to_string(),
        Ok(snap) => snap.to_ring().expect_err("an invalid document").to_string(),
    }
}

#[test]
fn every_error_names_its_field() {
    let cases = [
        (r#"{}"#, "missing field `servers`"),
        (r#"{"servers": 3}"#, "invalid type: integer `3`, expected an array of {\"id\", \"address\", \"weight\"} objects in servers"),
        (r#"{"servers": [{"id": "a", "weight": "heavy"}]}"#, "servers[0].weight: invalid type: string \"heavy\""),
        (r#"{"servers": [{"id": "a"}, {"id": "b", "weight": -1}]}"#, "servers[1].weight: weight must be a finite number greater than zero"),
        (r#"{"servers": [{"id": "a"}, {"id": "b", "weight": 0}]}"#, "servers[1].weight:"),
        (r#"{"servers": [{"id": "a", "weight": 1e300}]}"#, "servers[0].weight: weight gives more than"),
        (r#"{"servers": [{"id": ""}]}"#, "servers[0].id: node id is empty"),
        (r#"{"servers": [{"id": "a"}, {"id": "a"}]}"#, "servers[1].id: a node with this id is already on the ring"),
        (r#"{"servers": [{"id": 0}, {"id": "0"}]}"#, "servers[1].id: a node with this id is already on the ring"),
        (r#"{"servers": [{"id": -4}]}"#, "servers[0].id: invalid value: integer `-4`"),
        (r#"{"servers": [{"id": true}]}"#, "servers[0].id: invalid type: boolean `true`"),
        (r#"{"servers": [{"address": "x"}]}"#, "servers[0]: missing field `id`"),
        (r#"{"servers": [{"id": "a", "wieght": 2}]}"#, "servers[0]: unknown field `wieght`"),
        (r#"{"servers": [], "vnodes": 0}"#, "vnodes: vnodes must be between 1 and 65536, got 0"),
        (r#"{"servers": [], "seed": -1}"#, "seed: invalid value"),
        (r#"{"servers": [], "epoch": "x"}"#, "epoch: invalid type"),
        (r#"{"servers": [], "version": 2}"#, "version: this build reads snapshot version 1, not 2"),
        (r#"{"servers": [], "extra": 1}"#, "unknown field `extra`"),
    ];
    for (doc, want) in cases {
        let got = error(doc);
        assert!(got.contains(want), "{doc}\n  got:  {got}\n  want: {want}");
    }
}

#[test]
fn hand_built_snapshots_are_validated_too() {
    let mut snap: Snapshot = serde_json::from_str(r#"{"servers": [{"id": "a"}]}"#).unwrap();
    snap.servers[0].weight = f64::NAN;
    let err = snap.to_ring().unwrap_err();
    assert_eq!(
        err.to_string(),
        "servers[0].weight: weight must be a finite number greater than zero"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, rng_seed: RngSeed::Fixed(0x5a95_2026), ..ProptestConfig::default() })]

    /// Any ring, written and read back through JSON, routes identically.
    #[test]
    fn a_loaded_ring_has_the_writers_fingerprint(
        vnodes in 1u32..200,
        seed in any::<u32>(),
        epoch in any::<u64>(),
        nodes in proptest::collection::btree_map("[a-zé🚀 0-9]{1,8}", (0.01f64..50.0, proptest::option::of("[a-z0-9.:]{1,12}")), 0..12),
    ) {
        let ring = HashRing::from_nodes(
            RingConfig::new(vnodes, seed).unwrap(),
            nodes.iter().map(|(id, (w, addr))| (id.as_str(), *w, addr.clone())),
        ).unwrap();
        let snap = Snapshot::from_ring(&ring, epoch, Clone::clone);
        let json = serde_json::to_string(&snap).unwrap();
        let back: Snapshot = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &snap);
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), json);
        let loaded = back.to_ring().unwrap();
        prop_assert_eq!(loaded.fingerprint(), ring.fingerprint());
        for n in ring.iter() {
            prop_assert_eq!(loaded.node(n.id).unwrap().data, n.data);
        }
    }
}
