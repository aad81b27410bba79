//! The ketama ring against libmemcached and the `hashring` npm package, whose answers
//! for 10,100 keys on 1 to 50 servers are in `tests/vectors/ketama/ketama.json`
//! (written by `generate.mjs`, which runs both).
#![cfg(feature = "ketama")]

use std::{fs, path::PathBuf};

use ringroute::{ketama_digests, ketama_hash, Ketama, RingError, KETAMA_MAX_HOST};
use serde_json::Value;

fn vectors() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/ketama/ketama.json");
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn keys() -> Vec<String> {
    (0..10_000)
        .map(|i| format!("key:{i}"))
        .chain((0..100).map(|i| format!("ключ:{i}")))
        .collect()
}

fn checksum(owners: &[usize]) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &o in owners {
        for byte in (o as u16).to_le_bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn build(config: &Value) -> Ketama<usize> {
    let mut ring = Ketama::new();
    for (i, s) in config["servers"].as_array().unwrap().iter().enumerate() {
        ring.add(
            s["host"].as_str().unwrap(),
            s["port"].as_u64().unwrap() as u16,
            s["weight"].as_u64().unwrap() as u32,
            i,
        )
        .unwrap();
    }
    ring
}

/// The same ring built in one `add_all`.
fn build_all(config: &Value) -> Ketama<usize> {
    let mut ring = Ketama::new();
    let servers = config["servers"].as_array().unwrap();
    ring.add_all(servers.iter().enumerate().map(|(i, s)| {
        (
            s["host"].as_str().unwrap(),
            s["port"].as_u64().unwrap() as u16,
            s["weight"].as_u64().unwrap() as u32,
            i,
        )
    }))
    .unwrap();
    ring
}

fn owners(ring: &Ketama<usize>, keys: &[String]) -> Vec<usize> {
    keys.iter().map(|k| ring.get(k).unwrap().data).collect()
}

fn sample(v: &Value) -> Vec<usize> {
    v["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

#[test]
fn matches_libmemcached_on_every_config() {
    let doc = vectors();
    let keys = keys();
    let configs = doc["configs"].as_array().unwrap();
    assert_eq!(configs.len(), 100);
    for config in configs {
        let ours = owners(&build(config), &keys);
        let want = &config["libmemcached"];
        assert_eq!(
            ours[..64],
            sample(want)[..],
            "{}: first 64 keys",
            config["name"]
        );
        assert_eq!(
            checksum(&ours),
            want["checksum"].as_str().unwrap(),
            "{}: all 10,100 keys",
            config["name"]
        );
    }
}

/// hashring computes the digest count in double precision, libmemcached in single: the
/// counts differ for some memberships, and exactly there the answers differ.
#[test]
fn matches_hashring_exactly_where_its_float_rounding_agrees_with_libmemcached() {
    let doc = vectors();
    let keys = keys();
    let mut differing = Vec::new();
    for config in doc["configs"].as_array().unwrap() {
        let servers = config["servers"].as_array().unwrap();
        let total: u64 = servers.iter().map(|s| s["weight"].as_u64().unwrap()).sum();
        let theirs: Vec<u64> = config["hashring"]["digests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap())
            .collect();
        let ours: Vec<u64> = servers
            .iter()
            .map(|s| {
                u64::from(ketama_digests(
                    s["weight"].as_u64().unwrap() as u32,
                    total,
                    servers.len(),
                ))
            })
            .collect();
        // hashring's rule, in doubles: floor(weight / total × 40 × n).
        let doubles: Vec<u64> = servers
            .iter()
            .map(|s| {
                (s["weight"].as_u64().unwrap() as f64 / total as f64 * 40.0 * servers.len() as f64)
                    .floor() as u64
            })
            .collect();
        assert_eq!(
            theirs, doubles,
            "{}: hashring's counts are its double-precision rule",
            config["name"]
        );
        let owners = owners(&build(config), &keys);
        let agree = checksum(&owners) == config["hashring"]["checksum"].as_str().unwrap();
        if ours == theirs {
            assert!(
                agree,
                "{}: same digest counts, so the same answers as hashring",
                config["name"]
            );
        } else {
            assert!(
                !agree,
                "{}: different digest counts must show",
                config["name"]
            );
            differing.push(config["name"].as_str().unwrap().to_owned());
        }
    }
    // 7, 14 and 28 equal servers: f32 gives 40 digests where doubles give 39.999... -> 39.
    for name in ["7-equal", "14-equal", "28-equal"] {
        assert!(
            differing.iter().any(|d| d == name),
            "{name} should differ; differing: {differing:?}"
        );
    }
    assert_eq!(ketama_digests(1, 7, 7), 40);
    assert_eq!((1.0f64 / 7.0 * 40.0 * 7.0).floor(), 39.0);
}

#[test]
fn labels_leave_out_the_default_port() {
    // One server on 11211 and one elsewhere: points are MD5 of "host-i" and "host:port-i".
    let mut ring = Ketama::new();
    ring.add("cache-a", 11211, 1, ()).unwrap();
    ring.add("cache-b", 11300, 1, ()).unwrap();
    assert_eq!(ring.point_count(), 2 * 160);
    // The key hash is MD5's first word, little-endian: MD5("") = d41d8cd9...
    assert_eq!(ketama_hash(b""), 0xd98c_1dd4);
}

#[test]
fn bad_servers_are_refused() {
    let mut ring = Ketama::new();
    ring.add("a", 11211, 1, ()).unwrap();
    assert_eq!(ring.add("", 11211, 1, ()), Err(RingError::EmptyId));
    assert_eq!(ring.add("b", 11211, 0, ()), Err(RingError::InvalidWeight));
    assert_eq!(ring.add("a", 11211, 2, ()), Err(RingError::DuplicateId));
    assert_eq!(
        ring.add(&"h".repeat(2000), 1, 1, ()),
        Err(RingError::IdTooLong { len: 2000 })
    );
    ring.add("a", 11212, 1, ()).unwrap();
    assert_eq!(ring.len(), 2);
    assert_eq!(ring.remove("a", 11211), Some(()));
    assert_eq!(ring.remove("a", 11211), None);
    assert_eq!(ring.get_n("k", 5).len(), 1);
    let empty: Ketama<()> = Ketama::new();
    assert!(empty.get("k").is_none() && empty.get_n("k", 2).is_empty());
}

#[test]
fn add_all_builds_the_ring_that_adds_build() {
    let v = vectors();
    for config in v["configs"].as_array().unwrap() {
        let (one_by_one, at_once) = (build(config), build_all(config));
        let points = |r: &Ketama<usize>| r.points().map(|(p, s)| (p, s.data)).collect::<Vec<_>>();
        assert_eq!(points(&one_by_one), points(&at_once));
    }
}

/// Servers as (name, weight, data), and points as (position, owner's data).
type State = (Vec<(String, u32, u32)>, Vec<(u32, u32)>);

/// The ring's whole observable state, to show a refused call changed nothing.
fn state(ring: &Ketama<u32>) -> State {
    let servers = ring
        .servers()
        .map(|s| (s.name(), s.weight, s.data))
        .collect();
    (servers, ring.points().map(|(p, s)| (p, s.data)).collect())
}

#[test]
fn add_all_reports_what_the_first_failing_add_would_and_changes_nothing() {
    // Small batches with every kind of fault, against the same servers added one by one.
    let hosts = ["a", "b", "", "c", "a"];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let long = "h".repeat(KETAMA_MAX_HOST + 1);
    for round in 0..400 {
        let mut ring = Ketama::new();
        ring.add("a", 11211, 1, 999).unwrap();
        let batch: Vec<(&str, u16, u32, u32)> = (0..next(5))
            .map(|i| {
                let host = match next(12) {
                    0 => long.as_str(),
                    k => hosts[(k % 5) as usize],
                };
                (
                    host,
                    11211 + next(2) as u16,
                    next(4) as u32,
                    round * 10 + i as u32,
                )
            })
            .collect();
        let mut sequential = ring.clone();
        let expected = batch
            .iter()
            .try_for_each(|&(h, p, w, d)| sequential.add(h, p, w, d));
        let before = state(&ring);
        let got = ring.add_all(batch.iter().copied());
        assert_eq!(got, expected, "batch {batch:?}");
        if got.is_ok() {
            assert_eq!(state(&ring), state(&sequential));
        } else {
            assert_eq!(state(&ring), before, "a refused batch changed the ring");
        }
    }
}

#[test]
fn add_all_refuses_the_65537th_server_without_reading_further() {
    let names: Vec<String> = (0..=65_536)
        .map(|i| format!("10.{}.{}.1", i >> 8, i & 255))
        .collect();
    let mut read = 0;
    let mut ring = Ketama::new();
    ring.add("first", 11211, 1, ()).unwrap();
    let servers = names
        .iter()
        .inspect(|_| read += 1)
        .map(|h| (h.as_str(), 11211, 1, ()));
    assert_eq!(ring.add_all(servers), Err(RingError::TooManyNodes));
    assert_eq!(read, 65_536, "one past the limit is read, no more");
    assert_eq!(ring.len(), 1);
}
