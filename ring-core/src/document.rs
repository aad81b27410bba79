//! The membership document (`SPEC.md`, section 14) as plain values, and its one parser
//! and validator, [`Snapshot::from_value`]. Every front end converts its input to a
//! [`DocValue`] and calls it: serde (feature `serde`) and the JS binding alike, so no
//! rule is stated twice.
//!
//! Messages never format a float (Rust's float printing would double the wasm module):
//! numbers are echoed only when they are whole and at most [`MAX_DOCUMENT_INTEGER`] in
//! size, through `u64`'s `Display`.

use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};

use crate::{
    RingConfig, RingError, Server, Snapshot, SnapshotError, DEFAULT_VNODES, MAX_DOCUMENT_INTEGER,
    MAX_NODES, MAX_VNODES, SNAPSHOT_VERSION,
};

/// A JSON-like value, as a membership document is made of.
#[derive(Debug, Clone, PartialEq)]
pub enum DocValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// Any number. Integers above 2^53 may arrive rounded: rounding is monotone and 2^53
    /// is a double, so a number past [`MAX_DOCUMENT_INTEGER`] stays past it.
    Number(f64),
    /// Text.
    String(String),
    /// Text with no UTF-8 form, such as a JS string with a lone UTF-16 surrogate, held
    /// with U+FFFD in place of each lone surrogate. A node id must not be one (two ids
    /// could become one); anywhere else it reads as that replacement.
    LossyString(String),
    /// A value JSON has no form for (a JS `undefined` array element, bigint, function or
    /// symbol), by the name of its type: refused wherever it appears.
    Other(&'static str),
    /// An array.
    Array(Vec<DocValue>),
    /// An object's entries in document order; a repeated key stays repeated, so that it
    /// can be refused.
    Object(Vec<(String, DocValue)>),
}

impl DocValue {
    /// How deep containers nest in a valid document (the document, `servers`, a
    /// server). The parser never looks inside a container nested deeper, so a front end
    /// may pass such a container as an empty one of the same kind, and need not recurse.
    pub const MAX_DEPTH: usize = 3;
    /// The parser refuses an object by its sixth entry at the latest (there are five
    /// known fields): a front end may pass only an object's first six entries.
    pub const OBJECT_ENTRIES_READ: usize = 6;
    /// The parser refuses an array by element `MAX_NODES + 1` at the latest
    /// (`TOO_MANY_NODES`): a front end may pass only that many elements.
    pub const ARRAY_ELEMENTS_READ: usize = MAX_NODES + 1;

    /// The value's type as a message names it, with the value when it is short.
    fn describe(&self) -> String {
        match self {
            Self::Null => "null".into(),
            Self::Bool(b) => format!("boolean `{b}`"),
            Self::Number(n) => match whole(*n) {
                Some(text) => format!("integer `{text}`"),
                None => "number".into(),
            },
            Self::String(s) | Self::LossyString(s) => {
                // Long ids are kilobytes: quote the start only.
                let start: String = s.chars().take(32).collect();
                let more = if start.len() < s.len() { "..." } else { "" };
                format!("string \"{start}{more}\"")
            }
            Self::Other(name) => (*name).into(),
            Self::Array(_) => "array".into(),
            Self::Object(_) => "object".into(),
        }
    }
}

/// `n` as decimal text when it is whole and at most [`MAX_DOCUMENT_INTEGER`] in size
/// (exactly what the document held); NaN and the infinities by name; else `None`.
fn whole(n: f64) -> Option<String> {
    let limit = MAX_DOCUMENT_INTEGER as f64;
    if n.is_nan() {
        Some("NaN".into())
    } else if n.is_infinite() {
        Some(if n > 0.0 { "Infinity" } else { "-Infinity" }.into())
    } else if !(-limit..=limit).contains(&n) || n != (n as i64) as f64 {
        None
    } else if n < 0.0 {
        Some(format!("-{}", (-n) as u64))
    } else {
        Some((n as u64).to_string())
    }
}

/// A refusal at `field`.
fn refuse(field: &str, error: RingError, detail: String) -> SnapshotError {
    SnapshotError {
        field: field.into(),
        error,
        detail: Some(detail),
        lone_surrogate: false,
    }
}

/// A value of the wrong type at `field`.
fn wrong_type(field: &str, found: &DocValue, expected: &str) -> SnapshotError {
    let detail = format!("invalid type: {}, expected {expected}", found.describe());
    refuse(field, RingError::InvalidType, detail)
}

