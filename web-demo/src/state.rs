//! The demo's whole state as a reducer: every control dispatches an [`Action`], and
//! [`Demo::apply`] is pure, so the tests below drive it without a browser.
//!
//! Bad input never panics (a panic would kill the wasm app): it leaves the state as it
//! was and sets a [`Notice`] that the page shows.

use std::rc::Rc;

use ringroute::{murmur3_32, HashRing, ModuloRouter, RingConfig, Transition};
use yew::Reducible;

use crate::palette::PALETTE;

/// The fixed hash seed: a reload draws the same picture.
pub const SEED: u32 = 0;
/// Servers on the first load.
pub const INITIAL_SERVERS: usize = 4;
/// Users on the first load.
pub const INITIAL_USERS: usize = 200;
/// Virtual nodes per unit of weight on the first load.
pub const INITIAL_VNODES: u32 = 16;
/// The slider's top. Beyond it the ticks merge into a solid ring.
pub const MAX_VNODES: u32 = 128;
/// The heaviest weight a server may have.
pub const MAX_WEIGHT: f64 = 4.0;
/// At most this many servers: one colour each.
pub const MAX_SERVERS: usize = PALETTE.len();
/// At most this many users.
pub const MAX_USERS: usize = 5_000;
/// The longest key the lookup box accepts, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 256;
/// A scaling event cuts over in this many batches.
pub const STEPS: u32 = 5;
/// The replica list the lookup shows.
pub const REPLICAS: usize = 3;

/// A server: its id, weight and colour slot (an index into the palette).
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// `srv-0`, `srv-1`, ... in join order; never reused within a session.
    pub id: Rc<str>,
    /// Weight: the server gets `round(weight × vnodes)` points.
    pub weight: f64,
    /// Colour slot, unique among the current servers.
    pub slot: u8,
}

/// A user: a key on the ring, and how it is routed right now.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// `user-0`, `user-1`, ...
    pub id: Rc<str>,
    /// MurmurHash3 of the id under [`SEED`].
    pub position: u32,
    /// The slot of the server that owns the user now.
    pub owner: u8,
    /// During a scaling event, once the user's arc is cut over: the old owner, which
    /// still receives the user's messages (dual delivery) until the event completes.
    pub previous: Option<u8>,
    /// During a scaling event, before the user's arc is cut over: the owner to come.
    pub incoming: Option<u8>,
    /// The user's last move, which the page animates.
    pub moved: Option<Moved>,
}

/// A move to animate: from which owner, and a serial that restarts the animation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    /// The slot the user left.
    pub from: u8,
    /// Unique per change, so a user that moves twice animates twice.
    pub serial: u32,
}

/// The last membership change and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// What happened, for the counter's caption: "srv-4 joined".
    pub what: String,
    /// Users whose owner changed on the ring.
    pub moved: usize,
    /// Users at the time.
    pub users: usize,
    /// Users whose owner would change under `hash % n` over the same membership.
    pub modulo_moved: usize,
    /// Servers after the change.
    pub servers: usize,
}

/// A scaling event in progress: the transition and how far it has gone.
#[derive(Clone)]
pub struct Scaling {
    /// Old ring, new ring and the deterministic cut-over order.
    pub transition: Transition<u8>,
    /// Batches cut over so far, out of [`STEPS`].
    pub step: u32,
}

/// A message from one user to another, to animate hop by hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    /// The sender's index in [`Demo::users`].
    pub from: usize,
    /// The recipient's index.
    pub to: usize,
    /// Restarts the animation for each message.
    pub serial: u32,
}

/// A message for the visitor: what was refused and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The text shown.
    pub text: String,
    /// Restarts the notice's fade for a repeated message.
    pub serial: u32,
}

/// Where a key goes right now.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// The key's ring position.
    pub position: u32,
    /// The position of the ring point that owns it (first at or after `position`).
    pub point: u32,
    /// The owner's slot.
    pub owner: u8,
    /// During a scaling event: the old owner that still receives its messages.
    pub previous: Option<u8>,
    /// The replica list (owner first) as (slot, position of its first point after the key).
    pub replicas: Vec<(u8, u32)>,
}

