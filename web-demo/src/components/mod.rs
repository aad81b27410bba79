//! The page: one function per panel, all reading the same [`Demo`] state.
//!
//! Panels that only display are plain functions of the state; the two forms with their
//! own text boxes are components with hooks.

mod controls;
mod counters;
mod load_panel;
mod lookup;
mod messages;
mod ring_view;

use gloo::timers::callback::Interval;
use yew::prelude::*;

use crate::state::{Action, Demo};

/// How often a scaling event cuts over its next batch, in milliseconds.
const STEP_MS: u32 = 1_200;

/// The state's dispatcher, as handed to every panel.
pub type Dispatch = Callback<Action>;

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let demo = use_reducer(Demo::new);
    let dispatch: Dispatch = demo.dispatcher().to_callback();

    // A running scaling event ticks; the interval is dropped (and cancelled) when the
    // event completes or the page goes away.
    let scaling = demo.scaling.is_some();
    {
        let dispatch = dispatch.clone();
        use_effect_with(scaling, move |&scaling| {
            let interval =
                scaling.then(|| Interval::new(STEP_MS, move || dispatch.emit(Action::Tick)));
            move || drop(interval)
        });
    }

    let notice = demo.notice.as_ref().map(|n| {
        let dismiss = dispatch.reform(|_: MouseEvent| Action::Dismiss);
        html! {
            <p class="notice" role="alert" key={n.serial}>
                {&n.text}
                <button type="button" class="dismiss" aria-label="dismiss" onclick={dismiss}>{"×"}</button>
            </p>
        }
    });

    html! {
        <main data-seed={crate::state::SEED.to_string()} data-vnodes={demo.vnodes.to_string()}>
            <header>
                <h1>{"ringroute"}</h1>
                <p class="tagline">
                    {"Which server owns user X? A consistent-hash ring answers the same on every machine, "}
                    {"and when a server joins or leaves only about 1/n of users move. "}
                    {"Modulo hashing moves almost all of them."}
                </p>
            </header>
            {counters::view(&demo)}
            <div class="notices" aria-live="polite">{for notice}</div>
            <div class="layout">
                <section class="stage" aria-label="the ring">
                    {ring_view::view(&demo, &dispatch)}
                    {ring_view::legend(&demo)}
                </section>
                <aside class="panels">
                    {controls::view(&demo, &dispatch)}
                    <lookup::LookupForm dispatch={dispatch.clone()} />
                    {lookup::view(&demo)}
                    <messages::MessageForm dispatch={dispatch.clone()} />
                    {messages::view(&demo)}
                    {load_panel::view(&demo, &dispatch)}
                </aside>
            </div>
        </main>
    }
}
