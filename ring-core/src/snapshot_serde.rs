//! Serde for [`Snapshot`]: the JSON shape of `SPEC.md`, section 14, parsed and
//! validated in one place, with errors that name their field and carry a code.
//!
//! Rules are checked in document order as each field is read (types, integer ranges,
//! `version`, `vnodes`, `seed`), then the membership rules, by the function
//! [`HashRing::add_all`](crate::HashRing::add_all) uses. A `servers` array is read up to
//! one element past [`MAX_NODES`](crate::MAX_NODES) and refused there.

use alloc::{
    boxed::Box,
    format,
    string::{String, ToString},
    vec::Vec,
};
use core::{cell::RefCell, fmt};

use serde::{
    de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor},
    Deserialize, Deserializer, Serialize,
};

use crate::{
    RingConfig, RingError, Server, Snapshot, SnapshotError, DEFAULT_VNODES, MAX_DOCUMENT_INTEGER,
    MAX_NODES, SNAPSHOT_VERSION,
};

impl Serialize for Snapshot {
    /// Writes the document of `SPEC.md`, section 14. Refuses (with the validation error's
    /// message) a snapshot that [`validate`](Snapshot::validate) refuses, so that no
    /// document is written that the parser would not read back.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Doc<'a> {
            version: u32,
            epoch: u64,
            vnodes: u32,
            seed: u32,
            servers: &'a [Server],
        }
        self.validate().map_err(serde::ser::Error::custom)?;
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

impl<'de> Deserialize<'de> for Snapshot {
    /// Parses and validates; see [`Snapshot::from_deserializer`] for the error as a
    /// [`SnapshotError`] with its code.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        DocSeed(&Found::default()).deserialize(deserializer)
    }
}

impl Snapshot {
    /// Parses and validates a membership document from any serde deserializer
    /// (`serde_json::Deserializer`, `serde_wasm_bindgen::Deserializer`, ...). Every rule
    /// of the document is checked here except [`RingError::ShadowedNode`], which
    /// [`to_ring`](Self::to_ring) checks when it hashes the points.
    ///
    /// # Errors
    /// The first broken rule, with its field: [`RingError::InvalidType`] for a value of
    /// the wrong type, a missing, unknown or repeated field (`detail` has the parser's
    /// words); [`RingError::InvalidArgument`] for an integer that is not whole or not in
    /// `0..=`[`MAX_DOCUMENT_INTEGER`] (`seed`: `0..=2^32-1`);
    /// [`RingError::UnsupportedVersion`]; [`RingError::InvalidVnodes`]; then the
    /// membership rules of [`HashRing::add_all`](crate::HashRing::add_all).
    pub fn from_deserializer<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Self, SnapshotError> {
        let found = Found::default();
        match DocSeed(&found).deserialize(deserializer) {
            Ok(snapshot) => Ok(snapshot),
            Err(e) => Err(found.0.into_inner().unwrap_or_else(|| SnapshotError {
                field: String::new(),
                error: RingError::InvalidType,
                detail: Some(e.to_string()),
            })),
        }
    }
}

/// The first rule the document broke, kept beside the deserializer's error, which can
/// only carry a message.
#[derive(Default)]
struct Found(RefCell<Option<SnapshotError>>);

impl Found {
    /// Records `error` (unless one is recorded) and returns the error to unwind with.
    fn fail<E: de::Error>(&self, error: SnapshotError) -> E {
        let message = error.to_string();
        self.0.borrow_mut().get_or_insert(error);
        E::custom(message)
    }

    fn rule<E: de::Error>(&self, field: &str, error: RingError, detail: Option<String>) -> E {
        self.fail(SnapshotError {
            field: field.into(),
            error,
            detail,
        })
    }

    /// An error from reading `field`: the rule recorded inside, or else the
    /// deserializer's own complaint, a wrong type.
    fn at<E: de::Error>(&self, field: &str, e: E) -> E {
        if self.0.borrow().is_some() {
            return e;
        }
        self.rule(field, RingError::InvalidType, Some(e.to_string()))
    }
}

/// A field's value: refuses a repeated field, then reads it with `seed`.
fn read<'de, A, S>(
    map: &mut A,
    slot: &mut Option<S::Value>,
    found: &Found,
    field: &str,
    seed: S,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    S: DeserializeSeed<'de>,
{
    if slot.is_some() {
        return Err(found.rule(
            field,
            RingError::InvalidType,
            Some(format!("duplicate field `{field}`")),
        ));
    }
    *slot = Some(map.next_value_seed(seed).map_err(|e| found.at(field, e))?);
    Ok(())
}

