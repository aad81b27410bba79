//! The page's state as a reducer (Yew's `function_todomvc` style): every control
//! dispatches an [`Action`], and [`Demo::apply`] is pure, so the tests below drive it
//! without a browser. Three parts, each with one job:
//! - [`Domain`]: membership, users, failures, caps, scaling (what the ring computes);
//! - [`Ui`]: what the visitor is looking at (lookup, message, highlight, story step);
//! - [`Anim`]: counters that only restart animations, one per animation.
//!
//! Bad input never panics (a panic would kill the wasm app): it leaves the state as it
//! was and sets a [`Notice`] that the page shows.

use std::rc::Rc;

use ringroute::murmur3_32;
use yew::Reducible;

use crate::domain::{shown, Domain, Server, Serving, User, INITIAL_VNODES};
use crate::figures::{self, Algorithm};
use crate::story;

/// Servers on the first load.
pub const INITIAL_SERVERS: usize = 4;
/// Users on the first load.
pub const INITIAL_USERS: usize = 200;
/// The longest key the lookup box accepts, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 256;
/// The longest user id the message boxes accept, in characters.
pub const MAX_USER_ID: usize = 24;

/// A message from one user to another, by index in [`Domain::users`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    /// The sender.
    pub from: usize,
    /// The recipient.
    pub to: usize,
}

/// Where a result or refusal is shown: beside the control that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// "Add server".
    Servers,
    /// The user buttons.
    Users,
    /// The virtual-node slider.
    Vnodes,
    /// The view and scaling switches (one marker, gradual).
    Mode,
    /// The replication factor.
    Replicas,
    /// The hot-spot switch.
    Hot,
    /// Bounded loads and the cap.
    Bounded,
    /// Reset.
    Reset,
    /// A server's row in the load list (weight, down, remove, undo) and the algorithm
    /// switch at its head.
    Load,
    /// The lookup form.
    Lookup,
    /// The message form.
    Message,
    /// The story panel.
    Story,
    /// The link the page was opened from.
    Link,
}

impl Origin {
    /// The control an action comes from.
    pub fn of(action: &Action) -> Self {
        match action {
            Action::AddServer => Self::Servers,
            Action::RemoveServer(_)
            | Action::UndoRemove
            | Action::SetWeight(..)
            | Action::SetDown(..)
            | Action::SetAlgorithm(_)
            | Action::Highlight(_) => Self::Load,
            Action::SetVnodes(_) => Self::Vnodes,
            Action::AddUsers(_) | Action::ClearUsers => Self::Users,
            Action::SetReplication(_) => Self::Replicas,
            Action::SetCap(_) => Self::Bounded,
            Action::SetHot(_) => Self::Hot,
            Action::Lookup(_) => Self::Lookup,
            Action::SendMessage(..) | Action::SendRandomMessage => Self::Message,
            Action::ToggleVnodes | Action::SetGradual(_) => Self::Mode,
            Action::Story(_) | Action::Tick => Self::Story,
            Action::Reset | Action::Dismiss => Self::Reset,
        }
    }

    /// Its name on the page (`data-for`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Servers => "servers",
            Self::Users => "users",
            Self::Vnodes => "vnodes",
            Self::Mode => "mode",
            Self::Replicas => "replicas",
            Self::Hot => "hot",
            Self::Bounded => "bounded",
            Self::Reset => "reset",
            Self::Load => "load",
            Self::Lookup => "lookup",
            Self::Message => "message",
            Self::Story => "story",
            Self::Link => "link",
        }
    }
}

/// A message for the visitor: what was refused and why, beside the control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The text shown.
    pub text: String,
    /// The control it belongs to.
    pub at: Origin,
}

/// What the last action did, in one sentence, beside its control (and announced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// The sentence.
    pub text: String,
    /// The control it belongs to.
    pub at: Origin,
}

