//! The engine: a policy compiled once, and the per-request path that uses it.
//!
//! extract -> normalize -> scan -> decide -> act, each a plain call on plain data. The host glue
//! calls [`Engine::route`] in the headers phase and [`Engine::inspect_request`] at end of body, and
//! turns the returned [`Verdict`] into proxy-wasm calls. The [`AuditRecord`] travels alongside.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::audit::{sha256_hex, AuditRecord, LabelRecord, PolicyRef, SpanRef, SCHEMA};
use crate::error::{InspectError, PolicyError};
use crate::extract::{apply_edits, extract, head_only, pointer_of, Extracted, Piece};
use crate::head::{query_pieces, HeadPiece, HeaderRules};
use crate::identity::{Identity, IdentityState};
use crate::mask::Masks;
use crate::normalize::{normalize_into, Normalized};
use crate::policy::{
    Capture, DestinationApi, IdentityPolicy, LabelAction, LabelPolicy, Limits, Policy, QueryPolicy,
    Requirements,
};
use crate::reply::{error_reply, Reply};
use crate::scan::{ScanCache, Scanner};
use crate::template::{PathTemplate, MODEL};
use crate::wire::Format;

#[path = "response.rs"]
pub mod response;

#[path = "quota.rs"]
pub mod quota;

/// Labels that may only be approved on a US-resident destination.
const US_ONLY_LABELS: &[&str] = &["ITAR", "CUI", "CLASSIFIED", "EAR"];

#[derive(Debug, Clone)]
pub struct DestInfo {
    pub name: String,
    pub cluster: String,
    pub residency: String,
    pub formats: Vec<Format>,
    api: DestinationApi,
    approved: Vec<String>,
    max_rank: Option<usize>,
    requires: Requirements,
}

#[derive(Debug, Clone)]
struct ModelInfo {
    dests: Vec<usize>,
    reroute: bool,
    /// Per destination index: the name to send upstream, when it differs from the requested one.
    upstream_names: Vec<(usize, String)>,
}

/// An inspected endpoint: its path (exact or a template), format and query rules.
#[derive(Debug, Clone)]
struct EndpointRule {
    template: PathTemplate,
    format: Format,
    query: QueryPolicy,
    /// Query parameters accepted whatever `query` says (scanned).
    query_params: Vec<String>,
}

/// A request path matched to its endpoint, with the values of the path's placeholders.
type Matched<'e, 'p> = (&'e EndpointRule, Vec<(&'e str, &'p str)>);

/// The path and the query (None when absent or empty) of a `:path`.
fn split_path(full: &str) -> (&str, Option<&str>) {
    match full.split_once('?') {
        Some((p, q)) => (p, Some(q).filter(|q| !q.is_empty())),
        None => (full, None),
    }
}

/// Why a request that asks for a stream in its path is refused: its query lacks the parameter
/// that makes the stream server-sent events (Gemini `alt=sse`; without it the answer streams as
/// one JSON array whose text pieces the scan would read apart).
fn stream_framing_refusal(provider: Format, path: &str, query: Option<&str>) -> Option<String> {
    let spec = provider.spec();
    let (suffix, wanted) = (spec.stream_path?, spec.stream_query?);
    if !path.ends_with(suffix) || query.is_some_and(|q| q.split('&').any(|p| p == wanted)) {
        return None;
    }
    Some(format!(
        "a stream is inspected as server-sent events only: add ?{wanted} to {suffix} requests"
    ))
}

/// What scanning found, without a decision (CLI, corpus tests).
#[derive(Debug, Clone)]
pub struct ScanReport {
    pub labels: Vec<LabelRecord>,
    pub normalizations: Vec<&'static str>,
    /// Something was found that redaction cannot remove (control or block labels).
    pub controlled: bool,
    /// The body after the policy's redactions, if any were made.
    pub redacted_body: Option<Vec<u8>>,
}

/// The parts of the head that go upstream (scan text) and the header names to remove.
type HeadPlan = (Vec<HeadPiece>, Vec<String>);

/// What the headers phase decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// Buffer the body and inspect it in this wire format, with the parts of the head that go
    /// upstream (`head`); remove the headers in `remove` first.
    Inspect {
        provider: Format,
        head: Vec<HeadPiece>,
        remove: Vec<String>,
    },
    /// A request to a listed path whose head passed the scan: send it to this cluster once it is
    /// known to carry no body; remove the headers in `remove` first.
    Passthrough {
        destination: String,
        cluster: String,
        remove: Vec<String>,
        /// The wire format of the answer (an MCP endpoint's GET stream is read as MCP).
        format: Format,
    },
    /// Answer now.
    Refuse(Reply),
}

/// What to do with the request after inspection.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Forward {
        destination: String,
        cluster: String,
        /// The rewritten body when redaction changed it.
        body: Option<Vec<u8>>,
        /// The upstream path when the destination wants another one (Bedrock; a model in the
        /// path under the destination's name for it).
        path: Option<String>,
        /// The values masked in the body, to put back in the answer.
        masks: Masks,
    },
    Refuse(Reply),
}

/// Reusable per-VM buffers for the request path.
pub struct Scratch {
    scan: ScanCache,
    norm: Normalized,
    /// Request-head documents this policy scanned and found nothing in, exactly (a client sends
    /// the same headers request after request): scanned again only when they differ.
    clean_heads: Vec<String>,
    next_clean_head: usize,
    /// Ranges of the normalized document that are the request's framing (see `framing`).
    framing: Vec<(u32, u32)>,
}

/// How many clean head documents a VM remembers.
const CLEAN_HEADS: usize = 8;

/// Whether a piece of the body is the request's framing rather than what its sender wrote: an
/// object key, or the model name, shaped like an identifier (no white space, at most 64 bytes).
/// The rules scan framing like everything else; a trained classifier leaves it out (a model name
/// such as `gpt-4o` has the shape of a weapon designator). A key or model name that reads like
/// text is not framing: the classifier judges it.
fn framing(ex: &Extracted, p: &Piece, text: &str) -> bool {
    let shaped = text.len() <= 64 && !text.bytes().any(|b| b.is_ascii_whitespace());
    let key = p.value_index.is_none() && p.head.is_none();
    let model = p.value_index.is_some_and(|vi| {
        let span = ex.strings.get(vi).map(|&(s, e)| (s as usize, e as usize));
        span.is_some() && span == ex.model_span
    });
    shaped && (key || model)
}

/// A label found in the content, after grouping findings of the same label/level/tag.
#[derive(Debug, Clone)]
struct LabelHit {
    label: String,
    level: Option<String>,
    rank: Option<usize>,
    tag: Option<String>,
    action: LabelAction,
    confidence: f32,
    rules: Vec<String>,
    features: Vec<String>,
    spans: Vec<(usize, usize, usize)>, // (piece, start, end) in the piece's decoded string
    unredactable: bool,
}

pub struct Engine {
    pub policy_ref: PolicyRef,
    endpoints: Vec<EndpointRule>,
    /// MCP endpoints: path -> the server (destination) it goes to, as a one-destination route.
    mcp_servers: Vec<(String, ModelInfo)>,
    /// Listed paths: method, path, destination index, query policy.
    passthrough: Vec<(String, String, usize, QueryPolicy)>,
    headers: HeaderRules,
    pub destinations: Vec<DestInfo>,
    models: BTreeMap<String, ModelInfo>,
    labels: BTreeMap<String, LabelPolicy>,
    pub identity: Option<IdentityPolicy>,
    levels: Vec<String>,
    scanner: Scanner,
    pub limits: Limits,
    capture: Capture,
    /// The recipients of `capture: sealed` (None under any other capture).
    pub sealer: Option<std::sync::Arc<crate::seal::Sealer>>,
    text_digests: crate::policy::TextDigests,
    quotas: Vec<crate::policy::Quota>,
    rate_limit_descriptors: bool,
    pub network: crate::network::Network,
}

/// Parts of the request the headers phase learned, for the audit record.
#[derive(Debug, Clone, Default)]
pub struct RequestHead {
    pub method: String,
    pub path: String,
    pub request_id: String,
    pub content_type: String,
    pub content_encoding: String,
    /// The client address Envoy saw (`source.address`).
    pub source: String,
    /// The trusted country header's value, if the policy names one.
    pub country: Option<String>,
    /// The client's own `x-request-id`, as Envoy kept it before generating its own.
    pub client_request_id: Option<String>,
    /// Every request header (lower-case names, pseudo-headers included), as the host gave them.
    pub headers: Vec<(String, String)>,
}

impl Engine {
    /// Parse, check and compile a policy. This is the only place patterns are compiled.
    pub fn from_policy_json(json: &[u8]) -> Result<Engine, PolicyError> {
        Engine::from_policy(Policy::parse(json)?)
    }

    /// [`Engine::from_policy_json`] that drops the policy's text once it is parsed: a policy
    /// with an inlined fingerprint artifact is megabytes, and a Wasm VM keeps the memory it
    /// reached at its highest.
    pub fn from_policy_json_owned(json: Vec<u8>) -> Result<Engine, PolicyError> {
        let policy = Policy::parse(&json)?;
        drop(json);
        Engine::from_policy(policy)
    }

    /// Compile a parsed policy. Its fingerprint artifacts are read first and their inlined text
    /// dropped, then the automata are built: the artifacts' text, their index and the
    /// automata's construction are never in memory together.
    pub fn from_policy(mut policy: Policy) -> Result<Engine, PolicyError> {
        let digest = canonical_digest(&policy);
        let fingerprints = crate::scan::load_all_fingerprints(&policy)?;
        for f in &mut policy.fingerprints {
            f.data = None;
        }
        Engine::compile(policy, digest, fingerprints)
    }

