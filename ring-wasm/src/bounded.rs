//! `BoundedLoads`: consistent hashing with bounded loads over a `HashRing`
//! (in `ringroute/full` only).

use wasm_bindgen::prelude::*;

use crate::convert::{count, id, key, number, ring_error};
use crate::hash_ring::JsHashRing;

/// Assigns persistent items (connections, sessions) to a ring's nodes so that none holds
/// more than `ceil(c × fair share)`.
#[wasm_bindgen(js_name = BoundedLoads)]
#[repr(transparent)]
pub struct JsBoundedLoads(ringroute::BoundedLoads);

#[wasm_bindgen(js_class = BoundedLoads)]
impl JsBoundedLoads {
    /// `new BoundedLoads(c)`: `c >= 1` is the balance factor (1.25 allows 25% over fair).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "number")] c: JsValue,
    ) -> Result<JsBoundedLoads, JsValue> {
        const CTX: &str = "new BoundedLoads()";
        let c = number(&c, CTX, "c")?;
        ringroute::BoundedLoads::new(c)
            .map(JsBoundedLoads)
            .map_err(|e| ring_error(CTX, e))
    }

    /// Assigns `key` (or returns its node if already assigned and still on the ring):
    /// the first node clockwise with room. `undefined` only on an empty ring.
    #[wasm_bindgen(unchecked_return_type = "string | undefined")]
    pub fn assign(
        &mut self,
        ring: &JsHashRing,
        #[wasm_bindgen(unchecked_param_type = "Key")] k: JsValue,
    ) -> Result<JsValue, JsValue> {
        let k = key(&k, "assign()")?;
        Ok(self
            .0
            .assign(&ring.inner, &k)
            .map_or(JsValue::UNDEFINED, |n| JsValue::from_str(n.id)))
    }

    /// Releases `key`, then rebalances; `true` if it was assigned.
    pub fn release(
        &mut self,
        ring: &JsHashRing,
        #[wasm_bindgen(unchecked_param_type = "Key")] k: JsValue,
    ) -> Result<bool, JsValue> {
        let k = key(&k, "release()")?;
        Ok(self.0.release(&ring.inner, &k))
    }

    /// After the ring changed: moves items off nodes that left or are over their cap, and
    /// returns how many moved.
    pub fn rebalance(&mut self, ring: &JsHashRing) -> usize {
        self.0.rebalance(&ring.inner)
    }

    /// The node `key` is assigned to, or `undefined`.
    #[wasm_bindgen(unchecked_return_type = "string | undefined")]
    pub fn owner(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Key")] k: JsValue,
    ) -> Result<JsValue, JsValue> {
        let k = key(&k, "owner()")?;
        Ok(self
            .0
            .owner(&k)
            .map_or(JsValue::UNDEFINED, JsValue::from_str))
    }

    /// How many items node `id` holds.
    pub fn load(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] node: JsValue,
    ) -> Result<f64, JsValue> {
        Ok(self.0.load(&id(&node, "load()")?) as f64)
    }

    /// Node `id`'s cap on `ring` with `items` items (default: those assigned now).
    pub fn cap(
        &self,
        ring: &JsHashRing,
        #[wasm_bindgen(unchecked_param_type = "string")] node: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] items: JsValue,
    ) -> Result<f64, JsValue> {
        let node = id(&node, "cap()")?;
        let items = if items.is_undefined() {
            self.0.len()
        } else {
            // usize::MAX is 2^32 - 1 on wasm32, so the cast is exact.
            count(&items, "cap()", "items")?
        };
        self.0
            .try_cap(&ring.inner, &node, items)
            .map(|cap| cap as f64)
            .map_err(|e| ring_error("cap()", e))
    }

    /// Items assigned.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.0.len()
    }

    /// The balance factor `c`.
    #[wasm_bindgen(getter)]
    pub fn factor(&self) -> f64 {
        self.0.factor()
    }
}
