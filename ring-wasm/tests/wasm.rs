//! ring-wasm inside a real JS engine (`wasm-pack test --node`, and `--headless --chrome`):
//! the golden vectors replay through the JS-facing API, and every kind of bad input
//! becomes the right JS error while the instance keeps working.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, RangeError, Reflect, TypeError, Uint8Array};
use ring_wasm::{JsHashRing, JsTransition};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// Every `tests/vectors/*.json`, found by `build.rs`.
const VECTORS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/vectors.rs"));

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn build(doc: &Value) -> JsHashRing {
    let c = &doc["config"];
    let mut ring = JsHashRing::new(options(&[
        ("vnodes", c["vnodes"].as_f64().unwrap().into()),
        ("seed", c["seed"].as_f64().unwrap().into()),
    ]))
    .unwrap();
    for n in doc["nodes"].as_array().unwrap() {
        let id = JsValue::from_str(n["id"].as_str().unwrap());
        ring.add(
            id,
            options(&[("weight", n["weight"].as_f64().unwrap().into())]),
        )
        .unwrap();
    }
    ring
}

fn key(lookup: &Value) -> JsValue {
    if let Some(k) = lookup["key"].as_str() {
        return JsValue::from_str(k);
    }
    let hex = lookup["key_hex"].as_str().unwrap();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    Uint8Array::from(&bytes[..]).into()
}

#[wasm_bindgen_test]
fn golden_vectors_replay_in_the_js_engine() {
    // Discovery must have found the files: an empty list would pass vacuously.
    assert!(VECTORS.len() >= 7, "found {} vector files", VECTORS.len());
    for (name, text) in VECTORS {
        let doc: Value = serde_json::from_str(text).unwrap();
        let ring = build(&doc);
        assert_eq!(
            ring.fingerprint(),
            doc["expect"]["fingerprint"].as_str().unwrap(),
            "{name}"
        );
        let n = doc["successors_n"].as_f64().unwrap();
        for lookup in doc["lookups"].as_array().unwrap() {
            let k = key(lookup);
            assert_eq!(
                ring.get(k.clone()).unwrap().as_string().as_deref(),
                lookup["owner"].as_str(),
                "{name}: {lookup}"
            );
            let got: Vec<String> = ring
                .get_n(k, n.into())
                .unwrap()
                .iter()
                .map(|v| v.as_string().unwrap())
                .collect();
            let want: Vec<&str> = lookup["successors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            assert_eq!(got, want, "{name}: {lookup}");
        }
    }
}

fn code(err: &JsValue) -> String {
    Reflect::get(err, &"code".into())
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
fn bad_input_throws_js_errors_and_never_traps() {
    let mut ring = JsHashRing::new(JsValue::UNDEFINED).unwrap();
    ring.add("a".into(), JsValue::UNDEFINED).unwrap();
    let fingerprint = ring.fingerprint();
    let e = ring
        .add(JsValue::from_f64(1.0), JsValue::UNDEFINED)
        .unwrap_err();
    assert!(e.is_instance_of::<TypeError>() && code(&e) == "INVALID_TYPE");
    let e = ring
        .add(
            "b".into(),
            options(&[("weight", JsValue::from_f64(f64::NAN))]),
        )
        .unwrap_err();
    assert!(e.is_instance_of::<RangeError>() && code(&e) == "INVALID_WEIGHT");
    let e = ring.add("a".into(), JsValue::UNDEFINED).unwrap_err();
    assert!(e.is_instance_of::<js_sys::Error>() && code(&e) == "DUPLICATE_ID");
    let e = ring.get_n("k".into(), JsValue::from_f64(-1.0)).unwrap_err();
    assert!(e.is_instance_of::<RangeError>());
    let e = ring.get(Array::new().into()).unwrap_err();
    assert!(e.is_instance_of::<TypeError>());
    let e = JsHashRing::new(options(&[("vnodes", JsValue::from_f64(0.0))]))
        .err()
        .unwrap();
    assert!(e.is_instance_of::<RangeError>() && code(&e) == "INVALID_VNODES");
    // Same instance, same answers.
    assert_eq!(ring.fingerprint(), fingerprint);
    assert_eq!(
        ring.get("k".into()).unwrap().as_string().as_deref(),
        Some("a")
    );

    let mut next = JsHashRing::new(JsValue::UNDEFINED).unwrap();
    next.add("a".into(), JsValue::UNDEFINED).unwrap();
    next.add("b".into(), JsValue::UNDEFINED).unwrap();
    let mut t = JsTransition::new(&ring, &next, JsValue::from_f64(1.0)).unwrap();
    let e = t.set_progress(JsValue::from_f64(2.0)).unwrap_err();
    assert!(e.is_instance_of::<RangeError>() && code(&e) == "INVALID_PROGRESS");
    t.set_progress(JsValue::from_f64(1.0)).unwrap();
    assert_eq!(t.progress(), 1.0);
    let _ = JsCast::dyn_ref::<Object>(&e);
}