/// Reads a map's keys as strings; a non-string key is a type error at `field`.
fn next_key<'de, A: MapAccess<'de>>(
    map: &mut A,
    found: &Found,
    field: &str,
) -> Result<Option<Box<str>>, A::Error> {
    map.next_key::<Box<str>>().map_err(|e| found.at(field, e))
}

struct DocSeed<'f>(&'f Found);

impl<'de> DeserializeSeed<'de> for DocSeed<'_> {
    type Value = Snapshot;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Snapshot, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_> {
    type Value = Snapshot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a ring snapshot: an object with a \"servers\" array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Snapshot, A::Error> {
        let found = self.0;
        let (mut version, mut epoch, mut vnodes, mut seed, mut servers) =
            (None, None, None, None, None);
        while let Some(key) = next_key(&mut map, found, "")? {
            match &*key {
                "version" => {
                    read(
                        &mut map,
                        &mut version,
                        found,
                        "version",
                        Int::any(found, "version"),
                    )?;
                    if version != Some(u64::from(SNAPSHOT_VERSION)) {
                        let detail = format!(
                            "this build reads snapshot version {SNAPSHOT_VERSION}, not {}",
                            version.unwrap_or_default()
                        );
                        return Err(found.rule(
                            "version",
                            RingError::UnsupportedVersion,
                            Some(detail),
                        ));
                    }
                }
                "epoch" => read(
                    &mut map,
                    &mut epoch,
                    found,
                    "epoch",
                    Int::any(found, "epoch"),
                )?,
                "vnodes" => {
                    read(
                        &mut map,
                        &mut vnodes,
                        found,
                        "vnodes",
                        Int::any(found, "vnodes"),
                    )?;
                    config(found, vnodes, None)?;
                }
                "seed" => read(
                    &mut map,
                    &mut seed,
                    found,
                    "seed",
                    Int::up_to(found, "seed", u32::MAX.into()),
                )?,
                "servers" => read(&mut map, &mut servers, found, "servers", ServersSeed(found))?,
                other => {
                    return Err(found.rule(
                        other,
                        RingError::InvalidType,
                        Some(format!(
                        "unknown field `{other}`, expected version, epoch, vnodes, seed or servers"
                    )),
                    ))
                }
            }
        }
        let config = config(found, vnodes, seed)?;
        let Some(servers) = servers else {
            return Err(found.rule(
                "servers",
                RingError::InvalidType,
                Some("missing field `servers`".into()),
            ));
        };
        let snapshot = Snapshot {
            epoch: epoch.unwrap_or(0),
            config,
            servers,
        };
        snapshot.admit().map_err(|e| found.fail::<A::Error>(e))?;
        Ok(snapshot)
    }
}

/// The config of a document's `vnodes` and `seed` (already range-checked as integers):
/// [`RingConfig::new`] states the vnodes rule.
fn config<E: de::Error>(
    found: &Found,
    vnodes: Option<u64>,
    seed: Option<u64>,
) -> Result<RingConfig, E> {
    let vnodes = vnodes.unwrap_or(DEFAULT_VNODES.into());
    // Anything past u32 is refused by `new` as u32::MAX, with the real value in detail.
    let narrow = u32::try_from(vnodes).unwrap_or(u32::MAX);
    // The seed was read with the bound u32::MAX.
    let seed = seed.map_or(0, |s| s as u32);
    RingConfig::new(narrow, seed).map_err(|error| {
        let detail = (u64::from(narrow) != vnodes).then(|| {
            format!(
                "vnodes must be a whole number from 1 to {}, got {vnodes}",
                crate::MAX_VNODES
            )
        });
        found.rule("vnodes", error, detail)
    })
}

/// The `servers` array.
struct ServersSeed<'f>(&'f Found);

impl<'de> DeserializeSeed<'de> for ServersSeed<'_> {
    type Value = Vec<Server>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<Server>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ServersSeed<'_> {
    type Value = Vec<Server>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of {\"id\", \"address\", \"weight\"} objects in servers")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Server>, A::Error> {
        let found = self.0;
        let mut out = Vec::new();
        loop {
            let field = format!("servers[{}]", out.len());
            let seed = ServerSeed {
                found,
                field: &field,
            };
            match seq
                .next_element_seed(seed)
                .map_err(|e| found.at(&field, e))?
            {
                Some(server) => out.push(server),
                None => return Ok(out),
            }
            if out.len() > MAX_NODES {
                // The ring's own count rule refuses it; the rest is never read.
                let refused = Snapshot {
                    epoch: 0,
                    config: RingConfig::default(),
                    servers: out,
                };
                let error = refused.admit().expect_err("more than MAX_NODES servers");
                return Err(found.fail(error));
            }
        }
    }
}

