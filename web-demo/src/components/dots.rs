//! The resting users, painted on one `<canvas>` over the ring's still layer.
//!
//! As SVG, every user was a Yew component and a `<circle>`: a change re-rendered,
//! restyled and repainted up to 5,300 of them, which cost 35 to 100 ms of script per
//! click at 1,000 users and dropped frames. Here one list of dots is computed per change
//! (in the render, so it always agrees with the panels), and painted in one pass per
//! colour; a hover repaints the canvas without touching the DOM.
//!
//! What each dot shows (user, owner, fill, marks, position, lit) stays readable as data:
//! [`dots`] is exported to the page as `ringrouteDots()` (see `static/index.html`) and
//! returns exactly the list the canvas painted last.

use std::cell::RefCell;
use std::f64::consts::TAU;
use std::fmt::Write;
use std::rc::Rc;

use gloo::events::EventListener;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use crate::domain::{Serving, User};
use crate::geometry::{point, user_radius, SIZE};
use crate::palette::colour;
use crate::state::Demo;

/// The page's red (`--bad`): replica and lost marks.
const BAD: &str = "#ff8a8a";
/// How faint the other servers' dots are while one server is highlighted.
const DIMMED: f64 = 0.13;

/// A mark on a dot, beyond its fill; at most one stroke is drawn (the first that applies,
/// in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Its owner and every replica are down: its state is lost (no fill).
    Lost,
    /// Its owner is down: a replica serves it.
    Replica,
    /// Its owner is full under bounded loads: the next server with room took it.
    Spilled,
    /// Cut over in a running scaling event, still dual-delivered to the old owner.
    Dual,
    /// Waiting for its arc's batch in a running scaling event.
    Pending,
    /// Moved in the latest change (a halo until the next).
    Moved,
}

impl Mark {
    fn name(self) -> &'static str {
        match self {
            Self::Lost => "lost",
            Self::Replica => "replica",
            Self::Spilled => "spilled",
            Self::Dual => "dual",
            Self::Pending => "pending",
            Self::Moved => "moved",
        }
    }
}

/// A dot's stroke: colour, width, dash pattern.
type Outline = (&'static str, f64, &'static [f64]);

/// One user's dot, as painted.
#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    /// The user's (or hot session's) id.
    pub user: Rc<str>,
    /// The id of its owner on the ring shown.
    pub owner: Rc<str>,
    /// The fill colour's slot (`None`: not filled, its state is lost).
    pub fill: Option<u8>,
    /// The stroke colour's slot for scaling marks: the owner to come, or the old owner.
    pub stroke: Option<u8>,
    /// Its marks, in [`Mark`] order.
    pub marks: Vec<Mark>,
    /// Whether it is a hot-spot session.
    pub hot: bool,
    /// Its centre in the ring's SVG units.
    pub x: f64,
    /// See `x`.
    pub y: f64,
}

impl Dot {
    fn radius(&self) -> f64 {
        match self.marks.first() {
            Some(Mark::Dual | Mark::Pending) => 4.6,
            Some(Mark::Replica) => 4.4,
            _ => 3.2,
        }
    }

    /// The stroke, if any.
    fn outline(&self) -> Option<Outline> {
        let stroke = self.stroke.map_or("#fff", colour);
        Some(match self.marks.first()? {
            Mark::Lost => (BAD, 1.6, &[]),
            Mark::Replica => (BAD, 1.8, &[]),
            Mark::Spilled => ("#fff", 1.3, &[1.4, 1.2]),
            Mark::Dual => (stroke, 1.8, &[]),
            Mark::Pending => (stroke, 1.4, &[2.0, 1.5]),
            Mark::Moved => ("#fff", 1.3, &[]),
        })
    }
}

