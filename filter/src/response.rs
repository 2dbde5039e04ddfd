//! The response path: model output is held to the same rules as the request.
//!
//! Buffered JSON responses are extracted, scanned and decided as a whole. Streamed (SSE)
//! responses are parsed byte-wise; the text deltas of each choice / content block / tool call are
//! scanned incrementally: each new delta is scanned together with the text still held back and a
//! tail of released text (context), and only the part that can no longer become the start of a
//! match is released, at once. The hold-back is the longest tail from which some pattern is still
//! alive in the all-matches DFA, and the text from a completed primary match of a rule that needs
//! support to decide until that rule's window has closed; capped at
//! `limits.stream_holdback_bytes`.
//!
//! Decision per label found in a response, against the destination that answered and the person
//! who asked: redact labels are redacted; allow labels pass; block labels cut the response;
//! control labels pass only if that destination is approved for them and the caller meets their
//! requirements, otherwise the response is cut. A cut stream ends with an error event in the
//! provider's format (no `[DONE]` / `message_stop` pretending success).

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{label_name, redaction_edits, Engine, LabelHit, Scratch};
use crate::audit::{hex, AuditRecord, LabelRecord, Usage};
use crate::error::InspectError;
use crate::extract::{apply_edits, extract_response, Extracted, Piece};
use crate::identity::Identity;
use crate::mask::Masks;
use crate::normalize::normalize_into;
use crate::policy::{LabelAction, TextDigests};
use crate::reply::{error_reply, Reply};
use crate::sse;
use crate::wire::{self, Flush, Format, StreamKey};

/// Context of released text kept for scanning across deltas (bytes).
const CONTEXT_BYTES: usize = 512;

/// How the response body will be handled, from its headers.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponsePlan {
    /// Buffer the whole body and inspect it (JSON and anything else that is not a stream).
    Buffer,
    /// Parse and scan an SSE stream as it passes.
    Stream,
    /// Cannot be inspected (content-encoded): replace it with an error.
    Refuse(&'static str),
}

/// What to do with a buffered response body.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseVerdict {
    Pass,
    Rewrite(Vec<u8>),
    Block(Reply),
}

/// Who asked and who answered: what the response is decided against.
#[derive(Debug, Clone)]
pub struct ResponseCtx {
    pub provider: Format,
    pub destination: String,
    pub identity: Identity,
    pub request_id: String,
    /// The values the request masked, put back in the answer.
    pub masks: Masks,
}

#[derive(Debug, Default)]
struct TextBuf {
    /// (kind, index, sub-index): kind 0 = text, 1 = tool arguments / input JSON.
    key: StreamKey,
    ctx: String,
    pending: String,
    /// Last event JSON that carried this text (for synthesized flush events).
    template: Option<Value>,
}

/// Per-response streaming state.
pub struct StreamState {
    ctx: ResponseCtx,
    parser: sse::Parser,
    texts: Vec<TextBuf>,
    blocked: bool,
    usage: Usage,
    /// The released text's sha256, unless the policy keeps no text digests.
    hasher: Option<Sha256>,
    held_max: usize,
    labels: Vec<LabelRecord>,
    redacted: bool,
    /// Why the stream was cut, if it was.
    cut: Option<String>,
    /// The upstream's end of stream was seen.
    ended: bool,
    events: Vec<sse::Event>,
    /// Event skeletons (an event without its streamed text) already scanned clean.
    skeletons: Vec<Vec<u8>>,
    /// Per hold-back pattern: how long a completed match of it is held (the window of the rules
    /// it is the primary of that could still cut or redact for this caller); made on first use.
    windows: Option<Vec<u32>>,
    /// The JSON-RPC id of the MCP request this stream answers (null: none), for the error that
    /// ends a cut MCP stream.
    rpc_id: Value,
    /// The released text, kept for the audit record when the policy captures answers.
    capture: Option<String>,
    /// The capture stopped at `max_response_bytes`.
    capture_truncated: bool,
}