/// A whole number from 0 to `max` (at most [`MAX_DOCUMENT_INTEGER`]).
fn int(value: &DocValue, field: &str, max: u64) -> Result<u64, SnapshotError> {
    let DocValue::Number(n) = *value else {
        return Err(wrong_type(
            field,
            value,
            &format!("a whole number from 0 to {max}"),
        ));
    };
    // Whole and at most 2^53 - 1, so the conversion is exact.
    if (0.0..=max as f64).contains(&n) && n == (n as u64) as f64 {
        return Ok(n as u64);
    }
    let got = whole(n).map_or_else(String::new, |text| format!(", got {text}"));
    Err(refuse(
        field,
        RingError::InvalidArgument,
        format!("must be a whole number from 0 to {max}{got}"),
    ))
}

/// `vnodes`: read as [`int`] reads it, but like the JS argument, any number that is no
/// valid count (NaN, -1, 1.5, 2^53) is `INVALID_VNODES` (SPEC.md §15).
fn vnodes_count(value: &DocValue, field: &str) -> Result<u64, SnapshotError> {
    int(value, field, MAX_DOCUMENT_INTEGER).map_err(|e| match (e.error, value) {
        (RingError::InvalidArgument, DocValue::Number(n)) => {
            let got = whole(*n).map_or_else(String::new, |text| format!(", got {text}"));
            refuse(
                field,
                RingError::InvalidVnodes { vnodes: 0 },
                format!("vnodes must be a whole number from 1 to {MAX_VNODES}{got}"),
            )
        }
        _ => e,
    })
}

/// Refuses a field given twice when `seen`.
fn once(seen: bool, field: &str) -> Result<(), SnapshotError> {
    if seen {
        return Err(refuse(
            field,
            RingError::InvalidType,
            format!("duplicate field `{field}`"),
        ));
    }
    Ok(())
}

/// The config of `vnodes` and `seed`, both already read as whole numbers in range:
/// [`RingConfig::new`] states the vnodes rule.
fn config(vnodes: Option<u64>, seed: Option<u64>) -> Result<RingConfig, SnapshotError> {
    let vnodes = vnodes.unwrap_or(DEFAULT_VNODES.into());
    // Anything past u32 is refused by `new` as u32::MAX, with the real value in detail.
    let narrow = u32::try_from(vnodes).unwrap_or(u32::MAX);
    // The seed was read with the bound u32::MAX.
    let seed = seed.map_or(0, |s| s as u32);
    RingConfig::new(narrow, seed).map_err(|error| SnapshotError {
        field: "vnodes".into(),
        error,
        detail: (u64::from(narrow) != vnodes)
            .then(|| format!("vnodes must be a whole number from 1 to {MAX_VNODES}, got {vnodes}")),
        lone_surrogate: false,
    })
}

impl Snapshot {
    /// Parses and validates a membership document: the one parser every front end
    /// (serde, the JS binding) feeds. Every rule of the document is checked here except
    /// [`RingError::ShadowedNode`], which [`to_ring`](Self::to_ring) checks when it
    /// hashes the points.
    ///
    /// Fields are checked in document order as they are read (types, repeated and
    /// unknown fields, integer ranges, `version`, `vnodes`, `seed`; each server's fields
    /// in their own order, a missing `id` when its object ends); a `servers` array is
    /// refused with [`RingError::TooManyNodes`] at its element `MAX_NODES + 1`; then a
    /// missing `servers`; then the membership rules of
    /// [`HashRing::add_all`](crate::HashRing::add_all).
    ///
    /// # Errors
    /// The first broken rule, with its field: [`RingError::InvalidType`] for a value of
    /// the wrong type, a missing, unknown or repeated field; [`RingError::InvalidArgument`]
    /// for an integer that is not whole or not in `0..=`[`MAX_DOCUMENT_INTEGER`] (`seed`:
    /// `0..=2^32-1`); [`RingError::UnsupportedVersion`]; [`RingError::InvalidVnodes`];
    /// an id with no UTF-8 form ([`SnapshotError::code`] `INVALID_ID`); then the
    /// membership rules.
    pub fn from_value(doc: &DocValue) -> Result<Self, SnapshotError> {
        let DocValue::Object(entries) = doc else {
            return Err(wrong_type(
                "",
                doc,
                "a ring snapshot: an object with a \"servers\" array",
            ));
        };
        let (mut version, mut epoch, mut vnodes, mut seed, mut servers) =
            (None, None, None, None, None);
        for (key, value) in entries {
            let key = key.as_str();
            match key {
                "version" => {
                    once(version.is_some(), key)?;
                    let v = int(value, key, MAX_DOCUMENT_INTEGER)?;
                    version = Some(v);
                    if v != u64::from(SNAPSHOT_VERSION) {
                        return Err(refuse(
                            key,
                            RingError::UnsupportedVersion,
                            format!(
                                "this build reads snapshot version {SNAPSHOT_VERSION}, not {v}"
                            ),
                        ));
                    }
                }
                "epoch" => {
                    once(epoch.is_some(), key)?;
                    epoch = Some(int(value, key, MAX_DOCUMENT_INTEGER)?);
                }
                "vnodes" => {
                    once(vnodes.is_some(), key)?;
                    vnodes = Some(vnodes_count(value, key)?);
                    config(vnodes, None)?;
                }
                "seed" => {
                    once(seed.is_some(), key)?;
                    seed = Some(int(value, key, u32::MAX.into())?);
                }
                "servers" => {
                    once(servers.is_some(), key)?;
                    servers = Some(read_servers(value)?);
                }
                other => {
                    return Err(refuse(
                        other,
                        RingError::InvalidType,
                        format!(
                        "unknown field `{other}`, expected version, epoch, vnodes, seed or servers"
                    ),
                    ))
                }
            }
        }
        let config = config(vnodes, seed)?;
        let Some(servers) = servers else {
            return Err(refuse(
                "servers",
                RingError::InvalidType,
                "missing field `servers`".into(),
            ));
        };
        let snapshot = Snapshot {
            epoch: epoch.unwrap_or(0),
            config,
            servers,
        };
        snapshot.admit()?;
        Ok(snapshot)
    }
}

