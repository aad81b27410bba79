//! A versioned membership document that a coordination service (ZooKeeper, etcd,
//! Consul) stores and every router loads. [`Snapshot::from_value`] reads it; feature `serde`
//! reads and writes it as JSON.
//!
//! ```json
//! {"version": 1, "epoch": 7, "vnodes": 1024, "seed": 0,
//!  "servers": [{"id": "ws-server-0", "address": "ws://10.0.0.5:8080", "weight": 2}]}
//! ```
//!
//! Only `servers` is required, so the seeds' metadata `{"servers": [{"id": 0,
//! "address": "ws-server-0"}]}` loads as is: numeric ids become their decimal string,
//! `weight` defaults to 1, `version` to 1, `epoch` to 0, and the config to the default.
//!
//! One parser, one validator: [`Snapshot::from_value`] reads a document given as
//! [`DocValue`](crate::DocValue)s and checks every rule of it. Its front ends only convert
//! values: with feature `serde`, deserializing a [`Snapshot`] (from JSON or any serde
//! format), and the JS binding's conversion of JS values. The broken rule comes back as a
//! [`SnapshotError`] whose [`RingError`] carries a stable code. The membership rules are
//! the ring's own ([`HashRing::add_all`]), applied by the same function. The one rule a
//! document cannot show without hashing every point, [`RingError::ShadowedNode`], is
//! checked when the ring is built ([`to_ring`](Snapshot::to_ring),
//! [`to_ring_with`](Snapshot::to_ring_with)). Every error names its field, such as
//! `servers[2].weight`.
//!
//! Integers in the document (numeric ids, `epoch`, `version`, `vnodes`, `seed`) must be
//! whole numbers from 0 to [`MAX_DOCUMENT_INTEGER`] = 2^53 - 1, so that every JSON
//! parser, JavaScript's included, reads them exactly.
//!
//! Weights must survive the trip exactly (the fingerprint covers their bits): with
//! `serde_json`, enable its `float_roundtrip` feature, as its default float parser can
//! be one ulp off.

use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};
use core::fmt;

use crate::{
    admission::{admit, Culprit, Existing, Refusal},
    HashRing, RingConfig, RingError,
};

/// The document version this build reads and writes.
pub const SNAPSHOT_VERSION: u32 = 1;

/// The largest integer a membership document may hold (numeric ids, epoch): 2^53 - 1,
/// the largest that every JSON parser, JavaScript's included, reads exactly.
pub const MAX_DOCUMENT_INTEGER: u64 = (1 << 53) - 1;
/// One server of a [`Snapshot`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Server {
    /// The node id.
    pub id: String,
    /// Where to reach it; becomes the ring's payload.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub address: Option<String>,
    /// Its weight.
    pub weight: f64,
}

/// A ring's membership and config, with the epoch of the change that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The scaling event this membership belongs to; transitions carry it.
    pub epoch: u64,
    /// Virtual nodes and seed.
    pub config: RingConfig,
    /// The servers, in any order.
    pub servers: Vec<Server>,
}

/// A snapshot that is not a valid ring, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotError {
    /// The offending field, such as `servers[2].weight`; empty for the document itself
    /// (when it is not an object).
    pub field: String,
    /// The rule broken; [`RingError::code`] gives its stable code.
    pub error: RingError,
    /// The parser's own words, when they say more than `error` does: the type it found,
    /// the number it refused.
    pub detail: Option<String>,
    /// An id with no UTF-8 form ([`DocValue::LossyString`](crate::DocValue::LossyString)):
    /// `error` is [`RingError::InvalidType`], the code `INVALID_ID`.
    pub(crate) lone_surrogate: bool,
}

impl SnapshotError {
    pub(crate) fn new(field: impl Into<String>, error: RingError) -> Self {
        Self {
            field: field.into(),
            error,
            detail: None,
            lone_surrogate: false,
        }
    }

    /// The stable code of the refusal: [`RingError::code`], except `INVALID_ID` for an id
    /// with a lone UTF-16 surrogate (`SPEC.md`, section 15), which only a front end from
    /// a UTF-16 language can hand over.
    #[must_use]
    pub fn code(&self) -> &'static str {
        if self.lone_surrogate {
            "INVALID_ID"
        } else {
            self.error.code()
        }
    }

    /// A refusal of the membership rules, named by the field it is about.
    pub(crate) fn of(refusal: Refusal) -> Self {
        let field = match refusal.culprit {
            Culprit::Id(i) => format!("servers[{i}].id"),
            Culprit::Weight(i) => format!("servers[{i}].weight"),
            Culprit::Members => "servers".into(),
        };
        Self::new(field, refusal.error)
    }
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        match &self.detail {
            Some(detail) => f.write_str(detail),
            None => write!(f, "{}", self.error),
        }
    }
}

impl core::error::Error for SnapshotError {}

impl Snapshot {
    /// The membership of `ring`, with `address` giving each payload's address.
    pub fn from_ring<T>(
        ring: &HashRing<T>,
        epoch: u64,
        address: impl Fn(&T) -> Option<String>,
    ) -> Self {
        Self {
            epoch,
            config: ring.config(),
            servers: ring
                .iter()
                .map(|n| Server {
                    id: n.id.to_string(),
                    address: address(n.data),
                    weight: n.weight,
                })
                .collect(),
        }
    }

    /// Checks every rule of the document that needs no hashing: the epoch's range and
    /// the membership rules of [`HashRing::add_all`] (the same function checks both).
    /// Deserializing already did this; call it on snapshots built by hand.
    ///
    /// # Errors
    /// The first offending field: `epoch` ([`RingError::InvalidArgument`]),
    /// `servers[i].id` (empty, too long, duplicate), `servers[i].weight`, or `servers`
    /// (too many nodes or points), in the order [`HashRing::add_all`] states.
    pub fn validate(&self) -> Result<(), SnapshotError> {
        if self.epoch > MAX_DOCUMENT_INTEGER {
            return Err(SnapshotError::new("epoch", RingError::InvalidArgument));
        }
        self.admit().map(|_| ())
    }

    pub(crate) fn admit(&self) -> Result<Vec<u32>, SnapshotError> {
        let empty = Existing {
            vnodes: self.config.vnodes(),
            nodes: 0,
            points: 0,
            contains: &|_| false,
        };
        admit(&empty, self.servers.len(), |i| {
            (self.servers[i].id.as_str(), self.servers[i].weight)
        })
        .map_err(SnapshotError::of)
    }

    /// The ring this snapshot describes, with addresses as payloads. Its fingerprint
    /// equals that of the ring the snapshot was taken from.
    ///
    /// # Errors
    /// As [`HashRing::add_all`], naming the field; [`RingError::ShadowedNode`] names the
    /// id of the server that would own nothing.
    pub fn to_ring(&self) -> Result<HashRing<Option<String>>, SnapshotError> {
        self.to_ring_with(|s| s.address.clone())
    }

    /// The ring this snapshot describes, with `data(server)` as each node's payload.
    ///
    /// # Errors
    /// As [`to_ring`](Self::to_ring).
    pub fn to_ring_with<T>(
        &self,
        mut data: impl FnMut(&Server) -> T,
    ) -> Result<HashRing<T>, SnapshotError> {
        let mut ring = HashRing::with_config(self.config);
        ring.admit_all(
            self.servers
                .iter()
                .map(|s| (s.id.as_str(), s.weight, data(s))),
        )
        .map_err(SnapshotError::of)?;
        Ok(ring)
    }
}
