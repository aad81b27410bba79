//! Fuzz-style property tests (no nightly toolchain here, so proptest with fuzzer-like
//! generators): hostile input to every constructor and mutator, `diff`, `Transition`,
//! `BoundedLoads` and the membership-document parser. Three checks throughout:
//! - nothing panics;
//! - every refusal is the specific `RingError` a small model predicts from the stated
//!   rules and their precedence;
//! - a refused call leaves the instance exactly as it was (fingerprint, version, members).
//!
//! CI-sized by default (a few seconds). Longer: `PROPTEST_CASES=20000 cargo test -p
//! ringroute --all-features --test fuzz`; another stream of cases:
//! `PROPTEST_RNG_SEED=<n>`.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use ringroute::{
    diff, vnode_count, BoundedLoads, HashRing, RingConfig, RingError, Snapshot, Transition,
    MAX_ID_BYTES, MAX_NODE_POINTS, MAX_VNODES,
};
use serde_json::{json, Value};

/// `cases` unless PROPTEST_CASES says otherwise; a fixed seed unless PROPTEST_RNG_SEED
/// says otherwise, so CI runs the same cases every time.
fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0xf022_2026);
    }
    config
}

/// Ids as a hostile caller picks them: a small alphabet (so duplicates are common),
/// empty, at and past the length limit, multi-byte, NUL.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-e]{1,2}",
        1 => Just(String::new()),
        1 => Just("x".repeat(MAX_ID_BYTES)),
        1 => Just("y".repeat(MAX_ID_BYTES + 1)),
        1 => Just("é".repeat(MAX_ID_BYTES / 2 + 1)),
        1 => "[\\x00-\\x7f🚀ü]{1,6}",
    ]
}

/// Weights: ordinary, tiny, huge, at the per-node limit, and invalid.
fn weight() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => 0.01f64..8.0,
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => Just(-1.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(f64::MIN_POSITIVE),
        1 => Just(1e300),
        1 => Just(f64::MAX),
        // Just past the per-node limit at 16 vnodes (at the limit is in tests/api.rs:
        // a million points per case would make this suite slow).
        1 => Just((f64::from(MAX_NODE_POINTS) + 1.0) / 16.0),
        1 => any::<f64>(),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Add(String, f64),
    AddAll(Vec<(String, f64)>),
    Remove(String),
    SetWeight(String, f64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (id(), weight()).prop_map(|(i, w)| Op::Add(i, w)),
        2 => proptest::collection::vec((id(), weight()), 0..5).prop_map(Op::AddAll),
        // The same id twice in one batch: duplicate against the id and weight rules.
        1 => (id(), weight(), weight()).prop_map(|(i, a, b)| Op::AddAll(vec![(i.clone(), a), (i, b)])),
        2 => id().prop_map(Op::Remove),
        3 => (id(), weight()).prop_map(|(i, w)| Op::SetWeight(i, w)),
    ]
}

/// The membership as the rules see it: id -> weight.
type Model = BTreeMap<String, f64>;

/// The error the stated rules predict for adding `new` to `model` (SPEC.md, section 3;
/// precedence as `HashRing::add_all` states it), ignoring the two that need the points.
fn predicted_add(model: &Model, vnodes: u32, new: &[(String, f64)]) -> Option<RingError> {
    // 16 vnodes and at most a few dozen nodes: the node and point totals never bind here.
    for (i, (id, weight)) in new.iter().enumerate() {
        if id.is_empty() {
            return Some(RingError::EmptyId);
        }
        if id.len() > MAX_ID_BYTES {
            return Some(RingError::IdTooLong { len: id.len() });
        }
        if model.contains_key(id) || new[..i].iter().any(|(other, _)| other == id) {
            return Some(RingError::DuplicateId);
        }
        if let Err(e) = vnode_count(*weight, vnodes) {
            return Some(e);
        }
    }
    None
}