/// What the visitor is looking at; none of it changes routing.
#[derive(Debug, Clone, PartialEq)]
pub struct Ui {
    /// Whether every virtual node is drawn (else one marker per server).
    pub show_vnodes: bool,
    /// The key being looked up, exactly as typed and routed.
    pub lookup: Option<String>,
    /// The message being shown.
    pub message: Option<Message>,
    /// What was refused last.
    pub notice: Option<Notice>,
    /// What the last action did.
    pub done: Option<Done>,
    /// The server highlighted by hover or focus.
    pub highlight: Option<u8>,
    /// The server that just left, while its removal can be undone.
    pub undo: Option<Server>,
    /// Which algorithm the load panel shows.
    pub algorithm: Algorithm,
    /// The guided story's step (1-based), when the story is on.
    pub story: Option<usize>,
    /// Messages sent so far: picks the next "random" pair, nothing else.
    pub messages_sent: u32,
}

/// Counters that restart CSS/SMIL animations; each has exactly one use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Anim {
    /// Bumped per membership change or cut-over batch: moved users travel again.
    pub moves: u32,
    /// Bumped per message sent: the hop animation restarts.
    pub message: u32,
    /// Bumped per notice: the flash restarts for a repeated notice.
    pub notice: u32,
    /// Bumped when focus should go to the undo button (after a removal).
    pub focus_undo: u32,
    /// Bumped when the ring's points change (a membership change, a story step, reset):
    /// the arcs and ticks are rebuilt only then, not on a scaling event's batches.
    pub points: u32,
    /// Bumped by every action that may change how a user's dot looks: the dots (up to
    /// 5,300 elements) re-render only then, not on a hover or a lookup.
    pub dots: u32,
}

/// Everything a visitor can do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A new server joins with weight 1.
    AddServer,
    /// The server leaves.
    RemoveServer(Rc<str>),
    /// Brings back the server that just left.
    UndoRemove,
    /// Sets a server's weight from the text typed.
    SetWeight(Rc<str>, String),
    /// Sets the virtual nodes per unit of weight.
    SetVnodes(u32),
    /// Adds this many users.
    AddUsers(usize),
    /// Removes every user.
    ClearUsers,
    /// Marks a server down (true) or up.
    SetDown(Rc<str>, bool),
    /// Sets the replication factor.
    SetReplication(usize),
    /// Bounded loads on with this cap factor, or off.
    SetCap(Option<f64>),
    /// The hot spot on or off.
    SetHot(bool),
    /// Which algorithm the load panel shows.
    SetAlgorithm(Algorithm),
    /// Looks a key up exactly as typed; an empty string is refused.
    Lookup(String),
    /// Sends a message between two users, by id.
    SendMessage(String, String),
    /// Sends a message between two users picked by the demo.
    SendRandomMessage,
    /// Switches between every virtual node and one marker per server.
    ToggleVnodes,
    /// Joins and leaves run as gradual scaling events (true) or in one step (false).
    SetGradual(bool),
    /// Highlights a server's arcs and users (hover or focus), or none.
    Highlight(Option<u8>),
    /// The scaling event's timer: cut over the next batch, or complete.
    Tick,
    /// Goes to step N of the guided story (1-based); 0 leaves the story.
    Story(usize),
    /// Back to the first load.
    Reset,
    /// Hides the notice.
    Dismiss,
}

/// The page's state.
#[derive(Clone)]
pub struct Demo {
    /// Membership, users, failures, caps and scaling.
    pub domain: Domain,
    /// What the visitor is looking at.
    pub ui: Ui,
    /// Animation restarts.
    pub anim: Anim,
}

impl Default for Demo {
    fn default() -> Self {
        Self::new()
    }
}

impl Reducible for Demo {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // The same highlight again (a focus leaving a removed row, a pointer moving
        // within one): the same state, so Yew renders nothing.
        if let Action::Highlight(slot) = action {
            if slot.filter(|&s| self.domain.server(s).is_some()) == self.ui.highlight {
                return self;
            }
        }
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(action);
        Rc::new(next)
    }
}

impl Ui {
    fn new() -> Self {
        Self {
            show_vnodes: true,
            lookup: None,
            message: None,
            notice: None,
            done: None,
            highlight: None,
            undo: None,
            algorithm: Algorithm::Ring,
            story: None,
            messages_sent: 0,
        }
    }
}