/// Everything a visitor can do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A new server joins with weight 1.
    AddServer,
    /// The server leaves.
    RemoveServer(Rc<str>),
    /// Sets a server's weight from the text typed.
    SetWeight(Rc<str>, String),
    /// Sets the virtual nodes per unit of weight.
    SetVnodes(u32),
    /// Adds this many users.
    AddUsers(usize),
    /// Removes every user.
    ClearUsers,
    /// Looks a key up ("where does user X go?"); an empty string clears the lookup.
    Lookup(String),
    /// Sends a message between two users, by id.
    SendMessage(String, String),
    /// Sends a message between two users picked by the demo.
    SendRandomMessage,
    /// Switches between every virtual node and one marker per server.
    ToggleVnodes,
    /// Joins and leaves run as gradual scaling events (true) or in one step (false).
    SetGradual(bool),
    /// The scaling event's timer: cut over the next batch, or complete.
    Tick,
    /// Back to the first load.
    Reset,
    /// Hides the notice.
    Dismiss,
}

/// The demo's state.
#[derive(Clone)]
pub struct Demo {
    /// Virtual nodes per unit of weight.
    pub vnodes: u32,
    /// The servers, in join order.
    pub servers: Vec<Server>,
    /// The latest membership (during a scaling event, the ring being moved to).
    pub ring: HashRing<u8>,
    /// The ring's points in ring order, as (position, slot).
    pub points: Vec<(u32, u8)>,
    /// The users, in creation order.
    pub users: Vec<User>,
    /// The last change, for the counters.
    pub change: Option<Change>,
    /// The scaling event in progress, if any.
    pub scaling: Option<Scaling>,
    /// Whether joins and leaves run as gradual scaling events.
    pub gradual: bool,
    /// Whether every virtual node is drawn (else one marker per server).
    pub show_vnodes: bool,
    /// The key being looked up.
    pub lookup: Option<String>,
    /// The message being animated.
    pub message: Option<Message>,
    /// What was refused last.
    pub notice: Option<Notice>,
    /// The serial of the latest change that moved users: those are the ones animating.
    pub last_move: u32,
    next_server: u32,
    serial: u32,
}

impl Default for Demo {
    fn default() -> Self {
        Self::new()
    }
}

impl Reducible for Demo {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(action);
        Rc::new(next)
    }
}

impl Demo {
    /// The first load: [`INITIAL_SERVERS`] servers and [`INITIAL_USERS`] users.
    pub fn new() -> Self {
        let config = RingConfig::new(INITIAL_VNODES, SEED).expect("the initial config is valid");
        let mut demo = Self {
            vnodes: INITIAL_VNODES,
            servers: Vec::new(),
            ring: HashRing::with_config(config),
            points: Vec::new(),
            users: Vec::new(),
            change: None,
            scaling: None,
            gradual: false,
            show_vnodes: true,
            lookup: None,
            message: None,
            notice: None,
            last_move: 0,
            next_server: 0,
            serial: 0,
        };
        for _ in 0..INITIAL_SERVERS {
            demo.apply(Action::AddServer);
        }
        demo.apply(Action::AddUsers(INITIAL_USERS));
        demo.change = None;
        for user in &mut demo.users {
            user.moved = None;
        }
        demo
    }

    /// Applies one action. Refused input sets [`Demo::notice`] and changes nothing else.
    pub fn apply(&mut self, action: Action) {
        if !matches!(action, Action::Tick) {
            self.notice = None;
        }
        let refused = match action {
            Action::AddServer => self.add_server(),
            Action::RemoveServer(id) => self.remove_server(&id),
            Action::SetWeight(id, text) => self.set_weight(&id, &text),
            Action::SetVnodes(vnodes) => self.set_vnodes(vnodes),
            Action::AddUsers(count) => self.add_users(count),
            Action::ClearUsers => {
                self.users.clear();
                self.message = None;
                self.change = None;
                Ok(())
            }
            Action::Lookup(key) => self.set_lookup(key),
            Action::SendMessage(from, to) => self.send(&from, &to),
            Action::SendRandomMessage => self.send_random(),
            Action::ToggleVnodes => {
                self.show_vnodes = !self.show_vnodes;
                Ok(())
            }
            Action::SetGradual(on) => {
                self.gradual = on;
                Ok(())
            }
            Action::Tick => {
                self.tick();
                Ok(())
            }
            Action::Reset => {
                *self = Self::new();
                Ok(())
            }
            Action::Dismiss => Ok(()),
        };
        if let Err(text) = refused {
            self.serial += 1;
            self.notice = Some(Notice {
                text,
                serial: self.serial,
            });
        }
    }

