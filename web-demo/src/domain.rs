//! The demo's domain: membership, users, failures, load caps and scaling events, with
//! no UI state and no animation counters. Every change either succeeds or returns a
//! refusal and leaves the domain exactly as it was.

use std::rc::Rc;

use ringroute::{diff, HashRing, Ketama, RingConfig, Transition};

use crate::figures::{self, Change, ChangeKind, Peers};
use crate::palette::PALETTE;

/// The fixed hash seed: a reload draws the same picture.
pub const SEED: u32 = 0;
/// Virtual nodes per unit of weight on the first load.
pub const INITIAL_VNODES: u32 = 16;
/// The slider's top. Beyond it the ticks merge into a solid ring.
pub const MAX_VNODES: u32 = 128;
/// The heaviest weight a server may have.
pub const MAX_WEIGHT: f64 = 4.0;
/// At most this many servers (one palette slot each).
pub const MAX_SERVERS: usize = PALETTE.len();
/// At most this many users.
pub const MAX_USERS: usize = 5_000;
/// A scaling event cuts over in this many batches.
pub const STEPS: u32 = 5;
/// The largest replication factor offered.
pub const MAX_REPLICATION: usize = 3;
/// Sessions the hot-spot toggle adds, all landing in one server's arcs.
pub const HOT_SESSIONS: usize = 300;
/// The bounded-load cap factor's range.
pub const CAP_RANGE: (f64, f64) = (1.0, 3.0);

/// A server: its id, weight, colour slot and whether it is down.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// `srv-0`, `srv-1`, ... in join order; never reused within a session.
    pub id: Rc<str>,
    /// Weight: the server gets `round(weight × vnodes)` points (at least one).
    pub weight: f64,
    /// Colour slot, unique among the current servers.
    pub slot: u8,
    /// Marked down: still a member of the ring, but it serves nobody.
    pub down: bool,
}

/// A user (or hot session): a key on the ring and how it is routed right now.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// `user-0`, `user-1`, ... or `hot-…` for hot-spot sessions.
    pub id: Rc<str>,
    /// MurmurHash3 of the id under [`SEED`].
    pub position: u32,
    /// Its position on ketama's continuum (MD5 of the id), hashed once.
    pub ketama_position: u32,
    /// The slot of the server that owns the user on the ring now.
    pub owner: u8,
    /// During a scaling event, once the user's arc is cut over: the old owner, which
    /// still receives the user's messages (dual delivery) until the event completes.
    pub previous: Option<u8>,
    /// During a scaling event, before the user's arc is cut over: the owner to come.
    pub incoming: Option<u8>,
    /// The owner the user left in the latest change (its halo stays until the next).
    pub moved_from: Option<u8>,
}

/// Who serves a user when servers are down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serving {
    /// Its owner is up.
    Owner,
    /// Its owner is down; this replica (within the replication factor) keeps its state.
    Replica(u8),
    /// Every replica within the replication factor is down: its state is lost.
    Lost,
}

/// A scaling event in progress.
#[derive(Clone)]
pub struct Scaling {
    /// Old ring, new ring and the cut-over order (fixed by the domain's epoch).
    pub transition: Transition<u8>,
    /// Batches cut over so far, out of [`STEPS`]; [`STEPS`] + 1 means completing.
    pub step: u32,
}

/// The domain state.
#[derive(Clone)]
pub struct Domain {
    /// Virtual nodes per unit of weight.
    pub vnodes: u32,
    /// The servers, in join order.
    pub servers: Vec<Server>,
    /// The number the next server's id gets.
    pub next_server: u32,
    /// The latest membership (during a scaling event, the ring being moved to).
    pub ring: HashRing<u8>,
    /// The ring's points in ring order, as (position, slot).
    pub points: Vec<(u32, u8)>,
    /// The users, in creation order.
    pub users: Vec<User>,
    /// The hot-spot sessions (empty when the toggle is off).
    pub hot: Vec<User>,
    /// Replicas per key, owner included (1 to [`MAX_REPLICATION`]).
    pub replication: usize,
    /// The bounded-load cap factor, when bounded loads are on.
    pub cap: Option<f64>,
    /// Whether joins and leaves run as gradual scaling events.
    pub gradual: bool,
    /// The scaling event in progress, if any.
    pub scaling: Option<Scaling>,
    /// Scaling events started so far: each one's `Transition` epoch. Only membership
    /// changes advance it, so the cut-over order never depends on anything else.
    pub epoch: u64,
    /// The last membership change and what it cost.
    pub change: Option<Change>,
    /// Per user then per hot session: who serves it with the servers that are down.
    pub serving: Vec<Serving>,
    /// Per user then per hot session: its server under the cap (empty when off).
    pub bounded: Vec<u8>,
    /// Per user then per hot session: its server under ketama and under modulo.
    pub peers: Peers,
    /// Ketama over the same membership (kept in step: see `figures::ketama_from`).
    pub ketama: Ketama<u8>,
}