    fn compile(
        policy: Policy,
        digest: String,
        fingerprints: Vec<crate::fingerprint::Fingerprints>,
    ) -> Result<Engine, PolicyError> {
        let levels = policy
            .identity
            .as_ref()
            .map(|i| i.clearance_levels.clone())
            .unwrap_or_else(crate::policy::default_levels);
        let mut destinations = Vec::new();
        for (name, d) in &policy.destinations {
            if !d.residency.eq_ignore_ascii_case("US") {
                if let Some(l) = d
                    .approved_labels
                    .iter()
                    .find(|l| US_ONLY_LABELS.contains(&l.as_str()))
                {
                    return Err(PolicyError::Invalid {
                        at: format!("destinations.{name}.approved_labels"),
                        why: format!("{l} may only be approved on a US-resident destination (residency is {:?})", d.residency),
                    });
                }
                if d.max_classification.is_some() {
                    return Err(PolicyError::Invalid {
                        at: format!("destinations.{name}.max_classification"),
                        why: "classified content may only go to a US-resident destination".into(),
                    });
                }
            }
            destinations.push(DestInfo {
                name: name.clone(),
                cluster: d.cluster.clone(),
                residency: d.residency.clone(),
                formats: d.formats.clone(),
                api: d.api,
                approved: d.approved_labels.clone(),
                max_rank: d
                    .max_classification
                    .as_ref()
                    .and_then(|m| levels.iter().position(|l| l == m)),
                requires: d.requires.clone(),
            });
        }
        let dest_index = |n: &str| destinations.iter().position(|d| d.name == n);
        let mut models = BTreeMap::new();
        for (m, r) in &policy.models {
            let mut dests = Vec::new();
            for d in &r.destinations {
                let i = dest_index(d).ok_or_else(|| PolicyError::Invalid {
                    at: format!("models.{m}"),
                    why: format!("unknown destination {d:?}"),
                })?;
                dests.push(i);
            }
            let upstream_names = r
                .upstream_names
                .iter()
                .filter_map(|(d, n)| dest_index(d).map(|i| (i, n.clone())))
                .collect();
            let info = ModelInfo {
                dests,
                reroute: r.reroute,
                upstream_names,
            };
            for alias in &r.aliases {
                models.insert(alias.clone(), info.clone());
            }
            models.insert(m.clone(), info);
        }
        let mut passthrough = Vec::new();
        for p in &policy.passthrough {
            let i = dest_index(&p.destination).ok_or_else(|| PolicyError::Invalid {
                at: "passthrough".into(),
                why: format!("unknown destination {:?}", p.destination),
            })?;
            passthrough.push((p.method.to_ascii_uppercase(), p.path.clone(), i, p.query));
        }
        let mut mcp_servers = Vec::new();
        for e in &policy.endpoints {
            if let Some(d) = &e.destination {
                let i = dest_index(d).ok_or_else(|| PolicyError::Invalid {
                    at: format!("endpoints {}", e.path),
                    why: format!("unknown destination {d:?}"),
                })?;
                let info = ModelInfo {
                    dests: vec![i],
                    reroute: false,
                    upstream_names: Vec::new(),
                };
                mcp_servers.push((e.path.clone(), info));
            }
        }
        let scanner = Scanner::compile_loaded(&policy, fingerprints)?;
        let sealer = if policy.audit.capture == Capture::Sealed {
            let recipients = policy
                .audit
                .recipients
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    crate::seal::Recipient::parse(&r.name, &r.public_key).map_err(|e| {
                        PolicyError::Invalid {
                            at: format!("audit.recipients[{i}].public_key"),
                            why: e.to_string(),
                        }
                    })
                })
                .collect::<Result<Vec<_>, PolicyError>>()?;
            Some(std::sync::Arc::new(crate::seal::Sealer::new(recipients)))
        } else {
            None
        };
        Ok(Engine {
            mcp_servers,
            policy_ref: PolicyRef {
                id: policy.id.clone(),
                version: policy.version.clone(),
                digest,
                artifacts: crate::audit::Artifacts(
                    policy
                        .classifiers
                        .iter()
                        .map(|c| ("classifier", &c.label, &c.sha256))
                        .chain(
                            policy
                                .fingerprints
                                .iter()
                                .map(|f| ("fingerprint", &f.label, &f.sha256)),
                        )
                        .map(|(kind, label, sha)| crate::audit::ArtifactRef {
                            kind,
                            label: label.clone(),
                            sha256: sha.to_ascii_lowercase(),
                        })
                        .collect::<Vec<_>>()
                        .into(),
                ),
            },
            endpoints: policy
                .endpoints
                .iter()
                .map(|e| {
                    Ok(EndpointRule {
                        template: PathTemplate::parse(&e.path).map_err(|why| {
                            PolicyError::Invalid {
                                at: format!("endpoints {:?}", e.path),
                                why,
                            }
                        })?,
                        format: e.format,
                        query: e.query,
                        query_params: e.query_params.clone(),
                    })
                })
                .collect::<Result<_, PolicyError>>()?,
            passthrough,
            headers: HeaderRules::new(&policy.request_headers.forward),
            destinations,
            models,
            labels: policy.labels.clone(),
            identity: policy.identity.clone(),
            levels,
            scanner,
            limits: policy.limits.clone(),
            capture: policy.audit.capture,
            sealer,
            text_digests: policy.audit.text_digests,
            quotas: policy.quotas.clone(),
            rate_limit_descriptors: policy.rate_limit_descriptors,
            network: crate::network::Network::compile(&policy.network)?,
        })
    }

    /// The destination index of the MCP server an endpoint path goes to.
    fn mcp_server(&self, path: &str) -> Option<usize> {
        self.mcp_servers
            .iter()
            .find(|(p, _)| p == path)
            .and_then(|(_, m)| m.dests.first().copied())
    }

    pub fn new_scratch(&self) -> Scratch {
        Scratch {
            scan: self.scanner.new_cache(),
            norm: Normalized::with_capacity(4096),
            clean_heads: Vec::with_capacity(CLEAN_HEADS),
            next_clean_head: 0,
            framing: Vec::new(),
        }
    }

    /// A fresh audit record for a request.
    pub fn audit_start(&self, head: &RequestHead, time: String) -> AuditRecord {
        AuditRecord {
            schema: SCHEMA,
            time,
            request_id: head.request_id.clone(),
            client_request_id: head.client_request_id.clone().filter(|s| !s.is_empty()),
            policy: self.policy_ref.clone(),
            method: head.method.clone(),
            path: head.path.clone(),
            decision: "pending".into(),
            text_digests: self.text_digests,
            sealer: self.sealer.clone(),
            ..AuditRecord::default()
        }
    }

    /// Headers phase: which paths are inspected, passed through or refused; encodings refused;
    /// which headers go upstream (the rest are removed) and the text of the head that goes, for
    /// the scan. A listed path's head is scanned here (it has no body to wait for).
    pub fn route(
        &self,
        scratch: &mut Scratch,
        head: &RequestHead,
        audit: &mut AuditRecord,
    ) -> Route {
        let (path, query) = split_path(&head.path);
        if !head.source.is_empty() {
            audit.client_address = Some(head.source.clone());
        }
        if let Err(refusal) = self.network.check(&head.source, head.country.as_deref()) {
            let provider = self
                .endpoint(path)
                .map_or(Format::for_unknown_path(path), |(e, _)| e.format);
            audit.network_rule = Some(refusal.rule.clone());
            return self.refuse(
                audit,
                provider,
                403,
                "network_denied",
                "refuse",
                &refusal.message,
            );
        }
        if let Some((ep, captures)) = self.endpoint(path) {
            let provider = ep.format;
            audit.provider = Some(provider.as_str());
            // An MCP endpoint's GET (the server's own event stream) and DELETE (end of a
            // session) carry no body: they pass like a listed path, to the endpoint's server.
            if provider == Format::Mcp && matches!(head.method.as_str(), "GET" | "DELETE") {
                if let Some(dest) = self.mcp_server(path).and_then(|d| self.destinations.get(d)) {
                    let reason = if head.method == "GET" {
                        "mcp_server_stream"
                    } else {
                        "mcp_session_end"
                    };
                    return self.pass_listed(
                        scratch,
                        head,
                        audit,
                        dest,
                        (query, ep.query, &ep.query_params),
                        (provider, reason),
                    );
                }
            }
            if head.method != "POST" {
                return self.refuse(
                    audit,
                    provider,
                    405,
                    "method_not_allowed",
                    "reject",
                    "only POST is accepted on this endpoint",
                );
            }
            if let Some(msg) = stream_framing_refusal(provider, path, query) {
                return self.refuse(audit, provider, 400, "unsupported_request", "reject", &msg);
            }
            let enc = head.content_encoding.trim();
            if !enc.is_empty() && !enc.eq_ignore_ascii_case("identity") {
                let e = InspectError::Encoded(enc.to_string());
                return self.refuse(
                    audit,
                    provider,
                    e.status(),
                    e.reason(),
                    "reject",
                    &e.to_string(),
                );
            }
            let ct = head.content_type.split(';').next().unwrap_or("").trim();
            if !ct.is_empty() && !ct.eq_ignore_ascii_case("application/json") {
                let e = InspectError::ContentType(ct.to_string());
                return self.refuse(
                    audit,
                    provider,
                    e.status(),
                    e.reason(),
                    "reject",
                    &e.to_string(),
                );
            }
            return match self.head_plan(&[provider], head, query, ep.query, &ep.query_params) {
                Ok((mut pieces, remove)) => {
                    // A template's placeholders go upstream in the path: scanned with the head.
                    for (name, value) in captures {
                        pieces.push(HeadPiece {
                            location: format!("path {{{name}}}"),
                            text: value.to_string(),
                        });
                    }
                    Route::Inspect {
                        provider,
                        head: pieces,
                        remove,
                    }
                }
                Err((code, msg)) => self.refuse(audit, provider, 400, code, "reject", &msg),
            };
        }
        if let Some(&(_, _, d, query_policy)) = self
            .passthrough
            .iter()
            .find(|(m, p, ..)| *m == head.method && p == path)
        {
            if let Some(dest) = self.destinations.get(d) {
                return self.pass_listed(
                    scratch,
                    head,
                    audit,
                    dest,
                    (query, query_policy, &[]),
                    (Format::Openai, "listed_path"),
                );
            }
        }
        let provider = Format::for_unknown_path(path);
        self.refuse(
            audit,
            provider,
            404,
            "path_not_allowed",
            "reject",
            &format!("{} {} is not served by this gateway", head.method, path),
        )
    }

    /// A request without a body to `dest` (a listed path, an MCP endpoint's GET or DELETE): the
    /// identity gate, then its head is scanned and it passes, or it is refused in `format`.
    fn pass_listed(
        &self,
        scratch: &mut Scratch,
        head: &RequestHead,
        audit: &mut AuditRecord,
        dest: &DestInfo,
        (query, query_policy, query_params): (Option<&str>, QueryPolicy, &[String]),
        (format, reason): (Format, &str),
    ) -> Route {
        // Listed paths carry no content, but not to anyone: the same identity gate.
        let identity = audit.identity.clone().unwrap_or_else(Identity::missing);
        if let Some(msg) = self.identity_refusal(&identity) {
            return self.refuse(audit, format, 401, "unauthenticated", "refuse", &msg);
        }
        let (pieces, remove) =
            match self.head_plan(&dest.formats, head, query, query_policy, query_params) {
                Ok(plan) => plan,
                Err((code, msg)) => return self.refuse(audit, format, 400, code, "reject", &msg),
            };
        if let Err(reply) = self.inspect_head(scratch, dest, &pieces, &identity, audit, format) {
            return Route::Refuse(reply);
        }
        audit.decision = "passthrough".into();
        audit.reason = reason.into();
        audit.destination = Some(dest.name.clone());
        Route::Passthrough {
            destination: dest.name.clone(),
            cluster: dest.cluster.clone(),
            remove,
            format,
        }
    }

    /// The endpoint a request path (without its query) is served by, and the values of its
    /// template's placeholders. Endpoints are tried in the policy's order.
    fn endpoint<'e, 'p>(&'e self, path: &'p str) -> Option<Matched<'e, 'p>> {
        self.endpoints
            .iter()
            .find_map(|e| e.template.matches(path).map(|caps| (e, caps)))
    }

    /// The parts of the head that go upstream (for the scan) and the headers to remove; or why
    /// the query is refused (code, message). `params`: parameters accepted whatever
    /// `query_policy` says.
    fn head_plan(
        &self,
        formats: &[Format],
        head: &RequestHead,
        query: Option<&str>,
        query_policy: QueryPolicy,
        params: &[String],
    ) -> Result<HeadPlan, (&'static str, String)> {
        let mut pieces = Vec::new();
        let mut remove = Vec::new();
        self.headers
            .plan(formats, &head.headers, &mut remove, &mut pieces);
        if let Some(q) = query {
            if query_policy == QueryPolicy::Refuse {
                let refused = q
                    .split('&')
                    .filter(|p| !p.is_empty())
                    .map(|p| p.split_once('=').map_or(p, |(name, _)| name))
                    .find(|name| !params.iter().any(|a| a == name));
                if let Some(name) = refused {
                    let msg = if params.is_empty() {
                        "this path takes no query string".to_string()
                    } else {
                        format!(
                            "query parameter {name:?} is not accepted on this path (accepted: {})",
                            params.join(", ")
                        )
                    };
                    return Err(("query_not_allowed", msg));
                }
            }
            query_pieces(q, &mut pieces).map_err(|e| ("malformed_query", e.to_string()))?;
        }
        Ok((pieces, remove.into_iter().map(str::to_string).collect()))
    }

    /// Scan a listed path's head (headers, query): what is controlled goes to the listed
    /// destination only if it is approved for it and the caller may send it; redactable findings
    /// cannot be redacted out of a head and count as controlled.
    fn inspect_head(
        &self,
        scratch: &mut Scratch,
        dest: &DestInfo,
        pieces: &[HeadPiece],
        identity: &Identity,
        audit: &mut AuditRecord,
        format: Format,
    ) -> Result<(), Reply> {
        let hits = self.scan_head(scratch, pieces, audit).map_err(|e| {
            deny(
                audit,
                format,
                e.status(),
                "reject",
                e.reason(),
                &e.to_string(),
            )
        })?;
        let controlled: Vec<&LabelHit> = hits
            .iter()
            .filter(|h| h.action != LabelAction::Allow)
            .collect();
        if controlled.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = controlled.iter().map(|h| label_name(h)).collect();
        let blocked = controlled.iter().any(|h| h.action == LabelAction::Block)
            || !self.approves(dest, &controlled)
            || controlled
                .iter()
                .any(|h| self.missing_attribute(h, identity).is_some());
        if blocked {
            let msg = format!(
                "the request's headers or query contain {} content, which may not go to {}",
                names.join(", "),
                dest.name
            );
            return Err(deny(
                audit,
                format,
                403,
                "block",
                "controlled_content",
                &msg,
            ));
        }
        Ok(())
    }

    /// Scan the parts of the request head that go upstream, as one document of their own. A
    /// document found clean before (the exact same text) is not scanned again.
    fn scan_head(
        &self,
        scratch: &mut Scratch,
        head: &[HeadPiece],
        audit: &mut AuditRecord,
    ) -> Result<Vec<LabelHit>, InspectError> {
        if head.is_empty() {
            return Ok(Vec::new());
        }
        // The document's text first: a remembered one costs no pieces, locations or scan.
        let len = head.iter().map(|h| h.text.len() + 1).sum();
        let mut doc = String::with_capacity(len);
        for h in head.iter().filter(|h| !h.text.is_empty()) {
            if !doc.is_empty() {
                doc.push('\n');
            }
            doc.push_str(&h.text);
        }
        if scratch.clean_heads.contains(&doc) {
            return Ok(Vec::new());
        }
        let ex = head_only(head);
        let normalized = audit.normalizations.len();
        let hits = self.scan_extracted(scratch, &[], &ex, audit)?;
        if hits.is_empty() && audit.normalizations.len() == normalized {
            let slot = scratch.next_clean_head % CLEAN_HEADS;
            scratch.next_clean_head = scratch.next_clean_head.wrapping_add(1);
            match scratch.clean_heads.get_mut(slot) {
                Some(d) => *d = doc,
                None => scratch.clean_heads.push(doc),
            }
        }
        Ok(hits)
    }

    /// A listed path's request came with a body: refused (a listed path carries no content).
    pub fn refuse_passthrough_body(&self, audit: &mut AuditRecord, size: usize) -> Reply {
        audit.request_bytes = size;
        audit.destination = None;
        deny(
            audit,
            Format::Openai,
            400,
            "reject",
            "body_not_allowed",
            "this path takes no request body",
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn refuse(
        &self,
        audit: &mut AuditRecord,
        provider: Format,
        status: u16,
        code: &str,
        decision: &str,
        message: &str,
    ) -> Route {
        Route::Refuse(deny(audit, provider, status, decision, code, message))
    }

    /// The identity requirement of the policy, applied to what the glue found.
    pub fn identity_required(&self) -> bool {
        self.identity.as_ref().is_some_and(|i| i.required)
    }

    /// Why the caller is refused before anything else (401 `unauthenticated`), if they are: no
    /// verified identity where the policy requires one, or a failed client-certificate check,
    /// which refuses even where a token is optional.
    pub fn identity_refusal(&self, identity: &Identity) -> Option<String> {
        if !(self.identity_required() || identity.certificate_failed)
            || identity.state == IdentityState::Verified
        {
            return None;
        }
        Some(match (&identity.state, &identity.problem) {
            (IdentityState::Invalid, Some(p)) if identity.certificate_failed => {
                format!("the client certificate is not acceptable: {p}")
            }
            (IdentityState::Invalid, Some(p)) => {
                format!("the identity token is not acceptable: {p}")
            }
            _ => "a verified identity token is required (Authorization: Bearer or x-api-key)"
                .to_string(),
        })
    }

    /// End of body: inspect, decide, act. Never panics; anything uninspectable is refused.
    pub fn inspect_request(
        &self,
        scratch: &mut Scratch,
        provider: impl Into<Format>,
        body: &[u8],
        identity: &Identity,
        audit: &mut AuditRecord,
    ) -> Verdict {
        self.inspect_request_with_head(scratch, provider.into(), body, &[], identity, audit)
    }

    /// [`Engine::inspect_request`] with the parts of the request head that go upstream (headers,
    /// query), scanned in the same document as the body.
    pub fn inspect_request_with_head(
        &self,
        scratch: &mut Scratch,
        provider: impl Into<Format>,
        body: &[u8],
        head: &[HeadPiece],
        identity: &Identity,
        audit: &mut AuditRecord,
    ) -> Verdict {
        let provider: Format = provider.into();
        audit.request_bytes = body.len();
        if self.identity.is_some() {
            audit.identity = Some(identity.clone());
        }
        let fail = |audit: &mut AuditRecord, e: InspectError| {
            Verdict::Refuse(deny(
                audit,
                provider,
                e.status(),
                "reject",
                e.reason(),
                &e.to_string(),
            ))
        };
        if body.len() > self.limits.max_body_bytes {
            return fail(
                audit,
                InspectError::TooLarge {
                    limit: self.limits.max_body_bytes,
                },
            );
        }
        // An MCP message: its id (echoed by every refusal), method and the tool, prompt or
        // resource it names; a batch or an unreadable message is refused after the identity gate.
        let mcp = provider == Format::Mcp;
        let mcp_message = mcp.then(|| crate::wire::mcp::message(body));
        if let Some(Ok(m)) = &mcp_message {
            audit.rpc_id = m.id.clone();
            audit.mcp_method = m.method.clone();
            audit.mcp_name = m.target.clone();
        }
        // 1. Who is asking.
        if let Some(msg) = self.identity_refusal(identity) {
            return Verdict::Refuse(deny(
                audit,
                provider,
                401,
                "refuse",
                "unauthenticated",
                &msg,
            ));
        }
        if let Some(Err(msg)) = mcp_message {
            return fail(audit, InspectError::Shape(msg));
        }
        // 2. What it says.
        let mut ex = match extract(provider, body) {
            Ok(e) => e,
            Err(e) => return fail(audit, e),
        };
        // A path template's `{model}` is the model (Azure deployments, Gemini).
        let full_path = audit.path.clone();
        let (path, query) = split_path(&full_path);
        let routed = self.endpoint(path);
        let path_model = routed
            .as_ref()
            .and_then(|(_, caps)| caps.iter().find(|(n, _)| *n == MODEL).map(|(_, v)| *v));
        if mcp {
            // Media is wherever MCP puts it (image and audio content, resource blobs): counted
            // here, scanned like any string (no place of an MCP message is skipped).
            ex.media_parts += serde_json::from_slice::<Value>(body)
                .map(|v| crate::wire::mcp::media_count(&v))
                .unwrap_or(0);
        } else {
            // A body that names another model than the path's is refused (the gateway and the
            // provider would read different models).
            if let Some(pm) = path_model {
                if let Some(bm) = ex.model.as_deref().filter(|bm| *bm != pm) {
                    return fail(
                        audit,
                        InspectError::Shape(format!(
                            "the body's \"model\" ({bm:?}) is not the model of the path ({pm:?})"
                        )),
                    );
                }
                ex.model = Some(pm.to_string());
            }
            // Formats that ask for a stream in the path (Gemini `:streamGenerateContent`).
            ex.stream |= provider
                .spec()
                .stream_path
                .is_some_and(|suffix| path.ends_with(suffix));
            audit.model = ex.model.clone();
            audit.stream = Some(ex.stream);
        }
        audit.client_user = ex.client_user.take();
        if self.capture.keeps_everything() {
            audit.request_text = Some(ex.doc.clone());
        }
        if ex.media_parts > 0 && !self.limits.allow_uninspectable_media {
            let msg =
                "the request carries images, audio or files, which this gateway cannot inspect";
            audit.hash_pending = Some(std::mem::take(&mut ex.doc));
            return Verdict::Refuse(deny(
                audit,
                provider,
                415,
                "reject",
                "uninspectable_media",
                msg,
            ));
        }
        let model_name = ex.model.clone().unwrap_or_default();
        // An MCP endpoint goes to the server it names, as a model goes to its destinations.
        let mcp_route = if mcp {
            let path = audit.path.split('?').next().unwrap_or("");
            self.mcp_servers
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, m)| m)
        } else {
            None
        };
        let target = match mcp_route.and_then(|m| m.dests.first()) {
            Some(&d) => format!(
                "MCP server {:?}",
                self.destinations.get(d).map_or("", |d| d.name.as_str())
            ),
            None => format!("model {model_name:?}"),
        };
        let route = if mcp {
            mcp_route
        } else {
            self.models.get(&model_name)
        };
        let Some(model) = route else {
            let msg = if mcp {
                format!(
                    "no MCP server is named for {:?} by the gateway policy",
                    audit.path
                )
            } else {
                format!("model {model_name:?} is not approved by the gateway policy")
            };
            audit.hash_pending = Some(std::mem::take(&mut ex.doc));
            return Verdict::Refuse(deny(
                audit,
                provider,
                403,
                "block",
                "model_not_allowed",
                &msg,
            ));
        };
        // A model served only by destinations that do not speak this API (embeddings sent to a
        // chat-only endpoint) is refused before anything is scanned, saying so.
        if !model.dests.iter().any(|&d| {
            self.destinations
                .get(d)
                .is_some_and(|d| d.formats.contains(&provider))
        }) {
            let msg = format!(
                "model {model_name:?} is not served through the {} API by this gateway",
                provider.as_str()
            );
            audit.hash_pending = Some(std::mem::take(&mut ex.doc));
            return Verdict::Refuse(deny(
                audit,
                provider,
                403,
                "block",
                "model_not_allowed",
                &msg,
            ));
        }
        let requested = model.dests.first().and_then(|&d| self.destinations.get(d));
        audit.destination_requested = requested.map(|d| d.name.clone());
        let mut hits = match self.scan_extracted(scratch, body, &ex, audit) {
            Ok(h) => h,
            Err(e) => return fail(audit, e),
        };
        // The head (headers, query) is scanned as its own document with the same scanner: a
        // routine value there (an address, a version) must not make the body's scan take its
        // slow path. Its findings cannot be redacted.
        match self.scan_head(scratch, head, audit) {
            Ok(h) => hits.extend(h),
            Err(e) => return fail(audit, e),
        }
        // The text is hashed when the record is finished (on_log), off the critical path; it
        // moves into the record (no copy).
        audit.hash_pending = Some(std::mem::take(&mut ex.doc));
        // 3. Redact what the policy redacts; what remains is decided.
        let mut edits = Vec::new();
        let mut masks = Masks::default();
        let mut controlled: Vec<&LabelHit> = Vec::new();
        for h in &hits {
            match h.action {
                LabelAction::Redact if !h.unredactable => {
                    redaction_edits(h, &ex, &mut edits);
                }
                LabelAction::Mask if !h.unredactable => {}
                LabelAction::Allow => {}
                _ => controlled.push(h),
            }
        }
        // Masks after redactions: a value a redaction overlaps is redacted with it.
        for h in hits
            .iter()
            .filter(|h| h.action == LabelAction::Mask && !h.unredactable)
        {
            let doc = audit.hash_pending.as_deref().unwrap_or("");
            mask_edits(h, &ex, doc, &mut edits, &mut masks);
        }
        let masked_only = edits.iter().all(|e| e.3.starts_with(crate::mask::PREFIX));
        // Block labels first, then identity requirements, then destinations.
        if let Some(h) = controlled.iter().find(|h| h.action == LabelAction::Block) {
            let msg = format!(
                "the request contains {} content, which this gateway does not forward",
                label_name(h)
            );
            return self.block(audit, provider, "blocked_content", &msg);
        }
        for h in &controlled {
            if let Some(missing) = self.missing_attribute(h, identity) {
                let msg = format!(
                    "the request contains {} content, which requires {missing}; the caller lacks it",
                    label_name(h)
                );
                return ineligible_caller(audit, provider, &msg);
            }
        }
        // The requested destination must accept the caller (a controlled-data path may require
        // attributes whatever the content); a reroute candidate that does not is skipped.
        if let Some(req) = requested {
            if let Some(missing) = self.unmet(&req.requires, None, None, identity) {
                let msg = format!(
                    "destination {} requires {missing}, which the caller lacks",
                    req.name
                );
                return ineligible_caller(audit, provider, &msg);
            }
        }
        let mut chosen = None;
        // Bedrock takes non-streaming Messages requests only (its streams use an event-stream
        // framing the filter cannot inspect; other endpoints have no InvokeModel equivalent).
        let translatable = !ex.stream && audit.path == BEDROCK_SOURCE_PATH;
        let mut skipped_bedrock = false;
        // A destination that would take the content but not this caller (e.g. it requires MFA).
        let mut ineligible: Option<(&str, String)> = None;
        for (i, &d) in model.dests.iter().enumerate() {
            let Some(dest) = self.destinations.get(d) else {
                continue;
            };
            if !dest.formats.contains(&provider) || !self.approves(dest, &controlled) {
                continue;
            }
            if let Some(missing) = self.unmet(&dest.requires, None, None, identity) {
                ineligible.get_or_insert((dest.name.as_str(), missing));
                continue;
            }
            {
                if dest.api == DestinationApi::Bedrock && !translatable {
                    skipped_bedrock = true;
                    continue;
                }
                chosen = Some((i, d, dest));
                break;
            }
        }
        if let (None, false, Some((name, missing))) = (&chosen, skipped_bedrock, &ineligible) {
            let msg = format!(
                "destination {name}, approved for this request, requires {missing}, which the caller lacks"
            );
            return ineligible_caller(audit, provider, &msg);
        }
        let (rank, dest_index, dest) = match chosen {
            Some((i, di, d)) if i == 0 || model.reroute => (i, di, d),
            None if skipped_bedrock => {
                let msg = format!(
                    "model {model_name:?} is served for this request only by an Amazon Bedrock destination, which takes non-streaming requests to {BEDROCK_SOURCE_PATH} only: send it without \"stream\""
                );
                return Verdict::Refuse(deny(
                    audit,
                    provider,
                    400,
                    "reject",
                    "unsupported_request",
                    &msg,
                ));
            }
            _ => {
                let names: Vec<String> = controlled.iter().map(|h| label_name(h)).collect();
                let msg = format!(
                    "the request contains {} content and no destination approved for it serves {target}",
                    names.join(", ")
                );
                return self.block(audit, provider, "controlled_content", &msg);
            }
        };
        let redacted = !edits.is_empty();
        let upstream_model = model
            .upstream_names
            .iter()
            .find(|(d, _)| *d == dest_index)
            .map(|(_, n)| n.as_str())
            .unwrap_or(&model_name);
        let renamed = upstream_model != model_name;
        if renamed {
            audit.upstream_model = Some(upstream_model.to_string());
        }
        let mut redacted_text = None;
        let bedrock = dest.api == DestinationApi::Bedrock;
        // (Bedrock takes the model from the path; its body has no "model" to rename.)
        // (A model named only in the path has no body member to rename.)
        let rename = (renamed && !bedrock && ex.model_span.is_some()).then_some(upstream_model);
        let body_out = if redacted || rename.is_some() {
            let doc = audit.hash_pending.as_deref().unwrap_or("");
            match apply_edits(body, &ex, doc, &mut edits, rename) {
                Ok((b, doc)) => {
                    redacted_text = Some(doc);
                    Some(b)
                }
                Err(e) => return fail(audit, e),
            }
        } else {
            None
        };
        let (body_out, path) = if bedrock {
            match bedrock_invoke(body_out.as_deref().unwrap_or(body), upstream_model) {
                Ok((b, p)) => (Some(b), Some(p)),
                Err(e) => return fail(audit, e),
            }
        } else {
            // A model in the path goes upstream under the destination's name for it, with the
            // rest of the path and the (scanned) query as the client sent them.
            let path_out = match (&routed, path_model) {
                (Some((ep, caps)), Some(_)) if renamed => {
                    let values: Vec<(&str, &str)> = caps
                        .iter()
                        .map(|&(n, v)| (n, if n == MODEL { upstream_model } else { v }))
                        .collect();
                    let mut p = ep.template.render(&values);
                    if let Some(q) = query {
                        p.push('?');
                        p.push_str(q);
                    }
                    Some(p)
                }
                _ => None,
            };
            (body_out, path_out)
        };
        audit.decision = if rank > 0 {
            "reroute"
        } else if redacted {
            "redact"
        } else {
            "allow"
        }
        .into();
        audit.reason = match audit.decision.as_str() {
            "reroute" => "approved_destination",
            "redact" if masked_only => "masked",
            "redact" => "redacted",
            _ if controlled.is_empty() => "no_controlled_content",
            _ => "destination_approved",
        }
        .into();
        if !masks.is_empty() {
            audit.masked = Some(masks.len());
        }
        // A masked value never enters the record: full capture keeps the text as it was sent.
        let captures = match self.capture {
            Capture::Redacted => controlled.is_empty(),
            Capture::Full | Capture::Sealed => !masks.is_empty(),
            _ => false,
        };
        if captures {
            audit.request_text = Some(if redacted {
                redacted_text.unwrap_or_default()
            } else {
                audit.hash_pending.clone().unwrap_or_default()
            });
        }
        audit.destination = Some(dest.name.clone());
        audit.forwarded_bytes = Some(body_out.as_ref().map_or(body.len(), |b| b.len()));
        Verdict::Forward {
            destination: dest.name.clone(),
            cluster: dest.cluster.clone(),
            body: body_out,
            path,
            masks,
        }
    }

    /// A body over the limit, refused before it is buffered whole.
    pub fn refuse_oversize(&self, provider: Format, size: usize, audit: &mut AuditRecord) -> Reply {
        let e = InspectError::TooLarge {
            limit: self.limits.max_body_bytes,
        };
        audit.request_bytes = size;
        deny(
            audit,
            provider,
            e.status(),
            "reject",
            e.reason(),
            &e.to_string(),
        )
    }

    /// The host would not carry out a decision (a rewrite of the body or the path failed): the
    /// request is refused rather than sent as it was.
    pub fn internal_error(&self, provider: Format, audit: &mut AuditRecord, msg: &str) -> Reply {
        deny(audit, provider, 500, "reject", "internal_error", msg)
    }

    /// `capture: sealed` and the randomness for the record's envelope could not be drawn: the
    /// request is refused before it goes anywhere (it would otherwise pass unrecorded).
    pub fn seal_refusal(
        &self,
        provider: Format,
        audit: &mut AuditRecord,
        e: &crate::seal::SealError,
    ) -> Reply {
        let msg =
            format!("the audit record of this request could not be sealed ({e}); nothing was sent");
        deny(audit, provider, 500, "reject", "audit_seal_failed", &msg)
    }

    /// Whether the answer to a request is captured: when its own text was (`request_text`).
    pub fn captures_answer(&self, audit: &AuditRecord) -> bool {
        self.capture != Capture::None && audit.request_text.is_some()
    }

    /// Keep a captured answer's text: under `redacted` only when no label found in it was
    /// released unredacted (`clean`).
    pub(crate) fn keep_answer(&self, audit: &mut AuditRecord, text: String, clean: bool) {
        if self.capture == Capture::Redacted && !clean {
            audit.response_text = None;
            return;
        }
        audit.response_text = Some(text);
    }

    fn block(&self, audit: &mut AuditRecord, provider: Format, code: &str, msg: &str) -> Verdict {
        Verdict::Refuse(deny(audit, provider, 403, "block", code, msg))
    }

    fn approves(&self, dest: &DestInfo, labels: &[&LabelHit]) -> bool {
        labels.iter().all(|h| {
            if h.label == "CLASSIFIED" {
                matches!((dest.max_rank, h.rank), (Some(max), Some(r)) if r <= max)
            } else {
                dest.approved.contains(&h.label)
            }
        })
    }

    /// The identity attribute a label needs and the caller lacks, in words for the client.
    fn missing_attribute(&self, h: &LabelHit, id: &Identity) -> Option<String> {
        let lp = self.labels.get(&h.label)?;
        self.unmet(&lp.requires, h.rank, h.tag.as_deref(), id)
    }

    /// The first requirement the identity does not meet. `rank`/`tag` are the content's
    /// classification level and compartment, for "clearance: level" and compartment checks.
    fn unmet(
        &self,
        req: &Requirements,
        rank: Option<usize>,
        tag: Option<&str>,
        id: &Identity,
    ) -> Option<String> {
        if req.mfa && id.mfa != Some(true) {
            return Some("multi-factor authentication".into());
        }
        if req.us_person && id.us_person != Some(true) {
            return Some(match id.us_person {
                None => "a verified US-person status".into(),
                _ => "US-person status".into(),
            });
        }
        if let Some(c) = &req.clearance {
            let need = if c == "level" {
                rank
            } else {
                self.levels.iter().position(|l| l == c)
            };
            if let Some(need) = need {
                if id.clearance_rank.is_none_or(|r| r < need) {
                    let name = self.levels.get(need).cloned().unwrap_or_default();
                    return Some(format!("a {name} clearance"));
                }
            }
        }
        if req.compartments {
            if let Some(t) = tag {
                if !id.compartments.iter().any(|c| c.eq_ignore_ascii_case(t)) {
                    return Some(format!("access to compartment {t}"));
                }
            }
        }
        req.groups
            .iter()
            .find(|g| !id.groups.contains(g))
            .map(|g| format!("membership in group {g}"))
    }

    /// Normalize the whole conversation once, scan it once, group findings into labels.
    fn scan_extracted(
        &self,
        scratch: &mut Scratch,
        body: &[u8],
        ex: &Extracted,
        audit: &mut AuditRecord,
    ) -> Result<Vec<LabelHit>, InspectError> {
        let norm = &mut scratch.norm;
        norm.clear();
        scratch.framing.clear();
        for (i, p) in ex.pieces.iter().enumerate() {
            if i > 0 {
                norm.push_linear(b"\n", p.doc_start - 1);
            }
            let s = p.doc_start as usize;
            let text = ex.doc.get(s..s + p.len as usize).unwrap_or("");
            let from = norm.text.len() as u32;
            normalize_into(norm, text, p.doc_start);
            if framing(ex, p, text) {
                scratch.framing.push((from, norm.text.len() as u32));
            }
        }
        let out = self.scanner.scan_hidden(
            &mut scratch.scan,
            &norm.text,
            &norm.hidden,
            &scratch.framing,
        )?;
        let mut changes = norm.changes;
        changes.insert(out.changes);
        for n in changes.names() {
            if !audit.normalizations.contains(&n) {
                audit.normalizations.push(n);
            }
        }
        let mut hits: Vec<LabelHit> = Vec::new();
        for f in &out.findings {
            let Some(rule) = self.scanner.rules.get(f.rule) else {
                continue;
            };
            let lp = self.labels.get(&rule.label);
            if lp.is_some_and(|lp| f.confidence < lp.min_confidence) {
                continue;
            }
            let action = rule
                .action
                .or(lp.map(|l| l.action))
                .unwrap_or(LabelAction::Control);
            let (os, oe) = norm.orig_span(f.start, f.end);
            // Map the doc span onto the pieces it covers.
            let mut spans = Vec::new();
            let mut unredactable = false;
            let first = ex.pieces.partition_point(|p| p.doc_start + p.len <= os);
            for (pi, p) in ex.pieces.iter().enumerate().skip(first) {
                if p.doc_start >= oe.max(os + 1) {
                    break;
                }
                let s = os.max(p.doc_start) - p.doc_start;
                let e = oe.min(p.doc_start + p.len) - p.doc_start;
                if p.value_index.is_none() {
                    unredactable = true;
                }
                spans.push((pi, s as usize, e as usize));
            }
            let rank = rule
                .level
                .as_ref()
                .and_then(|l| self.levels.iter().position(|x| x == l));
            // Group by label, level, tag and action.
            if let Some(h) = hits.iter_mut().find(|h| {
                h.label == rule.label
                    && h.level == rule.level
                    && h.tag == rule.tag
                    && h.action == action
            }) {
                if !h.rules.contains(&rule.id) {
                    h.rules.push(rule.id.clone());
                }
                self.scanner.features(f, &mut h.features);
                h.confidence = h.confidence.max(f.confidence);
                h.spans.extend(spans);
                h.unredactable |= unredactable;
            } else {
                let mut features = Vec::new();
                self.scanner.features(f, &mut features);
                hits.push(LabelHit {
                    features,
                    label: rule.label.clone(),
                    level: rule.level.clone(),
                    rank,
                    tag: rule.tag.clone(),
                    action,
                    confidence: f.confidence,
                    rules: vec![rule.id.clone()],
                    spans,
                    unredactable,
                });
            }
        }
        for h in &hits {
            for r in &h.rules {
                if !audit.rules.contains(r) {
                    audit.rules.push(r.clone());
                }
            }
            audit.labels.push(LabelRecord {
                label: h.label.clone(),
                level: h.level.clone(),
                tag: h.tag.clone(),
                rules: h.rules.clone(),
                features: h.features.clone(),
                confidence: (f64::from(h.confidence) * 100.0).round() / 100.0,
                action: match h.action {
                    LabelAction::Control => "control",
                    LabelAction::Redact | LabelAction::Mask if h.unredactable => "control",
                    LabelAction::Redact => "redact",
                    LabelAction::Mask => "mask",
                    LabelAction::Block => "block",
                    LabelAction::Allow => "allow",
                }
                .into(),
                spans: h
                    .spans
                    .iter()
                    .take(16)
                    .map(|&(pi, s, e)| SpanRef {
                        location: match ex.pieces.get(pi) {
                            Some(p) if p.head.is_some() => p
                                .head
                                .and_then(|i| ex.head.get(i as usize))
                                .cloned()
                                .unwrap_or_else(|| "(request head)".into()),
                            p => p
                                .and_then(|p| p.value_index)
                                .and_then(|vi| pointer_of(body, ex, vi))
                                .unwrap_or_else(|| "(object key)".into()),
                        },
                        start: s,
                        end: e,
                    })
                    .collect(),
            });
        }
        // Unredactable redact-findings are controlled instead.
        for h in hits.iter_mut() {
            if matches!(h.action, LabelAction::Redact | LabelAction::Mask) && h.unredactable {
                h.action = LabelAction::Control;
            }
        }
        Ok(hits)
    }

    /// Scan a request body without deciding (CLI `explain`, corpus tests): the labels, the
    /// normalizations, whether anything controlled (not redactable) was found, and the body after
    /// the policy's redactions.
    pub fn scan_body(
        &self,
        scratch: &mut Scratch,
        provider: impl Into<Format>,
        body: &[u8],
    ) -> Result<ScanReport, InspectError> {
        let ex = extract(provider.into(), body)?;
        let mut audit = AuditRecord::default();
        let hits = self.scan_extracted(scratch, body, &ex, &mut audit)?;
        let mut edits = Vec::new();
        let mut controlled = false;
        let mut masks = Masks::default();
        for h in &hits {
            match h.action {
                LabelAction::Redact => {
                    redaction_edits(h, &ex, &mut edits);
                }
                LabelAction::Mask | LabelAction::Allow => {}
                _ => controlled = true,
            }
        }
        for h in hits.iter().filter(|h| h.action == LabelAction::Mask) {
            mask_edits(h, &ex, &ex.doc, &mut edits, &mut masks);
        }
        let redacted_body = if edits.is_empty() {
            None
        } else {
            Some(apply_edits(body, &ex, &ex.doc, &mut edits, None)?.0)
        };
        Ok(ScanReport {
            labels: audit.labels,
            normalizations: audit.normalizations,
            controlled,
            redacted_body,
        })
    }

    /// [`Engine::scan_body`] for a plain text sent as one user message; the redacted text is
    /// that message after redaction.
    pub fn scan_text(
        &self,
        scratch: &mut Scratch,
        text: &str,
    ) -> Result<(ScanReport, String), InspectError> {
        let body =
            serde_json::json!({"model": "", "messages": [{"role": "user", "content": text}]});
        let bytes = serde_json::to_vec(&body).map_err(|e| InspectError::Scan(e.to_string()))?;
        let report = self.scan_body(scratch, Format::Openai, &bytes)?;
        let redacted = match &report.redacted_body {
            Some(b) => {
                let v: Value =
                    serde_json::from_slice(b).map_err(|e| InspectError::Scan(e.to_string()))?;
                v["messages"][0]["content"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            }
            None => text.to_string(),
        };
        Ok((report, redacted))
    }

    /// Every signal match in `text` after normalization (no decoding, no rules), as (signal id,
    /// matched text): what `itar-policy explain --signals` shows, so a security engineer sees the
    /// features near a rule that did not fire.
    pub fn signal_matches(
        &self,
        scratch: &mut Scratch,
        text: &str,
    ) -> Result<Vec<(String, String)>, InspectError> {
        let mut norm = Normalized::default();
        normalize_into(&mut norm, text, 0);
        let by_signal =
            self.scanner
                .signal_matches(&mut scratch.scan, &norm.text, crate::scan::Pass::Whole)?;
        let mut out = Vec::new();
        for (sig, hits) in by_signal.iter().enumerate() {
            let id = self.scanner.signal_id(sig).unwrap_or("?");
            for &(s, e) in hits {
                let m = norm.text.get(s as usize..e as usize).unwrap_or_default();
                out.push((s, id.to_string(), String::from_utf8_lossy(m).into_owned()));
            }
        }
        out.sort_by_key(|m| m.0);
        Ok(out.into_iter().map(|(_, id, m)| (id, m)).collect())
    }

    /// Each rule whose primary signal matches the normalized `text` (no decoding): its best
    /// score there, its threshold, the match and the features behind the score, best first.
    /// Why a rule fired or did not (`itar-policy explain --scores`).
    pub fn rule_scores(
        &self,
        scratch: &mut Scratch,
        text: &str,
    ) -> Result<Vec<RuleScore>, InspectError> {
        let mut norm = Normalized::default();
        normalize_into(&mut norm, text, 0);
        let all = self
            .scanner
            .rule_scores(&mut scratch.scan, &norm.text, &norm.hidden)?;
        let mut best: Vec<RuleScore> = Vec::new();
        for f in &all {
            let Some(rule) = self.scanner.rules.get(f.rule) else {
                continue;
            };
            if let Some(b) = best.iter_mut().find(|b| b.rule == rule.id) {
                if b.score >= f.confidence {
                    continue;
                }
                best.retain(|b| b.rule != rule.id);
            }
            let mut features = Vec::new();
            self.scanner.features(f, &mut features);
            let mut m = norm.text.get(f.start..f.end).unwrap_or_default();
            if rule.primary_signal().is_none() && rule.id.starts_with("classifier.") {
                // A classifier: its best window (shortened) and the features weighing most in it.
                for (label, _, found) in self.scanner.explain_classifiers(&norm.text, 8) {
                    if rule.label == label {
                        for (name, w) in found.map(|f| f.1).unwrap_or_default() {
                            features.push(format!("{name}:{w:+.2}"));
                        }
                    }
                }
                m = m.get(..m.len().min(120)).unwrap_or_default();
            }
            best.push(RuleScore {
                rule: rule.id.clone(),
                score: f.confidence,
                threshold: rule.threshold,
                matched: String::from_utf8_lossy(m).into_owned(),
                features,
            });
        }
        best.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(best)
    }

    /// Heap bytes of the fingerprint artifacts in force (benchmarks).
    #[doc(hidden)]
    pub fn fingerprint_memory(&self) -> usize {
        self.scanner.fingerprint_memory()
    }

    pub fn destination(&self, name: &str) -> Option<&DestInfo> {
        self.destinations.iter().find(|d| d.name == name)
    }
}