impl StreamState {
    /// The stream answers the MCP request with this JSON-RPC id.
    pub fn answering(mut self, id: Option<Value>) -> StreamState {
        self.rpc_id = id.unwrap_or(Value::Null);
        self
    }

    /// Keep the released text for the audit record (`Engine::captures_answer`).
    pub fn capturing(mut self, on: bool) -> StreamState {
        self.capture = on.then(String::new);
        self
    }

    fn capture_released(&mut self, text: &str, limit: usize) {
        let Some(c) = self.capture.as_mut() else {
            return;
        };
        if c.len().saturating_add(text.len()) <= limit {
            c.push_str(text);
            return;
        }
        let mut room = limit.saturating_sub(c.len());
        while room > 0 && !text.is_char_boundary(room) {
            room -= 1;
        }
        c.push_str(text.get(..room).unwrap_or(""));
        self.capture_truncated = true;
    }
}

enum Fed {
    Release(String),
    Block(String),
}

impl Engine {
    /// Headers phase of the response: how its body will be inspected.
    pub fn response_plan(&self, content_type: &str, content_encoding: &str) -> ResponsePlan {
        let enc = content_encoding.trim();
        if !enc.is_empty() && !enc.eq_ignore_ascii_case("identity") {
            return ResponsePlan::Refuse("response_encoded");
        }
        let ct = content_type.split(';').next().unwrap_or("").trim();
        if ct.eq_ignore_ascii_case("text/event-stream") {
            ResponsePlan::Stream
        } else {
            ResponsePlan::Buffer
        }
    }

    /// The reply that replaces a response the filter cannot inspect or must not pass.
    pub fn response_refusal(
        &self,
        ctx: &ResponseCtx,
        code: &str,
        message: &str,
        audit: &mut AuditRecord,
    ) -> Reply {
        audit.response_decision = Some(
            if code == "controlled_content_in_response" {
                "block"
            } else {
                "reject"
            }
            .into(),
        );
        audit.response_reason = Some(code.into());
        let status = if code == "controlled_content_in_response" {
            403
        } else {
            502
        };
        let mut reply = error_reply(ctx.provider, status, code, message, &ctx.request_id);
        if let (Format::Mcp, Some(id)) = (ctx.provider, &audit.rpc_id) {
            reply.body = wire::mcp::with_id(reply.body, id);
        }
        reply
    }

    /// A whole (buffered) response body.
    pub fn inspect_response(
        &self,
        scratch: &mut Scratch,
        ctx: &ResponseCtx,
        body: &[u8],
        audit: &mut AuditRecord,
    ) -> ResponseVerdict {
        let capture = self.captures_answer(audit);
        self.inspect_answer(scratch, ctx, body, audit, capture)
    }

