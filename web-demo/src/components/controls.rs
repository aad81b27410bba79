//! Servers, users, virtual nodes, the scaling mode and reset.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::Dispatch;
use crate::state::{Action, Demo, MAX_VNODES};

/// The control panel.
pub fn view(demo: &Demo, dispatch: &Dispatch) -> Html {
    let on = |action: Action| dispatch.reform(move |_: MouseEvent| action.clone());
    let vnodes = dispatch.reform(|e: Event| {
        let value = e.target_unchecked_into::<HtmlInputElement>().value();
        // The slider only yields integers in range; anything else is refused by the state.
        Action::SetVnodes(value.parse().unwrap_or(0))
    });
    let show_vnodes = dispatch.reform(|_: Event| Action::ToggleVnodes);
    let gradual = dispatch.reform(|e: Event| {
        Action::SetGradual(e.target_unchecked_into::<HtmlInputElement>().checked())
    });
    html! {
        <section class="panel controls" aria-label="controls">
            <h2>{"Controls"}</h2>
            <div class="row">
                <span class="label">{"Servers"}</span>
                <button type="button" id="add-server" onclick={on(Action::AddServer)}>{"Add server"}</button>
                <span class="hint">{"remove one with its × or by clicking it on the ring"}</span>
            </div>
            <div class="row">
                <span class="label">{"Users"}</span>
                <button type="button" id="add-100" onclick={on(Action::AddUsers(100))}>{"+100"}</button>
                <button type="button" id="add-1000" onclick={on(Action::AddUsers(1000))}>{"+1,000"}</button>
                <button type="button" id="clear-users" onclick={on(Action::ClearUsers)}>{"Clear"}</button>
                <span class="count" data-testid="users">{format!("{} users", demo.users.len())}</span>
            </div>
            <div class="row">
                <label for="vnodes" class="label">{"Virtual nodes"}</label>
                <input id="vnodes" type="range" min="1" max={MAX_VNODES.to_string()}
                    value={demo.vnodes.to_string()} onchange={vnodes} />
                <output for="vnodes">{format!("{} per unit of weight", demo.vnodes)}</output>
            </div>
            <div class="row">
                <input id="show-vnodes" type="checkbox" checked={demo.show_vnodes} onchange={show_vnodes} />
                <label for="show-vnodes">{"Draw every virtual node (off: one marker per server)"}</label>
            </div>
            <div class="row">
                <input id="gradual" type="checkbox" checked={demo.gradual} onchange={gradual} />
                <label for="gradual">{"Gradual scaling events: dual delivery, cut-over in batches"}</label>
            </div>
            <div class="row">
                <button type="button" id="reset" onclick={on(Action::Reset)}>{"Reset"}</button>
                <span class="hint">{format!("seed {} is fixed: a reload draws the same ring", crate::state::SEED)}</span>
            </div>
        </section>
    }
}
