//! Scaling transitions: progress 0 is the old ring, 1 the new ring, each key changes
//! owner at most once, dual delivery covers exactly the keys that move, and routers that
//! set the same progress agree.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use ringroute::{HashRing, RingConfig, RingError, Transition};

const IDS: &[&str] = &["a", "b", "c", "d", "ws-0", "ws-1", "ünï", "🚀"];

fn ring(cfg: RingConfig, ids: &[&str]) -> HashRing<String> {
    HashRing::from_nodes(cfg, ids.iter().map(|&i| (i, 1.0, format!("addr-{i}")))).unwrap()
}

/// Two memberships of 1 to 8 nodes each: joins, leaves, or both at once.
fn change() -> impl Strategy<Value = (RingConfig, Vec<&'static str>, Vec<&'static str>)> {
    (
        (1u32..64, any::<u32>()).prop_map(|(v, s)| RingConfig::new(v, s).unwrap()),
        proptest::sample::subsequence(IDS, 1..=IDS.len()),
        proptest::sample::subsequence(IDS, 1..=IDS.len()),
    )
}

fn keys() -> Vec<String> {
    (0..300).map(|i| format!("user:{i}")).collect()
}

fn owners(t: &Transition<String>, keys: &[String]) -> Vec<(String, Option<String>)> {
    keys.iter()
        .map(|k| {
            let r = t.route(k).unwrap();
            (r.owner.id.to_owned(), r.previous.map(|p| p.id.to_owned()))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, rng_seed: RngSeed::Fixed(0x7a45_2026), ..ProptestConfig::default() })]

    #[test]
    fn transition_walks_from_old_to_new(
        (cfg, before, after) in change(),
        epoch in any::<u64>(),
        mut progress in proptest::collection::vec(0.0f64..=1.0, 1..8),
    ) {
        let (old, new) = (ring(cfg, &before), ring(cfg, &after));
        let keys = keys();
        let old_owner: Vec<String> = keys.iter().map(|k| old.get(k).unwrap().id.to_owned()).collect();
        let new_owner: Vec<String> = keys.iter().map(|k| new.get(k).unwrap().id.to_owned()).collect();
        let mut t = Transition::new(old, new, epoch).unwrap();

        // Progress 0: exactly the old ring, nobody dual-delivered.
        let start = owners(&t, &keys);
        for (i, (owner, previous)) in start.iter().enumerate() {
            prop_assert_eq!(owner, &old_owner[i]);
            prop_assert!(previous.is_none());
        }

        progress.sort_by(f64::total_cmp);
        progress.push(1.0);
        let mut current = start;
        let mut changes = vec![0u32; keys.len()];
        let mut ever_dual = vec![false; keys.len()];
        for p in progress {
            let before_cut = t.cut_over().len();
            let newly = t.set_progress(p).unwrap();
            prop_assert_eq!(t.cut_over().len(), before_cut + newly);
            let next = owners(&t, &keys);
            for i in 0..keys.len() {
                if next[i].0 != current[i].0 {
                    changes[i] += 1;
                    // The only change is old owner -> new owner, at the key's cut-over.
                    prop_assert_eq!(&current[i].0, &old_owner[i]);
                    prop_assert_eq!(&next[i].0, &new_owner[i]);
                }
                if let Some(prev) = &next[i].1 {
                    ever_dual[i] = true;
                    prop_assert_eq!(prev, &old_owner[i]);
                    prop_assert_eq!(&next[i].0, &new_owner[i]);
                }
            }
            current = next;
        }
        // Progress 1: exactly the new ring; dual delivery for exactly the moving keys.
        prop_assert_eq!(t.pending().len(), 0);
        prop_assert!((t.progress() - 1.0).abs() < 1e-12);
        for i in 0..keys.len() {
            let moves = old_owner[i] != new_owner[i];
            prop_assert_eq!(&current[i].0, &new_owner[i]);
            prop_assert!(changes[i] <= 1);
            prop_assert_eq!(ever_dual[i], moves, "dual delivery must cover exactly the moving keys");
            prop_assert_eq!(current[i].1.is_some(), moves);
        }
        let ring = t.complete();
        prop_assert_eq!(ring.iter().map(|n| n.id).collect::<Vec<_>>(), {
            let mut ids = after.clone();
            ids.sort_unstable();
            ids
        });
    }

    /// Routers that build the same rings in different orders and set the same step agree
    /// on every arc and every route.
    #[test]
    fn routers_agree_at_every_step((cfg, before, after) in change(), epoch in any::<u64>(), steps in 1u32..10) {
        let rev = |ids: &[&'static str]| ids.iter().rev().copied().collect::<Vec<_>>();
        let mut a = Transition::new(ring(cfg, &before), ring(cfg, &after), epoch).unwrap();
        let mut b = Transition::new(ring(cfg, &rev(&before)), ring(cfg, &rev(&after)), epoch).unwrap();
        let keys = keys();
        let mut seen = 0;
        for step in 0..=steps {
            let na = a.set_step(step, steps).unwrap();
            let nb = b.set_step(step, steps).unwrap();
            prop_assert_eq!(na, nb);
            seen += na;
            let arcs = |t: &Transition<String>| t.cut_over().map(|m| (m.first, m.last, m.from.to_owned(), m.to.to_owned())).collect::<Vec<_>>();
            prop_assert_eq!(arcs(&a), arcs(&b));
            prop_assert_eq!(owners(&a, &keys), owners(&b, &keys));
        }
        // The steps partition the plan: every arc is cut over exactly once.
        prop_assert_eq!(seen, a.plan().len());
    }
}

