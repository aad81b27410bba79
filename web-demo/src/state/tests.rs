//! The reducer without a browser. Reference answers come from ring-core directly (a
//! ring built from the demo's membership), never from the demo's own routing.

use std::rc::Rc;

use ringroute::{diff, HashRing, RingConfig};

use super::*;
use crate::domain::{Serving, HOT_SESSIONS, MAX_SERVERS, MAX_USERS, MAX_VNODES, SEED, STEPS};
use crate::figures::ChangeKind;
use crate::url;

fn owners_on(ring: &HashRing<u8>, demo: &Demo) -> Vec<u8> {
    demo.domain
        .users
        .iter()
        .map(|u| *ring.get(&*u.id).unwrap().data)
        .collect()
}

fn owners(demo: &Demo) -> Vec<u8> {
    demo.domain.users.iter().map(|u| u.owner).collect()
}

/// The ring ring-core builds for the demo's membership, independently of the demo.
fn reference(demo: &Demo) -> HashRing<u8> {
    let config = RingConfig::new(demo.domain.vnodes, SEED).unwrap();
    let nodes = demo
        .domain
        .servers
        .iter()
        .map(|s| (&*s.id, s.weight, s.slot));
    HashRing::from_nodes(config, nodes).unwrap()
}

fn share(ring: &HashRing<u8>, id: &str) -> f64 {
    ring.shares().into_iter().find(|s| s.0 == id).unwrap().1
}

fn change(demo: &Demo) -> crate::figures::Change {
    demo.domain.change.clone().expect("a change")
}

#[test]
fn the_first_load_is_the_same_every_time() {
    let (a, b) = (Demo::new(), Demo::new());
    assert_eq!(a.domain.users, b.domain.users);
    assert_eq!(a.domain.servers, b.domain.servers);
    assert_eq!(a.domain.users.len(), INITIAL_USERS);
    assert_eq!(owners(&a), owners_on(&reference(&a), &a));
    assert!(a.domain.change.is_none() && a.ui.notice.is_none());
}

#[test]
fn a_join_expects_the_new_servers_share_and_moves_only_to_it() {
    let mut demo = Demo::new();
    demo.apply(Action::AddUsers(800));
    let before = owners(&demo);
    demo.apply(Action::AddServer);
    let after = owners(&demo);
    let ring = reference(&demo);
    assert_eq!(after, owners_on(&ring, &demo));
    let new_slot = demo.domain.servers.last().unwrap().slot;
    let moved: Vec<usize> = (0..before.len())
        .filter(|&i| before[i] != after[i])
        .collect();
    assert!(moved.iter().all(|&i| after[i] == new_slot));
    let c = change(&demo);
    assert_eq!(c.moved, moved.len());
    assert_eq!(c.kind.what(), "srv-4 joined");
    // Expected: the newcomer's share of the new ring, exactly; ideal 1/5 by weight.
    assert_eq!(c.expected, share(&ring, "srv-4"));
    assert!((c.ideal - 0.2).abs() < 1e-12);
    assert!(c.moved > 100 && c.moved < 350, "{c:?}");
    assert!(c.modulo.unwrap() > 700, "{c:?}");
    for &i in &moved {
        assert_eq!(demo.domain.users[i].moved_from, Some(before[i]));
    }
}

#[test]
fn a_leave_expects_the_leavers_old_share_and_moves_exactly_its_users() {
    let mut demo = Demo::new();
    demo.apply(Action::AddServer);
    let old_ring = reference(&demo);
    let before = owners(&demo);
    let leaving = demo.domain.servers[1].clone();
    demo.apply(Action::RemoveServer(leaving.id.clone()));
    assert!(demo.ui.notice.is_none());
    let after = owners(&demo);
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(*b == leaving.slot, b != a);
    }
    assert_eq!(after, owners_on(&reference(&demo), &demo));
    let c = change(&demo);
    // 5 → 4 servers: the leaver's share (about 20%), not 1/4.
    assert_eq!(c.expected, share(&old_ring, &leaving.id));
    assert!((c.ideal - 0.2).abs() < 1e-12, "{c:?}");
    assert!(c.modulo.is_some());
}

#[test]
fn a_weight_change_expects_the_share_delta_and_modulo_does_not_apply() {
    let mut demo = Demo::new();
    let old_ring = reference(&demo);
    demo.apply(Action::SetWeight("srv-2".into(), "2".into()));
    let ring = reference(&demo);
    let c = change(&demo);
    assert!((c.ideal - 0.15).abs() < 1e-12, "2/5 - 1/4: {c:?}");
    let delta = share(&ring, "srv-2") - share(&old_ring, "srv-2");
    assert!(
        (c.expected - delta).abs() < 1e-9,
        "{} vs {delta}",
        c.expected
    );
    assert_eq!(c.modulo, None);
    assert!(demo
        .domain
        .users
        .iter()
        .filter(|u| u.moved_from.is_some())
        .all(|u| u.owner == demo.domain.server_by_id("srv-2").unwrap().slot));
}

