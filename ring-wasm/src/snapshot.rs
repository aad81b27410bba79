//! Membership documents (`SPEC.md`, section 14) between JS values and ring-core. The
//! document is parsed and validated by ring-core's serde parser, one for every binding,
//! fed JS values by `serde-wasm-bindgen`: nothing here decides what a valid document is.

use js_sys::JsString;
use ringroute::{Snapshot, SnapshotError};
use wasm_bindgen::{JsCast, JsValue};

use crate::convert::{error_with, type_error, with_code};

const CTX: &str = "HashRing.fromJSON()";

/// A document refused by ring-core, as a JS error naming the field.
pub(crate) fn snapshot_error(e: &SnapshotError) -> JsValue {
    error_with(&format!("{CTX}: {e}"), e.error)
}

/// Reads a membership document: a plain object, or its JSON text.
pub(crate) fn from_js(doc: &JsValue) -> Result<Snapshot, JsValue> {
    let parsed;
    let doc = match doc.as_string() {
        Some(text) => {
            parsed = js_sys::JSON::parse(&text).map_err(|e| {
                let why = e
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .unwrap_or_default();
                type_error(&format!("{CTX}: the text is not JSON: {why}"))
            })?;
            &parsed
        }
        None => doc,
    };
    // serde-wasm-bindgen reads strings as UTF-8, a lone surrogate as U+FFFD: two ids must
    // not become one, so ids are checked in their JS form too (SPEC.md §3). In document
    // order: such an id wins over a refusal at its own server or a later one.
    match Snapshot::from_deserializer(serde_wasm_bindgen::Deserializer::from(doc.clone())) {
        Ok(snapshot) => lone_surrogate_ids(doc, usize::MAX).map(|()| snapshot),
        Err(e) => {
            lone_surrogate_ids(doc, server_index(&e.field).unwrap_or(0))?;
            Err(snapshot_error(&e))
        }
    }
}

/// `7` for a field such as `servers[7].weight`.
fn server_index(field: &str) -> Option<usize> {
    let rest = field.strip_prefix("servers[")?;
    rest[..rest.find(']')?].parse().ok()
}

/// `INVALID_ID` for the first of `servers[0..=last]` whose id has a lone surrogate.
fn lone_surrogate_ids(doc: &JsValue, last: usize) -> Result<(), JsValue> {
    let servers = js_sys::Reflect::get(doc, &"servers".into()).unwrap_or(JsValue::UNDEFINED);
    let Some(servers) = servers.dyn_ref::<js_sys::Array>() else {
        return Ok(());
    };
    for (i, server) in servers.iter().enumerate().take(last.saturating_add(1)) {
        let id = js_sys::Reflect::get(&server, &"id".into()).unwrap_or(JsValue::UNDEFINED);
        if id.dyn_ref::<JsString>().is_some_and(|s| !s.is_valid_utf16()) {
            return Err(with_code(
                js_sys::TypeError::new(&format!(
                    "{CTX}: servers[{i}].id has a lone UTF-16 surrogate, which has no UTF-8 form"
                ))
                .unchecked_into(),
                "INVALID_ID",
            ));
        }
    }
    Ok(())
}

/// The document as a plain object (ring-core's serializer); string data become addresses.
pub(crate) fn to_js(snapshot: &Snapshot) -> Result<JsValue, JsValue> {
    use serde::Serialize;
    snapshot
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| type_error(&format!("toJSON(): {e}")))
}
