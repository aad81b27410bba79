//! Conversions at the JS boundary: keys, ids, numbers, options and errors. Every check
//! happens here, before ring-core is touched, so bad input never reaches a panic.

use js_sys::{Error, RangeError, Reflect, TypeError, Uint8Array};
use ringroute::RingError;
use wasm_bindgen::{JsCast, JsValue};

/// The stable `code` of each ring-core error, for `err.code` in JS.
fn code(e: RingError) -> &'static str {
    match e {
        RingError::EmptyId => "EMPTY_ID",
        RingError::IdTooLong { .. } => "ID_TOO_LONG",
        RingError::DuplicateId => "DUPLICATE_ID",
        RingError::UnknownId => "UNKNOWN_ID",
        RingError::InvalidWeight => "INVALID_WEIGHT",
        RingError::WeightTooLarge => "WEIGHT_TOO_LARGE",
        RingError::InvalidVnodes { .. } => "INVALID_VNODES",
        RingError::TooManyNodes => "TOO_MANY_NODES",
        RingError::TooManyPoints => "TOO_MANY_POINTS",
        RingError::SeedMismatch => "SEED_MISMATCH",
        RingError::InvalidProgress => "INVALID_PROGRESS",
        RingError::InvalidBalanceFactor => "INVALID_BALANCE_FACTOR",
        _ => "RING_ERROR",
    }
}

fn with_code(err: Error, code: &str) -> JsValue {
    // Setting a property on a fresh Error cannot fail.
    let _ = Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(code));
    err.into()
}

/// A ring-core error as a JS error: `RangeError` for out-of-range values, plain `Error`
/// for membership conflicts; both carry `code`.
pub(crate) fn ring_error(context: &str, e: RingError) -> JsValue {
    let message = format!("{context}: {e}");
    let err: Error = match e {
        RingError::DuplicateId
        | RingError::UnknownId
        | RingError::TooManyNodes
        | RingError::TooManyPoints
        | RingError::SeedMismatch => Error::new(&message),
        _ => RangeError::new(&message).unchecked_into(),
    };
    with_code(err, code(e))
}

/// A `TypeError` with code `INVALID_TYPE`.
pub(crate) fn type_error(message: &str) -> JsValue {
    with_code(TypeError::new(message).unchecked_into(), "INVALID_TYPE")
}

/// A `RangeError` with the given code.
pub(crate) fn range_error(message: &str, code: &str) -> JsValue {
    with_code(RangeError::new(message).unchecked_into(), code)
}

/// A routing key: a string (hashed as UTF-8) or a `Uint8Array` (hashed as is).
pub(crate) enum Key {
    Text(String),
    Bytes(Vec<u8>),
}

impl AsRef<[u8]> for Key {
    fn as_ref(&self) -> &[u8] {
        match self {
            Key::Text(s) => s.as_bytes(),
            Key::Bytes(b) => b,
        }
    }
}

pub(crate) fn key(value: &JsValue, context: &str) -> Result<Key, JsValue> {
    if let Some(s) = value.as_string() {
        return Ok(Key::Text(s));
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(Key::Bytes(bytes.to_vec()));
    }
    Err(type_error(&format!(
        "{context}: key must be a string or a Uint8Array, got {}",
        describe(value)
    )))
}

pub(crate) fn id(value: &JsValue, context: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        type_error(&format!(
            "{context}: node id must be a string, got {}",
            describe(value)
        ))
    })
}

/// A number argument: `TypeError` if it is not a number.
pub(crate) fn number(value: &JsValue, context: &str, what: &str) -> Result<f64, JsValue> {
    value.as_f64().ok_or_else(|| {
        type_error(&format!(
            "{context}: {what} must be a number, got {}",
            describe(value)
        ))
    })
}

/// A count such as `n`: a whole number from 0 to 2^32 - 1.
pub(crate) fn count(value: &JsValue, context: &str, what: &str) -> Result<usize, JsValue> {
    let n = number(value, context, what)?;
    if !(n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX)) {
        return Err(range_error(
            &format!(
                "{context}: {what} must be a whole number from 0 to 4294967295, got {}",
                js_string(value)
            ),
            "INVALID_ARGUMENT",
        ));
    }
    Ok(n as usize)
}

/// A `u32` option such as `vnodes` or `seed`.
pub(crate) fn u32_option(value: &JsValue, context: &str, what: &str) -> Result<u32, JsValue> {
    let n = count(value, context, what)?;
    u32::try_from(n).map_err(|_| {
        range_error(
            &format!("{context}: {what} is out of range"),
            "INVALID_ARGUMENT",
        )
    })
}

/// `options[name]`, or `undefined` when `options` is `undefined`/`null`.
pub(crate) fn field(options: &JsValue, name: &str, context: &str) -> Result<JsValue, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    if !options.is_object() {
        return Err(type_error(&format!(
            "{context}: options must be an object, got {}",
            describe(options)
        )));
    }
    Reflect::get(options, &JsValue::from_str(name))
        .map_err(|_| type_error(&format!("{context}: cannot read options.{name}")))
}

/// A short description of a JS value's type, for error messages.
pub(crate) fn describe(value: &JsValue) -> String {
    if value.is_undefined() {
        "undefined".into()
    } else if value.is_null() {
        "null".into()
    } else if value.as_f64().is_some() {
        format!("number {}", js_string(value))
    } else if value.as_bool().is_some() {
        "a boolean".into()
    } else if value.is_string() {
        "a string".into()
    } else if value.is_array() {
        "an array".into()
    } else if value.is_function() {
        "a function".into()
    } else if value.is_bigint() {
        "a bigint".into()
    } else if value.is_symbol() {
        "a symbol".into()
    } else {
        "an object".into()
    }
}

/// A JS number as JS prints it: Rust's float formatting would double the wasm size.
pub(crate) fn js_string(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Number>()
        .and_then(|n| n.to_string_with_radix(10).ok())
        .map(String::from)
        .unwrap_or_default()
}

/// A plain object from `(name, value)` pairs.
pub(crate) fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let out = js_sys::Object::new();
    for (k, v) in entries {
        let _ = Reflect::set(&out, &JsValue::from_str(k), v);
    }
    out.into()
}
