//! The request side of an exchange: headers, body, trailers -> forward (routing header, route
//! cache, rewrites) or a local reply.

use crate::audit::{rfc3339, AuditRecord};
use crate::engine::quota::Charge;
use crate::engine::{Engine, RequestHead, Route, Scratch, Verdict};
use crate::head::HeadPiece;
use crate::identity::{Identity, PeerCert};
use crate::mask::Masks;
use crate::reply::Reply;
use crate::wire::Format;

use super::response::Resp;
use super::{Host, Loaded, LogLevel, Step};

/// Header the routes use as `cluster_header`. Owned by the gateway: client copies are dropped.
pub const ROUTE_HEADER: &str = "x-itar-destination";
/// The client's own x-request-id, copied by Envoy before it generates its own (envoy/gateway.yaml,
/// early header mutation). Gateway-owned like every `x-itar-*`: it never goes upstream.
pub const CLIENT_REQUEST_ID: &str = "x-itar-client-request-id";
/// jwt_authn's filter metadata namespace (the verified claims are under the policy's key).
pub const JWT_METADATA: &str = "envoy.filters.http.jwt_authn";
/// jwt_authn `failed_status_in_metadata` key (envoy/jwt-authn.yaml): why a token was rejected.
pub const JWT_FAILURE: &str = "jwt_failure";

/// One request and its response, from the first header to the access log.
#[derive(Default)]
pub struct Exchange {
    pub(super) audit: Option<AuditRecord>,
    /// The wire format of an inspected request.
    pub(super) provider: Option<Format>,
    /// An inspected request's body is awaited (the decision is not made yet).
    awaiting_body: bool,
    /// The parts of the request head that go upstream, scanned with the body.
    head: Vec<HeadPiece>,
    /// A listed path's (destination, cluster), while the end of its (empty) body is awaited.
    pass: Option<(String, String)>,
    /// The request body's size so far.
    body_size: usize,
    /// Response headers telling the client what happened.
    pub(super) decision_headers: Vec<(&'static str, String)>,
    /// The destination the request was forwarded to (None: the filter answered itself).
    pub(super) forwarded: Option<String>,
    pub(super) response: Resp,
    /// Quota charges of an admitted request, settled when the response ends.
    pub(super) charges: Vec<Charge>,
    /// Values the request masked, until the response takes them.
    pub(super) masks: Masks,
}

impl Exchange {
    pub fn new() -> Exchange {
        Exchange::default()
    }

    /// The audit record as it stands (None before the headers, or without a policy).
    pub fn audit(&self) -> Option<&AuditRecord> {
        self.audit.as_ref()
    }

    pub fn on_request_headers<H: Host>(
        &mut self,
        loaded: Option<&Loaded>,
        host: &mut H,
        end_of_stream: bool,
    ) -> Step {
        let Some(loaded) = loaded else {
            // No policy compiled in this VM: refuse rather than pass, in the format the path speaks.
            let path = host.request_header(":path").unwrap_or_default();
            let request_id = host.request_header("x-request-id").unwrap_or_default();
            let provider = Format::for_unknown_path(&path);
            let r = crate::reply::error_reply(
                provider,
                503,
                "policy_unavailable",
                "gateway policy not loaded",
                &request_id,
            );
            self.reply(host, &r);
            return Step::Pause;
        };
        let engine = &loaded.engine;
        let read = host.request_headers();
        let headers_read = read.is_ok();
        let headers = read.unwrap_or_default();
        let mut head = RequestHead::default();
        for (k, v) in &headers {
            match k.as_str() {
                ":method" => head.method = v.clone(),
                ":path" => head.path = v.clone(),
                "x-request-id" => head.request_id = v.clone(),
                "content-type" => head.content_type = v.clone(),
                "content-encoding" => head.content_encoding = v.clone(),
                CLIENT_REQUEST_ID => head.client_request_id = Some(v.clone()),
                _ => {}
            }
        }
        head.source = host
            .property(&["source", "address"])
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        if let Some(h) = &engine.network.country_header {
            head.country = headers.iter().find(|(k, _)| k == h).map(|(_, v)| v.clone());
        }
        let now = host.now_nanos();
        let mut audit = engine.audit_start(&head, rfc3339(now));
        if engine.identity.is_some() {
            audit.identity = Some(identity(engine, &headers, host));
        }
        if !headers_read {
            // Without the header map nothing can be said of what would go upstream.
            self.audit = Some(audit);
            return self.internal_error(
                host,
                engine,
                Format::Openai,
                "reading the request headers failed",
            );
        }
        head.headers = headers;
        let route = loaded.with_scratch(|engine, scratch| engine.route(scratch, &head, &mut audit));
        self.audit = Some(audit);
        let remove = match &route {
            Route::Refuse(r) => return self.reply(host, r),
            Route::Inspect { remove, .. } | Route::Passthrough { remove, .. } => remove,
        };
        // Every header that is not forwarded is removed (docs/architecture.md, "Complete
        // mediation"); the ones that go are scanned with the body or here.
        for name in remove {
            if host.set_request_header(name, None).is_err() {
                return self.internal_error(
                    host,
                    engine,
                    Format::Openai,
                    "removing a request header failed",
                );
            }
        }
        // Upstreams must answer in a form the filter can read.
        let _ = host.set_request_header("accept-encoding", Some("identity"));
        match route {
            Route::Refuse(_) => Step::Pause,
            Route::Passthrough {
                destination,
                cluster,
                format,
                ..
            } => {
                // The answer is read in the path's format (an MCP server's own event stream).
                self.provider = Some(format);
                if end_of_stream {
                    self.pass_through(host, destination, &cluster);
                    return Step::Continue;
                }
                // Wait for the end of the request: a listed path carries no body.
                self.pass = Some((destination, cluster));
                Step::Pause
            }
            Route::Inspect {
                provider,
                head: pieces,
                ..
            } => {
                self.provider = Some(provider);
                self.awaiting_body = true;
                self.head = pieces;
                if end_of_stream {
                    return self.inspect(loaded, host, provider, &[]);
                }
                Step::Pause
            }
        }
    }

