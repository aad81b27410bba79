//! ring-core against the `hashring` crate, side by side in one run, swept over node
//! counts. Prints criterion's numbers, then a table of ratios and memory per point.
//!
//! `cargo bench -p ringroute --bench ring`

use std::{
    hint::black_box,
    io::Cursor,
    path::{Path, PathBuf},
    time::Duration,
};

use criterion::{BatchSize, BenchmarkId, Criterion};
use ringroute::{murmur3_32, BoundedLoads, HashRing, RingConfig, DEFAULT_VNODES};

/// The bounded-load code before its index (a full rebalance per release), as the peer.
#[path = "../tests/reference/bounded.rs"]
mod reference_bounded;

const NODE_COUNTS: &[usize] = &[8, 32, 100, 128, 512, 1024];
const KEYS: usize = 4096;

/// A virtual node as `hashring` users write it: the crate has no vnodes of its own.
#[derive(Hash, Clone, Copy, PartialEq, Eq)]
struct VNode {
    node: u32,
    index: u32,
}

/// Keys of exactly 20 bytes: "user:" and 15 digits.
fn keys() -> Vec<String> {
    (0..KEYS)
        .map(|i| format!("user:{:015}", i * 7919))
        .collect()
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("node-{i}")).collect()
}

fn ours(n: usize, vnodes: u32) -> HashRing<()> {
    let ids = ids(n);
    HashRing::from_nodes(
        RingConfig::new(vnodes, 0).unwrap(),
        ids.iter().map(|i| (i.as_str(), 1.0, ())),
    )
    .unwrap()
}

fn theirs(n: usize, vnodes: u32) -> hashring::HashRing<VNode> {
    let mut ring = hashring::HashRing::new();
    ring.batch_add(
        (0..n as u32)
            .flat_map(|node| (0..vnodes).map(move |index| VNode { node, index }))
            .collect(),
    );
    ring
}

fn bench_get(c: &mut Criterion, group_name: &str, vnodes: u32) {
    let keys = keys();
    let mut group = c.benchmark_group(group_name);
    for &n in NODE_COUNTS {
        let ring = ours(n, vnodes);
        let mut i = 0;
        group.bench_function(BenchmarkId::new("ringroute", n), |b| {
            b.iter(|| {
                i = (i + 1) & (KEYS - 1);
                black_box(ring.get_index(black_box(&keys[i])))
            })
        });
        let ring = theirs(n, vnodes);
        group.bench_function(BenchmarkId::new("hashring", n), |b| {
            b.iter(|| {
                i = (i + 1) & (KEYS - 1);
                black_box(ring.get(black_box(&keys[i])).map(|v| v.node))
            })
        });
    }
    group.finish();
}

fn bench_hash(c: &mut Criterion) {
    let keys = keys();
    let mut group = c.benchmark_group("hash-20-bytes");
    let mut i = 0;
    group.bench_function("ringroute", |b| {
        b.iter(|| {
            i = (i + 1) & (KEYS - 1);
            black_box(murmur3_32(black_box(keys[i].as_bytes()), 0))
        })
    });
    group.bench_function("murmur3-crate", |b| {
        b.iter(|| {
            i = (i + 1) & (KEYS - 1);
            black_box(
                murmur3::murmur3_32(&mut Cursor::new(black_box(keys[i].as_bytes())), 0).unwrap(),
            )
        })
    });
    group.finish();
}

