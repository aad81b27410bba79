//! Sizes, counts and sums that input controls are checked, on 32-bit targets too, and
//! a refusal comes before any allocation or hashing proportional to what was asked for.
//!
//! Run it where `usize` is 32 bits, as on wasm32 and thumbv7m:
//! `cargo test -p ringroute --all-features --target i686-unknown-linux-gnu --test overflow`.
//! There, 4,096 nodes of 2^20 points sum to 2^32, which wraps a `usize` to 0.
//!
//! A counting allocator measures the peak heap use of each refused call: hashing 2^32
//! points would first allocate 32 GB. One test function, so no other test allocates
//! while a measurement runs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use ringroute::{
    HashRing, RingConfig, RingError, Snapshot, DEFAULT_VNODES, MAX_NODES, MAX_NODE_POINTS,
};

struct Counting;
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(now, Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result, the most heap it used above the start, and its time.
fn measured<R>(f: impl FnOnce() -> R) -> (R, usize, f64) {
    let base = CURRENT.load(Relaxed);
    PEAK.store(base, Relaxed);
    let start = Instant::now();
    let r = f();
    let ms = start.elapsed().as_secs_f64() * 1e3;
    (r, PEAK.load(Relaxed) - base, ms)
}

/// Far below any table of the points asked for (2^32 points take 24 GB), far above what
/// checking 4,097 ids needs.
const SMALL: usize = 8 << 20;

/// Weight 1024 at the default 1024 vnodes: 2^20 points, the most one node may have.
const HEAVY: f64 = 1024.0;

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("server-{i}")).collect()
}

fn heavy_document(n: usize) -> String {
    let servers: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"id":"server-{i}","weight":{HEAVY}}}"#))
        .collect();
    format!(r#"{{"servers":[{}]}}"#, servers.join(","))
}

#[test]
fn refusals_come_before_large_allocations_on_every_target() {
    assert_eq!(
        (HEAVY * f64::from(DEFAULT_VNODES)) as u32,
        MAX_NODE_POINTS,
        "each node is at the per-node limit"
    );
    eprintln!("usize is {} bits", usize::BITS);

    // 4,096 nodes of 2^20 points: 2^32 points, 0 in a 32-bit usize.
    let names = ids(4096);
    let mut ring: HashRing<()> = HashRing::new();
    let (r, bytes, ms) = measured(|| ring.add_all(names.iter().map(|id| (id.as_str(), HEAVY, ()))));
    eprintln!("add_all 4096 x 2^20 points: {r:?} in {ms:.2} ms, peak {bytes} bytes");
    assert_eq!(r, Err(RingError::TooManyPoints));
    assert!(bytes < SMALL, "{bytes} bytes allocated before refusing");
    assert!(ring.is_empty() && ring.point_count() == 0 && ring.version() == 0);

    // The same sum reached across calls: 16 heavy nodes on the ring, then 4,080 more.
    let mut ring: HashRing<()> = HashRing::with_config(RingConfig::new(1024, 0).unwrap());
    ring.add_all(names[..16].iter().map(|id| (id.as_str(), HEAVY, ())))
        .unwrap();
    let (fp, version) = (ring.fingerprint(), ring.version());
    let (r, bytes, ms) =
        measured(|| ring.add_all(names[16..].iter().map(|id| (id.as_str(), HEAVY, ()))));
    eprintln!("add_all onto 2^24 points: {r:?} in {ms:.2} ms, peak {bytes} bytes");
    assert_eq!(r, Err(RingError::TooManyPoints));
    assert!(bytes < SMALL, "{bytes} bytes allocated before refusing");
    assert_eq!((ring.fingerprint(), ring.version()), (fp, version));

    // The membership document: parsing refuses it, and so do validate and to_ring.
    let doc = heavy_document(4096);
    let (r, bytes, ms) = measured(|| {
        let mut de = serde_json::Deserializer::from_str(&doc);
        Snapshot::from_deserializer(&mut de)
    });
    let e = r.expect_err("2^32 points");
    eprintln!("parse 4096 x 2^20 points: {e} in {ms:.2} ms, peak {bytes} bytes");
    assert_eq!(
        (e.field.as_str(), e.error),
        ("servers", RingError::TooManyPoints)
    );
    assert!(bytes < SMALL, "{bytes} bytes allocated before refusing");
    let snapshot = Snapshot {
        epoch: 0,
        config: RingConfig::default(),
        servers: names
            .iter()
            .map(|id| ringroute::Server {
                id: id.clone(),
                address: None,
                weight: HEAVY,
            })
            .collect(),
    };
    let (r, bytes, _) = measured(|| snapshot.validate());
    assert_eq!(r.unwrap_err().error, RingError::TooManyPoints);
    assert!(bytes < SMALL, "{bytes} bytes allocated before refusing");
    let (r, bytes, ms) = measured(|| snapshot.to_ring().map(|_| ()));
    eprintln!("to_ring 4096 x 2^20 points: refused in {ms:.2} ms, peak {bytes} bytes");
    assert_eq!(r.unwrap_err().error, RingError::TooManyPoints);
    assert!(bytes < SMALL, "{bytes} bytes allocated before refusing");

    // An endless list of nodes: read one past the limit, then refused.
    let mut ring: HashRing<()> = HashRing::with_config(RingConfig::new(1, 0).unwrap());
    let mut pulled = 0usize;
    let endless = std::iter::repeat_with(|| {
        pulled += 1;
        assert!(pulled <= MAX_NODES + 1, "read past the node limit");
        ("same", 1.0, ())
    });
    let (r, bytes, ms) = measured(|| ring.add_all(endless));
    eprintln!("add_all of an endless list: {r:?} in {ms:.2} ms, peak {bytes} bytes");
    assert_eq!(r, Err(RingError::TooManyNodes));
    assert!(bytes < SMALL, "{bytes} bytes allocated before refusing");
    assert!(ring.is_empty());

    // A document with more servers than a ring may hold stops being read there.
    let many = format!(
        r#"{{"servers":[{}]}}"#,
        vec![r#"{"id":"x"}"#; MAX_NODES + 1000].join(",")
    );
    let (r, bytes, ms) = measured(|| {
        let mut de = serde_json::Deserializer::from_str(&many);
        Snapshot::from_deserializer(&mut de)
    });
    let e = r.expect_err("too many servers");
    eprintln!(
        "parse {} servers: {e} in {ms:.2} ms, peak {bytes} bytes",
        MAX_NODES + 1000
    );
    assert_eq!(
        (e.field.as_str(), e.error),
        ("servers", RingError::TooManyNodes)
    );
}
