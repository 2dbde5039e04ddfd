//! Build chains with the filter's own `Chain`, tamper with the lines the way an attacker with
//! write access to the log would, and check that `itar-audit verify` names the kind and the line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use itar_filter::audit::{chain_id, AuditRecord, Chain, LabelRecord, SCHEMA};
use serde_json::Value;

fn record(i: usize) -> AuditRecord {
    let (decision, dest, label) = match i % 4 {
        0 => ("allow", Some("commercial"), None),
        1 => ("block", None, Some("CLASSIFIED")),
        2 => ("reroute", Some("usgov"), Some("ITAR")),
        _ => ("refuse", None, None),
    };
    AuditRecord {
        schema: SCHEMA,
        time: format!("2026-11-22T17:45:{:02}.000000Z", i % 60),
        request_id: format!("req-{i}"),
        decision: decision.into(),
        reason: "test".into(),
        destination: dest.map(String::from),
        message: "caf\u{e9}".into(),
        labels: label
            .map(|l| LabelRecord {
                label: l.into(),
                level: None,
                tag: None,
                rules: vec!["r".into()],
                features: vec![],
                confidence: 1.0,
                action: "control".into(),
                spans: vec![],
            })
            .into_iter()
            .collect(),
        ..AuditRecord::default()
    }
}

/// `n` sealed lines of one chain.
fn chain_lines(id: &str, n: usize) -> Vec<String> {
    let mut c = Chain::new(id.to_string());
    (0..n)
        .map(|i| String::from_utf8(c.seal(&mut record(i)).unwrap()).unwrap())
        .collect()
}

fn write(name: &str, lines: &[String]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("itar-audit-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&p, text).unwrap();
    p
}

struct Out {
    code: i32,
    findings: Vec<Value>,
    text: String,
}

fn run(args: &[&str]) -> Out {
    let o = Command::new(env!("CARGO_BIN_EXE_itar-audit"))
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    let findings = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or(Value::Null))
        .filter(|v| v.get("kind").is_some())
        .collect();
    Out {
        code: o.status.code().unwrap_or(-1),
        findings,
        text,
    }
}

fn verify(name: &str, lines: &[String], extra: &[&str]) -> Out {
    let p = write(name, lines);
    let mut args = vec!["verify", "--json"];
    args.extend_from_slice(extra);
    let ps = p.to_str().unwrap().to_string();
    args.push(&ps);
    run(&args)
}

/// The single finding, checked for kind and line.
fn only(out: &Out, kind: &str, line: u64) -> Value {
    assert_eq!(out.code, 1, "{}", out.text);
    assert_eq!(out.findings.len(), 1, "{}", out.text);
    let f = out.findings[0].clone();
    assert_eq!(f["kind"], kind, "{}", out.text);
    assert_eq!(f["line"], line, "{}", out.text);
    f
}

#[test]
fn clean_chains_pass_interleaved() {
    let a = chain_lines("gw-1/t/aaaa", 10);
    let b = chain_lines("gw-1/t/bbbb", 7);
    let mut lines = Vec::new();
    for (i, line) in a.iter().enumerate() {
        lines.push(line.clone());
        if let Some(l) = b.get(i) {
            lines.push(l.clone());
        }
    }
    let out = verify("clean.jsonl", &lines, &[]);
    assert_eq!(out.code, 0, "{}", out.text);
    assert!(out.findings.is_empty());
    assert!(out.text.contains("\"result\":\"ok\""), "{}", out.text);
    // Text mode too.
    let p = write("clean2.jsonl", &lines);
    let o = run(&["verify", p.to_str().unwrap()]);
    assert_eq!(o.code, 0);
    assert!(
        o.text
            .contains("OK: 0 findings; 17 lines, 17 sealed records, 2 chains"),
        "{}",
        o.text
    );
}

#[test]
fn deleted_record_is_a_gap() {
    let mut l = chain_lines("c", 10);
    l.remove(4); // seq 5 (line 5)
    let f = only(&verify("deleted.jsonl", &l, &[]), "deleted", 5);
    assert_eq!(f["seq"], 6);
    assert_eq!(f["chain"], "c");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("record seq 5 missing (after seq 4 at"));

    let mut l = chain_lines("c", 10);
    l.drain(2..5); // seqs 3..5
    let f = only(&verify("deleted3.jsonl", &l, &[]), "deleted", 3);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("records 3..5 missing"));
}

#[test]
fn deleted_start_and_truncated_start() {
    let mut l = chain_lines("c", 10);
    l.drain(0..3);
    let f = only(&verify("start.jsonl", &l, &[]), "deleted", 1);
    assert_eq!(f["seq"], 4);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("records 1..3 missing"));
    // A rotated log starts mid-chain: allowed with the flag, gaps still found after it.
    let out = verify("rotated.jsonl", &l, &["--allow-truncated-start"]);
    assert_eq!(out.code, 0, "{}", out.text);
    l.remove(3); // seq 7, line 4
    let f = only(
        &verify("rotated-gap.jsonl", &l, &["--allow-truncated-start"]),
        "deleted",
        4,
    );
    assert_eq!(f["seq"], 8);
}

