//! Walks a ring of WebSocket servers through joins and leaves and prints, at each step,
//! how many users must reconnect, beside what modulo hashing would have moved.
//!
//! `cargo run --release -p ringroute --example walk`

use ringroute::{HashRing, ModuloRouter, RingError};

const USERS: usize = 100_000;

enum Step {
    Join(&'static str),
    Leave(&'static str),
    Weight(&'static str, f64),
}

fn total_weight<T>(ring: &HashRing<T>) -> f64 {
    ring.iter().map(|n| n.weight).sum()
}

fn main() -> Result<(), RingError> {
    let users: Vec<String> = (0..USERS).map(|i| format!("user:{i}")).collect();
    let mut ring = HashRing::new();
    for i in 0..4 {
        ring.add(
            &format!("ws-server-{i}"),
            format!("ws://10.0.0.{}:8080", 10 + i),
        )?;
    }
    println!(
        "{USERS} users on {} servers, {} vnodes each, fingerprint {:016x}\n",
        ring.len(),
        ring.config().vnodes(),
        ring.fingerprint()
    );
    println!(
        "{:<28} {:>7} {:>22} {:>10} {:>14} {:>8}",
        "step", "servers", "ring moved", "ideal", "modulo moved", "max/avg"
    );

    let steps = [
        Step::Join("ws-server-4"),
        Step::Join("ws-server-5"),
        Step::Leave("ws-server-1"),
        Step::Weight("ws-server-0", 2.0),
        Step::Leave("ws-server-4"),
        Step::Join("ws-server-1"),
    ];
    for step in steps {
        let before: Vec<usize> = users
            .iter()
            .map(|u| ring.get_index(u).unwrap_or(0))
            .collect();
        let before_ids: Vec<String> = ring.iter().map(|n| n.id.to_owned()).collect();
        let modulo_before = ModuloRouter::from_ring(&ring);

        let (label, ideal) = match step {
            Step::Join(id) => {
                ring.add(id, format!("ws://{id}:8080"))?;
                (format!("join {id}"), 1.0 / total_weight(&ring))
            }
            Step::Leave(id) => {
                let share = ring
                    .shares()
                    .into_iter()
                    .find(|s| s.0 == id)
                    .map_or(0.0, |s| s.1);
                ring.remove(id);
                (format!("leave {id}"), share)
            }
            Step::Weight(id, w) => {
                let old = ring.node(id).map_or(1.0, |n| n.weight);
                let old_share = old / total_weight(&ring);
                ring.set_weight(id, w)?;
                (
                    format!("weight {id} {old} -> {w}"),
                    w / total_weight(&ring) - old_share,
                )
            }
        };

        let modulo_after = ModuloRouter::from_ring(&ring);
        let mut moved = 0;
        let mut modulo_moved = 0;
        for (user, old) in users.iter().zip(&before) {
            if ring.get(user).map(|n| n.id) != Some(before_ids[*old].as_str()) {
                moved += 1;
            }
            if modulo_before.get(user) != modulo_after.get(user) {
                modulo_moved += 1;
            }
        }
        let pct = |k: usize| 100.0 * k as f64 / USERS as f64;
        println!(
            "{label:<28} {:>7} {:>13} ({:>5.1}%) {:>9.1}% {:>13.1}% {:>8.3}",
            ring.len(),
            moved,
            pct(moved),
            100.0 * ideal,
            pct(modulo_moved),
            ring.balance().map_or(0.0, |b| b.max_over_avg)
        );
    }
    println!("\nideal: the share of the ring that must change hands. The ring moves about that;");
    println!(
        "modulo hashing moves most users whenever the server count changes (and ignores weights)."
    );
    Ok(())
}