    fn add_server(&mut self) -> Result<(), String> {
        if self.servers.len() >= MAX_SERVERS {
            return Err(format!(
                "{MAX_SERVERS} servers is the demo's limit: beyond it colours stop being distinguishable"
            ));
        }
        let slot = (0..=u8::MAX)
            .find(|s| self.servers.iter().all(|server| server.slot != *s))
            .expect("fewer servers than slots");
        let id: Rc<str> = format!("srv-{}", self.next_server).into();
        let mut ring = self.ring.clone();
        ring.add(&id, slot).map_err(|e| e.to_string())?;
        self.change_membership(format!("{id} joined"), ring)?;
        self.next_server += 1;
        self.servers.push(Server {
            id,
            weight: 1.0,
            slot,
        });
        Ok(())
    }

    fn remove_server(&mut self, id: &str) -> Result<(), String> {
        if !self.ring.contains(id) {
            return Err(format!("there is no server {id:?}"));
        }
        if self.servers.len() == 1 {
            return Err("the last server cannot leave: every user needs an owner".into());
        }
        let mut ring = self.ring.clone();
        ring.remove(id);
        self.change_membership(format!("{id} left"), ring)?;
        self.servers.retain(|s| &*s.id != id);
        Ok(())
    }

    fn set_weight(&mut self, id: &str, text: &str) -> Result<(), String> {
        let Some(index) = self.servers.iter().position(|s| &*s.id == id) else {
            return Err(format!("there is no server {id:?}"));
        };
        let weight: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("weight {text:?} is not a number"))?;
        if !(weight > 0.0 && weight <= MAX_WEIGHT) {
            return Err(format!(
                "weight must be above 0 and at most {MAX_WEIGHT}, not {text}"
            ));
        }
        let before = self.servers[index].weight;
        if weight == before {
            return Ok(());
        }
        let mut ring = self.ring.clone();
        ring.set_weight(id, weight).map_err(|e| e.to_string())?;
        self.change_membership(format!("{id} weight {before} → {weight}"), ring)?;
        self.servers[index].weight = weight;
        Ok(())
    }

    fn set_vnodes(&mut self, vnodes: u32) -> Result<(), String> {
        if !(1..=MAX_VNODES).contains(&vnodes) {
            return Err(format!(
                "virtual nodes must be between 1 and {MAX_VNODES}, not {vnodes}"
            ));
        }
        if vnodes == self.vnodes {
            return Ok(());
        }
        let config = RingConfig::new(vnodes, SEED).map_err(|e| e.to_string())?;
        let nodes = self.ring.iter().map(|n| (n.id, n.weight, *n.data));
        let ring = HashRing::from_nodes(config, nodes).map_err(|e| e.to_string())?;
        let what = format!("virtual nodes {} → {vnodes}", self.vnodes);
        self.change_membership(what, ring)?;
        self.vnodes = vnodes;
        Ok(())
    }

    /// Moves to `ring`: at once, or as a scaling event when [`Demo::gradual`] is on.
    fn change_membership(&mut self, what: String, ring: HashRing<u8>) -> Result<(), String> {
        if self.scaling.is_some() {
            return Err("a scaling event is running: wait for it to complete".into());
        }
        let old_modulo = ModuloRouter::from_ring(&self.ring);
        let new_modulo = ModuloRouter::from_ring(&ring);
        let modulo_moved = self
            .users
            .iter()
            .filter(|u| old_modulo.get(&*u.id) != new_modulo.get(&*u.id))
            .count();
        let moved = self
            .users
            .iter()
            .filter(|u| ring.get_at(u.position).map(|n| *n.data) != Some(u.owner))
            .count();
        self.serial += 1;
        self.change = Some(Change {
            what,
            moved,
            users: self.users.len(),
            modulo_moved,
            servers: ring.len(),
        });
        if self.gradual {
            let old = core::mem::replace(&mut self.ring, ring.clone());
            let transition =
                Transition::new(old, ring, u64::from(self.serial)).map_err(|e| e.to_string())?;
            self.scaling = Some(Scaling {
                transition,
                step: 0,
            });
        } else {
            self.ring = ring;
        }
        self.points = self
            .ring
            .points()
            .map(|(p, i)| (p, self.slot_at(i)))
            .collect();
        self.reroute();
        Ok(())
    }

    fn slot_at(&self, index: usize) -> u8 {
        self.ring.node_at(index).map_or(0, |n| *n.data)
    }

    /// Routes one position: (owner, previous owner still served, owner to come).
    fn route(&self, position: u32) -> (u8, Option<u8>, Option<u8>) {
        match &self.scaling {
            Some(scaling) => {
                let t = &scaling.transition;
                let Some(route) = t.route_at(position) else {
                    return (0, None, None);
                };
                let owner = *route.owner.data;
                let incoming = t
                    .new_ring()
                    .get_at(position)
                    .map(|n| *n.data)
                    .filter(|&s| route.previous.is_none() && s != owner);
                (owner, route.previous.map(|n| *n.data), incoming)
            }
            None => (
                self.ring.get_at(position).map_or(0, |n| *n.data),
                None,
                None,
            ),
        }
    }

    /// Re-routes every user; those whose owner changed get a move to animate.
    fn reroute(&mut self) {
        let serial = self.serial;
        for i in 0..self.users.len() {
            let (owner, previous, incoming) = self.route(self.users[i].position);
            let user = &mut self.users[i];
            if owner != user.owner {
                user.moved = Some(Moved {
                    from: user.owner,
                    serial,
                });
                self.last_move = serial;
            }
            user.owner = owner;
            user.previous = previous;
            user.incoming = incoming;
        }
    }

    fn tick(&mut self) {
        let Some(scaling) = &mut self.scaling else {
            return;
        };
        self.serial += 1;
        if scaling.step < STEPS {
            scaling.step += 1;
            // Steps only move forward, so set_step cannot refuse.
            let _ = scaling.transition.set_step(scaling.step, STEPS);
        } else {
            self.scaling = None;
        }
        self.reroute();
    }

    fn add_users(&mut self, count: usize) -> Result<(), String> {
        let room = MAX_USERS - self.users.len();
        let added = count.min(room);
        for _ in 0..added {
            let id: Rc<str> = format!("user-{}", self.users.len()).into();
            let position = self.ring.position(&*id);
            let (owner, previous, incoming) = self.route(position);
            self.users.push(User {
                id,
                position,
                owner,
                previous,
                incoming,
                moved: None,
            });
        }
        if added < count {
            return Err(format!(
                "{MAX_USERS} users is the demo's limit: added {added} of {count}"
            ));
        }
        Ok(())
    }

    fn set_lookup(&mut self, key: String) -> Result<(), String> {
        if key.is_empty() {
            self.lookup = None;
            return Err("type a key to look up, such as user-7".into());
        }
        if key.len() > MAX_KEY_BYTES {
            return Err(format!(
                "keys are at most {MAX_KEY_BYTES} bytes here; that one has {}",
                key.len()
            ));
        }
        self.lookup = Some(key);
        Ok(())
    }

    fn send(&mut self, from: &str, to: &str) -> Result<(), String> {
        let find = |id: &str| {
            let id = id.trim();
            self.users
                .iter()
                .position(|u| &*u.id == id)
                .ok_or_else(|| match self.users.len() {
                    0 => "add users first: there is no one to message".to_string(),
                    n => format!("no user {id:?}: users are user-0 to user-{}", n - 1),
                })
        };
        let (from, to) = (find(from)?, find(to)?);
        self.serial += 1;
        self.message = Some(Message {
            from,
            to,
            serial: self.serial,
        });
        Ok(())
    }

    fn send_random(&mut self) -> Result<(), String> {
        let n = self.users.len();
        if n < 2 {
            return Err("add at least two users first".into());
        }
        // Deterministic "random" picks, so a reload replays the same messages.
        let pick = |salt: u32| murmur3_32(&self.serial.to_le_bytes(), salt) as usize % n;
        let from = pick(1);
        let mut to = pick(2);
        if to == from {
            to = (to + 1) % n;
        }
        let (from, to) = (self.users[from].id.clone(), self.users[to].id.clone());
        self.send(&from, &to)
    }

    /// Where `key` goes now: its position, the owning point, owner and replicas.
    pub fn locate(&self, key: &str) -> Option<Located> {
        let position = self.ring.position(key);
        let (owner, previous, _) = self.route(position);
        let routing = match &self.scaling {
            // Until a key's arc is cut over, the old ring still routes it.
            Some(s) if previous.is_none() => s.transition.old(),
            _ => &self.ring,
        };
        // Walk the points clockwise from the key: the first point of each new server.
        let points: Vec<(u32, usize)> = routing.points().collect();
        let start = points.partition_point(|&(p, _)| p < position);
        let mut replicas: Vec<(u8, u32)> = Vec::with_capacity(REPLICAS);
        for &(point, index) in points[start..].iter().chain(&points[..start]) {
            let slot = routing.node_at(index).map_or(0, |n| *n.data);
            if replicas.len() == REPLICAS.min(routing.len()) {
                break;
            }
            if replicas.iter().all(|&(s, _)| s != slot) {
                replicas.push((slot, point));
            }
        }
        let &(_, point) = replicas.first()?;
        Some(Located {
            position,
            point,
            owner,
            previous,
            replicas,
        })
    }

    /// Whether `user` is moving in the latest change, and so animating.
    pub fn is_moving(&self, user: &User) -> bool {
        user.moved.is_some_and(|m| m.serial == self.last_move)
    }

    /// The server in `slot`.
    pub fn server(&self, slot: u8) -> Option<&Server> {
        self.servers.iter().find(|s| s.slot == slot)
    }

    /// Users per server slot, as routed now.
    pub fn loads(&self) -> Vec<(u8, usize)> {
        self.servers
            .iter()
            .map(|s| {
                (
                    s.slot,
                    self.users.iter().filter(|u| u.owner == s.slot).count(),
                )
            })
            .collect()
    }

    /// Moving users cut over so far and in all, during a scaling event.
    pub fn cut_over(&self) -> Option<(usize, usize)> {
        self.scaling.as_ref()?;
        let cut = self.users.iter().filter(|u| u.previous.is_some()).count();
        let pending = self.users.iter().filter(|u| u.incoming.is_some()).count();
        Some((cut, cut + pending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners_on(ring: &HashRing<u8>, demo: &Demo) -> Vec<u8> {
        demo.users
            .iter()
            .map(|u| *ring.get(&*u.id).unwrap().data)
            .collect()
    }

    fn owners(demo: &Demo) -> Vec<u8> {
        demo.users.iter().map(|u| u.owner).collect()
    }

    /// The ring ring-core builds for the demo's membership, independently of the demo.
    fn reference(demo: &Demo) -> HashRing<u8> {
        let config = RingConfig::new(demo.vnodes, SEED).unwrap();
        let nodes = demo.servers.iter().map(|s| (&*s.id, s.weight, s.slot));
        HashRing::from_nodes(config, nodes).unwrap()
    }

    #[test]
    fn the_first_load_is_the_same_every_time() {
        let (a, b) = (Demo::new(), Demo::new());
        assert_eq!(a.users, b.users);
        assert_eq!(a.servers, b.servers);
        assert_eq!(a.users.len(), INITIAL_USERS);
        assert_eq!(owners(&a), owners_on(&reference(&a), &a));
        assert!(a.change.is_none() && a.notice.is_none());
    }

    #[test]
    fn a_join_moves_users_only_to_the_new_server_and_counts_them() {
        let mut demo = Demo::new();
        demo.apply(Action::AddUsers(800));
        let before = owners(&demo);
        demo.apply(Action::AddServer);
        let after = owners(&demo);
        assert_eq!(after, owners_on(&reference(&demo), &demo));
        let new_slot = demo.servers.last().unwrap().slot;
        let moved: Vec<usize> = (0..before.len())
            .filter(|&i| before[i] != after[i])
            .collect();
        assert!(moved.iter().all(|&i| after[i] == new_slot));
        let change = demo.change.clone().unwrap();
        assert_eq!(change.moved, moved.len());
        assert_eq!(change.users, 1000);
        assert_eq!(change.what, "srv-4 joined");
        // 4 → 5 servers: about 1/5 move on the ring, about 4/5 under modulo.
        assert!(change.moved > 100 && change.moved < 350, "{change:?}");
        assert!(change.modulo_moved > 700, "{change:?}");
        for &i in &moved {
            assert_eq!(demo.users[i].moved.unwrap().from, before[i]);
        }
    }

    #[test]
    fn a_leave_moves_exactly_the_leavers_users() {
        let mut demo = Demo::new();
        let before = owners(&demo);
        let leaving = demo.servers[1].clone();
        demo.apply(Action::RemoveServer(leaving.id.clone()));
        assert!(demo.notice.is_none());
        let after = owners(&demo);
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(*b == leaving.slot, b != a);
        }
        assert_eq!(after, owners_on(&reference(&demo), &demo));
        // Its colour is free again and goes to the next server.
        demo.apply(Action::AddServer);
        assert_eq!(demo.servers.last().unwrap().slot, leaving.slot);
        assert_eq!(&*demo.servers.last().unwrap().id, "srv-4");
    }

    fn refused(demo: &mut Demo, action: Action, says: &str) {
        let (users, servers, vnodes) = (demo.users.clone(), demo.servers.clone(), demo.vnodes);
        let fingerprint = demo.ring.fingerprint();
        demo.apply(action.clone());
        let notice = demo
            .notice
            .clone()
            .unwrap_or_else(|| panic!("{action:?} accepted"));
        assert!(notice.text.contains(says), "{action:?}: {}", notice.text);
        assert_eq!(demo.users, users);
        assert_eq!(demo.servers, servers);
        assert_eq!(demo.vnodes, vnodes);
        assert_eq!(demo.ring.fingerprint(), fingerprint);
    }

    #[test]
    fn bad_input_is_refused_with_a_message_and_changes_nothing() {
        let mut demo = Demo::new();
        let id = demo.servers[0].id.clone();
        for bad in ["0", "-1", "abc", "", "NaN", "inf", "4.5", "1e9"] {
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
            Action::SendMessage("user-0".into(), "bob".into()),
            "no user \"bob\"",
        );
        for server in demo.servers.clone().iter().skip(1) {
            demo.apply(Action::RemoveServer(server.id.clone()));
        }
        refused(&mut demo, Action::RemoveServer(id.clone()), "last server");
        while demo.servers.len() < MAX_SERVERS {
            demo.apply(Action::AddServer);
            assert!(demo.notice.is_none());
        }
        refused(&mut demo, Action::AddServer, "32 servers");
        demo.apply(Action::ClearUsers);
        refused(&mut demo, Action::SendRandomMessage, "two users");
        // Still working afterwards.
        demo.apply(Action::AddUsers(10));
        assert_eq!(demo.users.len(), 10);
    }

    #[test]
    fn users_stop_at_the_limit_with_a_message() {
        let mut demo = Demo::new();
        demo.apply(Action::AddUsers(MAX_USERS));
        assert_eq!(demo.users.len(), MAX_USERS);
        assert!(demo
            .notice
            .as_ref()
            .unwrap()
            .text
            .contains("added 4800 of 5000"));
        demo.apply(Action::ClearUsers);
        assert!(demo.users.is_empty() && demo.notice.is_none());
    }

    #[test]
    fn weights_and_vnodes_reroute_like_ring_core() {
        let mut demo = Demo::new();
        let id = demo.servers[2].id.clone();
        demo.apply(Action::SetWeight(id.clone(), " 2.5 ".into()));
        assert!(demo.notice.is_none());
        assert_eq!(demo.servers[2].weight, 2.5);
        assert_eq!(owners(&demo), owners_on(&reference(&demo), &demo));
        assert_eq!(demo.points.len(), 16 * 3 + 40);
        demo.apply(Action::SetVnodes(64));
        assert_eq!(demo.vnodes, 64);
        assert_eq!(owners(&demo), owners_on(&reference(&demo), &demo));
        assert!(demo.change.as_ref().unwrap().what.contains("16 → 64"));
        assert!(demo.points.windows(2).all(|w| w[0].0 <= w[1].0));
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
        let moving = direct.change.as_ref().unwrap().moved;
        assert_eq!(gradual.change.as_ref().unwrap().moved, moving);
        // Nothing moved yet: every moving user is pending, shown with its owner to come.
        assert_eq!(owners(&gradual), before);
        assert_eq!(gradual.cut_over(), Some((0, moving)));
        // A second event must wait.
        refused(&mut gradual, Action::AddServer, "scaling event is running");
        let mut last = 0;
        for step in 1..=STEPS {
            gradual.apply(Action::Tick);
            let (cut, all) = gradual.cut_over().unwrap();
            assert_eq!(all, moving);
            assert!(cut >= last, "step {step}: {cut} < {last}");
            last = cut;
            for u in &gradual.users {
                // Cut over: on the new owner, still delivered to the old one.
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
            gradual.scaling.is_some(),
            "dual delivery lasts until completion"
        );
        gradual.apply(Action::Tick);
        assert!(gradual.scaling.is_none());
        assert_eq!(owners(&gradual), owners(&direct));
        assert!(gradual
            .users
            .iter()
            .all(|u| u.previous.is_none() && u.incoming.is_none()));
    }

    #[test]
    fn lookups_and_messages_follow_the_ring() {
        let mut demo = Demo::new();
        let ring = reference(&demo);
        for key in ["user-7", "ключ", "🦀"] {
            demo.apply(Action::Lookup(key.into()));
            assert_eq!(demo.lookup.as_deref(), Some(key));
            let at = demo.locate(key).unwrap();
            let expected: Vec<u8> = ring.get_n(key, REPLICAS).iter().map(|n| *n.data).collect();
            let slots: Vec<u8> = at.replicas.iter().map(|r| r.0).collect();
            assert_eq!(slots, expected);
            for &(slot, point) in &at.replicas {
                assert_eq!(ring.get_at(point).map(|n| *n.data), Some(slot));
            }
            assert_eq!(at.owner, expected[0]);
            assert_eq!(ring.get_at(at.point).map(|n| *n.data), Some(at.owner));
            assert!(at.point >= at.position || ring.points().all(|(p, _)| p < at.position));
        }
        demo.apply(Action::SendMessage("user-3".into(), " user-150".into()));
        assert_eq!(demo.message.map(|m| (m.from, m.to)), Some((3, 150)));
        demo.apply(Action::SendRandomMessage);
        let m = demo.message.unwrap();
        assert_ne!(m.from, m.to);
        demo.apply(Action::ClearUsers);
        assert!(demo.message.is_none());
    }

    #[test]
    fn reset_returns_to_the_first_load() {
        let mut demo = Demo::new();
        demo.apply(Action::AddServer);
        demo.apply(Action::SetVnodes(3));
        demo.apply(Action::ToggleVnodes);
        demo.apply(Action::Reset);
        let fresh = Demo::new();
        assert_eq!(demo.users, fresh.users);
        assert_eq!(demo.servers, fresh.servers);
        assert_eq!(demo.vnodes, fresh.vnodes);
        assert!(demo.show_vnodes);
    }
}
