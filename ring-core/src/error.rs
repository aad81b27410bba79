//! The one error type: each variant names one kind of misuse.

use core::fmt;

/// Why a ring operation was refused. The ring is unchanged whenever one is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RingError {
    /// A node id was the empty string.
    EmptyId,
    /// A node id was longer than [`MAX_ID_BYTES`](crate::MAX_ID_BYTES) bytes of UTF-8.
    IdTooLong {
        /// The id's length in bytes.
        len: usize,
    },
    /// A node with this id is already on the ring.
    DuplicateId,
    /// No node with this id is on the ring.
    UnknownId,
    /// A weight was zero, negative, NaN or infinite.
    InvalidWeight,
    /// A weight asked for more than [`MAX_NODE_POINTS`](crate::MAX_NODE_POINTS) virtual nodes.
    WeightTooLarge,
    /// The config's virtual nodes per unit of weight were outside `1..=`[`MAX_VNODES`](crate::MAX_VNODES).
    InvalidVnodes {
        /// The value that was refused.
        vnodes: u32,
    },
    /// The ring already holds [`MAX_NODES`](crate::MAX_NODES) nodes.
    TooManyNodes,
    /// The ring would hold more than [`MAX_POINTS`](crate::MAX_POINTS) points in total.
    TooManyPoints,
    /// Two rings compared or combined have different hash seeds.
    SeedMismatch,
    /// A transition's progress was outside `0..=1`, not a number, or behind its current value.
    InvalidProgress,
    /// A bounded-load balance factor was below 1, not a number, or infinite.
    InvalidBalanceFactor,
}

impl fmt::Display for RingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::EmptyId => f.write_str("node id is empty"),
            Self::IdTooLong { len } => write!(
                f,
                "node id is {len} bytes long, more than the limit of {}",
                crate::MAX_ID_BYTES
            ),
            Self::DuplicateId => f.write_str("a node with this id is already on the ring"),
            Self::UnknownId => f.write_str("no node with this id is on the ring"),
            Self::InvalidWeight => f.write_str("weight must be a finite number greater than zero"),
            Self::WeightTooLarge => write!(
                f,
                "weight gives more than {} virtual nodes to one node",
                crate::MAX_NODE_POINTS
            ),
            Self::InvalidVnodes { vnodes } => write!(
                f,
                "vnodes must be between 1 and {}, got {vnodes}",
                crate::MAX_VNODES
            ),
            Self::TooManyNodes => write!(f, "the ring already holds {} nodes", crate::MAX_NODES),
            Self::TooManyPoints => write!(
                f,
                "the ring would hold more than {} points",
                crate::MAX_POINTS
            ),
            Self::SeedMismatch => f.write_str("the rings use different hash seeds"),
            Self::InvalidBalanceFactor => {
                f.write_str("balance factor must be a finite number of at least 1")
            }
            Self::InvalidProgress => f.write_str(
                "progress must be between 0 and 1 (or step between 0 and steps) and may not go back",
            ),
        }
    }
}

impl core::error::Error for RingError {}
