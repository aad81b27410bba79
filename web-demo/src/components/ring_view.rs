//! The ring as SVG: tinted arcs, server points, user dots, and the movement, lookup and
//! message overlays. Positions run clockwise from the top, 0 to 2^32. Every view obeys
//! the rule the page states: a user belongs to the first server point clockwise (or, as
//! marked, to the replica or the next server with room that serves it instead).

use std::rc::Rc;

use yew::prelude::*;

use super::Dispatch;
use crate::domain::{Serving, User};
use crate::geometry::{angle, point, push_arc, push_tick, user_radius, CENTRE, RING, SIZE};
use crate::palette::{colour, dash, DISTINCT};
use crate::state::{Action, Demo};

/// Where replica rank labels may sit, as offsets from the ring's radius, in order of
/// preference: two outside, two inside.
const LABEL_RADII: [f64; 4] = [26.0, 54.0, -30.0, -60.0];
/// The least distance between two labels' centres: more than a label's diagonal.
const LABEL_CLEARANCE: f64 = 30.0;

/// At most this many moved users travel visibly per change (the rest only get halos):
/// beyond it the animation costs frames without showing more.
const MAX_TRAVELLERS: usize = 400;

/// The ring drawing: a still layer (arcs, servers, resting users) and, stacked on top in
/// its own compositing layer, everything that animates.
pub fn view(handle: &UseReducerHandle<Demo>, dispatch: &Dispatch) -> Html {
    let demo: &Demo = handle;
    let d = &demo.domain;
    let view_box = format!("0 0 {SIZE} {SIZE}");
    let highlight = demo.ui.highlight.map(|slot| {
        html! {
            <style>{format!(
                "svg.ring [data-slot]:not([data-slot=\"{slot}\"]){{opacity:.13}}\
                 svg.ring .arcs path[data-slot=\"{slot}\"]{{stroke-opacity:.6}}"
            )}</style>
        }
    });
    html! {
        <div class="canvas">
            <svg class="ring" viewBox={view_box.clone()} role="img"
                aria-label={format!("hash ring with {} servers and {} users", d.servers.len(), d.users.len())}>
                {for highlight}
                <circle class="track" cx={CENTRE.to_string()} cy={CENTRE.to_string()} r={RING.to_string()} />
                {arcs(demo)}
                {servers(demo, dispatch)}
                <Dots demo={handle.clone()} version={demo.anim.dots} />
                <text class="zero" x={CENTRE.to_string()} y={(CENTRE - RING - 20.0).to_string()}>{"0 / 2³²"}</text>
                <text class="clockwise" x={CENTRE.to_string()} y={CENTRE.to_string()}>{"clockwise ↻"}</text>
            </svg>
            <svg class="ring overlay" viewBox={view_box} aria-hidden="true">
                <g class="travellers" key={demo.anim.moves} style={format!("--centre:{CENTRE}px")}>{travellers(demo)}</g>
                {lookup(demo)}
                {message(demo)}
            </svg>
        </div>
    }
}

/// Arcs: each point tints the arc it owns, from the previous point (any server's) to it.
/// With every virtual node drawn, runs of one owner merge into one arc; with one marker
/// per server, only the arc each marker truly owns is tinted.
fn arcs(demo: &Demo) -> Html {
    let d = &demo.domain;
    let points = &d.points;
    let n = points.len();
    let mut paths: Vec<(u8, String)> = Vec::new();
    let mut add = |slot: u8, from: u32, to: u32| {
        let i = match paths.iter().position(|p| p.0 == slot) {
            Some(i) => i,
            None => {
                paths.push((slot, String::new()));
                paths.len() - 1
            }
        };
        push_arc(&mut paths[i].1, from, to, RING);
    };
    if n == 0 {
        return html! {};
    }
    if demo.ui.show_vnodes {
        if points.iter().all(|&(_, s)| s == points[0].1) {
            add(points[0].1, 0, 0);
        } else {
            // Runs of consecutive points with one owner make one arc, from the point
            // before the run to the run's last point.
            let start = (0..n)
                .find(|&i| points[i].1 != points[(i + n - 1) % n].1)
                .unwrap_or(0);
            let mut run_from = points[(start + n - 1) % n].0;
            for k in 0..n {
                let (pos, slot) = points[(start + k) % n];
                let next_slot = points[(start + k + 1) % n].1;
                if next_slot != slot {
                    if pos != run_from {
                        add(slot, run_from, pos);
                    }
                    run_from = pos;
                }
            }
        }
    } else {
        for (slot, i) in markers(demo) {
            let from = points[(i + n - 1) % n].0;
            add(slot, from, points[i].0);
        }
    }
    html! {
        <g class="arcs">
            {for paths.into_iter().map(|(slot, path)| {
                let down = d.server(slot).is_some_and(|s| s.down);
                html! {
                    <path key={slot} d={path} stroke={colour(slot)} data-slot={slot.to_string()}
                        class={down.then_some("down")} stroke-dasharray={dash(slot)} />
                }
            })}
        </g>
    }
}