#[test]
fn inserted_record_is_named() {
    // A forged record copying the chain fields of seq 6 (so it links to seq 5), placed before it.
    let l = chain_lines("c", 10);
    let mut forged: Value = serde_json::from_str(&l[5]).unwrap();
    forged["decision"] = "allow".into();
    forged["request_id"] = "forged".into();
    let mut t = l.clone();
    t.insert(5, serde_json::to_string(&forged).unwrap()); // line 6
    let f = only(&verify("inserted.jsonl", &t, &[]), "inserted", 6);
    assert_eq!(f["seq"], 6);
    // Placed after the genuine one: still the forged line.
    let mut t = l.clone();
    t.insert(6, serde_json::to_string(&forged).unwrap()); // line 7
    only(&verify("inserted2.jsonl", &t, &[]), "inserted", 7);
    // A record without a chain at all.
    let mut t = l;
    t.insert(2, r#"{"schema":"itar-audit/2","decision":"allow"}"#.into());
    only(&verify("inserted3.jsonl", &t, &[]), "unchained", 3);
}

#[test]
fn reordered_records() {
    // One record moved to the end.
    let l = chain_lines("c", 10);
    let mut t = l.clone();
    let moved = t.remove(2); // seq 3
    t.push(moved); // now line 10
    let f = only(&verify("moved.jsonl", &t, &[]), "reordered", 10);
    assert_eq!(f["seq"], 3);
    // Two neighbours swapped: one of the two lines is named.
    let mut t = l;
    t.swap(4, 5);
    let out = verify("swapped.jsonl", &t, &[]);
    assert_eq!(out.code, 1);
    assert_eq!(out.findings.len(), 1, "{}", out.text);
    assert_eq!(out.findings[0]["kind"], "reordered");
    let line = out.findings[0]["line"].as_u64().unwrap();
    assert!(line == 5 || line == 6, "{}", out.text);
}

#[test]
fn edited_record_found_by_next_prev() {
    let mut l = chain_lines("c", 10);
    l[3] = l[3].replace("\"decision\":\"refuse\"", "\"decision\":\"allow\"");
    let f = only(&verify("edited.jsonl", &l, &[]), "edited", 4);
    assert_eq!(f["seq"], 4);
    // One byte of whitespace is an edit too (the hash is over the exact bytes).
    let mut l = chain_lines("c", 10);
    l[6].push(' ');
    only(&verify("edited-ws.jsonl", &l, &[]), "edited", 7);
    // Editing the chain start.
    let mut l = chain_lines("c", 3);
    l[0] = l[0].replace(",\"start\":true", "");
    let out = verify("edited-start.jsonl", &l, &[]);
    assert!(out
        .findings
        .iter()
        .any(|f| f["kind"] == "edited" && f["line"] == 1));
}

#[test]
fn duplicated_record() {
    let mut l = chain_lines("c", 10);
    let d = l[4].clone();
    l.insert(5, d); // adjacent copy at line 6
    let f = only(&verify("dup.jsonl", &l, &[]), "duplicated", 6);
    assert!(f["message"].as_str().unwrap().ends_with(":5"), "{f}");
    let mut l = chain_lines("c", 10);
    let d = l[1].clone();
    l.push(d); // far copy at line 11
    only(&verify("dup2.jsonl", &l, &[]), "duplicated", 11);
}

#[test]
fn missing_records_and_garbage_are_errors() {
    let mut l = chain_lines("c", 4);
    l.insert(2, "-".into());
    l.insert(
        4,
        r#"{"details":"","method":"POST","node":"gw-1","path":"/v1/chat/completions","request_id":"abc","response_code":503,"response_flags":"-","schema":"itar-audit-missing/1","time":"2026-11-22T18:43:40.975950Z","upstream_cluster":null}"#.into(),
    );
    l.push("{not json".into());
    let out = verify("missing.jsonl", &l, &[]);
    assert_eq!(out.code, 1);
    let kinds: Vec<(String, u64)> = out
        .findings
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("no_record".to_string(), 3),
            ("no_record".to_string(), 5),
            ("not_json".to_string(), 7)
        ]
    );
    let m = out.findings[1]["message"].as_str().unwrap();
    assert!(m.contains("request_id abc response_code 503"), "{m}");
}

