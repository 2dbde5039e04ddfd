//! Detection numbers on the shared corpus, split into a dev part and a SEALED part that rules are
//! not written against. Sealed: rows of the shared corpus that are not copied into
//! filter/testdata/corpus/shared and whose sha256(id) has an even first byte. Only totals are
//! printed for the sealed part; `--misses` lists dev rows only.
//!
//!   cargo run --release -p itar-filter --example measure -- [--corpus DIR] [--policy FILE]
//!       [--cues FILE]... [--misses]
//!
//! With `--cues`, every block prompt that is caught as it is is sent again with each cue phrasing
//! of the file (a line; `^` = prefix, else appended), and every allow prompt too: the rate of
//! variants still caught (block) and still passing (allow).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use base64::Engine as _;
use itar_filter::engine::{Engine, ScanReport, Scratch};
use itar_filter::policy::Provider;
use serde_json::Value;
use sha2::{Digest, Sha256};

#[derive(Default)]
struct Tally {
    block: (usize, usize),
    evasion: (usize, usize),
    allow_pass: (usize, usize),
    redact_ok: (usize, usize),
}

fn rate((n, d): (usize, usize)) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{n}/{d} = {:.1}%", 100.0 * n as f64 / d as f64)
    }
}

fn body_raw(raw: &[u8]) -> Vec<u8> {
    let mut b = br#"{"model":"","messages":[{"role":"user","content":""#.to_vec();
    b.extend_from_slice(raw);
    b.extend_from_slice(br#""}]}"#);
    b
}

/// None: refused (fail closed).
fn run(engine: &Engine, sc: &mut Scratch, row: &Value) -> Option<ScanReport> {
    let text = row
        .get("text")
        .or_else(|| row.get("full_text"))
        .and_then(Value::as_str);
    let body = if row.get("json_escaped").and_then(Value::as_bool) == Some(true) {
        body_raw(text.unwrap().as_bytes())
    } else if let Some(m) = row.get("messages") {
        serde_json::to_vec(&serde_json::json!({"model": "", "messages": m})).unwrap()
    } else if let Some(b) = row.get("bytes_b64").and_then(Value::as_str) {
        let raw = base64::engine::general_purpose::STANDARD.decode(b).unwrap();
        match std::str::from_utf8(&raw) {
            Ok(s) => serde_json::to_vec(
                &serde_json::json!({"model": "", "messages": [{"role": "user", "content": s}]}),
            )
            .unwrap(),
            Err(_) => body_raw(&raw),
        }
    } else {
        serde_json::to_vec(
            &serde_json::json!({"model": "", "messages": [{"role": "user", "content": text.unwrap()}]}),
        )
        .unwrap()
    };
    engine.scan_body(sc, Provider::Openai, &body).ok()
}

fn controlled(r: &Option<ScanReport>) -> bool {
    r.as_ref().is_none_or(|r| r.controlled)
}

fn clean(r: &Option<ScanReport>) -> bool {
    r.as_ref().is_some_and(|r| {
        r.redacted_body.is_none()
            && !r
                .labels
                .iter()
                .any(|l| l.action == "control" || l.action == "block")
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut corpus = root.join("../../shared/corpus");
    let mut policy = root.join("../policies/default.json");
    let mut cue_files = Vec::new();
    let mut misses = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--corpus" => corpus = it.next().unwrap().into(),
            "--policy" => policy = it.next().unwrap().into(),
            "--cues" => cue_files.push(PathBuf::from(it.next().unwrap())),
            "--misses" => misses = true,
            _ => panic!("unknown argument {a}"),
        }
    }
    let engine = Engine::from_policy_json(&std::fs::read(&policy).unwrap()).unwrap();
    let mut sc = engine.new_scratch();
    let mut known = BTreeSet::new();
    for f in ["prompts", "evasions", "streaming"] {
        let p = root.join(format!("testdata/corpus/shared/{f}.jsonl"));
        for l in std::fs::read_to_string(p).unwrap_or_default().lines() {
            let v: Value = serde_json::from_str(l).unwrap();
            known.insert(v["id"].as_str().unwrap().to_string());
        }
    }
    let sealed = |id: &str| !known.contains(id) && Sha256::digest(id.as_bytes())[0] % 2 == 0;
    let mut t = [Tally::default(), Tally::default()];
    let mut rows: Vec<(bool, Value)> = Vec::new();
    for f in ["prompts", "evasions", "streaming"] {
        let text = std::fs::read_to_string(corpus.join(format!("{f}.jsonl"))).unwrap();
        for l in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: Value = serde_json::from_str(l).unwrap();
            let s = sealed(v["id"].as_str().unwrap());
            rows.push((s, v));
        }
    }
    for (s, v) in &rows {
        let r = run(&engine, &mut sc, v);
        let tl = &mut t[usize::from(*s)];
        let (slot, ok) = match v["expect"].as_str().unwrap() {
            "block" if v.get("technique").is_some() => (&mut tl.evasion, controlled(&r)),
            "block" => (&mut tl.block, controlled(&r)),
            "allow" => (&mut tl.allow_pass, clean(&r)),
            _ => (&mut tl.redact_ok, !controlled(&r)),
        };
        slot.1 += 1;
        slot.0 += usize::from(ok);
        if misses && !*s && !ok {
            let id = v["id"].as_str().unwrap();
            let txt: String = v
                .get("text")
                .or_else(|| v.get("full_text"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .chars()
                .take(100)
                .collect();
            println!(
                "MISS dev {id} ({}): {}",
                v["expect"],
                txt.replace('\n', " ")
            );
        }
    }
    println!("| part | block caught | evasions caught | allow passing | redact not controlled |");
    println!("|---|---|---|---|---|");
    for (name, tl) in [("dev", &t[0]), ("sealed", &t[1])] {
        println!(
            "| {name} | {} | {} | {} | {} |",
            rate(tl.block),
            rate(tl.evasion),
            rate(tl.allow_pass),
            rate(tl.redact_ok)
        );
    }
    for f in &cue_files {
        let cues: Vec<String> = std::fs::read_to_string(f)
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        // [dev, sealed] x (block still caught, allow still passing)
        let mut c = [[(0usize, 0usize); 2]; 2];
        for (s, v) in &rows {
            let (Some(text), None) = (v.get("text").and_then(Value::as_str), v.get("technique"))
            else {
                continue;
            };
            if v.get("json_escaped").is_some() {
                continue;
            }
            let exp = v["expect"].as_str().unwrap();
            let k = match exp {
                "block" => 0,
                "allow" => 1,
                _ => continue,
            };
            let bare = run(&engine, &mut sc, v);
            if (k == 0 && !controlled(&bare)) || (k == 1 && !clean(&bare)) {
                continue;
            }
            for cue in &cues {
                let t2 = match cue.strip_prefix('^') {
                    Some(p) => format!("{p} {text}"),
                    None => format!("{text} {cue}"),
                };
                let r = run(&engine, &mut sc, &serde_json::json!({ "text": t2 }));
                let ok = if k == 0 { controlled(&r) } else { clean(&r) };
                let slot = &mut c[usize::from(*s)][k];
                slot.1 += 1;
                slot.0 += usize::from(ok);
                if misses && !*s && !ok && k == 0 {
                    println!("CUE MISS dev {} with {cue:?}", v["id"].as_str().unwrap());
                }
            }
        }
        println!(
            "\ncues {} ({} phrasings), on rows right without a cue:",
            f.display(),
            cues.len()
        );
        println!("| part | block still caught | allow still passing |");
        println!("|---|---|---|");
        for (name, i) in [("dev", 0), ("sealed", 1)] {
            println!("| {name} | {} | {} |", rate(c[i][0]), rate(c[i][1]));
        }
    }
}
