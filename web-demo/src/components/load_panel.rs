//! One bar per server: its users and its share of the ring, plus max/avg.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::Dispatch;
use crate::palette::colour;
use crate::state::Demo;
use crate::state::{Action, MAX_WEIGHT};

/// The load panel.
pub fn view(demo: &Demo, dispatch: &Dispatch) -> Html {
    let loads = demo.loads();
    let shares: Vec<(String, f64)> = demo
        .ring
        .shares()
        .into_iter()
        .map(|(id, share)| (id.to_string(), share))
        .collect();
    let share_of = |id: &str| shares.iter().find(|s| s.0 == id).map_or(0.0, |s| s.1);
    let busiest = loads.iter().map(|l| l.1).max().unwrap_or(0).max(1);
    let rows = demo.servers.iter().zip(&loads).map(|(server, &(_, users))| {
        let id = server.id.clone();
        let remove = dispatch.reform({
            let id = id.clone();
            move |_: MouseEvent| Action::RemoveServer(id.clone())
        });
        let weight = dispatch.reform({
            let id = id.clone();
            move |e: Event| {
                let text = e.target_unchecked_into::<HtmlInputElement>().value();
                Action::SetWeight(id.clone(), text)
            }
        });
        let share = share_of(&id);
        let width = 100.0 * users as f64 / busiest as f64;
        html! {
            <li key={&*id} data-server={id.to_string()} data-users={users.to_string()}
                data-colour={colour(server.slot)} style={format!("--c:{}", colour(server.slot))}>
                <span class="swatch" aria-hidden="true"></span>
                <span class="id">{&*id}</span>
                <label class="weight">
                    <span class="visually-hidden">{format!("weight of {id}")}</span>
                    <input type="text" inputmode="decimal" size="3" value={server.weight.to_string()}
                        title={format!("weight, above 0 and at most {MAX_WEIGHT}")} onchange={weight} />
                </label>
                <span class="meter" aria-hidden="true"><span style={format!("width:{width:.1}%")}></span></span>
                <span class="numbers">{format!("{users} users · {:.1}% of ring", 100.0 * share)}</span>
                <button type="button" class="remove" aria-label={format!("remove {id}")} onclick={remove}>{"×"}</button>
            </li>
        }
    });
    let total: usize = loads.iter().map(|l| l.1).sum();
    let summary = if total == 0 || loads.is_empty() {
        String::from("no users yet")
    } else {
        let avg = total as f64 / loads.len() as f64;
        let max = loads.iter().map(|l| l.1).max().unwrap_or(0) as f64;
        let min = loads.iter().map(|l| l.1).min().unwrap_or(0) as f64;
        format!("users max/avg {:.2}, min/avg {:.2}", max / avg, min / avg)
    };
    let ring_balance = demo.ring.balance().map_or(String::new(), |b| {
        format!(" · ring share max/avg {:.2}", b.max_over_avg)
    });
    html! {
        <section class="panel load" aria-label="load per server">
            <h2>{format!("Load ({} servers)", demo.servers.len())}</h2>
            <ul class="servers">{for rows}</ul>
            <p class="balance" data-testid="balance">{summary}{ring_balance}</p>
        </section>
    }
}