/// The `servers` array, read up to element `MAX_NODES + 1`.
fn read_servers(value: &DocValue) -> Result<Vec<Server>, SnapshotError> {
    let DocValue::Array(items) = value else {
        return Err(wrong_type(
            "servers",
            value,
            "an array of {\"id\", \"address\", \"weight\"} objects in servers",
        ));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        out.push(read_server(item, &format!("servers[{i}]"))?);
        if out.len() > MAX_NODES {
            // The ring's own count rule refuses it; the rest is never read.
            let refused = Snapshot {
                epoch: 0,
                config: RingConfig::default(),
                servers: out,
            };
            // (`expect_err` would format the `Ok` value with `Debug`.)
            let Err(e) = refused.admit() else {
                unreachable!("admit refuses more than MAX_NODES servers")
            };
            return Err(e);
        }
    }
    Ok(out)
}

/// One server object; a numeric id is read as its decimal string.
fn read_server(value: &DocValue, at: &str) -> Result<Server, SnapshotError> {
    let DocValue::Object(entries) = value else {
        return Err(wrong_type(at, value, "a server object with an \"id\""));
    };
    let (mut id, mut address, mut weight) = (None, None, None);
    for (key, value) in entries {
        let field = format!("{at}.{key}");
        match key.as_str() {
            "id" => {
                once(id.is_some(), &field)?;
                id = Some(read_id(value, &field)?);
            }
            "address" => {
                once(address.is_some(), &field)?;
                address = Some(match value {
                    DocValue::Null => None,
                    DocValue::String(s) | DocValue::LossyString(s) => Some(s.clone()),
                    _ => return Err(wrong_type(&field, value, "a string or null")),
                });
            }
            "weight" => {
                once(weight.is_some(), &field)?;
                let DocValue::Number(w) = *value else {
                    return Err(wrong_type(&field, value, "a number"));
                };
                weight = Some(w);
            }
            other => {
                return Err(refuse(
                    &field,
                    RingError::InvalidType,
                    format!("unknown field `{other}`, expected id, address or weight"),
                ))
            }
        }
    }
    let Some(id) = id else {
        return Err(refuse(
            at,
            RingError::InvalidType,
            "missing field `id`".into(),
        ));
    };
    Ok(Server {
        id,
        address: address.flatten(),
        weight: weight.unwrap_or(1.0),
    })
}

/// A node id: a string with a UTF-8 form, or a whole number from 0 to
/// [`MAX_DOCUMENT_INTEGER`] as its decimal string.
fn read_id(value: &DocValue, field: &str) -> Result<String, SnapshotError> {
    match value {
        DocValue::String(s) => Ok(s.clone()),
        DocValue::Number(_) => int(value, field, MAX_DOCUMENT_INTEGER).map(|n| n.to_string()),
        DocValue::LossyString(_) => Err(SnapshotError {
            lone_surrogate: true,
            ..refuse(
                field,
                RingError::InvalidType,
                "has a lone UTF-16 surrogate, which has no UTF-8 form".into(),
            )
        }),
        _ => Err(wrong_type(
            field,
            value,
            &format!("a string or a whole number from 0 to {MAX_DOCUMENT_INTEGER}"),
        )),
    }
}
