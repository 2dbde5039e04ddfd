//! An in-memory proxy for the flow: the request and response as the proxy holds them, and a
//! record of every effect the flow asked for.

use std::collections::HashMap;

use itar_filter::audit::Chain;
use itar_filter::engine::quota::{SharedStore, StoreError};
use itar_filter::flow::{Exchange, Host, HostError, Loaded, LogLevel, Step};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct LocalReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl LocalReply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub struct FakeHost {
    pub request_headers: Vec<(String, String)>,
    pub request_body: Vec<u8>,
    pub response_headers: Vec<(String, String)>,
    /// The response bytes the proxy holds for the current callback (chunk or buffered body).
    pub response_body: Vec<u8>,
    pub reply: Option<LocalReply>,
    pub route_cache_cleared: usize,
    pub properties: HashMap<Vec<String>, Vec<u8>>,
    pub shared: HashMap<String, (Vec<u8>, u32)>,
    pub now: u128,
    pub logs: Vec<(LogLevel, String)>,
    pub audit_lines: Vec<Vec<u8>>,
    pub chain: Chain,
    /// Every host call, by name, in order.
    pub calls: Vec<&'static str>,
}

impl FakeHost {
    pub fn new() -> FakeHost {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        FakeHost {
            request_headers: Vec::new(),
            request_body: Vec::new(),
            response_headers: Vec::new(),
            response_body: Vec::new(),
            reply: None,
            route_cache_cleared: 0,
            properties: HashMap::new(),
            shared: HashMap::new(),
            now,
            logs: Vec::new(),
            audit_lines: Vec::new(),
            chain: Chain::new("test-chain".into()),
            calls: Vec::new(),
        }
    }

    pub fn set_property(&mut self, path: &[&str], value: Vec<u8>) {
        self.properties
            .insert(path.iter().map(|s| s.to_string()).collect(), value);
    }

