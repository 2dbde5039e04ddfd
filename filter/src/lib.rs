#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
//! ITAR gateway filter: decides whether AI traffic may go where it is going.
//!
//! Plain Rust with no proxy dependency, tested natively. The proxies reach it through
//! [`flow::Host`]: itar-wasm (wasm/, proxy-wasm) and itar-native (native/, Envoy dynamic module).
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