    /// [`Engine::inspect_response`], keeping the released text in `response_text` if `capture`.
    fn inspect_answer(
        &self,
        scratch: &mut Scratch,
        ctx: &ResponseCtx,
        body: &[u8],
        audit: &mut AuditRecord,
        capture: bool,
    ) -> ResponseVerdict {
        if body.is_empty() {
            audit.response_decision = Some("pass".into());
            return ResponseVerdict::Pass;
        }
        if body.len() > self.limits.max_response_bytes {
            let msg = format!(
                "the response is larger than the {} bytes this gateway inspects",
                self.limits.max_response_bytes
            );
            return ResponseVerdict::Block(self.response_refusal(
                ctx,
                "response_too_large",
                &msg,
                audit,
            ));
        }
        let uninspectable = |audit: &mut AuditRecord, e: InspectError| {
            let msg = format!("the model's response cannot be inspected: {e}");
            ResponseVerdict::Block(self.response_refusal(
                ctx,
                "response_uninspectable",
                &msg,
                audit,
            ))
        };
        let mut ex = match extract_response(body) {
            Ok(e) => e,
            Err(e) => return uninspectable(audit, e),
        };
        if ctx.provider == Format::Mcp && !self.limits.allow_uninspectable_media {
            let media = serde_json::from_slice::<Value>(body)
                .map(|v| wire::mcp::media_count(&v))
                .unwrap_or(0);
            if media > 0 {
                return ResponseVerdict::Block(self.response_refusal(
                    ctx,
                    "uninspectable_media",
                    "the MCP server's answer carries images, audio or blobs, which this gateway cannot inspect",
                    audit,
                ));
            }
        }
        audit.usage = ex
            .usage_span
            .and_then(|(a, b)| body.get(a..b))
            .and_then(|u| serde_json::from_slice::<Value>(u).ok())
            .and_then(|u| wire::usage_from(&u))
            .or(audit.usage);
        let mut tmp = AuditRecord::default();
        let hits = match self.scan_extracted(scratch, body, &ex, &mut tmp) {
            Ok(h) => h,
            Err(e) => return uninspectable(audit, e),
        };
        // Hashed when the record is finished (on_log), off the critical path.
        audit.response_hash_pending = Some(std::mem::take(&mut ex.doc));
        audit.response_labels = tmp.labels;
        let mut edits = Vec::new();
        for h in &hits {
            match self.response_action(h, ctx) {
                LabelAction::Redact | LabelAction::Mask => {
                    redaction_edits(h, &ex, &mut edits);
                }
                LabelAction::Block | LabelAction::Control => {
                    let msg = format!(
                        "the model's response contains {} content, which may not be returned to this caller from destination {}",
                        label_name(h),
                        ctx.destination
                    );
                    return ResponseVerdict::Block(self.response_refusal(
                        ctx,
                        "controlled_content_in_response",
                        &msg,
                        audit,
                    ));
                }
                LabelAction::Allow => {}
            }
        }
        // Under `redacted` an answer is kept only when no label found in it goes out as found.
        let clean = hits.iter().all(|h| {
            matches!(
                self.response_action(h, ctx),
                LabelAction::Redact | LabelAction::Mask
            )
        });
        if edits.is_empty() {
            audit.response_decision = Some("pass".into());
            if capture {
                let text = audit.response_hash_pending.clone().unwrap_or_default();
                self.keep_answer(audit, text, clean);
            }
            return match restore_body(&ctx.masks, body) {
                Some(b) => ResponseVerdict::Rewrite(b),
                None => ResponseVerdict::Pass,
            };
        }
        let doc = audit.response_hash_pending.as_deref().unwrap_or("");
        match apply_edits(body, &ex, doc, &mut edits, None) {
            Ok((b, redacted_doc)) => {
                audit.response_decision = Some("redact".into());
                if capture {
                    self.keep_answer(audit, redacted_doc, clean);
                }
                ResponseVerdict::Rewrite(restore_body(&ctx.masks, &b).unwrap_or(b))
            }
            Err(e) => ResponseVerdict::Block(self.response_refusal(
                ctx,
                "response_uninspectable",
                &e.to_string(),
                audit,
            )),
        }
    }

    /// What a label found in a response means here: Redact, Allow, or Block (Control resolved).
    fn response_action(&self, h: &LabelHit, ctx: &ResponseCtx) -> LabelAction {
        match h.action {
            // A mask label's value the model wrote itself was never masked: it is redacted.
            LabelAction::Redact | LabelAction::Mask if !h.unredactable => LabelAction::Redact,
            LabelAction::Allow => LabelAction::Allow,
            LabelAction::Block => LabelAction::Block,
            _ => {
                let approved = self
                    .destination(&ctx.destination)
                    .is_some_and(|d| self.approves(d, &[h]));
                if approved && self.missing_attribute(h, &ctx.identity).is_none() {
                    LabelAction::Allow
                } else {
                    LabelAction::Block
                }
            }
        }
    }

    pub fn new_stream(&self, ctx: ResponseCtx) -> StreamState {
        StreamState {
            ctx,
            parser: sse::Parser::new(),
            texts: Vec::new(),
            blocked: false,
            usage: Usage::default(),
            hasher: (self.text_digests != TextDigests::None).then(Sha256::new),
            held_max: 0,
            labels: Vec::new(),
            redacted: false,
            cut: None,
            ended: false,
            events: Vec::new(),
            skeletons: Vec::new(),
            windows: None,
            rpc_id: Value::Null,
            capture: None,
            capture_truncated: false,
        }
    }

