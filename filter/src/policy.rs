//! The policy file: its serde model and the checks that need no compilation.
//!
//! The format is documented in docs/policy.md. Every struct denies unknown fields so a typo in a
//! policy is a configuration error, never a silently ignored setting. Compilation into runtime
//! structures happens in [`crate::engine::Engine::from_policy_json`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::PolicyError;
use crate::wire::Format;

/// The two API families of the wire formats: whose error shape, headers and chat-style request
/// a body is built in (the CLI's tests, the corpus tests). Each converts to its chat format
/// (`openai` Chat Completions, `anthropic` Messages); the other formats of a family are
/// [`Format`]s of their own (`crate::wire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Openai,
    Anthropic,
}

impl From<Provider> for Format {
    fn from(p: Provider) -> Format {
        match p {
            Provider::Openai => Format::Openai,
            Provider::Anthropic => Format::Anthropic,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Which policy this is: appears in every audit record.
    pub id: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub limits: Limits,
    /// Inspected AI endpoints: request path -> wire format.
    pub endpoints: Vec<Endpoint>,
    /// Other paths that are let through uninspected (bodyless requests only), each to a destination.
    #[serde(default)]
    pub passthrough: Vec<Passthrough>,
    pub destinations: BTreeMap<String, Destination>,
    /// Requested model name -> where it may be served.
    pub models: BTreeMap<String, ModelRoute>,
    #[serde(default)]
    pub identity: Option<IdentityPolicy>,
    /// Per-label handling. Labels not listed are `control`led.
    #[serde(default)]
    pub labels: BTreeMap<String, LabelPolicy>,
    /// Named patterns; all are compiled into one multi-pattern automaton.
    #[serde(default)]
    pub signals: Vec<Signal>,
    /// Rules turn signal matches into labels.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Trained classifiers (artifacts built by `itar-policy train`; docs/learning.md).
    #[serde(default)]
    pub classifiers: Vec<ClassifierRef>,
    /// Document fingerprints (artifacts built by `itar-policy fingerprint`; docs/learning.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fingerprints: Vec<FingerprintRef>,
    /// Audit settings.
    #[serde(default)]
    pub audit: AuditPolicy,
    /// Usage limits (requests and tokens per window); see docs/usage.md.
    #[serde(default)]
    pub quotas: Vec<Quota>,
    /// Set gateway-owned x-itar-rl-* request headers (user, team, model, destination) on every
    /// forwarded request, as descriptors for Envoy's global rate limit filter (fleet-wide quotas).
    #[serde(default)]
    pub rate_limit_descriptors: bool,
    /// Which request headers go upstream besides each format's own (all scanned).
    #[serde(default)]
    pub request_headers: RequestHeaders,
    /// Client network policy: source ranges and a trusted country header (docs/transport.md).
    #[serde(default)]
    pub network: crate::network::NetworkPolicy,
    /// Example cases that must hold (`itar-policy test`); the filter ignores them.
    #[serde(default)]
    pub tests: Vec<PolicyTest>,
}

/// A classifier artifact in force: its label, the probability at which it fires, and the
/// artifact itself, named by its SHA-256 digest. The filter reads only `data` (the artifact's
/// bytes, base64); `file` is where the reviewed artifact lives beside the policy source, and
/// `itar-policy inline` (or `scripts/build-policy`) fills `data` from it after checking the digest.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifierRef {
    pub label: String,
    /// Fires when the best window's probability reaches this (0 < threshold < 1).
    pub threshold: f32,
    /// Lower-case hex SHA-256 of the artifact's bytes.
    pub sha256: String,
    /// Signals of which one must match inside the window the classifier judged (none: no such
    /// condition). A model learns what technical text looks like; whether it is a defense
    /// article's is for the vocabulary to say (docs/learning.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corroborate: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// A fingerprint artifact in force: the label an excerpt of one of its documents carries, and
/// the artifact, named by its SHA-256 digest; `file` and `data` as for [`ClassifierRef`].
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FingerprintRef {
    pub label: String,
    /// Lower-case hex SHA-256 of the artifact's bytes.
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// One example request and what the policy must decide for it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyTest {
    pub name: String,
    /// The prompt, sent as one user message (or give `body`).
    #[serde(default)]
    pub text: Option<String>,
    /// A whole request body.
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    #[serde(default)]
    pub format: Option<Format>,
    #[serde(default)]
    pub model: Option<String>,
    /// The endpoint path the request is sent to (default: the first endpoint of its format);
    /// an `mcp` endpoint's path names the MCP server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Verified claims of the caller; absent = no identity.
    #[serde(default)]
    pub claims: Option<serde_json::Value>,
    pub expect: TestExpect,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TestExpect {
    #[serde(default)]
    pub decision: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub destination: Option<String>,
    /// Labels that must be found.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Text that must not be in the forwarded body (e.g. a redacted SSN).
    #[serde(default)]
    pub absent: Vec<String>,
}

/// Who a quota counts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuotaScope {
    /// Each caller (verified subject) separately.
    User,
    /// Each team (the identity's team claim) separately; callers without a team share "-".
    Team,
    /// Each model separately.
    Model,
    /// Each destination separately.
    Destination,
    /// Everybody together.
    Global,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub id: String,
    pub scope: QuotaScope,
    /// Length of the fixed window, in seconds.
    pub window_seconds: u64,
    #[serde(default)]
    pub requests: Option<u64>,
    /// Tokens (prompt estimate at admission, settled with the model's reported usage).
    #[serde(default)]
    pub tokens: Option<u64>,
    /// Only requests for these models count (empty: all).
    #[serde(default)]
    pub models: Vec<String>,
    /// Only requests sent to these destinations count (empty: all).
    #[serde(default)]
    pub destinations: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body the filter inspects; larger gets 413.
    pub max_body_bytes: usize,
    /// Largest buffered (non-streamed) response body the filter inspects; larger fails closed.
    pub max_response_bytes: usize,
    /// How many times nested encodings (base64 in hex in ...) are decoded.
    pub max_decode_depth: u8,
    /// Total decoded bytes scanned per request on top of the text itself.
    pub max_decoded_bytes: usize,
    /// Let images, audio and files through uninspected (default false: refused with 415).
    pub allow_uninspectable_media: bool,
    /// Most bytes of streamed model text held back at once (the longest match a stream can
    /// catch before its start is released).
    pub stream_holdback_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1024 * 1024,
            max_response_bytes: 4 * 1024 * 1024,
            max_decode_depth: 2,
            max_decoded_bytes: 1024 * 1024,
            allow_uninspectable_media: false,
            stream_holdback_bytes: 4096,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// The request path: exact, or a template with `{name}` placeholders (`{model}` holds the
    /// model; [`crate::template`]).
    pub path: String,
    pub format: Format,
    /// A query string on this endpoint: refused (400, the default) or scanned with the body.
    #[serde(default)]
    pub query: QueryPolicy,
    /// The destination (an MCP server) this endpoint goes to: required for format `mcp`, which
    /// has no model to route by; not allowed for the other formats (their model routes them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Query parameters accepted here even when `query` is `refuse` (Azure's `api-version`,
    /// Gemini's `alt`); scanned like any query. Any other parameter follows `query`.
    #[serde(default)]
    pub query_params: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Passthrough {
    pub method: String,
    pub path: String,
    pub destination: String,
    /// A query string on this path: refused (400, the default) or scanned before it is passed.
    /// A listed path never carries a body (400).
    #[serde(default)]
    pub query: QueryPolicy,
}

/// What a path does with a query string (`?...`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryPolicy {
    /// 400 `query_not_allowed`.
    #[default]
    Refuse,
    /// Percent-decoded and scanned like the body; a finding cannot be redacted out of it.
    Scan,
}

/// Request headers that go upstream beyond the built-in allowlist of each wire format (what the
/// official SDKs send). Every forwarded header name and value is scanned like the body; every
/// other header is removed. See docs/architecture.md, "Complete mediation".
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestHeaders {
    /// Lower-case header names to forward (scanned); `prefix-*` forwards every name with the prefix.
    #[serde(default)]
    pub forward: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Destination {
    /// Envoy cluster name the request is routed to.
    pub cluster: String,
    /// ISO country code of where the endpoint runs and stores data, e.g. "US".
    pub residency: String,
    #[serde(default)]
    pub region: String,
    /// Wire formats it speaks; a request is only ever sent to a destination speaking its format.
    pub formats: Vec<Format>,
    /// The API behind it: the client's own wire format (default), or Amazon Bedrock's
    /// InvokeModel, to which Anthropic-format requests are translated (docs/destinations.md).
    #[serde(default)]
    pub api: DestinationApi,
    /// Labels this destination may receive (e.g. "ITAR", "CUI", "EAR", "PII").
    #[serde(default)]
    pub approved_labels: Vec<String>,
    /// Highest classification level it may receive; none means no classified content.
    #[serde(default)]
    pub max_classification: Option<String>,
    /// What a caller must be to use this destination at all (a controlled-data path), whatever
    /// the content: e.g. a US person, a group.
    #[serde(default)]
    pub requires: Requirements,
    #[serde(default)]
    pub description: String,
}

/// The API a destination exposes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DestinationApi {
    /// Requests go upstream in the client's wire format, on the client's path.
    #[default]
    Native,
    /// Amazon Bedrock runtime InvokeModel for Anthropic models: `POST /model/{model id}/invoke`,
    /// the Messages body without `model` and `stream`, with `anthropic_version`. Non-streaming
    /// only (Bedrock streams in its binary event-stream framing, which the filter cannot inspect).
    Bedrock,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelRoute {
    /// Destinations serving this model, in order of preference. The first is where a request goes
    /// when no label asks for more.
    pub destinations: Vec<String>,
    /// Whether a request may be moved to a later destination that is approved for its labels.
    #[serde(default = "yes")]
    pub reroute: bool,
    /// Other names clients may use for this model (e.g. dated versions).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The model's name at a destination when it differs (e.g. an Azure deployment name); the
    /// request body's "model" is rewritten when the request goes there.
    #[serde(default)]
    pub upstream_names: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelAction {
    /// The label may go only to destinations approved for it, asked by eligible people.
    Control,
    /// Replace the spans that raised it, then decide on what remains.
    Redact,
    /// Replace each value that raised it with a placeholder on the way to the model and put the
    /// value back in the answer, for the caller only ([`crate::mask`]); where it cannot be
    /// replaced (the request head), as `Redact`.
    Mask,
    /// Refuse, wherever the request was going.
    Block,
    /// Record only.
    Allow,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LabelPolicy {
    pub action: LabelAction,
    /// Identity attributes a caller needs for content with this label.
    #[serde(default)]
    pub requires: Requirements,
    /// Minimum confidence for the label to count.
    #[serde(default)]
    pub min_confidence: f32,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    #[serde(default)]
    pub us_person: bool,
    /// Clearance needed; "level" means the clearance must be at least the label's own level.
    #[serde(default)]
    pub clearance: Option<String>,
    /// Compartments must cover those named in the content (for CLASSIFIED).
    #[serde(default)]
    pub compartments: bool,
    #[serde(default)]
    pub groups: Vec<String>,
    /// Multi-factor authentication, from the token's `amr` / `acr` claims (docs/identity.md).
    #[serde(default)]
    pub mfa: bool,
}

impl Requirements {
    pub fn needs_mfa(&self) -> bool {
        self.mfa
    }
}

/// Where the verified claims are and what they mean. See docs/identity.md.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityPolicy {
    /// jwt_authn `payload_in_metadata` key the filter reads claims from.
    pub metadata_key: String,
    /// Refuse every inspected request without a verified identity.
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub issuers: Vec<String>,
    #[serde(default)]
    pub audiences: Vec<String>,
    #[serde(default)]
    pub claims: ClaimMap,
    /// Values of the person-category claim that make a US person.
    #[serde(default)]
    pub us_person_values: Vec<String>,
    /// Clearance levels, lowest first.
    #[serde(default = "default_levels")]
    pub clearance_levels: Vec<String>,
    /// Groups everybody must hold to use the gateway at all.
    #[serde(default)]
    pub require_groups: Vec<String>,
    /// The client certificate of the connection (mutual TLS) as a second factor: required,
    /// limited to some workloads, bound to the token. Absent: not looked at.
    #[serde(default)]
    pub client_certificate: Option<ClientCertPolicy>,
    /// Accept verified tokens without an `exp` claim (default false: refused as never expiring).
    #[serde(default)]
    pub allow_tokens_without_exp: bool,
    /// Longest token lifetime accepted (`exp` - `iat`, seconds); 0: no cap. A capped policy
    /// refuses a token without `iat`. Default 86400 (24 hours).
    #[serde(default = "default_max_token_lifetime")]
    pub max_token_lifetime_seconds: u64,
    /// Values of the `amr` claim (authentication methods) that mean the caller signed in with
    /// more than one factor (Okta and Entra ID: `mfa`). Default `["mfa"]`.
    #[serde(default = "default_mfa_amr")]
    pub mfa_amr_values: Vec<String>,
    /// Values of the `acr` claim (authentication context class) that mean multi-factor (Okta:
    /// `urn:okta:loa:2fa:any`, `phr`, `phrh`; Keycloak with a level of authentication mapped:
    /// its 2FA level, e.g. `2`). Default none.
    #[serde(default)]
    pub mfa_acr_values: Vec<String>,
}

pub fn default_mfa_amr() -> Vec<String> {
    vec!["mfa".into()]
}

pub fn default_max_token_lifetime() -> u64 {
    86_400
}

/// What the connection's verified client certificate must be. See docs/identity.md.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClientCertPolicy {
    /// Refuse requests that did not come over mutual TLS with a client certificate.
    #[serde(default)]
    pub required: bool,
    /// When not empty: the certificate's first URI SAN (e.g. a SPIFFE ID) must start with one of
    /// these. Implies `required`.
    #[serde(default)]
    pub allowed_uri_prefixes: Vec<String>,
    /// Certificate-bound tokens (RFC 8705, claim `cnf.x5t#S256`).
    #[serde(default)]
    pub token_binding: TokenBinding,
}

impl ClientCertPolicy {
    /// Whether a request without a client certificate is refused.
    pub fn needs_certificate(&self) -> bool {
        self.required
            || !self.allowed_uri_prefixes.is_empty()
            || self.token_binding == TokenBinding::Required
    }
}

/// How a token's `cnf.x5t#S256` (the SHA-256 thumbprint of the certificate it was issued to)
/// is checked against the connection's client certificate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenBinding {
    /// Not checked.
    #[default]
    Off,
    /// A token that carries the claim must match the certificate; a token without it is fine.
    IfPresent,
    /// Every token must carry the claim and match the certificate. Implies `required`.
    Required,
}

pub fn default_levels() -> Vec<String> {
    ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Claim names, as dotted paths into the verified payload.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClaimMap {
    pub subject: String,
    pub issuer: String,
    pub audience: String,
    /// Boolean claim: true for a US person.
    pub us_person: Option<String>,
    /// String claim compared with `us_person_values`.
    pub person_category: Option<String>,
    pub clearance: Option<String>,
    pub compartments: Option<String>,
    pub groups: Option<String>,
    pub team: Option<String>,
    /// Authentication methods (RFC 8176 `amr`, a list of strings).
    pub amr: Option<String>,
    /// Authentication context class (`acr`, a string).
    pub acr: Option<String>,
}

impl Default for ClaimMap {
    fn default() -> Self {
        ClaimMap {
            subject: "sub".into(),
            issuer: "iss".into(),
            audience: "aud".into(),
            us_person: None,
            person_category: None,
            clearance: None,
            compartments: None,
            groups: None,
            team: None,
            amr: Some("amr".into()),
            acr: Some("acr".into()),
        }
    }
}

/// A named pattern. Exactly one of `regex` or `terms`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Signal {
    pub id: String,
    #[serde(default)]
    pub regex: Option<String>,
    #[serde(default)]
    pub terms: Vec<String>,
    /// For terms: match case-insensitively (ASCII).
    #[serde(default)]
    pub case_insensitive: bool,
    /// For terms: require word boundaries (default true).
    #[serde(default = "yes")]
    pub whole_word: bool,
    /// For terms: accept leetspeak digits/symbols for letters (1T4R).
    #[serde(default)]
    pub leet: bool,
    /// For terms: accept any run of spaces, dots or slashes between words.
    #[serde(default)]
    pub flex_space: bool,
    /// The reported span starts at the first matched byte that is one of these ASCII characters
    /// (a context prefix such as a line start or a hotword is required but not redacted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span_from: Option<String>,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    /// ITAR, EAR, CUI, CLASSIFIED, PII (or any label the policy names).
    pub label: String,
    /// For CLASSIFIED: the level this rule indicates.
    #[serde(default)]
    pub level: Option<String>,
    /// Sub-kind, e.g. SSN, EXPT; used in placeholders and audit.
    #[serde(default)]
    pub tag: Option<String>,
    /// The signal whose matches this rule judges; its span is what gets redacted.
    pub signal: String,
    /// Confidence of a bare match (or the base before support is added).
    #[serde(default = "one")]
    pub confidence: f32,
    /// Supporting evidence within `window` bytes of the primary match.
    #[serde(default)]
    pub support: Vec<Support>,
    #[serde(default = "default_window")]
    pub window: usize,
    /// Confidence needed to fire; default: `confidence` (a bare match fires).
    #[serde(default)]
    pub threshold: Option<f32>,
    /// Signals that, next to the match, mean the text explains it rather than applies it: an
    /// exclusion match suppresses only the primary match (of any rule) nearest to it.
    #[serde(default)]
    pub exclude: Vec<Exclusion>,
    /// Signals that name a civil end use: when the text matches one of them, the rule does not
    /// fire, unless the text also matches an `anchor` signal or the match lies in concealed text.
    /// For dual-use vocabulary, whose control follows the stated use (an unstated use stays
    /// controlled).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub release: Vec<String>,
    /// Signals that make a text a defense one (a named article, military context): they keep a
    /// `release` from applying.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anchor: Vec<String>,
    /// Structured-identifier check on the matched text.
    #[serde(default)]
    pub validate: Option<Validator>,
    /// Overrides the label's action for this rule (e.g. redact FOUO portions).
    #[serde(default)]
    pub action: Option<LabelAction>,
    /// Added to the score of a match inside text the sender concealed: decoded from an
    /// encoding or a letter rewrite, or written in invisible tag characters or a right-to-left
    /// override. Hiding content is evidence of intent. Feature name `concealed`.
    #[serde(default)]
    pub concealed: f32,
    #[serde(default)]
    pub description: String,
}

/// Support entries a rule may have: a finding's features are a 64-bit set, one bit per entry and
/// the last for `concealed`.
pub const MAX_SUPPORT: usize = 63;

fn one() -> f32 {
    1.0
}
fn default_window() -> usize {
    200
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Support {
    pub signal: String,
    pub weight: f32,
    /// Distinct matches needed for the weight to count.
    #[serde(default = "one_usize")]
    pub min_count: usize,
    /// How specific the evidence is when this entry counts (figures, tolerances, drawing numbers,
    /// content a marking is applied to). Once the counted entries reach 1 in total, the rule's
    /// negative weights (cues the sender can type) no longer apply.
    #[serde(default)]
    pub specificity: f32,
}

fn one_usize() -> usize {
    1
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    pub signal: String,
    /// Bytes around the primary match within which the exclusion match must lie; 0: overlapping.
    #[serde(default)]
    pub window: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    Ssn,
    Edipi,
    Luhn,
    CageContract,
    /// A CAGE code: 5 characters (separators between them ignored), digits and capital letters
    /// other than I and O, at least one digit.
    Cage,
    /// A word written in disguise: the match holds a digit or one of `!|@$+` standing for a
    /// letter (`C0NF1D3N714L`), so the plain word in prose never passes.
    Disguised,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Capture {
    /// No content in the audit record (hashes only).
    #[default]
    None,
    /// The inspected text after redaction, for allowed requests only.
    Redacted,
    /// The inspected text as received, and the answer as the client received it.
    Full,
    /// What `full` keeps, encrypted to the policy's `audit.recipients` (docs/audit.md): the
    /// record holds ciphertext only and the gateway no private key.
    Sealed,
}

impl Capture {
    /// Whether every inspected request's text is kept (`full`, `sealed`).
    pub fn keeps_everything(self) -> bool {
        matches!(self, Capture::Full | Capture::Sealed)
    }
}

/// A public key sealed captures are encrypted to (`itar-audit keygen` makes the pair).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SealRecipient {
    /// Who holds the private key (for people; the record names keys by key id).
    pub name: String,
    /// X25519 public key, base64 (32 bytes).
    pub public_key: String,
}

/// Which records carry the sha256 of the inspected texts (`request_text_sha256`,
/// `response_text_sha256`). SHA-256 runs at ~160 MB/s inside the Wasm VM (no CPU extensions
/// there), so on large prompts the digest costs more than the scan: `flagged` keeps it where an
/// investigation needs it and saves it on plain allowed traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TextDigests {
    /// Every record that inspected text.
    #[default]
    All,
    /// Only records where the policy acted or found something: a decision other than allow, any
    /// label, or a response that was not simply passed.
    Flagged,
    /// No text digests.
    None,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditPolicy {
    pub capture: Capture,
    pub text_digests: TextDigests,
    /// Public keys `capture: sealed` encrypts to (every one of them can open every record).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<SealRecipient>,
}

pub const KNOWN_LABELS: &[&str] = &["ITAR", "EAR", "CUI", "CLASSIFIED", "PII"];

impl Policy {
    /// Parse and check a policy. Errors name the field and, for JSON syntax, line and column.
    pub fn parse(json: &[u8]) -> Result<Policy, PolicyError> {
        let policy: Policy = serde_json::from_slice(json).map_err(|e| PolicyError::Parse {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        policy.check()?;
        Ok(policy)
    }

    /// An MCP endpoint names one destination that exists, speaks `mcp` and takes requests in
    /// their own format; no other endpoint names one.
    fn check_endpoint_destination(&self, e: &Endpoint) -> Result<(), String> {
        match (&e.destination, e.format) {
            (None, Format::Mcp) => Err(
                "an \"mcp\" endpoint names the destination (MCP server) it goes to".into(),
            ),
            (None, _) => Ok(()),
            (Some(_), f) if f != Format::Mcp => Err(format!(
                "only \"mcp\" endpoints name a destination; {:?} endpoints are routed by their model",
                f.as_str()
            )),
            (Some(d), _) => match self.destinations.get(d) {
                None => Err(format!("unknown destination {d:?}")),
                Some(x) if !x.formats.contains(&Format::Mcp) => Err(format!(
                    "destination {d:?} does not list \"mcp\" in its formats"
                )),
                Some(x) if x.api != DestinationApi::Native => {
                    Err(format!("destination {d:?} is not a native-API destination"))
                }
                Some(_) => Ok(()),
            },
        }
    }

    /// `capture: sealed` needs recipients, recipients need `sealed`, and every key must be one
    /// the gateway can seal to (a bad key refuses the policy: the old one keeps serving).
    fn check_audit(&self) -> Result<(), PolicyError> {
        let invalid = |at: String, why: String| Err(PolicyError::Invalid { at, why });
        let a = &self.audit;
        if a.capture == Capture::Sealed && a.recipients.is_empty() {
            return invalid(
                "audit.recipients".into(),
                "capture \"sealed\" needs at least one recipient public key (itar-audit keygen makes one)".into(),
            );
        }
        if a.capture != Capture::Sealed && !a.recipients.is_empty() {
            return invalid(
                "audit.recipients".into(),
                "recipients are only used with capture \"sealed\"".into(),
            );
        }
        let mut seen: Vec<String> = Vec::new();
        for (i, r) in a.recipients.iter().enumerate() {
            if r.name.trim().is_empty() {
                return invalid(
                    format!("audit.recipients[{i}].name"),
                    "must not be empty".into(),
                );
            }
            match crate::seal::Recipient::parse(&r.name, &r.public_key) {
                Ok(rec) if seen.contains(&rec.kid) => {
                    return invalid(
                        format!("audit.recipients[{i}].public_key"),
                        "the same key is listed twice".into(),
                    )
                }
                Ok(rec) => seen.push(rec.kid),
                Err(e) => {
                    return invalid(format!("audit.recipients[{i}].public_key"), e.to_string())
                }
            }
        }
        Ok(())
    }

    fn check(&self) -> Result<(), PolicyError> {
        let invalid = |at: String, why: String| Err(PolicyError::Invalid { at, why });
        if self.id.trim().is_empty() || self.version.trim().is_empty() {
            return invalid(
                "id/version".into(),
                "id and version must not be empty".into(),
            );
        }
        if self.endpoints.is_empty() {
            return invalid(
                "endpoints".into(),
                "at least one inspected endpoint is needed".into(),
            );
        }
        for (i, e) in self.endpoints.iter().enumerate() {
            let template = match crate::template::PathTemplate::parse(&e.path) {
                Ok(t) => t,
                Err(why) => return invalid(format!("endpoints[{i}].path"), why),
            };
            if let Some(p) = e.query_params.iter().find(|p| {
                p.is_empty()
                    || !p
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            }) {
                return invalid(
                    format!("endpoints[{i}].query_params"),
                    format!("{p:?} is not a parameter name (letters, digits, '-', '_', '.')"),
                );
            }
            if let Err(why) = self.check_endpoint_destination(e) {
                return invalid(format!("endpoints[{i}].destination"), why);
            }
            if !template.has_model() {
                continue;
            }
            // A destination's name for a model goes into the path on such an endpoint.
            for (model, route) in &self.models {
                for (d, name) in &route.upstream_names {
                    let speaks = self
                        .destinations
                        .get(d)
                        .is_some_and(|x| x.formats.contains(&e.format));
                    if speaks && !crate::template::PathTemplate::valid_value(name) {
                        return invalid(
                            format!("models.{model}.upstream_names.{d}"),
                            format!("{name:?} cannot stand in the path of endpoint {:?} (letters, digits, '.', '_', '-', '@', '~')", e.path),
                        );
                    }
                }
            }
        }
        let levels = self
            .identity
            .as_ref()
            .map(|i| i.clearance_levels.clone())
            .unwrap_or_else(default_levels);
        for (name, d) in &self.destinations {
            if d.cluster.is_empty() {
                return invalid(
                    format!("destinations.{name}.cluster"),
                    "must not be empty".into(),
                );
            }
            if d.api == DestinationApi::Bedrock && d.formats != [Format::Anthropic] {
                return invalid(
                    format!("destinations.{name}.formats"),
                    "a bedrock destination takes Anthropic-format requests only: [\"anthropic\"]"
                        .into(),
                );
            }
            if let Some(level) = &d.max_classification {
                if !levels.iter().any(|l| l == level) {
                    return invalid(
                        format!("destinations.{name}.max_classification"),
                        format!("unknown level {level:?}; known: {levels:?}"),
                    );
                }
            }
        }
        for (i, name) in self.request_headers.forward.iter().enumerate() {
            if let Err(why) = crate::head::check_forwardable(name) {
                return invalid(format!("request_headers.forward[{i}]"), why);
            }
        }
        for (i, p) in self.passthrough.iter().enumerate() {
            if !self.destinations.contains_key(&p.destination) {
                return invalid(
                    format!("passthrough[{i}].destination"),
                    format!("unknown destination {:?}", p.destination),
                );
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for (model, route) in &self.models {
            for n in std::iter::once(model).chain(route.aliases.iter()) {
                if !names.insert(n.as_str()) {
                    return invalid(
                        format!("models.{model}"),
                        format!("model name or alias {n:?} is used twice"),
                    );
                }
            }
            for d in route.upstream_names.keys() {
                if !route.destinations.contains(d) {
                    return invalid(
                        format!("models.{model}.upstream_names"),
                        format!("{d:?} is not one of this model's destinations"),
                    );
                }
            }
            if route.destinations.is_empty() {
                return invalid(
                    format!("models.{model}.destinations"),
                    "must not be empty".into(),
                );
            }
            for d in &route.destinations {
                if !self.destinations.contains_key(d) {
                    return invalid(
                        format!("models.{model}.destinations"),
                        format!("unknown destination {d:?}"),
                    );
                }
                let bedrock = self
                    .destinations
                    .get(d)
                    .is_some_and(|x| x.api == DestinationApi::Bedrock);
                if bedrock && !route.upstream_names.contains_key(d) {
                    return invalid(
                        format!("models.{model}.upstream_names"),
                        format!("{d:?} is a bedrock destination: name the Bedrock model ID (or inference profile) it gets"),
                    );
                }
            }
        }
        for (label, lp) in &self.labels {
            if !(0.0..=1.0).contains(&lp.min_confidence) {
                return invalid(
                    format!("labels.{label}.min_confidence"),
                    "must be within 0..1".into(),
                );
            }
            if let Some(c) = &lp.requires.clearance {
                if c != "level" && !levels.iter().any(|l| l == c) {
                    return invalid(
                        format!("labels.{label}.requires.clearance"),
                        format!("unknown level {c:?}; use one of {levels:?} or \"level\""),
                    );
                }
            }
        }
        self.check_audit()?;
        let mfa_wanted = self.labels.values().any(|l| l.requires.needs_mfa())
            || self.destinations.values().any(|d| d.requires.needs_mfa());
        if mfa_wanted {
            match &self.identity {
                None => {
                    return invalid(
                        "requires.mfa".into(),
                        "multi-factor authentication is read from verified tokens: the policy needs an identity section".into(),
                    )
                }
                Some(id)
                    if (id.mfa_amr_values.is_empty() || id.claims.amr.is_none())
                        && (id.mfa_acr_values.is_empty() || id.claims.acr.is_none()) =>
                {
                    return invalid(
                        "identity.mfa_amr_values".into(),
                        "requires.mfa is asked for but no amr or acr value means multi-factor: nothing could satisfy it".into(),
                    )
                }
                Some(_) => {}
            }
        }
        if let Some(id) = &self.identity {
            if id.metadata_key.is_empty() {
                return invalid("identity.metadata_key".into(), "must not be empty".into());
            }
            if id.claims.us_person.is_some() == id.claims.person_category.is_some()
                && id.claims.us_person.is_some()
            {
                return invalid(
                    "identity.claims".into(),
                    "set either us_person or person_category, not both".into(),
                );
            }
            if let Some(cc) = &id.client_certificate {
                if cc.allowed_uri_prefixes.iter().any(|p| p.trim().is_empty()) {
                    return invalid(
                        "identity.client_certificate.allowed_uri_prefixes".into(),
                        "an empty prefix would allow every certificate; remove it".into(),
                    );
                }
            }
        }
        let mut qids = std::collections::BTreeSet::new();
        for (i, q) in self.quotas.iter().enumerate() {
            let at = format!("quotas[{i}] ({})", q.id);
            if !qids.insert(q.id.as_str()) || q.id.is_empty() || q.id.contains(':') {
                return invalid(
                    at,
                    "quota ids must be unique, non-empty, without ':'".into(),
                );
            }
            if q.window_seconds == 0 || (q.requests.is_none() && q.tokens.is_none()) {
                return invalid(
                    at,
                    "needs window_seconds > 0 and a requests or tokens limit".into(),
                );
            }
            for d in &q.destinations {
                if !self.destinations.contains_key(d) {
                    return invalid(
                        format!("{at}.destinations"),
                        format!("unknown destination {d:?}"),
                    );
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in self.signals.iter().enumerate() {
            if !seen.insert(s.id.as_str()) {
                return invalid(
                    format!("signals[{i}].id"),
                    format!("duplicate signal id {:?}", s.id),
                );
            }
            match (&s.regex, s.terms.is_empty()) {
                (Some(_), false) | (None, true) => {
                    return invalid(
                        format!("signals[{i}] ({})", s.id),
                        "give exactly one of regex or terms".into(),
                    )
                }
                _ => {}
            }
        }
        let mut rule_ids = std::collections::BTreeSet::new();
        for (i, r) in self.rules.iter().enumerate() {
            let at = format!("rules[{i}] ({})", r.id);
            if !rule_ids.insert(r.id.as_str()) {
                return invalid(at, "duplicate rule id".into());
            }
            if !seen.contains(r.signal.as_str()) {
                return invalid(
                    format!("{at}.signal"),
                    format!("unknown signal {:?}", r.signal),
                );
            }
            for s in &r.support {
                if !seen.contains(s.signal.as_str()) {
                    return invalid(
                        format!("{at}.support"),
                        format!("unknown signal {:?}", s.signal),
                    );
                }
                if !(0.0..=1.0).contains(&s.specificity) || (s.specificity > 0.0 && s.weight < 0.0)
                {
                    return invalid(
                        format!("{at}.support"),
                        format!(
                            "{:?}: specificity must be within 0..1, and 0 on a negative weight",
                            s.signal
                        ),
                    );
                }
            }
            for s in &r.exclude {
                if !seen.contains(s.signal.as_str()) {
                    return invalid(
                        format!("{at}.exclude"),
                        format!("unknown signal {:?}", s.signal),
                    );
                }
            }
            if !(0.0..=1.0).contains(&r.concealed) {
                return invalid(format!("{at}.concealed"), "must be within 0..1".into());
            }
            if r.support.len() > MAX_SUPPORT {
                return invalid(
                    format!("{at}.support"),
                    format!("at most {MAX_SUPPORT} entries"),
                );
            }
            if !(0.0..=1.0).contains(&r.confidence) {
                return invalid(format!("{at}.confidence"), "must be within 0..1".into());
            }
            if r.label == "CLASSIFIED" {
                match &r.level {
                    Some(l) if levels.iter().any(|x| x == l) => {}
                    _ => {
                        return invalid(
                            format!("{at}.level"),
                            format!("CLASSIFIED rules need a level, one of {levels:?}"),
                        )
                    }
                }
            }
            if r.label.is_empty() || !r.label.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
                return invalid(format!("{at}.label"), "labels are upper-case words".into());
            }
        }
        Ok(())
    }
}
