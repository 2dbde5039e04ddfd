//! Identity: who is asking, from claims Envoy's jwt_authn verified. Unknown is its own state.

use serde::Serialize;
use serde_json::Value;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::policy::{ClientCertPolicy, IdentityPolicy, TokenBinding};

/// The client certificate of the downstream connection, as Envoy's TLS stack reports it
/// (`connection.*_peer_certificate` properties: never a request header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeerCert {
    /// SHA-256 of the certificate (DER), lowercase hex.
    pub sha256: String,
    /// The certificate's first URI SAN (e.g. a SPIFFE ID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

impl PeerCert {
    /// The RFC 8705 thumbprint (`x5t#S256`): base64url without padding of the SHA-256 bytes.
    /// None when the digest is not 64 hex digits.
    pub fn thumbprint(&self) -> Option<String> {
        let hex = self.sha256.as_bytes();
        if hex.len() != 64 {
            return None;
        }
        let nibble = |c: u8| (c as char).to_digit(16);
        let mut bytes = [0u8; 32];
        for (b, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            let [hi, lo] = pair else {
                return None;
            };
            *b = u8::try_from(nibble(*hi)? * 16 + nibble(*lo)?).ok()?;
        }
        Some(URL_SAFE_NO_PAD.encode(bytes))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityState {
    /// Claims came from jwt_authn's verified metadata and passed the policy's pins.
    Verified,
    /// No verified claims (no token, or no jwt_authn in the chain).
    Missing,
    /// Claims were present but unusable (wrong issuer/audience/type).
    Invalid,
}

#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub state: IdentityState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// None: unknown (no claim), never a default yes.
    pub us_person: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clearance: Option<String>,
    #[serde(skip)]
    pub clearance_rank: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub compartments: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Whether the caller signed in with more than one factor, from the token's `amr` / `acr`
    /// claims and the policy's values for them (None: no such claim in the token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    /// The connection's client certificate, when the policy looks at it and there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<PeerCert>,
    /// The identity is invalid because of the client certificate: refused even where the policy
    /// does not require a token.
    #[serde(skip)]
    pub certificate_failed: bool,
}

impl Identity {
    pub fn missing() -> Identity {
        Identity {
            state: IdentityState::Missing,
            problem: None,
            subject: None,
            issuer: None,
            us_person: None,
            clearance: None,
            clearance_rank: None,
            compartments: Vec::new(),
            groups: Vec::new(),
            team: None,
            mfa: None,
            client_cert: None,
            certificate_failed: false,
        }
    }

    fn invalid(mut self, why: String) -> Identity {
        self.state = IdentityState::Invalid;
        self.problem = Some(why);
        self
    }

    /// The caller's identity from what the host reported: the verified claims jwt_authn wrote to
    /// metadata (if any), jwt_authn's failure status (if any), whether two different credentials
    /// were presented ([`CREDENTIAL_HEADERS`]), which is refused as ambiguous, and the
    /// connection's client certificate (looked at only when the policy has `client_certificate`).
    pub fn resolve(
        policy: &IdentityPolicy,
        claims: Option<&Value>,
        failure: Option<&Value>,
        conflicting_credentials: bool,
        peer: Option<PeerCert>,
    ) -> Identity {
        let id = Identity::from_token(policy, claims, failure, conflicting_credentials);
        match &policy.client_certificate {
            Some(cp) => id.with_certificate(cp, claims, peer),
            None => id,
        }
    }

    /// The client-certificate checks (docs/identity.md): a failure makes the identity invalid
    /// whatever the token said, and marks it so that it is refused even without `required`.
    fn with_certificate(
        mut self,
        cp: &ClientCertPolicy,
        claims: Option<&Value>,
        peer: Option<PeerCert>,
    ) -> Identity {
        let problem = check_certificate(cp, claims, peer.as_ref());
        self.client_cert = peer;
        let Some(p) = problem else {
            return self;
        };
        self.certificate_failed = true;
        let why = match self.problem.take() {
            Some(token) => format!("{p} (and the token: {token})"),
            None => p,
        };
        self.invalid(why)
    }

    fn from_token(
        policy: &IdentityPolicy,
        claims: Option<&Value>,
        failure: Option<&Value>,
        conflicting_credentials: bool,
    ) -> Identity {
        if conflicting_credentials {
            return Identity::missing().invalid(
                "two different credentials (Authorization, x-api-key, api-key or x-goog-api-key); send one".into(),
            );
        }
        match claims {
            Some(c) => Identity::from_claims(policy, c),
            None => match failure
                .and_then(|f| f.get("message"))
                .and_then(Value::as_str)
            {
                Some(m) => Identity::missing().invalid(format!("token rejected: {m}")),
                None => Identity::missing(),
            },
        }
    }