/// One rule's best score on a text (`Engine::rule_scores`).
#[derive(Debug, Clone)]
pub struct RuleScore {
    pub rule: String,
    pub score: f32,
    pub threshold: f32,
    pub matched: String,
    pub features: Vec<String>,
}

/// The caller lacks an attribute the content or the destination requires (403).
fn ineligible_caller(audit: &mut AuditRecord, provider: Format, msg: &str) -> Verdict {
    Verdict::Refuse(deny(
        audit,
        provider,
        403,
        "refuse",
        "identity_ineligible",
        msg,
    ))
}

/// Record a refusal in the audit record and build the reply for it in the provider's format: the
/// same decision, code and message drive both (the code is the record's `reason`).
pub(crate) fn deny(
    audit: &mut AuditRecord,
    provider: Format,
    status: u16,
    decision: &str,
    code: &str,
    message: &str,
) -> Reply {
    audit.decision = decision.into();
    audit.reason = code.into();
    audit.message = message.into();
    let mut reply = error_reply(provider, status, code, message, &audit.request_id);
    if let (Format::Mcp, Some(id)) = (provider, &audit.rpc_id) {
        reply.body = crate::wire::mcp::with_id(reply.body, id);
    }
    reply
}

/// The edits that replace a redact label's spans with its typed placeholder.
fn redaction_edits(h: &LabelHit, ex: &Extracted, edits: &mut Vec<(usize, usize, usize, String)>) {
    let tag = h.tag.as_deref().unwrap_or(&h.label);
    for &(piece, s, e) in &h.spans {
        if let Some(vi) = ex.pieces.get(piece).and_then(|p| p.value_index) {
            edits.push((vi, s, e, format!("[REDACTED:{tag}]")));
        }
    }
}