    /// For `Scanner::stream_hold`: per pattern, the window a completed match of it is held for,
    /// from the rules that need support to decide and whose finding would not simply pass to this
    /// caller (an approved destination and a caller who meets the label's requirements: holding
    /// would change nothing).
    fn hold_windows(&self, ctx: &ResponseCtx) -> Vec<u32> {
        let mut w = vec![0u32; self.scanner.hold_pattern_count()];
        for (pattern, ri, window) in self.scanner.stream_held_rules() {
            let Some(rule) = self.scanner.rules.get(ri) else {
                continue;
            };
            let action = rule
                .action
                .or(self.labels.get(&rule.label).map(|l| l.action))
                .unwrap_or(LabelAction::Control);
            let hit = LabelHit {
                label: rule.label.clone(),
                level: rule.level.clone(),
                rank: rule
                    .level
                    .as_ref()
                    .and_then(|l| self.levels.iter().position(|x| x == l)),
                tag: rule.tag.clone(),
                action,
                confidence: 1.0,
                rules: Vec::new(),
                features: Vec::new(),
                spans: Vec::new(),
                unredactable: false,
            };
            if self.response_action(&hit, ctx) == LabelAction::Allow {
                continue;
            }
            if let Some(slot) = w.get_mut(pattern) {
                *slot = (*slot).max(window.min(u32::MAX as usize) as u32);
            }
        }
        w
    }

    /// One network read of a streamed response: returns the bytes to send on in its place.
    pub fn stream_chunk(
        &self,
        scratch: &mut Scratch,
        st: &mut StreamState,
        chunk: &[u8],
        end: bool,
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(chunk.len() + 64);
        st.ended |= end;
        if st.blocked {
            return out;
        }
        let mut events = std::mem::take(&mut st.events);
        events.clear();
        let parsed = st.parser.push(chunk, &mut events).and_then(|_| {
            if end {
                st.parser.finish().map(|last| events.extend(last))
            } else {
                Ok(())
            }
        });
        if let Err(e) = parsed {
            self.cut(
                st,
                &mut out,
                "response_uninspectable",
                &format!("the model's stream cannot be inspected: {e}"),
            );
            return out;
        }
        for ev in events.drain(..) {
            if st.blocked {
                break;
            }
            if let Err(msg) = self.stream_event(scratch, st, ev, &mut out) {
                self.cut(st, &mut out, "response_uninspectable", &msg);
            }
        }
        st.events = events;
        if end && !st.blocked {
            if let Err(msg) = self.flush_all(scratch, st, &mut out) {
                self.cut(st, &mut out, "response_uninspectable", &msg);
            }
        }
        out
    }

    /// Copy what the stream learned into the audit record.
    pub fn finish_stream(&self, st: &mut StreamState, audit: &mut AuditRecord) {
        if let Some(h) = st.hasher.take() {
            audit.response_text_sha256 = Some(hex(&h.finalize()));
        }
        if st.usage != Usage::default() {
            audit.usage = Some(st.usage);
        }
        audit.stream_held_max = Some(st.held_max);
        if let Some(text) = st.capture.take() {
            let clean = st
                .labels
                .iter()
                .all(|l| matches!(l.action.as_str(), "redact" | "mask"));
            self.keep_answer(audit, text, clean);
            audit.response_text_truncated = st.capture_truncated;
        }
        audit.response_labels = std::mem::take(&mut st.labels);
        if let Some(code) = &st.cut {
            let kind = if code == "controlled_content_in_response" {
                "block"
            } else {
                "reject"
            };
            audit.response_decision = Some(kind.into());
            audit.response_reason = Some(code.clone());
        } else if !st.ended {
            // The stream ended early (upstream reset, client gone): say so.
            audit.response_decision = Some("incomplete".into());
            audit.response_reason = Some("stream_ended_early".into());
        } else if audit.response_decision.is_none() {
            audit.response_decision = Some(if st.redacted { "redact" } else { "pass" }.into());
        }
    }

