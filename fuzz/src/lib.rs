//! The fuzz bodies as a library for the cargo-fuzz targets; `filter/tests/fuzz_regressions.rs`
//! includes the same file natively.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub mod bodies;
