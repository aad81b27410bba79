//! Serde for [`Snapshot`]: the JSON shape of `SPEC.md`, section 14. Reading is a thin
//! front end: the input becomes a [`DocValue`], which the one parser,
//! [`Snapshot::from_value`], checks. Writing refuses what that parser would refuse.

use alloc::{
    string::{String, ToString},
    vec::Vec,
};
use core::fmt;

use serde::{
    de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor},
    Deserialize, Deserializer, Serialize,
};

use crate::{DocValue, RingError, Server, Snapshot, SnapshotError, SNAPSHOT_VERSION};

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
        let doc = Depth(0).deserialize(deserializer)?;
        Snapshot::from_value(&doc).map_err(de::Error::custom)
    }
}

impl Snapshot {
    /// Parses and validates a membership document from any self-describing serde
    /// deserializer (`serde_json::Deserializer`, `serde_json::Value`, ...), by
    /// [`from_value`](Self::from_value).
    ///
    /// # Errors
    /// As [`from_value`](Self::from_value); input the deserializer itself refuses (JSON
    /// that is not well formed) is [`RingError::InvalidType`] at the document, with the
    /// deserializer's words.
    pub fn from_deserializer<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Self, SnapshotError> {
        let doc = Depth(0)
            .deserialize(deserializer)
            .map_err(|e| SnapshotError {
                detail: Some(e.to_string()),
                ..SnapshotError::new("", RingError::InvalidType)
            })?;
        Self::from_value(&doc)
    }
}

/// Reads a [`DocValue`] nested in `.0` containers: past [`DocValue::MAX_DEPTH`] a
/// container is skipped and passed empty, and only the entries and elements the parser
/// reads are kept (the rest are skipped, not stored).
struct Depth(usize);

impl<'de> DeserializeSeed<'de> for Depth {
    type Value = DocValue;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<DocValue, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Depth {
    type Value = DocValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<DocValue, E> {
        Ok(DocValue::Bool(v))
    }
    // Integers past 2^53 round, but never into 0..=MAX_DOCUMENT_INTEGER (see Number).
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<DocValue, E> {
        Ok(DocValue::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<DocValue, E> {
        Ok(DocValue::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<DocValue, E> {
        Ok(DocValue::Number(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<DocValue, E> {
        Ok(DocValue::String(v.into()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<DocValue, E> {
        Ok(DocValue::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<DocValue, E> {
        Ok(DocValue::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<DocValue, E> {
        Ok(DocValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<DocValue, D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<DocValue, A::Error> {
        let mut items = Vec::new();
        if self.0 < DocValue::MAX_DEPTH {
            while items.len() < DocValue::ARRAY_ELEMENTS_READ {
                match seq.next_element_seed(Depth(self.0 + 1))? {
                    Some(item) => items.push(item),
                    None => return Ok(DocValue::Array(items)),
                }
            }
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(DocValue::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DocValue, A::Error> {
        let mut entries = Vec::new();
        if self.0 < DocValue::MAX_DEPTH {
            while entries.len() < DocValue::OBJECT_ENTRIES_READ {
                match map.next_key::<String>()? {
                    Some(key) => entries.push((key, map.next_value_seed(Depth(self.0 + 1))?)),
                    None => return Ok(DocValue::Object(entries)),
                }
            }
        }
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(DocValue::Object(entries))
    }
}