    /// Stop forwarding model text and end the stream with an error event in the provider's format.
    fn cut(&self, st: &mut StreamState, out: &mut Vec<u8>, code: &str, message: &str) {
        st.blocked = true;
        st.cut = Some(code.to_string());
        st.texts.clear();
        let message = format!("{message} (request id {})", st.ctx.request_id);
        if st.ctx.provider == Format::Mcp {
            wire::mcp::error_event_for(code, &message, &st.rpc_id, out);
        } else {
            (st.ctx.provider.spec().stream.error_event)(code, &message, out);
        }
    }

    /// One event of an MCP stream: a whole JSON-RPC message (an answer, a notification, or a
    /// request of the server's own such as `sampling/createMessage`), inspected whole like a
    /// buffered answer before any of it goes on: passed, redacted, or the stream is cut with a
    /// JSON-RPC error answering the request.
    fn mcp_event(
        &self,
        scratch: &mut Scratch,
        st: &mut StreamState,
        ev: sse::Event,
        out: &mut Vec<u8>,
    ) {
        if ev.data.trim().is_empty() {
            // A priming or keep-alive event: no message to deliver (and none is dispatched).
            return;
        }
        let mut tmp = AuditRecord {
            rpc_id: Some(st.rpc_id.clone()),
            ..AuditRecord::default()
        };
        let capture = st.capture.is_some();
        let verdict = self.inspect_answer(scratch, &st.ctx, ev.data.as_bytes(), &mut tmp, capture);
        st.labels.append(&mut tmp.response_labels);
        if let Some(text) = tmp.response_text.take() {
            if st.capture.as_ref().is_some_and(|c| !c.is_empty()) {
                st.capture_released("\n", self.limits.max_response_bytes);
            }
            st.capture_released(&text, self.limits.max_response_bytes);
        }
        let name = ev.name.as_deref().or(Some("message"));
        match verdict {
            ResponseVerdict::Pass => {
                self.hash_released(st, &ev.data);
                sse::encode(name, &ev.data, out);
            }
            ResponseVerdict::Rewrite(b) => {
                let data = String::from_utf8_lossy(&b).into_owned();
                // (a rewrite that only put masked values back is not a redaction)
                st.redacted |= tmp.response_decision.as_deref() == Some("redact");
                self.hash_released(st, &data);
                sse::encode(name, &data, out);
            }
            ResponseVerdict::Block(r) => {
                st.blocked = true;
                st.cut = tmp
                    .response_reason
                    .or(Some("response_uninspectable".into()));
                st.texts.clear();
                sse::encode(Some("message"), &String::from_utf8_lossy(&r.body), out);
            }
        }
    }

    fn hash_released(&self, st: &mut StreamState, text: &str) {
        if let Some(h) = st.hasher.as_mut() {
            h.update(text.as_bytes());
        }
    }

    fn stream_event(
        &self,
        scratch: &mut Scratch,
        st: &mut StreamState,
        ev: sse::Event,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        if !ev.has_fields {
            return Ok(()); // comments / keep-alives
        }
        if st.ctx.provider == Format::Mcp {
            self.mcp_event(scratch, st, ev, out);
            return Ok(());
        }
        let spec = &st.ctx.provider.spec().stream;
        if spec.done.is_some_and(|d| ev.data.trim() == d) {
            self.flush_all(scratch, st, out)?;
            if !st.blocked {
                sse::encode(ev.name.as_deref(), &ev.data, out);
            }
            return Ok(());
        }
        let mut v: Value =
            serde_json::from_str(&ev.data).map_err(|e| format!("stream event is not JSON: {e}"))?;
        // Everything of the event but its streamed text (ids, names, tool input, extra fields, the
        // event name) is scanned too: what is not a text delta is a channel as well.
        if let Some(msg) = self.skeleton_blocks(scratch, st, &mut v, ev.name.as_deref())? {
            self.cut(st, out, "controlled_content_in_response", &msg);
            return Ok(());
        }
        let mut deltas = StreamDeltas {
            engine: self,
            scratch,
            st,
            out,
        };
        if (spec.event)(&mut v, &mut deltas)? {
            sse::encode(ev.name.as_deref(), &v.to_string(), out);
        }
        Ok(())
    }

