//! The benchmark's floor filter (itar_floor.wasm; wasm32 only, never shipped): a proxy-wasm filter
//! that does what the gateway's Envoy-facing side must do and nothing else. It pauses the
//! request until the whole body is in and reads it, routes by setting the route header and
//! clearing the route cache, buffers and reads the response, and leaves a 1.2 KB filter-state
//! value for the access log. No policy, no scan, no identity, no audit chain.
//!
//! `scripts/bench` runs it in the same Envoy configuration as the real filter. The difference
//! between the two is what the filter's own logic costs; the difference between the floor and
//! plain Envoy is what any buffering Wasm filter costs on this Envoy (docs/performance.md).
#![cfg(target_arch = "wasm32")]

use proxy_wasm::hostcalls as host;
use proxy_wasm::traits::{Context, HttpContext};
use proxy_wasm::types::{Action, BufferType, MapType};

proxy_wasm::main! {{
    proxy_wasm::set_http_context(|_, _| -> Box<dyn HttpContext> { Box::new(Floor) });
}}

struct Floor;

impl Context for Floor {}

impl HttpContext for Floor {
    fn on_http_request_headers(&mut self, _n: usize, end_of_stream: bool) -> Action {
        let _ = host::get_map(MapType::HttpRequestHeaders);
        if end_of_stream {
            return self.route();
        }
        Action::Pause
    }

    fn on_http_request_body(&mut self, size: usize, end_of_stream: bool) -> Action {
        if !end_of_stream {
            return Action::Pause;
        }
        let _ = host::get_buffer(BufferType::HttpRequestBody, 0, size);
        self.route()
    }

    fn on_http_response_headers(&mut self, _n: usize, end_of_stream: bool) -> Action {
        if end_of_stream {
            return Action::Continue;
        }
        Action::Pause
    }

    fn on_http_response_body(&mut self, size: usize, end_of_stream: bool) -> Action {
        if !end_of_stream {
            return Action::Pause;
        }
        let _ = host::get_buffer(BufferType::HttpResponseBody, 0, size);
        Action::Continue
    }

    fn on_log(&mut self) {
        let line = [b'x'; 1200];
        let _ = host::set_property(vec!["itar_audit"], Some(&line));
    }
}

impl Floor {
    fn route(&self) -> Action {
        let _ = host::set_map_value(
            MapType::HttpRequestHeaders,
            "x-itar-destination",
            Some("commercial"),
        );
        let _ = host::call_foreign_function("clear_route_cache", None);
        Action::Continue
    }
}
