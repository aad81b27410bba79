//! A 64-bit fingerprint of a ring, so routers can check cheaply that they agree.

use crate::{hash::Fnv64, HashRing};

const DOMAIN: &[u8] = b"ringroute/fingerprint/v1";

impl<T> HashRing<T> {
    /// FNV-1a 64 over the config, the membership (ids, weights, point counts) in id
    /// order and every point in ring order; the exact byte layout is in `SPEC.md`.
    ///
    /// Equal fingerprints mean equal config and membership, so equal routing. Payloads
    /// are not included. Costs one pass over the points.
    ///
    /// ```
    /// use ringroute::HashRing;
    /// let mut a = HashRing::new();
    /// let mut b = HashRing::new();
    /// a.add("x", 1)?; a.add("y", 2)?;
    /// b.add("y", 0)?; b.add("x", 0)?;
    /// assert_eq!(a.fingerprint(), b.fingerprint());
    /// # Ok::<(), ringroute::RingError>(())
    /// ```
    #[must_use]
    pub fn fingerprint(&self) -> u64 {
        let mut h = Fnv64::new();
        h.write(DOMAIN);
        h.write_u32(self.config().vnodes());
        h.write_u32(self.config().seed());
        h.write_u32(self.len() as u32);
        for (id, weight, points) in self.weights() {
            h.write_u32(id.len() as u32);
            h.write(id.as_bytes());
            h.write_u64(weight.to_bits());
            h.write_u32(points);
        }
        h.write_u32(self.point_count() as u32);
        for (pos, owner) in self.points() {
            h.write_u32(pos);
            h.write_u32(owner as u32);
        }
        h.finish()
    }
}
