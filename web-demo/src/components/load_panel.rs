//! One row per server: weight, load bar, share of the ring, down switch and remove, plus
//! the balance of each algorithm over the same users. Hovering or focusing a row
//! highlights the server's arcs and users on the ring.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::Dispatch;
use crate::domain::{server_number, MAX_WEIGHT};
use crate::figures::{loads_under, max_over_fair, Algorithm};
use crate::palette::{colour, dash};
use crate::state::{Action, Demo, Origin};

/// The load panel.
pub fn view(demo: &Demo, dispatch: &Dispatch) -> Html {
    let d = &demo.domain;
    let algorithm = demo.ui.algorithm;
    let loads = if algorithm == Algorithm::Ring && d.cap.is_some() {
        d.servers
            .iter()
            .map(|s| (s.slot, d.bounded.iter().filter(|&&o| o == s.slot).count()))
            .collect()
    } else {
        loads_under(d, algorithm)
    };
    let shares = d.ring.shares();
    let share_of = |id: &str| shares.iter().find(|s| s.0 == id).map_or(0.0, |s| s.1);
    let busiest = loads.iter().map(|l| l.1).max().unwrap_or(0).max(1);
    let keys: usize = loads.iter().map(|l| l.1).sum();
    let total_weight: f64 = d.servers.iter().map(|s| s.weight).sum();
    let cap_line = d.cap.map(|c| (c, keys));
    let rows = d.servers.iter().zip(&loads).enumerate().map(|(i, (server, &(slot, users)))| {
        let id = server.id.clone();
        let act = |make: fn(std::rc::Rc<str>) -> Action| {
            let id = id.clone();
            dispatch.reform(move |_: MouseEvent| make(id.clone()))
        };
        let remove = act(Action::RemoveServer);
        let weight = dispatch.reform({
            let id = id.clone();
            move |e: Event| {
                let text = e.target_unchecked_into::<HtmlInputElement>().value();
                Action::SetWeight(id.clone(), text)
            }
        });
        let down = dispatch.reform({
            let id = id.clone();
            move |e: Event| {
                Action::SetDown(id.clone(), e.target_unchecked_into::<HtmlInputElement>().checked())
            }
        });
        let enter = dispatch.reform(move |_: MouseEvent| Action::Highlight(Some(slot)));
        let leave = dispatch.reform(|_: MouseEvent| Action::Highlight(None));
        let focus_in = dispatch.reform(move |_: FocusEvent| Action::Highlight(Some(slot)));
        let focus_out = dispatch.reform(|_: FocusEvent| Action::Highlight(None));
        let share = share_of(&id);
        let width = 100.0 * users as f64 / busiest as f64;
        // The bounded-load cap for this server, as a tick on its bar.
        let cap = cap_line.map(|(c, m)| (c * m as f64 * server.weight / total_weight).ceil());
        let cap_mark = cap.map(|cap| html! {
            <span class="cap" style={format!("left:{:.1}%", (100.0 * cap / busiest as f64).min(100.0))}
                title={format!("cap {cap}")}></span>
        });
        let class = classes!(
            server.down.then_some("down"),
            (demo.ui.highlight == Some(slot)).then_some("lit")
        );
        html! {
            <li key={&*id} class={class} data-server={id.to_string()} data-users={users.to_string()}
                data-colour={colour(slot)} style={format!("--c:{};order:{}", colour(slot), 2 * i)}
                onmouseenter={enter} onmouseleave={leave} onfocusin={focus_in} onfocusout={focus_out}>
                <span class={classes!("swatch", dash(slot).map(|_| "patterned"))} aria-hidden="true"></span>
                <span class="id">{&*id}</span>
                <label class="weight">
                    <span class="visually-hidden">{format!("weight of {id}")}</span>
                    <input type="text" inputmode="decimal" maxlength="12" value={server.weight.to_string()}
                        title={format!("weight, from 1/{} to {MAX_WEIGHT}", d.vnodes)} onchange={weight} />
                </label>
                <span class="meter" aria-hidden="true"><span style={format!("transform:scaleX({:.4})", width / 100.0)}></span>{for cap_mark}</span>
                <span class="numbers">{format!("{users} · {:.1}% of ring", 100.0 * share)}</span>
                <label class="check down-switch"><input type="checkbox" checked={server.down} onchange={down} />{"down"}</label>
                <button type="button" class="remove" aria-label={format!("remove {id}")} onclick={remove}>{"×"}</button>
            </li>
        }
    });
    // The server that just left keeps its place in the list, with its Undo button: the
    // result stays where the visitor clicked, and nothing below it moves.
    let gone = demo
        .ui
        .undo
        .as_ref()
        .filter(|s| d.server_by_id(&s.id).is_none())
        .map(|s| {
            let onclick = dispatch.reform(|_: MouseEvent| Action::UndoRemove);
            let order = d
                .servers
                .iter()
                .filter(|x| server_number(&x.id) < server_number(&s.id))
                .count() as i64
                * 2
                - 1;
            html! {
                <li key={&*s.id} class="gone" style={format!("--c:{};order:{order}", colour(s.slot))}>
                    <span class={classes!("swatch", dash(s.slot).map(|_| "patterned"))} aria-hidden="true"></span>
                    <span class="id">{&*s.id}</span>
                    <button type="button" id="undo" {onclick}>{format!("Undo: bring {} back", s.id)}</button>
                </li>
            }
        });
    let choose = dispatch.reform(|e: Event| {
        let value = e.target_unchecked_into::<HtmlSelectElement>().value();
        Action::SetAlgorithm(Algorithm::from_name(&value).unwrap_or(Algorithm::Ring))
    });
    let balance = Algorithm::ALL.iter().map(|&a| {
        let value = if a == algorithm && d.cap.is_none() {
            max_over_fair(d, &loads)
        } else {
            max_over_fair(d, &loads_under(d, a))
        };
        html! {
            <span class={classes!("algo", (a == algorithm).then_some("chosen"))} data-testid={format!("balance-{}", a.name())}>
                {format!("{} {}", a.name(), value.map_or("—".into(), |v| format!("{v:.2}")))}
            </span>
        }
    });
    let bounded_balance = d.cap.map(|c| {
        let capped: Vec<(u8, usize)> = d.servers.iter()
            .map(|s| (s.slot, d.bounded.iter().filter(|&&o| o == s.slot).count())).collect();
        let spilled = d.all_users().zip(&d.bounded).filter(|(u, &b)| u.owner != b).count();
        html! {
            <p class="balance" data-testid="bounded" data-spilled={spilled.to_string()}>
                {format!("bounded loads (cap {c:.2}): max/fair {}, {spilled} users spilled clockwise past a full server",
                    max_over_fair(d, &capped).map_or("—".into(), |v| format!("{v:.2}")))}
            </p>
        }
    });
    html! {
        <section class="panel load" aria-label="load per server">
            <div class="load-head">
                <h2>{format!("Load ({} servers)", d.servers.len())}</h2>
                <label class="algo-pick">{"users placed by "}
                    <select id="algorithm" onchange={choose}>
                        {for Algorithm::ALL.iter().map(|a| html! {
                            <option value={a.name()} selected={*a == algorithm}>{a.name()}</option>
                        })}
                    </select>
                </label>
            </div>
            {super::feedback(demo, dispatch, Origin::Load, "hover a row to see its arcs and users; × removes it (with undo)")}
            <ul class="servers">{for rows}{for gone}</ul>
            <p class="balance" data-testid="balance">{"busiest server over its fair share: "}{for balance}</p>
            {for bounded_balance}
        </section>
    }
}
