//! Reference models the property tests compare ring-core against.
pub mod bounded;