    /// Interpret verified claims (a JSON object) under the identity policy.
    pub fn from_claims(policy: &IdentityPolicy, claims: &Value) -> Identity {
        let mut id = Identity::missing();
        let Some(_) = claims.as_object() else {
            return id.invalid("claims are not an object".into());
        };
        let map = &policy.claims;
        id.state = IdentityState::Verified;
        match string_claim(claims, &map.subject) {
            Ok(Some(s)) => id.subject = Some(s),
            Ok(None) => return id.invalid(format!("claim {} is missing", map.subject)),
            Err(e) => return id.invalid(e),
        }
        match string_claim(claims, &map.issuer) {
            Ok(iss) => id.issuer = iss,
            Err(e) => return id.invalid(e),
        }
        if !policy.issuers.is_empty()
            && !id
                .issuer
                .as_ref()
                .is_some_and(|i| policy.issuers.iter().any(|p| p == i))
        {
            return id.invalid("issuer is not trusted".into());
        }
        if !policy.audiences.is_empty() {
            let auds = match list_claim(claims, &map.audience) {
                Ok(a) => a,
                Err(e) => return id.invalid(e),
            };
            if !auds.iter().any(|a| policy.audiences.contains(a)) {
                return id.invalid("audience is not accepted".into());
            }
        }
        if let Err(e) = token_lifetime(policy, claims) {
            return id.invalid(e);
        }
        if let Some(path) = &map.us_person {
            match lookup(claims, path) {
                None => {}
                Some(Value::Bool(b)) => id.us_person = Some(*b),
                Some(_) => return id.invalid(format!("claim {path} must be a boolean")),
            }
        } else if let Some(path) = &map.person_category {
            match list_claim(claims, path) {
                Ok(vals) if vals.is_empty() => {}
                Ok(vals) => {
                    id.us_person = Some(vals.iter().any(|v| {
                        policy
                            .us_person_values
                            .iter()
                            .any(|p| p.eq_ignore_ascii_case(v))
                    }))
                }
                Err(e) => return id.invalid(e),
            }
        }
        if let Some(path) = &map.clearance {
            match string_claim(claims, path) {
                Ok(Some(c)) => {
                    let rank = policy
                        .clearance_levels
                        .iter()
                        .position(|l| l.eq_ignore_ascii_case(c.trim()));
                    match rank {
                        Some(r) => {
                            id.clearance_rank = Some(r);
                            id.clearance = policy.clearance_levels.get(r).cloned();
                        }
                        None => return id.invalid(format!("claim {path} has an unknown level")),
                    }
                }
                Ok(None) => {}
                Err(e) => return id.invalid(e),
            }
        }
        if let Some(path) = &map.compartments {
            match list_claim(claims, path) {
                Ok(v) => id.compartments = v.into_iter().map(|s| s.to_ascii_uppercase()).collect(),
                Err(e) => return id.invalid(e),
            }
        }
        if let Some(path) = &map.groups {
            match list_claim(claims, path) {
                Ok(v) => id.groups = v,
                Err(e) => return id.invalid(e),
            }
        }
        if let Some(path) = &map.team {
            match string_claim(claims, path) {
                Ok(t) => id.team = t,
                Err(e) => return id.invalid(e),
            }
        }
        id.mfa = mfa_from_claims(policy, claims);
        for g in &policy.require_groups {
            if !id.groups.contains(g) {
                return id.invalid(format!("not a member of required group {g}"));
            }
        }
        id
    }
}

/// Multi-factor from the `amr` (list) and `acr` (string) claims: Some(true) when one of the
/// policy's values is there, Some(false) when a claim is there without one (or is not the shape
/// it should be: never a yes), None when the token has neither claim. A policy that does not
/// ask for MFA is not affected by these claims, so a malformed one does not invalidate a token.
fn mfa_from_claims(policy: &IdentityPolicy, claims: &Value) -> Option<bool> {
    let map = &policy.claims;
    let present = |path: &Option<String>| {
        path.as_deref()
            .and_then(|p| lookup(claims, p))
            .is_some_and(|v| !v.is_null())
    };
    if !present(&map.amr) && !present(&map.acr) {
        return None;
    }
    let amr = map
        .amr
        .as_deref()
        .and_then(|p| list_claim(claims, p).ok())
        .unwrap_or_default();
    let acr = map
        .acr
        .as_deref()
        .and_then(|p| string_claim(claims, p).ok().flatten());
    Some(
        amr.iter().any(|v| policy.mfa_amr_values.contains(v))
            || acr.is_some_and(|a| policy.mfa_acr_values.contains(&a)),
    )
}

/// The token must expire (`exp`, unless the policy allows tokens without it) and live no longer
/// than the policy's cap (`exp` - `iat`). jwt_authn has already refused expired tokens.
fn token_lifetime(policy: &IdentityPolicy, claims: &Value) -> Result<(), String> {
    let number = |name: &str| match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| format!("claim {name} must be a number")),
    };
    let (exp, iat) = (number("exp")?, number("iat")?);
    let Some(exp) = exp else {
        return if policy.allow_tokens_without_exp {
            Ok(())
        } else {
            Err("the token has no exp claim and would never expire".into())
        };
    };
    let cap = policy.max_token_lifetime_seconds;
    if cap == 0 {
        return Ok(());
    }
    let Some(iat) = iat else {
        return Err("the token has no iat claim, so its lifetime cannot be checked".into());
    };
    let life = exp - iat;
    if life.is_nan() || life > cap as f64 {
        return Err(format!(
            "the token lives {life:.0} s, longer than the {cap} s the policy allows"
        ));
    }
    Ok(())
}

