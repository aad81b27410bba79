//! The whole state in the URL's fragment, so a link reproduces the picture exactly.
//!
//! The fragment holds the membership before the last change plus that change, and the
//! scaling batch reached: decoding rebuilds the earlier membership and replays the
//! change, so the counters, the moved users' halos and a running event come back as
//! they were. Keys: `v` vnodes, `s` servers (`number:weight:slot[:d]` for down, `_`
//! between servers), `n` next server number, `u` users, `r` replicas, `c` cap, `h` hot
//! spot, `g` gradual, `a` algorithm, `o` one marker per server, `k` lookup key
//! (percent-encoded), `m` message (`from.to`), `x` last change, `t` batch, `e` epoch,
//! `p` story step.

use std::fmt::Write;
use std::rc::Rc;

use crate::domain::{server_number, Domain, Server, MAX_SERVERS, MAX_USERS, STEPS};
use crate::figures::{Algorithm, ChangeKind};
use crate::state::{Action, Demo, Message};
use crate::story;

/// The longest fragment decoded; anything longer is refused unread.
const MAX_FRAGMENT: usize = 4096;

/// The fragment (without `#`) for `demo`.
pub fn encode(demo: &Demo) -> String {
    let d = &demo.domain;
    // The membership before the last change: undo the change on a copy of the list.
    let mut servers: Vec<Server> = d.servers.clone();
    let mut vnodes = d.vnodes;
    let change = d.change.as_ref().map(|c| &c.kind);
    let x = match change {
        Some(ChangeKind::Join { id, .. }) => {
            servers.retain(|s| &s.id != id);
            let joined = d.server_by_id(id);
            format!(
                "j:{}:{}:{}",
                server_number(id),
                joined.map_or(1.0, |s| s.weight),
                joined.map_or(0, |s| s.slot)
            )
        }
        Some(ChangeKind::Leave { id, .. }) => format!("l:{}", server_number(id)),
        Some(ChangeKind::Weight { id, from, .. }) => {
            for s in servers.iter_mut().filter(|s| &s.id == id) {
                s.weight = *from;
            }
            format!(
                "w:{}:{}",
                server_number(id),
                d.server_by_id(id).map_or(0.0, |s| s.weight)
            )
        }
        Some(ChangeKind::Vnodes { from, to }) => {
            vnodes = *from;
            format!("v:{to}")
        }
        None => String::new(),
    };
    if let Some(ChangeKind::Leave { id, weight }) = change {
        let slot = (0..MAX_SERVERS as u8)
            .find(|&s| servers.iter().all(|x| x.slot != s))
            .unwrap_or(0);
        servers.push(Server {
            id: id.clone(),
            weight: *weight,
            slot: demo
                .ui
                .undo
                .as_ref()
                .filter(|u| &u.id == id)
                .map_or(slot, |u| u.slot),
            down: false,
        });
        servers.sort_by_key(|s| server_number(&s.id));
    }
    let mut out = format!("v={vnodes}&s=");
    for (i, s) in servers.iter().enumerate() {
        let sep = if i == 0 { "" } else { "_" };
        let _ = write!(out, "{sep}{}:{}:{}", server_number(&s.id), s.weight, s.slot);
        if s.down {
            out.push_str(":d");
        }
    }
    let _ = write!(
        out,
        "&n={}&u={}&r={}",
        d.next_server,
        d.users.len(),
        d.replication
    );
    if let Some(c) = d.cap {
        let _ = write!(out, "&c={c}");
    }
    if !d.hot.is_empty() {
        out.push_str("&h=1");
    }
    if d.gradual {
        out.push_str("&g=1");
    }
    if demo.ui.algorithm != Algorithm::Ring {
        let _ = write!(out, "&a={}", demo.ui.algorithm.name());
    }
    if !demo.ui.show_vnodes {
        out.push_str("&o=1");
    }
    if let Some(key) = &demo.ui.lookup {
        let _ = write!(out, "&k={}", percent_encode(key));
    }
    if let Some(m) = demo.ui.message {
        let _ = write!(out, "&m={}.{}", m.from, m.to);
    }
    if !x.is_empty() {
        let _ = write!(out, "&x={x}");
    }
    if let Some(s) = &d.scaling {
        let _ = write!(out, "&t={}", s.step);
    }
    let _ = write!(out, "&e={}", d.epoch);
    if let Some(p) = demo.ui.story {
        let _ = write!(out, "&p={p}");
    }
    out
}