fn bench_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build-160");
    group.sample_size(20);
    for &n in NODE_COUNTS {
        group.bench_function(BenchmarkId::new("ringroute", n), |b| {
            b.iter(|| black_box(ours(n, 160)))
        });
        group.bench_function(BenchmarkId::new("hashring", n), |b| {
            b.iter(|| black_box(theirs(n, 160)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("build-default");
    group.sample_size(20);
    for &n in NODE_COUNTS {
        group.bench_function(BenchmarkId::new("ringroute", n), |b| {
            b.iter(|| black_box(ours(n, DEFAULT_VNODES)))
        });
    }
    group.finish();

    // Users of `hashring` grow a ring one node at a time: each add re-sorts everything.
    let mut group = c.benchmark_group("add-one-by-one-100x160");
    group.sample_size(10);
    let names = ids(100);
    group.bench_function("ringroute", |b| {
        b.iter(|| {
            let mut ring = HashRing::with_config(RingConfig::new(160, 0).unwrap());
            for id in &names {
                ring.add(id, ()).unwrap();
            }
            black_box(ring)
        })
    });
    group.bench_function("hashring", |b| {
        b.iter(|| {
            let mut ring = hashring::HashRing::new();
            for node in 0..100 {
                for index in 0..160 {
                    ring.add(VNode { node, index });
                }
            }
            black_box(ring)
        })
    });
    group.finish();

    // One join or leave on a live ring: a merge, not a rebuild.
    let mut group = c.benchmark_group("join-leave-default");
    group.sample_size(20);
    for &n in NODE_COUNTS {
        let ring = ours(n, DEFAULT_VNODES);
        group.bench_function(BenchmarkId::new("join", n), |b| {
            b.iter_batched_ref(
                || ring.clone(),
                |r| r.add("joining", ()).unwrap(),
                BatchSize::LargeInput,
            )
        });
        group.bench_function(BenchmarkId::new("leave", n), |b| {
            b.iter_batched_ref(
                || ring.clone(),
                |r| r.remove("node-0").unwrap(),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

const ITEM_COUNTS: &[usize] = &[1_000, 10_000, 100_000];
/// The full-rebalance peer is timed up to here: at 100k items one release takes ~0.1 s.
const PEER_MAX_ITEMS: usize = 10_000;

/// The two assigners under one interface, so both are timed by the same loop.
trait Assigner: Clone {
    fn assign(&mut self, ring: &HashRing<()>, key: &str);
    fn release(&mut self, ring: &HashRing<()>, key: &str);
}

impl Assigner for BoundedLoads {
    fn assign(&mut self, ring: &HashRing<()>, key: &str) {
        black_box(BoundedLoads::assign(self, ring, key));
    }
    fn release(&mut self, ring: &HashRing<()>, key: &str) {
        black_box(BoundedLoads::release(self, ring, key));
    }
}

impl Assigner for reference_bounded::BoundedLoads {
    fn assign(&mut self, ring: &HashRing<()>, key: &str) {
        black_box(reference_bounded::BoundedLoads::assign(self, ring, key));
    }
    fn release(&mut self, ring: &HashRing<()>, key: &str) {
        black_box(reference_bounded::BoundedLoads::release(self, ring, key));
    }
}

/// `items` connections on 16 nodes at c = 1.25, after one release so that an index
/// exists where the implementation keeps one.
fn loaded<A: Assigner>(mut loads: A, ring: &HashRing<()>, items: usize) -> A {
    for i in 0..items {
        loads.assign(ring, &format!("conn:{i}"));
    }
    loads.release(ring, "conn:0");
    loads.assign(ring, "conn:0");
    loads
}

/// Per-operation time of `assign` and of `release` at a steady item count: each timed
/// release is followed by an untimed assign of the same key, and the other way round.
fn bench_bounded_one<A: Assigner>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    ring: &HashRing<()>,
    loads: &A,
    items: usize,
) {
    let mut state = loads.clone();
    let mut next = 0usize;
    group.bench_function(BenchmarkId::new(format!("{name}/release"), items), |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let key = format!("conn:{}", next * 7919 % items);
                next += 1;
                let start = std::time::Instant::now();
                state.release(ring, &key);
                spent += start.elapsed();
                state.assign(ring, &key);
            }
            spent
        })
    });
    group.bench_function(BenchmarkId::new(format!("{name}/assign"), items), |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let key = format!("conn:{}", next * 7919 % items);
                next += 1;
                state.release(ring, &key);
                let start = std::time::Instant::now();
                state.assign(ring, &key);
                spent += start.elapsed();
            }
            spent
        })
    });
}

fn bench_bounded(c: &mut Criterion) {
    let ring = ours(16, 160);
    let mut group = c.benchmark_group("bounded");
    group.sample_size(10);
    for &items in ITEM_COUNTS {
        let ours = loaded(BoundedLoads::new(1.25).unwrap(), &ring, items);
        bench_bounded_one(&mut group, "indexed", &ring, &ours, items);
        if items <= PEER_MAX_ITEMS {
            let peer = loaded(
                reference_bounded::BoundedLoads::new(1.25).unwrap(),
                &ring,
                items,
            );
            bench_bounded_one(&mut group, "full-rebalance", &ring, &peer, items);
        }
    }
    group.finish();
}

fn print_bounded_summary(dir: &Path) {
    println!("\nBounded loads, 16 nodes x 160 vnodes, c = 1.25: time per operation\n| items | op | indexed | full rebalance | full / indexed |\n|---:|---|---:|---:|---:|");
    for &items in ITEM_COUNTS {
        for op in ["assign", "release"] {
            let ours = mean_ns(dir, "bounded", &format!("indexed_{op}"), Some(items));
            let peer = mean_ns(dir, "bounded", &format!("full-rebalance_{op}"), Some(items));
            if let Some(a) = ours {
                match peer {
                    Some(b) => println!(
                        "| {items} | {op} | {} | {} | {:.1}x |",
                        fmt_ns(a),
                        fmt_ns(b),
                        b / a
                    ),
                    None => println!("| {items} | {op} | {} | (not run) | |", fmt_ns(a)),
                }
            }
        }
    }
}

/// Criterion's mean estimate, in nanoseconds, if this run produced one.
fn mean_ns(dir: &Path, group: &str, function: &str, param: Option<usize>) -> Option<f64> {
    let mut path = dir.join(group).join(function);
    if let Some(p) = param {
        path = path.join(p.to_string());
    }
    let text = std::fs::read_to_string(path.join("new/estimates.json")).ok()?;
    let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
    doc["mean"]["point_estimate"].as_f64()
}