/// What is wrong with the connection's client certificate under `cp`, if anything.
fn check_certificate(
    cp: &ClientCertPolicy,
    claims: Option<&Value>,
    peer: Option<&PeerCert>,
) -> Option<String> {
    // RFC 8705: the thumbprint is `x5t#S256` inside the `cnf` object. A `cnf` that binds the
    // token some other way (DPoP `jkt`, a key) cannot be checked here: refused, not ignored.
    let bound = match (cp.token_binding, claims) {
        (TokenBinding::Off, _) | (_, None) => None,
        (_, Some(c)) => match c.get("cnf") {
            None | Some(Value::Null) => None,
            Some(cnf) => Some(cnf.get("x5t#S256").unwrap_or(&Value::Null)),
        },
    };
    let Some(peer) = peer else {
        // A bound token is only good together with its certificate.
        return (cp.needs_certificate() || bound.is_some())
            .then(|| "the connection has no verified client certificate".into());
    };
    if !cp.allowed_uri_prefixes.is_empty() {
        let Some(uri) = &peer.uri else {
            return Some("the client certificate has no URI SAN".into());
        };
        if !cp.allowed_uri_prefixes.iter().any(|p| uri_within(uri, p)) {
            return Some(format!("client certificate {uri} is not allowed"));
        }
    }
    match bound {
        None if cp.token_binding == TokenBinding::Required && claims.is_some() => {
            Some("the token is not bound to a client certificate (no cnf.x5t#S256 claim)".into())
        }
        None => None,
        Some(Value::String(theirs)) => {
            // Exact: base64url without padding (RFC 7515), as the identity provider signed it.
            match peer.thumbprint() {
                Some(ours) if &ours == theirs => None,
                _ => Some(
                    "the token is bound to a different client certificate (cnf.x5t#S256)".into(),
                ),
            }
        }
        Some(_) => Some(
            "the token's cnf claim does not bind it to a certificate (cnf.x5t#S256 string)".into(),
        ),
    }
}

/// Whether `uri` is `prefix` or lies under it on a whole path segment: `spiffe://corp/ns/eng`
/// admits `spiffe://corp/ns/eng` and `spiffe://corp/ns/eng/sa/x`, not `spiffe://corp/ns/engx`.
fn uri_within(uri: &str, prefix: &str) -> bool {
    match uri.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || prefix.ends_with('/') || rest.starts_with('/'),
        None => false,
    }
}

/// Whether the request carries two different credentials (`Authorization: Bearer` and
/// `x-api-key` disagree): refused as ambiguous, whichever of them jwt_authn verified.
pub fn conflicting_credentials<'a>(header: impl Fn(&str) -> Option<&'a str>) -> bool {
    let mut seen: Option<&str> = None;
    for name in CREDENTIAL_HEADERS {
        let Some(v) = header(name) else {
            continue;
        };
        let v = if name == "authorization" {
            v.trim_start_matches("Bearer ").trim()
        } else {
            v.trim()
        };
        match seen {
            Some(s) if s != v => return true,
            _ => seen = Some(v),
        }
    }
    false
}

