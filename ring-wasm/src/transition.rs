//! `Transition`: a scaling event between two rings, cut over gradually.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::{
    convert::{key, number, object, ring_error, whole, whole_u32, MAX_SAFE_INTEGER},
    plan::move_object,
    JsHashRing,
};

/// Old ring, new ring and epoch; routers at the same step agree on every key.
#[wasm_bindgen(js_name = Transition)]
pub struct JsTransition(ringroute::Transition<JsValue>);

#[wasm_bindgen(js_class = Transition)]
impl JsTransition {
    /// `new Transition(prev, next, epoch)`: copies both rings, starts at progress 0.
    #[wasm_bindgen(constructor)]
    pub fn new(
        prev: &JsHashRing,
        next: &JsHashRing,
        #[wasm_bindgen(unchecked_param_type = "number")] epoch: JsValue,
    ) -> Result<JsTransition, JsValue> {
        let epoch = if epoch.is_undefined() {
            0
        } else {
            whole(
                &epoch,
                "new Transition()",
                "epoch",
                (0, MAX_SAFE_INTEGER),
                "INVALID_ARGUMENT",
            )?
        };
        ringroute::Transition::new(prev.inner.clone(), next.inner.clone(), epoch)
            .map(JsTransition)
            .map_err(|e| ring_error("new Transition()", e))
    }

    /// Cuts over step `step` of `steps`; returns how many arcs were newly cut over.
    #[wasm_bindgen(js_name = setStep)]
    pub fn set_step(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] step: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] steps: JsValue,
    ) -> Result<usize, JsValue> {
        let step = whole_u32(
            &step,
            "setStep()",
            "step",
            (0, u32::MAX),
            "INVALID_PROGRESS",
        )?;
        let steps = whole_u32(
            &steps,
            "setStep()",
            "steps",
            (0, u32::MAX),
            "INVALID_PROGRESS",
        )?;
        self.0
            .set_step(step, steps)
            .map_err(|e| ring_error("setStep()", e))
    }

    /// Cuts over up to `progress` (0 to 1) of the moving ring.
    #[wasm_bindgen(js_name = setProgress)]
    pub fn set_progress(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] progress: JsValue,
    ) -> Result<usize, JsValue> {
        let p = number(&progress, "setProgress()", "progress")?;
        self.0
            .set_progress(p)
            .map_err(|e| ring_error("setProgress()", e))
    }

    /// The fraction of moving positions cut over so far.
    #[wasm_bindgen(getter)]
    pub fn progress(&self) -> f64 {
        self.0.progress()
    }

    /// The event's epoch.
    #[wasm_bindgen(getter)]
    pub fn epoch(&self) -> f64 {
        self.0.epoch() as f64
    }

    /// `{ owner, previous }` for `key`, or `undefined` if both rings are empty.
    #[wasm_bindgen(unchecked_return_type = "Route | undefined")]
    pub fn route(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Key")] k: JsValue,
    ) -> Result<JsValue, JsValue> {
        let k = key(&k, "route()")?;
        let Some(route) = self.0.route(&k) else {
            return Ok(JsValue::UNDEFINED);
        };
        let owner = ("owner", JsValue::from_str(route.owner.id));
        Ok(match route.previous {
            Some(previous) => object(&[owner, ("previous", JsValue::from_str(previous.id))]),
            None => object(&[owner]),
        })
    }

    /// The arcs cut over so far, in cut-over order.
    #[wasm_bindgen(js_name = cutOver, unchecked_return_type = "Move[]")]
    pub fn cut_over(&self) -> Array {
        self.0.cut_over().map(|m| move_object(&m)).collect()
    }

    /// The arcs still pending, in cut-over order.
    #[wasm_bindgen(unchecked_return_type = "Move[]")]
    pub fn pending(&self) -> Array {
        self.0.pending().map(|m| move_object(&m)).collect()
    }

    /// A copy of the new ring, to use once the transition is over.
    pub fn complete(&self) -> JsHashRing {
        JsHashRing::wrap(self.0.new_ring().clone())
    }
}
