//! Membership snapshots: the seeds' metadata loads, documents round-trip exactly, the
//! loaded ring has the writer's fingerprint, and every error names its field.
#![cfg(feature = "serde")]

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use ringroute::{HashRing, RingConfig, Snapshot, SnapshotError, DEFAULT_VNODES};

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

/// The parse error, or else the ring-building error, of a document.
fn error(doc: &str) -> String {
    match serde_json::from_str::<Snapshot>(doc) {
        Err(e) => e.to_string(),
        Ok(snap) => snap.to_ring().expect_err("an invalid document").to_string(),
    }
}

/// The structured error of a document: field and code.
fn refusal(doc: &str) -> SnapshotError {
    let mut de = serde_json::Deserializer::from_str(doc);
    Snapshot::from_deserializer(&mut de).expect_err(doc)
}

#[test]
fn every_error_names_its_field_and_code() {
    let cases = [
        (r#"{}"#, "servers", "INVALID_TYPE", "missing field `servers`"),
        (r#"[]"#, "", "INVALID_TYPE", "invalid type: sequence, expected a ring snapshot"),
        (r#"{"servers": 3}"#, "servers", "INVALID_TYPE", "invalid type: integer `3`, expected an array of {\"id\", \"address\", \"weight\"} objects in servers"),
        (r#"{"servers": [{"id": "a", "weight": "heavy"}]}"#, "servers[0].weight", "INVALID_TYPE", "servers[0].weight: invalid type: string \"heavy\""),
        (r#"{"servers": [{"id": "a"}, {"id": "b", "weight": -1}]}"#, "servers[1].weight", "INVALID_WEIGHT", "servers[1].weight: weight must be a finite number greater than zero"),
        (r#"{"servers": [{"id": "a"}, {"id": "b", "weight": 0}]}"#, "servers[1].weight", "INVALID_WEIGHT", "servers[1].weight:"),
        (r#"{"servers": [{"id": "a", "weight": 1e300}]}"#, "servers[0].weight", "WEIGHT_TOO_LARGE", "servers[0].weight: weight gives more than"),
        (r#"{"servers": [{"id": ""}]}"#, "servers[0].id", "EMPTY_ID", "servers[0].id: node id is empty"),
        (r#"{"servers": [{"id": "a"}, {"id": "a"}]}"#, "servers[1].id", "DUPLICATE_ID", "servers[1].id: a node with this id is already on the ring"),
        (r#"{"servers": [{"id": 0}, {"id": "0"}]}"#, "servers[1].id", "DUPLICATE_ID", "servers[1].id: a node with this id is already on the ring"),
        // The first offending server in document order, whatever rule it breaks.
        (r#"{"servers": [{"id": "b"}, {"id": "a", "weight": 0}, {"id": "b"}]}"#, "servers[1].weight", "INVALID_WEIGHT", "servers[1].weight"),
        (r#"{"servers": [{"id": "b"}, {"id": "a"}, {"id": "b"}, {"id": "a"}]}"#, "servers[2].id", "DUPLICATE_ID", "servers[2].id"),
        (r#"{"servers": [{"id": -4}]}"#, "servers[0].id", "INVALID_ARGUMENT", "servers[0].id: must be a whole number from 0 to 9007199254740991, got -4"),
        (r#"{"servers": [{"id": 1.5}]}"#, "servers[0].id", "INVALID_ARGUMENT", "got 1.5"),
        (r#"{"servers": [{"id": 9007199254740992}]}"#, "servers[0].id", "INVALID_ARGUMENT", "got 9007199254740992"),
        (r#"{"servers": [{"id": 18446744073709551615}]}"#, "servers[0].id", "INVALID_ARGUMENT", "got 18446744073709551615"),
        (r#"{"servers": [{"id": 1e300}]}"#, "servers[0].id", "INVALID_ARGUMENT", "got 1e300"),
        (r#"{"servers": [{"id": true}]}"#, "servers[0].id", "INVALID_TYPE", "servers[0].id: invalid type: boolean `true`"),
        (r#"{"servers": [{"id": "a", "address": 5}]}"#, "servers[0].address", "INVALID_TYPE", "servers[0].address: invalid type: integer `5`"),
        (r#"{"servers": [{"address": "x"}]}"#, "servers[0]", "INVALID_TYPE", "servers[0]: missing field `id`"),
        (r#"{"servers": [{"id": "a", "wieght": 2}]}"#, "servers[0].wieght", "INVALID_TYPE", "unknown field `wieght`"),
        (r#"{"servers": [{"id": "a", "id": "b"}]}"#, "servers[0].id", "INVALID_TYPE", "duplicate field `servers[0].id`"),
        (r#"{"servers": [7]}"#, "servers[0]", "INVALID_TYPE", "servers[0]: invalid type: integer `7`"),
        (r#"{"servers": [], "vnodes": 0}"#, "vnodes", "INVALID_VNODES", "vnodes: vnodes must be a whole number from 1 to 65536, got 0"),
        (r#"{"servers": [], "vnodes": 65537}"#, "vnodes", "INVALID_VNODES", "got 65537"),
        (r#"{"servers": [], "vnodes": 1099511627776}"#, "vnodes", "INVALID_VNODES", "vnodes must be a whole number from 1 to 65536, got 1099511627776"),
        (r#"{"servers": [], "vnodes": -1}"#, "vnodes", "INVALID_ARGUMENT", "vnodes: must be a whole number from 0 to 9007199254740991, got -1"),
        (r#"{"servers": [], "vnodes": 1.5}"#, "vnodes", "INVALID_ARGUMENT", "got 1.5"),
        (r#"{"servers": [], "seed": -1}"#, "seed", "INVALID_ARGUMENT", "seed: must be a whole number from 0 to 4294967295, got -1"),
        (r#"{"servers": [], "seed": 4294967296}"#, "seed", "INVALID_ARGUMENT", "got 4294967296"),
        (r#"{"servers": [], "epoch": "x"}"#, "epoch", "INVALID_TYPE", "epoch: invalid type"),
        (r#"{"servers": [], "epoch": 9007199254740992}"#, "epoch", "INVALID_ARGUMENT", "epoch: must be a whole number from 0 to 9007199254740991, got 9007199254740992"),
        (r#"{"servers": [], "version": 2}"#, "version", "UNSUPPORTED_VERSION", "version: this build reads snapshot version 1, not 2"),
        (r#"{"servers": [], "version": 1.5}"#, "version", "INVALID_ARGUMENT", "got 1.5"),
        (r#"{"servers": [], "extra": 1}"#, "extra", "INVALID_TYPE", "unknown field `extra`"),
        (r#"{"servers": [], "seed": 1, "seed": 2}"#, "seed", "INVALID_TYPE", "duplicate field `seed`"),
        // Fields are checked in document order.
        (r#"{"seed": -1, "servers": 3}"#, "seed", "INVALID_ARGUMENT", "seed:"),
        (r#"{"servers": 3, "seed": -1}"#, "servers", "INVALID_TYPE", "servers:"),
    ];
    for (doc, field, code, want) in cases {
        let got = error(doc);
        assert!(got.contains(want), "{doc}\n  got:  {got}\n  want: {want}");
        let e = refusal(doc);
        assert_eq!(
            (e.field.as_str(), e.error.code()),
            (field, code),
            "{doc}: {e}"
        );
        assert!(
            e.to_string().contains(want),
            "{doc}\n  got:  {e}\n  want: {want}"
        );
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
        epoch in 0..=ringroute::MAX_DOCUMENT_INTEGER,
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

/// JS numbers reach the parser as doubles (serde-wasm-bindgen hands over whole safe
/// numbers as integers, others as doubles): both forms are read exactly up to 2^53 - 1.
#[test]
fn document_integers_may_arrive_as_doubles_up_to_2_pow_53_minus_1() {
    use ringroute::{RingError, MAX_DOCUMENT_INTEGER};
    use serde_json::json;
    assert_eq!(MAX_DOCUMENT_INTEGER, 9_007_199_254_740_991);
    let max = MAX_DOCUMENT_INTEGER as f64;
    let doc = json!({"version": 1.0, "epoch": max, "vnodes": 160.0, "seed": 4_294_967_295.0,
        "servers": [{"id": 0.0}, {"id": max, "weight": 2}, {"id": MAX_DOCUMENT_INTEGER}]});
    let e = Snapshot::from_deserializer(doc).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.error),
        ("servers[2].id", RingError::DuplicateId)
    );
    let doc = json!({"epoch": max, "vnodes": 160.0, "seed": 4_294_967_295.0,
        "servers": [{"id": 0.0}, {"id": max, "weight": 2}]});
    let snap = Snapshot::from_deserializer(doc).unwrap();
    assert_eq!(snap.epoch, MAX_DOCUMENT_INTEGER);
    assert_eq!(snap.config, RingConfig::new(160, u32::MAX).unwrap());
    let ids: Vec<&str> = snap.servers.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["0", "9007199254740991"]);
    // It writes back what it read: the largest epoch survives.
    let text = serde_json::to_string(&snap).unwrap();
    assert!(text.contains(r#""epoch":9007199254740991"#), "{text}");

    for bad in [2f64.powi(53), -1.0, 0.5, f64::MAX, -0.5] {
        for doc in [
            json!({"epoch": bad, "servers": []}),
            json!({"servers": [{"id": bad}]}),
        ] {
            let e = Snapshot::from_deserializer(doc.clone()).unwrap_err();
            assert_eq!(e.error, RingError::InvalidArgument, "{doc}: {e}");
        }
    }
    // A snapshot built by hand with a larger epoch is not written.
    let mut snap = snap;
    snap.epoch = MAX_DOCUMENT_INTEGER + 1;
    assert_eq!(
        snap.validate().unwrap_err().error,
        RingError::InvalidArgument
    );
    let err = serde_json::to_string(&snap).unwrap_err().to_string();
    assert!(err.contains("epoch"), "{err}");
}
