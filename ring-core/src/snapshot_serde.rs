//! Serde for [`Snapshot`]: the JSON shape of `SPEC.md`, section 14, with errors that
//! name their field.

use alloc::{
    boxed::Box,
    format,
    string::{String, ToString},
    vec::Vec,
};
use core::fmt;

use serde::{
    de::{self, MapAccess, SeqAccess, Visitor},
    Deserialize, Deserializer, Serialize,
};

use crate::{RingConfig, Server, Snapshot, SNAPSHOT_VERSION};

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
        // Membership rules (ids, weights, limits) are checked by `validate` and `to_ring`.
        Ok(Snapshot {
            epoch: epoch.unwrap_or(0),
            config,
            servers,
        })
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
            /// JS numbers arrive as doubles: whole, non-negative, safe ones are ids.
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Id, E> {
                if (0.0..=9_007_199_254_740_991.0).contains(&v) && v == (v as u64) as f64 {
                    Ok(Id((v as u64).to_string()))
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(v), &self))
                }
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