/// Every key's dot, in paint order: by fill slot (unfilled last), then creation order.
pub fn dot_list(demo: &Demo) -> Vec<Dot> {
    let d = &demo.domain;
    let name = |slot: u8| d.server(slot).map_or(Rc::from(""), |s| s.id.clone());
    let mut dots: Vec<Dot> = d
        .all_users()
        .enumerate()
        .map(|(i, u)| {
            let (owner, fill, marks) = look(demo, i, u);
            let position = demo.position_shown(u);
            let (x, y) = point(position, user_radius(position));
            Dot {
                user: u.id.clone(),
                owner: name(owner),
                fill,
                stroke: u.previous.or(u.incoming),
                marks,
                hot: i >= d.users.len(),
                x,
                y,
            }
        })
        .collect();
    dots.sort_by_key(|dot| dot.fill.map_or(u16::MAX, u16::from));
    dots
}

/// A dot's owner slot, fill slot and marks.
fn look(demo: &Demo, index: usize, user: &User) -> (u8, Option<u8>, Vec<Mark>) {
    let d = &demo.domain;
    let mut marks = Vec::new();
    let owner = demo.owner_shown(index, user);
    let fill = if let Some(&b) = d.bounded.get(index).filter(|_| demo.shows_ring()) {
        if b != owner {
            marks.push(Mark::Spilled);
        }
        Some(b)
    } else {
        match d.serving.get(index).copied().unwrap_or(Serving::Owner) {
            _ if !demo.shows_ring() => Some(owner),
            Serving::Owner => Some(owner),
            Serving::Replica(slot) => {
                marks.push(Mark::Replica);
                Some(slot)
            }
            Serving::Lost => {
                marks.push(Mark::Lost);
                None
            }
        }
    };
    if demo.shows_ring() {
        if user.previous.is_some() {
            marks.push(Mark::Dual);
        } else if user.incoming.is_some() {
            marks.push(Mark::Pending);
        } else if user.moved_from.is_some() {
            marks.push(Mark::Moved);
        }
    }
    marks.sort_by_key(|m| *m as u8);
    (owner, fill, marks)
}

thread_local! {
    /// The ring canvases' width in device pixels, measured on mount and on resize only:
    /// reading it on every change would force a layout in the middle of the update.
    static RING_PX: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// The list the canvas painted last, with its version, for [`dots`].
    static PAINTED: RefCell<(u32, Rc<Vec<Dot>>, Option<u8>)> = RefCell::new((0, Rc::default(), None));
}

/// The dots the canvas shows, as JSON: `{"version":N,"dots":[{"user","owner","fill",
/// "stroke","class","hot","x","y","lit"}]}` (x and y in the ring's SVG units, 660 across).
/// The page exposes it as `ringrouteDots()`.
#[wasm_bindgen]
pub fn dots() -> String {
    PAINTED.with(|p| {
        let (version, dots, highlight) = &*p.borrow();
        let mut out = format!("{{\"version\":{version},\"dots\":[");
        for (i, dot) in dots.iter().enumerate() {
            let class: Vec<&str> = dot.marks.iter().map(|m| m.name()).collect();
            let _ = write!(
                out,
                "{}{{\"user\":{},\"owner\":{},\"fill\":{},\"stroke\":{},\"class\":\"{}\",\"hot\":{},\"x\":{:.2},\"y\":{:.2},\"lit\":{}}}",
                if i == 0 { "" } else { "," },
                json(&dot.user),
                json(&dot.owner),
                dot.fill.map_or("null".into(), |s| json(colour(s))),
                dot.stroke.map_or("null".into(), |s| json(colour(s))),
                class.join(" "),
                dot.hot,
                dot.x,
                dot.y,
                lit(dot, *highlight),
            );
        }
        out.push_str("]}");
        out
    })
}

/// `text` as a JSON string.
fn json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether a dot stays lit under the highlight (its fill is the highlighted server).
fn lit(dot: &Dot, highlight: Option<u8>) -> bool {
    highlight.is_none_or(|h| dot.fill == Some(h))
}

#[derive(Properties)]
pub struct DotsProps {
    /// The state.
    pub demo: UseReducerHandle<Demo>,
    /// Bumped when any dot's look may have changed.
    pub version: u32,
    /// The highlighted server's slot.
    pub highlight: Option<u8>,
}

impl PartialEq for DotsProps {
    /// The version and the highlight: a lookup or a message leaves every dot as it was.
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && self.highlight == other.highlight
    }
}

