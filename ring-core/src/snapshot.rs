//! A versioned membership document that a coordination service (ZooKeeper, etcd,
//! Consul) stores and every router loads. Feature `serde` reads and writes it.
//!
//! ```json
//! {"version": 1, "epoch": 7, "vnodes": 1024, "seed": 0,
//!  "servers": [{"id": "ws-server-0", "address": "ws://10.0.0.5:8080", "weight": 2}]}
//! ```
//!
//! Only `servers` is required, so the seeds' metadata `{"servers": [{"id": 0,
//! "address": "ws-server-0"}]}` loads as is: numeric ids become their decimal string,
//! `weight` defaults to 1, `version` to 1, `epoch` to 0, and the config to the default.
//! Every error names the field it is about, such as `servers[2].weight`: parsing reports
//! shape and type errors, [`Snapshot::validate`] and [`Snapshot::to_ring`] the rest.
//!
//! Weights must survive the trip exactly (the fingerprint covers their bits): with
//! `serde_json`, enable its `float_roundtrip` feature, as its default float parser can
//! be one ulp off.

use alloc::{
    collections::BTreeSet,
    format,
    string::{String, ToString},
    vec::Vec,
};
use core::fmt;

use crate::{vnode_count, HashRing, RingConfig, RingError, MAX_ID_BYTES, MAX_NODES, MAX_POINTS};

/// The document version this build reads and writes.
pub const SNAPSHOT_VERSION: u32 = 1;

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
    /// The offending field, such as `servers[2].weight`.
    pub field: String,
    /// What is wrong with it.
    pub error: RingError,
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.error)
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

    /// Checks that the servers form a valid ring.
    ///
    /// # Errors
    /// The first offending field: `servers[i].id` (empty, too long, duplicate),
    /// `servers[i].weight`, or `servers` (too many nodes or points).
    pub fn validate(&self) -> Result<(), SnapshotError> {
        let at = |field: String, error| Err(SnapshotError { field, error });
        if self.servers.len() > MAX_NODES {
            return at("servers".into(), RingError::TooManyNodes);
        }
        let mut seen = BTreeSet::new();
        let mut points = 0usize;
        for (i, s) in self.servers.iter().enumerate() {
            if s.id.is_empty() {
                return at(format!("servers[{i}].id"), RingError::EmptyId);
            }
            if s.id.len() > MAX_ID_BYTES {
                return at(
                    format!("servers[{i}].id"),
                    RingError::IdTooLong { len: s.id.len() },
                );
            }
            if !seen.insert(s.id.as_str()) {
                return at(format!("servers[{i}].id"), RingError::DuplicateId);
            }
            match vnode_count(s.weight, self.config.vnodes()) {
                Ok(count) => points += count as usize,
                Err(e) => return at(format!("servers[{i}].weight"), e),
            }
        }
        if points > MAX_POINTS {
            return at("servers".into(), RingError::TooManyPoints);
        }
        Ok(())
    }

    /// The ring this snapshot describes, with addresses as payloads. Its fingerprint
    /// equals that of the ring the snapshot was taken from.
    ///
    /// # Errors
    /// As [`validate`](Self::validate).
    pub fn to_ring(&self) -> Result<HashRing<Option<String>>, SnapshotError> {
        self.validate()?;
        HashRing::from_nodes(
            self.config,
            self.servers
                .iter()
                .map(|s| (s.id.as_str(), s.weight, s.address.clone())),
        )
        .map_err(|error| SnapshotError {
            field: "servers".into(),
            error,
        })
    }
}
