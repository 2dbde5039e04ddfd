//! The request head as it reaches an upstream: which request headers go (each wire format's
//! allowlist plus what the policy forwards), and the text of everything in the head that goes
//! (header names and values, `:authority`, the query string) for the same scan as the body.
//!
//! Complete mediation (docs/architecture.md): every byte that reaches an upstream is inspected by
//! the scan, removed, or the request is refused. Headers outside the allowlist are removed; the
//! ones that go are scanned, names included (a prefix entry such as `x-stainless-*` lets the
//! client choose the rest of the name). The method and path are fixed by routing (an endpoint or
//! listed path is matched exactly), so only the query carries free text; it is refused unless the
//! path's policy says `scan`. Request trailers never go upstream.

use crate::error::InspectError;
use crate::wire::Format;

/// One part of the request head that goes upstream, as text for the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadPiece {
    /// Where it is, for the audit record: `header user-agent`, `query`.
    pub location: String,
    pub text: String,
}

/// Headers every format may send upstream: what the official SDKs and Envoy itself set (each
/// format's own headers are in its spec, [`crate::wire::Spec::headers`]).
/// `*` ends a prefix. Scanned like everything else that goes. (`x-request-id` is Envoy's own id
/// for the audit trail; it goes upstream only when the policy forwards it.)
const COMMON: &[&str] = &[
    "content-type",
    "content-length",
    "accept",
    "accept-encoding",
    "user-agent",
    "idempotency-key",
    "x-stainless-*",
    "x-forwarded-proto",
    "te",
];

/// Headers that are never forwarded, whatever the policy says: credentials (the caller's token in
/// any header an SDK puts a key in, [`crate::identity::CREDENTIAL_HEADERS`]; upstream credentials
/// are Envoy's to add), Envoy's client-certificate header (it names the client), gateway-owned
/// `x-itar-*` (a client never picks a cluster or forges a decision) and `x-amz*` (AWS signing and
/// Bedrock guardrails are Envoy's to set).
pub const NEVER_FORWARDED: [&str; 5] = [
    "authorization",
    "x-api-key",
    "api-key",
    "x-goog-api-key",
    "x-forwarded-client-cert",
];

pub fn never_forwarded(name: &str) -> bool {
    name.starts_with("x-itar-") || name.starts_with("x-amz") || NEVER_FORWARDED.contains(&name)
}

fn listed(list: &[&str], name: &str) -> bool {
    list.iter().any(|e| match e.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => *e == name,
    })
}

/// Whether a policy may name this entry in `request_headers.forward`.
pub fn check_forwardable(entry: &str) -> Result<(), String> {
    let name = entry.strip_suffix('*').unwrap_or(entry);
    if name.is_empty() {
        return Err("an empty name (or a bare `*`) would forward every header".into());
    }
    if name.starts_with(':')
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "{entry:?} is not a lower-case header name (letters, digits, '-', '_', optionally ending in '*')"
        ));
    }
    if never_forwarded(name)
        || NEVER_FORWARDED.iter().any(|n| n.starts_with(name))
        || "x-itar-".starts_with(name)
        || "x-amz".starts_with(name)
    {
        return Err(format!(
            "{entry:?} would forward credentials or gateway-owned headers, which never go upstream"
        ));
    }
    Ok(())
}

/// Which headers a request keeps: the formats' allowlists and the policy's additions.
#[derive(Debug, Clone, Default)]
pub struct HeaderRules {
    forward: Vec<String>,
}

impl HeaderRules {
    pub fn new(forward: &[String]) -> HeaderRules {
        HeaderRules {
            forward: forward.to_vec(),
        }
    }

    /// Whether header `name` (lower case) goes upstream on a request of these formats.
    pub fn forwards(&self, formats: &[Format], name: &str) -> bool {
        if never_forwarded(name) {
            return false;
        }
        if name.starts_with(':') {
            // :method, :path and :scheme are fixed by routing and Envoy (see `plan`).
            return name == ":authority";
        }
        listed(COMMON, name)
            || formats.iter().any(|f| listed(f.spec().headers, name))
            || self.forward.iter().any(|e| match e.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => e == name,
            })
    }

    /// Split the request's headers into those to remove and the scan text of those that go.
    /// `:method`, `:path` and `:scheme` are neither (routing fixes them; the query is
    /// [`query_pieces`]'s).
    pub fn plan<'h>(
        &self,
        formats: &[Format],
        headers: &'h [(String, String)],
        remove: &mut Vec<&'h str>,
        pieces: &mut Vec<HeadPiece>,
    ) {
        for (name, value) in headers {
            if matches!(name.as_str(), ":method" | ":path" | ":scheme") {
                continue;
            }
            if self.forwards(formats, name) {
                // Envoy's codecs admit only digits here (and the filter sets it when it rewrites
                // the body): nothing to scan, and leaving it out keeps a client's head document
                // the same from request to request.
                if name == "content-length"
                    && !value.is_empty()
                    && value.bytes().all(|b| b.is_ascii_digit())
                {
                    continue;
                }
                pieces.push(HeadPiece {
                    location: format!("header {name}"),
                    text: format!("{name}: {value}"),
                });
            } else if !name.starts_with(':') {
                remove.push(name.as_str());
            }
        }
    }
}

