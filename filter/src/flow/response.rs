//! The response side of an exchange: stream splicing or buffered inspection of an upstream's
//! answer, then the end of the exchange (quota settlement, metrics, the sealed audit record).

use crate::engine::response::{ResponseCtx, ResponsePlan, ResponseVerdict, StreamState};
use crate::identity::Identity;
use crate::wire::Format;

use super::request::Exchange;
use super::{Host, Loaded, LogLevel, Step};

/// How the response body is being handled.
#[derive(Default)]
pub(super) enum Resp {
    #[default]
    None,
    Buffer(ResponseCtx),
    Refuse(ResponseCtx, &'static str),
    Stream(Box<StreamState>),
    /// The response was replaced; whatever else the upstream sends is dropped.
    Drain,
}

impl Exchange {
    pub fn on_response_headers<H: Host>(
        &mut self,
        loaded: Option<&Loaded>,
        host: &mut H,
        end_of_stream: bool,
    ) -> Step {
        if let Some(a) = &self.audit {
            host.set_response_header("x-itar-decision", Some(&a.decision));
            host.set_response_header("x-itar-policy", Some(&a.policy.version));
        }
        for (k, v) in &self.decision_headers {
            host.set_response_header(k, Some(v));
        }
        // Only responses from upstreams are inspected (the filter's own replies are not).
        let (Some(loaded), Some(dest)) = (loaded, self.forwarded.clone()) else {
            return Step::Continue;
        };
        let content_type = host.response_header("content-type").unwrap_or_default();
        let content_encoding = host.response_header("content-encoding").unwrap_or_default();
        let ctx = self.response_ctx(&dest);
        let engine = &loaded.engine;
        match engine.response_plan(&content_type, &content_encoding) {
            ResponsePlan::Stream => {
                host.set_response_header("content-length", None);
                let rpc_id = self.audit.as_ref().and_then(|a| a.rpc_id.clone());
                let capture = self
                    .audit
                    .as_ref()
                    .is_some_and(|a| engine.captures_answer(a));
                let stream = engine.new_stream(ctx).answering(rpc_id).capturing(capture);
                self.response = Resp::Stream(Box::new(stream));
                Step::Continue
            }
            ResponsePlan::Buffer => {
                self.response = Resp::Buffer(ctx);
                if end_of_stream {
                    return self.finish_buffered(loaded, host, 0);
                }
                Step::Pause
            }
            ResponsePlan::Refuse(code) => {
                self.response = Resp::Refuse(ctx, code);
                if end_of_stream {
                    return self.finish_buffered(loaded, host, 0);
                }
                Step::Pause
            }
        }
    }

    pub fn on_response_body<H: Host>(
        &mut self,
        loaded: Option<&Loaded>,
        host: &mut H,
        body_size: usize,
        end_of_stream: bool,
    ) -> Step {
        let Some(loaded) = loaded else {
            return Step::Continue;
        };
        match &mut self.response {
            Resp::None => Step::Continue,
            Resp::Drain => {
                host.set_response_body(body_size, &[]);
                Step::Continue
            }
            Resp::Stream(st) => {
                let chunk = host.response_body(body_size).unwrap_or_default();
                let out = loaded.with_scratch(|engine, scratch| {
                    engine.stream_chunk(scratch, st, &chunk, end_of_stream)
                });
                if out != chunk {
                    host.set_response_body(body_size, &out);
                }
                Step::Continue
            }
            Resp::Buffer(_) | Resp::Refuse(..) => {
                if body_size > loaded.engine.limits.max_response_bytes || end_of_stream {
                    return self.finish_buffered(loaded, host, body_size);
                }
                Step::Pause
            }
        }
    }

