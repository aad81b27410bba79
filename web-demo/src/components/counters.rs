//! The results of the last change, next to the controls: users moved on the ring against
//! the expected share, ketama and modulo, then the scaling event, failover and undo.
//! Every line is always present (a dash until there is something to say), so a first
//! change never pushes the page around.

use yew::prelude::*;

use crate::domain::{Serving, STEPS};
use crate::figures::ChangeKind;
use crate::state::Demo;

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// Why modulo has no figure for a change.
fn modulo_not_applicable(kind: &ChangeKind) -> Option<&'static str> {
    match kind {
        ChangeKind::Weight { .. } => Some(
            "hash % n has no weights: n is unchanged, so it cannot give one server a bigger share at all.",
        ),
        ChangeKind::Vnodes { .. } => Some(
            "hash % n has no virtual nodes. On the ring, changing them moves every server's points, \
             so keys reshuffle as under a new hash function: choose vnodes before data lands.",
        ),
        ChangeKind::Join { .. } | ChangeKind::Leave { .. } => None,
    }
}

/// What the expected figure is, in words.
fn expected_basis(kind: &ChangeKind) -> String {
    match kind {
        ChangeKind::Join { id, .. } => format!("{id}'s share of the new ring"),
        ChangeKind::Leave { id, .. } => format!("{id}'s share before it left"),
        ChangeKind::Weight { id, .. } => format!("the change in {id}'s share"),
        ChangeKind::Vnodes { .. } => "the ring that changes owner: it reshuffles".into(),
    }
}

/// The results panel.
pub fn view(demo: &Demo) -> Html {
    let d = &demo.domain;
    let change = d.change.as_ref();
    let (what, ring_row, ketama_row, modulo_row) = match change {
        None => (
            String::from(
                "No change yet: add, remove or reweigh a server, or change virtual nodes.",
            ),
            row(
                "ring",
                None,
                "moved on the ring",
                0.0,
                html! {"expected share: —"},
            ),
            row(
                "ketama",
                None,
                "ketama would move",
                0.0,
                html! {"libmemcached's ring, same users"},
            ),
            row(
                "modulo",
                None,
                "modulo would move",
                0.0,
                html! {"hash % n, same users"},
            ),
        ),
        Some(c) => {
            let ring = percent(c.moved, c.users);
            let expected = html! {
                <span data-testid="expected" data-value={format!("{:.6}", c.expected)}>
                    {format!("expected {:.1}%: {}", 100.0 * c.expected, expected_basis(&c.kind))}
                    {match c.kind {
                        ChangeKind::Vnodes { .. } => String::from(" (weights ask for 0%)"),
                        _ => format!(" (by weight alone {:.1}%)", 100.0 * c.ideal),
                    }}
                </span>
            };
            let ketama = percent(c.ketama, c.users);
            let modulo = match (c.modulo, modulo_not_applicable(&c.kind)) {
                (Some(m), _) => {
                    let p = percent(m, c.users);
                    row(
                        "modulo",
                        Some(p),
                        "modulo would move",
                        p,
                        html! { <span data-testid="modulo-count">{format!("hash % n: {m} of {} users", c.users)}</span> },
                    )
                }
                (None, why) => row(
                    "modulo",
                    None,
                    "modulo: not applicable",
                    0.0,
                    html! { <span class="why">{why.unwrap_or_default()}</span> },
                ),
            };
            (
                c.kind.what(),
                row(
                    "ring",
                    Some(ring),
                    &format!("moved: {} of {}", c.moved, c.users),
                    ring,
                    expected,
                ),
                row(
                    "ketama",
                    Some(ketama),
                    "ketama would move",
                    ketama,
                    html! { <span data-testid="ketama-count">{format!("libmemcached's ring: {} of {} users", c.ketama, c.users)}</span> },
                ),
                modulo,
            )
        }
    };

    let scaling = d.cut_over().zip(d.scaling.as_ref()).map(|((cut, all), s)| {
        let status = if s.step < STEPS {
            format!("batch {} of {STEPS}: {cut} of {all} moving users cut over", s.step)
        } else {
            format!("all {all} moving users cut over; completing")
        };
        html! {
            <p class="scaling" data-testid="scaling" data-step={s.step.to_string()}>
                <strong>{"Scaling event: "}</strong>{status}
                {". A cut-over user's messages also reach its old server until the event completes."}
            </p>
        }
    });

    let down: Vec<&str> = d
        .servers
        .iter()
        .filter(|s| s.down)
        .map(|s| &*s.id)
        .collect();
    let failover = (!down.is_empty()).then(|| {
        let kept = d.serving.iter().filter(|s| matches!(s, Serving::Replica(_))).count();
        let lost = d.serving.iter().filter(|s| **s == Serving::Lost).count();
        html! {
            <p class="failover" data-testid="failover" data-kept={kept.to_string()} data-lost={lost.to_string()}>
                <strong>{format!("{} down: ", down.join(", "))}</strong>
                {format!("{kept} users continue on a replica, {lost} lose their state (replicas: {})", d.replication)}
            </p>
        }
    });

    html! {
        <section class="panel results" aria-label="what moved">
            <h2>{"What the last change moved"}</h2>
            <p class="what" data-testid="what">{what}</p>
            <div class="rows">{ring_row}{ketama_row}{modulo_row}</div>
            <div class="status">{for scaling}{for failover}</div>
        </section>
    }
}

/// One algorithm's figure: the percentage (a dash until known), the words, a bar and
/// the fine print.
fn row(class: &str, value: Option<f64>, words: &str, percent: f64, small: Html) -> Html {
    let value = value.map_or("—".to_string(), |v| format!("{v:.1}%"));
    html! {
        <div class={format!("figure {class}-figure")}>
            <span class="big" data-testid={if class == "ring" { "moved".to_string() } else { class.to_string() }}>
                <b>{value}</b>{" "}<span class="words">{words}</span>
            </span>
            <span class="bar" aria-hidden="true"><span style={format!("transform:scaleX({:.4})", percent / 100.0)}></span></span>
            <span class="small">{small}</span>
        </div>
    }
}