/// The headers a caller's token may come in (jwt_authn reads each; envoy/jwt-authn.yaml):
/// `Authorization: Bearer` (OpenAI SDKs, Vertex AI), `x-api-key` (Anthropic SDK), `api-key`
/// (Azure OpenAI SDK), `x-goog-api-key` (Google Gen AI SDK). None of them ever goes upstream.
pub const CREDENTIAL_HEADERS: [&str; 4] =
    ["authorization", "x-api-key", "api-key", "x-goog-api-key"];

/// Dotted path into nested objects; a key containing dots can be written whole (tried first).
fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(x) = v.get(path) {
        return Some(x);
    }
    let mut cur = v;
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    Some(cur)
}

fn string_claim(v: &Value, path: &str) -> Result<Option<String>, String> {
    match lookup(v, path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("claim {path} must be a string")),
    }
}

/// A claim that is a string or a list of strings (space-separated strings are not split).
fn list_claim(v: &Value, path: &str) -> Result<Vec<String>, String> {
    match lookup(v, path) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => Ok(s.clone()),
                _ => Err(format!("claim {path} must be a list of strings")),
            })
            .collect(),
        Some(_) => Err(format!(
            "claim {path} must be a string or a list of strings"
        )),
    }
}

/// Decode the proxy-wasm "pairs" encoding: u32 count, then (u32 key len, u32 value len) per pair,
/// then each key and value followed by a NUL byte. Little-endian.
pub fn decode_pairs(b: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    let rd = |at: usize| -> Option<usize> {
        let s = b.get(at..at + 4)?;
        Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
    };
    let n = rd(0)?;
    if n > b.len() / 8 {
        return None;
    }
    let mut sizes = Vec::with_capacity(n);
    for i in 0..n {
        sizes.push((rd(4 + i * 8)?, rd(8 + i * 8)?));
    }
    let mut at = 4 + n * 8;
    let mut out = Vec::with_capacity(n);
    for (kl, vl) in sizes {
        let k = b.get(at..at + kl)?;
        at += kl + 1;
        let v = b.get(at..at + vl)?;
        at += vl + 1;
        out.push((k, v));
    }
    Some(out)
}

/// Claims from jwt_authn metadata in the pairs encoding, as a JSON object.
///
/// Envoy 1.40 hands values over without type tags (verified; see docs/identity.md): strings as raw
/// UTF-8, numbers as 8-byte little-endian f64, booleans as one byte, nested structs in the pairs
/// encoding again, and lists in the pairs encoding with the elements as keys and empty values.
/// Type checks happen in [`Identity::from_claims`], against what the policy expects of each claim;
/// a claim of the wrong type is a refusal, never a crash.
pub fn decode_pairs_struct(b: &[u8]) -> Option<Value> {
    let pairs = decode_pairs(b)?;
    let mut map = serde_json::Map::new();
    for (k, v) in pairs {
        let key = std::str::from_utf8(k).ok()?.to_string();
        map.insert(key, raw_value(v, 0));
    }
    Some(Value::Object(map))
}