    /// The exchange is over (the access log is written next): settle quotas, count, seal the
    /// audit record into the VM's chain and hand it to the access log. One record per request.
    pub fn on_log<H: Host>(&mut self, loaded: Option<&Loaded>, host: &mut H) {
        let Some(mut audit) = self.audit.take() else {
            return;
        };
        match (&mut self.response, loaded) {
            (Resp::Stream(st), Some(loaded)) => loaded.engine.finish_stream(st, &mut audit),
            (Resp::Buffer(_) | Resp::Refuse(..), _) => {
                // The response ended before its body was complete (upstream reset, client gone).
                audit.response_decision = Some("incomplete".into());
                audit.response_reason = Some("response_ended_early".into());
            }
            _ => {}
        }
        if let (Some(loaded), Some(u)) = (loaded, audit.usage) {
            if !self.charges.is_empty() {
                let actual = u.input_tokens.unwrap_or(0) + u.output_tokens.unwrap_or(0);
                loaded.engine.settle(host, &self.charges, actual);
            }
        }
        if let Some(code) = host.property(&["response", "code"]) {
            audit.response_status = le_u64(&code) as u16;
        }
        if let Some(size) = host.property(&["response", "total_size"]) {
            audit.response_bytes = le_u64(&size) as usize;
        }
        if audit.decision == "pending" {
            // The request ended before the filter decided (client gone, upstream error on headers).
            audit.decision = "incomplete".into();
            audit.reason = "request_ended_before_decision".into();
        }
        if let Some(loaded) = loaded {
            if let Ok(mut bumps) = loaded.bumps.try_borrow_mut() {
                loaded.counters.bumps(&audit, &mut bumps);
                for &(i, n) in bumps.iter() {
                    loaded.bump(i, n);
                }
            }
        }
        audit.finish();
        // Seal into this VM's hash chain (docs/audit.md) and hand the line to the access log.
        let line = host.with_chain(|chain| chain.seal(&mut audit));
        if let (Some(loaded), Some(e)) = (loaded, &audit.capture_error) {
            loaded.bump(crate::metrics::SEAL_FAILURES, 1);
            host.log(
                LogLevel::Error,
                &format!(
                    "itar-filter: request {}: captured texts dropped: {e}",
                    audit.request_id
                ),
            );
        }
        if let Ok(line) = line {
            host.set_audit_line(&line);
        }
    }

    fn response_ctx(&mut self, destination: &str) -> ResponseCtx {
        let audit = self.audit.as_ref();
        ResponseCtx {
            provider: self.provider.unwrap_or(Format::Openai),
            destination: destination.to_string(),
            identity: audit
                .and_then(|a| a.identity.clone())
                .unwrap_or_else(Identity::missing),
            request_id: audit.map(|a| a.request_id.clone()).unwrap_or_default(),
            masks: std::mem::take(&mut self.masks),
        }
    }

    /// End of a buffered response: inspect it whole and pass, rewrite or replace it.
    fn finish_buffered<H: Host>(&mut self, loaded: &Loaded, host: &mut H, size: usize) -> Step {
        let body = host.response_body(size).unwrap_or_default();
        let resp = std::mem::take(&mut self.response);
        let Some(mut audit) = self.audit.take() else {
            return Step::Continue;
        };
        match resp {
            Resp::Buffer(ctx) => {
                let verdict = loaded.with_scratch(|engine, scratch| {
                    engine.inspect_response(scratch, &ctx, &body, &mut audit)
                });
                match verdict {
                    ResponseVerdict::Pass => {}
                    ResponseVerdict::Rewrite(b) => replace_response(host, size, None, &b),
                    ResponseVerdict::Block(r) => {
                        replace_response(host, size, Some(r.status), &r.body);
                        self.response = Resp::Drain;
                    }
                }
            }
            Resp::Refuse(ctx, code) => {
                let r = loaded.engine.response_refusal(
                    &ctx,
                    code,
                    "the model's response is content-encoded and cannot be inspected",
                    &mut audit,
                );
                replace_response(host, size, Some(r.status), &r.body);
                self.response = Resp::Drain;
            }
            other => self.response = other,
        }
        self.audit = Some(audit);
        Step::Continue
    }
}

/// Replace the (paused) response with `body` and, if given, a new status.
fn replace_response<H: Host>(host: &mut H, size: usize, status: Option<u16>, body: &[u8]) {
    if let Some(st) = status {
        host.set_response_header(":status", Some(&st.to_string()));
        host.set_response_header("content-type", Some("application/json"));
        host.set_response_header("content-encoding", None);
    }
    host.set_response_body(size, body);
    let len = body.len().to_string();
    host.set_response_header("content-length", Some(&len));
}

/// A little-endian integer property (Envoy's `response.code`, `response.total_size`).
fn le_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    for (i, x) in b.iter().take(8).enumerate() {
        a[i] = *x;
    }
    u64::from_le_bytes(a)
}