fn predicted_set_weight(model: &Model, vnodes: u32, id: &str, weight: f64) -> Option<RingError> {
    if !model.contains_key(id) {
        return Some(RingError::UnknownId);
    }
    vnode_count(weight, vnodes).err()
}

/// Everything a refusal must leave as it was.
fn state(ring: &HashRing<u32>) -> (u64, u64, usize, Vec<(String, u64, u32)>) {
    (
        ring.fingerprint(),
        ring.version(),
        ring.point_count(),
        ring.iter()
            .map(|n| (n.id.to_owned(), n.weight.to_bits(), *n.data))
            .collect(),
    )
}

/// Applies `op` to `ring` and `model` and checks the answer against the model.
fn apply(ring: &mut HashRing<u32>, model: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let vnodes = ring.config().vnodes();
    let before = state(ring);
    let (result, predicted, new) = match op {
        Op::Add(id, w) => {
            let new = vec![(id.clone(), *w)];
            (
                ring.add_weighted(id, *w, 7),
                predicted_add(model, vnodes, &new),
                new,
            )
        }
        Op::AddAll(nodes) => (
            ring.add_all(nodes.iter().map(|(i, w)| (i.as_str(), *w, 7))),
            predicted_add(model, vnodes, nodes),
            nodes.clone(),
        ),
        Op::Remove(id) => {
            let removed = ring.remove(id);
            prop_assert_eq!(removed.is_some(), model.remove(id).is_some());
            if removed.is_none() {
                prop_assert_eq!(state(ring), before, "a remove of nothing changed the ring");
            }
            return Ok(());
        }
        Op::SetWeight(id, w) => (
            ring.set_weight(id, *w),
            predicted_set_weight(model, vnodes, id, *w),
            Vec::new(),
        ),
    };
    match result {
        Ok(()) => {
            prop_assert_eq!(predicted, None, "{:?} was accepted", op);
            if let Op::SetWeight(id, w) = op {
                model.insert(id.clone(), *w);
            }
            let changed = !new.is_empty() || matches!(op, Op::SetWeight(..));
            model.extend(new);
            // An empty add_all changes nothing and keeps the version.
            prop_assert_eq!(ring.version() > before.1, changed, "version after {:?}", op);
        }
        Err(e) => {
            // The points-only rules are the model's blind spot; they must be rare.
            let points_rule = matches!(e, RingError::TooManyPoints | RingError::ShadowedNode);
            prop_assert!(
                Some(e) == predicted || (predicted.is_none() && points_rule),
                "{:?}: got {:?}, the rules say {:?}",
                op,
                e,
                predicted
            );
            prop_assert_eq!(
                state(ring),
                before,
                "{:?} was refused but changed the ring",
                op
            );
        }
    }
    let ids: Vec<&str> = ring.iter().map(|n| n.id).collect();
    let want: Vec<&str> = model.keys().map(String::as_str).collect();
    prop_assert_eq!(ids, want);
    Ok(())
}

