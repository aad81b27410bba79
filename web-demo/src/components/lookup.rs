//! "Where does user X go?": a key's position, owner and replicas.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{chip, Dispatch};
use crate::state::{Action, Demo, Origin, MAX_KEY_BYTES};

/// The form's only input is the dispatcher, so it never re-renders with the state.
#[derive(Properties, PartialEq)]
pub struct FormProps {
    /// Where the lookup goes.
    pub dispatch: Dispatch,
}

/// The key box.
#[function_component(LookupForm)]
pub fn lookup_form(props: &FormProps) -> Html {
    let input = use_node_ref();
    let onsubmit = {
        let input = input.clone();
        props.dispatch.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let key = input
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            Action::Lookup(key)
        })
    };
    html! {
        <form class="panel lookup" aria-label="look up a key" {onsubmit}>
            <h2><label for="key">{"Where does this key go?"}</label></h2>
            <div class="row">
                <input id="key" ref={input} type="text" placeholder="user-42"
                    maxlength={MAX_KEY_BYTES.to_string()} autocomplete="off" spellcheck="false" />
                <button type="submit" id="lookup">{"Look up"}</button>
            </div>
        </form>
    }
}

/// The lookup's answer: drawn on the ring too (see `ring_view`). The key is shown
/// quoted and escaped, exactly the bytes that were hashed.
pub fn view(demo: &Demo, dispatch: &Dispatch) -> Html {
    let slot = super::feedback(demo, dispatch, Origin::Lookup, "");
    let Some(key) = &demo.ui.lookup else {
        return slot;
    };
    let Some(at) = demo.domain.locate(key) else {
        return slot;
    };
    let replicas = at.replicas.iter().enumerate().map(|(i, &(slot, _))| {
        html! { <li>{chip(demo, slot)}{if i == 0 { " owner" } else { " replica" }}</li> }
    });
    let previous = at.previous.map(|slot| {
        html! { <p>{"still delivered to "}{chip(demo, slot)}{" until the scaling event completes"}</p> }
    });
    html! {
        <>
        {slot}
        <div class="answer" data-testid="lookup">
            <p>
                <code class="key" data-testid="key">{format!("{key:?}")}</code>
                {format!(" ({} bytes) hashes to position {} ({:.2}% round the ring) and belongs to ",
                    key.len(), at.position, 100.0 * f64::from(at.position) / 4_294_967_296.0)}
                {chip(demo, at.owner)}
            </p>
            {for previous}
            <p>{format!("Preference list (getN, {} distinct servers clockwise):", demo.domain.replication)}</p>
            <ol class="replicas">{for replicas}</ol>
        </div>
        </>
    }
}