/// One marker per server: its first virtual node's point, as (slot, index in points).
fn markers(demo: &Demo) -> Vec<(u8, usize)> {
    let d = &demo.domain;
    let config = d.ring.config();
    d.servers
        .iter()
        .filter_map(|s| {
            let anchor = config.vnode_position(&s.id, 0);
            let i = d.points.partition_point(|&(p, _)| p < anchor);
            // Equal positions are ordered by ring-core; find this server's among them,
            // or fall back to any point it owns.
            (i..d.points.len())
                .take_while(|&j| d.points[j].0 == anchor)
                .find(|&j| d.points[j].1 == s.slot)
                .or_else(|| d.points.iter().position(|p| p.1 == s.slot))
                .map(|j| (s.slot, j))
        })
        .collect()
}

/// Server points: a tick per virtual node (faint in one-marker mode, where a labelled
/// marker sits on each server's first point). Hover highlights; they take no focus
/// (the load list's controls do that job) and never remove anything.
fn servers(demo: &Demo, dispatch: &Dispatch) -> Html {
    let d = &demo.domain;
    let ticks = d.servers.iter().map(|server| {
        let slot = server.slot;
        let enter = dispatch.reform(move |_: MouseEvent| Action::Highlight(Some(slot)));
        let leave = dispatch.reform(|_: MouseEvent| Action::Highlight(None));
        let mut path = String::new();
        let (inner, outer) = if demo.ui.show_vnodes {
            (9.0, 9.0)
        } else {
            (5.0, 5.0)
        };
        for &(pos, s) in &d.points {
            if s == slot {
                push_tick(&mut path, pos, RING - inner, RING + outer);
            }
        }
        let class = classes!(
            "ticks",
            (!demo.ui.show_vnodes).then_some("faint"),
            server.down.then_some("down")
        );
        let title = format!(
            "{} (weight {}){}",
            server.id,
            server.weight,
            if server.down { ", down" } else { "" }
        );
        html! {
            <path key={&*server.id} class={class} d={path} stroke={colour(slot)}
                data-server={server.id.to_string()} data-slot={slot.to_string()}
                onmouseenter={enter} onmouseleave={leave}><title>{title}</title></path>
        }
    });
    let marks = (!demo.ui.show_vnodes).then(|| {
        let marks = markers(demo).into_iter().map(|(slot, i)| {
            let pos = d.points[i].0;
            let (x, y) = point(pos, RING);
            let (lx, ly) = point(pos, RING + 24.0);
            let id = d.server(slot).map_or(Rc::from(""), |s| s.id.clone());
            html! {
                <g key={&*id} class="marker" data-server={id.to_string()} data-slot={slot.to_string()}>
                    <circle cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="8" fill={colour(slot)} />
                    <text x={format!("{lx:.2}")} y={format!("{ly:.2}")}>{&*id}</text>
                </g>
            }
        });
        html! { <g class="markers">{for marks}</g> }
    });
    html! { <g class="servers">{for ticks}{for marks}</g> }
}

#[derive(Properties)]
struct DotsProps {
    demo: UseReducerHandle<Demo>,
    version: u32,
}