    /// Scan an event with its streamed text fields emptied, once per distinct skeleton: a finding
    /// that may not reach this caller cuts the stream (the skeleton cannot be redacted).
    fn skeleton_blocks(
        &self,
        scratch: &mut Scratch,
        st: &mut StreamState,
        v: &mut Value,
        name: Option<&str>,
    ) -> Result<Option<String>, String> {
        // The streamed texts are taken out for the skeleton and put back after it is written:
        // this response's own format's text fields only. A field another format streams text in
        // (`delta.text` in an OpenAI stream) is not fed to the text scan, so it stays in the
        // skeleton and is scanned there.
        let texts_of = st.ctx.provider.spec().stream.texts;
        let mut texts: Vec<String> = Vec::new();
        texts_of(v, &mut |t| texts.push(std::mem::take(t)));
        let mut skeleton = v.to_string().into_bytes();
        let mut back = texts.into_iter();
        texts_of(v, &mut |t| *t = back.next().unwrap_or_default());
        if let Some(name) = name {
            skeleton.push(b'\n');
            skeleton.extend_from_slice(name.as_bytes());
        }
        if st.skeletons.contains(&skeleton) {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&skeleton).into_owned();
        let ex = Extracted {
            pieces: vec![Piece {
                doc_start: 0,
                len: text.len() as u32,
                value_index: None,
                head: None,
            }],
            doc: text,
            ..Extracted::default()
        };
        let mut tmp = AuditRecord::default();
        let hits = self
            .scan_extracted(scratch, &[], &ex, &mut tmp)
            .map_err(|e: InspectError| e.to_string())?;
        for (h, rec) in hits.iter().zip(tmp.labels.iter()) {
            if !matches!(self.response_action(h, &st.ctx), LabelAction::Allow) {
                let mut rec = rec.clone();
                for sp in rec.spans.iter_mut() {
                    sp.location = "stream event (outside its text)".into();
                }
                st.labels.push(rec);
                return Ok(Some(format!(
                    "the model's response contains {} content, which may not be returned to this caller from destination {}",
                    label_name(h),
                    st.ctx.destination
                )));
            }
        }
        if st.skeletons.len() < 16 {
            st.skeletons.push(skeleton);
        }
        Ok(None)
    }

    fn flush_all(
        &self,
        scratch: &mut Scratch,
        st: &mut StreamState,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let keys: Vec<_> = st
            .texts
            .iter()
            .filter(|b| !b.pending.is_empty())
            .map(|b| b.key)
            .collect();
        for key in keys {
            self.flush_one(scratch, st, key, out)?;
            if st.blocked {
                break;
            }
        }
        Ok(())
    }

    /// Release everything held for one text stream, as a synthesized delta event.
    fn flush_one(
        &self,
        scratch: &mut Scratch,
        st: &mut StreamState,
        key: StreamKey,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        let template = st
            .texts
            .iter()
            .find(|b| b.key == key)
            .and_then(|b| b.template.clone())
            .unwrap_or(Value::Null);
        let text = match self.feed(scratch, st, key, "", true, &template)? {
            Fed::Release(t) => t,
            Fed::Block(msg) => {
                self.cut(st, out, "controlled_content_in_response", &msg);
                return Ok(());
            }
        };
        if text.is_empty() {
            return Ok(());
        }
        (st.ctx.provider.spec().stream.delta_event)(key, &text, &template, out);
        Ok(())
    }

