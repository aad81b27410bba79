//! Servers, users, virtual nodes, the scaling mode, failures, load caps and reset.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{feedback, Dispatch};
use crate::domain::{CAP_RANGE, MAX_REPLICATION, MAX_VNODES};
use crate::state::{Action, Demo, Origin};

/// The control panel.
pub fn view(demo: &Demo, dispatch: &Dispatch) -> Html {
    let d = &demo.domain;
    let on = |action: Action| dispatch.reform(move |_: MouseEvent| action.clone());
    let vnodes = dispatch.reform(|e: Event| {
        let value = e.target_unchecked_into::<HtmlInputElement>().value();
        // The slider only yields integers in range; anything else is refused by the state.
        Action::SetVnodes(value.parse().unwrap_or(0))
    });
    let checked = |e: &Event| e.target_unchecked_into::<HtmlInputElement>().checked();
    let show_vnodes = dispatch.reform(|_: Event| Action::ToggleVnodes);
    let gradual = dispatch.reform(move |e: Event| Action::SetGradual(checked(&e)));
    let hot = dispatch.reform(move |e: Event| Action::SetHot(checked(&e)));
    let bounded = dispatch.reform(move |e: Event| Action::SetCap(checked(&e).then_some(1.25)));
    let cap = dispatch.reform(|e: Event| {
        let value = e.target_unchecked_into::<HtmlInputElement>().value();
        Action::SetCap(Some(value.parse().unwrap_or(f64::NAN)))
    });
    let replicas = dispatch.reform(|e: Event| {
        let value = e.target_unchecked_into::<HtmlSelectElement>().value();
        Action::SetReplication(value.parse().unwrap_or(0))
    });
    let cap_value = d.cap.unwrap_or(1.25);
    html! {
        <section class="panel controls" aria-label="controls">
            <h2>{"Controls"}</h2>
            <div class="row">
                <span class="label">{"Servers"}</span>
                <button type="button" id="add-server" onclick={on(Action::AddServer)}>{"Add server"}</button>
                {feedback(demo, dispatch, Origin::Servers, "remove, reweigh or fail one in the load list")}
            </div>
            <div class="row">
                <span class="label">{"Users"}</span>
                <button type="button" id="add-100" onclick={on(Action::AddUsers(100))}>{"+100"}</button>
                <button type="button" id="add-1000" onclick={on(Action::AddUsers(1000))}>{"+1,000"}</button>
                <button type="button" id="clear-users" onclick={on(Action::ClearUsers)}>{"Clear"}</button>
                <span class="count" data-testid="users">{format!("{} users", d.users.len())}</span>
                {feedback(demo, dispatch, Origin::Users, "")}
            </div>
            <div class="row">
                <label for="vnodes" class="label">{"Virtual nodes"}</label>
                <input id="vnodes" type="range" min="1" max={MAX_VNODES.to_string()}
                    value={d.vnodes.to_string()} onchange={vnodes} />
                <output for="vnodes">{format!("{} per unit of weight", d.vnodes)}</output>
                {feedback(demo, dispatch, Origin::Vnodes, "")}
            </div>
            <div class="row">
                <label class="check"><input id="one-marker" type="checkbox" checked={!demo.ui.show_vnodes} onchange={show_vnodes} />
                    {"One marker per server"}</label>
                <label class="check"><input id="gradual" type="checkbox" checked={d.gradual} onchange={gradual} />
                    {"Gradual scaling (dual delivery)"}</label>
                {feedback(demo, dispatch, Origin::Mode, "")}
            </div>
            <div class="row">
                <label for="replicas" class="label">{"Replicas"}</label>
                <select id="replicas" onchange={replicas}>
                    {for (1..=MAX_REPLICATION).map(|n| html! {
                        <option value={n.to_string()} selected={n == d.replication}>
                            {if n == 1 { "1 (owner only)".to_string() } else { format!("{n} (owner + {})", n - 1) }}
                        </option>
                    })}
                </select>
                {feedback(demo, dispatch, Origin::Replicas, "mark a server down in the load list")}
            </div>
            <div class="row">
                <label class="check"><input id="hot" type="checkbox" checked={!d.hot.is_empty()} onchange={hot} />
                    {format!("Hot spot: +{} sessions on srv-0's arcs", crate::domain::HOT_SESSIONS)}</label>
                {feedback(demo, dispatch, Origin::Hot, "")}
            </div>
            <div class="row">
                <label class="check"><input id="bounded" type="checkbox" checked={d.cap.is_some()} onchange={bounded} />
                    {"Bounded loads, cap"}</label>
                <input id="cap" type="range" aria-label="cap factor" min={CAP_RANGE.0.to_string()} max={CAP_RANGE.1.to_string()}
                    step="0.05" value={cap_value.to_string()} disabled={d.cap.is_none()} onchange={cap} />
                <output for="cap" data-testid="cap">{format!("{cap_value:.2} × fair share")}</output>
                {feedback(demo, dispatch, Origin::Bounded, "")}
            </div>
            <div class="row">
                <button type="button" id="reset" onclick={on(Action::Reset)}>{"Reset"}</button>
                {feedback(demo, dispatch, Origin::Reset, &format!("seed {} is fixed; the URL holds the whole state", crate::domain::SEED))}
            </div>
        </section>
    }
}