/// The query string of a `:path` (after the first `?`), if any.
pub fn query_of(path: &str) -> Option<&str> {
    path.split_once('?').map(|(_, q)| q)
}

/// The query string as the scan reads it: each `&`-separated parameter percent-decoded (`+` as a
/// space) into one piece `name=value`. A parameter that is not UTF-8 once decoded is refused
/// (the provider could read it another way than the scan).
pub fn query_pieces(query: &str, pieces: &mut Vec<HeadPiece>) -> Result<(), InspectError> {
    for param in query.split('&') {
        if param.is_empty() {
            continue;
        }
        let text = percent_decode(param).ok_or_else(|| {
            InspectError::Shape("the query string is not UTF-8 once percent-decoded".into())
        })?;
        pieces.push(HeadPiece {
            location: "query".into(),
            text,
        });
    }
    Ok(())
}

/// `%XX` decoded and `+` as a space; a `%` not followed by two hex digits stays as it is.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |j: usize| b.get(j).and_then(|&h| (h as char).to_digit(16));
        match c {
            b'+' => out.push(b' '),
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(h), Some(l)) => {
                    out.push(u8::try_from(h * 16 + l).ok()?);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            _ => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::wire::Format as Provider;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn only_listed_headers_go_and_all_of_them_are_scanned() {
        let rules = HeaderRules::new(&["x-team".to_string(), "x-trace-*".to_string()]);
        let headers = h(&[
            (":method", "POST"),
            (":path", "/v1/messages?beta=true"),
            (":scheme", "http"),
            (":authority", "gw.example"),
            ("content-type", "application/json"),
            ("user-agent", "Anthropic/Python 0.40"),
            ("anthropic-version", "2023-06-01"),
            ("openai-project", "p1"),
            ("x-stainless-lang", "python"),
            ("x-note", "SECRET//NOFORN"),
            ("x-forwarded-for", "10.0.0.1"),
            ("cookie", "a=b"),
            ("authorization", "Bearer t"),
            ("x-itar-destination", "onprem"),
            ("x-team", "blue"),
            ("x-trace-id", "7"),
            ("x-request-id", "5f0c1a52-8d3e-4b8e-9d1c-2a6b3c4d5e6f"),
            ("content-length", "1234"),
        ]);
        let (mut remove, mut pieces) = (Vec::new(), Vec::new());
        rules.plan(&[Provider::Anthropic], &headers, &mut remove, &mut pieces);
        assert_eq!(
            remove,
            [
                "openai-project",
                "x-note",
                "x-forwarded-for",
                "cookie",
                "authorization",
                "x-itar-destination",
                "x-request-id"
            ]
        );
        let texts: Vec<&str> = pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                ":authority: gw.example",
                "content-type: application/json",
                "user-agent: Anthropic/Python 0.40",
                "anthropic-version: 2023-06-01",
                "x-stainless-lang: python",
                "x-team: blue",
                "x-trace-id: 7"
            ]
        );
        assert_eq!(pieces[2].location, "header user-agent");
        // OpenAI requests keep OpenAI's headers, not Anthropic's.
        let (mut remove, mut pieces) = (Vec::new(), Vec::new());
        rules.plan(&[Provider::Openai], &headers, &mut remove, &mut pieces);
        assert!(remove.contains(&"anthropic-version") && !remove.contains(&"openai-project"));
    }

    #[test]
    fn credentials_and_gateway_headers_cannot_be_forwarded() {
        for bad in [
            "authorization",
            "x-api-key",
            "api-key",
            "x-goog-api-key",
            "x-itar-destination",
            "x-itar-*",
            "x-*",
            "x-a*",
            "x-amz-date",
            "*",
            "",
            "X-Upper",
            ":authority",
            "auth*",
            "a b",
        ] {
            assert!(check_forwardable(bad).is_err(), "{bad}");
        }
        for good in ["x-team", "traceparent", "x-b3-*", "helicone-auth"] {
            assert!(check_forwardable(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn query_is_decoded_per_parameter() {
        let mut p = Vec::new();
        query_pieces("beta=true&q=SECRET%2F%2FNOFORN+troop&&x=%zz%41", &mut p).unwrap();
        let texts: Vec<&str> = p.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["beta=true", "q=SECRET//NOFORN troop", "x=%zzA"]);
        assert!(query_pieces("q=%ff", &mut p).is_err());
        assert_eq!(query_of("/v1/models?x=1?y"), Some("x=1?y"));
        assert_eq!(query_of("/v1/models"), None);
    }
}
