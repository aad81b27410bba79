//! The ring as SVG: tinted arcs, server points, user dots, and the lookup and message
//! overlays. Positions run clockwise from the top, 0 to 2^32.

use std::rc::Rc;

use yew::prelude::*;

use super::Dispatch;
use crate::geometry::{point, push_arc, push_tick, user_radius, CENTRE, RING, SIZE};
use crate::palette::colour;
use crate::state::{Action, Demo, User};

/// The ring drawing: a still layer (arcs, servers, resting users) and, stacked on top
/// in its own compositing layer, everything that animates (moving users, the lookup and
/// the message). Animating inside an SVG repaints all of it every frame; splitting keeps
/// those repaints to a few dozen shapes.
pub fn view(demo: &Demo, dispatch: &Dispatch) -> Html {
    let view_box = format!("0 0 {SIZE} {SIZE}");
    let (moving, resting): (Vec<&User>, Vec<&User>) =
        demo.users.iter().partition(|u| demo.is_moving(u));
    html! {
        <div class="canvas">
            <svg class="ring" viewBox={view_box.clone()} role="img"
                aria-label={format!("hash ring with {} servers and {} users", demo.servers.len(), demo.users.len())}>
                <circle class="track" cx={CENTRE.to_string()} cy={CENTRE.to_string()} r={RING.to_string()} />
                {arcs(demo)}
                {servers(demo, dispatch)}
                <g class="users">{for resting.into_iter().map(|u| resting_dot(demo, u))}</g>
                <text class="zero" x={CENTRE.to_string()} y={(CENTRE - RING - 22.0).to_string()}>{"0 / 2³²"}</text>
            </svg>
            <svg class="ring overlay" viewBox={view_box} aria-hidden="true">
                <g class="users">{for moving.into_iter().map(|u| moving_dot(demo, u))}</g>
                {lookup(demo)}
                {message(demo)}
            </svg>
        </div>
    }
}

