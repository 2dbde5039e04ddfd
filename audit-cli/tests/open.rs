#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `itar-audit open`: sealed records come back with their texts; an envelope moved to another
//! record, or a key that is not a recipient, does not open.

use itar_audit::{open_records, Input};
use itar_filter::audit::{AuditRecord, Chain};
use itar_filter::seal::{PrivateKeyFile, Recipient, Sealer};
use serde_json::Value;
use std::sync::Arc;

fn sealed_file(key: &PrivateKeyFile) -> Vec<String> {
    let sealer = Arc::new(Sealer::new(vec![Recipient::parse(
        "office",
        &key.public_b64,
    )
    .unwrap()]));
    let mut chain = Chain::new("gw/t/1".into());
    (1..=3)
        .map(|i| {
            let mut a = AuditRecord {
                schema: itar_filter::audit::SCHEMA,
                request_id: format!("req-{i}"),
                decision: "allow".into(),
                request_text: Some(format!("prompt number {i}")),
                response_text: Some(format!("answer number {i}")),
                sealer: Some(sealer.clone()),
                ..AuditRecord::default()
            };
            a.seal_seed = Some(sealer.draw().unwrap());
            String::from_utf8(chain.seal(&mut a).unwrap()).unwrap()
        })
        .collect()
}

fn input(lines: &[String]) -> Vec<Input> {
    vec![Input {
        name: "audit.jsonl".into(),
        bytes: format!("{}\n", lines.join("\n")).into_bytes(),
    }]
}

#[test]
fn opens_every_sealed_record() {
    let key = PrivateKeyFile::generate().unwrap();
    let lines = sealed_file(&key);
    assert!(lines.iter().all(|l| !l.contains("number")));
    let out = open_records(&input(&lines), &key);
    assert_eq!(out.len(), 3);
    for (i, o) in out.iter().enumerate() {
        assert!(!o.failed, "{}", o.line);
        let v: Value = serde_json::from_str(&o.line).unwrap();
        assert_eq!(v["request_text"], format!("prompt number {}", i + 1));
        assert_eq!(v["response_text"], format!("answer number {}", i + 1));
        assert!(v.get("sealed").is_none());
    }
}

#[test]
fn a_moved_envelope_or_another_key_does_not_open() {
    let key = PrivateKeyFile::generate().unwrap();
    let mut lines = sealed_file(&key);
    let first: Value = serde_json::from_str(&lines[0]).unwrap();
    let mut third: Value = serde_json::from_str(&lines[2]).unwrap();
    third["sealed"] = first["sealed"].clone();
    lines[2] = serde_json::to_string(&third).unwrap();
    let out = open_records(&input(&lines), &key);
    assert!(!out[0].failed && !out[1].failed);
    assert!(out[2].failed);
    let v: Value = serde_json::from_str(&out[2].line).unwrap();
    assert!(v["open_error"].is_string() && v.get("request_text").is_none());
    let other = PrivateKeyFile::generate().unwrap();
    assert!(open_records(&input(&sealed_file(&key)), &other)
        .iter()
        .all(|o| o.failed));
}