impl Domain {
    /// An empty domain with `vnodes` per unit of weight.
    pub fn empty(vnodes: u32) -> Result<Self, String> {
        let config = RingConfig::new(vnodes, SEED).map_err(|e| e.to_string())?;
        Ok(Self {
            vnodes,
            servers: Vec::new(),
            next_server: 0,
            ring: HashRing::with_config(config),
            points: Vec::new(),
            users: Vec::new(),
            hot: Vec::new(),
            replication: 2,
            cap: None,
            gradual: false,
            scaling: None,
            epoch: 0,
            change: None,
            serving: Vec::new(),
            bounded: Vec::new(),
            peers: Peers::default(),
            ketama: Ketama::new(),
        })
    }

    /// Every key routed: the users, then the hot sessions.
    pub fn all_users(&self) -> impl Iterator<Item = &User> + Clone {
        self.users.iter().chain(&self.hot)
    }

    /// The server in `slot`.
    pub fn server(&self, slot: u8) -> Option<&Server> {
        self.servers.iter().find(|s| s.slot == slot)
    }

    /// The server called `id`.
    pub fn server_by_id(&self, id: &str) -> Option<&Server> {
        self.servers.iter().find(|s| &*s.id == id)
    }

    fn free_slot(&self) -> Option<u8> {
        (0..MAX_SERVERS as u8).find(|s| self.servers.iter().all(|server| server.slot != *s))
    }

    /// A new server joins with weight 1 (or `server`, to bring a removed one back).
    pub fn add_server(&mut self, back: Option<Server>) -> Result<(), String> {
        if self.servers.len() >= MAX_SERVERS {
            return Err(format!("{MAX_SERVERS} servers is the demo's limit"));
        }
        self.no_scaling()?;
        let free = self.free_slot().ok_or("no colour slot is free")?;
        let server = match back {
            Some(s) if self.server_by_id(&s.id).is_none() => Server {
                slot: if self.server(s.slot).is_none() {
                    s.slot
                } else {
                    free
                },
                down: false,
                ..s
            },
            Some(s) => return Err(format!("{} is already on the ring", s.id)),
            None => Server {
                id: format!("srv-{}", self.next_server).into(),
                weight: 1.0,
                slot: free,
                down: false,
            },
        };
        let mut ring = self.ring.clone();
        ring.add_weighted(&server.id, server.weight, server.slot)
            .map_err(|e| e.to_string())?;
        let kind = ChangeKind::Join {
            id: server.id.clone(),
            weight: server.weight,
        };
        self.change_membership(kind, ring)?;
        if let Some(n) = server
            .id
            .strip_prefix("srv-")
            .and_then(|n| n.parse::<u32>().ok())
        {
            self.next_server = self.next_server.max(n + 1);
        }
        self.servers.push(server);
        self.servers.sort_by_key(|s| server_number(&s.id));
        self.refresh();
        Ok(())
    }

    /// The server leaves; returns it (for undo).
    pub fn remove_server(&mut self, id: &str) -> Result<Server, String> {
        let Some(server) = self.server_by_id(id).cloned() else {
            return Err(format!("there is no server {}", shown(id)));
        };
        if self.servers.len() == 1 {
            return Err("the last server cannot leave: every user needs an owner".into());
        }
        self.no_scaling()?;
        let mut ring = self.ring.clone();
        ring.remove(id);
        let kind = ChangeKind::Leave {
            id: server.id.clone(),
            weight: server.weight,
        };
        self.change_membership(kind, ring)?;
        self.servers.retain(|s| &*s.id != id);
        self.refresh();
        Ok(server)
    }

