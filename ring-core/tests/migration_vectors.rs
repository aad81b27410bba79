//! Replays `tests/vectors/migration/*.json` (generated from the Python reference, not
//! from this crate): plans, replica plans and transition cut-over, step by step.

use std::{fs, path::PathBuf};

use ringroute::{diff, diff_replicas, HashRing, RingConfig, Transition};
use serde_json::Value;

fn ring(side: &Value) -> HashRing<()> {
    let c = &side["config"];
    let cfg = RingConfig::new(
        c["vnodes"].as_u64().unwrap() as u32,
        c["seed"].as_u64().unwrap() as u32,
    )
    .unwrap();
    let mut ring = HashRing::with_config(cfg);
    for n in side["nodes"].as_array().unwrap() {
        ring.add_weighted(n["id"].as_str().unwrap(), n["weight"].as_f64().unwrap(), ())
            .unwrap();
    }
    ring
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn migration_vectors_replay() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/migration");
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 4);
    for file in files {
        let doc: Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
        let ctx = file.display().to_string();
        let (old, new) = (ring(&doc["old"]), ring(&doc["new"]));
        let expect = &doc["expect"];

        let plan = diff(&old, &new).unwrap();
        let moves: Vec<(u64, u64, &str, &str)> = plan
            .moves()
            .map(|m| (u64::from(m.first), u64::from(m.last), m.from, m.to))
            .collect();
        let want: Vec<(u64, u64, &str, &str)> = expect["moves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m[0].as_u64().unwrap(),
                    m[1].as_u64().unwrap(),
                    m[2].as_str().unwrap(),
                    m[3].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(moves, want, "{ctx}: moves");
        assert_eq!(
            plan.moved_length(),
            expect["moved_length"].as_u64().unwrap(),
            "{ctx}"
        );

        let n = expect["replicas"].as_u64().unwrap() as usize;
        let replicas = diff_replicas(&old, &new, n).unwrap();
        let changes: Vec<_> = replicas
            .changes()
            .map(|c| (u64::from(c.first), u64::from(c.last), c.old, c.new))
            .collect();
        let want: Vec<_> = expect["replica_changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c[0].as_u64().unwrap(),
                    c[1].as_u64().unwrap(),
                    strs(&c[2]),
                    strs(&c[3]),
                )
            })
            .collect();
        assert_eq!(changes, want, "{ctx}: replica changes");

        let mut t = Transition::new(old, new, doc["epoch"].as_u64().unwrap()).unwrap();
        let steps = expect["steps"].as_u64().unwrap() as u32;
        let counts: Vec<usize> = expect["cut_counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap() as usize)
            .collect();
        for step in 0..=steps {
            t.set_step(step, steps).unwrap();
            assert_eq!(
                t.cut_over().len(),
                counts[step as usize],
                "{ctx}: step {step}"
            );
            for lookup in doc["lookups"].as_array().unwrap() {
                let key = lookup["key"].as_str().unwrap();
                let route = t.route(key).unwrap();
                let want = &lookup["routes"][step as usize];
                assert_eq!(
                    route.owner.id,
                    want[0].as_str().unwrap(),
                    "{ctx}: {key} at step {step}"
                );
                assert_eq!(
                    route.previous.map(|p| p.id),
                    want[1].as_str(),
                    "{ctx}: {key} at step {step}"
                );
            }
        }
        let order: Vec<u64> = t.cut_over().map(|m| u64::from(m.first)).collect();
        let want: Vec<u64> = expect["cut_order"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_u64().unwrap())
            .collect();
        assert_eq!(order, want, "{ctx}: cut-over order");
    }
}