/// Each server's owned arcs, one path per server: the arc ending at each of its points.
fn arcs(demo: &Demo) -> Html {
    let points = &demo.points;
    let Some(&(_, last_slot)) = points.last() else {
        return html! {};
    };
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
    if points.iter().all(|&(_, s)| s == last_slot) {
        // One server owns the whole ring.
        add(last_slot, 0, 0);
    } else {
        // Runs of consecutive points with one owner make one arc, from the point before
        // the run to the run's last point.
        let n = points.len();
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
    html! {
        <g class="arcs">
            {for paths.into_iter().map(|(slot, d)| html! {
                <path key={slot} d={d} stroke={colour(slot)} />
            })}
        </g>
    }
}

/// Server points: a tick per virtual node, or one marker per server. Click to remove.
fn servers(demo: &Demo, dispatch: &Dispatch) -> Html {
    let config = demo.ring.config();
    let marks = demo.servers.iter().map(|server| {
        let id = server.id.clone();
        let remove = dispatch.reform({
            let id = id.clone();
            move |_: MouseEvent| Action::RemoveServer(id.clone())
        });
        let key_remove = {
            let (dispatch, id) = (dispatch.clone(), id.clone());
            Callback::from(move |e: KeyboardEvent| {
                if matches!(e.key().as_str(), "Enter" | "Delete" | "Backspace") {
                    dispatch.emit(Action::RemoveServer(id.clone()));
                }
            })
        };
        let c = colour(server.slot);
        let title = html! { <title>{format!("{id} (weight {}): click to remove", server.weight)}</title> };
        let anchor = config.vnode_position(&id, 0);
        if demo.show_vnodes {
            let mut d = String::new();
            for &(pos, slot) in &demo.points {
                if slot == server.slot {
                    push_tick(&mut d, pos, RING - 9.0, RING + 9.0);
                }
            }
            html! {
                <path key={&*id} class="ticks" d={d} stroke={c} tabindex="0"
                    data-server={id.to_string()} onclick={remove} onkeydown={key_remove}>{title}</path>
            }
        } else {
            let (x, y) = point(anchor, RING);
            let (lx, ly) = point(anchor, RING + 24.0);
            html! {
                <g key={&*id} class="marker" tabindex="0" data-server={id.to_string()}
                    onclick={remove} onkeydown={key_remove}>
                    {title}
                    <circle cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="9" fill={c} />
                    <text x={format!("{lx:.2}")} y={format!("{ly:.2}")}>{&*id}</text>
                </g>
            }
        }
    });
    html! { <g class="servers">{for marks}</g> }
}

/// The first ring point at or after `position` (wrapping): the point that owns it.
fn owning_point(demo: &Demo, position: u32) -> Option<u32> {
    let i = demo.points.partition_point(|&(p, _)| p < position);
    demo.points.get(i).or(demo.points.first()).map(|p| p.0)
}

/// Fill, outline and class of a user's dot: the owner's colour, outlined by the old
/// owner during dual delivery or by the owner to come while pending.
fn dot_look(user: &User) -> (&'static str, Option<&'static str>, &'static str) {
    let fill = colour(user.owner);
    match (user.previous, user.incoming) {
        (Some(previous), _) => (fill, Some(colour(previous)), "user dual"),
        (None, Some(incoming)) => (fill, Some(colour(incoming)), "user pending"),
        (None, None) => (fill, None, "user"),
    }
}

fn owner_id(demo: &Demo, user: &User) -> Rc<str> {
    demo.server(user.owner)
        .map_or_else(|| Rc::from(""), |s| s.id.clone())
}

/// A resting user: a component with plain props, so a re-render skips every dot whose
/// look did not change instead of rebuilding a thousand elements.
fn resting_dot(demo: &Demo, user: &User) -> Html {
    let (fill, stroke, class) = dot_look(user);
    html! {
        <UserDot key={&*user.id} id={user.id.clone()} position={user.position}
            {fill} {stroke} {class} owner={owner_id(demo, user)} />
    }
}

#[derive(Properties, PartialEq)]
struct DotProps {
    id: Rc<str>,
    position: u32,
    fill: &'static str,
    stroke: Option<&'static str>,
    class: &'static str,
    owner: Rc<str>,
}

#[function_component(UserDot)]
fn user_dot(props: &DotProps) -> Html {
    let (x, y) = point(props.position, user_radius(props.position));
    html! {
        <circle class={props.class} cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="3.2"
            fill={props.fill} stroke={props.stroke}
            data-user={props.id.to_string()} data-owner={props.owner.to_string()} />
    }
}

/// A user moving in the latest change: it travels to its new owner's point on the ring
/// and back, then takes the new colour (CSS keyframes; offsets and colours from here).
fn moving_dot(demo: &Demo, user: &User) -> Html {
    let (x, y) = point(user.position, user_radius(user.position));
    let (fill, stroke, class) = dot_look(user);
    let Some(moved) = user.moved else {
        return html! {};
    };
    let target = owning_point(demo, user.position).unwrap_or(user.position);
    let (tx, ty) = point(target, RING);
    let style = format!(
        "--dx:{:.1}px;--dy:{:.1}px;--from:{};--to:{fill}",
        tx - x,
        ty - y,
        colour(moved.from)
    );
    html! {
        <circle key={format!("{}:{}", user.id, moved.serial)} class={format!("{class} moved")}
            style={style} cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="3.2" fill={fill}
            stroke={stroke} data-user={user.id.to_string()}
            data-owner={owner_id(demo, user).to_string()} />
    }
}

/// The looked-up key: its position, the clockwise walk to its owner, and its replicas.
fn lookup(demo: &Demo) -> Html {
    let Some(at) = demo.lookup.as_deref().and_then(|k| demo.locate(k)) else {
        return html! {};
    };
    let (kx, ky) = point(at.position, RING + 18.0);
    let (ix, iy) = point(at.position, RING - 18.0);
    let mut walk = String::new();
    push_arc(&mut walk, at.position, at.point, RING);
    let replicas = at.replicas.iter().enumerate().map(|(rank, &(slot, pos))| {
        let (x, y) = point(pos, RING);
        let (lx, ly) = point(pos, RING + 34.0);
        html! {
            <g class="replica">
                <circle cx={format!("{x:.2}")} cy={format!("{y:.2}")} r={if rank == 0 { "13" } else { "10" }}
                    stroke={colour(slot)} />
                <text x={format!("{lx:.2}")} y={format!("{ly:.2}")}>{rank + 1}</text>
            </g>
        }
    });
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
    let Some(m) = demo.message else {
        return html! {};
    };
    let (Some(a), Some(b)) = (demo.users.get(m.from), demo.users.get(m.to)) else {
        return html! {};
    };
    // The points that route A and B now (the old ring's for arcs not yet cut over).
    let (Some(pa), Some(pb)) = (demo.locate(&a.id), demo.locate(&b.id)) else {
        return html! {};
    };
    let (pa, pb) = (pa.point, pb.point);
    let a_xy = point(a.position, user_radius(a.position));
    let pa_xy = point(pa, RING);
    let pb_xy = point(pb, RING);
    let b_xy = point(b.position, user_radius(b.position));
    let d = format!(
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
        <g class="message-overlay" key={format!("message-{}", m.serial)}>
            <path class="hop" d={d} pathLength="1" />
            {for stops}
        </g>
    }
}

/// What the colours and marks mean.
pub fn legend(demo: &Demo) -> Html {
    let servers = demo.servers.iter().map(|s| {
        html! {
            <li key={&*s.id} style={format!("--c:{}", colour(s.slot))}>
                <span class="swatch" aria-hidden="true"></span>{&*s.id}
            </li>
        }
    });
    html! {
        <div class="legend" aria-label="legend">
            <ul class="legend-servers">{for servers}</ul>
            <ul class="legend-marks">
                <li><svg viewBox="0 0 12 12"><circle cx="6" cy="6" r="3.2" fill="#ccc" /></svg>{"user, at the hash of its id, in its owner's colour"}</li>
                <li><svg viewBox="0 0 12 12"><path d="M6 0V12" stroke="#ccc" stroke-width="2" /></svg>{"server point (virtual node); its arc runs anticlockwise to the previous point"}</li>
                <li><svg viewBox="0 0 12 12"><circle cx="6" cy="6" r="3.2" fill="#ccc" stroke="#fff" stroke-dasharray="2 1.5" /></svg>{"scaling: about to move (outline: the new owner)"}</li>
                <li><svg viewBox="0 0 12 12"><circle cx="6" cy="6" r="3.2" fill="#ccc" stroke="#fff" stroke-width="1.6" /></svg>{"scaling: cut over, dual-delivered (outline: the old owner)"}</li>
            </ul>
        </div>
    }
}