impl Demo {
    /// The first load: [`INITIAL_SERVERS`] servers and [`INITIAL_USERS`] users.
    pub fn new() -> Self {
        let mut domain = Domain::empty(INITIAL_VNODES).expect("the initial config is valid");
        for _ in 0..INITIAL_SERVERS {
            domain.add_server(None).expect("the first servers fit");
        }
        domain
            .add_users(INITIAL_USERS)
            .expect("the first users fit");
        domain.change = None;
        Self::from_domain(domain)
    }

    /// A page showing `domain`, with the default view.
    pub fn from_domain(domain: Domain) -> Self {
        Self {
            domain,
            ui: Ui::new(),
            anim: Anim::default(),
        }
    }

    /// Applies one action. Refused input sets [`Ui::notice`] and changes nothing else.
    pub fn apply(&mut self, action: Action) {
        if !matches!(action, Action::Tick | Action::Highlight(_)) {
            self.ui.notice = None;
        }
        let membership = matches!(
            action,
            Action::AddServer
                | Action::RemoveServer(_)
                | Action::UndoRemove
                | Action::SetWeight(..)
                | Action::SetVnodes(_)
        );
        if !matches!(
            action,
            Action::Highlight(_)
                | Action::Lookup(_)
                | Action::SendMessage(..)
                | Action::SendRandomMessage
                | Action::Dismiss
        ) {
            self.anim.dots += 1;
        }
        let at = Origin::of(&action);
        let refused = self.act(action.clone());
        if !matches!(action, Action::Tick | Action::Highlight(_)) {
            self.ui.done = match &refused {
                Ok(()) => self.result(&action).map(|text| Done { text, at }),
                Err(_) => None,
            };
        }
        match refused {
            Err(text) => {
                self.anim.notice += 1;
                self.ui.notice = Some(Notice { text, at });
            }
            Ok(()) if membership => {
                self.anim.moves += 1;
                self.anim.points += 1;
                if !matches!(action, Action::RemoveServer(_)) {
                    self.ui.undo = None;
                }
            }
            Ok(()) => {}
        }
    }

    fn act(&mut self, action: Action) -> Result<(), String> {
        let d = &mut self.domain;
        match action {
            Action::AddServer => d.add_server(None),
            Action::RemoveServer(id) => {
                let server = d.remove_server(&id)?;
                self.ui.undo = Some(server);
                self.ui.highlight = None;
                self.anim.focus_undo += 1;
                self.drop_stale_message();
                Ok(())
            }
            Action::UndoRemove => {
                let server = self.ui.undo.take().ok_or("nothing to undo")?;
                self.domain.add_server(Some(server))
            }
            Action::SetWeight(id, text) => d.set_weight(&id, &text),
            Action::SetVnodes(vnodes) => d.set_vnodes(vnodes),
            Action::AddUsers(count) => d.add_users(count),
            Action::ClearUsers => {
                d.clear_users();
                self.ui.message = None;
                Ok(())
            }
            Action::SetDown(id, down) => d.set_down(&id, down),
            Action::SetReplication(n) => d.set_replication(n),
            Action::SetCap(cap) => d.set_cap(cap),
            Action::SetHot(on) => d.set_hot(on),
            Action::SetAlgorithm(a) => {
                self.ui.algorithm = a;
                Ok(())
            }
            Action::Lookup(key) => self.set_lookup(key),
            Action::SendMessage(from, to) => self.send(&from, &to),
            Action::SendRandomMessage => self.send_random(),
            Action::ToggleVnodes => {
                self.ui.show_vnodes = !self.ui.show_vnodes;
                Ok(())
            }
            Action::SetGradual(on) => {
                d.gradual = on;
                Ok(())
            }
            Action::Highlight(slot) => {
                self.ui.highlight = slot.filter(|&s| d.server(s).is_some());
                Ok(())
            }
            Action::Tick => {
                if d.tick() {
                    self.anim.moves += 1;
                }
                Ok(())
            }
            Action::Story(0) => {
                self.ui.story = None;
                Ok(())
            }
            Action::Story(step) => {
                let (anim, messages) = (self.anim, self.ui.messages_sent);
                *self = story::build(step)?;
                // Counters only grow, so a revisited step restarts its animations and
                // re-renders its dots.
                self.anim = Anim {
                    moves: anim.moves + 1,
                    points: anim.points + 1,
                    message: anim.message + 1,
                    dots: anim.dots + 1,
                    ..anim
                };
                self.ui.messages_sent += messages;
                Ok(())
            }
            Action::Reset => {
                let anim = self.anim;
                *self = Self::new();
                self.anim = anim;
                self.anim.moves += 1;
                self.anim.points += 1;
                Ok(())
            }
            Action::Dismiss => Ok(()),
        }
    }

