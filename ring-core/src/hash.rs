//! The hash functions the ring is defined by.
//!
//! Both are specified byte for byte in `SPEC.md`; any port must reproduce them exactly.

/// MurmurHash3 x86_32 of `data` under `seed` (Austin Appleby's reference algorithm).
///
/// This is the ring's only hash: keys and virtual-node labels both go through it.
///
/// ```
/// // The empty input under seed 0 hashes to 0 in the reference implementation.
/// assert_eq!(ringroute::murmur3_32(b"", 0), 0);
/// assert_eq!(ringroute::murmur3_32(b"hello", 0), 0x248b_fa47);
/// ```
#[must_use]
pub fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;

    let mut h = seed;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        h ^= mix_k(k, C1, C2);
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, &byte) in tail.iter().enumerate() {
            k |= u32::from(byte) << (8 * i);
        }
        h ^= mix_k(k, C1, C2);
    }
    // The reference hashes lengths as a 32-bit int; longer inputs wrap the same way.
    h ^= data.len() as u32;
    fmix32(h)
}

#[inline(always)]
fn mix_k(k: u32, c1: u32, c2: u32) -> u32 {
    k.wrapping_mul(c1).rotate_left(15).wrapping_mul(c2)
}

#[inline(always)]
fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

/// FNV-1a, 64-bit: the fingerprint's hash. Streaming, so the ring never builds its
/// canonical form in memory.
#[derive(Clone, Copy)]
pub(crate) struct Fnv64(u64);

impl Fnv64 {
    pub(crate) const fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub(crate) fn write_u32(&mut self, v: u32) {
        self.write(&v.to_le_bytes());
    }

    pub(crate) fn write_u64(&mut self, v: u64) {
        self.write(&v.to_le_bytes());
    }

    pub(crate) const fn finish(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_published_vectors() {
        // From the FNV reference test suite (Fowler/Noll/Vo).
        for (input, want) in [
            (&b""[..], 0xcbf2_9ce4_8422_2325u64),
            (b"a", 0xaf63_dc4c_8601_ec8c),
            (b"foobar", 0x8594_4171_f739_67e8),
        ] {
            let mut h = Fnv64::new();
            h.write(input);
            assert_eq!(h.finish(), want, "{input:?}");
        }
    }

    #[test]
    fn murmur_tail_lengths_differ() {
        // Every tail length takes its own branch; all must differ from each other.
        let hashes: std::vec::Vec<u32> = (0..8).map(|n| murmur3_32(&b"abcdefgh"[..n], 7)).collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