    pub fn request_header_value(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn response_header_value(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The audit records handed to the access log, parsed.
    pub fn audits(&self) -> Vec<Value> {
        self.audit_lines
            .iter()
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect()
    }

    /// A new request on the same proxy (shared data, chain, clock and audit lines carry over).
    pub fn next_request(&mut self) {
        self.request_headers.clear();
        self.request_body.clear();
        self.response_headers.clear();
        self.response_body.clear();
        self.reply = None;
        self.route_cache_cleared = 0;
        self.properties.clear();
        self.calls.clear();
    }
}

fn set(map: &mut Vec<(String, String)>, name: &str, value: Option<&str>) {
    map.retain(|(k, _)| k != name);
    if let Some(v) = value {
        map.push((name.to_string(), v.to_string()));
    }
}

impl SharedStore for FakeHost {
    fn get(&mut self, key: &str) -> (Option<Vec<u8>>, Option<u32>) {
        self.calls.push("get_shared_data");
        match self.shared.get(key) {
            Some((v, c)) => (Some(v.clone()), Some(*c)),
            None => (None, None),
        }
    }
    fn set(&mut self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), StoreError> {
        self.calls.push("set_shared_data");
        let cur = self.shared.get(key).map(|(_, c)| *c);
        if let (Some(want), Some(have)) = (cas, cur) {
            if want != have {
                return Err(StoreError::CasMismatch);
            }
        }
        let next = cur.unwrap_or(0) + 1;
        self.shared.insert(key.to_string(), (value.to_vec(), next));
        Ok(())
    }
}

impl Host for FakeHost {
    fn request_headers(&mut self) -> Result<Vec<(String, String)>, HostError> {
        self.calls.push("get_request_headers");
        Ok(self.request_headers.clone())
    }
    fn request_header(&mut self, name: &str) -> Option<String> {
        self.calls.push("get_request_header");
        self.request_header_value(name).map(str::to_string)
    }
    fn set_request_header(&mut self, name: &str, value: Option<&str>) -> Result<(), HostError> {
        self.calls.push("set_request_header");
        set(&mut self.request_headers, name, value);
        Ok(())
    }
    fn remove_request_trailers(&mut self) {
        self.calls.push("remove_request_trailers");
    }
    fn request_body(&mut self, size: usize) -> Option<Vec<u8>> {
        self.calls.push("get_request_body");
        Some(self.request_body[..size.min(self.request_body.len())].to_vec())
    }
    fn set_request_body(&mut self, size: usize, body: &[u8]) -> Result<(), HostError> {
        self.calls.push("set_request_body");
        let size = size.min(self.request_body.len());
        self.request_body.splice(..size, body.iter().copied());
        Ok(())
    }
    fn response_header(&mut self, name: &str) -> Option<String> {
        self.calls.push("get_response_header");
        self.response_header_value(name).map(str::to_string)
    }
    fn set_response_header(&mut self, name: &str, value: Option<&str>) {
        self.calls.push("set_response_header");
        set(&mut self.response_headers, name, value);
    }
    fn response_body(&mut self, size: usize) -> Option<Vec<u8>> {
        self.calls.push("get_response_body");
        Some(self.response_body[..size.min(self.response_body.len())].to_vec())
    }
    fn set_response_body(&mut self, size: usize, body: &[u8]) {
        self.calls.push("set_response_body");
        let size = size.min(self.response_body.len());
        self.response_body.splice(..size, body.iter().copied());
    }
    fn send_reply(&mut self, status: u16, headers: Vec<(&str, &str)>, body: &[u8]) {
        self.calls.push("send_reply");
        assert!(self.reply.is_none(), "two local replies for one request");
        self.reply = Some(LocalReply {
            status,
            headers: headers
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        });
    }
    fn clear_route_cache(&mut self) {
        self.calls.push("clear_route_cache");
        self.route_cache_cleared += 1;
    }
    fn property(&mut self, path: &[&str]) -> Option<Vec<u8>> {
        self.calls.push("get_property");
        let key: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        self.properties.get(&key).cloned()
    }
    fn now_nanos(&mut self) -> u128 {
        self.calls.push("get_current_time");
        self.now
    }
    fn log(&mut self, level: LogLevel, msg: &str) {
        self.calls.push("log");
        self.logs.push((level, msg.to_string()));
    }
    fn set_audit_line(&mut self, line: &[u8]) {
        self.calls.push("set_property");
        self.audit_lines.push(line.to_vec());
    }
    fn with_chain<R>(&mut self, f: impl FnOnce(&mut Chain) -> R) -> R {
        f(&mut self.chain)
    }
}

pub type Headers = Vec<(String, String)>;

/// What the client saw of an exchange.
pub struct Outcome {
    /// The filter's own reply, if it answered instead of forwarding.
    pub reply: Option<LocalReply>,
    /// The request as it went upstream (None when it did not).
    pub upstream: Option<(Headers, Vec<u8>)>,
}

/// Run a request through the flow the way Envoy calls it: headers, then the body in one piece
/// (end of stream with the headers when it is empty).
pub fn send_request(
    loaded: &Loaded,
    host: &mut FakeHost,
    ex: &mut Exchange,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Outcome {
    host.request_headers = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    host.request_body = body.to_vec();
    let mut step = ex.on_request_headers(Some(loaded), host, body.is_empty());
    if step == Step::Pause && host.reply.is_none() && !body.is_empty() {
        step = ex.on_request_body(Some(loaded), host, body.len(), true);
    }
    let upstream = (step == Step::Continue && host.reply.is_none())
        .then(|| (host.request_headers.clone(), host.request_body.clone()));
    Outcome {
        reply: host.reply.clone(),
        upstream,
    }
}

/// What the client received of the upstream's answer.
pub struct Received {
    pub status: String,
    pub headers: Vec<(String, String)>,
    /// The bytes the client got, write by write (what each callback let through).
    pub writes: Vec<Vec<u8>>,
}

impl Received {
    pub fn body(&self) -> Vec<u8> {
        self.writes.concat()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The upstream answers with `status`, `headers` and the body in `chunks`: Envoy's buffering
/// is modelled (a paused body is handed over again, grown, at the next callback).
pub fn upstream_answers(
    loaded: &Loaded,
    host: &mut FakeHost,
    ex: &mut Exchange,
    status: u16,
    headers: &[(&str, &str)],
    chunks: &[&[u8]],
) -> Received {
    host.response_headers = vec![(":status".into(), status.to_string())];
    host.response_headers
        .extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    ex.on_response_headers(Some(loaded), host, chunks.is_empty());
    let mut writes = Vec::new();
    let mut buffered: Vec<u8> = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let last = i + 1 == chunks.len();
        buffered.extend_from_slice(chunk);
        host.response_body = std::mem::take(&mut buffered);
        let n = host.response_body.len();
        match ex.on_response_body(Some(loaded), host, n, last) {
            Step::Continue => writes.push(std::mem::take(&mut host.response_body)),
            Step::Pause => buffered = std::mem::take(&mut host.response_body),
        }
    }
    assert!(buffered.is_empty(), "a body held at end of stream");
    let status = host
        .response_header_value(":status")
        .unwrap_or_default()
        .to_string();
    Received {
        status,
        headers: host.response_headers.clone(),
        writes,
    }
}

/// The end of the exchange: Envoy's response properties, then the access-log callback.
pub fn finish(loaded: &Loaded, host: &mut FakeHost, ex: &mut Exchange, status: u16, bytes: u64) {
    host.set_property(
        &["response", "code"],
        u64::from(status).to_le_bytes().to_vec(),
    );
    host.set_property(&["response", "total_size"], bytes.to_le_bytes().to_vec());
    ex.on_log(Some(loaded), host);
}

/// The proxy-wasm "pairs" encoding of a struct, as jwt_authn's metadata arrives: strings as
/// bytes, numbers as f64, lists as pairs with empty values.
pub fn pairs(items: &[(&[u8], Vec<u8>)]) -> Vec<u8> {
    let mut b = (items.len() as u32).to_le_bytes().to_vec();
    for (k, v) in items {
        b.extend((k.len() as u32).to_le_bytes());
        b.extend((v.len() as u32).to_le_bytes());
    }
    for (k, v) in items {
        b.extend(*k);
        b.push(0);
        b.extend(v);
        b.push(0);
    }
    b
}