#[test]
fn a_vnode_change_expects_ring_cores_diff_and_modulo_does_not_apply() {
    let mut demo = Demo::new();
    let old_ring = reference(&demo);
    demo.apply(Action::SetVnodes(128));
    let ring = reference(&demo);
    let c = change(&demo);
    assert_eq!(c.expected, diff(&old_ring, &ring).unwrap().moved_fraction());
    assert!(c.expected > 0.4, "a vnode change reshuffles: {c:?}");
    assert_eq!(c.ideal, 0.0);
    assert_eq!(c.modulo, None);
    assert_eq!(owners(&demo), owners_on(&ring, &demo));
}

fn refused(demo: &mut Demo, action: Action, says: &str) {
    let (users, servers, vnodes) = (
        demo.domain.users.clone(),
        demo.domain.servers.clone(),
        demo.domain.vnodes,
    );
    let fingerprint = demo.domain.ring.fingerprint();
    demo.apply(action.clone());
    let notice = demo
        .ui
        .notice
        .clone()
        .unwrap_or_else(|| panic!("{action:?} accepted"));
    assert!(notice.text.contains(says), "{action:?}: {}", notice.text);
    assert!(notice.text.len() < 200, "{action:?}: a long notice");
    assert_eq!(demo.domain.users, users);
    assert_eq!(demo.domain.servers, servers);
    assert_eq!(demo.domain.vnodes, vnodes);
    assert_eq!(demo.domain.ring.fingerprint(), fingerprint);
}

#[test]
fn bad_input_is_refused_with_a_short_message_and_changes_nothing() {
    let mut demo = Demo::new();
    let id = demo.domain.servers[0].id.clone();
    for bad in [
        "0",
        "-1",
        "abc",
        "",
        "NaN",
        "inf",
        "4.5",
        "1e9",
        "1e-300",
        "0.01",
        "1".repeat(100_000).as_str(),
    ] {
        refused(
            &mut demo,
            Action::SetWeight(id.clone(), bad.into()),
            "weight",
        );
    }
    refused(
        &mut demo,
        Action::SetWeight("nope".into(), "2".into()),
        "no server",
    );
    refused(&mut demo, Action::RemoveServer("nope".into()), "no server");
    refused(&mut demo, Action::SetVnodes(0), "between 1");
    refused(&mut demo, Action::SetVnodes(MAX_VNODES + 1), "between 1");
    refused(&mut demo, Action::Lookup(String::new()), "type a key");
    refused(
        &mut demo,
        Action::Lookup("k".repeat(MAX_KEY_BYTES + 1)),
        "at most 256 bytes",
    );
    refused(
        &mut demo,
        Action::SendMessage("x".repeat(100_000), "user-1".into()),
        "no user",
    );
    refused(
        &mut demo,
        Action::SendMessage(" user-7 ".into(), "user-1".into()),
        "no user",
    );
    refused(&mut demo, Action::SetReplication(0), "replication");
    refused(&mut demo, Action::SetReplication(4), "replication");
    refused(&mut demo, Action::SetCap(Some(0.5)), "cap");
    refused(&mut demo, Action::SetCap(Some(f64::NAN)), "cap");
    refused(&mut demo, Action::UndoRemove, "undo");
    // A weight of 1/16 is fine at 16 vnodes, but then 8 vnodes would floor it: refused.
    demo.apply(Action::SetWeight(id.clone(), "0.0625".into()));
    assert!(demo.ui.notice.is_none());
    refused(&mut demo, Action::SetVnodes(8), "below 1/8");
    for server in demo.domain.servers.clone().iter().skip(1) {
        demo.apply(Action::RemoveServer(server.id.clone()));
    }
    refused(&mut demo, Action::RemoveServer(id.clone()), "last server");
    refused(&mut demo, Action::SetDown(id.clone(), true), "stay up");
    while demo.domain.servers.len() < MAX_SERVERS {
        demo.apply(Action::AddServer);
        assert!(demo.ui.notice.is_none());
    }
    refused(&mut demo, Action::AddServer, "32 servers");
    demo.apply(Action::ClearUsers);
    refused(&mut demo, Action::SendRandomMessage, "two users");
    demo.apply(Action::AddUsers(10));
    assert_eq!(demo.domain.users.len(), 10);
}