/// The edits that replace a mask label's values with their placeholders. A value overlapping a
/// redaction (or another mask) is redacted with it: an edit covering two values could not be put
/// back as one.
fn mask_edits(
    h: &LabelHit,
    ex: &Extracted,
    doc: &str,
    edits: &mut Vec<(usize, usize, usize, String)>,
    masks: &mut Masks,
) {
    let tag = h.tag.as_deref().unwrap_or(&h.label);
    for &(piece, s, e) in &h.spans {
        let Some(p) = ex.pieces.get(piece) else {
            continue;
        };
        let Some(vi) = p.value_index else {
            continue;
        };
        let overlaps = edits.iter().any(|x| x.0 == vi && x.1 < e && s < x.2);
        let start = p.doc_start as usize;
        let value = doc.get(start + s..start + e);
        match value {
            Some(v) if !overlaps => {
                let placeholder = masks.assign(tag, v);
                edits.push((vi, s, e, placeholder));
            }
            _ => edits.push((vi, s, e, format!("[REDACTED:{tag}]"))),
        }
    }
}

fn label_name(h: &LabelHit) -> String {
    match (&h.level, &h.tag) {
        (Some(l), _) if h.label == "CLASSIFIED" => format!("classified ({l})"),
        (_, Some(t)) if h.label == "PII" => format!("PII ({t})"),
        _ => h.label.clone(),
    }
}

