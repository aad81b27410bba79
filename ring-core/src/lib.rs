//! # ringroute
//!
//! A consistent-hash ring that answers "which node owns key X?" identically on every
//! platform, and moves about 1/n of the keys when one of n nodes joins or leaves.
//!
//! - [`HashRing`] — membership, lookup ([`get`](HashRing::get)), replica lists
//!   ([`get_n`](HashRing::get_n)), shares and balance, and a [`fingerprint`](HashRing::fingerprint).
//! - [`RingConfig`] — virtual nodes per unit of weight and the hash seed, validated.
//! - [`diff`] / [`diff_replicas`] — the exact arcs (and replica lists) that change
//!   between two rings: a migration [`Plan`] and a [`ReplicaPlan`].
//! - [`Transition`] — a scaling event: old and new ring, deterministic gradual cut-over,
//!   and [`Route`]s with the previous owner for dual delivery.
//! - [`BoundedLoads`] — assignment of persistent items under a load cap.
//! - [`Snapshot`] — the membership document a coordination service stores.
//! - [`Ketama`] — libmemcached's weighted ketama continuum, key for key (feature
//!   `ketama`, on by default).
//! - [`ModuloRouter`] — the `hash % n` baseline, for comparison.
//! - [`murmur3_32`] — the ring's hash, MurmurHash3 x86_32.
//!
//! The ring is fully specified in `SPEC.md`: a port that follows it routes every key the
//! same way, which the golden vectors in `tests/vectors/` check on every target.
//!
//! `#![no_std]` with `alloc`; the `std` feature only passes std on to dependencies, and
//! `serde` reads and writes [`Snapshot`]s and derives `Serialize`/`Deserialize` for
//! [`RingConfig`] and [`Balance`].
#![cfg_attr(not(test), no_std)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

extern crate alloc;

mod admission;
mod bounded;
mod config;
mod document;
mod error;
mod fingerprint;
mod hash;
#[cfg(feature = "ketama")]
mod ketama;
mod modulo;
mod plan;
mod replica_plan;
mod ring;
mod snapshot;
#[cfg(feature = "serde")]
mod snapshot_serde;
mod stats;
mod table;
mod transition;

pub use bounded::BoundedLoads;
pub use config::{RingConfig, DEFAULT_VNODES, MAX_VNODES};
pub use document::DocValue;
pub use error::RingError;
pub use hash::murmur3_32;
#[cfg(feature = "ketama")]
pub use ketama::{
    ketama_digests, ketama_hash, Ketama, KetamaServer, KETAMA_DEFAULT_PORT, KETAMA_MAX_HOST,
    KETAMA_POINTS_PER_SERVER,
};
pub use modulo::ModuloRouter;
pub use plan::{diff, Flow, Move, Plan};
pub use replica_plan::{diff_replicas, ReplicaChange, ReplicaPlan};
pub use ring::{
    vnode_count, HashRing, Iter, Node, SuccessorIndices, Successors, MAX_ID_BYTES, MAX_NODES,
    MAX_NODE_POINTS, MAX_POINTS,
};
pub use snapshot::{Server, Snapshot, SnapshotError, MAX_DOCUMENT_INTEGER, SNAPSHOT_VERSION};
pub use stats::{Balance, RING_SIZE};
pub use transition::{Route, Transition};

/// The crate README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
