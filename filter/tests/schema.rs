#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! policies/policy.schema.json (for editors) must describe every field the filter's own model
//! produces: serialize the parsed default policy (all fields, defaults included) and check each
//! key against the schema.

use itar_filter::policy::Policy;
use serde_json::Value;

fn check(v: &Value, schema: &Value, at: &str, errors: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties");
            for (k, x) in m {
                let sub = props.and_then(|p| p.get(k)).or(match extra {
                    Some(Value::Object(_)) => extra,
                    _ => None,
                });
                match sub {
                    Some(s) => check(x, s, &format!("{at}.{k}"), errors),
                    None if schema.get("properties").is_some()
                        || extra == Some(&Value::Bool(false)) =>
                    {
                        errors.push(format!("{at}.{k} is not in the schema"))
                    }
                    None => {}
                }
            }
        }
        Value::Array(a) => {
            if let Some(items) = schema.get("items") {
                for (i, x) in a.iter().enumerate() {
                    check(x, items, &format!("{at}[{i}]"), errors);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn schema_covers_the_policy_model() {
    let policy =
        Policy::parse(include_bytes!("../../policies/default.json")).expect("default policy");
    let v = serde_json::to_value(&policy).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("../../policies/policy.schema.json")).unwrap();
    let mut errors = Vec::new();
    check(&v, &schema, "policy", &mut errors);
    errors.sort();
    errors.dedup();
    assert!(errors.is_empty(), "schema drift:\n{}", errors.join("\n"));
}