impl PartialEq for DotsProps {
    /// Only the version: a hover or a lookup leaves every dot as it was.
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

/// The resting users, one group per colour: a highlight dims 32 groups instead of
/// restyling thousands of dots.
#[function_component(Dots)]
fn dots(props: &DotsProps) -> Html {
    let demo: &Demo = &props.demo;
    let mut groups: Vec<(u8, Vec<Html>)> = Vec::new();
    for (i, u) in demo.domain.all_users().enumerate() {
        let (fill, _) = look(demo, i, u);
        let slot = fill.unwrap_or(u8::MAX);
        let dot = resting_dot(demo, i, u);
        match groups.iter_mut().find(|g| g.0 == slot) {
            Some(g) => g.1.push(dot),
            None => groups.push((slot, vec![dot])),
        }
    }
    groups.sort_by_key(|g| g.0);
    html! {
        <g class="users">
            {for groups.into_iter().map(|(slot, dots)| html! {
                <g key={slot} data-slot={slot.to_string()}>{for dots}</g>
            })}
        </g>
    }
}

/// What a resting dot looks like: (fill slot, class, serving slot).
fn look(demo: &Demo, index: usize, user: &User) -> (Option<u8>, String) {
    let d = &demo.domain;
    let mut class = String::from("user");
    let fill = if let Some(&b) = d.bounded.get(index) {
        if b != user.owner {
            class.push_str(" spilled");
        }
        Some(b)
    } else {
        match d.serving.get(index).copied().unwrap_or(Serving::Owner) {
            Serving::Owner => Some(user.owner),
            Serving::Replica(slot) => {
                class.push_str(" replica");
                Some(slot)
            }
            Serving::Lost => {
                class.push_str(" lost");
                None
            }
        }
    };
    if user.previous.is_some() {
        class.push_str(" dual");
    } else if user.incoming.is_some() {
        class.push_str(" pending");
    } else if user.moved_from.is_some() {
        class.push_str(" moved");
    }
    if index >= d.users.len() {
        class.push_str(" hot");
    }
    (fill, class)
}

fn resting_dot(demo: &Demo, index: usize, user: &User) -> Html {
    let d = &demo.domain;
    let (fill, class) = look(demo, index, user);
    let stroke = user.previous.or(user.incoming).map(colour);
    let name = |slot: u8| d.server(slot).map_or(Rc::from(""), |s| s.id.clone());
    html! {
        <UserDot key={&*user.id} id={user.id.clone()} position={user.position}
            fill={fill.map_or("none", colour)} {stroke} class={AttrValue::from(class)}
            owner={name(user.owner)} />
    }
}

#[derive(Properties, PartialEq)]
struct DotProps {
    id: Rc<str>,
    position: u32,
    fill: &'static str,
    stroke: Option<&'static str>,
    class: AttrValue,
    owner: Rc<str>,
}

/// A resting user: a component with plain props, so a re-render skips every dot whose
/// look did not change instead of rebuilding thousands of elements.
#[function_component(UserDot)]
fn user_dot(props: &DotProps) -> Html {
    let (x, y) = point(props.position, user_radius(props.position));
    html! {
        <circle class={props.class.clone()} cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="3.2"
            fill={props.fill} stroke={props.stroke}
            data-user={props.id.to_string()} data-owner={props.owner.to_string()} />
    }
}

/// Users moved by the latest change travel clockwise along the ring from where they sit
/// to their new owner's point, in the old colour turning into the new, then fade; the
/// resting dot keeps a halo until the next change.
fn travellers(demo: &Demo) -> Html {
    let d = &demo.domain;
    let moved = d
        .all_users()
        .filter(|u| u.moved_from.is_some() && u.previous.is_none() && u.incoming.is_none())
        .take(MAX_TRAVELLERS);
    let dots = moved.map(|u| {
        let Some(from) = u.moved_from else {
            return html! {};
        };
        let target = owning_point(demo, u.position).unwrap_or(u.position);
        let turn = angle(target.wrapping_sub(u.position)).to_degrees();
        let (x, y) = point(u.position, user_radius(u.position));
        let style = format!(
            "--turn:{turn:.2}deg;--from:{};--to:{}",
            colour(from),
            colour(u.owner)
        );
        html! {
            <circle class="traveller" {style} cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="3.6" />
        }
    });
    html! { <>{for dots}</> }
}

/// The first ring point at or after `position` (wrapping): the point that owns it.
fn owning_point(demo: &Demo, position: u32) -> Option<u32> {
    let points = &demo.domain.points;
    let i = points.partition_point(|&(p, _)| p < position);
    points.get(i).or(points.first()).map(|p| p.0)
}

/// The looked-up key: its position, the clockwise walk to its owner, and its replicas,
/// each rank's label on its own radius so close replicas never share a label spot.
fn lookup(demo: &Demo) -> Html {
    let Some(at) = demo
        .ui
        .lookup
        .as_deref()
        .and_then(|k| demo.domain.locate(k))
    else {
        return html! {};
    };
    let (kx, ky) = point(at.position, RING + 18.0);
    let (ix, iy) = point(at.position, RING - 18.0);
    let mut walk = String::new();
    push_arc(&mut walk, at.position, at.point, RING);
    // Each rank's label takes the first spot along its point's radius that keeps clear of
    // the labels already placed, so close replicas never share (or hide) a label.
    let mut placed: Vec<(f64, f64)> = Vec::new();
    let replicas: Vec<Html> = at
        .replicas
        .iter()
        .enumerate()
        .map(|(rank, &(slot, pos))| {
            let (x, y) = point(pos, RING);
            let r = LABEL_RADII
                .into_iter()
                .find(|&r| {
                    let (lx, ly) = point(pos, RING + r);
                    placed
                        .iter()
                        .all(|&(px, py)| (px - lx).hypot(py - ly) >= LABEL_CLEARANCE)
                })
                .unwrap_or(LABEL_RADII[0]);
            let (lx, ly) = point(pos, RING + r);
            placed.push((lx, ly));
            let (ex, ey) = point(pos, RING + r - r.signum() * 10.0);
            html! {
                <g class="replica">
                    <circle cx={format!("{x:.2}")} cy={format!("{y:.2}")} r={if rank == 0 { "13" } else { "10" }}
                        stroke={colour(slot)} />
                    <line x1={format!("{x:.2}")} y1={format!("{y:.2}")} x2={format!("{ex:.2}")} y2={format!("{ey:.2}")} />
                    <text x={format!("{lx:.2}")} y={format!("{ly:.2}")}>{format!("#{}", rank + 1)}</text>
                </g>
            }
        })
        .collect();
    html! {
        <g class="lookup-overlay" key={format!("lookup-{}", at.position)}>
            <path class="walk" d={walk} />
            <line class="key-line" x1={format!("{kx:.2}")} y1={format!("{ky:.2}")}
                x2={format!("{ix:.2}")} y2={format!("{iy:.2}")} />
            <circle class="key-dot" cx={format!("{kx:.2}")} cy={format!("{ky:.2}")} r="6" />
            {for replicas}
        </g>
    }
}

/// The message hop: user A → Server(A) → Server(B) → user B, drawn as it travels.
fn message(demo: &Demo) -> Html {
    let d = &demo.domain;
    let Some(m) = demo.ui.message else {
        return html! {};
    };
    let (Some(a), Some(b)) = (d.users.get(m.from), d.users.get(m.to)) else {
        return html! {};
    };
    // The points that route A and B now (the old ring's for arcs not yet cut over).
    let (Some(pa), Some(pb)) = (d.locate(&a.id), d.locate(&b.id)) else {
        return html! {};
    };
    let a_xy = point(a.position, user_radius(a.position));
    let pa_xy = point(pa.point, RING);
    let pb_xy = point(pb.point, RING);
    let b_xy = point(b.position, user_radius(b.position));
    let path = format!(
        "M{:.2} {:.2}L{:.2} {:.2}Q{CENTRE} {CENTRE} {:.2} {:.2}L{:.2} {:.2}",
        a_xy.0, a_xy.1, pa_xy.0, pa_xy.1, pb_xy.0, pb_xy.1, b_xy.0, b_xy.1
    );
    let stops = [a_xy, pa_xy, pb_xy, b_xy]
        .into_iter()
        .enumerate()
        .map(|(i, (x, y))| {
            html! {
                <circle class="stop" style={format!("animation-delay:{}ms", 450 * i)}
                    cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="7" />
            }
        });
    html! {
        <g class="message-overlay" key={format!("message-{}", demo.anim.message)}>
            <path class="hop" d={path} pathLength="1" />
            {for stops}
        </g>
    }
}

/// What the colours and marks mean, and the servers by name (hover highlights one).
pub fn legend(demo: &Demo, dispatch: &Dispatch) -> Html {
    let d = &demo.domain;
    let servers = d.servers.iter().map(|s| {
        let slot = s.slot;
        let enter = dispatch.reform(move |_: MouseEvent| Action::Highlight(Some(slot)));
        let leave = dispatch.reform(|_: MouseEvent| Action::Highlight(None));
        html! {
            <li key={&*s.id} style={format!("--c:{}", colour(slot))} onmouseenter={enter} onmouseleave={leave}>
                <span class={classes!("swatch", dash(slot).map(|_| "patterned"))} aria-hidden="true"></span>{&*s.id}
            </li>
        }
    });
    let many = d.servers.iter().any(|s| usize::from(s.slot) >= DISTINCT);
    let mark = |svg: Html, text: &str| html! { <li>{svg}{text.to_string()}</li> };
    let dot = |extra: &str| {
        html! { <svg viewBox="0 0 12 12" aria-hidden="true"><circle cx="6" cy="6" r="3.4" class={format!("user {extra}")} fill="#b9c2d6" stroke="#e6e9f0" /></svg> }
    };
    html! {
        <div class="legend" aria-label="legend">
            <ul class="legend-servers">{for servers}</ul>
            if many {
                <p class="legend-note">{"Colours past the eighth are hard to tell apart: those servers' arcs are dashed, and every mark names its server on hover."}</p>
            }
            <ul class="legend-marks">
                {mark(dot(""), "user at the hash of its id, coloured by the first server point clockwise")}
                {mark(dot("moved"), "halo: moved in the last change")}
                if d.scaling.is_some() {
                    {mark(dot("pending"), "waiting for its arc's batch (outline: owner to come)")}
                    {mark(dot("dual"), "cut over, still dual-delivered (outline: old owner)")}
                }
                if d.servers.iter().any(|s| s.down) {
                    {mark(dot("replica"), "owner down: served by its replica")}
                    {mark(dot("lost"), "owner and replicas down: state lost")}
                }
                if d.cap.is_some() {
                    {mark(dot("spilled"), "owner full: went on clockwise to the next server with room")}
                }
            </ul>
        </div>
    }
}