#[test]
fn tail_truncation_and_rewrite_need_anchors() {
    let l = chain_lines("c", 10);
    let anchors = run(&["heads", write("full.jsonl", &l).to_str().unwrap()]);
    assert_eq!(anchors.code, 0);
    let heads: Vec<Value> = anchors
        .text
        .lines()
        .map(|x| serde_json::from_str(x).unwrap())
        .collect();
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0]["seq"], 10);
    let ap = write("anchors.jsonl", &[anchors.text.trim().to_string()]);
    let ap = ap.to_str().unwrap();
    // Intact: clean against the anchor.
    assert_eq!(verify("anch-ok.jsonl", &l, &["--anchors", ap]).code, 0);
    // Last two records deleted: invisible to the chain alone, found with the anchor.
    let t = l[..8].to_vec();
    assert_eq!(verify("tail.jsonl", &t, &[]).code, 0);
    let f = only(&verify("tail2.jsonl", &t, &["--anchors", ap]), "deleted", 8);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("records 9..10 missing"));
    // The whole chain rebuilt with edited content: consistent, but not the anchored one.
    let mut c = Chain::new("c".into());
    let rebuilt: Vec<String> = (0..10)
        .map(|i| {
            let mut r = record(i);
            if i == 3 {
                r.decision = "allow".into();
            }
            String::from_utf8(c.seal(&mut r).unwrap()).unwrap()
        })
        .collect();
    assert_eq!(verify("rebuilt.jsonl", &rebuilt, &[]).code, 0);
    only(
        &verify("rebuilt2.jsonl", &rebuilt, &["--anchors", ap]),
        "edited",
        10,
    );
}

#[test]
fn rotated_files_in_order_and_summary() {
    let id = chain_id("gw-1", 1_795_369_523_123_456_000, b"vm-1");
    let l = chain_lines(&id, 12);
    let a = write("rot.1.jsonl", &l[..5]);
    let b = write("rot.0.jsonl", &l[5..]);
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let out = run(&["verify", "--json", a, b]);
    assert_eq!(out.code, 0, "{}", out.text);
    // Given in the wrong order: the first record of the older file is out of order.
    let out = run(&["verify", b, a]);
    assert_eq!(out.code, 1);
    assert!(out.text.contains("reordered"), "{}", out.text);
    assert!(out.text.contains(&format!("{a}:")), "{}", out.text);

    let s = run(&["summary", "--json", a, b]);
    assert_eq!(s.code, 0);
    let v: Value = serde_json::from_str(s.text.trim()).unwrap();
    assert_eq!(v["records"], 12);
    assert_eq!(v["decisions"]["allow"], 3);
    assert_eq!(v["decisions"]["block"], 3);
    assert_eq!(v["labels"]["ITAR"], 3);
    assert_eq!(v["destinations"]["usgov"], 3);
    assert_eq!(v["destinations"]["-"], 6);
    assert_eq!(v["chains"][0]["chain"], id.as_str());
    assert_eq!(v["chains"][0]["first_seq"], 1);
    assert_eq!(v["chains"][0]["last_seq"], 12);
    let h = run(&["heads", a, b]);
    let head: Value = serde_json::from_str(h.text.trim()).unwrap();
    assert_eq!(head["hash"], v["chains"][0]["head"]);
    let text = run(&["summary", a, b]);
    assert!(text.text.contains("decision:"), "{}", text.text);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&[]).code, 2);
    assert_eq!(run(&["verify"]).code, 2);
    assert_eq!(run(&["verify", "/nonexistent/x.jsonl"]).code, 2);
    assert_eq!(run(&["frobnicate", "x"]).code, 2);
}

/// A record Envoy writes itself when the filter left none (envoy/gateway.yaml, render-envoy).
fn proxy_line(i: usize, decision: &str) -> String {
    let id = if i.is_multiple_of(2) {
        format!("envoy-1796609971{i:06}-{i}")
    } else {
        format!("6b1f8386-47c3-409d-8938-{i:012}")
    };
    serde_json::json!({
        "client_address": "127.0.0.1", "decision": decision, "node": "gw-1",
        "protocol": "HTTP/1.1", "reason": "http1.codec_error", "request_id": id,
        "response_bytes": 189, "response_flags": "DPE", "response_status": 400,
        "schema": "itar-audit/2", "time": "2026-12-07T02:19:31.399977Z",
    })
    .to_string()
}

