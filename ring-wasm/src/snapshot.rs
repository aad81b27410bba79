//! Membership documents (`SPEC.md`, section 14) to and from plain JS objects, read
//! field by field so every error names its field.

use js_sys::{Array, Object, Reflect};
use ringroute::{RingConfig, Server, Snapshot, SNAPSHOT_VERSION};
use wasm_bindgen::{JsCast, JsValue};

use crate::convert::{describe, js_string, range_error, ring_error, type_error};

const CTX: &str = "HashRing.fromJSON()";

fn get(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Refuses fields other than `allowed`, naming the first stray one.
fn only(obj: &JsValue, allowed: &[&str], listed: &str, at: &str) -> Result<(), JsValue> {
    for key in Object::keys(obj.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            return Err(type_error(&format!(
                "{CTX}: {at}unknown field `{key}`, expected {listed}"
            )));
        }
    }
    Ok(())
}

/// A whole number field from 0 to `max`, or `default` when absent.
fn whole(obj: &JsValue, name: &str, default: f64, max: u64) -> Result<f64, JsValue> {
    let v = get(obj, name);
    if v.is_undefined() {
        return Ok(default);
    }
    let n = v.as_f64().ok_or_else(|| {
        type_error(&format!(
            "{CTX}: {name} must be a number, got {}",
            describe(&v)
        ))
    })?;
    if !(n >= 0.0 && n <= max as f64 && n.fract() == 0.0) {
        return Err(range_error(
            &format!(
                "{CTX}: {name} must be a whole number from 0 to {max}, got {}",
                js_string(&v)
            ),
            "INVALID_ARGUMENT",
        ));
    }
    Ok(n)
}

fn server(doc: &JsValue, i: u32) -> Result<Server, JsValue> {
    let at = format!("servers[{i}]");
    if !doc.is_object() || doc.is_array() {
        return Err(type_error(&format!(
            "{CTX}: {at} must be an object, got {}",
            describe(doc)
        )));
    }
    only(
        doc,
        &["id", "address", "weight"],
        "id, address, weight",
        &format!("{at}: "),
    )?;
    let id = get(doc, "id");
    let id = if let Some(s) = id.as_string() {
        s
    } else if let Some(n) = id
        .as_f64()
        .filter(|n| *n >= 0.0 && *n <= 9_007_199_254_740_991.0 && n.fract() == 0.0)
    {
        (n as u64).to_string()
    } else {
        return Err(type_error(&format!(
            "{CTX}: {at}.id must be a string or a whole number, got {}",
            describe(&id)
        )));
    };
    let address = get(doc, "address");
    let address = match address.as_string() {
        Some(a) => Some(a),
        None if address.is_undefined() || address.is_null() => None,
        None => {
            return Err(type_error(&format!(
                "{CTX}: {at}.address must be a string, got {}",
                describe(&address)
            )))
        }
    };
    let weight = get(doc, "weight");
    let weight = if weight.is_undefined() {
        1.0
    } else {
        weight.as_f64().ok_or_else(|| {
            type_error(&format!(
                "{CTX}: {at}.weight must be a number, got {}",
                describe(&weight)
            ))
        })?
    };
    Ok(Server {
        id,
        address,
        weight,
    })
}

/// Reads and validates a membership document.
pub(crate) fn from_js(doc: &JsValue) -> Result<Snapshot, JsValue> {
    if !doc.is_object() || doc.is_array() {
        return Err(type_error(&format!(
            "{CTX}: the document must be an object, got {}",
            describe(doc)
        )));
    }
    only(
        doc,
        &["version", "epoch", "vnodes", "seed", "servers"],
        "version, epoch, vnodes, seed, servers",
        "",
    )?;
    let version = whole(
        doc,
        "version",
        f64::from(SNAPSHOT_VERSION),
        u64::from(u32::MAX),
    )?;
    if version != f64::from(SNAPSHOT_VERSION) {
        return Err(range_error(
            &format!("{CTX}: version: this build reads snapshot version {SNAPSHOT_VERSION}"),
            "INVALID_ARGUMENT",
        ));
    }
    let epoch = whole(doc, "epoch", 0.0, 9_007_199_254_740_991)? as u64;
    let vnodes = whole(
        doc,
        "vnodes",
        f64::from(ringroute::DEFAULT_VNODES),
        u64::from(u32::MAX),
    )? as u32;
    let seed = whole(doc, "seed", 0.0, u64::from(u32::MAX))? as u32;
    let config =
        RingConfig::new(vnodes, seed).map_err(|e| ring_error(&format!("{CTX}: vnodes"), e))?;
    let servers = get(doc, "servers");
    let servers: &Array = servers.dyn_ref().ok_or_else(|| {
        type_error(&format!(
            "{CTX}: missing field `servers` (an array), got {}",
            describe(&servers)
        ))
    })?;
    let servers = servers
        .iter()
        .zip(0..)
        .map(|(s, i)| server(&s, i))
        .collect::<Result<Vec<_>, _>>()?;
    let snapshot = Snapshot {
        epoch,
        config,
        servers,
    };
    snapshot
        .validate()
        .map_err(|e| ring_error(&format!("{CTX}: {}", e.field), e.error))?;
    Ok(snapshot)
}

/// The document as a plain object; string data become addresses.
pub(crate) fn to_js(snapshot: &Snapshot) -> JsValue {
    let set = |obj: &Object, k: &str, v: &JsValue| {
        let _ = Reflect::set(obj, &JsValue::from_str(k), v);
    };
    let doc = Object::new();
    set(&doc, "version", &SNAPSHOT_VERSION.into());
    set(&doc, "epoch", &JsValue::from_f64(snapshot.epoch as f64));
    set(&doc, "vnodes", &snapshot.config.vnodes().into());
    set(&doc, "seed", &snapshot.config.seed().into());
    let servers: Array = snapshot
        .servers
        .iter()
        .map(|s| {
            let o = Object::new();
            set(&o, "id", &JsValue::from_str(&s.id));
            if let Some(a) = &s.address {
                set(&o, "address", &JsValue::from_str(a));
            }
            set(&o, "weight", &s.weight.into());
            JsValue::from(o)
        })
        .collect();
    set(&doc, "servers", &servers);
    doc.into()
}
