//! A versioned membership document that a coordination service (ZooKeeper, etcd,
//! Consul) stores and every router loads: feature `serde`.
//!
//! ```json
//! {"version": 1, "epoch": 7, "vnodes": 1024, "seed": 0,
//!  "servers": [{"id": "ws-server-0", "address": "ws://10.0.0.5:8080", "weight": 2}]}
//! ```
//!
//! Only `servers` is required, so the seeds' metadata `{"servers": [{"id": 0,
//! "address": "ws-server-0"}]}` loads as is: numeric ids become their decimal string,
//! `weight` defaults to 1, `version` to 1, `epoch` to 0, and the config to the default.
//! Every error names the field it is about, such as `servers[2].weight`.
//!
//! Weights must survive the trip exactly (the fingerprint covers their bits): with
//! `serde_json`, enable its `float_roundtrip` feature, as its default float parser can
//! be one ulp off.

use alloc::{
    boxed::Box,
    collections::BTreeSet,
    format,
    string::{String, ToString},
    vec::Vec,
};
use core::fmt;

use serde::{
    de::{self, MapAccess, SeqAccess, Visitor},
    Deserialize, Deserializer, Serialize,
};

use crate::{vnode_count, HashRing, RingConfig, RingError, MAX_ID_BYTES, MAX_NODES, MAX_POINTS};

/// The document version this build reads and writes.
pub const SNAPSHOT_VERSION: u32 = 1;

/// One server of a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Server {
    /// The node id.
    pub id: String,
    /// Where to reach it; becomes the ring's payload.
    #[serde(skip_serializing_if = "Option::is_none")]
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

impl Serialize for Snapshot {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Doc<'a> {
            version: u32,
            epoch: u64,
            vnodes: u32,
            seed: u32,
            servers: &'a [Server],
        }
        Doc {
            version: SNAPSHOT_VERSION,
            epoch: self.epoch,
            vnodes: self.config.vnodes(),
            seed: self.config.seed(),
            servers: &self.servers,
        }
        .serialize(serializer)
    }
}

/// Wraps a nested error with the field it came from, joining paths with dots:
/// `servers[1]` around `.weight: ...` reads `servers[1].weight: ...`.
fn within<E: de::Error>(field: &str, e: impl fmt::Display) -> E {
    let inner = e.to_string();
    if inner.starts_with('.') {
        E::custom(format_args!("{field}{inner}"))
    } else {
        E::custom(format_args!("{field}: {inner}"))
    }
}

impl<'de> Deserialize<'de> for Snapshot {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SnapshotVisitor)
    }
}

struct SnapshotVisitor;

impl<'de> Visitor<'de> for SnapshotVisitor {
    type Value = Snapshot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a ring snapshot: an object with a \"servers\" array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Snapshot, A::Error> {
        let (mut version, mut epoch, mut vnodes, mut seed, mut servers) =
            (None, None, None, None, None);
        while let Some(key) = map.next_key::<Box<str>>()? {
            match &*key {
                "version" => {
                    version = Some(
                        map.next_value()
                            .map_err(|e| within::<A::Error>("version", e))?,
                    )
                }
                "epoch" => {
                    epoch = Some(
                        map.next_value()
                            .map_err(|e| within::<A::Error>("epoch", e))?,
                    )
                }
                "vnodes" => {
                    vnodes = Some(
                        map.next_value()
                            .map_err(|e| within::<A::Error>("vnodes", e))?,
                    )
                }
                "seed" => {
                    seed = Some(
                        map.next_value()
                            .map_err(|e| within::<A::Error>("seed", e))?,
                    )
                }
                "servers" => servers = Some(map.next_value::<Servers>()?.0),
                other => {
                    return Err(de::Error::custom(format_args!(
                        "unknown field `{other}`, expected version, epoch, vnodes, seed or servers"
                    )))
                }
            }
        }
        let version: u32 = version.unwrap_or(SNAPSHOT_VERSION);
        if version != SNAPSHOT_VERSION {
            return Err(de::Error::custom(format_args!(
                "version: this build reads snapshot version {SNAPSHOT_VERSION}, not {version}"
            )));
        }
        let config = RingConfig::new(vnodes.unwrap_or(crate::DEFAULT_VNODES), seed.unwrap_or(0))
            .map_err(|e| within::<A::Error>("vnodes", e))?;
        let servers = servers.ok_or_else(|| de::Error::missing_field("servers"))?;
        let snapshot = Snapshot {
            epoch: epoch.unwrap_or(0),
            config,
            servers,
        };
        snapshot.validate().map_err(de::Error::custom)?;
        Ok(snapshot)
    }
}

/// The `servers` array, whose errors say which element failed.
struct Servers(Vec<Server>);

impl<'de> Deserialize<'de> for Servers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Servers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of {\"id\", \"address\", \"weight\"} objects in servers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Servers, A::Error> {
                let mut out = Vec::new();
                loop {
                    let field = format!("servers[{}]", out.len());
                    match seq.next_element::<ServerDoc>() {
                        Ok(Some(s)) => out.push(s.0),
                        Ok(None) => return Ok(Servers(out)),
                        Err(e) => return Err(within::<A::Error>(&field, e)),
                    }
                }
            }
        }
        deserializer.deserialize_seq(V)
    }
}

/// One server object; numeric ids are accepted as their decimal string.
struct ServerDoc(Server);

impl<'de> Deserialize<'de> for ServerDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ServerDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a server object with an \"id\"")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ServerDoc, A::Error> {
                let (mut id, mut address, mut weight) = (None, None, None);
                while let Some(key) = map.next_key::<Box<str>>()? {
                    match &*key {
                        "id" => {
                            id = Some(
                                map.next_value::<Id>()
                                    .map_err(|e| within::<A::Error>(".id", e))?
                                    .0,
                            )
                        }
                        "address" => {
                            address = map
                                .next_value()
                                .map_err(|e| within::<A::Error>(".address", e))?;
                        }
                        "weight" => {
                            weight = Some(
                                map.next_value()
                                    .map_err(|e| within::<A::Error>(".weight", e))?,
                            )
                        }
                        other => {
                            return Err(de::Error::custom(format_args!(
                                "unknown field `{other}`, expected id, address or weight"
                            )))
                        }
                    }
                }
                let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
                Ok(ServerDoc(Server {
                    id,
                    address,
                    weight: weight.unwrap_or(1.0),
                }))
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// A node id: a string, or a non-negative integer read as its decimal string.
struct Id(String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a non-negative integer")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                u64::try_from(v)
                    .map(|v| Id(v.to_string()))
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
        }
        deserializer.deserialize_any(V)
    }
}