/// sha256 of the policy in canonical form (parsed and re-serialized with sorted keys), so
/// formatting changes do not change the digest but any content change does.
pub fn canonical_digest(policy: &Policy) -> String {
    let v = serde_json::to_value(policy).unwrap_or(Value::Null);
    // Hashed as it is written: an inlined artifact is not copied once more into a buffer.
    struct Hashing(sha2::Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            sha2::Digest::update(&mut self.0, b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(<sha2::Sha256 as sha2::Digest>::new());
    if serde_json::to_writer(&mut h, &v).is_err() {
        return sha256_hex(&[]);
    }
    crate::audit::hex(&sha2::Digest::finalize(h.0))
}

/// Bedrock's Anthropic API version, sent in the body (the `anthropic-version` header is not used).
const BEDROCK_ANTHROPIC_VERSION: &str = "bedrock-2023-05-31";
/// The one endpoint translated to InvokeModel (Anthropic Messages).
const BEDROCK_SOURCE_PATH: &str = "/v1/messages";

/// An Anthropic Messages request (after any redaction) as Bedrock's InvokeModel wants it: the
/// body without `model` and `stream` (Bedrock refuses keys it does not know) and with
/// `anthropic_version`; the path names the model, percent-encoded (inference profile ARNs
/// contain '/').
fn bedrock_invoke(body: &[u8], model: &str) -> Result<(Vec<u8>, String), InspectError> {
    let bad = |why: &str| InspectError::Malformed(format!("cannot translate for Bedrock: {why}"));
    let mut v: Value = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
    let obj = v.as_object_mut().ok_or_else(|| bad("not an object"))?;
    obj.remove("model");
    obj.remove("stream");
    obj.insert(
        "anthropic_version".into(),
        Value::from(BEDROCK_ANTHROPIC_VERSION),
    );
    let out = serde_json::to_vec(&v).map_err(|e| bad(&e.to_string()))?;
    let mut path = String::with_capacity(model.len() + 16);
    path.push_str("/model/");
    for b in model.bytes() {
        if b.is_ascii_alphanumeric() || b".-_~:".contains(&b) {
            path.push(char::from(b));
        } else {
            path.push_str(&format!("%{b:02X}"));
        }
    }
    path.push_str("/invoke");
    Ok((out, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::default_levels;
    use crate::wire::Format as Provider;
    use serde_json::json;

    fn policy() -> Vec<u8> {
        serde_json::to_vec(&json!({
            "id": "t", "version": "1",
            "endpoints": [{"path": "/v1/chat/completions", "format": "openai"},
                          {"path": "/v1/messages", "format": "anthropic"}],
            "destinations": {
                "onprem": {"cluster": "onprem", "residency": "US", "formats": ["openai"],
                           "approved_labels": ["ITAR"], "max_classification": "SECRET",
                           "requires": {"us_person": true}},
                "usgov": {"cluster": "usgov", "residency": "US", "formats": ["openai", "anthropic"],
                          "approved_labels": ["ITAR"], "requires": {"us_person": true}},
                "commercial": {"cluster": "commercial", "residency": "US", "formats": ["openai", "anthropic"]},
                "foreign": {"cluster": "foreign", "residency": "DE", "formats": ["openai"]}
            },
            "models": {
                "gpt-4o": {"destinations": ["commercial", "usgov"]},
                "pinned": {"destinations": ["commercial", "usgov"], "reroute": false},
                "llama": {"destinations": ["onprem"]},
                "mistral": {"destinations": ["foreign"]}
            },
            "identity": {"metadata_key": "claims", "issuers": ["iss"], "audiences": ["aud"],
                         "claims": {"person_category": "pc", "clearance": "clr", "compartments": "sci", "groups": "groups"},
                         "us_person_values": ["us_citizen"]},
            "labels": {
                "ITAR": {"action": "control", "requires": {"us_person": true}},
                "CLASSIFIED": {"action": "control", "requires": {"us_person": true, "clearance": "level", "compartments": true}},
                "PII": {"action": "redact"}
            },
            "signals": [
                {"id": "itar", "terms": ["ITAR CONTROLLED"]},
                {"id": "secret", "regex": "SECRET//NOFORN"},
                {"id": "tk", "regex": "//TK//"},
                {"id": "ssn", "regex": "\\b[0-9]{3}-[0-9]{2}-[0-9]{4}\\b"}
            ],
            "rules": [
                {"id": "r.itar", "label": "ITAR", "signal": "itar"},
                {"id": "r.secret", "label": "CLASSIFIED", "level": "SECRET", "signal": "secret"},
                {"id": "r.tk", "label": "CLASSIFIED", "level": "SECRET", "tag": "TK", "signal": "tk"},
                {"id": "r.ssn", "label": "PII", "tag": "SSN", "signal": "ssn", "validate": "ssn"}
            ]
        }))
        .unwrap()
    }

    fn who(pc: &str, clr: Option<&str>, sci: &[&str]) -> Identity {
        let e = Engine::from_policy_json(&policy()).unwrap();
        let mut c = json!({"sub": "u", "iss": "iss", "aud": "aud", "pc": pc, "sci": sci,
                           "iat": 1.7e9, "exp": 1.7e9 + 3600.0});
        if let Some(l) = clr {
            c["clr"] = json!(l);
        }
        Identity::from_claims(e.identity.as_ref().unwrap(), &c)
    }

    fn run(model: &str, text: &str, id: &Identity) -> (Verdict, AuditRecord) {
        let e = Engine::from_policy_json(&policy()).unwrap();
        let mut s = e.new_scratch();
        let body = serde_json::to_vec(
            &json!({"model": model, "messages": [{"role": "user", "content": text}]}),
        )
        .unwrap();
        let mut audit = AuditRecord::default();
        let v = e.inspect_request(&mut s, Provider::Openai, &body, id, &mut audit);
        (v, audit)
    }

    fn status(v: &Verdict) -> u16 {
        match v {
            Verdict::Forward { .. } => 200,
            Verdict::Refuse(r) => r.status,
        }
    }

    fn dest(v: &Verdict) -> &str {
        match v {
            Verdict::Forward { destination, .. } => destination,
            Verdict::Refuse(_) => "",
        }
    }

    #[test]
    fn masked_values_go_as_placeholders_and_come_back_to_the_caller() {
        use crate::engine::response::{ResponseCtx, ResponseVerdict};
        let mut p: Value = serde_json::from_slice(&policy()).unwrap();
        p["labels"]["PII"]["action"] = json!("mask");
        let e = Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).unwrap();
        let mut s = e.new_scratch();
        let us = who("us_citizen", Some("SECRET"), &[]);
        let text = "ssn 148-36-7725, again 148-36-7725; spouse 321-54-9876";
        let body = serde_json::to_vec(
            &json!({"model": "gpt-4o", "messages": [{"role": "user", "content": text}]}),
        )
        .unwrap();
        let mut audit = AuditRecord {
            request_id: "r1".into(),
            ..AuditRecord::default()
        };
        let v = e.inspect_request(&mut s, Provider::Openai, &body, &us, &mut audit);
        let Verdict::Forward {
            destination,
            body: Some(sent),
            masks,
            ..
        } = v
        else {
            panic!("{v:?}")
        };
        assert_eq!(destination, "commercial");
        let sent: Value = serde_json::from_slice(&sent).unwrap();
        assert_eq!(
            sent["messages"][0]["content"],
            "ssn [MASKED:SSN:1], again [MASKED:SSN:1]; spouse [MASKED:SSN:2]"
        );
        assert_eq!(
            (audit.decision.as_str(), audit.reason.as_str()),
            ("redact", "masked")
        );
        assert_eq!(audit.masked, Some(2));
        assert_eq!(audit.labels[0].action, "mask");
        let record = serde_json::to_string(&audit).unwrap();
        assert!(
            !record.contains("7725") && !record.contains("9876"),
            "{record}"
        );

        // The answer: placeholders put back; a value the model wrote itself is redacted.
        let ctx = ResponseCtx {
            provider: Format::Openai,
            destination,
            identity: us,
            request_id: "r1".into(),
            masks,
        };
        let answer = json!({"choices": [{"index": 0, "message": {"role": "assistant",
            "content": "Yours is [MASKED:SSN:1]; [MASKED:SSN:3] is unknown; theirs 148-36-7726"}}]});
        let mut ra = AuditRecord::default();
        let rv = e.inspect_response(&mut s, &ctx, answer.to_string().as_bytes(), &mut ra);
        let ResponseVerdict::Rewrite(out) = rv else {
            panic!("{rv:?}")
        };
        let out: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            out["choices"][0]["message"]["content"],
            "Yours is 148-36-7725; [MASKED:SSN:3] is unknown; theirs [REDACTED:SSN]"
        );

        // Streamed, with a placeholder split over three events.
        let mut st = e.new_stream(ctx.clone());
        let mut client = String::new();
        for d in ["Yours is [MAS", "KED:SSN", ":2] and [MASKED:SSN:1", "]."] {
            let ev = json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                "choices": [{"index": 0, "delta": {"content": d}, "finish_reason": null}]});
            let w = format!("data: {ev}\n\n");
            let got = e.stream_chunk(&mut s, &mut st, w.as_bytes(), false);
            client.push_str(&String::from_utf8(got).unwrap());
        }
        let got = e.stream_chunk(&mut s, &mut st, b"data: [DONE]\n\n", true);
        client.push_str(&String::from_utf8(got).unwrap());
        let mut text = String::new();
        for line in client.lines().filter_map(|l| l.strip_prefix("data: ")) {
            if line == "[DONE]" {
                continue;
            }
            let v: Value = serde_json::from_str(line).unwrap();
            let piece = v["choices"][0]["delta"]["content"].as_str().unwrap_or("");
            assert!(!piece.contains("[MAS") || piece.contains(']'), "{piece:?}");
            text.push_str(piece);
        }
        assert_eq!(text, "Yours is 321-54-9876 and 148-36-7725.");

        // Without masks nothing is restored (another request's placeholders mean nothing).
        let plain = ResponseCtx {
            masks: Default::default(),
            ..ctx
        };
        let rv = e.inspect_response(&mut s, &plain, answer.to_string().as_bytes(), &mut ra);
        let ResponseVerdict::Rewrite(out) = rv else {
            panic!("{rv:?}")
        };
        assert!(String::from_utf8(out)
            .unwrap()
            .contains("Yours is [MASKED:SSN:1]"));
    }

    #[test]
    fn a_masked_value_in_the_head_is_not_sent() {
        let mut p: Value = serde_json::from_slice(&policy()).unwrap();
        p["labels"]["PII"]["action"] = json!("mask");
        let e = Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).unwrap();
        let mut s = e.new_scratch();
        let us = who("us_citizen", Some("SECRET"), &[]);
        let body = br#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#;
        let mut head = Vec::new();
        query_pieces("ssn=148-36-7725", &mut head).unwrap();
        let mut audit = AuditRecord::default();
        let v = e.inspect_request_with_head(&mut s, Provider::Openai, body, &head, &us, &mut audit);
        assert_eq!(status(&v), 403, "{v:?}");
    }

    #[test]
    fn decision_table() {
        let us = who("us_citizen", Some("SECRET"), &["SI"]);
        let fn_ = who("foreign_national", Some("SECRET"), &[]);
        let low = who("us_citizen", Some("CONFIDENTIAL"), &[]);
        let none = Identity::missing();
        let cases: &[(&str, &str, &Identity, u16, &str, &str)] = &[
            ("gpt-4o", "hello", &us, 200, "commercial", "allow"),
            ("gpt-4o", "hello", &none, 401, "", "refuse"),
            (
                "gpt-4o",
                "ITAR CONTROLLED data",
                &us,
                200,
                "usgov",
                "reroute",
            ),
            ("pinned", "ITAR CONTROLLED data", &us, 403, "", "block"),
            ("gpt-4o", "ITAR CONTROLLED data", &fn_, 403, "", "refuse"),
            ("gpt-4o", "hello", &fn_, 200, "commercial", "allow"),
            ("llama", "hello", &fn_, 403, "", "refuse"),
            ("llama", "SECRET//NOFORN x", &us, 200, "onprem", "allow"),
            ("llama", "SECRET//NOFORN x", &low, 403, "", "refuse"),
            ("llama", "SECRET//TK//NOFORN", &us, 403, "", "refuse"),
            ("gpt-4o", "SECRET//NOFORN x", &us, 403, "", "block"),
            ("mistral", "ITAR CONTROLLED data", &us, 403, "", "block"),
            (
                "gpt-4o",
                "ssn 148-36-7725",
                &fn_,
                200,
                "commercial",
                "redact",
            ),
            ("nope", "hello", &us, 403, "", "block"),
        ];
        for (model, text, id, st, d, decision) in cases {
            let (v, a) = run(model, text, id);
            assert_eq!(status(&v), *st, "{model} {text:?}: {v:?}");
            assert_eq!(dest(&v), *d, "{model} {text:?}");
            assert_eq!(a.decision, *decision, "{model} {text:?}: {}", a.message);
        }
        let (v, a) = run("llama", "SECRET//TK//NOFORN", &us);
        assert!(a.message.contains("compartment TK"), "{}", a.message);
        let Verdict::Refuse(r) = v else { panic!() };
        assert!(String::from_utf8_lossy(&r.body).contains("compartment TK"));
        let (_, a) = run("llama", "SECRET//NOFORN x", &low);
        assert!(a.message.contains("a SECRET clearance"), "{}", a.message);
        let (_, a) = run("gpt-4o", "ITAR CONTROLLED", &fn_);
        assert!(a.message.contains("US-person status"), "{}", a.message);
    }

    #[test]
    fn text_digests_follow_the_policy() {
        use crate::policy::TextDigests;
        let us = who("us_citizen", Some("SECRET"), &[]);
        for (mode, text, want) in [
            (TextDigests::Flagged, "hello", false),
            (TextDigests::Flagged, "SECRET//NOFORN x", true),
            (TextDigests::Flagged, "ssn 148-36-7725 ok", true),
            (TextDigests::None, "SECRET//NOFORN x", false),
            (TextDigests::All, "hello", true),
        ] {
            let (_, mut a) = run("gpt-4o", text, &us);
            a.text_digests = mode;
            a.response_text_sha256 = Some("x".into());
            a.finish();
            assert_eq!(a.request_text_sha256.is_some(), want, "{mode:?} {text}");
            assert_eq!(a.response_text_sha256.is_some(), want, "{mode:?} {text}");
        }
        // The policy setting reaches the record.
        let mut p: Value = serde_json::from_slice(&policy()).unwrap();
        p["audit"] = json!({"text_digests": "flagged"});
        let e = Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).unwrap();
        let a = e.audit_start(&RequestHead::default(), String::new());
        assert_eq!(a.text_digests, TextDigests::Flagged);
    }

    #[test]
    fn every_inspected_request_gets_a_text_hash() {
        let us = who("us_citizen", Some("SECRET"), &[]);
        for (model, text) in [
            ("gpt-4o", "hello"),
            ("gpt-4o", "SECRET//NOFORN x"),
            ("nope", "hi"),
            ("llama", "ITAR CONTROLLED"),
        ] {
            let (_, mut a) = run(model, text, &us);
            a.finish();
            assert_eq!(
                a.request_text_sha256.as_deref().map(str::len),
                Some(64),
                "{model} {text}"
            );
        }
    }

    #[test]
    fn redaction_rewrites_body() {
        let (v, _) = run(
            "gpt-4o",
            "ssn 148-36-7725 ok",
            &who("us_citizen", None, &[]),
        );
        let Verdict::Forward { body: Some(b), .. } = v else {
            panic!("{v:?}")
        };
        let s = String::from_utf8(b).unwrap();
        assert!(
            s.contains("ssn [REDACTED:SSN] ok") && !s.contains("7725"),
            "{s}"
        );
    }

    #[test]
    fn foreign_destination_cannot_be_approved() {
        let mut p: Value = serde_json::from_slice(&policy()).unwrap();
        p["destinations"]["foreign"]["approved_labels"] = json!(["ITAR"]);
        let err = Engine::from_policy_json(&serde_json::to_vec(&p).unwrap())
            .err()
            .unwrap();
        assert!(err.to_string().contains("US-resident"), "{err}");
        assert_eq!(default_levels().len(), 4);
    }

    #[test]
    fn client_certificate_failure_refuses_even_where_a_token_is_optional() {
        use crate::identity::PeerCert;
        let mut p: Value = serde_json::from_slice(&policy()).unwrap();
        p["identity"]["required"] = json!(false);
        p["identity"]["client_certificate"] =
            json!({"allowed_uri_prefixes": ["spiffe://corp.example/ns/eng/"]});
        let e = Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).unwrap();
        let ip = e.identity.as_ref().unwrap();
        let body = br#"{"model":"gpt-4o","messages":[{"role":"user","content":"hello"}]}"#;
        let go = |peer: Option<PeerCert>, claims: Option<&Value>| {
            let id = Identity::resolve(ip, claims, None, false, peer);
            let mut audit = AuditRecord::default();
            let v = e.inspect_request(
                &mut e.new_scratch(),
                Provider::Openai,
                body,
                &id,
                &mut audit,
            );
            (v, audit)
        };
        let cert = |uri: &str| PeerCert {
            sha256: "7a027ea4ab80fe222822766d925e3e1d72a7a47e252d8640b2f5af9c1073c338".into(),
            uri: Some(uri.into()),
        };
        // No token, allowed certificate: an anonymous request, allowed (token optional).
        let (v, a) = go(Some(cert("spiffe://corp.example/ns/eng/sa/build")), None);
        assert!(matches!(v, Verdict::Forward { .. }), "{v:?}");
        assert_eq!(a.decision, "allow");
        // No token, other workload: refused although the token is optional.
        let (v, a) = go(Some(cert("spiffe://corp.example/ns/other/sa/x")), None);
        let Verdict::Refuse(r) = v else {
            panic!("{v:?}")
        };
        assert_eq!((r.status, a.reason.as_str()), (401, "unauthenticated"));
        let msg = String::from_utf8_lossy(&r.body);
        assert!(
            msg.contains("client certificate is not acceptable") && msg.contains("not allowed"),
            "{msg}"
        );
        // A good token does not make up for a missing certificate.
        let claims = json!({"sub": "u", "iss": "iss", "aud": "aud", "pc": "us_citizen",
                            "iat": 1.7e9, "exp": 1.7e9 + 3600.0});
        let (v, a) = go(None, Some(&claims));
        let Verdict::Refuse(r) = v else {
            panic!("{v:?}")
        };
        assert_eq!((r.status, a.reason.as_str()), (401, "unauthenticated"));
        assert!(String::from_utf8_lossy(&r.body).contains("no verified client certificate"));
        let (v, _) = go(
            Some(cert("spiffe://corp.example/ns/eng/sa/alice")),
            Some(&claims),
        );
        assert!(matches!(v, Verdict::Forward { .. }), "{v:?}");
    }

    #[test]
    fn listed_paths_pass_the_same_identity_gate() {
        let mut p: Value = serde_json::from_slice(&policy()).unwrap();
        p["passthrough"] =
            json!([{"method": "GET", "path": "/v1/models", "destination": "commercial"}]);
        let e = Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).unwrap();
        let head = RequestHead {
            method: "GET".into(),
            path: "/v1/models".into(),
            ..RequestHead::default()
        };
        let mut audit = AuditRecord {
            identity: Some(Identity::missing()),
            ..AuditRecord::default()
        };
        let Route::Refuse(r) = e.route(&mut e.new_scratch(), &head, &mut audit) else {
            panic!("no identity, yet passed")
        };
        assert_eq!((r.status, audit.reason.as_str()), (401, "unauthenticated"));
        let mut audit = AuditRecord {
            identity: Some(who("us_citizen", None, &[])),
            ..AuditRecord::default()
        };
        assert!(matches!(
            e.route(&mut e.new_scratch(), &head, &mut audit),
            Route::Passthrough { .. }
        ));
        assert_eq!(audit.decision, "passthrough");
    }

    #[test]
    fn a_clean_head_is_remembered_exactly() {
        let e = Engine::from_policy_json(&policy()).unwrap();
        let us = who("us_citizen", Some("SECRET"), &[]);
        let mut s = e.new_scratch();
        let body = br#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#;
        let piece = |t: &str| HeadPiece {
            location: "header user-agent".into(),
            text: format!("user-agent: {t}"),
        };
        let mut go = |head: &[HeadPiece]| {
            let mut audit = AuditRecord::default();
            let v =
                e.inspect_request_with_head(&mut s, Provider::Openai, body, head, &us, &mut audit);
            (status(&v), audit.decision)
        };
        let clean = [piece("sdk/1.0")];
        assert_eq!(go(&clean), (200, "allow".to_string()));
        assert_eq!(go(&clean), (200, "allow".to_string()));
        // A head that differs by one byte is scanned again.
        assert_eq!(go(&[piece("sdk/1.0 SECRET//NOFORN")]).0, 403);
        for _ in 0..20 {
            assert_eq!(go(&[piece("SECRET//NOFORN")]).0, 403);
        }
        assert_eq!(go(&clean), (200, "allow".to_string()));
    }

    /// The test policy with model-in-path endpoints (Azure deployments, Gemini, Vertex AI).
    fn template_engine() -> Engine {
        let mut p: Value = serde_json::from_slice(&policy()).unwrap();
        p["endpoints"] = json!([
            {"path": "/openai/deployments/{model}/chat/completions", "format": "openai",
             "query_params": ["api-version"]},
            {"path": "/v1beta/models/{model}:generateContent", "format": "gemini"},
            {"path": "/v1beta/models/{model}:streamGenerateContent", "format": "gemini",
             "query_params": ["alt"]},
            {"path": "/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent",
             "format": "gemini"}
        ]);
        for d in ["commercial", "usgov"] {
            p["destinations"][d]["formats"] = json!(["openai", "gemini"]);
        }
        p["models"]["gpt-4o"]["upstream_names"] = json!({"usgov": "gpt-4o-gov"});
        p["models"]["gemini-2.5-flash"] = json!({"destinations": ["commercial", "usgov"], "upstream_names": {"usgov": "gemini-2.5-flash-gov"}});
        Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).unwrap()
    }

    /// Route and inspect one request on `path` as the glue does.
    fn at(e: &Engine, path: &str, body: &Value) -> (Route, Option<Verdict>, AuditRecord) {
        let head = RequestHead {
            method: "POST".into(),
            path: path.into(),
            headers: vec![(":path".into(), path.into())],
            ..RequestHead::default()
        };
        let mut s = e.new_scratch();
        let mut audit = e.audit_start(&head, String::new());
        let route = e.route(&mut s, &head, &mut audit);
        let verdict = match &route {
            Route::Inspect { provider, head, .. } => {
                let body = serde_json::to_vec(body).unwrap();
                let id = who("us_citizen", None, &[]);
                Some(e.inspect_request_with_head(&mut s, *provider, &body, head, &id, &mut audit))
            }
            _ => None,
        };
        (route, verdict, audit)
    }

    fn forwarded(v: &Option<Verdict>) -> (&str, Option<&str>, Option<Value>) {
        match v {
            Some(Verdict::Forward {
                destination,
                path,
                body,
                ..
            }) => (
                destination,
                path.as_deref(),
                body.as_ref().map(|b| serde_json::from_slice(b).unwrap()),
            ),
            other => panic!("not forwarded: {other:?}"),
        }
    }

    #[test]
    fn the_model_in_the_path_is_the_model_and_goes_up_under_the_destinations_name() {
        let e = template_engine();
        let gemini =
            |text: &str| json!({"contents": [{"role": "user", "parts": [{"text": text}]}]});
        // Gemini: the model is only in the path; a stream is asked for by the path.
        let (route, v, audit) = at(
            &e,
            "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
            &gemini("hello"),
        );
        assert!(matches!(
            route,
            Route::Inspect {
                provider: Provider::Gemini,
                ..
            }
        ));
        assert_eq!(forwarded(&v), ("commercial", None, None));
        assert_eq!(audit.model.as_deref(), Some("gemini-2.5-flash"));
        assert_eq!(audit.stream, Some(true));
        // Rerouted: the path carries the destination's name, the query as it came.
        let (_, v, audit) = at(
            &e,
            "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
            &gemini("ITAR CONTROLLED data"),
        );
        assert_eq!(
            forwarded(&v),
            (
                "usgov",
                Some("/v1beta/models/gemini-2.5-flash-gov:streamGenerateContent?alt=sse"),
                None
            )
        );
        assert_eq!(
            audit.upstream_model.as_deref(),
            Some("gemini-2.5-flash-gov")
        );
        // Vertex AI: the other placeholders stay as they were.
        let (_, v, _) = at(
            &e,
            "/v1/projects/p-1/locations/us-east4/publishers/google/models/gemini-2.5-flash:generateContent",
            &gemini("ITAR CONTROLLED data"),
        );
        assert_eq!(
            forwarded(&v).1,
            Some("/v1/projects/p-1/locations/us-east4/publishers/google/models/gemini-2.5-flash-gov:generateContent")
        );
        // Azure: the body's model (the SDK sends it too) is renamed with the path.
        let (_, v, _) = at(
            &e,
            "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
            &json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "ITAR CONTROLLED"}]}),
        );
        let (d, path, body) = forwarded(&v);
        assert_eq!(
            (d, path),
            (
                "usgov",
                Some("/openai/deployments/gpt-4o-gov/chat/completions?api-version=2024-10-21")
            )
        );
        assert_eq!(body.unwrap()["model"], "gpt-4o-gov");
        // ... and without a body model, only the path.
        let (_, v, _) = at(
            &e,
            "/openai/deployments/gpt-4o/chat/completions",
            &json!({"messages": [{"role": "user", "content": "ITAR CONTROLLED"}]}),
        );
        assert_eq!(
            forwarded(&v),
            (
                "usgov",
                Some("/openai/deployments/gpt-4o-gov/chat/completions"),
                None
            )
        );
    }

    #[test]
    fn path_models_query_parameters_and_placeholders_are_mediated() {
        let e = template_engine();
        let refused = |path: &str, body: &Value| match at(&e, path, body) {
            (Route::Refuse(r), _, a) | (_, Some(Verdict::Refuse(r)), a) => (r.status, a.reason),
            (_, v, _) => panic!("{path}: {v:?}"),
        };
        let chat = json!({"messages": [{"role": "user", "content": "hi"}]});
        // a body naming another model than the path
        let (status, reason) = refused(
            "/openai/deployments/gpt-4o/chat/completions",
            &json!({"model": "llama", "messages": []}),
        );
        assert_eq!((status, reason.as_str()), (400, "unexpected_shape"));
        // a deployment the policy does not list
        assert_eq!(
            refused("/openai/deployments/gpt-5/chat/completions", &chat),
            (403, "model_not_allowed".to_string())
        );
        // a query parameter the endpoint does not name
        assert_eq!(
            refused(
                "/openai/deployments/gpt-4o/chat/completions?api-version=1&key=x",
                &chat
            ),
            (400, "query_not_allowed".to_string())
        );
        assert_eq!(
            refused(
                "/v1beta/models/gemini-2.5-flash:generateContent?alt=sse",
                &chat
            ),
            (400, "query_not_allowed".to_string())
        );
        // a stream in another framing than server-sent events
        for q in ["", "?alt=json"] {
            assert_eq!(
                refused(
                    &format!("/v1beta/models/gemini-2.5-flash:streamGenerateContent{q}"),
                    &chat
                ),
                (400, "unsupported_request".to_string())
            );
        }
        // what does not match a template is not served
        assert_eq!(
            refused("/openai/deployments/../chat/completions", &chat),
            (404, "path_not_allowed".to_string())
        );
        // the accepted parameter's value and the placeholders are scanned with the head
        assert_eq!(
            refused(
                "/openai/deployments/gpt-4o/chat/completions?api-version=SECRET%2F%2FNOFORN",
                &chat
            )
            .0,
            403
        );
        let gemini = json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]});
        let (route, ..) = at(
            &e,
            "/v1/projects/ITAR-CONTROLLED/locations/x/publishers/google/models/gemini-2.5-flash:generateContent",
            &gemini,
        );
        let Route::Inspect { head, .. } = route else {
            panic!("not routed")
        };
        assert!(head
            .iter()
            .any(|h| h.location == "path {project}" && h.text == "ITAR-CONTROLLED"));
        // Gemini refusals are in Google's error shape.
        let (_, v, _) = at(
            &e,
            "/v1beta/models/gemini-2.5-flash:generateContent",
            &json!({"contents": [{"role": "user", "parts": [{"text": "SECRET//NOFORN"}]}]}),
        );
        let Some(Verdict::Refuse(r)) = v else {
            panic!("passed")
        };
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["error"]["status"], "PERMISSION_DENIED");
        // an upstream name that cannot stand in a path is a policy error
        let mut p: Value = serde_json::from_slice(&policy()).unwrap();
        p["endpoints"] =
            json!([{"path": "/openai/deployments/{model}/chat/completions", "format": "openai"}]);
        p["models"]["gpt-4o"]["upstream_names"] = json!({"usgov": "gpt-4o/gov"});
        assert!(Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).is_err());
    }

    fn bedrock_engine(model_id: &str) -> Engine {
        let mut p: Value = serde_json::from_slice(&policy()).unwrap();
        p["destinations"]["bedrock"] = json!({"cluster": "bedrock", "residency": "US",
            "formats": ["anthropic"], "api": "bedrock", "approved_labels": ["ITAR"],
            "requires": {"us_person": true}});
        p["models"]["claude"] = json!({"destinations": ["commercial", "bedrock"],
            "upstream_names": {"bedrock": model_id}});
        Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).unwrap()
    }

    fn messages(e: &Engine, body: &Value) -> (Verdict, AuditRecord) {
        messages_at(e, "/v1/messages", body)
    }

    fn messages_at(e: &Engine, path: &str, body: &Value) -> (Verdict, AuditRecord) {
        let mut audit = AuditRecord {
            path: path.into(),
            ..AuditRecord::default()
        };
        let body = serde_json::to_vec(body).unwrap();
        let id = who("us_citizen", None, &[]);
        let v = e.inspect_request(
            &mut e.new_scratch(),
            Provider::Anthropic,
            &body,
            &id,
            &mut audit,
        );
        (v, audit)
    }

    #[test]
    fn controlled_content_rerouted_to_bedrock_is_translated() {
        let e = bedrock_engine("anthropic.claude-sonnet-5-5-v1:0");
        let req = |text: &str, stream: bool| {
            json!({"model": "claude", "max_tokens": 64, "stream": stream, "temperature": 0.5,
                   "system": "be brief", "messages": [{"role": "user", "content": text}]})
        };
        // Benign: the first destination, untouched.
        let (v, a) = messages(&e, &req("hello", false));
        assert_eq!(a.decision, "allow");
        let Verdict::Forward {
            destination,
            body: None,
            path: None,
            ..
        } = v
        else {
            panic!("{v:?}")
        };
        assert_eq!(destination, "commercial");
        // Controlled: rerouted to Bedrock, as InvokeModel wants it.
        let (v, a) = messages(&e, &req("ITAR CONTROLLED drawing, ssn 123-45-6789", false));
        assert_eq!(
            (a.decision.as_str(), a.upstream_model.as_deref()),
            ("reroute", Some("anthropic.claude-sonnet-5-5-v1:0"))
        );
        let Verdict::Forward {
            destination,
            body: Some(b),
            path: Some(p),
            ..
        } = v
        else {
            panic!("{v:?}")
        };
        assert_eq!(destination, "bedrock");
        assert_eq!(p, "/model/anthropic.claude-sonnet-5-5-v1:0/invoke");
        let out: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(out["anthropic_version"], "bedrock-2023-05-31");
        assert!(
            out.get("model").is_none() && out.get("stream").is_none(),
            "{out}"
        );
        assert_eq!(
            (out["max_tokens"].clone(), out["system"].clone()),
            (json!(64), json!("be brief"))
        );
        assert_eq!(out["temperature"], json!(0.5));
        // The redaction made for the PII label is in the translated body.
        let text = out["messages"][0]["content"].as_str().unwrap();
        assert!(
            text.contains("[REDACTED:SSN]") && !text.contains("6789"),
            "{text}"
        );
        assert_eq!(a.forwarded_bytes, Some(b.len()));
        // Streaming cannot go to Bedrock (its event-stream framing is not inspectable), nor can
        // another Anthropic endpoint: a clear 400, nothing sent.
        let (v, a) = messages(&e, &req("ITAR CONTROLLED drawing", true));
        let Verdict::Refuse(r) = v else {
            panic!("{v:?}")
        };
        assert_eq!((r.status, a.reason.as_str()), (400, "unsupported_request"));
        assert!(
            String::from_utf8_lossy(&r.body).contains("without"),
            "{r:?}"
        );
        let (v, a) = messages_at(
            &e,
            "/v1/messages/count_tokens",
            &req("ITAR CONTROLLED drawing", false),
        );
        assert!(matches!(v, Verdict::Refuse(_)), "{v:?}");
        assert_eq!(a.reason, "unsupported_request");
        // Benign streaming still goes to the native first destination.
        let (v, _) = messages(&e, &req("hello", true));
        assert!(matches!(v, Verdict::Forward { path: None, .. }), "{v:?}");
        // The client's own anthropic_version does not survive: Bedrock's is always sent.
        let mut own = req("ITAR CONTROLLED drawing", false);
        own["anthropic_version"] = json!("2023-06-01");
        let (v, _) = messages(&e, &own);
        let Verdict::Forward { body: Some(b), .. } = v else {
            panic!("{v:?}")
        };
        let out: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(out["anthropic_version"], "bedrock-2023-05-31");
        // An inference profile ARN names the model: its '/' is percent-encoded in the path.
        let e = bedrock_engine("arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude");
        let (v, _) = messages(&e, &req("ITAR CONTROLLED drawing", false));
        let Verdict::Forward { path: Some(p), .. } = v else {
            panic!("{v:?}")
        };
        assert_eq!(p, "/model/arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile%2Fus-gov.anthropic.claude/invoke");
    }

    #[test]
    fn bedrock_destination_takes_anthropic_format_only() {
        let mut p: Value = serde_json::from_slice(&policy()).unwrap();
        p["destinations"]["bedrock"] = json!({"cluster": "bedrock", "residency": "US",
            "formats": ["openai", "anthropic"], "api": "bedrock"});
        let err = Engine::from_policy_json(&serde_json::to_vec(&p).unwrap())
            .err()
            .unwrap();
        assert!(err.to_string().contains("bedrock destination"), "{err}");
        p["destinations"]["bedrock"]["api"] = json!("converse");
        assert!(Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).is_err());
        // A model served there must name its Bedrock model ID.
        p["destinations"]["bedrock"] = json!({"cluster": "bedrock", "residency": "US",
            "formats": ["anthropic"], "api": "bedrock"});
        p["models"]["claude"] = json!({"destinations": ["bedrock"]});
        let err = Engine::from_policy_json(&serde_json::to_vec(&p).unwrap())
            .err()
            .unwrap();
        assert!(err.to_string().contains("upstream_names"), "{err}");
    }

    #[test]
    fn empty_certificate_prefix_is_rejected() {
        let mut p: Value = serde_json::from_slice(&policy()).unwrap();
        p["identity"]["client_certificate"] = json!({"allowed_uri_prefixes": ["spiffe://a/", " "]});
        let err = Engine::from_policy_json(&serde_json::to_vec(&p).unwrap())
            .err()
            .unwrap();
        assert!(err.to_string().contains("allowed_uri_prefixes"), "{err}");
        p["identity"]["client_certificate"] = json!({"token_binding": "sometimes"});
        assert!(Engine::from_policy_json(&serde_json::to_vec(&p).unwrap()).is_err());
    }
}