/// The state a fragment describes; refuses anything it cannot rebuild exactly.
pub fn decode(fragment: &str) -> Result<Demo, String> {
    if fragment.len() > MAX_FRAGMENT {
        return Err("the link is too long to be one of the demo's".into());
    }
    let mut fields: Vec<(&str, &str)> = Vec::new();
    for pair in fragment.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair
            .split_once('=')
            .ok_or("the link's state is malformed")?;
        fields.push((k, v));
    }
    let get = |k: &str| fields.iter().find(|f| f.0 == k).map(|f| f.1);
    let num = |k: &str| -> Result<Option<u64>, String> {
        get(k)
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| format!("the link's {k} is not a number"))
            })
            .transpose()
    };
    let vnodes = num("v")?.ok_or("the link has no state")?;
    let mut domain = Domain::empty(u32::try_from(vnodes).map_err(|_| "bad vnodes")?)?;
    domain.gradual = get("g") == Some("1");
    let epoch = num("e")?.unwrap_or(0);
    let change = get("x");
    let replaying_scaling = domain.gradual && get("t").is_some();
    // Build the earlier membership directly (no change figures), in join order.
    let mut down: Vec<Rc<str>> = Vec::new();
    for item in get("s").unwrap_or("").split('_').filter(|s| !s.is_empty()) {
        let parts: Vec<&str> = item.split(':').collect();
        let bad = || format!("the link's server {item:?} is malformed");
        if parts.len() < 3 || parts.len() > 4 {
            return Err(bad());
        }
        let number: u32 = parts[0].parse().map_err(|_| bad())?;
        let weight: f64 = parts[1].parse().map_err(|_| bad())?;
        let slot: u8 = parts[2].parse().map_err(|_| bad())?;
        if usize::from(slot) >= MAX_SERVERS
            || domain.servers.len() >= MAX_SERVERS
            || domain.server(slot).is_some()
            || !(domain.min_weight()..=crate::domain::MAX_WEIGHT).contains(&weight)
        {
            return Err(bad());
        }
        let id: Rc<str> = format!("srv-{number}").into();
        if parts.get(3) == Some(&"d") {
            down.push(id.clone());
        }
        let mut ring = domain.ring.clone();
        ring.add_weighted(&id, weight, slot)
            .map_err(|e| e.to_string())?;
        domain.ring = ring;
        domain.servers.push(Server {
            id,
            weight,
            slot,
            down: false,
        });
    }
    domain.points = domain
        .ring
        .points()
        .map(|(p, i)| (p, domain.ring.node_at(i).map_or(0, |n| *n.data)))
        .collect();
    domain.next_server = u32::try_from(num("n")?.unwrap_or(0)).map_err(|_| "bad n")?;
    let users = usize::try_from(num("u")?.unwrap_or(0)).map_err(|_| "bad u")?;
    if users > MAX_USERS {
        return Err("too many users in the link".into());
    }
    domain.add_users(users)?;
    domain.epoch = if replaying_scaling {
        epoch.saturating_sub(1)
    } else {
        epoch
    };
    let mut demo = Demo::from_domain(domain);
    if let Some(x) = change {
        let parts: Vec<&str> = x.split(':').collect();
        let id = |i: usize| -> Result<Rc<str>, String> {
            let n: u32 = parts
                .get(i)
                .and_then(|n| n.parse().ok())
                .ok_or("bad change")?;
            Ok(format!("srv-{n}").into())
        };
        let action = match parts.first() {
            Some(&"j") => {
                let bad = || "the link's join is malformed".to_string();
                demo.ui.undo = Some(Server {
                    id: id(1)?,
                    weight: parts.get(2).and_then(|w| w.parse().ok()).ok_or_else(bad)?,
                    slot: parts.get(3).and_then(|w| w.parse().ok()).ok_or_else(bad)?,
                    down: false,
                });
                Action::UndoRemove
            }
            Some(&"l") => Action::RemoveServer(id(1)?),
            Some(&"w") => Action::SetWeight(id(1)?, parts.get(2).ok_or("bad change")?.to_string()),
            Some(&"v") => Action::SetVnodes(
                parts
                    .get(1)
                    .and_then(|v| v.parse().ok())
                    .ok_or("bad change")?,
            ),
            _ => return Err("the link's last change is malformed".into()),
        };
        replay(&mut demo, action)?;
        demo.domain.next_server = demo
            .domain
            .next_server
            .max(u32::try_from(num("n")?.unwrap_or(0)).map_err(|_| "bad n")?);
    }
    if let Some(t) = num("t")? {
        if t > u64::from(STEPS) || demo.domain.scaling.is_none() {
            return Err("the link's scaling batch is malformed".into());
        }
        for _ in 0..t {
            demo.domain.tick();
        }
    }
    demo.domain.epoch = epoch;
    let r = usize::try_from(num("r")?.unwrap_or(2)).map_err(|_| "bad r")?;
    replay(&mut demo, Action::SetReplication(r))?;
    if let Some(c) = get("c") {
        let c: f64 = c.parse().map_err(|_| "the link's cap is not a number")?;
        replay(&mut demo, Action::SetCap(Some(c)))?;
    }
    if get("h") == Some("1") {
        replay(&mut demo, Action::SetHot(true))?;
    }
    for id in down {
        demo.domain
            .servers
            .iter_mut()
            .filter(|s| s.id == id)
            .for_each(|s| s.down = true);
    }
    demo.domain.refresh();
    if let Some(a) = get("a") {
        demo.ui.algorithm = Algorithm::from_name(a).ok_or("unknown algorithm in the link")?;
    }
    demo.ui.show_vnodes = get("o") != Some("1");
    if let Some(k) = get("k") {
        replay(&mut demo, Action::Lookup(percent_decode(k)?))?;
    }
    if let Some(m) = get("m") {
        let (a, b) = m.split_once('.').ok_or("bad message")?;
        let (from, to): (usize, usize) = (
            a.parse().map_err(|_| "bad message")?,
            b.parse().map_err(|_| "bad message")?,
        );
        if from >= demo.domain.users.len() || to >= demo.domain.users.len() {
            return Err("the link's message names users it does not have".into());
        }
        demo.ui.message = Some(Message { from, to });
    }
    if let Some(p) = num("p")? {
        let p = usize::try_from(p).map_err(|_| "bad step")?;
        if p == 0 || p > story::STEPS.len() {
            return Err("the link's story step is out of range".into());
        }
        demo.ui.story = Some(p);
    }
    demo.ui.undo = None;
    Ok(demo)
}

fn replay(demo: &mut Demo, action: Action) -> Result<(), String> {
    demo.apply(action);
    match demo.ui.notice.take() {
        Some(n) => Err(format!("the link's state was refused: {}", n.text)),
        None => Ok(()),
    }
}

/// Percent-encodes every byte outside RFC 3986's unreserved set.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Decodes `%XX` escapes; refuses malformed escapes and bytes that are not UTF-8.
pub fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("the link holds a malformed escape")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the link's key is not UTF-8".into())
}
