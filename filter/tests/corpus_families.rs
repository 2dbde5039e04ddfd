//! Corpus families (issue #22): every row of filter/testdata/corpus/families/*.jsonl (families A-E)
//! and of the sealed families filter/testdata/corpus/sealed/*.jsonl (S, T, U) goes through the
//! engine with the default policy, in both wire formats (OpenAI chat completions with a string
//! content, Anthropic messages with a text content block), and the quality lines are printed per
//! family, for each sealed family apart (totals only), and per language (families A-E):
//!
//!   cargo test -p itar-filter --test corpus_families -- --nocapture
//!
//! `CORPUS_MISSES=1` also prints the misses of families A-E (never of a sealed family: their rows
//! must not be read while tuning rules). `CORPUS_POLICY=FILE` measures another policy and
//! `CORPUS_ONLY=A,C` some families only (then only the lines are printed, no floor is checked):
//! scripts/measure-classifier uses both for its leave-one-family-out measure.
//!
//! Lines (definitions as in corpus.rs):
//! - controlled: `block` rows without a `technique`, caught when `report.controlled` (block or
//!   reroute) or the body is refused;
//! - benign: `allow` rows, passed unchanged when no control/block label fired and nothing was
//!   redacted;
//! - evasions: `block` rows with a `technique` and no residual marker (pure), caught as above;
//! - redactions: `redact` rows, exact when not controlled and the text equals the original with each
//!   span replaced by a `[REDACTED:...]` placeholder and nothing else changed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::redaction_exact;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use itar_filter::engine::{Engine, ScanReport, Scratch};
use itar_filter::policy::Provider;
use serde_json::Value;

/// The targets: controlled blocked or rerouted, benign passed unchanged, pure evasions
/// caught, redactions exact.
const TARGET: [f64; 4] = [0.99, 0.99, 0.97, 1.0];

/// Ratchet floors, per family, in the order of `TARGET`: the level measured when the families were
/// written (docs/detection.md, "Corpus families") minus a margin of one point, or of one row and a
/// little more where a line has fewer than 100 rows. These floors only go up: when the rules improve, raise them to the new
/// measured level minus the margin; never lower one to make a change pass.
const FLOORS: [(&str, [f64; 4]); 8] = [
    ("A", [0.94, 0.99, 0.98, 1.00]),
    ("B", [0.99, 0.99, 0.98, 0.98]),
    ("C", [0.92, 0.99, 0.97, 0.98]),
    ("D", [0.96, 0.98, 0.93, 0.94]),
    ("E", [0.81, 0.96, 0.77, 0.98]),
    ("S", [0.55, 0.97, 0.68, 0.96]),
    ("T", [0.73, 0.92, 0.73, 0.85]),
    ("U", [0.73, 0.96, 0.71, 0.92]),
];

/// Sealed families: only their totals are printed, never their rows or misses, and they stay out of
/// the per-language table.
const SEALED: [&str; 3] = ["S", "T", "U"];

fn is_sealed(family: &str) -> bool {
    SEALED.contains(&family)
}

const LINES: [&str; 4] = [
    "controlled blocked or rerouted",
    "benign passed unchanged",
    "pure evasions caught",
    "redactions exact",
];

#[derive(Default, Clone, Copy)]
struct Tally {
    /// (good, total) per line, in the order of `LINES`.
    line: [(usize, usize); 4],
}

impl Tally {
    fn ratio(&self, i: usize) -> f64 {
        let (n, d) = self.line[i];
        if d == 0 {
            1.0
        } else {
            n as f64 / d as f64
        }
    }
}

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus")
}

fn rows_in(dir: &Path) -> Vec<Value> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("jsonl"))
        .collect();
    files.sort();
    let mut rows = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (ln, l) in text.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            rows.push(
                serde_json::from_str::<Value>(l)
                    .unwrap_or_else(|e| panic!("{}:{}: {e}", f.display(), ln + 1)),
            );
        }
    }
    rows
}

fn all_rows() -> Vec<Value> {
    let root = corpus_root();
    let mut rows = rows_in(&root.join("families"));
    rows.extend(rows_in(&root.join("sealed")));
    rows
}

fn body_for(provider: Provider, text: &str) -> Vec<u8> {
    let v = match provider {
        Provider::Openai => {
            serde_json::json!({"model": "gpt-4o", "messages": [{"role": "user", "content": text}]})
        }
        Provider::Anthropic => serde_json::json!({
            "model": "claude-sonnet-4-5", "max_tokens": 256,
            "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}]
        }),
    };
    serde_json::to_vec(&v).unwrap()
}