/// One server object; numeric ids are read as their decimal string.
struct ServerSeed<'f> {
    found: &'f Found,
    field: &'f str,
}

impl<'de> DeserializeSeed<'de> for ServerSeed<'_> {
    type Value = Server;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Server, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ServerSeed<'_> {
    type Value = Server;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a server object with an \"id\"")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Server, A::Error> {
        let (found, at) = (self.found, self.field);
        let (mut id, mut address, mut weight) = (None, None, None);
        let field = |name: &str| format!("{at}.{name}");
        while let Some(key) = next_key(&mut map, found, at)? {
            match &*key {
                "id" => {
                    let f = field("id");
                    read(&mut map, &mut id, found, &f, IdSeed { found, field: &f })?;
                }
                "address" => read(
                    &mut map,
                    &mut address,
                    found,
                    &field("address"),
                    core::marker::PhantomData::<Option<String>>,
                )?,
                "weight" => read(
                    &mut map,
                    &mut weight,
                    found,
                    &field("weight"),
                    core::marker::PhantomData::<f64>,
                )?,
                other => {
                    return Err(found.rule(
                        &field(other),
                        RingError::InvalidType,
                        Some(format!(
                            "unknown field `{other}`, expected id, address or weight"
                        )),
                    ))
                }
            }
        }
        let Some(id) = id else {
            return Err(found.rule(
                at,
                RingError::InvalidType,
                Some("missing field `id`".into()),
            ));
        };
        Ok(Server {
            id,
            address: address.flatten(),
            weight: weight.unwrap_or(1.0),
        })
    }
}

/// A node id: a string, or an integer from 0 to [`MAX_DOCUMENT_INTEGER`] read as its
/// decimal string.
struct IdSeed<'f> {
    found: &'f Found,
    field: &'f str,
}

impl<'de> DeserializeSeed<'de> for IdSeed<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl IdSeed<'_> {
    fn number<E: de::Error>(&self, n: Number) -> Result<String, E> {
        Int::any(self.found, self.field)
            .check(n)
            .map(|v| v.to_string())
    }
}

impl Visitor<'_> for IdSeed<'_> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a string or a whole number from 0 to {MAX_DOCUMENT_INTEGER}"
        )
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        self.number(Number::U(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        self.number(Number::I(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        self.number(Number::F(v))
    }
}

/// A number as a deserializer hands it over.
#[derive(Clone, Copy)]
enum Number {
    U(u64),
    I(i64),
    F(f64),
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::U(v) => write!(f, "{v}"),
            Self::I(v) => write!(f, "{v}"),
            // Debug writes 1e300 rather than three hundred digits.
            Self::F(v) => write!(f, "{v:?}"),
        }
    }
}

/// A document integer: whole, from 0 to `max` (at most [`MAX_DOCUMENT_INTEGER`]).
/// JSON parsers hand over integers; JS values arrive as doubles, exact up to `max`.
struct Int<'f> {
    found: &'f Found,
    field: &'f str,
    max: u64,
}

impl<'f> Int<'f> {
    fn any(found: &'f Found, field: &'f str) -> Self {
        Self::up_to(found, field, MAX_DOCUMENT_INTEGER)
    }

    fn up_to(found: &'f Found, field: &'f str, max: u64) -> Self {
        Self { found, field, max }
    }

    fn check<E: de::Error>(&self, n: Number) -> Result<u64, E> {
        let value = match n {
            Number::U(v) => Some(v),
            Number::I(v) => u64::try_from(v).ok(),
            // Whole and at most 2^53 - 1, so the conversion is exact.
            Number::F(v) => ((0.0..=MAX_DOCUMENT_INTEGER as f64).contains(&v)
                && v == (v as u64) as f64)
                .then_some(v as u64),
        };
        match value {
            Some(v) if v <= self.max => Ok(v),
            _ => Err(self.found.rule(
                self.field,
                RingError::InvalidArgument,
                Some(format!(
                    "must be a whole number from 0 to {}, got {n}",
                    self.max
                )),
            )),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Int<'_> {
    type Value = u64;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for Int<'_> {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a whole number from 0 to {}", self.max)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        self.check(Number::U(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        self.check(Number::I(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        self.check(Number::F(v))
    }
}
