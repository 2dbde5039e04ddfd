//! The per-request state machine: the proxy's callbacks in, engine calls in the right order, the
//! proxy's effects out through [`Host`]. Plain Rust, tested natively against a fake host
//! (filter/tests/flow); the proxy adapters (`itar-wasm`, `itar-native`) only forward callbacks and
//! implement [`Host`].
//!
//! - [`request`]: headers -> route, identity, removal of what does not go upstream; body or
//!   trailers -> size limit, inspection (with the shadow policy), quota, rate-limit headers, body
//!   and path rewrite, routing header and route cache, or the local reply.
//! - [`response`]: the response plan (stream, buffer, refuse), stream splicing, buffered
//!   inspection and replacement; at the end of the exchange quota settlement, metrics and the
//!   sealed audit record.

pub mod host;
pub mod request;
pub mod response;

use std::cell::RefCell;

pub use host::{Host, HostError, LogLevel, Step};
pub use request::Exchange;

use crate::config::FilterConfig;
use crate::engine::{Engine, Scratch};
use crate::metrics::Counters;

/// A compiled configuration as one VM runs it: the engines, their reusable scratch, and the
/// counts its requests have not yet handed to the proxy.
pub struct Loaded {
    pub engine: Engine,
    scratch: RefCell<Scratch>,
    /// A candidate policy evaluated beside the enforcing one (audit + metrics only).
    shadow: Option<(Engine, RefCell<Scratch>)>,
    /// The policy's counters, by index (their names are the host metric names).
    pub counters: Counters,
    /// Reused per request: the counters a finished request adds to.
    bumps: RefCell<Vec<(usize, u64)>>,
    /// Counts not yet handed to the proxy, by counter index.
    pending: RefCell<Vec<u64>>,
}

impl Loaded {
    pub fn new(config: FilterConfig) -> Loaded {
        let FilterConfig { engine, shadow } = config;
        let names: Vec<String> = engine.destinations.iter().map(|d| d.name.clone()).collect();
        let counters = Counters::new(&names);
        let pending = RefCell::new(vec![0; counters.names().len()]);
        Loaded {
            scratch: RefCell::new(engine.new_scratch()),
            shadow: shadow.map(|e| {
                let s = RefCell::new(e.new_scratch());
                (e, s)
            }),
            engine,
            counters,
            bumps: RefCell::new(Vec::with_capacity(16)),
            pending,
        }
    }

    pub fn shadow(&self) -> Option<&Engine> {
        self.shadow.as_ref().map(|(e, _)| e)
    }

    /// Count `n` on counter `index`, in the VM: [`Loaded::drain`] hands it on.
    pub fn bump(&self, index: usize, n: u64) {
        if let Ok(mut pending) = self.pending.try_borrow_mut() {
            if let Some(v) = pending.get_mut(index) {
                *v = v.saturating_add(n);
            }
        }
    }

    /// The counts not yet handed on, as (counter index, count) for each that moved; zeroed.
    pub fn drain(&self, mut f: impl FnMut(usize, u64)) {
        if let Ok(mut pending) = self.pending.try_borrow_mut() {
            for (i, v) in pending.iter_mut().enumerate() {
                if *v != 0 {
                    f(i, *v);
                    *v = 0;
                }
            }
        }
    }

    /// `f` with the VM's scratch (a fresh one if it is in use).
    fn with_scratch<R>(&self, f: impl FnOnce(&Engine, &mut Scratch) -> R) -> R {
        match self.scratch.try_borrow_mut() {
            Ok(mut scratch) => f(&self.engine, &mut scratch),
            Err(_) => f(&self.engine, &mut self.engine.new_scratch()),
        }
    }
}
