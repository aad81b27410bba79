//! `HashRing`: the JS face of `ringroute::HashRing`, with JS values as payloads.

use js_sys::Array;
use ringroute::{RingConfig, Snapshot};
use wasm_bindgen::prelude::*;

use crate::convert::{
    count, describe, field, key, number, object, ring_error, type_error, whole, whole_u32,
};

/// `__ownerAt`'s answer on an empty ring.
const NO_OWNER: u32 = u32::MAX;
/// `__ownerAt`'s answer when the caller's membership version is out of date.
const STALE: u32 = u32::MAX - 1;

/// A consistent-hash ring. Node ids are strings; each node may carry any JS value.
#[wasm_bindgen(js_name = HashRing)]
pub struct JsHashRing {
    pub(crate) inner: ringroute::HashRing<JsValue>,
    /// The ids as JS strings, in id order: built once per membership change so a lookup
    /// returns a cached string instead of decoding UTF-8.
    ids: Vec<JsValue>,
}

impl JsHashRing {
    pub(crate) fn wrap(inner: ringroute::HashRing<JsValue>) -> Self {
        let mut ring = Self {
            inner,
            ids: Vec::new(),
        };
        ring.refresh_ids();
        ring
    }

    fn refresh_ids(&mut self) {
        self.ids = self.inner.iter().map(|n| JsValue::from_str(n.id)).collect();
    }

    fn id_at(&self, index: Option<usize>) -> JsValue {
        index
            .and_then(|i| self.ids.get(i))
            .cloned()
            .unwrap_or(JsValue::UNDEFINED)
    }
}

