//! Moved users travel: after each change, every user that moved (up to
//! [`MAX_TRAVELLERS`]) travels clockwise along the ring from where it sits to its new
//! owner's point, its colour turning from the old owner's to the new, then fades; its
//! resting dot keeps a halo until the next change.
//!
//! Painted on a canvas by one `requestAnimationFrame` loop that lasts [`TRAVEL_MS`]: as
//! SVG circles or HTML elements, 150 travellers cost a style recalculation, a layout and
//! a composited layer each, per frame, which dropped frames by the dozen at 5,000 users.

use std::cell::RefCell;
use std::f64::consts::TAU;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use super::dots::ring_px;
use crate::geometry::{angle, user_radius, CENTRE, SIZE};
use crate::palette::colour;
use crate::state::Demo;

/// At most this many moved users travel visibly per change (the rest only get halos).
pub const MAX_TRAVELLERS: usize = 400;
/// How long the journey lasts, fade included.
const TRAVEL_MS: f64 = 1_600.0;
/// The share of it spent travelling; the rest fades.
const MOVING: f64 = 0.75;

/// One traveller: where it starts, how far it turns, its radius and colours.
#[derive(Debug, Clone, PartialEq)]
struct Traveller {
    /// Start angle, radians clockwise from the top.
    start: f64,
    /// How far it turns clockwise to its new owner's point, radians.
    turn: f64,
    radius: f64,
    from: [f64; 3],
    to: [f64; 3],
}

/// The users moved by the latest change, on ringroute's ring.
fn travellers(demo: &Demo) -> Vec<Traveller> {
    let d = &demo.domain;
    let points = &d.points;
    let owning_point = |position: u32| {
        let i = points.partition_point(|&(p, _)| p < position);
        points.get(i).or(points.first()).map_or(position, |p| p.0)
    };
    d.all_users()
        .filter(|u| u.previous.is_none() && u.incoming.is_none())
        .filter_map(|u| {
            let from = u.moved_from?;
            Some(Traveller {
                start: angle(u.position),
                turn: angle(owning_point(u.position).wrapping_sub(u.position)),
                radius: user_radius(u.position),
                from: rgb(colour(from)),
                to: rgb(colour(u.owner)),
            })
        })
        .take(MAX_TRAVELLERS)
        .collect()
}

/// `#rrggbb` as channels.
fn rgb(hex: &str) -> [f64; 3] {
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.0, f64::from)
    };
    [channel(1), channel(3), channel(5)]
}

/// Ease in and out, as CSS `ease-in-out` roughly does.
fn ease(t: f64) -> f64 {
    t * t * (3.0 - 2.0 * t)
}

#[derive(Properties)]
pub struct TravelProps {
    /// The state.
    pub demo: UseReducerHandle<Demo>,
    /// Bumped per membership change or cut-over batch: the journey starts again.
    pub moves: u32,
}

impl PartialEq for TravelProps {
    fn eq(&self, other: &Self) -> bool {
        self.moves == other.moves
    }
}

/// The travellers' canvas. `data-moving` is "1" while they travel, "0" once done.
#[function_component(Travel)]
pub fn travel(props: &TravelProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let demo = props.demo.clone();
        use_effect_with(props.moves, move |_| {
            let stop = Rc::new(RefCell::new(false));
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                start(c, travellers(&demo), stop.clone());
            }
            move || *stop.borrow_mut() = true
        });
    }
    html! { <canvas class="travellers" ref={canvas} aria-hidden="true" data-moving="0" /> }
}

/// The loop's per-frame callback.
type FrameCallback = Closure<dyn FnMut(f64)>;

/// Runs the journey on `canvas` until it ends or `stop` is set.
fn start(canvas: HtmlCanvasElement, list: Vec<Traveller>, stop: Rc<RefCell<bool>>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let reduced = window
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    let width = ring_px();
    if canvas.width() != width {
        canvas.set_width(width);
        canvas.set_height(width);
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let scale = f64::from(width) / SIZE;
    let _ = ctx.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, SIZE, SIZE);
    if list.is_empty() || reduced || width == 0 {
        let _ = canvas.set_attribute("data-moving", "0");
        return;
    }
    let _ = canvas.set_attribute("data-moving", "1");
    // The loop owns its closure and drops it when the journey ends (wasm-bindgen's
    // requestAnimationFrame pattern).
    let frame: Rc<RefCell<Option<FrameCallback>>> = Rc::new(RefCell::new(None));
    let again = frame.clone();
    let mut began: Option<f64> = None;
    *frame.borrow_mut() = Some(Closure::new(move |now: f64| {
        let t = (now - *began.get_or_insert(now)) / TRAVEL_MS;
        ctx.clear_rect(0.0, 0.0, SIZE, SIZE);
        if *stop.borrow() || t >= 1.0 {
            let _ = canvas.set_attribute("data-moving", "0");
            let _ = again.borrow_mut().take();
            return;
        }
        draw(&ctx, &list, t);
        if let Some(w) = web_sys::window() {
            if let Some(f) = again.borrow().as_ref() {
                let _ = w.request_animation_frame(f.as_ref().unchecked_ref());
            }
        }
    }));
    if let Some(f) = frame.borrow().as_ref() {
        let _ = window.request_animation_frame(f.as_ref().unchecked_ref());
    };
}

/// Every traveller at time `t` (0 to 1 of the journey).
fn draw(ctx: &CanvasRenderingContext2d, list: &[Traveller], t: f64) {
    let moving = ease((t / MOVING).min(1.0));
    let alpha = if t < MOVING {
        1.0
    } else {
        1.0 - (t - MOVING) / (1.0 - MOVING)
    };
    ctx.set_global_alpha(alpha);
    for tr in list {
        let a = (tr.start + tr.turn * moving) % TAU;
        let (x, y) = (CENTRE + tr.radius * a.sin(), CENTRE - tr.radius * a.cos());
        let mix = |i: usize| (tr.from[i] + (tr.to[i] - tr.from[i]) * moving).round();
        ctx.set_fill_style_str(&format!("rgb({},{},{})", mix(0), mix(1), mix(2)));
        ctx.begin_path();
        let _ = ctx.arc(x, y, 3.6, 0.0, TAU);
        ctx.fill();
    }
    ctx.set_global_alpha(1.0);
}