#[test]
fn proxy_records_are_counted_never_tampering() {
    let sealed = chain_lines("gw-1/t/aaaa", 40);
    let mut lines = Vec::new();
    for (i, s) in sealed.iter().enumerate() {
        for k in 0..10 {
            let d = if k == 9 {
                "not_inspected"
            } else {
                "rejected_by_proxy"
            };
            lines.push(proxy_line(i * 10 + k, d));
        }
        lines.push(s.clone());
    }
    let out = verify("flood.jsonl", &lines, &[]);
    assert_eq!(out.code, 0, "{}", out.text);
    assert!(out.findings.is_empty(), "{}", out.text);
    assert!(
        out.text.contains(
            r#""proxy_records":{"not_inspected":40,"rejected_by_proxy":360},"findings":0"#
        ),
        "{}",
        out.text
    );
    let p = write("flood-text.jsonl", &lines);
    let o = run(&["verify", p.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.text);
    assert!(
        o.text.contains(
            "OK: 0 findings; 440 lines, 40 sealed records, 1 chains, 400 proxy records (not_inspected 40, rejected_by_proxy 360)"
        ),
        "{}",
        o.text
    );
    let s = run(&["summary", "--json", p.to_str().unwrap()]);
    let v: Value = serde_json::from_str(s.text.trim()).unwrap();
    assert_eq!(v["proxy_records"]["rejected_by_proxy"], 360);
    assert_eq!(v["records"], 40);
    assert!(v["other_lines"].as_object().unwrap().is_empty(), "{v}");

    // A sealed record edited in the same flood is still found, on its line.
    let mut t = lines.clone();
    let k = 11 * 7 + 10; // sealed seq 8
    t[k] = t[k].replace("\"decision\":\"", "\"decision\":\"x");
    only(
        &verify("flood-edited.jsonl", &t, &[]),
        "edited",
        k as u64 + 1,
    );
    // A sealed record replaced by a forged proxy record: the gap shows.
    let mut t = lines.clone();
    t[k] = proxy_line(9999, "rejected_by_proxy");
    only(
        &verify("flood-replaced.jsonl", &t, &[]),
        "deleted",
        k as u64 + 12,
    );
}

#[test]
fn proxy_records_without_id_or_sent_upstream_are_findings() {
    let mut l = chain_lines("c", 3);
    let mut no_id: Value = serde_json::from_str(&proxy_line(1, "rejected_by_proxy")).unwrap();
    no_id.as_object_mut().unwrap().remove("request_id");
    l.insert(1, no_id.to_string());
    let mut fwd: Value = serde_json::from_str(&proxy_line(2, "not_inspected")).unwrap();
    fwd["upstream_host"] = "127.0.0.1:18003".into();
    l.insert(3, fwd.to_string());
    // Same schema with a chain-less filter decision: not a proxy record.
    let mut forged: Value = serde_json::from_str(&proxy_line(3, "allow")).unwrap();
    forged["decision"] = "allow".into();
    l.push(forged.to_string());
    let out = verify("proxy-bad.jsonl", &l, &[]);
    assert_eq!(out.code, 1, "{}", out.text);
    let kinds: Vec<(&str, u64)> = out
        .findings
        .iter()
        .map(|f| (f["kind"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("no_record", 2),
            ("forwarded_uninspected", 4),
            ("unchained", 6)
        ],
        "{}",
        out.text
    );
    assert!(out.findings[1]["message"]
        .as_str()
        .unwrap()
        .contains("127.0.0.1:18003"));
}

/// Missing records alone make a log incomplete (lost or deleted: the log cannot tell), not
/// tampered; anything else is tampering. Both exit 1.
#[test]
fn missing_records_only_is_incomplete_not_tampered() {
    let mut l = chain_lines("c", 10);
    l.remove(4);
    let out = verify("incomplete.jsonl", &l, &[]);
    assert_eq!(out.code, 1, "{}", out.text);
    assert!(
        out.text.contains("\"result\":\"incomplete\""),
        "{}",
        out.text
    );
    let p = write("incomplete2.jsonl", &l);
    let o = run(&["verify", p.to_str().unwrap()]);
    assert!(
        o.text.contains("itar-audit verify: INCOMPLETE"),
        "{}",
        o.text
    );
    // A duplicated record besides the gap is tampering.
    let mut l = chain_lines("c", 10);
    l.remove(4);
    let dup = l[6].clone();
    l.insert(7, dup);
    let out = verify("tampered.jsonl", &l, &[]);
    assert_eq!(out.code, 1, "{}", out.text);
    assert!(out.text.contains("\"result\":\"tampered\""), "{}", out.text);
}

/// --help and --version answer on stdout with 0; a reader that goes away (| head) ends the
/// output quietly with 141, not a panic.
#[test]
fn help_version_and_a_closed_pipe() {
    for args in [&["--help"][..], &["verify", "--help"], &["--version"]] {
        let o = run(args);
        assert_eq!(o.code, 0, "{args:?}: {}", o.text);
        assert!(o.text.contains("itar-audit"), "{args:?}: {}", o.text);
    }
    let lines = chain_lines("c", 2000);
    let p = write("long.jsonl", &lines);
    let mut child = Command::new(env!("CARGO_BIN_EXE_itar-audit"))
        .args(["heads", p.to_str().unwrap(), p.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader is gone before the first line
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        matches!(o.status.code(), Some(141) | Some(0)),
        "{:?} {err}",
        o.status
    );
}