#[test]
fn bad_progress_is_refused_and_changes_nothing() {
    let cfg = RingConfig::new(32, 3).unwrap();
    let mut t = Transition::new(ring(cfg, &["a", "b"]), ring(cfg, &["a", "b", "c"]), 1).unwrap();
    t.set_progress(0.5).unwrap();
    let (cut, progress) = (t.cut_over().len(), t.progress());
    for p in [f64::NAN, -0.1, 1.5, f64::INFINITY, 0.25] {
        assert_eq!(t.set_progress(p), Err(RingError::InvalidProgress), "{p}");
    }
    assert_eq!(t.set_step(1, 0), Err(RingError::InvalidProgress));
    assert_eq!(t.set_step(5, 4), Err(RingError::InvalidProgress));
    assert_eq!(
        t.set_step(1, 4),
        Err(RingError::InvalidProgress),
        "step 1/4 is behind 0.5"
    );
    assert_eq!((t.cut_over().len(), t.progress()), (cut, progress));
    assert_eq!(t.set_step(2, 4), Ok(0), "2/4 is where we are");
    assert!(t.set_progress(1.0).unwrap() > 0);
    assert_eq!(t.epoch(), 1);
}

#[test]
fn seeds_must_match_and_payloads_come_from_the_right_ring() {
    let a = ring(RingConfig::new(8, 1).unwrap(), &["a"]);
    let b = ring(RingConfig::new(8, 2).unwrap(), &["a"]);
    assert_eq!(
        Transition::new(a, b, 0).err(),
        Some(RingError::SeedMismatch)
    );

    let cfg = RingConfig::new(64, 0).unwrap();
    let mut t = Transition::new(ring(cfg, &["a", "b"]), ring(cfg, &["a", "b", "c"]), 9).unwrap();
    t.set_progress(1.0).unwrap();
    let moving = keys()
        .into_iter()
        .find(|k| t.route(k).unwrap().previous.is_some())
        .unwrap();
    let r = t.route(&moving).unwrap();
    assert_eq!(*r.owner.data, "addr-c");
    assert_eq!(
        *r.previous.unwrap().data,
        format!("addr-{}", r.previous.unwrap().id)
    );
}

#[test]
fn epochs_shuffle_the_cut_over_order_but_cover_the_same_arcs() {
    let cfg = RingConfig::default();
    let ids: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let order = |epoch| {
        let mut t = Transition::new(ring(cfg, &refs[..9]), ring(cfg, &refs), epoch).unwrap();
        t.set_progress(1.0).unwrap();
        t.cut_over().map(|m| m.first).collect::<Vec<_>>()
    };
    let (one, two) = (order(1), order(2));
    assert_ne!(one, two);
    let (mut s1, mut s2) = (one.clone(), two);
    s1.sort_unstable();
    s2.sort_unstable();
    assert_eq!(s1, s2);
    // Half-way by progress is half-way by ring length, within one arc.
    let mut t = Transition::new(ring(cfg, &refs[..9]), ring(cfg, &refs), 1).unwrap();
    t.set_progress(0.5).unwrap();
    assert!((t.progress() - 0.5).abs() < 0.01, "{}", t.progress());
}

#[test]
fn nothing_moves_when_nothing_changes() {
    let cfg = RingConfig::new(16, 0).unwrap();
    let mut t = Transition::new(ring(cfg, &["a", "b"]), ring(cfg, &["b", "a"]), 0).unwrap();
    assert!(t.plan().is_empty());
    assert_eq!(t.progress(), 1.0);
    assert_eq!(t.set_progress(0.3), Ok(0));
    assert!(keys()
        .iter()
        .all(|k| t.route(k).unwrap().previous.is_none()));
}