    /// The smallest weight that still gives a server one point of its own.
    pub fn min_weight(&self) -> f64 {
        1.0 / f64::from(self.vnodes)
    }

    /// Sets a server's weight from the text typed.
    pub fn set_weight(&mut self, id: &str, text: &str) -> Result<(), String> {
        let Some(index) = self.servers.iter().position(|s| &*s.id == id) else {
            return Err(format!("there is no server {}", shown(id)));
        };
        let typed = text.trim();
        if typed.len() > 12 {
            return Err("a weight is a short number, such as 1.5".into());
        }
        let weight: f64 = typed
            .parse()
            .ok()
            .filter(|w: &f64| w.is_finite())
            .ok_or_else(|| format!("weight {} is not a number", shown(typed)))?;
        let min = self.min_weight();
        if !(min..=MAX_WEIGHT).contains(&weight) {
            return Err(format!(
                "weight must be from 1/{} = {} (one point at {} virtual nodes) to {MAX_WEIGHT}, not {typed}",
                self.vnodes,
                round3(min),
                self.vnodes
            ));
        }
        let before = self.servers[index].weight;
        if weight == before {
            return Ok(());
        }
        self.no_scaling()?;
        let mut ring = self.ring.clone();
        ring.set_weight(id, weight).map_err(|e| e.to_string())?;
        let kind = ChangeKind::Weight {
            id: id.into(),
            from: before,
            to: weight,
        };
        self.change_membership(kind, ring)?;
        self.servers[index].weight = weight;
        self.refresh();
        Ok(())
    }

    /// Sets the virtual nodes per unit of weight. Weights below the new 1/vnodes are
    /// refused rather than silently floored.
    pub fn set_vnodes(&mut self, vnodes: u32) -> Result<(), String> {
        if !(1..=MAX_VNODES).contains(&vnodes) {
            return Err(format!(
                "virtual nodes must be between 1 and {MAX_VNODES}, not {vnodes}"
            ));
        }
        if vnodes == self.vnodes {
            return Ok(());
        }
        if let Some(light) = self
            .servers
            .iter()
            .find(|s| s.weight * f64::from(vnodes) < 1.0)
        {
            return Err(format!(
                "{} has weight {}, below 1/{vnodes}: raise it before lowering virtual nodes",
                light.id, light.weight
            ));
        }
        self.no_scaling()?;
        let config = RingConfig::new(vnodes, SEED).map_err(|e| e.to_string())?;
        let nodes = self.ring.iter().map(|n| (n.id, n.weight, *n.data));
        let ring = HashRing::from_nodes(config, nodes).map_err(|e| e.to_string())?;
        let kind = ChangeKind::Vnodes {
            from: self.vnodes,
            to: vnodes,
        };
        self.change_membership(kind, ring)?;
        self.vnodes = vnodes;
        self.refresh();
        Ok(())
    }

    fn no_scaling(&self) -> Result<(), String> {
        match self.scaling {
            Some(_) => Err("a scaling event is running: wait for it to complete".into()),
            None => Ok(()),
        }
    }

    /// Moves to `ring`: at once, or as a scaling event when [`Domain::gradual`] is on.
    /// The figures compare the old and new membership before anything changes.
    fn change_membership(&mut self, kind: ChangeKind, ring: HashRing<u8>) -> Result<(), String> {
        let plan = diff(&self.ring, &ring).map_err(|e| e.to_string())?;
        let moved = self
            .all_users()
            .filter(|u| ring.get_at(u.position).map(|n| *n.data) != Some(u.owner))
            .count();
        let ketama = figures::ketama_from(&self.ketama, &ring);
        let peers = figures::peers(&ring, &ketama, self.all_users());
        let change = figures::measure(kind, &self.ring, &ring, &plan, (&self.peers, &peers), moved);
        self.peers = peers;
        self.ketama = ketama;
        let scaling = if self.gradual {
            let transition = Transition::new(self.ring.clone(), ring.clone(), self.epoch + 1)
                .map_err(|e| e.to_string())?;
            self.epoch += 1;
            Some(Scaling {
                transition,
                step: 0,
            })
        } else {
            None
        };
        self.change = Some(change);
        self.scaling = scaling;
        self.ring = ring;
        self.points = self
            .ring
            .points()
            .map(|(p, i)| (p, self.ring.node_at(i).map_or(0, |n| *n.data)))
            .collect();
        for user in self.users.iter_mut().chain(&mut self.hot) {
            user.moved_from = None;
        }
        self.reroute();
        Ok(())
    }