#[test]
fn keys_are_routed_exactly_as_typed() {
    let mut demo = Demo::new();
    demo.apply(Action::Lookup(" user-7 ".into()));
    assert_eq!(demo.ui.lookup.as_deref(), Some(" user-7 "));
    let at = demo.domain.locate(" user-7 ").unwrap();
    assert_eq!(at.position, reference(&demo).position(" user-7 "));
    assert_ne!(at.position, reference(&demo).position("user-7"));
}

#[test]
fn users_stop_at_the_limit_with_a_message() {
    let mut demo = Demo::new();
    demo.apply(Action::AddUsers(MAX_USERS));
    assert_eq!(demo.domain.users.len(), MAX_USERS);
    assert!(demo
        .ui
        .notice
        .as_ref()
        .unwrap()
        .text
        .contains("added 4800 of 5000"));
    demo.apply(Action::ClearUsers);
    assert!(demo.domain.users.is_empty() && demo.ui.notice.is_none());
}

#[test]
fn a_gradual_join_cuts_over_in_batches_then_completes() {
    let mut direct = Demo::new();
    direct.apply(Action::AddUsers(800));
    let mut gradual = direct.clone();
    direct.apply(Action::AddServer);
    gradual.apply(Action::SetGradual(true));
    let before = owners(&gradual);
    gradual.apply(Action::AddServer);
    let moving = change(&direct).moved;
    assert_eq!(change(&gradual).moved, moving);
    assert_eq!(owners(&gradual), before, "nothing cut over yet");
    assert_eq!(gradual.domain.cut_over(), Some((0, moving)));
    refused(&mut gradual, Action::AddServer, "scaling event is running");
    let mut last = 0;
    for step in 1..=STEPS {
        gradual.apply(Action::Tick);
        let (cut, all) = gradual.domain.cut_over().unwrap();
        assert_eq!(all, moving);
        assert!(cut >= last, "step {step}: {cut} < {last}");
        last = cut;
        for u in &gradual.domain.users {
            if let Some(previous) = u.previous {
                assert_ne!(previous, u.owner);
                assert!(u.incoming.is_none());
            }
        }
    }
    assert_eq!(
        last, moving,
        "every moving user is cut over after the last step"
    );
    assert!(
        gradual.domain.scaling.is_some(),
        "dual delivery lasts until completion"
    );
    gradual.apply(Action::Tick);
    assert!(gradual.domain.scaling.is_none());
    assert_eq!(owners(&gradual), owners(&direct));
}

/// The order arcs cut over in, as the users cut over after each batch.
fn cut_order(mut demo: Demo) -> Vec<usize> {
    demo.apply(Action::SetGradual(true));
    demo.apply(Action::AddServer);
    (1..=STEPS)
        .map(|_| {
            demo.apply(Action::Tick);
            demo.domain.cut_over().unwrap().0
        })
        .collect()
}

#[test]
fn the_cut_over_order_does_not_depend_on_messages_sent() {
    let mut quiet = Demo::new();
    quiet.apply(Action::AddUsers(800));
    let mut chatty = quiet.clone();
    for _ in 0..7 {
        chatty.apply(Action::SendRandomMessage);
    }
    chatty.apply(Action::Lookup("k".into()));
    assert_eq!(cut_order(quiet.clone()), cut_order(chatty));
    // And it does depend on the epoch: a second event orders its arcs afresh.
    let mut later = quiet.clone();
    later.domain.epoch = 41;
    assert_ne!(cut_order(quiet), cut_order(later));
}

#[test]
fn a_down_server_fails_over_to_its_replicas_within_the_replication_factor() {
    let mut demo = Demo::new();
    demo.apply(Action::AddUsers(800));
    let ring = reference(&demo);
    let down = demo.domain.servers[1].clone();
    demo.apply(Action::SetDown(down.id.clone(), true));
    for rf in 1..=3 {
        demo.apply(Action::SetReplication(rf));
        let mut replica = 0;
        for (u, serving) in demo.domain.users.iter().zip(&demo.domain.serving) {
            let list: Vec<&str> = ring.get_n(&*u.id, rf).iter().map(|n| n.id).collect();
            let expected = match list.iter().position(|&id| id != &*down.id) {
                _ if list[0] != &*down.id => Serving::Owner,
                Some(i) => Serving::Replica(*ring.node(list[i]).unwrap().data),
                None => Serving::Lost,
            };
            assert_eq!(*serving, expected, "{} rf {rf}", u.id);
            replica += usize::from(matches!(serving, Serving::Replica(_)));
        }
        let owned = demo
            .domain
            .users
            .iter()
            .filter(|u| u.owner == down.slot)
            .count();
        assert_eq!(replica, if rf == 1 { 0 } else { owned }, "rf {rf}");
    }
    demo.apply(Action::SetDown(down.id.clone(), false));
    assert!(demo.domain.serving.iter().all(|s| *s == Serving::Owner));
}

