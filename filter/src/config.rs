//! The filter's configuration: a policy, optionally wrapped in an envelope that pins its digest
//! (change control) and carries a shadow policy (tried on real traffic without enforcing it).
//!
//! Bare form: the policy JSON itself. Envelope form:
//! `{"policy": {...}, "expected_digest": "<sha256 of the canonical policy>", "shadow": {...}}`.

use serde::Deserialize;
use serde_json::Value;

use crate::audit::{AuditRecord, ShadowRecord};
use crate::engine::{Engine, Scratch, Verdict};
use crate::error::PolicyError;
use crate::identity::Identity;
use crate::wire::Format;

pub struct FilterConfig {
    pub engine: Engine,
    pub shadow: Option<Engine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    policy: Value,
    #[serde(default)]
    expected_digest: Option<String>,
    #[serde(default)]
    shadow: Option<Value>,
}

fn compile(v: Value, what: &str) -> Result<Engine, PolicyError> {
    let bytes = serde_json::to_vec(&v).map_err(|e| PolicyError::Config(e.to_string()))?;
    drop(v);
    Engine::from_policy_json_owned(bytes).map_err(|e| PolicyError::Config(format!("{what}: {e}")))
}

/// Whether a configuration is an envelope: an object whose `policy` is an object. Read without
/// building the document (a policy with an inlined artifact is megabytes).
fn is_envelope(bytes: &[u8]) -> bool {
    struct IsObject(bool);
    impl<'de> Deserialize<'de> for IsObject {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = IsObject;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("any JSON value")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut m: A,
                ) -> Result<IsObject, A::Error> {
                    while m
                        .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                        .is_some()
                    {}
                    Ok(IsObject(true))
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut s: A,
                ) -> Result<IsObject, A::Error> {
                    while s.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                    Ok(IsObject(false))
                }
                fn visit_bool<E>(self, _: bool) -> Result<IsObject, E> {
                    Ok(IsObject(false))
                }
                fn visit_i64<E>(self, _: i64) -> Result<IsObject, E> {
                    Ok(IsObject(false))
                }
                fn visit_u64<E>(self, _: u64) -> Result<IsObject, E> {
                    Ok(IsObject(false))
                }
                fn visit_f64<E>(self, _: f64) -> Result<IsObject, E> {
                    Ok(IsObject(false))
                }
                fn visit_str<E>(self, _: &str) -> Result<IsObject, E> {
                    Ok(IsObject(false))
                }
                fn visit_unit<E>(self) -> Result<IsObject, E> {
                    Ok(IsObject(false))
                }
            }
            d.deserialize_any(V)
        }
    }
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        policy: Option<IsObject>,
    }
    serde_json::from_slice::<Probe>(bytes)
        .ok()
        .and_then(|p| p.policy)
        .is_some_and(|p| p.0)
}

impl FilterConfig {
    pub fn load(bytes: &[u8]) -> Result<FilterConfig, PolicyError> {
        if !is_envelope(bytes) {
            return Ok(FilterConfig {
                engine: Engine::from_policy_json(bytes)?,
                shadow: None,
            });
        }
        FilterConfig::load_envelope(std::borrow::Cow::Borrowed(bytes))
    }

    /// [`FilterConfig::load`] that drops the configuration's bytes once they are parsed, before
    /// the automata are built (the Wasm filter: a VM keeps its highest memory).
    pub fn load_owned(bytes: Vec<u8>) -> Result<FilterConfig, PolicyError> {
        if !is_envelope(&bytes) {
            return Ok(FilterConfig {
                engine: Engine::from_policy_json_owned(bytes)?,
                shadow: None,
            });
        }
        FilterConfig::load_envelope(std::borrow::Cow::Owned(bytes))
    }

