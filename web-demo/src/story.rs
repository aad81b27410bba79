//! The guided story: seven steps from one server to a failure with replicas. Each step
//! builds its whole state from scratch, so a step looks the same however it is reached
//! (next, back, or a link).

use std::rc::Rc;

use crate::domain::Domain;
use crate::state::{Action, Demo};

/// One step: a title, what to watch for, and how to build it.
pub struct Step {
    /// The step's title.
    pub title: &'static str,
    /// One sentence: what to watch for.
    pub watch: &'static str,
    /// Builds the step's state.
    build: fn(&mut Demo) -> Result<(), String>,
}

/// The steps, in order.
pub const STEPS: [Step; 7] = [
    Step {
        title: "One server owns the whole ring",
        watch: "Every dot has srv-0's colour: walking clockwise from any dot, the first server point is srv-0's.",
        build: |demo| setup(demo, 1, 200, 16),
    },
    Step {
        title: "A server joins: ring against modulo",
        watch: "Only the dots in srv-4's new arcs change colour, about 1 in 5; modulo would move about 4 in 5.",
        build: |demo| {
            setup(demo, 4, 1000, 16)?;
            run(demo, Action::AddServer)
        },
    },
    Step {
        title: "Virtual nodes even out the load",
        watch: "From 1 to 64 points per server the load panel's max/fair drops toward 1.00, but nearly every user moves: choose virtual nodes before data lands.",
        build: |demo| {
            setup(demo, 4, 1000, 1)?;
            run(demo, Action::SetVnodes(64))
        },
    },
    Step {
        title: "Weights: a bigger server takes a bigger share",
        watch: "srv-2 goes from 1/4 to 2/5 of the ring, so 15% of users move, all of them to srv-2.",
        build: |demo| {
            setup(demo, 4, 1000, 16)?;
            run(demo, Action::SetWeight("srv-2".into(), "2".into()))
        },
    },
    Step {
        title: "A gradual scaling event with dual delivery",
        watch: "Dashed dots wait for their arc's batch; once cut over, a dot's messages also reach its old server until the event completes.",
        build: |demo| {
            setup(demo, 4, 1000, 16)?;
            run(demo, Action::SetGradual(true))?;
            run(demo, Action::AddServer)
        },
    },
    Step {
        title: "A message hops between servers",
        watch: "user-3's server looks up user-150's owner on the same ring and forwards the message there.",
        build: |demo| {
            setup(demo, 5, 200, 16)?;
            run(demo, Action::SendMessage("user-3".into(), "user-150".into()))
        },
    },
    Step {
        title: "A server fails and its replicas take over",
        watch: "srv-1's users stay on the next server clockwise, which holds their replica; set replicas to 1 and they lose their state.",
        build: |demo| {
            setup(demo, 5, 1000, 16)?;
            run(demo, Action::SetReplication(2))?;
            run(demo, Action::SetDown(Rc::from("srv-1"), true))
        },
    },
];

fn setup(demo: &mut Demo, servers: usize, users: usize, vnodes: u32) -> Result<(), String> {
    let mut domain = Domain::empty(vnodes)?;
    for _ in 0..servers {
        domain.add_server(None)?;
    }
    domain.add_users(users)?;
    domain.change = None;
    *demo = Demo::from_domain(domain);
    Ok(())
}

fn run(demo: &mut Demo, action: Action) -> Result<(), String> {
    demo.apply(action);
    match demo.ui.notice.take() {
        Some(n) => Err(n.text),
        None => Ok(()),
    }
}

/// The state of step `step` (1-based), or the first load for 0.
pub fn build(step: usize) -> Result<Demo, String> {
    let mut demo = Demo::new();
    if step == 0 {
        return Ok(demo);
    }
    let s = STEPS
        .get(step - 1)
        .ok_or_else(|| format!("the story has steps 1 to {}", STEPS.len()))?;
    (s.build)(&mut demo)?;
    demo.ui.story = Some(step);
    Ok(demo)
}