proptest! {
    #![proptest_config(config(400))]

    /// Any sequence of mutations: each accepted or refused as the rules say, refusals
    /// change nothing, and the ring keeps answering.
    #[test]
    fn mutations_follow_the_rules_and_refusals_change_nothing(
        seed in any::<u32>(),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let mut ring = HashRing::with_config(RingConfig::new(16, seed).unwrap());
        let mut model = Model::new();
        for op in &ops {
            apply(&mut ring, &mut model, op)?;
            if !ring.is_empty() {
                let owner = ring.get("probe").unwrap().id.to_owned();
                prop_assert!(model.contains_key(&owner));
                prop_assert_eq!(ring.shares().iter().map(|s| s.1).sum::<f64>().round(), 1.0);
            }
        }
    }

    /// Any vnodes and seed: a config or `InvalidVnodes`, with the value in the error.
    #[test]
    fn any_config_is_accepted_or_refused_by_its_range(vnodes in any::<u32>(), seed in any::<u32>()) {
        match RingConfig::new(vnodes, seed) {
            Ok(c) => prop_assert!((1..=MAX_VNODES).contains(&c.vnodes())),
            Err(e) => {
                prop_assert_eq!(e, RingError::InvalidVnodes { vnodes });
                prop_assert!(vnodes == 0 || vnodes > MAX_VNODES);
                let tail = format!("got {}", vnodes);
                prop_assert!(e.to_string().ends_with(&tail));
            }
        }
    }

    /// `diff` and `Transition` of any two rings: a plan or `SeedMismatch`; progress and
    /// steps outside their ranges, or going back, are refused and change nothing.
    #[test]
    fn diffs_and_transitions_refuse_bad_progress_and_change_nothing(
        seeds in (0u32..3, 0u32..3),
        before in proptest::collection::btree_map("[a-f]", 0.1f64..4.0, 0..5),
        after in proptest::collection::btree_map("[a-f]", 0.1f64..4.0, 0..5),
        epoch in any::<u64>(),
        moves in proptest::collection::vec(prop_oneof![
            any::<f64>().prop_map(Err),
            (0.0f64..=1.0).prop_map(Err),
            (any::<u32>(), any::<u32>()).prop_map(Ok),
            (0u32..6, 0u32..6).prop_map(Ok),
        ], 0..12),
    ) {
        let build = |seed, nodes: &BTreeMap<String, f64>| {
            HashRing::from_nodes(
                RingConfig::new(8, seed).unwrap(),
                nodes.iter().map(|(i, w)| (i.as_str(), *w, ())),
            ).unwrap()
        };
        let (old, new) = (build(seeds.0, &before), build(seeds.1, &after));
        let plan = diff(&old, &new);
        let transition = Transition::new(old.clone(), new.clone(), epoch);
        if seeds.0 != seeds.1 {
            prop_assert_eq!(plan.unwrap_err(), RingError::SeedMismatch);
            prop_assert_eq!(transition.err(), Some(RingError::SeedMismatch));
            return Ok(());
        }
        let plan = plan.unwrap();
        prop_assert!(plan.moved_length() <= 1 << 32);
        let mut t = transition.unwrap();
        for m in moves {
            let state = (t.progress().to_bits(), t.cut_over().len(), t.pending().len());
            let r = match m {
                Err(p) => t.set_progress(p),
                Ok((step, steps)) => t.set_step(step, steps),
            };
            match r {
                Ok(newly) => prop_assert_eq!(t.cut_over().len(), state.1 + newly),
                Err(e) => {
                    prop_assert_eq!(e, RingError::InvalidProgress);
                    let after = (t.progress().to_bits(), t.cut_over().len(), t.pending().len());
                    prop_assert_eq!(after, state, "a refused step changed the transition");
                }
            }
            let p = t.progress();
            prop_assert!((0.0..=1.0).contains(&p), "progress {}", p);
            for k in 0..8 {
                let key = format!("k{k}");
                let route = t.route(&key);
                prop_assert_eq!(route.is_some(), !old.is_empty() || !new.is_empty());
            }
        }
    }

    /// Bounded loads with any factor and any keys: a valid factor or
    /// `InvalidBalanceFactor`; assignments never panic and caps hold.
    #[test]
    fn bounded_loads_take_any_factor_and_keys(
        c in prop_oneof![any::<f64>(), 1.0f64..3.0, Just(f64::MAX), Just(1.0)],
        keys in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..6), 0..60),
    ) {
        let ring = HashRing::from_nodes(
            RingConfig::new(8, 1).unwrap(),
            [("a", 1.0, ()), ("b", 2.0, ()), ("c", 0.5, ())],
        ).unwrap();
        let mut loads = match BoundedLoads::new(c) {
            Ok(l) => l,
            Err(e) => {
                prop_assert_eq!(e, RingError::InvalidBalanceFactor);
                prop_assert!(!(c.is_finite() && c >= 1.0));
                return Ok(());
            }
        };
        for (i, key) in keys.iter().enumerate() {
            if i % 3 == 2 {
                loads.release(&ring, key);
            } else {
                loads.assign(&ring, key);
            }
            for n in ring.iter() {
                prop_assert!(loads.load(n.id) <= loads.cap(&ring, n.id, loads.len()));
            }
        }
        prop_assert_eq!(loads.try_cap(&ring, "nope", 1), Err(RingError::UnknownId));
    }
}

