//! The ring as SVG: tinted arcs, server points, user dots, and the movement, lookup and
//! message overlays. Positions run clockwise from the top, 0 to 2^32. Every view obeys
//! the rule the page states: a user belongs to the first server point clockwise (or, as
//! marked, to the replica or the next server with room that serves it instead).

use std::rc::Rc;

use yew::prelude::*;

use super::dots::Dots;
use super::travel::Travel;
use super::Dispatch;
use crate::figures::Algorithm;
use crate::geometry::{point, push_arc, push_tick, user_radius, CENTRE, RING, SIZE};
use crate::palette::{colour, dash, DISTINCT};
use crate::state::{Action, Demo};

/// Where replica rank labels may sit, as offsets from the ring's radius, in order of
/// preference: two outside, two inside.
const LABEL_RADII: [f64; 4] = [26.0, 54.0, -30.0, -60.0];
/// The least distance between two labels' centres: more than a label's diagonal.
const LABEL_CLEARANCE: f64 = 30.0;

/// The ring drawing: a still layer (arcs, servers, resting users) and, stacked on top in
/// its own compositing layer, everything that animates.
pub fn view(handle: &UseReducerHandle<Demo>, dispatch: &Dispatch) -> Html {
    let demo: &Demo = handle;
    let d = &demo.domain;
    let view_box = format!("0 0 {SIZE} {SIZE}");
    html! {
        <div class="canvas">
            <svg class="ring" viewBox={view_box.clone()} role="img"
                aria-label={format!("hash ring with {} servers and {} users", d.servers.len(), d.users.len())}>
                <circle class="track" cx={CENTRE.to_string()} cy={CENTRE.to_string()} r={RING.to_string()} />
                <Still demo={handle.clone()} dispatch={dispatch.clone()} version={still_version(demo)}
                    highlight={demo.ui.highlight} />
                <text class="zero" x={CENTRE.to_string()} y={(CENTRE - RING - 20.0).to_string()}>{"0 / 2³²"}</text>
                {centre_label(demo)}
            </svg>
            <Dots demo={handle.clone()} version={demo.anim.dots} highlight={demo.ui.highlight} />
            if demo.shows_ring() {
                <Travel demo={handle.clone()} moves={demo.anim.moves} />
                <svg class="ring overlay" viewBox={view_box} aria-hidden="true">
                    {lookup(demo)}
                    {message(demo)}
                </svg>
            }
        </div>
    }
}

/// What the still layer's look depends on besides the highlight: the points drawn, the
/// servers' down flags, the view mode.
fn still_version(demo: &Demo) -> (u32, usize, u8, bool, Vec<bool>) {
    (
        demo.anim.points,
        demo.points_shown().len(),
        demo.ui.algorithm as u8,
        demo.ui.show_vnodes,
        demo.domain.servers.iter().map(|s| s.down).collect(),
    )
}

#[derive(Properties)]
struct StillProps {
    demo: UseReducerHandle<Demo>,
    dispatch: Dispatch,
    version: (u32, usize, u8, bool, Vec<bool>),
    highlight: Option<u8>,
}

impl PartialEq for StillProps {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && self.highlight == other.highlight
    }
}

/// Arcs and server points: their paths (hundreds of arcs and ticks, thousands under
/// ketama) are built once per membership, and a highlight only changes classes.
#[function_component(Still)]
fn still(props: &StillProps) -> Html {
    let demo: &Demo = &props.demo;
    let paths = {
        let demo = props.demo.clone();
        use_memo(props.version.clone(), move |_| {
            (arc_paths(&demo), tick_paths(&demo))
        })
    };
    let (arcs_by_slot, ticks_by_slot) = &*paths;
    html! {
        <>
            {arcs(demo, arcs_by_slot)}
            {servers(demo, &props.dispatch, ticks_by_slot)}
        </>
    }
}

/// Whether `slot` is dimmed by the highlight.
fn dimmed(demo: &Demo, slot: u8) -> bool {
    demo.ui.highlight.is_some_and(|h| h != slot)
}