    /// What a successful `action` did, in one sentence.
    fn result(&self, action: &Action) -> Option<String> {
        let d = &self.domain;
        let kept = d
            .serving
            .iter()
            .filter(|s| matches!(s, Serving::Replica(_)))
            .count();
        let lost = d.serving.iter().filter(|s| **s == Serving::Lost).count();
        let percent = |part: usize, whole: usize| 100.0 * part as f64 / whole.max(1) as f64;
        let change = || {
            d.change.as_ref().map(|c| {
                let mut text = format!(
                    "{}: {} of {} users moved ({:.1}%), expected {:.1}%.",
                    c.kind.what(),
                    c.moved,
                    c.users,
                    percent(c.moved, c.users),
                    100.0 * c.expected
                );
                if d.scaling.is_some() {
                    text.push_str(" Cutting over in batches, with dual delivery.");
                }
                text
            })
        };
        Some(match action {
            Action::AddServer
            | Action::UndoRemove
            | Action::SetWeight(..)
            | Action::SetVnodes(_) => change()?,
            Action::RemoveServer(id) => format!("{} Undo is available for {id}.", change()?),
            Action::AddUsers(n) => format!("+{n} users: {} in all.", d.users.len()),
            Action::ClearUsers => "Every user removed.".into(),
            Action::SetDown(id, true) => format!(
                "{id} is down: {kept} users continue on a replica, {lost} lose their state."
            ),
            Action::SetDown(id, false) => format!("{id} is back up."),
            Action::SetReplication(n) if d.servers.iter().any(|s| s.down) => {
                format!(
                    "{n} replicas: {kept} users continue on a replica, {lost} lose their state."
                )
            }
            Action::SetReplication(n) => {
                format!("{n} replicas per key: mark a server down to see who keeps their state.")
            }
            Action::SetHot(true) => {
                let first = d.servers.first().map_or("", |s| &*s.id);
                format!("+{} sessions, all on {first}'s arcs.", d.hot.len())
            }
            Action::SetHot(false) => "Hot spot off.".into(),
            Action::SetCap(Some(c)) => {
                let spilled = d
                    .all_users()
                    .zip(&d.bounded)
                    .filter(|(u, &b)| u.owner != b)
                    .count();
                format!("Cap {c:.2} × fair share: {spilled} users spilled clockwise.")
            }
            Action::SetCap(None) => "Bounded loads off.".into(),
            Action::SetAlgorithm(a) => {
                let balance = figures::max_over_fair(d, &figures::loads_under(d, *a));
                format!(
                    "Users placed by {}: the busiest server holds {} × its fair share.",
                    a.name(),
                    balance.map_or("—".into(), |b| format!("{b:.2}"))
                )
            }
            Action::ToggleVnodes if self.ui.show_vnodes => "Every virtual node drawn.".into(),
            Action::ToggleVnodes => "One marker per server, tinting only the arc it owns.".into(),
            Action::SetGradual(true) => {
                "Joins and leaves now cut over in batches, with dual delivery.".into()
            }
            Action::SetGradual(false) => "Joins and leaves now move at once.".into(),
            Action::Lookup(key) => {
                let at = d.locate(key)?;
                let name = |slot: u8| d.server(slot).map_or(String::new(), |s| s.id.to_string());
                format!("{key:?} belongs to {}.", name(at.owner))
            }
            Action::SendMessage(..) | Action::SendRandomMessage => {
                let m = self.ui.message?;
                let (a, b) = (d.users.get(m.from)?, d.users.get(m.to)?);
                let name = |slot: u8| d.server(slot).map_or(String::new(), |s| s.id.to_string());
                format!(
                    "{} → {} → {} → {}.",
                    a.id,
                    name(a.owner),
                    name(b.owner),
                    b.id
                )
            }
            Action::Story(0) => "Left the story.".into(),
            Action::Story(n) => format!(
                "Story step {n}: {}.",
                story::STEPS.get(n - 1).map_or("", |s| s.title)
            ),
            Action::Reset => "Back to the first load.".into(),
            Action::Tick | Action::Highlight(_) | Action::Dismiss => return None,
        })
    }

