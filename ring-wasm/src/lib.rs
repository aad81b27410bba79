//! wasm-bindgen bindings of ring-core: the `ringroute` npm package.
//!
//! One module per JS class; `convert` checks and converts everything that crosses the
//! boundary, so no input reaches a panic (a trap would poison the instance). No routing
//! logic lives here: the JS side gets exactly ring-core's answers.

#[cfg(feature = "extras")]
mod bounded;
mod convert;
mod hash_ring;
#[cfg(feature = "extras")]
mod ketama;
mod plan;
mod snapshot;
mod transition;

pub use hash_ring::JsHashRing;
pub use plan::JsPlan;
pub use transition::JsTransition;

use wasm_bindgen::prelude::*;

// SAFETY: wasm32-unknown-unknown without the atomics feature runs one thread, which is
// the only condition `AssumeSingleThreaded` asks for.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A routing key: strings are hashed as UTF-8, byte arrays as they are. */
export type Key = string | Uint8Array;

/** Ring parameters; both default as in ring-core (1024 vnodes, seed 0). */
export interface RingOptions {
  /** Virtual nodes per unit of weight, 1 to 65536. */
  vnodes?: number;
  /** MurmurHash3 seed, 0 to 2^32 - 1. */
  seed?: number;
}

/** A node's weight (default 1) and the data the ring keeps for it. */
export interface NodeOptions<D = unknown> {
  weight?: number;
  data?: D;
}

export interface Share {
  id: string;
  /** Fraction of the ring, 0 to 1. */
  share: number;
}

export interface Balance {
  /** Busiest node's share over its fair share. */
  maxOverAvg: number;
  /** Idlest node's share over its fair share. */
  minOverAvg: number;
}

/** The membership document of SPEC.md, section 14. */
export interface Snapshot {
  version?: number;
  epoch?: number;
  vnodes?: number;
  seed?: number;
  servers: Array<{ id: string | number; address?: string; weight?: number }>;
}

/** An arc of positions first..=last whose owner changes. */
export interface Move {
  first: number;
  last: number;
  from: string;
  to: string;
}

export interface Flow {
  from: string;
  to: string;
  /** Positions moving, out of 2^32. */
  length: number;
  fraction: number;
}

/** Where a key's messages go during a transition. */
export interface Route {
  owner: string;
  /** The old owner while the key's arc is cut over but the transition runs. */
  previous?: string;
}

/** Every error thrown carries one of these codes. */
export type ErrorCode =
  | "INVALID_TYPE" | "INVALID_ARGUMENT" | "EMPTY_ID" | "ID_TOO_LONG" | "DUPLICATE_ID"
  | "UNKNOWN_ID" | "INVALID_WEIGHT" | "WEIGHT_TOO_LARGE" | "INVALID_VNODES"
  | "TOO_MANY_NODES" | "TOO_MANY_POINTS" | "SEED_MISMATCH" | "INVALID_PROGRESS"
  | "INVALID_BALANCE_FACTOR";
"#;