fn raw_value(v: &[u8], depth: u8) -> Value {
    match v {
        [0] => return Value::Bool(false),
        [1] => return Value::Bool(true),
        _ => {}
    }
    if let Ok(s) = std::str::from_utf8(v) {
        if !s.bytes().any(|c| c < 0x20 && c != b'\t' && c != b'\n') {
            return Value::String(s.to_string());
        }
    }
    if depth < 8 {
        if let Some(pairs) = decode_pairs(v) {
            let consumed: usize = 4 + pairs
                .iter()
                .map(|(k, x)| 8 + k.len() + x.len() + 2)
                .sum::<usize>();
            if consumed == v.len() {
                if pairs.iter().all(|(_, x)| x.is_empty()) {
                    // A list: elements as keys, empty values.
                    return Value::Array(
                        pairs.iter().map(|(k, _)| raw_value(k, depth + 1)).collect(),
                    );
                }
                let mut map = serde_json::Map::new();
                for (k, x) in pairs {
                    if let Ok(key) = std::str::from_utf8(k) {
                        map.insert(key.to_string(), raw_value(x, depth + 1));
                    }
                }
                return Value::Object(map);
            }
        }
    }
    if v.len() == 8 {
        let mut a = [0u8; 8];
        a.copy_from_slice(v);
        return serde_json::Number::from_f64(f64::from_le_bytes(a))
            .map_or(Value::Null, Value::Number);
    }
    Value::Null
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{default_levels, ClaimMap};
    use serde_json::json;

    fn pol() -> IdentityPolicy {
        IdentityPolicy {
            metadata_key: "claims".into(),
            required: true,
            issuers: vec!["https://idp.example".into()],
            audiences: vec!["itar-gateway".into()],
            claims: ClaimMap {
                person_category: Some("person_category".into()),
                clearance: Some("clearance".into()),
                compartments: Some("sci".into()),
                groups: Some("groups".into()),
                ..ClaimMap::default()
            },
            us_person_values: vec!["citizen".into(), "lawful_permanent_resident".into()],
            clearance_levels: default_levels(),
            require_groups: vec![],
            client_certificate: None,
            allow_tokens_without_exp: true,
            max_token_lifetime_seconds: 0,
            mfa_amr_values: crate::policy::default_mfa_amr(),
            mfa_acr_values: vec![],
        }
    }

    #[test]
    fn tokens_must_expire_within_the_policys_cap() {
        let strict = IdentityPolicy {
            allow_tokens_without_exp: false,
            max_token_lifetime_seconds: 3600,
            ..pol()
        };
        let claims = |extra: Value| {
            let mut c = json!({"sub": "u", "iss": "https://idp.example", "aud": "itar-gateway",
                               "person_category": "citizen"});
            for (k, v) in extra.as_object().unwrap() {
                c[k] = v.clone();
            }
            c
        };
        let cases = [
            (json!({"exp": 1.8e9, "iat": 1.8e9 - 3600.0}), None),
            (json!({}), Some("no exp claim")),
            (json!({"exp": 1.8e9}), Some("no iat claim")),
            (
                json!({"exp": 1.8e9, "iat": 1.8e9 - 3601.0}),
                Some("longer than the 3600 s"),
            ),
            (
                json!({"exp": "soon", "iat": 1.0}),
                Some("exp must be a number"),
            ),
        ];
        for (extra, want) in cases {
            let id = Identity::from_claims(&strict, &claims(extra.clone()));
            match want {
                None => assert_eq!(
                    id.state,
                    IdentityState::Verified,
                    "{extra}: {:?}",
                    id.problem
                ),
                Some(w) => {
                    assert_eq!(id.state, IdentityState::Invalid, "{extra}");
                    assert!(
                        id.problem.as_deref().unwrap_or("").contains(w),
                        "{extra}: {:?}",
                        id.problem
                    );
                }
            }
        }
        // Allowed by the policy: no exp at all; no cap: any lifetime.
        let lax = IdentityPolicy {
            allow_tokens_without_exp: true,
            ..strict.clone()
        };
        assert_eq!(
            Identity::from_claims(&lax, &claims(json!({}))).state,
            IdentityState::Verified
        );
        let uncapped = IdentityPolicy {
            max_token_lifetime_seconds: 0,
            ..strict
        };
        let id = Identity::from_claims(&uncapped, &claims(json!({"exp": 4e9, "iat": 1.0})));
        assert_eq!(id.state, IdentityState::Verified);
    }

    const ALICE_SHA: &str = "7a027ea4ab80fe222822766d925e3e1d72a7a47e252d8640b2f5af9c1073c338";

    fn alice_cert() -> PeerCert {
        PeerCert {
            sha256: ALICE_SHA.into(),
            uri: Some("spiffe://corp.example/ns/eng/sa/alice-laptop".into()),
        }
    }

    fn cert_pol(cp: ClientCertPolicy) -> IdentityPolicy {
        IdentityPolicy {
            client_certificate: Some(cp),
            ..pol()
        }
    }

    /// The identity failed on its client certificate, for the reason given.
    fn cert_refused(id: &Identity, why: &str) {
        assert!(id.certificate_failed, "{id:?}");
        let problem = id.problem.as_deref().unwrap_or("");
        assert!(problem.contains(why), "{problem:?} does not say {why:?}");
    }

    fn claims_with(cnf: Option<serde_json::Value>) -> serde_json::Value {
        let mut c = json!({"sub":"alice","iss":"https://idp.example","aud":"itar-gateway",
            "person_category":"citizen","clearance":"SECRET"});
        if let Some(x) = cnf {
            c["cnf"] = x;
        }
        c
    }

    #[test]
    fn thumbprint_is_base64url_of_the_digest_bytes() {
        // RFC 8705 x5t#S256: base64url (no padding) of the 32 SHA-256 bytes Envoy reports in hex.
        let t = alice_cert().thumbprint().expect("64 hex digits");
        assert_eq!(t, "egJ-pKuA_iIoInZtkl4-HXKnpH4lLYZAsvWvnBBzwzg");
        assert_eq!(t.len(), 43);
        let bad = |h: &str| {
            PeerCert {
                sha256: h.into(),
                uri: None,
            }
            .thumbprint()
        };
        assert_eq!(bad(&ALICE_SHA[..62]), None);
        assert_eq!(bad(&ALICE_SHA.replace('f', "g")), None);
        assert_eq!(
            bad(&ALICE_SHA.to_uppercase()),
            alice_cert().thumbprint(),
            "hex case does not matter"
        );
    }

    #[test]
    fn certificate_required() {
        let p = cert_pol(ClientCertPolicy {
            required: true,
            ..ClientCertPolicy::default()
        });
        let c = claims_with(None);
        let id = Identity::resolve(&p, Some(&c), None, false, None);
        assert_eq!(id.state, IdentityState::Invalid);
        cert_refused(&id, "no verified client certificate");
        let id = Identity::resolve(&p, Some(&c), None, false, Some(alice_cert()));
        assert_eq!(id.state, IdentityState::Verified, "{:?}", id.problem);
        assert_eq!(
            id.client_cert,
            Some(alice_cert()),
            "recorded for the audit trail"
        );
        // Without a token the certificate alone is no identity, but still checked.
        let id = Identity::resolve(&p, None, None, false, None);
        assert!(id.certificate_failed);
        let id = Identity::resolve(&p, None, None, false, Some(alice_cert()));
        assert_eq!(id.state, IdentityState::Missing);
        assert!(!id.certificate_failed);
    }

    #[test]
    fn no_certificate_policy_looks_at_nothing() {
        let id = Identity::resolve(
            &pol(),
            Some(&claims_with(None)),
            None,
            false,
            Some(alice_cert()),
        );
        assert_eq!(id.state, IdentityState::Verified);
        assert_eq!(id.client_cert, None);
        // An optional certificate is recorded when there is one.
        let p = cert_pol(ClientCertPolicy::default());
        let id = Identity::resolve(&p, Some(&claims_with(None)), None, false, None);
        assert_eq!(id.state, IdentityState::Verified);
        let id = Identity::resolve(
            &p,
            Some(&claims_with(None)),
            None,
            false,
            Some(alice_cert()),
        );
        assert_eq!(id.client_cert, Some(alice_cert()));
    }

    #[test]
    fn certificate_uri_prefixes() {
        let p = cert_pol(ClientCertPolicy {
            allowed_uri_prefixes: vec!["spiffe://corp.example/ns/eng/".into()],
            ..ClientCertPolicy::default()
        });
        let c = claims_with(None);
        let ok = Identity::resolve(&p, Some(&c), None, false, Some(alice_cert()));
        assert_eq!(ok.state, IdentityState::Verified, "{:?}", ok.problem);
        let other = PeerCert {
            uri: Some("spiffe://corp.example/ns/engineering-contractors/sa/bob".into()),
            ..alice_cert()
        };
        let id = Identity::resolve(&p, Some(&c), None, false, Some(other));
        cert_refused(&id, "is not allowed");
        let no_uri = PeerCert {
            uri: None,
            ..alice_cert()
        };
        let id = Identity::resolve(&p, Some(&c), None, false, Some(no_uri));
        assert!(id.certificate_failed);
        // A prefix list implies that a certificate is required.
        let id = Identity::resolve(&p, Some(&c), None, false, None);
        assert!(id.certificate_failed);
    }

    #[test]
    fn certificate_bound_tokens() {
        let thumb = alice_cert().thumbprint().expect("thumbprint");
        let if_present = cert_pol(ClientCertPolicy {
            token_binding: TokenBinding::IfPresent,
            ..ClientCertPolicy::default()
        });
        let required = cert_pol(ClientCertPolicy {
            token_binding: TokenBinding::Required,
            ..ClientCertPolicy::default()
        });
        let bound = claims_with(Some(json!({"x5t#S256": thumb})));
        let other = claims_with(Some(json!({"x5t#S256": "AAAA" })));
        let unbound = claims_with(None);
        let cert = || Some(alice_cert());
        for p in [&if_present, &required] {
            let id = Identity::resolve(p, Some(&bound), None, false, cert());
            assert_eq!(id.state, IdentityState::Verified, "{:?}", id.problem);
            // Strict: padding, another case, a cnf that binds some other way, a null, a cnf
            // that is not an object: refused, never a silent pass.
            for odd in [
                json!({"x5t#S256": format!("{thumb}=")}),
                json!({"x5t#S256": thumb.to_uppercase()}),
                json!({"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}),
                json!({"x5t#S256": null}),
                json!("bound"),
            ] {
                let c = claims_with(Some(odd.clone()));
                let id = Identity::resolve(p, Some(&c), None, false, cert());
                assert!(id.certificate_failed, "{odd}: {:?}", id.problem);
            }
            // The cnf object decides, not a literal dotted top-level key.
            let mut dotted = claims_with(Some(json!({"x5t#S256": "AAAA"})));
            dotted["cnf.x5t#S256"] = json!(thumb);
            let id = Identity::resolve(p, Some(&dotted), None, false, cert());
            assert!(id.certificate_failed, "{:?}", id.problem);
            // Envoy's digest in upper-case hex matches too; a garbled digest matches nothing.
            let upper = PeerCert {
                sha256: ALICE_SHA.to_uppercase(),
                ..alice_cert()
            };
            let id = Identity::resolve(p, Some(&bound), None, false, Some(upper));
            assert_eq!(id.state, IdentityState::Verified, "{:?}", id.problem);
            let garbled = PeerCert {
                sha256: ALICE_SHA.replace('a', "x"),
                ..alice_cert()
            };
            let id = Identity::resolve(p, Some(&bound), None, false, Some(garbled));
            assert!(id.certificate_failed);
            // Stolen token, other device: refused.
            let id = Identity::resolve(p, Some(&other), None, false, cert());
            cert_refused(&id, "different client certificate");
            // Bound token over a connection without a certificate: refused.
            let id = Identity::resolve(p, Some(&bound), None, false, None);
            assert!(id.certificate_failed, "{:?}", id.problem);
            let wrong_type = claims_with(Some(json!({"x5t#S256": 7})));
            let id = Identity::resolve(p, Some(&wrong_type), None, false, cert());
            assert!(id.certificate_failed);
        }
        let id = Identity::resolve(&if_present, Some(&unbound), None, false, cert());
        assert_eq!(id.state, IdentityState::Verified);
        let id = Identity::resolve(&required, Some(&unbound), None, false, cert());
        cert_refused(&id, "not bound");
        // Off: the claim is not looked at.
        let off = cert_pol(ClientCertPolicy::default());
        let id = Identity::resolve(&off, Some(&other), None, false, cert());
        assert_eq!(id.state, IdentityState::Verified);
        // Binding is about tokens: no token, no binding failure (but `required` binding still
        // needs a certificate).
        let id = Identity::resolve(&required, None, None, false, cert());
        assert_eq!(id.state, IdentityState::Missing);
        assert!(!id.certificate_failed);
        let id = Identity::resolve(&required, None, None, false, None);
        assert!(id.certificate_failed);
        // A bad token and a missing certificate: both problems are kept.
        let bad_token =
            json!({"sub": "alice", "iss": "https://evil.example", "aud": "itar-gateway"});
        let id = Identity::resolve(&required, Some(&bad_token), None, false, None);
        let problem = id.problem.unwrap_or_default();
        assert!(
            problem.contains("no verified client certificate") && problem.contains("issuer"),
            "{problem}"
        );
    }

    #[test]
    fn uri_prefixes_match_whole_segments() {
        assert!(uri_within("spiffe://corp/ns/eng", "spiffe://corp/ns/eng"));
        assert!(uri_within(
            "spiffe://corp/ns/eng/sa/x",
            "spiffe://corp/ns/eng"
        ));
        assert!(uri_within(
            "spiffe://corp/ns/eng/sa/x",
            "spiffe://corp/ns/eng/"
        ));
        assert!(!uri_within(
            "spiffe://corp/ns/engineering-evil/sa/x",
            "spiffe://corp/ns/eng"
        ));
        assert!(!uri_within(
            "spiffe://corp.example.evil/ns/x",
            "spiffe://corp.example"
        ));
        assert!(uri_within(
            "spiffe://corp.example/ns/x",
            "spiffe://corp.example"
        ));
        assert!(!uri_within("spiffe://corp/ns", "spiffe://corp/ns/eng"));
    }

    #[test]
    fn verified_claims() {
        let c = json!({"sub":"alice","iss":"https://idp.example","aud":["itar-gateway"],
            "person_category":"citizen","clearance":"SECRET","sci":["si","tk"],"groups":["eng"]});
        let id = Identity::from_claims(&pol(), &c);
        assert_eq!(id.state, IdentityState::Verified);
        assert_eq!(id.us_person, Some(true));
        assert_eq!(id.clearance_rank, Some(2));
        assert_eq!(id.compartments, vec!["SI", "TK"]);
    }

    #[test]
    fn refusals() {
        let base = json!({"sub":"a","iss":"https://idp.example","aud":"itar-gateway"});
        assert_eq!(Identity::from_claims(&pol(), &base).us_person, None);
        let mut c = base.clone();
        c["iss"] = json!("https://evil");
        assert_eq!(
            Identity::from_claims(&pol(), &c).state,
            IdentityState::Invalid
        );
        let mut c = base.clone();
        c["aud"] = json!("other");
        assert_eq!(
            Identity::from_claims(&pol(), &c).state,
            IdentityState::Invalid
        );
        let mut c = base.clone();
        c["clearance"] = json!(3);
        assert_eq!(
            Identity::from_claims(&pol(), &c).state,
            IdentityState::Invalid
        );
        let mut c = base.clone();
        c["person_category"] = json!("foreign_national");
        assert_eq!(Identity::from_claims(&pol(), &c).us_person, Some(false));
    }

    /// Bytes Envoy 1.40 returned for a verified payload with a list, a bool and a nested struct.
    #[test]
    fn envoy_payload_encoding() {
        fn pairs(items: &[(&[u8], &[u8])]) -> Vec<u8> {
            let mut b = (items.len() as u32).to_le_bytes().to_vec();
            for (k, v) in items {
                b.extend((k.len() as u32).to_le_bytes());
                b.extend((v.len() as u32).to_le_bytes());
            }
            for (k, v) in items {
                b.extend(*k);
                b.push(0);
                b.extend(*v);
                b.push(0);
            }
            b
        }
        let sci = pairs(&[(b"SI", b""), (b"TK", b"")]);
        let nested = pairs(&[(b"a", b"b"), (b"n", &3f64.to_le_bytes())]);
        let exp = 1.8e9f64.to_le_bytes();
        let all = pairs(&[
            (b"sub", b"alice"),
            (b"sci", &sci),
            (b"us", &[1]),
            (b"nested", &nested),
            (b"exp", &exp),
            (b"groups", &pairs(&[(b"itar-gateway-users", b"")])),
        ]);
        let v = decode_pairs_struct(&all).unwrap();
        assert_eq!(v["sub"], json!("alice"));
        assert_eq!(v["sci"], json!(["SI", "TK"]));
        assert_eq!(v["us"], json!(true));
        assert_eq!(v["nested"], json!({"a": "b", "n": 3.0}));
        assert_eq!(v["exp"], json!(1.8e9));
        assert_eq!(v["groups"], json!(["itar-gateway-users"]));
    }

    #[test]
    fn two_credentials() {
        let sent = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
        };
        assert!(!conflicting_credentials(sent(&[
            ("authorization", "Bearer abc"),
            ("x-api-key", "abc")
        ])));
        assert!(conflicting_credentials(sent(&[
            ("authorization", "Bearer abc"),
            ("x-api-key", "xyz")
        ])));
        assert!(!conflicting_credentials(sent(&[("x-api-key", "xyz")])));
        assert!(!conflicting_credentials(sent(&[(
            "authorization",
            "Bearer abc"
        )])));
        assert!(conflicting_credentials(sent(&[
            ("api-key", "abc"),
            ("x-goog-api-key", "xyz")
        ])));
        assert!(!conflicting_credentials(sent(&[
            ("api-key", "abc"),
            ("x-goog-api-key", " abc")
        ])));
        assert!(conflicting_credentials(sent(&[
            ("authorization", "Bearer abc"),
            ("api-key", "xyz")
        ])));
    }

    #[test]
    fn pairs() {
        let mut b = Vec::new();
        b.extend(2u32.to_le_bytes());
        b.extend(1u32.to_le_bytes());
        b.extend(2u32.to_le_bytes());
        b.extend(2u32.to_le_bytes());
        b.extend(0u32.to_le_bytes());
        b.extend(b"a\0xy\0bb\0\0");
        let p = decode_pairs(&b).unwrap();
        assert_eq!(p, vec![(&b"a"[..], &b"xy"[..]), (&b"bb"[..], &b""[..])]);
        assert!(decode_pairs(&b[..10]).is_none());
    }
}