/// A JSON value as a fuzzer would make it: any shape, with huge and odd numbers.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just(9_007_199_254_740_991u64),
            Just(9_007_199_254_740_992),
            Just(u64::MAX)
        ]
        .prop_map(Value::from),
        "[a-c0-9\u{e9}]{0,4}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("weight".to_owned()),
                    Just("servers".to_owned()),
                    "[a-z]{1,3}"
                ],
                inner,
                0..4,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid document with one field replaced by something arbitrary, or left alone.
fn document() -> impl Strategy<Value = Value> {
    let field = prop_oneof![
        Just("version"),
        Just("epoch"),
        Just("vnodes"),
        Just("seed"),
        Just("servers"),
        Just("servers.0.id"),
        Just("servers.0.weight"),
        Just("servers.0.address"),
        Just("servers.1.id"),
        Just("servers.1.weight"),
        Just("extra"),
        Just("servers.1.extra"),
    ];
    (field, value(), any::<bool>(), 1u32..300, 0u32..10).prop_map(|(field, v, mutate, vnodes, seed)| {
        let mut doc = json!({"version": 1, "epoch": 7, "vnodes": vnodes, "seed": seed, "servers": [
            {"id": "a", "address": "10.0.0.1:80", "weight": 2.5}, {"id": 4, "weight": 0.5}]});
        if mutate {
            match field.split('.').collect::<Vec<_>>()[..] {
                [top] => doc[top] = v,
                [_, i, name] => doc["servers"][i.parse::<usize>().unwrap()][name] = v,
                _ => unreachable!(),
            }
        }
        doc
    })
}

/// The codes a document can be refused with.
const DOCUMENT_CODES: &[&str] = &[
    "INVALID_TYPE",
    "INVALID_ARGUMENT",
    "UNSUPPORTED_VERSION",
    "INVALID_VNODES",
    "EMPTY_ID",
    "ID_TOO_LONG",
    "DUPLICATE_ID",
    "INVALID_WEIGHT",
    "WEIGHT_TOO_LARGE",
    "TOO_MANY_NODES",
    "TOO_MANY_POINTS",
];