#[wasm_bindgen(js_class = HashRing)]
impl JsHashRing {
    /// `new HashRing({ vnodes, seed })`; both optional (defaults: 1024 and 0).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "RingOptions")] options: JsValue,
    ) -> Result<JsHashRing, JsValue> {
        const CTX: &str = "new HashRing()";
        // Each option completely, type then range, before the next (SPEC.md §15).
        let vnodes = field(&options, "vnodes", CTX)?;
        let vnodes = if vnodes.is_undefined() {
            ringroute::DEFAULT_VNODES
        } else {
            let range = (1, ringroute::MAX_VNODES);
            whole_u32(&vnodes, CTX, "vnodes", range, "INVALID_VNODES")?
        };
        let seed = field(&options, "seed", CTX)?;
        let seed = if seed.is_undefined() {
            0
        } else {
            whole_u32(&seed, CTX, "seed", (0, u32::MAX), "INVALID_ARGUMENT")?
        };
        let config = RingConfig::new(vnodes, seed).map_err(|e| ring_error(CTX, e))?;
        Ok(Self::wrap(ringroute::HashRing::with_config(config)))
    }

    /// `ring.add(id, { weight, data })`; options optional (weight 1).
    pub fn add(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeOptions")] options: JsValue,
    ) -> Result<(), JsValue> {
        let node = crate::convert::id(&id, "add()")?;
        let ctx = format!("add(\"{node}\")");
        let weight = field(&options, "weight", &ctx)?;
        let weight = if weight.is_undefined() {
            1.0
        } else {
            number(&weight, &ctx, "weight")?
        };
        let data = field(&options, "data", &ctx)?;
        self.inner
            .add_weighted(&node, weight, data)
            .map_err(|e| ring_error(&ctx, e))?;
        self.refresh_ids();
        Ok(())
    }

    /// Removes a node; `true` if it was there.
    pub fn remove(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<bool, JsValue> {
        let node = crate::convert::id(&id, "remove()")?;
        let removed = self.inner.remove(&node).is_some();
        if removed {
            self.refresh_ids();
        }
        Ok(removed)
    }

    /// Changes a node's weight.
    #[wasm_bindgen(js_name = setWeight)]
    pub fn set_weight(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] weight: JsValue,
    ) -> Result<(), JsValue> {
        let node = crate::convert::id(&id, "setWeight()")?;
        let ctx = format!("setWeight(\"{node}\")");
        let weight = number(&weight, &ctx, "weight")?;
        self.inner
            .set_weight(&node, weight)
            .map_err(|e| ring_error(&ctx, e))
    }

    /// The id of the node owning `key`, or `undefined` on an empty ring.
    #[wasm_bindgen(unchecked_return_type = "string | undefined")]
    pub fn get(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Key")] key: JsValue,
    ) -> Result<JsValue, JsValue> {
        let key = crate::convert::key(&key, "get()")?;
        Ok(self.id_at(self.inner.get_index(&key)))
    }

    /// The fast path behind the package's `get` and `getMany`: the package hashes the key
    /// in JS (the same MurmurHash3, checked against [`position`](Self::position) in the
    /// tests) and asks only for the owner of its position. Returns the owner's index in
    /// `nodes()` order, `NO_OWNER` (2^32 - 1) on an empty ring, or `STALE` (2^32 - 2) when
    /// `version` is not the ring's membership version, so the caller's id list is out of
    /// date. Any JS number is a valid argument (wasm-bindgen converts it as `>>> 0` and
    /// as a float): nothing here can fail or change the ring.
    #[wasm_bindgen(js_name = __ownerAt, skip_typescript)]
    pub fn owner_at(&self, position: u32, version: f64) -> u32 {
        if version != self.version() {
            return STALE;
        }
        self.inner.index_at(position).map_or(NO_OWNER, |i| i as u32)
    }

    /// Bytes of wasm memory the module holds (it never shrinks): the package's leak tests
    /// read it, since Node's `arrayBuffers` does not count wasm memory.
    #[wasm_bindgen(js_name = __memoryBytes, skip_typescript)]
    pub fn memory_bytes() -> f64 {
        #[cfg(target_arch = "wasm32")]
        let pages = core::arch::wasm32::memory_size(0);
        #[cfg(not(target_arch = "wasm32"))]
        let pages = 0;
        pages as f64 * 65_536.0
    }

    /// `__ownerAt` for many positions at once, in place: each becomes its owner's index
    /// (or `NO_OWNER`). Returns false, changing nothing, when `version` is stale. The
    /// lookups' cache misses overlap in one tight loop; wasm-bindgen copies the array in
    /// and out.
    #[wasm_bindgen(js_name = __ownersAt, skip_typescript)]
    pub fn owners_at(&self, positions: &mut [u32], version: f64) -> bool {
        if version != self.version() {
            return false;
        }
        for slot in positions.iter_mut() {
            *slot = self.inner.index_at(*slot).map_or(NO_OWNER, |i| i as u32);
        }
        true
    }

    /// The membership version (ring-core's `HashRing::version`), as a float: exact while
    /// under 2^53 changes. The package's id cache is keyed on it.
    #[wasm_bindgen(getter, js_name = __version, skip_typescript)]
    pub fn version(&self) -> f64 {
        self.inner.version() as f64
    }

    /// Up to `n` distinct node ids clockwise from `key`, owner first.
    #[wasm_bindgen(js_name = getN, unchecked_return_type = "string[]")]
    pub fn get_n(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Key")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue,
    ) -> Result<Array, JsValue> {
        let key = crate::convert::key(&key, "getN()")?;
        let n = count(&n, "getN()", "n")?;
        let position = self.inner.position(&key);
        Ok(self
            .inner
            .successor_indices(position)
            .take(n)
            .map(|i| self.id_at(Some(i)))
            .collect())
    }

    /// `get` for each key of an array, in one call.
    #[wasm_bindgen(js_name = getMany, unchecked_return_type = "Array<string | undefined>")]
    pub fn get_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Key[]")] keys: JsValue,
    ) -> Result<Array, JsValue> {
        let keys: &Array = keys.dyn_ref().ok_or_else(|| {
            type_error(&format!(
                "getMany(): keys must be an array, got {}",
                describe(&keys)
            ))
        })?;
        let out = Array::new_with_length(keys.length());
        for (i, k) in keys.iter().enumerate() {
            let k = key(&k, &format!("getMany(): keys[{i}]"))?;
            out.set(i as u32, self.id_at(self.inner.get_index(&k)));
        }
        Ok(out)
    }

    /// The key's ring position (MurmurHash3 under the ring's seed).
    pub fn position(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Key")] key: JsValue,
    ) -> Result<u32, JsValue> {
        let key = crate::convert::key(&key, "position()")?;
        Ok(self.inner.position(&key))
    }

    /// Whether a node with this id is on the ring.
    pub fn has(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<bool, JsValue> {
        Ok(self.inner.contains(&crate::convert::id(&id, "has()")?))
    }

    /// The data stored with a node, or `undefined`.
    #[wasm_bindgen(unchecked_return_type = "unknown")]
    pub fn data(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let node = crate::convert::id(&id, "data()")?;
        Ok(self
            .inner
            .node(&node)
            .map_or(JsValue::UNDEFINED, |n| n.data.clone()))
    }

    /// A node's weight, or `undefined`.
    pub fn weight(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<Option<f64>, JsValue> {
        let node = crate::convert::id(&id, "weight()")?;
        Ok(self.inner.node(&node).map(|n| n.weight))
    }

    /// The node ids, in id order (the same on every platform).
    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn nodes(&self) -> Array {
        self.ids.iter().collect()
    }

    /// How many nodes.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }

    /// How many points (virtual nodes).
    #[wasm_bindgen(getter, js_name = pointCount)]
    pub fn point_count(&self) -> usize {
        self.inner.point_count()
    }

    /// Virtual nodes per unit of weight.
    #[wasm_bindgen(getter)]
    pub fn vnodes(&self) -> u32 {
        self.inner.config().vnodes()
    }

    /// The hash seed.
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> u32 {
        self.inner.config().seed()
    }

    /// 16 hex digits; equal exactly when config and membership are equal.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        format!("{:016x}", self.inner.fingerprint())
    }

    /// `[{ id, share }]` in id order: each node's fraction of the ring.
    #[wasm_bindgen(unchecked_return_type = "Share[]")]
    pub fn shares(&self) -> Array {
        self.inner
            .shares()
            .into_iter()
            .map(|(id, share)| object(&[("id", JsValue::from_str(id)), ("share", share.into())]))
            .collect()
    }

    /// `{ maxOverAvg, minOverAvg }` relative to weights, or `undefined` when empty.
    #[wasm_bindgen(unchecked_return_type = "Balance | undefined")]
    pub fn balance(&self) -> JsValue {
        self.inner.balance().map_or(JsValue::UNDEFINED, |b| {
            object(&[
                ("maxOverAvg", b.max_over_avg.into()),
                ("minOverAvg", b.min_over_avg.into()),
            ])
        })
    }

    /// The membership document (`SPEC.md`, section 14); string data become addresses.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Snapshot")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        self.snapshot(JsValue::UNDEFINED)
    }

    /// As `toJSON`, with an epoch.
    #[wasm_bindgen(unchecked_return_type = "Snapshot")]
    pub fn snapshot(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] epoch: JsValue,
    ) -> Result<JsValue, JsValue> {
        let epoch = if epoch.is_undefined() {
            0
        } else {
            let max = ringroute::MAX_DOCUMENT_INTEGER;
            whole(&epoch, "snapshot()", "epoch", (0, max), "INVALID_ARGUMENT")?
        };
        crate::snapshot::to_js(&Snapshot::from_ring(&self.inner, epoch, JsValue::as_string))
    }

    /// A ring from a membership document (an object, or its JSON text); addresses
    /// become data.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "Snapshot | string")] doc: JsValue,
    ) -> Result<JsHashRing, JsValue> {
        let ring = crate::snapshot::from_js(&doc)?
            .to_ring_with(|s| {
                s.address
                    .as_deref()
                    .map_or(JsValue::UNDEFINED, JsValue::from_str)
            })
            .map_err(|e| crate::snapshot::snapshot_error(&e))?;
        Ok(Self::wrap(ring))
    }
}
