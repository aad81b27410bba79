//! Validated ring parameters and their defaults.

use crate::RingError;

/// Virtual nodes per unit of weight unless configured otherwise.
///
/// Chosen by measurement (see the README's balance table): with 100 equal nodes and
/// 1,000,000 keys it keeps the busiest node within 10% of the average.
pub const DEFAULT_VNODES: u32 = 1024;

/// The largest accepted virtual nodes per unit of weight.
pub const MAX_VNODES: u32 = 65_536;

/// The parameters that, together with the membership, define a ring.
///
/// Two routers agree exactly when they hold the same config and the same membership.
/// Build one with [`RingConfig::new`]; the fields cannot be set to invalid values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "RawConfig"))]
pub struct RingConfig {
    vnodes: u32,
    seed: u32,
}

impl RingConfig {
    /// A config with `vnodes` virtual nodes per unit of weight and hash seed `seed`.
    ///
    /// # Errors
    /// [`RingError::InvalidVnodes`] unless `1 <= vnodes <= MAX_VNODES`.
    pub const fn new(vnodes: u32, seed: u32) -> Result<Self, RingError> {
        if vnodes == 0 || vnodes > MAX_VNODES {
            return Err(RingError::InvalidVnodes { vnodes });
        }
        Ok(Self { vnodes, seed })
    }

    /// Virtual nodes per unit of weight.
    #[must_use]
    pub const fn vnodes(&self) -> u32 {
        self.vnodes
    }

    /// The MurmurHash3 seed used for keys and virtual-node labels.
    #[must_use]
    pub const fn seed(&self) -> u32 {
        self.seed
    }

    /// The ring position of virtual node `vnode` of node `id`: MurmurHash3 of the label
    /// `UTF-8(id) ‖ LE32(vnode)` under the seed (SPEC.md). Visualisers use it to place a
    /// node's markers; the ring itself derives every point this way.
    #[must_use]
    pub fn vnode_position(&self, id: &str, vnode: u32) -> u32 {
        let mut label = alloc::vec::Vec::with_capacity(id.len() + 4);
        label.extend_from_slice(id.as_bytes());
        label.extend_from_slice(&vnode.to_le_bytes());
        crate::murmur3_32(&label, self.seed)
    }
}

impl Default for RingConfig {
    fn default() -> Self {
        Self {
            vnodes: DEFAULT_VNODES,
            seed: 0,
        }
    }
}

/// The unvalidated wire form; `try_from` sends it through [`RingConfig::new`].
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct RawConfig {
    vnodes: u32,
    seed: u32,
}

#[cfg(feature = "serde")]
impl TryFrom<RawConfig> for RingConfig {
    type Error = RingError;
    fn try_from(raw: RawConfig) -> Result<Self, RingError> {
        Self::new(raw.vnodes, raw.seed)
    }
}