    pub fn on_request_body<H: Host>(
        &mut self,
        loaded: Option<&Loaded>,
        host: &mut H,
        body_size: usize,
        end_of_stream: bool,
    ) -> Step {
        self.body_size = body_size;
        if self.pass.is_some() {
            return self.pass_body(loaded, host, body_size, end_of_stream);
        }
        let (Some(loaded), Some(provider), true) = (loaded, self.provider, self.awaiting_body)
        else {
            return Step::Continue;
        };
        if body_size > loaded.engine.limits.max_body_bytes {
            // Refused by size alone, before the rest of the body is buffered.
            let Some(mut audit) = self.audit.take() else {
                return Step::Continue;
            };
            self.awaiting_body = false;
            let reply = loaded
                .engine
                .refuse_oversize(provider, body_size, &mut audit);
            self.audit = Some(audit);
            return self.reply(host, &reply);
        }
        if !end_of_stream {
            return Step::Pause;
        }
        let body = host.request_body(body_size).unwrap_or_default();
        self.inspect(loaded, host, provider, &body)
    }

    /// Trailers end the request (HTTP/2, chunked HTTP/1.1): the buffered body is complete and is
    /// decided here like any other. Request trailers never go upstream.
    pub fn on_request_trailers<H: Host>(&mut self, loaded: Option<&Loaded>, host: &mut H) -> Step {
        host.remove_request_trailers();
        if self.pass.is_some() {
            return self.pass_body(loaded, host, self.body_size, true);
        }
        let (Some(loaded), Some(provider), true) = (loaded, self.provider, self.awaiting_body)
        else {
            return Step::Continue;
        };
        let body = host.request_body(self.body_size).unwrap_or_default();
        if body.len() != self.body_size {
            return self.internal_error(
                host,
                &loaded.engine,
                provider,
                "reading the request body failed",
            );
        }
        self.inspect(loaded, host, provider, &body)
    }

    /// Send `r` as the local reply, with the decision header.
    pub(super) fn reply<H: Host>(&mut self, host: &mut H, r: &Reply) -> Step {
        let mut headers: Vec<(&str, &str)> = vec![("content-type", "application/json")];
        for (k, v) in &r.headers {
            headers.push((k, v.as_str()));
        }
        if let Some(a) = &self.audit {
            headers.push(("x-itar-decision", a.decision.as_str()));
        }
        host.send_reply(r.status, headers, &r.body);
        Step::Pause
    }

    fn internal_error<H: Host>(
        &mut self,
        host: &mut H,
        engine: &Engine,
        provider: Format,
        msg: &str,
    ) -> Step {
        let mut audit = self.audit.take().unwrap_or_default();
        let reply = engine.internal_error(provider, &mut audit, msg);
        self.audit = Some(audit);
        self.reply(host, &reply)
    }

    fn forward<H: Host>(&mut self, host: &mut H, destination: String, cluster: &str) {
        self.forwarded = Some(destination.clone());
        self.decision_headers.push((ROUTE_HEADER, destination));
        let _ = host.set_request_header(ROUTE_HEADER, Some(cluster));
        host.clear_route_cache();
    }

    /// A listed path's body phase: anything but an empty body is refused.
    fn pass_body<H: Host>(
        &mut self,
        loaded: Option<&Loaded>,
        host: &mut H,
        body_size: usize,
        end_of_stream: bool,
    ) -> Step {
        if body_size > 0 {
            self.pass = None;
            let (Some(loaded), Some(mut audit)) = (loaded, self.audit.take()) else {
                return Step::Pause;
            };
            let reply = loaded.engine.refuse_passthrough_body(&mut audit, body_size);
            self.audit = Some(audit);
            return self.reply(host, &reply);
        }
        if !end_of_stream {
            return Step::Pause;
        }
        match self.pass.take() {
            Some((destination, cluster)) => {
                self.pass_through(host, destination, &cluster);
                Step::Continue
            }
            None => Step::Pause,
        }
    }

    fn pass_through<H: Host>(&mut self, host: &mut H, destination: String, cluster: &str) {
        self.forward(host, destination, cluster);
    }

