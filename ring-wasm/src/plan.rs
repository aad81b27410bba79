//! `Plan`: the arcs that change owner between two rings (`ring.diff(next)`).

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::{
    convert::{key, object},
    JsHashRing,
};

/// The exact, sorted, coalesced arcs whose owner differs between two rings.
#[wasm_bindgen(js_name = Plan)]
pub struct JsPlan(pub(crate) ringroute::Plan);

pub(crate) fn move_object(m: &ringroute::Move<'_>) -> JsValue {
    object(&[
        ("first", m.first.into()),
        ("last", m.last.into()),
        ("from", JsValue::from_str(m.from)),
        ("to", JsValue::from_str(m.to)),
    ])
}

#[wasm_bindgen(js_class = Plan)]
impl JsPlan {
    /// Every moving arc, in position order.
    #[wasm_bindgen(unchecked_return_type = "Move[]")]
    pub fn moves(&self) -> Array {
        self.0.moves().map(|m| move_object(&m)).collect()
    }

    /// The move of `key`, or `undefined` if it stays.
    #[wasm_bindgen(unchecked_return_type = "Move | undefined")]
    pub fn moved(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Key")] k: JsValue,
    ) -> Result<JsValue, JsValue> {
        let k = key(&k, "moved()")?;
        Ok(self
            .0
            .moved(&k)
            .map_or(JsValue::UNDEFINED, |m| move_object(&m)))
    }

    /// The moving share between each pair of nodes.
    #[wasm_bindgen(unchecked_return_type = "Flow[]")]
    pub fn flows(&self) -> Array {
        self.0
            .flows()
            .iter()
            .map(|f| {
                object(&[
                    ("from", JsValue::from_str(f.from)),
                    ("to", JsValue::from_str(f.to)),
                    ("length", JsValue::from_f64(f.length as f64)),
                    ("fraction", f.fraction.into()),
                ])
            })
            .collect()
    }

    /// The fraction of the ring that moves.
    #[wasm_bindgen(getter, js_name = movedFraction)]
    pub fn moved_fraction(&self) -> f64 {
        self.0.moved_fraction()
    }

    /// How many arcs move.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.0.len()
    }
}

#[wasm_bindgen(js_class = HashRing)]
impl JsHashRing {
    /// The plan for moving from this ring to `next`.
    pub fn diff(&self, next: &JsHashRing) -> Result<JsPlan, JsValue> {
        ringroute::diff(&self.inner, &next.inner)
            .map(JsPlan)
            .map_err(|e| crate::convert::ring_error("diff()", e))
    }
}
