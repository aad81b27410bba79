//! Bounded loads against the plain ring: how even the load gets, and how many
//! assignments move when a node joins or leaves.
//!
//! `cargo run --release -p ringroute --example bounded`

use ringroute::{Balance, BoundedLoads, HashRing, RingConfig, RingError};

const NODES: usize = 32;
const ITEMS: usize = 20_000;

fn main() -> Result<(), RingError> {
    let ids: Vec<String> = (0..=NODES).map(|i| format!("ws-{i}")).collect();
    let cfg = RingConfig::new(160, 0)?;
    let ring = HashRing::from_nodes(cfg, ids[..NODES].iter().map(|i| (i.as_str(), 1.0, ())))?;
    let keys: Vec<String> = (0..ITEMS).map(|i| format!("conn:{i}")).collect();
    let mut joined = ring.clone();
    joined.add(&ids[NODES], ())?;
    let mut left = ring.clone();
    left.remove(&ids[0]);

    let plain_moved = |other: &HashRing<()>| {
        keys.iter()
            .filter(|k| ring.get(k).map(|n| n.id) != other.get(k).map(|n| n.id))
            .count()
    };
    println!("{NODES} nodes x 160 vnodes, {ITEMS} items\n");
    println!("| assignment | max/avg | moved on join | moved on leave |\n|---|---:|---:|---:|");
    let loads: Vec<u64> = ring
        .iter()
        .map(|n| {
            keys.iter()
                .filter(|k| ring.get(k).map(|x| x.id) == Some(n.id))
                .count() as u64
        })
        .collect();
    println!(
        "| plain ring | {:.3} | {:.2}% | {:.2}% |",
        Balance::from_loads(&loads).map_or(0.0, |b| b.max_over_avg),
        100.0 * plain_moved(&joined) as f64 / ITEMS as f64,
        100.0 * plain_moved(&left) as f64 / ITEMS as f64
    );
    for c in [2.0, 1.5, 1.25, 1.1, 1.0] {
        let mut bounded = BoundedLoads::new(c)?;
        for k in &keys {
            bounded.assign(&ring, k);
        }
        let loads: Vec<u64> = ring.iter().map(|n| bounded.load(n.id)).collect();
        let max = Balance::from_loads(&loads).map_or(0.0, |b| b.max_over_avg);
        let on_join = bounded.clone().rebalance(&joined);
        let on_leave = bounded.clone().rebalance(&left);
        println!(
            "| bounded, c = {c} | {max:.3} | {:.2}% | {:.2}% |",
            100.0 * on_join as f64 / ITEMS as f64,
            100.0 * on_leave as f64 / ITEMS as f64
        );
    }
    Ok(())
}
