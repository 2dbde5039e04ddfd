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

fn compile(v: &Value, what: &str) -> Result<Engine, PolicyError> {
    let bytes = serde_json::to_vec(v).map_err(|e| PolicyError::Config(e.to_string()))?;
    Engine::from_policy_json(&bytes).map_err(|e| PolicyError::Config(format!("{what}: {e}")))
}

impl FilterConfig {
    pub fn load(bytes: &[u8]) -> Result<FilterConfig, PolicyError> {
        let is_envelope = serde_json::from_slice::<Value>(bytes)
            .ok()
            .is_some_and(|v| v.get("policy").is_some_and(Value::is_object));
        if !is_envelope {
            return Ok(FilterConfig {
                engine: Engine::from_policy_json(bytes)?,
                shadow: None,
            });
        }
        let env: Envelope = serde_json::from_slice(bytes).map_err(|e| PolicyError::Parse {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let engine = compile(&env.policy, "policy")?;
        if let Some(want) = &env.expected_digest {
            if !want.eq_ignore_ascii_case(&engine.policy_ref.digest) {
                return Err(PolicyError::Config(format!(
                    "policy digest {} does not match the expected digest {want}: refusing it",
                    engine.policy_ref.digest
                )));
            }
        }
        let shadow = match &env.shadow {
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