#[test]
fn bounded_loads_cap_the_hot_spot_and_spill_clockwise() {
    let mut demo = Demo::new();
    demo.apply(Action::AddUsers(300));
    demo.apply(Action::SetHot(true));
    assert_eq!(demo.domain.hot.len(), HOT_SESSIONS);
    let hot_slot = demo.domain.servers[0].slot;
    assert!(demo.domain.hot.iter().all(|u| u.owner == hot_slot));
    let keys = demo.domain.users.len() + HOT_SESSIONS;
    let uncapped = demo.domain.loads();
    let fair = keys as f64 / 4.0;
    assert!(uncapped[0].1 as f64 > 1.5 * fair, "{uncapped:?}");
    demo.apply(Action::SetCap(Some(1.25)));
    let cap = (1.25 * fair).ceil() as usize;
    for s in &demo.domain.servers {
        let load = demo.domain.bounded.iter().filter(|&&o| o == s.slot).count();
        assert!(load <= cap, "{}: {load} > {cap}", s.id);
    }
    assert_eq!(demo.domain.bounded.len(), keys);
    demo.apply(Action::SetCap(None));
    assert!(demo.domain.bounded.is_empty());
    demo.apply(Action::SetHot(false));
    assert!(demo.domain.hot.is_empty());
}

#[test]
fn a_removal_can_be_undone_exactly() {
    let mut demo = Demo::new();
    demo.apply(Action::SetWeight("srv-1".into(), "1.5".into()));
    let (servers, owned) = (demo.domain.servers.clone(), owners(&demo));
    demo.apply(Action::RemoveServer("srv-1".into()));
    assert_eq!(demo.ui.undo.as_ref().map(|s| &*s.id), Some("srv-1"));
    let focus = demo.anim.focus_undo;
    demo.apply(Action::UndoRemove);
    assert!(demo.ui.notice.is_none());
    assert_eq!(demo.domain.servers, servers);
    assert_eq!(owners(&demo), owned);
    assert!(demo.ui.undo.is_none());
    assert_eq!(demo.anim.focus_undo, focus);
    // Undo lasts only until the next membership change.
    demo.apply(Action::RemoveServer("srv-1".into()));
    demo.apply(Action::AddServer);
    refused(&mut demo, Action::UndoRemove, "nothing to undo");
}

fn same_picture(a: &Demo, b: &Demo) {
    assert_eq!(a.domain.servers, b.domain.servers);
    assert_eq!(a.domain.users, b.domain.users);
    assert_eq!(a.domain.hot, b.domain.hot);
    assert_eq!(a.domain.change, b.domain.change);
    assert_eq!(a.domain.serving, b.domain.serving);
    assert_eq!(a.domain.bounded, b.domain.bounded);
    assert_eq!(a.domain.epoch, b.domain.epoch);
    assert_eq!(a.domain.vnodes, b.domain.vnodes);
    assert_eq!(a.domain.replication, b.domain.replication);
    assert_eq!(a.domain.gradual, b.domain.gradual);
    assert_eq!(
        a.domain.scaling.as_ref().map(|s| s.step),
        b.domain.scaling.as_ref().map(|s| s.step)
    );
    assert_eq!(a.domain.cut_over(), b.domain.cut_over());
    assert_eq!(a.domain.ring.fingerprint(), b.domain.ring.fingerprint());
    assert_eq!(a.ui.lookup, b.ui.lookup);
    assert_eq!(a.ui.message, b.ui.message);
    assert_eq!(a.ui.story, b.ui.story);
    assert_eq!(a.ui.algorithm, b.ui.algorithm);
    assert_eq!(a.ui.show_vnodes, b.ui.show_vnodes);
}

fn round_trip(demo: &Demo) {
    let fragment = url::encode(demo);
    let back = url::decode(&fragment).unwrap_or_else(|e| panic!("{fragment}: {e}"));
    same_picture(demo, &back);
    assert_eq!(url::encode(&back), fragment);
}

#[test]
fn every_story_step_round_trips_through_the_url() {
    for step in 1..=crate::story::STEPS.len() {
        let mut demo = Demo::new();
        demo.apply(Action::Story(step));
        assert!(
            demo.ui.notice.is_none(),
            "step {step}: {:?}",
            demo.ui.notice
        );
        assert_eq!(demo.ui.story, Some(step));
        round_trip(&demo);
        if demo.domain.scaling.is_some() {
            demo.apply(Action::Tick);
            demo.apply(Action::Tick);
            round_trip(&demo);
        }
    }
}