fn check_document(doc: &Value) -> Result<(), TestCaseError> {
    let structured = Snapshot::from_deserializer(doc.clone());
    let plain = serde_json::from_value::<Snapshot>(doc.clone());
    let text = serde_json::from_str::<Snapshot>(&doc.to_string());
    prop_assert_eq!(structured.is_ok(), plain.is_ok(), "{}", doc);
    prop_assert_eq!(structured.is_ok(), text.is_ok(), "{}", doc);
    match structured {
        Ok(snap) => {
            prop_assert!(snap.validate().is_ok());
            // Written and read back: the same snapshot, and the same ring.
            let again: Snapshot =
                serde_json::from_str(&serde_json::to_string(&snap).unwrap()).unwrap();
            prop_assert_eq!(&again, &snap);
            match snap.to_ring() {
                Ok(ring) => prop_assert_eq!(ring.len(), snap.servers.len()),
                Err(e) => prop_assert_eq!(e.error, RingError::ShadowedNode),
            }
        }
        Err(e) => {
            prop_assert!(DOCUMENT_CODES.contains(&e.error.code()), "{}: {:?}", doc, e);
            let message = e.to_string();
            prop_assert!(!message.is_empty());
            // The message that serde reports names the same field.
            let plain = plain.unwrap_err().to_string();
            prop_assert!(
                plain.starts_with(&message) || plain.contains(&e.field),
                "{} vs {}",
                plain,
                message
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(1500))]

    /// Near-valid documents, each with one field replaced by anything: parsed or refused
    /// with a document code, the same way through every entry point.
    #[test]
    fn mutated_documents_parse_or_are_refused_with_a_code(doc in document()) {
        check_document(&doc)?;
    }

    /// Arbitrary values: never a panic, always a document code.
    #[test]
    fn arbitrary_values_never_panic_the_parser(doc in value()) {
        check_document(&doc)?;
    }

    /// Arbitrary text: a parse error or a snapshot, never a panic.
    #[test]
    fn arbitrary_text_never_panics_the_parser(text in "[\\[\\]{}\",:0-9a-z.eE+-]{0,60}") {
        let _ = serde_json::from_str::<Snapshot>(&text);
        let mut de = serde_json::Deserializer::from_str(&text);
        let _ = Snapshot::from_deserializer(&mut de);
    }
}

#[derive(Debug, Clone)]
enum KetamaOp {
    Add(String, u16, u32),
    Remove(String, u16),
}

fn ketama_op() -> impl Strategy<Value = KetamaOp> {
    let host = prop_oneof![
        6 => "[a-c]{1,2}",
        1 => Just(String::new()),
        1 => Just("h".repeat(ringroute::KETAMA_MAX_HOST)),
        1 => Just("h".repeat(ringroute::KETAMA_MAX_HOST + 1)),
    ];
    let port = prop_oneof![Just(11211u16), Just(80), any::<u16>()];
    let weight = prop_oneof![Just(0u32), Just(1), 1u32..5, Just(u32::MAX)];
    prop_oneof![
        3 => (host.clone(), port.clone(), weight).prop_map(|(h, p, w)| KetamaOp::Add(h, p, w)),
        1 => (host, port).prop_map(|(h, p)| KetamaOp::Remove(h, p)),
    ]
}

proptest! {
    #![proptest_config(config(200))]

    /// Ketama's add and remove: refused as the rules say, refusals change nothing.
    #[test]
    fn ketama_mutations_follow_the_rules(ops in proptest::collection::vec(ketama_op(), 1..25)) {
        let mut ring = ringroute::Ketama::new();
        let mut model: Vec<(String, u16)> = Vec::new();
        for op in ops {
            let before: Vec<(String, u16, u32)> =
                ring.servers().map(|s| (s.host.to_string(), s.port, s.weight)).collect();
            let points = ring.point_count();
            match op {
                KetamaOp::Add(host, port, weight) => {
                    let predicted = if host.is_empty() {
                        Some(RingError::EmptyId)
                    } else if host.len() > ringroute::KETAMA_MAX_HOST {
                        Some(RingError::IdTooLong { len: host.len() })
                    } else if weight == 0 {
                        Some(RingError::InvalidWeight)
                    } else if model.contains(&(host.clone(), port)) {
                        Some(RingError::DuplicateId)
                    } else {
                        None
                    };
                    match ring.add(&host, port, weight, ()) {
                        Ok(()) => {
                            prop_assert_eq!(predicted, None);
                            model.push((host, port));
                        }
                        Err(e) => {
                            prop_assert_eq!(Some(e), predicted);
                            let after: Vec<(String, u16, u32)> =
                                ring.servers().map(|s| (s.host.to_string(), s.port, s.weight)).collect();
                            prop_assert_eq!(after, before);
                            prop_assert_eq!(ring.point_count(), points);
                        }
                    }
                }
                KetamaOp::Remove(host, port) => {
                    let had = model.iter().position(|s| *s == (host.clone(), port));
                    prop_assert_eq!(ring.remove(&host, port).is_some(), had.is_some());
                    if let Some(i) = had {
                        model.remove(i);
                    }
                }
            }
            // 160 points per server at equal weights, never more than 160 per unit share.
            prop_assert!(ring.point_count() <= 160 * ring.len());
            if !ring.is_empty() {
                prop_assert!(ring.get("probe").is_some());
            }
        }
    }
}
