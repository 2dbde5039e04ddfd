#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
//! ITAR gateway filter: decides whether AI traffic may go where it is going.
//!
//! Everything outside `glue` is plain Rust with no proxy-wasm dependency and is tested natively.
//! The request path is one direction: extract -> normalize -> scan -> decide -> act -> audit
//! (see docs/architecture.md).

pub mod audit;
pub mod classify;
pub mod config;
pub mod ends;
pub mod engine;
pub mod error;
pub mod extract;
pub mod fingerprint;
pub mod flow;
pub mod head;
pub mod identity;
pub mod mask;
pub mod metrics;
pub mod network;
pub mod normalize;
pub mod policy;
pub mod reply;
pub mod scan;
pub mod seal;
pub mod sse;
pub mod template;
pub mod wire;

#[cfg(all(target_arch = "wasm32", not(feature = "floor")))]
mod glue;

/// The benchmark's floor filter instead of the gateway (never shipped; see floor.rs).
#[cfg(all(target_arch = "wasm32", feature = "floor"))]
mod floor;
