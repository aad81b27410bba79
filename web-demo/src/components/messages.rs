//! Message routing (seed 001): user A → Server(A) → Server(B) → user B.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{chip, Dispatch};
use crate::state::{Action, Demo, Origin, MAX_USER_ID};

/// The form's only input is the dispatcher.
#[derive(Properties, PartialEq)]
pub struct FormProps {
    /// Where the message goes.
    pub dispatch: Dispatch,
}

/// Two user ids and a send button, plus a random pair.
#[function_component(MessageForm)]
pub fn message_form(props: &FormProps) -> Html {
    let from = use_node_ref();
    let to = use_node_ref();
    let onsubmit = {
        let (from, to) = (from.clone(), to.clone());
        props.dispatch.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            Action::SendMessage(value(&from), value(&to))
        })
    };
    let random = props
        .dispatch
        .reform(|_: MouseEvent| Action::SendRandomMessage);
    html! {
        <form class="panel messages" aria-label="send a message" {onsubmit}>
            <h2>{"Send a message"}</h2>
            <div class="row">
                <label for="from">{"from"}</label>
                <input id="from" ref={from} type="text" placeholder="user-3" autocomplete="off" size="9" maxlength={MAX_USER_ID.to_string()} />
                <label for="to">{"to"}</label>
                <input id="to" ref={to} type="text" placeholder="user-150" autocomplete="off" size="9" maxlength={MAX_USER_ID.to_string()} />
                <button type="submit" id="send">{"Send"}</button>
                <button type="button" id="send-random" onclick={random}>{"Random pair"}</button>
            </div>
        </form>
    }
}

/// The hops, in words (the ring draws them).
pub fn view(demo: &Demo, dispatch: &Dispatch) -> Html {
    let slot = super::feedback(demo, dispatch, Origin::Message, "");
    let Some(message) = demo.ui.message else {
        return slot;
    };
    let users = &demo.domain.users;
    let (Some(a), Some(b)) = (users.get(message.from), users.get(message.to)) else {
        return slot;
    };
    let same = a.owner == b.owner;
    let dual = b.previous.map(|slot| {
        html! { <p>{"…and also to "}{chip(demo, slot)}{", its old server, until the scaling event completes."}</p> }
    });
    html! {
        <>
        {slot}
        <div class="answer" data-testid="message">
            <p>
                <code>{&*a.id}</code>{" → "}{chip(demo, a.owner)}{" → "}
                {if same { html! {"(same server) → "} } else { html! {<>{chip(demo, b.owner)}{" → "}</>} }}
                <code>{&*b.id}</code>
            </p>
            {for dual}
        </div>
        </>
    }
}
