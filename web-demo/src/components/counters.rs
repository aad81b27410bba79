//! The headline: how many users the last change moved on the ring, against modulo.

use yew::prelude::*;

use crate::state::{Demo, STEPS};

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// The moved counter, the modulo comparison and the scaling event's progress.
pub fn view(demo: &Demo) -> Html {
    let Some(change) = &demo.change else {
        return html! {
            <section class="counters" aria-label="what moved">
                <p class="hint">
                    {"Add or remove a server to see how many users move. "}
                    {"Each dot is a user at the hash of its id, coloured by the server that owns it: "}
                    {"the first server point clockwise."}
                </p>
            </section>
        };
    };
    let ring = percent(change.moved, change.users);
    let modulo = percent(change.modulo_moved, change.users);
    let ideal = if change.servers == 0 {
        0.0
    } else {
        100.0 / change.servers as f64
    };
    let scaling = demo.cut_over().zip(demo.scaling.as_ref()).map(|((cut, all), s)| {
        let status = if s.step < STEPS {
            format!("batch {} of {STEPS}: {cut} of {all} moving users cut over", s.step)
        } else {
            format!("all {all} moving users cut over; completing")
        };
        html! {
            <p class="scaling" data-step={s.step.to_string()}>
                <strong>{"Scaling event: "}</strong>{status}
                {". Until it completes, a cut-over user's messages also go to its old server (dual delivery)."}
            </p>
        }
    });
    html! {
        <section class="counters" aria-label="what moved">
            <p class="what">{&change.what}</p>
            <div class="compare">
                <div class="figure ring-figure">
                    <span class="big" data-testid="moved">
                        {format!("moved: {} of {} ({ring:.1}%)", change.moved, change.users)}
                    </span>
                    <span class="bar"><span style={format!("width:{ring:.1}%")}></span></span>
                    <span class="small">{format!("consistent hashing; ideal 1/{} = {ideal:.1}%", change.servers)}</span>
                </div>
                <div class="figure modulo-figure">
                    <span class="big" data-testid="modulo">
                        {format!("modulo would move {modulo:.1}%")}
                    </span>
                    <span class="bar"><span style={format!("width:{modulo:.1}%")}></span></span>
                    <span class="small">{format!("hash % n: {} of {} users", change.modulo_moved, change.users)}</span>
                </div>
            </div>
            {for scaling}
        </section>
    }
}