/// What the ring's centre says: the rule of the algorithm drawn.
fn centre_label(demo: &Demo) -> Html {
    let x = CENTRE.to_string();
    let line = |dy: f64, text: &str| {
        html! { <tspan x={x.clone()} dy={format!("{dy}")}>{text.to_string()}</tspan> }
    };
    let lines = match demo.ui.algorithm {
        Algorithm::Ring => vec![line(0.0, "clockwise ↻")],
        Algorithm::Ketama => vec![
            line(-8.0, "ketama's ring ↻"),
            line(16.0, "keys at their MD5 hash"),
        ],
        Algorithm::Modulo => vec![
            line(-16.0, "modulo has no ring:"),
            line(16.0, "server = hash % n,"),
            line(16.0, "so colours are scattered"),
        ],
    };
    html! {
        <text class="clockwise" data-testid="ring-rule" x={x.clone()} y={CENTRE.to_string()}>{for lines}</text>
    }
}

/// Arcs: each point tints the arc it owns, from the previous point (any server's) to it.
/// With every virtual node drawn, runs of one owner merge into one arc; with one marker
/// per server, only the arc each marker truly owns is tinted.
fn arc_paths(demo: &Demo) -> Vec<(u8, String)> {
    let points = demo.points_shown();
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
        return paths;
    }
    if demo.ui.show_vnodes || !demo.shows_ring() {
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
    paths
}

fn arcs(demo: &Demo, paths: &[(u8, String)]) -> Html {
    let d = &demo.domain;
    html! {
        <g class="arcs">
            {for paths.iter().map(|(slot, path)| {
                let slot = *slot;
                let down = d.server(slot).is_some_and(|s| s.down);
                let class = classes!(
                    down.then_some("down"),
                    dimmed(demo, slot).then_some("dim"),
                    (demo.ui.highlight == Some(slot)).then_some("lit")
                );
                html! {
                    <path key={slot} d={path.clone()} stroke={colour(slot)} data-slot={slot.to_string()}
                        {class} stroke-dasharray={dash(slot)} />
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
fn tick_paths(demo: &Demo) -> Vec<String> {
    let one_marker = !demo.ui.show_vnodes && demo.shows_ring();
    let (inner, outer) = match (one_marker, demo.ui.algorithm) {
        (true, _) => (5.0, 5.0),
        (false, Algorithm::Ketama) => (5.0, 5.0),
        (false, _) => (9.0, 9.0),
    };
    // One path per server, built in one pass over the points.
    let mut paths: Vec<String> = vec![String::new(); usize::from(u8::MAX) + 1];
    for &(pos, slot) in demo.points_shown() {
        push_tick(
            &mut paths[usize::from(slot)],
            pos,
            RING - inner,
            RING + outer,
        );
    }
    paths
}

fn servers(demo: &Demo, dispatch: &Dispatch, paths: &[String]) -> Html {
    let d = &demo.domain;
    let one_marker = !demo.ui.show_vnodes && demo.shows_ring();
    let ticks = d.servers.iter().map(|server| {
        let slot = server.slot;
        let enter = dispatch.reform(move |_: MouseEvent| Action::Highlight(Some(slot)));
        let leave = dispatch.reform(|_: MouseEvent| Action::Highlight(None));
        let path = paths[usize::from(slot)].clone();
        let class = classes!(
            "ticks",
            one_marker.then_some("faint"),
            server.down.then_some("down"),
            dimmed(demo, slot).then_some("dim")
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
    let marks = one_marker.then(|| {
        let marks = markers(demo).into_iter().map(|(slot, i)| {
            let pos = d.points[i].0;
            let (x, y) = point(pos, RING);
            let (lx, ly) = point(pos, RING + 24.0);
            let id = d.server(slot).map_or(Rc::from(""), |s| s.id.clone());
            html! {
                <g key={&*id} class={classes!("marker", dimmed(demo, slot).then_some("dim"))} data-server={id.to_string()} data-slot={slot.to_string()}>
                    <circle cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="8" fill={colour(slot)} />
                    <text x={format!("{lx:.2}")} y={format!("{ly:.2}")}>{&*id}</text>
                </g>
            }
        });
        html! { <g class="markers">{for marks}</g> }
    });
    html! { <g class="servers">{for ticks}{for marks}</g> }
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
