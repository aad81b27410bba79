//! Membership documents (`SPEC.md`, section 14) between JS values and ring-core. A JS
//! value becomes a [`DocValue`], which ring-core's one parser checks
//! ([`Snapshot::from_value`]): nothing here decides what a valid document is. No serde:
//! its visitors over JS values pulled Rust's float formatting into the module (26 KB
//! gzipped).

use js_sys::{Array, JsString, Reflect};
use ringroute::{DocValue, Snapshot, SnapshotError, SNAPSHOT_VERSION};
use wasm_bindgen::{prelude::wasm_bindgen, JsCast, JsValue};

use crate::convert::{error_with, object, type_error, with_code};

const CTX: &str = "HashRing.fromJSON()";

#[wasm_bindgen]
extern "C" {
    /// `Object.keys`, catching: a Proxy's `ownKeys` trap may throw.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn own_keys(value: &JsValue) -> Result<Array, JsValue>;
}

/// A document refused by ring-core, as a JS error naming the field.
pub(crate) fn snapshot_error(e: &SnapshotError) -> JsValue {
    if e.code() == "INVALID_ID" {
        let message = format!("{CTX}: {e}");
        return with_code(
            js_sys::TypeError::new(&message).unchecked_into(),
            "INVALID_ID",
        );
    }
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
    let value = to_value(doc, 0, "")?;
    Snapshot::from_value(&value).map_err(|e| snapshot_error(&e))
}

/// `value`, found at `field` inside `depth` containers, as a [`DocValue`]. Containers
/// deeper than ring-core reads are passed empty, and only the entries and elements it
/// reads are converted (their getters only are run).
fn to_value(value: &JsValue, depth: usize, field: &str) -> Result<DocValue, JsValue> {
    if value.is_null() {
        return Ok(DocValue::Null);
    }
    if let Some(b) = value.as_bool() {
        return Ok(DocValue::Bool(b));
    }
    if let Some(n) = value.as_f64() {
        return Ok(DocValue::Number(n));
    }
    if let Some(s) = value.dyn_ref::<JsString>() {
        // `String::from` writes a lone surrogate as U+FFFD.
        let text = String::from(s);
        return Ok(if s.is_valid_utf16() {
            DocValue::String(text)
        } else {
            DocValue::LossyString(text)
        });
    }
    if Array::is_array(value) {
        let mut items = Vec::new();
        if depth < DocValue::MAX_DEPTH {
            let len = read(value, &"length".into(), field)?
                .as_f64()
                .unwrap_or(0.0);
            // A length is at most 2^32 - 1; only the elements ring-core reads are read.
            let len = (len as usize).min(DocValue::ARRAY_ELEMENTS_READ);
            for i in 0..len {
                let at = format!("{field}[{i}]");
                let item = read(value, &JsValue::from(i as u32), &at)?;
                items.push(element(&item, depth + 1, &at)?);
            }
        }
        return Ok(DocValue::Array(items));
    }
    if value.is_object() {
        let mut entries = Vec::new();
        if depth < DocValue::MAX_DEPTH {
            let keys = own_keys(value).map_err(|_| unreadable(field))?;
            for key in keys.iter() {
                if entries.len() == DocValue::OBJECT_ENTRIES_READ {
                    break;
                }
                let name = key.as_string().unwrap_or_default();
                let at = if field.is_empty() {
                    name.clone()
                } else {
                    format!("{field}.{name}")
                };
                let item = read(value, &key, &at)?;
                // An undefined field is an absent one.
                if !item.is_undefined() {
                    entries.push((name, to_value(&item, depth + 1, &at)?));
                }
            }
        }
        return Ok(DocValue::Object(entries));
    }
    Ok(DocValue::Other(kind(value)))
}

/// An array element: `undefined` there is a value of its own (JSON writes it as null).
fn element(value: &JsValue, depth: usize, field: &str) -> Result<DocValue, JsValue> {
    if value.is_undefined() {
        return Ok(DocValue::Other("undefined"));
    }
    to_value(value, depth, field)
}

/// The name of a type JSON has no form for.
fn kind(value: &JsValue) -> &'static str {
    if value.is_undefined() {
        "undefined"
    } else if value.is_bigint() {
        "bigint"
    } else if value.is_function() {
        "function"
    } else {
        "symbol"
    }
}

/// `target[key]`; a getter that throws is a `TypeError` naming the field.
fn read(target: &JsValue, key: &JsValue, field: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, key).map_err(|_| unreadable(field))
}

fn unreadable(field: &str) -> JsValue {
    let field = if field.is_empty() {
        "the document"
    } else {
        field
    };
    type_error(&format!("{CTX}: cannot read {field}"))
}

/// The document as a plain object, fields in `SPEC.md`'s order; string data become
/// addresses. Refuses what ring-core's parser would not read back.
pub(crate) fn to_js(snapshot: &Snapshot) -> Result<JsValue, JsValue> {
    snapshot
        .validate()
        .map_err(|e| type_error(&format!("toJSON(): {e}")))?;
    let servers: Array = snapshot
        .servers
        .iter()
        .map(|s| {
            let id = ("id", JsValue::from_str(&s.id));
            let weight = ("weight", JsValue::from_f64(s.weight));
            match &s.address {
                Some(address) => object(&[id, ("address", JsValue::from_str(address)), weight]),
                None => object(&[id, weight]),
            }
        })
        .collect();
    // Epochs are at most 2^53 - 1 (validated): exact as doubles.
    Ok(object(&[
        ("version", SNAPSHOT_VERSION.into()),
        ("epoch", JsValue::from_f64(snapshot.epoch as f64)),
        ("vnodes", snapshot.config.vnodes().into()),
        ("seed", snapshot.config.seed().into()),
        ("servers", servers.into()),
    ]))
}