/// The canvas of resting users.
#[function_component(Dots)]
pub fn dots_canvas(props: &DotsProps) -> Html {
    let canvas = use_node_ref();
    let list = {
        let demo = props.demo.clone();
        use_memo(props.version, move |_| Rc::new(dot_list(&demo)))
    };
    // Published in the render, so the readout always agrees with the panels beside it.
    PAINTED.with(|p| *p.borrow_mut() = (props.version, (*list).clone(), props.highlight));
    // The backing store follows the canvas's size in device pixels.
    let width = use_state(|| 0u32);
    {
        let (canvas, width) = (canvas.clone(), width.clone());
        use_effect_with((), move |_| {
            let measure = move || {
                if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                    let px = device_width(&c);
                    RING_PX.with(|w| w.set(px));
                    width.set(px);
                }
            };
            measure();
            let listener =
                web_sys::window().map(|w| EventListener::new(&w, "resize", move |_| measure()));
            move || drop(listener)
        });
    }
    {
        let canvas = canvas.clone();
        let deps = (props.version, props.highlight, *width);
        use_effect_with(deps, move |&(version, highlight, width)| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                if width > 0 {
                    paint(&c, &list, highlight, width);
                    let _ = c.set_attribute("data-painted", &version.to_string());
                }
            }
        });
    }
    html! { <canvas class="dots" ref={canvas} aria-hidden="true" /> }
}

/// The ring canvases' width in device pixels, as last measured (0 before the first).
pub fn ring_px() -> u32 {
    RING_PX.with(std::cell::Cell::get)
}

/// The canvas's CSS width in device pixels.
fn device_width(canvas: &HtmlCanvasElement) -> u32 {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    (f64::from(canvas.client_width()) * dpr).round() as u32
}

/// Paints `dots`: fills in runs of one colour (one path each), then the outlines.
fn paint(canvas: &HtmlCanvasElement, dots: &[Dot], highlight: Option<u8>, width: u32) {
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
    let alpha = |dot: &Dot| if lit(dot, highlight) { 1.0 } else { DIMMED };

    // Fills: dots are in fill order, so each colour is one run (two with a highlight).
    let mut run: Option<(u8, f64)> = None;
    for dot in dots {
        let Some(fill) = dot.fill else { continue };
        let key = (fill, alpha(dot));
        if run != Some(key) {
            if run.is_some() {
                ctx.fill();
            }
            run = Some(key);
            ctx.set_fill_style_str(colour(fill));
            ctx.set_global_alpha(key.1);
            ctx.begin_path();
        }
        let r = dot.radius();
        ctx.move_to(dot.x + r, dot.y);
        let _ = ctx.arc(dot.x, dot.y, r, 0.0, TAU);
    }
    if run.is_some() {
        ctx.fill();
    }

    // Outlines, one path per look: the few marked dots.
    let mut outlined: Vec<(&Dot, Outline, f64)> = dots
        .iter()
        .filter_map(|dot| dot.outline().map(|o| (dot, o, alpha(dot))))
        .collect();
    outlined.sort_by(|a, b| {
        (a.1 .0, a.1 .1.to_bits(), a.1 .2.len(), a.2.to_bits()).cmp(&(
            b.1 .0,
            b.1 .1.to_bits(),
            b.1 .2.len(),
            b.2.to_bits(),
        ))
    });
    let mut i = 0;
    while i < outlined.len() {
        let (_, (stroke, line, dash), a) = outlined[i];
        ctx.set_stroke_style_str(stroke);
        ctx.set_line_width(line);
        ctx.set_global_alpha(a);
        let pattern = js_sys::Array::new();
        for d in dash {
            pattern.push(&JsValue::from_f64(*d));
        }
        let _ = ctx.set_line_dash(&pattern);
        ctx.begin_path();
        while i < outlined.len() && (outlined[i].1, outlined[i].2) == ((stroke, line, dash), a) {
            let dot = outlined[i].0;
            let r = dot.radius();
            ctx.move_to(dot.x + r, dot.y);
            let _ = ctx.arc(dot.x, dot.y, r, 0.0, TAU);
            i += 1;
        }
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
}