fn redacted_text(provider: Provider, body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap();
    let c = &v["messages"][0]["content"];
    match provider {
        Provider::Openai => c.as_str(),
        Provider::Anthropic => c[0]["text"].as_str(),
    }
    .unwrap_or_default()
    .to_string()
}

fn labels_of(r: &ScanReport) -> String {
    let mut s = String::new();
    for l in &r.labels {
        let _ = write!(s, "{} [{}] {}; ", l.label, l.rules.join(","), l.action);
    }
    s
}

/// Which line a row counts in, and whether it was right.
fn judge(
    engine: &Engine,
    scratch: &mut Scratch,
    provider: Provider,
    row: &Value,
) -> (usize, bool, String) {
    let text = row["text"].as_str().unwrap();
    let expect = row["expect"].as_str().unwrap();
    let pure_evasion = row.get("technique").is_some()
        && row
            .get("residual_markers")
            .and_then(Value::as_array)
            .is_none_or(|a| a.is_empty());
    let res = engine.scan_body(scratch, provider, &body_for(provider, text));
    match expect {
        "block" => {
            let line = if pure_evasion { 2 } else { 0 };
            match res {
                Ok(r) => (line, r.controlled, labels_of(&r)),
                Err(e) => (line, true, e.to_string()),
            }
        }
        "allow" => match res {
            Ok(r) => {
                let bad = r.redacted_body.is_some()
                    || r.labels
                        .iter()
                        .any(|l| l.action == "control" || l.action == "block");
                (1, !bad, labels_of(&r))
            }
            Err(e) => (1, false, e.to_string()),
        },
        "redact" => match res {
            Ok(r) => {
                let spans: Vec<String> = row["spans"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect();
                let got = r
                    .redacted_body
                    .as_deref()
                    .map(|b| redacted_text(provider, b))
                    .unwrap_or_else(|| text.to_string());
                (
                    3,
                    !r.controlled && redaction_exact(text, &spans, &got),
                    labels_of(&r),
                )
            }
            Err(e) => (3, false, e.to_string()),
        },
        other => panic!("row {}: unknown expect {other:?}", row["id"]),
    }
}

fn pct(t: &Tally, i: usize) -> String {
    let (n, d) = t.line[i];
    format!("{:.1}% ({n}/{d})", t.ratio(i) * 100.0)
}

#[test]
fn corpus_families_quality() {
    let other = std::env::var("CORPUS_POLICY").ok();
    let policy = match &other {
        Some(path) => std::fs::read(path).unwrap(),
        None => include_bytes!("../../policies/default.json").to_vec(),
    };
    let engine = Engine::from_policy_json(&policy).expect("policy compiles");
    let mut scratch = engine.new_scratch();
    let only = std::env::var("CORPUS_ONLY").ok();
    let mut rows = all_rows();
    if let Some(only) = &only {
        let keep: BTreeSet<&str> = only.split(',').collect();
        rows.retain(|r| keep.contains(r["family"].as_str().unwrap()));
    }
    let providers = [
        ("openai", Provider::Openai),
        ("anthropic", Provider::Anthropic),
    ];
    // (family, provider) -> tally; (language, provider) -> tally for families A-E.
    let mut fam: BTreeMap<(String, &str), Tally> = BTreeMap::new();
    let mut lang: BTreeMap<(String, &str), Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    let show = std::env::var("CORPUS_MISSES").is_ok_and(|v| v == "1");
    for row in &rows {
        let family = row["family"].as_str().unwrap().to_string();
        let language = row["language"].as_str().unwrap().to_string();
        for (pname, p) in providers {
            let (line, ok, why) = judge(&engine, &mut scratch, p, row);
            let t = fam.entry((family.clone(), pname)).or_default();
            t.line[line].1 += 1;
            t.line[line].0 += usize::from(ok);
            if !is_sealed(&family) {
                let t = lang.entry((language.clone(), pname)).or_default();
                t.line[line].1 += 1;
                t.line[line].0 += usize::from(ok);
                if !ok && show && pname == "openai" {
                    let s: String = row["text"].as_str().unwrap().chars().take(100).collect();
                    misses.push(format!(
                        "MISS {} [{}] {}: {} | {why}",
                        row["id"].as_str().unwrap(),
                        LINES[line],
                        row["category"].as_str().unwrap_or(""),
                        s.replace('\n', " ")
                    ));
                }
            }
        }
    }

    let mut out = String::new();
    let _ = writeln!(out, "\n{} rows\n", rows.len());
    let _ = writeln!(
        out,
        "| family | wire | {} |",
        LINES
            .iter()
            .zip(TARGET)
            .map(|(l, t)| format!("{l} (target {:.0}%)", t * 100.0))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for ((f, p), t) in &fam {
        let name = if is_sealed(f) {
            format!("{f} (sealed)")
        } else {
            f.clone()
        };
        let _ = writeln!(
            out,
            "| {name} | {p} | {} | {} | {} | {} |",
            pct(t, 0),
            pct(t, 1),
            pct(t, 2),
            pct(t, 3)
        );
    }
    let _ = writeln!(out, "\nBy language (families A-E):\n");
    let _ = writeln!(out, "| language | wire | {} |", LINES.join(" | "));
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for ((l, p), t) in &lang {
        let _ = writeln!(
            out,
            "| {l} | {p} | {} | {} | {} | {} |",
            pct(t, 0),
            pct(t, 1),
            pct(t, 2),
            pct(t, 3)
        );
    }
    for m in &misses {
        let _ = writeln!(out, "{m}");
    }
    println!("{out}");

    if only.is_some() || other.is_some() {
        return;
    }
    let mut failures = Vec::new();
    for (f, floor) in FLOORS {
        for (pname, _) in providers {
            let t = fam.get(&(f.to_string(), pname)).expect("family has rows");
            for i in 0..4 {
                if t.ratio(i) + 1e-9 < floor[i] {
                    failures.push(format!(
                        "family {f} {pname}: {} {} below the floor {:.1}%",
                        LINES[i],
                        pct(t, i),
                        floor[i] * 100.0
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "ratchet floors missed: {failures:#?}");
}

/// The corpus is what the issue asks for: at least 3,000 rows, a sealed family, every row well
/// formed, all 21 USML categories, at least eight languages besides English, as many benign rows
/// as controlled ones in every family, evasion rows labelled with their technique.
#[test]
fn corpus_families_shape() {
    let rows = all_rows();
    assert!(rows.len() >= 3000, "{} rows", rows.len());
    let mut ids = BTreeSet::new();
    let mut usml = BTreeSet::new();
    let mut langs = BTreeSet::new();
    let mut techniques = BTreeSet::new();
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in &rows {
        let id = r["id"].as_str().expect("id");
        assert!(ids.insert(id.to_string()), "duplicate id {id}");
        let text = r["text"].as_str().expect("text");
        let family = r["family"].as_str().expect("family");
        langs.insert(r["language"].as_str().expect("language").to_string());
        assert!(r["category"].as_str().is_some(), "{id}: category");
        if let Some(u) = r.get("usml").and_then(Value::as_str) {
            usml.insert(u.to_string());
        }
        let c = counts.entry(family.to_string()).or_default();
        match r["expect"].as_str().expect("expect") {
            "block" => {
                c.0 += 1;
                if r["category"].as_str().unwrap().starts_with("evasion-") {
                    techniques.insert(r["technique"].as_str().expect("technique").to_string());
                }
            }
            "allow" => c.1 += 1,
            "redact" => {
                let spans = r["spans"].as_array().expect("spans");
                assert!(!spans.is_empty(), "{id}: no spans");
                for s in spans {
                    assert!(text.contains(s.as_str().unwrap()), "{id}: span {s}");
                }
            }
            other => panic!("{id}: expect {other}"),
        }
    }
    assert_eq!(usml.len(), 21, "{usml:?}");
    assert!(langs.len() >= 9, "{langs:?}");
    assert!(techniques.len() >= 12, "{techniques:?}");
    for f in SEALED {
        assert!(counts.contains_key(f), "sealed family {f} has no rows");
    }
    for (f, (ctrl, benign)) in &counts {
        assert!(
            benign >= ctrl,
            "family {f}: {benign} benign < {ctrl} controlled"
        );
    }
}

/// Run a generator with `--check` (exit 1 when the committed JSONL differs). `show` prints its
/// output on failure (never for a sealed family, whose check must not show rows). Skipped, with a
/// note, where no `python3` is installed.
fn generator_check(relative: &str, show: bool) {
    let script = corpus_root().join(relative);
    match std::process::Command::new("python3")
        .arg(&script)
        .arg("--check")
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "regenerate with `python3 {}`{}",
            script.display(),
            if show {
                format!(
                    ":\n{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                )
            } else {
                String::new()
            }
        ),
        Err(e) => println!("python3 not available ({e}): generator check skipped"),
    }
}

/// The committed JSONL equals the generators' output (`make_families.py --check`).
#[test]
fn corpus_families_match_their_generators() {
    generator_check("families/make_families.py", true);
}

/// The committed sealed family T equals its generator's output (`family_t.py --check`).
#[test]
fn sealed_family_t_matches_its_generator() {
    generator_check("sealed/family_t.py", false);
}

/// The committed sealed family U equals its generator's output (`family_u.py --check`).
#[test]
fn sealed_family_u_matches_its_generator() {
    generator_check("sealed/family_u.py", false);
}