#[test]
fn the_story_shows_what_its_watch_lines_promise() {
    let step = |n| {
        let mut d = Demo::new();
        d.apply(Action::Story(n));
        d
    };
    let s1 = step(1);
    assert!(s1
        .domain
        .users
        .iter()
        .all(|u| u.owner == s1.domain.servers[0].slot));
    let c2 = change(&step(2));
    assert!(
        c2.modulo.unwrap() as f64 > 0.7 * c2.users as f64
            && (c2.moved as f64) < 0.3 * c2.users as f64
    );
    let c4 = change(&step(4));
    assert!((c4.ideal - 0.15).abs() < 1e-12);
    assert!(step(5).domain.scaling.is_some());
    assert!(step(6).ui.message.is_some());
    let s7 = step(7);
    assert!(s7
        .domain
        .serving
        .iter()
        .any(|s| matches!(s, Serving::Replica(_))));
    assert!(!s7.domain.serving.contains(&Serving::Lost));
}

#[test]
fn edited_states_round_trip_through_the_url() {
    let mut demo = Demo::new();
    demo.apply(Action::SetWeight("srv-3".into(), "2.5".into()));
    round_trip(&demo);
    demo.apply(Action::RemoveServer("srv-1".into()));
    round_trip(&demo);
    demo.apply(Action::UndoRemove);
    round_trip(&demo);
    demo.apply(Action::SetVnodes(40));
    demo.apply(Action::SetCap(Some(1.5)));
    demo.apply(Action::SetHot(true));
    demo.apply(Action::SetDown("srv-2".into(), true));
    demo.apply(Action::SetReplication(3));
    demo.apply(Action::Lookup(" ключ & 🦀=%zz ".into()));
    demo.apply(Action::SendMessage("user-3".into(), "user-150".into()));
    demo.apply(Action::SetAlgorithm(crate::figures::Algorithm::Ketama));
    demo.apply(Action::ToggleVnodes);
    assert!(demo.ui.notice.is_none(), "{:?}", demo.ui.notice);
    round_trip(&demo);
    assert!(matches!(
        change(&demo).kind,
        ChangeKind::Vnodes { from: 16, to: 40 }
    ));
}

#[test]
fn hostile_links_are_refused_without_panicking() {
    let long = "s=".to_string() + &"1:1:1_".repeat(2000);
    for bad in [
        "",
        "garbage",
        "v=abc",
        "v=0",
        "v=16&s=1:1:99",
        "v=16&s=1:1:1_2:1:1",
        "v=16&s=1:1e-300:0",
        "v=16&s=1:1:0&u=999999",
        "v=16&s=1:1:0&x=q:1",
        "v=16&s=1:1:0&x=l:7",
        "v=16&s=1:1:0&k=%E0%A4%A",
        "v=16&s=1:1:0&k=%ff",
        "v=16&s=1:1:0&m=0.9",
        "v=16&s=1:1:0&p=99",
        "v=16&s=1:1:0&t=3",
        "v=16&s=1:1:0&a=sha",
        long.as_str(),
    ] {
        assert!(url::decode(bad).is_err(), "{bad:.60} accepted");
    }
    assert_eq!(
        url::percent_decode(&url::percent_encode("a b/ü%")).unwrap(),
        "a b/ü%"
    );
}

#[test]
fn animation_counters_only_grow_across_story_steps_and_resets() {
    let mut demo = Demo::new();
    let mut last = demo.anim;
    for action in [
        Action::AddServer,
        Action::Story(3),
        Action::Story(1),
        Action::Reset,
        Action::Story(6),
        Action::Story(6),
    ] {
        demo.apply(action.clone());
        let now = demo.anim;
        assert!(
            now.dots > last.dots,
            "{action:?}: dots {} -> {}",
            last.dots,
            now.dots
        );
        assert!(
            now.moves > last.moves && now.message >= last.message,
            "{action:?}"
        );
        last = now;
    }
}

#[test]
fn reset_returns_to_the_first_load() {
    let mut demo = Demo::new();
    demo.apply(Action::AddServer);
    demo.apply(Action::SetVnodes(3));
    demo.apply(Action::ToggleVnodes);
    demo.apply(Action::Reset);
    let fresh = Demo::new();
    assert_eq!(demo.domain.users, fresh.domain.users);
    assert_eq!(demo.domain.servers, fresh.domain.servers);
    assert!(demo.ui.show_vnodes);
    let _ = Rc::<str>::from("x");
}