    /// Routes one position: (owner, previous owner still served, owner to come).
    pub fn route(&self, position: u32) -> (u8, Option<u8>, Option<u8>) {
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

    /// Re-routes every key; those whose owner changed remember where they came from.
    fn reroute(&mut self) {
        let routes: Vec<_> = self.all_users().map(|u| self.route(u.position)).collect();
        for (user, (owner, previous, incoming)) in
            self.users.iter_mut().chain(&mut self.hot).zip(routes)
        {
            if owner != user.owner {
                user.moved_from = Some(user.owner);
            }
            user.owner = owner;
            user.previous = previous;
            user.incoming = incoming;
        }
    }

    /// The scaling event's timer: cut over the next batch, or complete. Returns whether
    /// anything changed.
    pub fn tick(&mut self) -> bool {
        let Some(scaling) = &mut self.scaling else {
            return false;
        };
        if scaling.step < STEPS {
            scaling.step += 1;
            // Steps only move forward, so set_step cannot refuse.
            let _ = scaling.transition.set_step(scaling.step, STEPS);
        } else {
            self.scaling = None;
        }
        self.reroute();
        self.refresh();
        true
    }

    /// Adds up to `count` users (`user-N` in order); refuses past [`MAX_USERS`] after
    /// adding what fits.
    pub fn add_users(&mut self, count: usize) -> Result<(), String> {
        let room = MAX_USERS - self.users.len();
        let added = count.min(room);
        for _ in 0..added {
            let id: Rc<str> = format!("user-{}", self.users.len()).into();
            let user = self.new_user(id);
            self.users.push(user);
        }
        self.refresh_peers();
        self.refresh();
        if added < count {
            return Err(format!(
                "{MAX_USERS} users is the demo's limit: added {added} of {count}"
            ));
        }
        Ok(())
    }

    fn new_user(&self, id: Rc<str>) -> User {
        let position = self.ring.position(&*id);
        let (owner, previous, incoming) = self.route(position);
        User {
            ketama_position: ringroute::ketama_hash(id.as_bytes()),
            id,
            position,
            owner,
            previous,
            incoming,
            moved_from: None,
        }
    }

    /// Removes every user.
    pub fn clear_users(&mut self) {
        self.users.clear();
        self.change = None;
        self.refresh_peers();
        self.refresh();
    }

    /// Marks a server down or up.
    pub fn set_down(&mut self, id: &str, down: bool) -> Result<(), String> {
        let Some(index) = self.servers.iter().position(|s| &*s.id == id) else {
            return Err(format!("there is no server {}", shown(id)));
        };
        self.no_scaling()?;
        if down && self.servers.iter().filter(|s| !s.down).count() == 1 && !self.servers[index].down
        {
            return Err("at least one server must stay up".into());
        }
        self.servers[index].down = down;
        self.refresh();
        Ok(())
    }

    /// Sets the replication factor (owner included).
    pub fn set_replication(&mut self, n: usize) -> Result<(), String> {
        if !(1..=MAX_REPLICATION).contains(&n) {
            return Err(format!(
                "the replication factor is from 1 to {MAX_REPLICATION}, not {n}"
            ));
        }
        self.replication = n;
        self.refresh();
        Ok(())
    }

    /// Turns bounded loads on with cap factor `c`, or off.
    pub fn set_cap(&mut self, cap: Option<f64>) -> Result<(), String> {
        if let Some(c) = cap {
            if !(c.is_finite() && (CAP_RANGE.0..=CAP_RANGE.1).contains(&c)) {
                return Err(format!(
                    "the cap factor is from {} to {}",
                    CAP_RANGE.0, CAP_RANGE.1
                ));
            }
        }
        self.cap = cap;
        self.refresh();
        Ok(())
    }

    /// Adds or removes the hot spot: [`HOT_SESSIONS`] sessions whose keys all land in
    /// the first server's arcs (one busy tenant's connections, say).
    pub fn set_hot(&mut self, on: bool) -> Result<(), String> {
        self.hot.clear();
        if on {
            let Some(target) = self.servers.first().map(|s| s.slot) else {
                return Err("add a server first".into());
            };
            // Bounded: at 32 servers of weight 1/128 against 4, a share is still over
            // 1/4000, so 2,000,000 candidates always find enough.
            for i in 0..2_000_000u32 {
                if self.hot.len() == HOT_SESSIONS {
                    break;
                }
                let id: Rc<str> = format!("hot-{i}").into();
                let position = self.ring.position(&*id);
                if self.ring.get_at(position).map(|n| *n.data) == Some(target) {
                    let user = self.new_user(id);
                    self.hot.push(user);
                }
            }
        }
        self.refresh_peers();
        self.refresh();
        Ok(())
    }

    /// Recomputes the peers' placement after the keys changed.
    pub fn refresh_peers(&mut self) {
        self.ketama = figures::ketama_from(&self.ketama, &self.ring);
        self.peers = figures::peers(&self.ring, &self.ketama, self.all_users());
    }

    /// Recomputes what follows from the membership: failover and bounded loads.
    pub fn refresh(&mut self) {
        let serving: Vec<Serving> = self
            .all_users()
            .map(|u| self.serving_at(u.owner, u.position))
            .collect();
        self.serving = serving;
        self.bounded = match self.cap {
            Some(c) => figures::bounded_owners(self, c),
            None => Vec::new(),
        };
    }

    fn serving_at(&self, owner: u8, position: u32) -> Serving {
        let up = |slot: u8| self.server(slot).is_some_and(|s| !s.down);
        if up(owner) {
            return Serving::Owner;
        }
        self.ring
            .successors(position)
            .take(self.replication)
            .map(|n| *n.data)
            .find(|&slot| up(slot))
            .map_or(Serving::Lost, Serving::Replica)
    }

    /// Moving users cut over so far and in all, during a scaling event.
    pub fn cut_over(&self) -> Option<(usize, usize)> {
        self.scaling.as_ref()?;
        let cut = self.all_users().filter(|u| u.previous.is_some()).count();
        let pending = self.all_users().filter(|u| u.incoming.is_some()).count();
        Some((cut, cut + pending))
    }

    /// Keys per server slot on the ring, in server order.
    #[cfg(test)]
    pub fn loads(&self) -> Vec<(u8, usize)> {
        self.servers
            .iter()
            .map(|s| {
                (
                    s.slot,
                    self.all_users().filter(|u| u.owner == s.slot).count(),
                )
            })
            .collect()
    }
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
    /// The replica list (owner first) as (slot, position of its first point after the
    /// key), as long as the replication factor.
    pub replicas: Vec<(u8, u32)>,
}

impl Domain {
    /// Where `key` (exactly these bytes) goes now: position, owning point, replicas.
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
        let want = self.replication.min(routing.len());
        let mut replicas: Vec<(u8, u32)> = Vec::with_capacity(want);
        for &(point, index) in points[start..].iter().chain(&points[..start]) {
            if replicas.len() == want {
                break;
            }
            let slot = routing.node_at(index).map_or(0, |n| *n.data);
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
}

/// The number in `srv-N`, for ordering servers by join order.
pub fn server_number(id: &str) -> u32 {
    id.strip_prefix("srv-")
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX)
}

/// Text typed by a visitor, quoted and cut short for a message.
pub fn shown(text: &str) -> String {
    const LONGEST: usize = 40;
    match text.char_indices().nth(LONGEST) {
        Some((cut, _)) => format!("{:?}… ({} bytes)", &text[..cut], text.len()),
        None => format!("{text:?}"),
    }
}

/// `x` rounded to three decimals, for messages.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
