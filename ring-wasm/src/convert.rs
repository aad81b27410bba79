//! Conversions at the JS boundary: keys, ids, numbers, options and errors. Every check
//! happens here, before ring-core is touched, so bad input never reaches a panic.

use js_sys::{Error, RangeError, Reflect, TypeError, Uint8Array};
use ringroute::RingError;
use wasm_bindgen::{JsCast, JsValue};

/// `err` with `err.code = code`.
pub(crate) fn with_code(err: Error, code: &str) -> JsValue {
    // Setting a property on a fresh Error cannot fail.
    let _ = Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(code));
    err.into()
}

/// A ring-core error as a JS error with ring-core's stable `code`: `TypeError` for a
/// value of the wrong type, plain `Error` for membership conflicts, `RangeError` for
/// everything out of range (SPEC.md §15).
pub(crate) fn ring_error(context: &str, e: RingError) -> JsValue {
    error_with(&format!("{context}: {e}"), e)
}

/// [`ring_error`] with a message of its own.
pub(crate) fn error_with(message: &str, e: RingError) -> JsValue {
    let err: Error = match e {
        RingError::InvalidType => TypeError::new(message).unchecked_into(),
        RingError::DuplicateId
        | RingError::UnknownId
        | RingError::TooManyNodes
        | RingError::TooManyPoints
        | RingError::SeedMismatch
        | RingError::ShadowedNode => Error::new(message),
        _ => RangeError::new(message).unchecked_into(),
    };
    with_code(err, e.code())
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
        // A view on a detached buffer has length 0 and hashes as the empty key, as in the
        // package's JS hash; copying it would throw from inside wasm, with the instance
        // still borrowed for good.
        if bytes.length() == 0 {
            return Ok(Key::Bytes(Vec::new()));
        }
        return Ok(Key::Bytes(bytes.to_vec()));
    }
    Err(type_error(&format!(
        "{context}: key must be a string or a Uint8Array, got {}",
        describe(value)
    )))
}

/// A node id: a string with a UTF-8 form, so no lone surrogate (SPEC.md §3). Keys are
/// different: they are hashed as TextEncoder writes them, a lone surrogate as U+FFFD, but
/// two ids must never become one.
pub(crate) fn id(value: &JsValue, context: &str) -> Result<String, JsValue> {
    named_id(value, context, "node id")
}

/// [`id`] under another name, such as a ketama server's `host`.
pub(crate) fn named_id(value: &JsValue, context: &str, what: &str) -> Result<String, JsValue> {
    let Some(text) = value.dyn_ref::<js_sys::JsString>() else {
        return Err(type_error(&format!(
            "{context}: {what} must be a string, got {}",
            describe(value)
        )));
    };
    if !text.is_valid_utf16() {
        return Err(with_code(
            TypeError::new(&format!(
                "{context}: {what} has a lone UTF-16 surrogate, which has no UTF-8 form"
            ))
            .unchecked_into(),
            "INVALID_ID",
        ));
    }
    Ok(String::from(text))
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

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`): every
/// whole-number argument stops here, whatever its own range.
pub(crate) const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A whole-number argument in `min..=max` (capped at [`MAX_SAFE_INTEGER`]): `TypeError`
/// (`INVALID_TYPE`) if it is not a number, `RangeError` with the argument's own `code`
/// for NaN, an infinity, a fraction or a number out of range.
pub(crate) fn whole(
    value: &JsValue,
    context: &str,
    what: &str,
    (min, max): (u64, u64),
    code: &str,
) -> Result<u64, JsValue> {
    let n = number(value, context, what)?;
    let max = max.min(MAX_SAFE_INTEGER);
    // NaN and the infinities fail here too: their `fract()` is NaN.
    if !(n.fract() == 0.0 && n >= min as f64 && n <= max as f64) {
        return Err(range_error(
            &format!(
                "{context}: {what} must be a whole number from {min} to {max}, got {}",
                js_string(value)
            ),
            code,
        ));
    }
    Ok(n as u64)
}

/// [`whole`] for arguments that fit a `u32`.
pub(crate) fn whole_u32(
    value: &JsValue,
    context: &str,
    what: &str,
    (min, max): (u32, u32),
    code: &str,
) -> Result<u32, JsValue> {
    // In range by construction.
    whole(value, context, what, (min.into(), max.into()), code).map(|n| n as u32)
}

/// A count such as `n` or `items`: a whole number that fits a `usize` (2^32 - 1 on
/// wasm32), `INVALID_ARGUMENT` otherwise.
pub(crate) fn count(value: &JsValue, context: &str, what: &str) -> Result<usize, JsValue> {
    // In range by construction.
    whole(
        value,
        context,
        what,
        (0, usize::MAX as u64),
        "INVALID_ARGUMENT",
    )
    .map(|n| n as usize)
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
