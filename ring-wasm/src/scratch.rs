//! Scratch buffers in wasm memory that the package's JS writes keys into directly.
//!
//! Passing a string through wasm-bindgen allocates, encodes and frees on every call;
//! for a lookup that costs more than the lookup. Instead JS encodes the key into this
//! buffer through a `Uint8Array` view on wasm memory and passes only its length. The
//! buffers are shared by every ring: lookups are synchronous and wasm is single-threaded.

use std::cell::RefCell;

thread_local! {
    static KEYS: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static LENS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// Grows the key buffer to at least `bytes`; returns its address.
pub fn grow_keys(bytes: usize) -> usize {
    KEYS.with_borrow_mut(|k| {
        if k.len() < bytes {
            k.resize(bytes, 0);
        }
        k.as_ptr() as usize
    })
}

/// Grows the lengths buffer to at least `count` entries; returns its address.
pub fn grow_lens(count: usize) -> usize {
    LENS.with_borrow_mut(|l| {
        if l.len() < count {
            l.resize(count, 0);
        }
        l.as_ptr() as usize
    })
}

/// Runs `f` on the key buffer.
pub fn with_keys<R>(f: impl FnOnce(&[u8]) -> R) -> R {
    KEYS.with_borrow(|k| f(k))
}

/// Runs `f` on the key buffer and the lengths buffer.
pub fn with_both<R>(f: impl FnOnce(&[u8], &mut [u32]) -> R) -> R {
    KEYS.with_borrow(|k| LENS.with_borrow_mut(|l| f(k, l)))
}
