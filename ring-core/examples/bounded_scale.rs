//! Bounded loads at scale: time per `assign` and per `release` at a steady item count,
//! for tight and loose balance factors. Criterion's numbers for c = 1.25 beside the old
//! full-rebalance code are in `cargo bench -p ringroute --bench ring -- bounded`; this
//! sweeps the factor, where tight caps make long chains of displaced items.
//!
//! `cargo run --release -p ringroute --example bounded_scale`

use std::time::{Duration, Instant};

use ringroute::{BoundedLoads, HashRing, RingConfig, RingError};

const OPS: usize = 2_000;

fn main() -> Result<(), RingError> {
    let ids: Vec<String> = (0..16).map(|i| format!("node-{i}")).collect();
    let ring = HashRing::from_nodes(
        RingConfig::new(160, 0)?,
        ids.iter().map(|i| (i.as_str(), 1.0, ())),
    )?;
    println!("16 nodes x 160 vnodes; {OPS} release + assign cycles per row\n");
    println!("| items | c | per release | per assign |\n|---:|---:|---:|---:|");
    for items in [1_000, 10_000, 100_000] {
        for c in [1.0, 1.1, 1.25, 2.0] {
            let mut loads = BoundedLoads::new(c)?;
            for i in 0..items {
                loads.assign(&ring, format!("conn:{i}"));
            }
            // The first release builds the index: one walk per item.
            loads.release(&ring, "conn:0");
            loads.assign(&ring, "conn:0");
            let (mut release, mut assign) = (Duration::ZERO, Duration::ZERO);
            for n in 0..OPS {
                let key = format!("conn:{}", n * 7919 % items);
                let start = Instant::now();
                loads.release(&ring, &key);
                release += start.elapsed();
                let start = Instant::now();
                loads.assign(&ring, &key);
                assign += start.elapsed();
            }
            let us = |d: Duration| d.as_secs_f64() * 1e6 / OPS as f64;
            println!(
                "| {items} | {c} | {:.1} µs | {:.1} µs |",
                us(release),
                us(assign)
            );
        }
    }
    Ok(())
}
