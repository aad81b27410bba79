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
        (r#"[]"#, "", "INVALID_TYPE", "invalid type: array, expected a ring snapshot"),
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
        (r#"{"servers": [{"id": 1.5}]}"#, "servers[0].id", "INVALID_ARGUMENT", "servers[0].id: must be a whole number from 0 to 9007199254740991"),
        (r#"{"servers": [{"id": 9007199254740992}]}"#, "servers[0].id", "INVALID_ARGUMENT", "must be a whole number from 0 to 9007199254740991"),
        (r#"{"servers": [{"id": 18446744073709551615}]}"#, "servers[0].id", "INVALID_ARGUMENT", "must be a whole number from 0 to 9007199254740991"),
        (r#"{"servers": [{"id": 1e300}]}"#, "servers[0].id", "INVALID_ARGUMENT", "must be a whole number from 0 to 9007199254740991"),
        (r#"{"servers": [{"id": true}]}"#, "servers[0].id", "INVALID_TYPE", "servers[0].id: invalid type: boolean `true`"),
        (r#"{"servers": [{"id": "a", "address": 5}]}"#, "servers[0].address", "INVALID_TYPE", "servers[0].address: invalid type: integer `5`"),
        (r#"{"servers": [{"address": "x"}]}"#, "servers[0]", "INVALID_TYPE", "servers[0]: missing field `id`"),
        (r#"{"servers": [{"id": "a", "wieght": 2}]}"#, "servers[0].wieght", "INVALID_TYPE", "unknown field `wieght`"),
        (r#"{"servers": [{"id": "a", "id": "b"}]}"#, "servers[0].id", "INVALID_TYPE", "duplicate field `servers[0].id`"),
        (r#"{"servers": [7]}"#, "servers[0]", "INVALID_TYPE", "servers[0]: invalid type: integer `7`"),
        (r#"{"servers": [], "vnodes": 0}"#, "vnodes", "INVALID_VNODES", "vnodes: vnodes must be a whole number from 1 to 65536, got 0"),
        (r#"{"servers": [], "vnodes": 65537}"#, "vnodes", "INVALID_VNODES", "got 65537"),
        (r#"{"servers": [], "vnodes": 1099511627776}"#, "vnodes", "INVALID_VNODES", "vnodes must be a whole number from 1 to 65536, got 1099511627776"),
        // vnodes follows the JS argument rule: any number that is no valid count.
        (r#"{"servers": [], "vnodes": -1}"#, "vnodes", "INVALID_VNODES", "vnodes: vnodes must be a whole number from 1 to 65536, got -1"),
        (r#"{"servers": [], "vnodes": 1.5}"#, "vnodes", "INVALID_VNODES", "vnodes: vnodes must be a whole number from 1 to 65536"),
        (r#"{"servers": [], "vnodes": 9007199254740992}"#, "vnodes", "INVALID_VNODES", "from 1 to 65536"),
        (r#"{"servers": [], "seed": -1}"#, "seed", "INVALID_ARGUMENT", "seed: must be a whole number from 0 to 4294967295, got -1"),
        (r#"{"servers": [], "seed": 4294967296}"#, "seed", "INVALID_ARGUMENT", "got 4294967296"),
        (r#"{"servers": [], "epoch": "x"}"#, "epoch", "INVALID_TYPE", "epoch: invalid type"),
        (r#"{"servers": [], "epoch": 9007199254740992}"#, "epoch", "INVALID_ARGUMENT", "epoch: must be a whole number from 0 to 9007199254740991"),
        (r#"{"servers": [], "version": 2}"#, "version", "UNSUPPORTED_VERSION", "version: this build reads snapshot version 1, not 2"),
        (r#"{"servers": [], "version": 1.5}"#, "version", "INVALID_ARGUMENT", "version: must be a whole number from 0 to 9007199254740991"),
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

// ---- The one parser over plain values: `Snapshot::from_value` ----

mod doc_value {
    use proptest::prelude::*;
    use proptest::test_runner::RngSeed;
    use ringroute::{
        DocValue, RingError, Snapshot, SnapshotError, MAX_DOCUMENT_INTEGER, MAX_NODES,
    };
    use serde_json::Value;

    fn num(n: f64) -> DocValue {
        DocValue::Number(n)
    }
    fn text(s: &str) -> DocValue {
        DocValue::String(s.into())
    }
    fn obj(entries: &[(&str, DocValue)]) -> DocValue {
        DocValue::Object(
            entries
                .iter()
                .map(|(k, v)| ((*k).into(), v.clone()))
                .collect(),
        )
    }
    fn servers(list: &[DocValue]) -> DocValue {
        obj(&[("servers", DocValue::Array(list.to_vec()))])
    }
    fn id(s: &str) -> DocValue {
        obj(&[("id", text(s))])
    }
    fn refused(doc: &DocValue) -> SnapshotError {
        Snapshot::from_value(doc).expect_err("a refused document")
    }
    /// (field, code) of a refusal.
    fn at(doc: &DocValue) -> (String, &'static str) {
        let e = refused(doc);
        (e.field.clone(), e.code())
    }

    #[test]
    fn each_rule_is_refused_at_its_field_with_its_code() {
        let lossy = DocValue::LossyString("x\u{fffd}".into());
        let cases: Vec<(DocValue, &str, &str)> = vec![
            (DocValue::Array(vec![]), "", "INVALID_TYPE"),
            (DocValue::Null, "", "INVALID_TYPE"),
            (obj(&[]), "servers", "INVALID_TYPE"),
            (obj(&[("servers", num(3.0))]), "servers", "INVALID_TYPE"),
            (
                obj(&[("servers", DocValue::Array(vec![])), ("x", num(1.0))]),
                "x",
                "INVALID_TYPE",
            ),
            (servers(&[num(7.0)]), "servers[0]", "INVALID_TYPE"),
            (
                servers(&[obj(&[("address", text("a"))])]),
                "servers[0]",
                "INVALID_TYPE",
            ),
            (
                servers(&[obj(&[("id", text("a")), ("id", text("b"))])]),
                "servers[0].id",
                "INVALID_TYPE",
            ),
            (
                servers(&[obj(&[("id", text("a")), ("wieght", num(2.0))])]),
                "servers[0].wieght",
                "INVALID_TYPE",
            ),
            (
                servers(&[obj(&[("id", DocValue::Bool(true))])]),
                "servers[0].id",
                "INVALID_TYPE",
            ),
            (
                servers(&[obj(&[("id", DocValue::Other("bigint"))])]),
                "servers[0].id",
                "INVALID_TYPE",
            ),
            (
                servers(&[obj(&[("id", text("a")), ("address", num(5.0))])]),
                "servers[0].address",
                "INVALID_TYPE",
            ),
            (
                servers(&[obj(&[("id", text("a")), ("weight", text("2"))])]),
                "servers[0].weight",
                "INVALID_TYPE",
            ),
            (
                servers(&[obj(&[("id", text("a")), ("weight", DocValue::Null)])]),
                "servers[0].weight",
                "INVALID_TYPE",
            ),
            (
                servers(&[obj(&[("id", num(-1.0))])]),
                "servers[0].id",
                "INVALID_ARGUMENT",
            ),
            (
                servers(&[obj(&[("id", num(0.5))])]),
                "servers[0].id",
                "INVALID_ARGUMENT",
            ),
            (
                servers(&[obj(&[("id", num(f64::NAN))])]),
                "servers[0].id",
                "INVALID_ARGUMENT",
            ),
            (
                servers(&[obj(&[("id", lossy.clone())])]),
                "servers[0].id",
                "INVALID_ID",
            ),
            (servers(&[id("")]), "servers[0].id", "EMPTY_ID"),
            (
                servers(&[id(&"x".repeat(4097))]),
                "servers[0].id",
                "ID_TOO_LONG",
            ),
            (
                servers(&[id("a"), id("a")]),
                "servers[1].id",
                "DUPLICATE_ID",
            ),
            (
                servers(&[obj(&[("id", num(0.0))]), id("0")]),
                "servers[1].id",
                "DUPLICATE_ID",
            ),
            (
                servers(&[obj(&[("id", text("a")), ("weight", num(0.0))])]),
                "servers[0].weight",
                "INVALID_WEIGHT",
            ),
            (
                servers(&[obj(&[("id", text("a")), ("weight", num(f64::INFINITY))])]),
                "servers[0].weight",
                "INVALID_WEIGHT",
            ),
            (
                servers(&[obj(&[("id", text("a")), ("weight", num(1e300))])]),
                "servers[0].weight",
                "WEIGHT_TOO_LARGE",
            ),
            (
                obj(&[
                    ("vnodes", num(1.0)),
                    (
                        "servers",
                        DocValue::Array(
                            (0..17)
                                .map(|i| {
                                    obj(&[("id", text(&i.to_string())), ("weight", num(1048576.0))])
                                })
                                .collect(),
                        ),
                    ),
                ]),
                "servers",
                "TOO_MANY_POINTS",
            ),
            (
                obj(&[("servers", DocValue::Array(vec![])), ("version", num(2.0))]),
                "version",
                "UNSUPPORTED_VERSION",
            ),
            (
                obj(&[("servers", DocValue::Array(vec![])), ("version", num(0.0))]),
                "version",
                "UNSUPPORTED_VERSION",
            ),
            (
                obj(&[("servers", DocValue::Array(vec![])), ("version", num(1.5))]),
                "version",
                "INVALID_ARGUMENT",
            ),
            (
                obj(&[("servers", DocValue::Array(vec![])), ("vnodes", num(0.0))]),
                "vnodes",
                "INVALID_VNODES",
            ),
            (
                obj(&[
                    ("servers", DocValue::Array(vec![])),
                    ("vnodes", num(65537.0)),
                ]),
                "vnodes",
                "INVALID_VNODES",
            ),
            (
                obj(&[("servers", DocValue::Array(vec![])), ("vnodes", num(-1.0))]),
                "vnodes",
                "INVALID_VNODES",
            ),
            (
                obj(&[
                    ("servers", DocValue::Array(vec![])),
                    ("vnodes", num(f64::NAN)),
                ]),
                "vnodes",
                "INVALID_VNODES",
            ),
            (
                obj(&[
                    ("servers", DocValue::Array(vec![])),
                    ("seed", num(4294967296.0)),
                ]),
                "seed",
                "INVALID_ARGUMENT",
            ),
            (
                obj(&[
                    ("servers", DocValue::Array(vec![])),
                    ("seed", num(1.0)),
                    ("seed", num(1.0)),
                ]),
                "seed",
                "INVALID_TYPE",
            ),
            (
                obj(&[
                    ("epoch", num(1.0)),
                    ("epoch", num(1.0)),
                    ("servers", DocValue::Array(vec![])),
                ]),
                "epoch",
                "INVALID_TYPE",
            ),
            (
                obj(&[
                    ("servers", DocValue::Array(vec![])),
                    ("servers", DocValue::Array(vec![])),
                ]),
                "servers",
                "INVALID_TYPE",
            ),
            (
                obj(&[("servers", DocValue::Array(vec![])), ("epoch", text("x"))]),
                "epoch",
                "INVALID_TYPE",
            ),
        ];
        for (doc, field, code) in cases {
            assert_eq!(at(&doc), (field.to_owned(), code), "{doc:?}");
        }
        // A lone-surrogate address reads as its replacement, as before.
        let snap = Snapshot::from_value(&servers(&[obj(&[("id", text("a")), ("address", lossy)])]))
            .unwrap();
        assert_eq!(snap.servers[0].address.as_deref(), Some("x\u{fffd}"));
        // The INVALID_ID refusal is a type error to Rust, with its own code.
        let e = refused(&servers(&[obj(&[(
            "id",
            DocValue::LossyString("\u{fffd}".into()),
        )])]));
        assert_eq!(
            (e.error, e.error.code(), e.code()),
            (RingError::InvalidType, "INVALID_TYPE", "INVALID_ID")
        );
    }

    #[test]
    fn defaults_absent_fields_and_null_addresses() {
        let snap = Snapshot::from_value(&servers(&[
            obj(&[("id", num(3.0)), ("address", DocValue::Null)]),
            obj(&[
                ("weight", num(2.5)),
                ("id", text("b")),
                ("address", text("h:1")),
            ]),
        ]))
        .unwrap();
        assert_eq!(
            (snap.epoch, snap.config.vnodes(), snap.config.seed()),
            (0, 1024, 0)
        );
        assert_eq!(snap.servers[0].id, "3");
        assert_eq!(
            (snap.servers[0].address.as_deref(), snap.servers[0].weight),
            (None, 1.0)
        );
        assert_eq!(
            (snap.servers[1].address.as_deref(), snap.servers[1].weight),
            (Some("h:1"), 2.5)
        );
    }

    #[test]
    fn the_first_fault_in_document_order_wins() {
        let x = text("x");
        let empty = DocValue::Array(vec![]);
        assert_eq!(
            at(&obj(&[
                ("seed", x.clone()),
                ("vnodes", num(0.0)),
                ("servers", empty.clone())
            ])),
            ("seed".into(), "INVALID_TYPE")
        );
        assert_eq!(
            at(&obj(&[
                ("vnodes", num(0.0)),
                ("seed", x.clone()),
                ("servers", empty.clone())
            ])),
            ("vnodes".into(), "INVALID_VNODES")
        );
        // A type fault after the servers wins over their membership faults: those run last.
        assert_eq!(
            at(&obj(&[
                ("servers", DocValue::Array(vec![id(""), id("")])),
                ("epoch", x.clone())
            ])),
            ("epoch".into(), "INVALID_TYPE")
        );
        // Missing servers comes after every field's own fault.
        assert_eq!(
            at(&obj(&[("vnodes", num(0.0))])),
            ("vnodes".into(), "INVALID_VNODES")
        );
        // Membership: the first offending server in document order, whatever its rule.
        let weight0 = obj(&[("id", text("a")), ("weight", num(0.0))]);
        assert_eq!(
            at(&servers(&[id("b"), weight0.clone(), id("b")])),
            ("servers[1].weight".into(), "INVALID_WEIGHT")
        );
        assert_eq!(
            at(&servers(&[id("b"), id("a"), id("b"), id("a")])),
            ("servers[2].id".into(), "DUPLICATE_ID")
        );
        // A type fault in a later server wins over a membership fault in an earlier one.
        assert_eq!(
            at(&servers(&[weight0.clone(), num(7.0)])),
            ("servers[1]".into(), "INVALID_TYPE")
        );
        // A lone-surrogate id is a type fault: in document order among them.
        let lossy = obj(&[("id", DocValue::LossyString("\u{fffd}".into()))]);
        assert_eq!(
            at(&servers(&[weight0.clone(), lossy.clone()])),
            ("servers[1].id".into(), "INVALID_ID")
        );
        assert_eq!(
            at(&servers(&[lossy, num(7.0)])),
            ("servers[0].id".into(), "INVALID_ID")
        );
        // Within a server, its fields in their order; a missing id when the object ends.
        assert_eq!(
            at(&servers(&[obj(&[
                ("weight", x.clone()),
                ("id", DocValue::Null)
            ])])),
            ("servers[0].weight".into(), "INVALID_TYPE")
        );
        assert_eq!(
            at(&servers(&[obj(&[("weight", num(0.0))])])),
            ("servers[0]".into(), "INVALID_TYPE")
        );
        // Too many servers: refused at element MAX_NODES + 1, after the faults before it.
        let many: Vec<DocValue> = (0..=MAX_NODES).map(|i| id(&i.to_string())).collect();
        assert_eq!(at(&servers(&many)), ("servers".into(), "TOO_MANY_NODES"));
        let mut bad_first = many.clone();
        bad_first[MAX_NODES] = num(1.0);
        assert_eq!(
            at(&servers(&bad_first)),
            (format!("servers[{MAX_NODES}]"), "INVALID_TYPE")
        );
        let mut bad_after = many;
        bad_after.push(num(1.0));
        assert_eq!(
            at(&servers(&bad_after)),
            ("servers".into(), "TOO_MANY_NODES")
        );
    }

    #[test]
    fn integers_stop_at_2_pow_53_minus_1() {
        let max = MAX_DOCUMENT_INTEGER as f64;
        let snap = Snapshot::from_value(&obj(&[
            ("epoch", num(max)),
            ("servers", DocValue::Array(vec![obj(&[("id", num(max))])])),
        ]))
        .unwrap();
        assert_eq!(
            (snap.epoch, snap.servers[0].id.as_str()),
            (MAX_DOCUMENT_INTEGER, "9007199254740991")
        );
        for n in [
            max + 1.0,
            2f64.powi(64),
            -1.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let doc = obj(&[("epoch", num(n)), ("servers", DocValue::Array(vec![]))]);
            assert_eq!(at(&doc), ("epoch".into(), "INVALID_ARGUMENT"), "{n}");
        }
        // From JSON text: 2^53 + 1 rounds to 2^53 as a double, never into range.
        for text in [
            "9007199254740992",
            "9007199254740993",
            "18446744073709551615",
            "-9223372036854775808",
        ] {
            let json = format!(r#"{{"servers": [{{"id": {text}}}]}}"#);
            let e = Snapshot::from_deserializer(&mut serde_json::Deserializer::from_str(&json))
                .unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.code()),
                ("servers[0].id", "INVALID_ARGUMENT"),
                "{json}"
            );
        }
        let ok = r#"{"epoch": 9007199254740991, "servers": [{"id": 9007199254740991}]}"#;
        let snap =
            Snapshot::from_deserializer(&mut serde_json::Deserializer::from_str(ok)).unwrap();
        assert_eq!(
            (snap.epoch, snap.servers[0].id.as_str()),
            (MAX_DOCUMENT_INTEGER, "9007199254740991")
        );
    }

    /// Messages echo numbers only as exact integers: no float formatting.
    #[test]
    fn messages_never_print_a_float() {
        let message = |n: f64| {
            refused(&obj(&[
                ("epoch", num(n)),
                ("servers", DocValue::Array(vec![])),
            ]))
            .to_string()
        };
        let plain = "epoch: must be a whole number from 0 to 9007199254740991";
        assert_eq!(message(1.5), plain);
        assert_eq!(message(1e300), plain);
        assert_eq!(message(2f64.powi(53)), plain);
        assert_eq!(message(-4.0), format!("{plain}, got -4"));
        assert_eq!(message(f64::NAN), format!("{plain}, got NaN"));
        assert_eq!(
            message(f64::NEG_INFINITY),
            format!("{plain}, got -Infinity")
        );
        let e = refused(&servers(&[obj(&[
            ("id", text("a")),
            ("address", num(0.25)),
        ])]));
        assert_eq!(
            e.to_string(),
            "servers[0].address: invalid type: number, expected a string or null"
        );
        let e = refused(&servers(&[
            obj(&[("id", text(&"long".repeat(20)))]),
            num(2.0),
        ]));
        assert_eq!(
            e.to_string(),
            "servers[1]: invalid type: integer `2`, expected a server object with an \"id\""
        );
    }

    /// The parser looks no deeper and no further than `DocValue`'s bounds, so front ends
    /// may stop there: emptying deeper containers and dropping later entries and
    /// elements changes no result.
    #[test]
    fn the_read_bounds_change_no_result() {
        let deep = obj(&[("a", DocValue::Array(vec![DocValue::Array(vec![num(1.0)])]))]);
        for doc in [
            servers(&[obj(&[("id", deep.clone())])]),
            servers(&[DocValue::Array(vec![deep.clone()])]),
            obj(&[
                ("epoch", deep.clone()),
                ("servers", DocValue::Array(vec![])),
            ]),
            obj(&[(
                "servers",
                DocValue::Array(vec![obj(&[("id", text("a")), ("extra", deep.clone())])]),
            )]),
        ] {
            assert_eq!(
                Snapshot::from_value(&doc),
                Snapshot::from_value(&bounded(&doc, 0)),
                "{doc:?}"
            );
            assert_eq!(refused(&doc).code(), "INVALID_TYPE");
        }
        let seven = obj(&[
            ("version", num(1.0)),
            ("epoch", num(1.0)),
            ("vnodes", num(8.0)),
            ("seed", num(1.0)),
            ("servers", DocValue::Array(vec![])),
            ("zz", num(1.0)),
            ("yy", num(1.0)),
        ]);
        assert_eq!(at(&seven), ("zz".into(), "INVALID_TYPE"));
        assert_eq!(
            Snapshot::from_value(&seven),
            Snapshot::from_value(&bounded(&seven, 0))
        );
        let over: Vec<DocValue> = (0..MAX_NODES + 3).map(|i| id(&i.to_string())).collect();
        let doc = servers(&over);
        assert_eq!(
            Snapshot::from_value(&doc),
            Snapshot::from_value(&bounded(&doc, 0))
        );
    }

    /// `doc` as a front end may pass it: within `DocValue`'s read bounds.
    fn bounded(doc: &DocValue, depth: usize) -> DocValue {
        let inner = depth < DocValue::MAX_DEPTH;
        match doc {
            DocValue::Array(items) => DocValue::Array(if inner {
                items
                    .iter()
                    .take(DocValue::ARRAY_ELEMENTS_READ)
                    .map(|v| bounded(v, depth + 1))
                    .collect()
            } else {
                vec![]
            }),
            DocValue::Object(entries) => DocValue::Object(if inner {
                entries
                    .iter()
                    .take(DocValue::OBJECT_ENTRIES_READ)
                    .map(|(k, v)| (k.clone(), bounded(v, depth + 1)))
                    .collect()
            } else {
                vec![]
            }),
            other => other.clone(),
        }
    }

    /// A JSON value as plain values, written independently of the serde front end.
    fn plain(v: &Value) -> DocValue {
        match v {
            Value::Null => DocValue::Null,
            Value::Bool(b) => DocValue::Bool(*b),
            Value::Number(n) => DocValue::Number(n.as_f64().unwrap()),
            Value::String(s) => DocValue::String(s.clone()),
            Value::Array(items) => DocValue::Array(items.iter().map(plain).collect()),
            Value::Object(m) => {
                DocValue::Object(m.iter().map(|(k, v)| (k.clone(), plain(v))).collect())
            }
        }
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            prop_oneof![
                Just(0u64),
                Just(1),
                Just(2),
                Just(7),
                Just(160),
                Just(65536),
                Just(65537),
                Just(4294967295),
                Just(4294967296),
                Just(MAX_DOCUMENT_INTEGER),
                Just(MAX_DOCUMENT_INTEGER + 1),
                Just(MAX_DOCUMENT_INTEGER + 2),
                Just(u64::MAX)
            ]
            .prop_map(Value::from),
            prop_oneof![Just(-1i64), Just(i64::MIN)].prop_map(Value::from),
            prop_oneof![
                Just(0.5f64),
                Just(1.0),
                Just(2.5),
                Just(1e300),
                Just(-0.0),
                Just(1e-300)
            ]
            .prop_map(Value::from),
            prop_oneof![Just(""), Just("a"), Just("b"), Just("0"), Just("x")].prop_map(Value::from),
        ]
    }

    fn any_value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(5, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec(
                    (
                        prop_oneof![
                            Just("id"),
                            Just("weight"),
                            Just("address"),
                            Just("servers"),
                            Just("epoch"),
                            Just("q")
                        ],
                        inner
                    ),
                    0..4
                )
                .prop_map(|kv| Value::Object(
                    kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
                )),
            ]
        })
    }

    /// Documents near validity: servers of any shape, optional fields of any value.
    fn document() -> impl Strategy<Value = Value> {
        let weight = prop_oneof![3 => prop_oneof![Just(1.0), Just(2.5), Just(0.5), Just(0.0), Just(-1.0)].prop_map(Value::from), 1 => any_value()];
        let address = prop_oneof![3 => Just(Value::from("h:1")), 1 => any_value()];
        let server = prop_oneof![
            4 => (proptest::option::of(weight), proptest::option::of(address), prop_oneof![Just("a"), Just("b"), Just("c"), Just("")])
                .prop_map(|(w, a, id)| {
                    let mut m = serde_json::Map::new();
                    m.insert("id".into(), Value::from(id));
                    if let Some(w) = w { m.insert("weight".into(), w); }
                    if let Some(a) = a { m.insert("address".into(), a); }
                    Value::Object(m)
                }),
            1 => any_value(),
        ];
        let field = |name: &'static str, valid: u64, odds: u32| {
            proptest::option::of(
                prop_oneof![odds => Just(Value::from(valid)), 2 => leaf(), 1 => any_value()],
            )
            .prop_map(move |v| (name, v))
        };
        (
            proptest::collection::vec(server, 0..4),
            field("version", 1, 6),
            field("epoch", 7, 6),
            field("vnodes", 16, 6),
            field("seed", 2, 6),
            proptest::option::of(field("extra", 0, 0)),
            any::<bool>(),
        )
            .prop_map(
                |(servers, version, epoch, vnodes, seed, extra, servers_first)| {
                    let mut m = serde_json::Map::new();
                    if servers_first {
                        m.insert("servers".into(), Value::Array(servers.clone()));
                    }
                    for (name, v) in [
                        version,
                        epoch,
                        vnodes,
                        seed,
                        extra.unwrap_or(("extra", None)),
                    ] {
                        if let Some(v) = v {
                            m.insert(name.into(), v);
                        }
                    }
                    if !servers_first {
                        m.insert("servers".into(), Value::Array(servers));
                    }
                    Value::Object(m)
                },
            )
    }

    /// The serde front end and the plain-value path: the same snapshot or the same error.
    fn agree(doc: &Value) -> Result<(), TestCaseError> {
        let direct = Snapshot::from_value(&plain(doc));
        prop_assert_eq!(
            &Snapshot::from_deserializer(doc.clone()),
            &direct,
            "{}",
            doc
        );
        let text = doc.to_string();
        prop_assert_eq!(
            &Snapshot::from_deserializer(&mut serde_json::Deserializer::from_str(&text)),
            &direct,
            "{}",
            text
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, rng_seed: RngSeed::Fixed(0xd0c_5a1e), ..ProptestConfig::default() })]

        #[test]
        fn serde_and_plain_values_agree_on_documents(doc in document()) {
            agree(&doc)?;
        }

        #[test]
        fn serde_and_plain_values_agree_on_any_value(doc in any_value()) {
            agree(&doc)?;
        }
    }

    /// The generators reach both sides: valid documents and each kind of refusal.
    #[test]
    fn the_generated_documents_cover_valid_and_refused() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let mut codes = std::collections::BTreeSet::new();
        let mut valid = 0;
        for _ in 0..2_000 {
            let doc = document().new_tree(&mut runner).unwrap().current();
            match Snapshot::from_value(&plain(&doc)) {
                Ok(_) => valid += 1,
                Err(e) => {
                    codes.insert(e.code());
                }
            }
        }
        assert!(valid > 50, "{valid} valid documents");
        for code in [
            "INVALID_TYPE",
            "INVALID_ARGUMENT",
            "UNSUPPORTED_VERSION",
            "INVALID_VNODES",
            "EMPTY_ID",
            "DUPLICATE_ID",
            "INVALID_WEIGHT",
        ] {
            assert!(codes.contains(code), "{code} never generated: {codes:?}");
        }
    }
}
