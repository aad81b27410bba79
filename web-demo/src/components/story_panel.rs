//! The guided story's panel: step N of 7, its title, what to watch for, and navigation.

use yew::prelude::*;

use super::Dispatch;
use crate::state::{Action, Demo, Origin};
use crate::story::STEPS;

/// The story panel, when the story is on.
pub fn view(demo: &Demo, dispatch: &Dispatch) -> Html {
    let Some(step) = demo.ui.story else {
        return html! {};
    };
    let Some(s) = STEPS.get(step - 1) else {
        return html! {};
    };
    let go = |n: usize| dispatch.reform(move |_: MouseEvent| Action::Story(n));
    html! {
        <section class="panel story" aria-label="guided story" data-step={step.to_string()}>
            <h2>{format!("Story · step {step} of {}", STEPS.len())}</h2>
            <p class="story-title">{s.title}</p>
            <p class="watch" data-testid="watch"><strong>{"Watch for: "}</strong>{s.watch}</p>
            <div class="row">
                <button type="button" id="story-back" disabled={step == 1} onclick={go(step - 1)}>{"Back"}</button>
                if step < STEPS.len() {
                    <button type="button" id="story-next" class="primary" onclick={go(step + 1)}>{"Next"}</button>
                }
                <button type="button" id="story-replay" onclick={go(step)}>{"Replay"}</button>
                <button type="button" id="story-exit" onclick={go(0)}>{"Leave story"}</button>
            </div>
            {super::feedback(demo, dispatch, Origin::Story, "")}
        </section>
    }
}