    /// The envelope form; owned bytes are dropped once read into the envelope.
    fn load_envelope(bytes: std::borrow::Cow<'_, [u8]>) -> Result<FilterConfig, PolicyError> {
        let env: Envelope = serde_json::from_slice(&bytes).map_err(|e| PolicyError::Parse {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        drop(bytes);
        let Envelope {
            policy,
            expected_digest,
            shadow,
        } = env;
        let engine = compile(policy, "policy")?;
        if let Some(want) = &expected_digest {
            if !want.eq_ignore_ascii_case(&engine.policy_ref.digest) {
                return Err(PolicyError::Config(format!(
                    "policy digest {} does not match the expected digest {want}: refusing it",
                    engine.policy_ref.digest
                )));
            }
        }
        let shadow = match shadow {
            Some(s) => Some(compile(s, "shadow policy")?),
            None => None,
        };
        Ok(FilterConfig { engine, shadow })
    }

    /// [`inspect`] with this configuration's engines.
    pub fn inspect(
        &self,
        scratch: &mut Scratch,
        shadow_scratch: Option<&mut Scratch>,
        provider: Format,
        body: &[u8],
        identity: &Identity,
        audit: &mut AuditRecord,
    ) -> (Verdict, bool) {
        let shadow = self.shadow.as_ref().zip(shadow_scratch);
        inspect(
            &self.engine,
            shadow,
            scratch,
            provider,
            body,
            &[],
            identity,
            audit,
        )
    }
}

/// Decide with the enforcing policy; if a shadow policy is given, also record what it would have
/// decided (it changes nothing). Returns the verdict and whether the two disagree.
#[allow(clippy::too_many_arguments)]
pub fn inspect(
    engine: &Engine,
    shadow: Option<(&Engine, &mut Scratch)>,
    scratch: &mut Scratch,
    provider: Format,
    body: &[u8],
    head: &[crate::head::HeadPiece],
    identity: &Identity,
    audit: &mut AuditRecord,
) -> (Verdict, bool) {
    let verdict = engine.inspect_request_with_head(scratch, provider, body, head, identity, audit);
    let Some((shadow, ss)) = shadow else {
        return (verdict, false);
    };
    let request_head = crate::engine::RequestHead {
        method: audit.method.clone(),
        path: audit.path.clone(),
        request_id: audit.request_id.clone(),
        ..Default::default()
    };
    let mut tmp = shadow.audit_start(&request_head, String::new());
    let sv = shadow.inspect_request_with_head(ss, provider, body, head, identity, &mut tmp);
    let destination = match &sv {
        Verdict::Forward { destination, .. } => Some(destination.clone()),
        Verdict::Refuse(_) => None,
    };
    let disagree = tmp.decision != audit.decision || destination != audit.destination;
    audit.shadow = Some(ShadowRecord {
        policy: tmp.policy,
        decision: tmp.decision,
        reason: tmp.reason,
        destination,
        rules: tmp.rules,
        disagrees: disagree,
    });
    (verdict, disagree)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Format as Provider;
    use serde_json::json;

    fn pol(version: &str, term: &str) -> Value {
        json!({"id": "p", "version": version,
               "endpoints": [{"path": "/v1/chat/completions", "format": "openai"}],
               "destinations": {"c": {"cluster": "c", "residency": "US", "formats": ["openai"]}},
               "models": {"m": {"destinations": ["c"]}},
               "labels": {"ITAR": {"action": "block"}},
               "signals": [{"id": "s", "terms": [term]}],
               "rules": [{"id": "r", "label": "ITAR", "signal": "s"}]})
    }

    #[test]
    fn an_owned_configuration_loads_as_a_borrowed_one() {
        let p = pol("1", "alpha");
        let bare = serde_json::to_vec(&p).unwrap();
        let env = serde_json::to_vec(&json!({"policy": p, "shadow": pol("2", "beta")})).unwrap();
        for bytes in [bare, env] {
            let a = FilterConfig::load(&bytes).unwrap();
            let b = FilterConfig::load_owned(bytes).unwrap();
            assert_eq!(a.engine.policy_ref.digest, b.engine.policy_ref.digest);
            assert_eq!(
                a.shadow.map(|s| s.policy_ref.digest),
                b.shadow.map(|s| s.policy_ref.digest)
            );
        }
        assert!(is_envelope(
            br#"{"policy": {"id": "x"}, "shadow": [1, "a", null]}"#
        ));
        assert!(!is_envelope(br#"{"policy": "x"}"#));
        assert!(!is_envelope(br#"{"id": "p", "signals": [{"policy": {}}]}"#));
        assert!(!is_envelope(b"[1, 2]"));
        assert!(!is_envelope(b"{not json"));
        assert!(FilterConfig::load_owned(b"{not json".to_vec()).is_err());
    }

    #[test]
    fn digest_pin() {
        let p = pol("1", "alpha");
        let e = FilterConfig::load(&serde_json::to_vec(&p).unwrap()).unwrap();
        let d = e.engine.policy_ref.digest.clone();
        let ok = json!({"policy": p, "expected_digest": d});
        assert!(FilterConfig::load(&serde_json::to_vec(&ok).unwrap()).is_ok());
        let bad = json!({"policy": pol("1", "beta"), "expected_digest": d});
        let err = FilterConfig::load(&serde_json::to_vec(&bad).unwrap())
            .err()
            .unwrap();
        assert!(err.to_string().contains("does not match"), "{err}");
    }

    #[test]
    fn shadow_records_would_be_decision() {
        let env = json!({"policy": pol("1", "alpha"), "shadow": pol("2", "beta")});
        let c = FilterConfig::load(&serde_json::to_vec(&env).unwrap()).unwrap();
        let mut s1 = c.engine.new_scratch();
        let mut s2 = c.shadow.as_ref().unwrap().new_scratch();
        let body = serde_json::to_vec(
            &json!({"model": "m", "messages": [{"role": "user", "content": "beta"}]}),
        )
        .unwrap();
        let mut audit = AuditRecord::default();
        let (v, disagree) = c.inspect(
            &mut s1,
            Some(&mut s2),
            Provider::Openai,
            &body,
            &Identity::missing(),
            &mut audit,
        );
        assert!(matches!(v, Verdict::Forward { .. }));
        assert!(disagree);
        let sh = audit.shadow.unwrap();
        assert_eq!(
            (sh.decision.as_str(), sh.policy.version.as_str()),
            ("block", "2")
        );
    }
}