    /// The decision on a complete request: refuse, or quota, rate-limit headers, body and path
    /// rewrite, then route (in this order: nothing is rewritten for a request that is refused).
    fn inspect<H: Host>(
        &mut self,
        loaded: &Loaded,
        host: &mut H,
        provider: Format,
        body: &[u8],
    ) -> Step {
        // Decided once: later callbacks (trailers after a body with end of stream) pass.
        self.awaiting_body = false;
        let head = std::mem::take(&mut self.head);
        let engine = &loaded.engine;
        let Some(mut audit) = self.audit.take() else {
            return Step::Continue;
        };
        // Sealed capture: the record's randomness is drawn before anything is decided or sent;
        // without it the request is refused (it would otherwise pass unrecorded).
        if let Some(sealer) = &engine.sealer {
            match sealer.draw() {
                Ok(seed) => audit.seal_seed = Some(seed),
                Err(e) => {
                    host.log(
                        LogLevel::Error,
                        &format!("itar-filter: sealed capture unavailable: {e}"),
                    );
                    let reply = engine.seal_refusal(provider, &mut audit, &e);
                    self.audit = Some(audit);
                    return self.reply(host, &reply);
                }
            }
        }
        let identity = audit.identity.clone().unwrap_or_else(Identity::missing);
        let t0 = host.now_nanos();
        let mut fresh_scratch;
        let mut borrowed = loaded.scratch.try_borrow_mut();
        let scratch: &mut Scratch = match borrowed.as_deref_mut() {
            Ok(s) => s,
            Err(_) => {
                fresh_scratch = engine.new_scratch();
                &mut fresh_scratch
            }
        };
        let mut shadow_borrow = loaded.shadow.as_ref().map(|(e, s)| (e, s.try_borrow_mut()));
        let shadow = match shadow_borrow.as_mut() {
            Some((e, Ok(s))) => Some((*e, &mut **s)),
            _ => None,
        };
        let (verdict, disagree) = crate::config::inspect(
            engine, shadow, scratch, provider, body, &head, &identity, &mut audit,
        );
        drop(shadow_borrow);
        drop(borrowed);
        if disagree {
            loaded.bump(crate::metrics::SHADOW_DISAGREEMENTS, 1);
        }
        audit.scan_us = Some(((host.now_nanos().saturating_sub(t0)) / 1000) as u64);
        self.audit = Some(audit);
        match verdict {
            Verdict::Refuse(r) => self.reply(host, &r),
            Verdict::Forward {
                destination,
                cluster,
                body: new_body,
                path,
                masks,
            } => {
                self.masks = masks;
                if engine.has_quotas() {
                    let Some(mut audit) = self.audit.take() else {
                        return Step::Continue;
                    };
                    let now = (host.now_nanos() / 1_000_000_000) as u64;
                    let admitted =
                        engine.admit_request(host, provider, &mut audit, &destination, now);
                    self.audit = Some(audit);
                    match admitted {
                        Ok(charges) => self.charges = charges,
                        Err(r) => return self.reply(host, &r),
                    }
                }
                if let Some(a) = &self.audit {
                    for (k, v) in engine.rate_limit_headers(a, &destination) {
                        let _ = host.set_request_header(k, Some(&v));
                    }
                }
                // A rewrite the host refuses must not leave the original going upstream.
                if let Some(b) = new_body {
                    let len = b.len().to_string();
                    let done = host
                        .set_request_body(body.len(), &b)
                        .and_then(|()| host.set_request_header("content-length", Some(&len)));
                    if done.is_err() {
                        return self.internal_error(
                            host,
                            engine,
                            provider,
                            "rewriting the request body failed",
                        );
                    }
                }
                if let Some(p) = path {
                    if host.set_request_header(":path", Some(&p)).is_err() {
                        return self.internal_error(
                            host,
                            engine,
                            provider,
                            "rewriting the request path failed",
                        );
                    }
                }
                self.forward(host, destination, &cluster);
                Step::Continue
            }
        }
    }
}

/// Verified claims from jwt_authn's metadata, or Missing. Never from request headers: the
/// headers are only looked at to see whether two different credentials were sent.
fn identity<H: Host>(engine: &Engine, headers: &[(String, String)], host: &mut H) -> Identity {
    let Some(policy) = &engine.identity else {
        return Identity::missing();
    };
    let mut meta = |key: &str| host.jwt_metadata(key);
    let claims = meta(&policy.metadata_key);
    let failure = if claims.is_none() {
        meta(JWT_FAILURE)
    } else {
        None
    };
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let conflicting = crate::identity::conflicting_credentials(header);
    // The connection's client certificate, from the proxy's TLS stack (two host calls, only when
    // the policy looks at it).
    let peer = policy.client_certificate.as_ref().and_then(|_| {
        let mut prop = |name: &str| {
            host.property(&["connection", name])
                .and_then(|b| String::from_utf8(b).ok())
                .filter(|s| !s.is_empty())
        };
        prop("sha256_peer_certificate_digest").map(|sha256| PeerCert {
            sha256,
            uri: prop("uri_san_peer_certificate"),
        })
    });
    Identity::resolve(policy, claims.as_ref(), failure.as_ref(), conflicting, peer)
}