fn fmt_ns(ns: f64) -> String {
    match ns {
        x if x >= 1e6 => format!("{:.2} ms", x / 1e6),
        x if x >= 1e3 => format!("{:.2} µs", x / 1e3),
        x => format!("{x:.1} ns"),
    }
}

fn print_summary(dir: &Path) {
    let ratio_table = |group: &str, title: &str| {
        println!("\n{title}\n| nodes | ringroute | hashring | hashring / ringroute |\n|---:|---:|---:|---:|");
        for &n in NODE_COUNTS {
            if let (Some(a), Some(b)) = (
                mean_ns(dir, group, "ringroute", Some(n)),
                mean_ns(dir, group, "hashring", Some(n)),
            ) {
                println!("| {n} | {} | {} | {:.1}x |", fmt_ns(a), fmt_ns(b), b / a);
            }
        }
    };
    ratio_table("get-160", "get, 160 vnodes per node (20-byte keys)");
    ratio_table(
        &format!("get-{DEFAULT_VNODES}"),
        &format!("get, {DEFAULT_VNODES} vnodes per node (the default)"),
    );
    ratio_table("build-160", "build from scratch, 160 vnodes per node");
    if let (Some(a), Some(b)) = (
        mean_ns(dir, "hash-20-bytes", "ringroute", None),
        mean_ns(dir, "hash-20-bytes", "murmur3-crate", None),
    ) {
        println!(
            "\nMurmurHash3 of a 20-byte key: ringroute {}, murmur3 crate {} ({:.1}x)",
            fmt_ns(a),
            fmt_ns(b),
            b / a
        );
    }
    if let (Some(a), Some(b)) = (
        mean_ns(dir, "add-one-by-one-100x160", "ringroute", None),
        mean_ns(dir, "add-one-by-one-100x160", "hashring", None),
    ) {
        println!(
            "100 nodes x 160 vnodes added one node at a time: ringroute {}, hashring {} ({:.0}x)",
            fmt_ns(a),
            fmt_ns(b),
            b / a
        );
    }
    scaled_get_target(dir);
    println!("\nbuild with the default {DEFAULT_VNODES} vnodes, and one join / leave on a live ring\n| nodes | points | build | join | leave | bytes per point |\n|---:|---:|---:|---:|---:|---:|");
    for &n in NODE_COUNTS {
        let ring = ours(n, DEFAULT_VNODES);
        let cell = |g: &str, f: &str| mean_ns(dir, g, f, Some(n)).map_or("-".into(), fmt_ns);
        println!(
            "| {n} | {} | {} | {} | {} | {:.2} |",
            ring.point_count(),
            cell("build-default", "ringroute"),
            cell("join-leave-default", "join"),
            cell("join-leave-default", "leave"),
            ring.table_bytes() as f64 / ring.point_count() as f64
        );
    }
    println!(
        "hashring stores {} bytes per point (a u64 hash beside each 8-byte vnode), plus Vec slack",
        std::mem::size_of::<(u64, VNode)>()
    );
}

/// The issue sets `get` at most 15 ns (100 nodes, default vnodes) on its author's
/// machine, where it measured two peers that this run also measures: the `hashring`
/// crate's get at 100 × 160 points (40 ns) and the `murmur3` crate on a 20-byte key
/// (19.5 ns). How much slower each peer runs here scales the target to this machine.
fn scaled_get_target(dir: &Path) {
    const TARGET_NS: f64 = 15.0;
    let ours = mean_ns(
        dir,
        &format!("get-{DEFAULT_VNODES}"),
        "ringroute",
        Some(100),
    );
    let peers = [
        (
            "hashring get 100 x 160",
            mean_ns(dir, "get-160", "hashring", Some(100)),
            40.0,
        ),
        (
            "murmur3 crate, 20 bytes",
            mean_ns(dir, "hash-20-bytes", "murmur3-crate", None),
            19.5,
        ),
    ];
    let Some(ours) = ours else { return };
    println!("\nget target (15 ns at 100 nodes on the issue's machine), scaled by a peer measured there and here\n| peer | there | here | slowdown | target here | ringroute get 100 x {DEFAULT_VNODES} |\n|---|---:|---:|---:|---:|---:|");
    for (name, here, there) in peers {
        if let Some(here) = here {
            let target = TARGET_NS * here / there;
            println!(
                "| {name} | {} | {} | {:.2}x | {} | {} ({}) |",
                fmt_ns(there),
                fmt_ns(here),
                here / there,
                fmt_ns(target),
                fmt_ns(ours),
                if ours <= target { "met" } else { "over" }
            );
        }
    }
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/criterion");
    let mut c = Criterion::default()
        .output_directory(&dir)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    bench_hash(&mut c);
    bench_get(&mut c, "get-160", 160);
    bench_get(&mut c, &format!("get-{DEFAULT_VNODES}"), DEFAULT_VNODES);
    bench_build(&mut c);
    bench_bounded(&mut c);
    c.final_summary();
    // `cargo test --benches` runs each routine once as a smoke test: no numbers to report.
    if std::env::args().any(|a| a == "--bench") {
        print_summary(&dir);
        print_bounded_summary(&dir);
    }
}
