//! Replays every golden vector in `tests/vectors/` (generated from the reference in
//! `tests/vectors/reference.py`, not from this crate) against ring-core.

use std::{fs, path::PathBuf};

use ringroute::{HashRing, ModuloRouter, RingConfig};
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn load_vectors() -> Vec<(String, Value)> {
    let mut files: Vec<_> = fs::read_dir(vectors_dir())
        .expect("tests/vectors exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let vectors: Vec<_> = files
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).expect("readable vector");
            (
                p.display().to_string(),
                serde_json::from_str(&text).expect("valid JSON"),
            )
        })
        .collect();
    assert!(
        vectors.len() >= 7,
        "expected the golden vectors, found {}",
        vectors.len()
    );
    vectors
}

fn nodes(doc: &Value) -> Vec<(String, f64)> {
    doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| {
            (
                n["id"].as_str().expect("id").to_owned(),
                n["weight"].as_f64().expect("weight"),
            )
        })
        .collect()
}

fn config(doc: &Value) -> RingConfig {
    let c = &doc["config"];
    RingConfig::new(
        c["vnodes"].as_u64().unwrap() as u32,
        c["seed"].as_u64().unwrap() as u32,
    )
    .expect("valid config")
}

fn key_bytes(lookup: &Value) -> Vec<u8> {
    match (lookup.get("key"), lookup.get("key_hex")) {
        (Some(k), _) => k.as_str().expect("text key").as_bytes().to_vec(),
        (_, Some(h)) => {
            let h = h.as_str().expect("hex key");
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                .collect()
        }
        _ => panic!("lookup without key: {lookup}"),
    }
}

/// The orders a ring is built in: as listed, reversed, rotated, and in one batch.
fn builds(doc: &Value) -> Vec<(&'static str, HashRing<usize>)> {
    let nodes = nodes(doc);
    let one_by_one = |order: Vec<&(String, f64)>| {
        let mut ring = HashRing::with_config(config(doc));
        for (i, (id, w)) in order.into_iter().enumerate() {
            ring.add_weighted(id, *w, i)
                .expect("vector nodes are valid");
        }
        ring
    };
    let mut rotated: Vec<_> = nodes.iter().collect();
    rotated.rotate_left(nodes.len() / 2);
    vec![
        ("listed", one_by_one(nodes.iter().collect())),
        ("reversed", one_by_one(nodes.iter().rev().collect())),
        ("rotated", one_by_one(rotated)),
        (
            "batch",
            HashRing::from_nodes(
                config(doc),
                nodes.iter().map(|(id, w)| (id.as_str(), *w, 0)),
            )
            .expect("vector nodes are valid"),
        ),
    ]
}

#[test]
fn every_vector_replays_in_every_insertion_order() {
    let mut checked = 0;
    for (file, doc) in load_vectors() {
        let expect = &doc["expect"];
        for (how, ring) in builds(&doc) {
            let ctx = format!("{file} ({how})");
            assert_eq!(
                ring.point_count() as u64,
                expect["point_count"].as_u64().unwrap(),
                "{ctx}"
            );
            assert_eq!(
                format!("{:016x}", ring.fingerprint()),
                expect["fingerprint"].as_str().unwrap(),
                "{ctx}"
            );

            let owned = ring.owned();
            for (node, owned) in ring.iter().zip(owned) {
                assert_eq!(
                    Some(owned),
                    expect["owned"][node.id].as_u64(),
                    "{ctx}: owned by {}",
                    node.id
                );
            }
            if let Some(points) = expect["points"].as_array() {
                let ours: Vec<(u64, &str)> = ring
                    .points()
                    .map(|(p, i)| (u64::from(p), ring.node_at(i).unwrap().id))
                    .collect();
                let theirs: Vec<(u64, &str)> = points
                    .iter()
                    .map(|p| (p[0].as_u64().unwrap(), p[1].as_str().unwrap()))
                    .collect();
                assert_eq!(ours, theirs, "{ctx}: points");
            }

            let modulo = ModuloRouter::from_ring(&ring);
            let n = doc["successors_n"].as_u64().unwrap() as usize;
            for lookup in doc["lookups"].as_array().unwrap() {
                let key = key_bytes(lookup);
                let ctx = format!("{ctx}: {lookup}");
                assert_eq!(
                    u64::from(ring.position(&key)),
                    lookup["position"].as_u64().unwrap(),
                    "{ctx}"
                );
                assert_eq!(
                    ring.get(&key).map(|n| n.id),
                    lookup["owner"].as_str(),
                    "{ctx}"
                );
                assert_eq!(modulo.get(&key), lookup["modulo"].as_str(), "{ctx}");
                let want: Vec<&str> = lookup["successors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap())
                    .collect();
                for m in 0..=n {
                    let got: Vec<&str> = ring.get_n(&key, m).iter().map(|n| n.id).collect();
                    assert_eq!(got, want[..m.min(want.len())], "{ctx}: get_n {m}");
                }
                checked += 1;
            }
            for probe in doc["positions"].as_array().unwrap() {
                let pos = probe["position"].as_u64().unwrap() as u32;
                assert_eq!(
                    ring.get_at(pos).map(|n| n.id),
                    probe["owner"].as_str(),
                    "{ctx}: position {pos}"
                );
            }
        }
    }
    assert!(checked > 5_000, "only {checked} lookups replayed");
}

#[test]
fn collision_vector_really_has_a_tie_broken_by_id() {
    let doc = load_vectors()
        .into_iter()
        .find(|(f, _)| f.ends_with("collision.json"))
        .unwrap()
        .1;
    let ring = &builds(&doc)[0].1;
    let points: Vec<(u32, usize)> = ring.points().collect();
    let tie = points
        .windows(2)
        .find(|w| w[0].0 == w[1].0 && w[0].1 != w[1].1)
        .expect("a forced tie");
    // The tied points are ordered by id, and the one that sorts first owns the position.
    assert!(ring.node_at(tie[0].1).unwrap().id < ring.node_at(tie[1].1).unwrap().id);
    assert_eq!(ring.index_at(tie[0].0), Some(tie[0].1));
}
