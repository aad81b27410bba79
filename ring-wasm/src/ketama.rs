//! `Ketama`: the libmemcached-compatible ring, for clients that must agree with
//! memcached, twemproxy or the `hashring` package (in `ringroute/full` only).

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::convert::{
    count, describe, field, js_string, key, number, object, range_error, ring_error, type_error,
};

#[wasm_bindgen(typescript_custom_section)]
const KETAMA_TS: &str = r#"
/** A ketama server as `servers()` lists it. */
export interface KetamaServer {
  host: string;
  port: number;
  weight: number;
}

/** A ketama server's weight (a whole number, default 1). */
export interface KetamaOptions {
  weight?: number;
}
"#;

/// The ketama ring: servers named `host:port`, answers identical to libmemcached.
#[wasm_bindgen(js_name = Ketama)]
#[repr(transparent)]
pub struct JsKetama(ringroute::Ketama<()>);

fn host_arg(value: &JsValue, ctx: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        type_error(&format!(
            "{ctx}: host must be a string, got {}",
            describe(value)
        ))
    })
}

fn port_arg(value: &JsValue, ctx: &str) -> Result<u16, JsValue> {
    let n = count(value, ctx, "port")?;
    u16::try_from(n).map_err(|_| {
        range_error(
            &format!("{ctx}: port must be from 0 to 65535, got {n}"),
            "INVALID_ARGUMENT",
        )
    })
}

#[wasm_bindgen(js_class = Ketama)]
impl JsKetama {
    /// `new Ketama()`: an empty ring.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> JsKetama {
        JsKetama(ringroute::Ketama::new())
    }

    /// `ketama.add(host, port, { weight })`: appends a server (order matters, as in
    /// libmemcached's server list).
    pub fn add(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] host: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] port: JsValue,
        #[wasm_bindgen(unchecked_param_type = "KetamaOptions")] options: JsValue,
    ) -> Result<(), JsValue> {
        let h = host_arg(&host, "add()")?;
        let ctx = format!("add(\"{h}\")");
        let p = port_arg(&port, &ctx)?;
        let weight = field(&options, "weight", &ctx)?;
        let weight = if weight.is_undefined() {
            1
        } else {
            let w = number(&weight, &ctx, "weight")?;
            if !(w.is_finite() && w >= 1.0 && w.fract() == 0.0 && w <= f64::from(u32::MAX)) {
                return Err(range_error(
                    &format!(
                        "{ctx}: ketama weights are whole numbers from 1, got {}",
                        js_string(&weight)
                    ),
                    "INVALID_WEIGHT",
                ));
            }
            w as u32
        };
        self.0
            .add(&h, p, weight, ())
            .map_err(|e| ring_error(&ctx, e))
    }

    /// Removes a server; `true` if it was there.
    pub fn remove(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] host: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] port: JsValue,
    ) -> Result<bool, JsValue> {
        let h = host_arg(&host, "remove()")?;
        let p = port_arg(&port, "remove()")?;
        Ok(self.0.remove(&h, p).is_some())
    }

    /// The owning server as `host:port`, or `undefined` on an empty ring.
    #[wasm_bindgen(unchecked_return_type = "string | undefined")]
    pub fn get(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Key")] k: JsValue,
    ) -> Result<JsValue, JsValue> {
        let k = key(&k, "get()")?;
        Ok(self
            .0
            .get(&k)
            .map_or(JsValue::UNDEFINED, |s| JsValue::from_str(&s.name())))
    }

    /// Up to `n` distinct servers clockwise from `key`, owner first, as `host:port`.
    #[wasm_bindgen(js_name = getN, unchecked_return_type = "string[]")]
    pub fn get_n(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Key")] k: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue,
    ) -> Result<Array, JsValue> {
        let k = key(&k, "getN()")?;
        let n = count(&n, "getN()", "n")?;
        Ok(self
            .0
            .get_n(&k, n)
            .iter()
            .map(|s| JsValue::from_str(&s.name()))
            .collect())
    }

    /// The servers in list order.
    #[wasm_bindgen(unchecked_return_type = "KetamaServer[]")]
    pub fn servers(&self) -> Array {
        self.0
            .servers()
            .map(|s| {
                object(&[
                    ("host", JsValue::from_str(&s.host)),
                    ("port", JsValue::from(s.port)),
                    ("weight", JsValue::from(s.weight)),
                ])
            })
            .collect()
    }

    /// How many servers.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.0.len()
    }

    /// How many points on the continuum.
    #[wasm_bindgen(getter, js_name = pointCount)]
    pub fn point_count(&self) -> usize {
        self.0.point_count()
    }
}
