//! `Ketama`: the libmemcached-compatible ring, for clients that must agree with
//! memcached, twemproxy or the `hashring` package (in `ringroute/full` only).

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::convert::{
    count, describe, field, key, named_id, number, object, ring_error, type_error, whole,
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

/** A server for `addAll`: its name and, optionally, its weight (default 1). */
export interface KetamaServerInit extends KetamaOptions {
  host: string;
  port: number;
}
"#;

/// The ketama ring: servers named `host:port`, answers identical to libmemcached.
#[wasm_bindgen(js_name = Ketama)]
#[repr(transparent)]
pub struct JsKetama(ringroute::Ketama<()>);

/// A host is a server's id: the same conversion, lone surrogates refused.
fn host_arg(value: &JsValue, ctx: &str) -> Result<String, JsValue> {
    named_id(value, ctx, "host")
}

fn port_arg(value: &JsValue, ctx: &str) -> Result<u16, JsValue> {
    // In range by construction.
    whole(value, ctx, "port", (0, 65_535), "INVALID_ARGUMENT").map(|n| n as u16)
}

/// `options.weight`: 1 when absent. A number that is no whole number from 1 to 2^32 - 1
/// reaches ring-core as 0, which it refuses (`INVALID_WEIGHT`) after its checks of the
/// server's name, in the order SPEC.md §15 gives.
fn weight_arg(options: &JsValue, ctx: &str) -> Result<u32, JsValue> {
    let weight = field(options, "weight", ctx)?;
    if weight.is_undefined() {
        return Ok(1);
    }
    let w = number(&weight, ctx, "weight")?;
    Ok(
        if w.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(&w) {
            w as u32
        } else {
            0
        },
    )
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
        let weight = weight_arg(&options, &ctx)?;
        self.0
            .add(&h, p, weight, ())
            .map_err(|e| ring_error(&ctx, e))
    }

    /// `ketama.addAll([{ host, port, weight }, ...])`: appends the servers in order, as
    /// that many `add` calls would, but hashes the continuum once (each `add` rehashes
    /// every server). All or none: on error, nothing is added.
    #[wasm_bindgen(js_name = addAll)]
    pub fn add_all(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "KetamaServerInit[]")] servers: JsValue,
    ) -> Result<(), JsValue> {
        const CTX: &str = "addAll()";
        let list = servers.dyn_ref::<Array>().ok_or_else(|| {
            type_error(&format!(
                "{CTX}: servers must be an array, got {}",
                describe(&servers)
            ))
        })?;
        // Every entry is converted before ring-core checks any (SPEC.md §15, step 1), but
        // no more than ring-core reads: one past the 65,536 servers a ring can hold.
        let readable = (ringroute::MAX_NODES - self.0.len()).saturating_add(1);
        // Through `Reflect`, which catches: a throwing getter (a Proxy) must not unwind
        // through wasm, which would leave this ring borrowed for good.
        let unreadable = |what: &str| type_error(&format!("{CTX}: cannot read {what}"));
        let len = Reflect::get(list, &"length".into())
            .map_err(|_| unreadable("servers.length"))?
            .as_f64()
            .unwrap_or(0.0);
        // A length is at most 2^32 - 1.
        let len = (len as usize).min(readable);
        let mut entries = Vec::with_capacity(len);
        for i in 0..len {
            let name = format!("servers[{i}]");
            let at = format!("{CTX}: {name}");
            let entry =
                Reflect::get(list, &JsValue::from(i as u32)).map_err(|_| unreadable(&name))?;
            if !entry.is_object() {
                return Err(type_error(&format!(
                    "{at} must be an object, got {}",
                    describe(&entry)
                )));
            }
            let h = host_arg(&field(&entry, "host", &at)?, &at)?;
            let p = port_arg(&field(&entry, "port", &at)?, &at)?;
            entries.push((h, p, weight_arg(&entry, &at)?));
        }
        self.0
            .add_all(entries.iter().map(|(h, p, w)| (h.as_str(), *p, *w, ())))
            .map_err(|e| ring_error(CTX, e))
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
