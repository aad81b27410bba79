//! Prints how evenly 100 equal nodes share 1,000,000 keys as virtual nodes grow:
//! the measurement behind `DEFAULT_VNODES` and the README's balance table.
//!
//! `cargo run --release -p ringroute --example balance`

use ringroute::{Balance, HashRing, RingConfig};

const NODES: usize = 100;
const KEYS: u32 = 1_000_000;
const SEEDS: u32 = 5;

fn main() -> Result<(), ringroute::RingError> {
    let ids: Vec<String> = (0..NODES).map(|i| format!("node-{i}")).collect();
    let keys: Vec<String> = (0..KEYS).map(|i| format!("user:{i:08}")).collect();
    println!("| vnodes | points | max/avg (seed 0) | max/avg (worst of {SEEDS} seeds) | min/avg (seed 0) |");
    println!("|---:|---:|---:|---:|---:|");
    for vnodes in [16, 40, 100, 160, 256, 512, 1024, 2048] {
        let mut worst = 0.0f64;
        let mut first = None;
        for seed in 0..SEEDS {
            let config = RingConfig::new(vnodes, seed)?;
            let ring = HashRing::from_nodes(config, ids.iter().map(|id| (id.as_str(), 1.0, ())))?;
            let mut loads = vec![0u64; ring.len()];
            for key in &keys {
                if let Some(i) = ring.get_index(key) {
                    loads[i] += 1;
                }
            }
            let balance = Balance::from_loads(&loads).expect("keys were routed");
            worst = worst.max(balance.max_over_avg);
            first.get_or_insert((ring.point_count(), balance));
        }
        let (points, b) = first.expect("at least one seed");
        println!(
            "| {vnodes} | {points} | {:.3} | {worst:.3} | {:.3} |",
            b.max_over_avg, b.min_over_avg
        );
    }
    Ok(())
}
