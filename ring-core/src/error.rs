//! The one error type: each variant names one kind of misuse and has a stable code.

use core::fmt;

/// Why a ring operation was refused. The ring is unchanged whenever one is returned.
///
/// [`code`](RingError::code) gives each variant a stable, SCREAMING_SNAKE_CASE name for
/// other languages (the JS package's `err.code`); [`RingError::ALL`] lists one of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RingError {
    /// A node id was the empty string. Code `EMPTY_ID`.
    EmptyId,
    /// A node id was longer than [`MAX_ID_BYTES`](crate::MAX_ID_BYTES) bytes of UTF-8 (a
    /// ketama host: [`KETAMA_MAX_HOST`](crate::KETAMA_MAX_HOST)). Code `ID_TOO_LONG`.
    IdTooLong {
        /// The id's length in bytes.
        len: usize,
    },
    /// A node with this id is already on the ring. Code `DUPLICATE_ID`.
    DuplicateId,
    /// No node with this id is on the ring. Code `UNKNOWN_ID`.
    UnknownId,
    /// A weight was zero, negative, NaN or infinite. Code `INVALID_WEIGHT`.
    InvalidWeight,
    /// A weight asked for more than [`MAX_NODE_POINTS`](crate::MAX_NODE_POINTS) virtual
    /// nodes. Code `WEIGHT_TOO_LARGE`.
    WeightTooLarge,
    /// The config's virtual nodes per unit of weight were outside
    /// `1..=`[`MAX_VNODES`](crate::MAX_VNODES). Code `INVALID_VNODES`.
    InvalidVnodes {
        /// The value that was refused (`u32::MAX` for a larger one).
        vnodes: u32,
    },
    /// The ring would hold more than [`MAX_NODES`](crate::MAX_NODES) nodes. Code
    /// `TOO_MANY_NODES`.
    TooManyNodes,
    /// The ring would hold more than [`MAX_POINTS`](crate::MAX_POINTS) points in total.
    /// Code `TOO_MANY_POINTS`.
    TooManyPoints,
    /// Two rings compared or combined have different hash seeds. Code `SEED_MISMATCH`.
    SeedMismatch,
    /// A transition's progress was outside `0..=1`, not a number, or behind its current
    /// value; or a step was past its step count, or the count was 0. Code
    /// `INVALID_PROGRESS`.
    InvalidProgress,
    /// A bounded-load balance factor was below 1, not a number, or infinite. Code
    /// `INVALID_BALANCE_FACTOR`.
    InvalidBalanceFactor,
    /// After the change some node would own no position at all: each of its points would
    /// sit at the same position as a point of a node earlier in id order, which wins the
    /// tie. Distinct ids can be crafted so that MurmurHash3 places every virtual node of
    /// two nodes at the same positions; this refuses the ring instead of silently
    /// starving one of them. Code `SHADOWED_NODE`.
    ShadowedNode,
    /// A membership document had a value of the wrong type, a missing field or an
    /// unknown one. Code `INVALID_TYPE`.
    InvalidType,
    /// A number in a membership document was not a whole number in its range (ids and
    /// epoch: `0..=`[`MAX_DOCUMENT_INTEGER`](crate::MAX_DOCUMENT_INTEGER); seed:
    /// `0..=2^32-1`). Code `INVALID_ARGUMENT`.
    InvalidArgument,
    /// A membership document's `version` is not one this build reads
    /// ([`SNAPSHOT_VERSION`](crate::SNAPSHOT_VERSION)). Code `UNSUPPORTED_VERSION`.
    UnsupportedVersion,
}

impl RingError {
    /// One of each variant, in declaration order (with placeholder field values): for
    /// tables of codes and tests that every code is distinct.
    pub const ALL: &'static [RingError] = &[
        Self::EmptyId,
        Self::IdTooLong { len: 0 },
        Self::DuplicateId,
        Self::UnknownId,
        Self::InvalidWeight,
        Self::WeightTooLarge,
        Self::InvalidVnodes { vnodes: 0 },
        Self::TooManyNodes,
        Self::TooManyPoints,
        Self::SeedMismatch,
        Self::InvalidProgress,
        Self::InvalidBalanceFactor,
        Self::ShadowedNode,
        Self::InvalidType,
        Self::InvalidArgument,
        Self::UnsupportedVersion,
    ];

    /// The variant's stable code, such as `"DUPLICATE_ID"`: the same in every release
    /// and every language binding, so programs can branch on it.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::EmptyId => "EMPTY_ID",
            Self::IdTooLong { .. } => "ID_TOO_LONG",
            Self::DuplicateId => "DUPLICATE_ID",
            Self::UnknownId => "UNKNOWN_ID",
            Self::InvalidWeight => "INVALID_WEIGHT",
            Self::WeightTooLarge => "WEIGHT_TOO_LARGE",
            Self::InvalidVnodes { .. } => "INVALID_VNODES",
            Self::TooManyNodes => "TOO_MANY_NODES",
            Self::TooManyPoints => "TOO_MANY_POINTS",
            Self::SeedMismatch => "SEED_MISMATCH",
            Self::InvalidProgress => "INVALID_PROGRESS",
            Self::InvalidBalanceFactor => "INVALID_BALANCE_FACTOR",
            Self::ShadowedNode => "SHADOWED_NODE",
            Self::InvalidType => "INVALID_TYPE",
            Self::InvalidArgument => "INVALID_ARGUMENT",
            Self::UnsupportedVersion => "UNSUPPORTED_VERSION",
        }
    }
}

impl fmt::Display for RingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::EmptyId => f.write_str("node id is empty"),
            // The limit depends on the ring: MAX_ID_BYTES, or KETAMA_MAX_HOST for ketama.
            #[cfg(feature = "ketama")]
            Self::IdTooLong { len } => write!(
                f,
                "node id is {len} bytes long, more than the limit ({} bytes; {} for a ketama host)",
                crate::MAX_ID_BYTES,
                crate::KETAMA_MAX_HOST
            ),
            #[cfg(not(feature = "ketama"))]
            Self::IdTooLong { len } => write!(
                f,
                "node id is {len} bytes long, more than the limit ({} bytes)",
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
                "vnodes must be a whole number from 1 to {}, got {vnodes}",
                crate::MAX_VNODES
            ),
            Self::TooManyNodes => write!(
                f,
                "the ring would hold more than {} nodes",
                crate::MAX_NODES
            ),
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
                "progress must be from 0 to 1, or step from 0 to steps with steps at least 1, and may not go back",
            ),
            Self::ShadowedNode => f.write_str(
                "a node would own no position: every one of its points falls on a point of a node earlier in id order",
            ),
            Self::InvalidType => f.write_str("a value has the wrong type"),
            Self::InvalidArgument => f.write_str("a number is out of its range"),
            Self::UnsupportedVersion => write!(
                f,
                "this build reads membership documents of version {}",
                crate::SNAPSHOT_VERSION
            ),
        }
    }
}

impl core::error::Error for RingError {}