    /// Whether the ring drawn is ringroute's (failures, caps, scaling, moves, lookups
    /// and messages are shown on it only).
    pub fn shows_ring(&self) -> bool {
        self.ui.algorithm == Algorithm::Ring
    }

    /// The slot that owns key `index` (users, then hot sessions) under the algorithm
    /// shown.
    pub fn owner_shown(&self, index: usize, user: &User) -> u8 {
        let peers = &self.domain.peers;
        match self.ui.algorithm {
            Algorithm::Ring => user.owner,
            Algorithm::Ketama => peers.ketama.get(index).copied().unwrap_or(user.owner),
            Algorithm::Modulo => peers.modulo.get(index).copied().unwrap_or(user.owner),
        }
    }

    /// Where key `index` sits on the ring drawn: ketama hashes keys with MD5; modulo
    /// has no ring and keeps ringroute's hash (it routes by that hash % n).
    pub fn position_shown(&self, user: &User) -> u32 {
        match self.ui.algorithm {
            Algorithm::Ketama => user.ketama_position,
            Algorithm::Ring | Algorithm::Modulo => user.position,
        }
    }

    /// The ring points drawn, as (position, slot): ringroute's or ketama's; none for
    /// modulo.
    pub fn points_shown(&self) -> &[(u32, u8)] {
        match self.ui.algorithm {
            Algorithm::Ring => &self.domain.points,
            Algorithm::Ketama => &self.domain.peers.ketama_points,
            Algorithm::Modulo => &[],
        }
    }

    fn drop_stale_message(&mut self) {
        if let Some(m) = self.ui.message {
            if m.from >= self.domain.users.len() || m.to >= self.domain.users.len() {
                self.ui.message = None;
            }
        }
    }

    fn set_lookup(&mut self, key: String) -> Result<(), String> {
        if key.is_empty() {
            self.ui.lookup = None;
            return Err("type a key to look up, such as user-7".into());
        }
        if key.len() > MAX_KEY_BYTES {
            return Err(format!(
                "keys are at most {MAX_KEY_BYTES} bytes here; that one has {}",
                key.len()
            ));
        }
        self.ui.lookup = Some(key);
        Ok(())
    }

    fn send(&mut self, from: &str, to: &str) -> Result<(), String> {
        let users = &self.domain.users;
        let find = |id: &str| {
            users
                .iter()
                .position(|u| &*u.id == id)
                .ok_or_else(|| match users.len() {
                    0 => "add users first: there is no one to message".to_string(),
                    n => format!("no user {}: users are user-0 to user-{}", shown(id), n - 1),
                })
        };
        let (from, to) = (find(from)?, find(to)?);
        self.ui.message = Some(Message { from, to });
        self.ui.messages_sent += 1;
        self.anim.message += 1;
        Ok(())
    }

    fn send_random(&mut self) -> Result<(), String> {
        let n = self.domain.users.len();
        if n < 2 {
            return Err("add at least two users first".into());
        }
        // Deterministic "random" picks, so a reload replays the same messages.
        let sent = self.ui.messages_sent.to_le_bytes();
        let pick = |salt: u32| murmur3_32(&sent, salt) as usize % n;
        let from = pick(1);
        let mut to = pick(2);
        if to == from {
            to = (to + 1) % n;
        }
        let users = &self.domain.users;
        let (from, to) = (users[from].id.clone(), users[to].id.clone());
        self.send(&from, &to)
    }
}

#[cfg(test)]
mod tests;