    /// Add a delta to a text stream, scan, act, and return what can be released now.
    fn feed(
        &self,
        scratch: &mut Scratch,
        st: &mut StreamState,
        key: StreamKey,
        text: &str,
        last: bool,
        template: &Value,
    ) -> Result<Fed, String> {
        if let Some(h) = st.hasher.as_mut() {
            h.update(text.as_bytes());
        }
        let idx = match st.texts.iter().position(|b| b.key == key) {
            Some(i) => i,
            None => {
                st.texts.push(TextBuf {
                    key,
                    ..TextBuf::default()
                });
                st.texts.len() - 1
            }
        };
        let Some(buf) = st.texts.get_mut(idx) else {
            return Err("internal: stream buffer missing".into());
        };
        if !template.is_null() {
            buf.template = Some(template.clone());
        }
        buf.pending.push_str(text);
        if buf.pending.is_empty() {
            return Ok(Fed::Release(String::new()));
        }
        // Scan context + pending as one text.
        let ctx_len = buf.ctx.len();
        let doc = format!("{}{}", buf.ctx, buf.pending);
        let ex = Extracted {
            stream: true,
            pieces: vec![Piece {
                doc_start: 0,
                len: doc.len() as u32,
                value_index: Some(0),
                head: None,
            }],
            doc,
            ..Extracted::default()
        };
        let mut tmp = AuditRecord::default();
        let hits = self
            .scan_extracted(scratch, &[], &ex, &mut tmp)
            .map_err(|e: InspectError| e.to_string())?;
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        for (h, rec) in hits.iter().zip(tmp.labels.iter()) {
            // Spans touching text not yet released.
            let fresh: Vec<(usize, usize)> = h
                .spans
                .iter()
                .filter(|s| s.2 > ctx_len)
                .map(|s| (s.1, s.2))
                .collect();
            let action = self.response_action(h, &st.ctx);
            let blocks = !matches!(action, LabelAction::Redact | LabelAction::Allow);
            // A blocking finding cuts the stream wherever its spans are: it cannot have been
            // blocking before (the stream would be cut), so it completed just now, e.g. when the
            // supporting evidence of a corroborated rule arrived after its primary match was
            // released. Other findings entirely in released context were handled before.
            if fresh.is_empty() && !blocks {
                continue;
            }
            let mut rec = rec.clone();
            for sp in rec.spans.iter_mut() {
                sp.location = format!("stream[{}:{}:{}]", key.0, key.1, key.2);
            }
            st.labels.push(rec);
            match action {
                LabelAction::Redact => {
                    for (s, e) in fresh {
                        let tag = h.tag.as_deref().unwrap_or(&h.label);
                        edits.push((s.max(ctx_len) - ctx_len, e - ctx_len, format!("[REDACTED:{tag}]")));
                    }
                }
                LabelAction::Allow => {}
                _ => {
                    return Ok(Fed::Block(format!(
                        "the model's response contains {} content, which may not be returned to this caller from destination {}",
                        label_name(h),
                        st.ctx.destination
                    )))
                }
            }
        }
        let Some(buf) = st.texts.get_mut(idx) else {
            return Err("internal: stream buffer missing".into());
        };
        if !edits.is_empty() {
            st.redacted = true;
            edits.sort_by_key(|e| std::cmp::Reverse(e.0));
            let mut last_start = usize::MAX;
            for (s, e, rep) in edits {
                if e > last_start
                    || e > buf.pending.len()
                    || !buf.pending.is_char_boundary(s)
                    || !buf.pending.is_char_boundary(e)
                {
                    continue; // overlaps an edit already made
                }
                buf.pending.replace_range(s..e, &rep);
                last_start = s;
            }
        }
        // How much to hold back: from the earliest place a match could still start.
        let release_to = if last {
            buf.pending.len()
        } else {
            let doc = format!("{}{}", buf.ctx, buf.pending);
            let norm = &mut scratch.norm;
            norm.clear();
            normalize_into(norm, &doc, 0);
            // Where the released context ends in the normalized text: a primary match already
            // released (its window closed, or the cap) is not held again.
            let (mut lo, mut hi) = (0, norm.text.len());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if (norm.orig_span(mid, mid + 1).0 as usize) < ctx_len {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            let held_from = lo;
            if st.windows.is_none() {
                st.windows = Some(self.hold_windows(&st.ctx));
            }
            let h = self.scanner.stream_hold(
                &mut scratch.scan,
                &norm.text,
                self.limits.stream_holdback_bytes,
                held_from,
                st.windows.as_deref().unwrap_or_default(),
            );
            let orig = if h >= norm.text.len() {
                doc.len()
            } else {
                norm.orig_span(h, h + 1).0 as usize
            };
            let mut r = orig.saturating_sub(ctx_len).min(buf.pending.len());
            // Never hold more than the cap (bounded memory and delay).
            let cap = self.limits.stream_holdback_bytes;
            if buf.pending.len() - r > cap {
                r = buf.pending.len() - cap;
            }
            while r > 0 && !buf.pending.is_char_boundary(r) {
                r -= 1;
            }
            // A placeholder of a masked value is released whole, to be put back.
            buf.pending
                .get(..r)
                .map_or(r, |released| st.ctx.masks.partial_tail(released))
        };
        let released: String = buf.pending.drain(..release_to).collect();
        st.held_max = st.held_max.max(buf.pending.len());
        buf.ctx.push_str(&released);
        if buf.ctx.len() > CONTEXT_BYTES {
            let mut cut = buf.ctx.len() - CONTEXT_BYTES;
            while !buf.ctx.is_char_boundary(cut) {
                cut += 1;
            }
            buf.ctx.drain(..cut);
        }
        st.capture_released(&released, self.limits.max_response_bytes);
        Ok(Fed::Release(match st.ctx.masks.restore(&released) {
            std::borrow::Cow::Owned(s) => s,
            std::borrow::Cow::Borrowed(_) => released,
        }))
    }
}

/// A buffered answer with the request's masked values put back, if it names any.
fn restore_body(masks: &Masks, body: &[u8]) -> Option<Vec<u8>> {
    if masks.is_empty() {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    match masks.restore_json(text) {
        std::borrow::Cow::Owned(s) => Some(s.into_bytes()),
        std::borrow::Cow::Borrowed(_) => None,
    }
}

/// The stream scan as a format's stream walker sees it ([`wire::Deltas`]).
struct StreamDeltas<'a> {
    engine: &'a Engine,
    scratch: &'a mut Scratch,
    st: &'a mut StreamState,
    out: &'a mut Vec<u8>,
}

impl wire::Deltas for StreamDeltas<'_> {
    fn delta(
        &mut self,
        key: StreamKey,
        text: &mut String,
        last: bool,
        template: &Value,
    ) -> Result<bool, String> {
        let taken = std::mem::take(text);
        match self
            .engine
            .feed(self.scratch, self.st, key, &taken, last, template)?
        {
            Fed::Release(r) => {
                *text = r;
                Ok(true)
            }
            Fed::Block(msg) => {
                self.engine
                    .cut(self.st, self.out, "controlled_content_in_response", &msg);
                Ok(false)
            }
        }
    }

    fn flush(&mut self, which: Flush<'_>) -> Result<bool, String> {
        let keys: Vec<StreamKey> = self
            .st
            .texts
            .iter()
            .filter(|b| match which {
                Flush::All => !b.pending.is_empty(),
                Flush::Index(i) => b.key.1 == i,
                Flush::IndexExcept(i, except) => {
                    b.key.1 == i && !except.contains(&b.key) && !b.pending.is_empty()
                }
            })
            .map(|b| b.key)
            .collect();
        for key in keys {
            self.engine
                .flush_one(self.scratch, self.st, key, self.out)?;
            if self.st.blocked {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn usage(&mut self, input: Option<u64>, output: Option<u64>) {
        if input.is_some() {
            self.st.usage.input_tokens = input;
        }
        if output.is_some() {
            self.st.usage.output_tokens = output;
        }
    }
}
