//! The page: one function per panel, all reading the same [`Demo`] state.
//!
//! Panels that only display are plain functions of the state; the two forms with their
//! own text boxes are components with hooks.

mod controls;
mod counters;
mod dots;
mod load_panel;
mod lookup;
mod messages;
mod ring_view;
mod story_panel;
mod travel;

use std::cell::RefCell;
use std::rc::Rc;

use gloo::timers::callback::{Interval, Timeout};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::state::{Action, Demo, Origin};
use crate::url;

/// How often a scaling event cuts over its next batch, in milliseconds.
const STEP_MS: u32 = 1_200;

/// How long after a change the URL is rewritten, in milliseconds.
const URL_DELAY_MS: u32 = 150;

/// The state's dispatcher, as handed to every panel.
pub type Dispatch = Callback<Action>;

/// The first state: the link's, when the page was opened from one, else the first load.
/// A link that cannot be rebuilt exactly says so instead of showing something else.
fn initial() -> Demo {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let fragment = hash.trim_start_matches('#');
    if fragment.is_empty() {
        return Demo::new();
    }
    match url::decode(fragment) {
        Ok(demo) => demo,
        Err(why) => {
            let mut demo = Demo::new();
            demo.ui.notice = Some(crate::state::Notice {
                text: format!("this link could not be restored ({why}); showing the first load"),
                at: crate::state::Origin::Link,
            });
            demo
        }
    }
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let demo = use_reducer(initial);
    let dispatch: Dispatch = demo.dispatcher().to_callback();

    // A running scaling event ticks; the interval is dropped (and cancelled) when the
    // event completes or the page goes away.
    let scaling = demo.domain.scaling.is_some();
    {
        let dispatch = dispatch.clone();
        use_effect_with(scaling, move |&scaling| {
            let interval =
                scaling.then(|| Interval::new(STEP_MS, move || dispatch.emit(Action::Tick)));
            move || drop(interval)
        });
    }

    // The state lives in the URL: a copied link reproduces the picture. Written a moment
    // after the change (a burst of changes writes once), outside the frame that shows it.
    let fragment = url::encode(&demo);
    use_effect_with(fragment, |fragment| {
        let url = format!("#{fragment}");
        let write = Timeout::new(URL_DELAY_MS, move || {
            if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
            }
        });
        move || drop(write)
    });

    // After a removal, focus goes to its Undo button (the removed control is gone), just
    // after the frame that shows the removal: focusing forces a style and layout pass,
    // which inside the click's task made the first frame late.
    use_effect_with(demo.anim.focus_undo, |&n| {
        let pending = (n > 0).then(|| AfterFrame::new(|| focus("undo")));
        move || drop(pending)
    });

    // One live region for results, one for refusals; each is also shown beside its control.
    let polite = demo.ui.done.as_ref().map_or("", |d| d.text.as_str());
    let assertive = demo.ui.notice.as_ref().map_or("", |n| n.text.as_str());
    let link = demo
        .ui
        .notice
        .as_ref()
        .filter(|n| n.at == Origin::Link)
        .map(|_| feedback(&demo, &dispatch, Origin::Link, ""));
    let story = dispatch.reform(|_: MouseEvent| Action::Story(1));

    html! {
        <main data-seed={crate::domain::SEED.to_string()} data-vnodes={demo.domain.vnodes.to_string()}>
            <header>
                <div class="title">
                    <h1>{"ringroute"}</h1>
                    <p class="tagline">
                        {"Which server owns user X? A consistent-hash ring answers the same on every machine, "}
                        {"and when a server joins or leaves only its share of users move. "}
                        {"Modulo hashing moves almost all of them."}
                    </p>
                </div>
                if demo.ui.story.is_none() {
                    <button type="button" id="story-start" class="primary" onclick={story}>{"Guided story (7 steps)"}</button>
                }
            </header>
            <div class="layout">
                <section class="stage" aria-label="the ring">
                    {ring_view::view(&demo, &dispatch)}
                    {ring_view::legend(&demo, &dispatch)}
                </section>
                <div class="side">
                    {for link}
                    {story_panel::view(&demo, &dispatch)}
                    {counters::view(&demo)}
                    {controls::view(&demo, &dispatch)}
                    {load_panel::view(&demo, &dispatch)}
                    <lookup::LookupForm dispatch={dispatch.clone()} />
                    {lookup::view(&demo, &dispatch)}
                    <messages::MessageForm dispatch={dispatch.clone()} />
                    {messages::view(&demo, &dispatch)}
                </div>
            </div>
            <p class="visually-hidden" role="status" aria-live="polite" data-testid="announce">{polite}</p>
            <p class="visually-hidden" role="alert" data-testid="alert">{assertive}</p>
        </main>
    }
}

/// Runs a closure once, just after the next frame is rendered (a timer started from
/// that frame's animation callback). Dropping it first cancels it.
struct AfterFrame {
    frame: i32,
    _callback: Closure<dyn FnMut(f64)>,
    after: Rc<RefCell<Option<Timeout>>>,
}

impl AfterFrame {
    fn new(run: impl FnOnce() + 'static) -> Option<Self> {
        let after = Rc::new(RefCell::new(None));
        let slot = after.clone();
        let mut run = Some(run);
        let callback = Closure::new(move |_: f64| {
            if let Some(run) = run.take() {
                *slot.borrow_mut() = Some(Timeout::new(0, run));
            }
        });
        let frame = web_sys::window()?
            .request_animation_frame(callback.as_ref().unchecked_ref())
            .ok()?;
        Some(Self {
            frame,
            _callback: callback,
            after,
        })
    }
}

impl Drop for AfterFrame {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.cancel_animation_frame(self.frame);
        }
        drop(self.after.borrow_mut().take());
    }
}

/// Moves keyboard focus to the element with `id`, if it is on the page.
pub fn focus(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// A server's name as a chip in its colour, readable on it.
pub fn chip(demo: &Demo, slot: u8) -> Html {
    use crate::palette::{colour, ink};
    let id = demo
        .domain
        .server(slot)
        .map_or("?".into(), |s| s.id.to_string());
    html! {
        <span class="chip" style={format!("background:{};color:{}", colour(slot), ink(slot))}>{id}</span>
    }
}

/// The line beside a control: what its last action did, why it was refused, or (until
/// then) a hint. Always present and one line high, so a result never moves the page; the
/// whole text is in its title and in the live region.
pub fn feedback(demo: &Demo, dispatch: &Dispatch, at: Origin, hint: &str) -> Html {
    let refused = demo.ui.notice.as_ref().filter(|n| n.at == at);
    let done = demo.ui.done.as_ref().filter(|d| d.at == at);
    let (text, kind) = match (refused, done) {
        (Some(n), _) => (n.text.as_str(), "refused"),
        (None, Some(d)) => (d.text.as_str(), "done"),
        (None, None) => (hint, "hint"),
    };
    let dismiss = refused.map(|_| {
        let onclick = dispatch.reform(|_: MouseEvent| Action::Dismiss);
        html! { <button type="button" class="dismiss" aria-label="dismiss" {onclick}>{"×"}</button> }
    });
    html! {
        <div class={classes!("feedback", kind)} data-for={at.name()}>
            <span class="text" title={text.to_string()} key={demo.anim.notice}>{text.to_string()}</span>
            {for dismiss}
        </div>
    }
}
