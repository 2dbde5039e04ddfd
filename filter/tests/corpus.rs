//! Corpus quality test: every labelled row of filter/testdata/corpus/{shared,own}/*.jsonl goes
//! through the public engine API with the default policy, and the detection table is printed.
//!
//!   cargo test -p itar-filter --test corpus -- --nocapture
//!
//! Definitions:
//! - block row caught: `report.controlled` (something redaction cannot remove was found).
//! - allow row correct: no label with action control/block, and nothing redacted.
//! - redact row exact: not controlled, and the redacted text equals the original with each expected
//!   span replaced by some `[REDACTED:...]` placeholder and nothing else changed.
//! - evasion row caught: controlled, or the body was refused (fail closed, e.g. non-UTF-8 bytes).
//!
//! Rows: prompts (`text`), evasions (`text`, `text` + `json_escaped`, `messages`, `bytes_b64`) and
//! streamed responses (`full_text`, scanned as one text).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::redaction_exact;

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;
use itar_filter::engine::{Engine, ScanReport, Scratch};
use itar_filter::policy::Provider;
use serde_json::Value;

const MIN_BLOCK_RECALL: f64 = 0.98;
const MAX_FALSE_POSITIVE: f64 = 0.02;
const MIN_EVASION_RECALL: f64 = 0.95;
const MIN_REDACTION_EXACT: f64 = 1.0;

#[derive(Default, Clone)]
struct Tally {
    block: (usize, usize),
    allow_fp: (usize, usize),
    evasion: (usize, usize),
    redact: (usize, usize),
    misses: Vec<String>,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.block.0 += o.block.0;
        self.block.1 += o.block.1;
        self.allow_fp.0 += o.allow_fp.0;
        self.allow_fp.1 += o.allow_fp.1;
        self.evasion.0 += o.evasion.0;
        self.evasion.1 += o.evasion.1;
        self.redact.0 += o.redact.0;
        self.redact.1 += o.redact.1;
    }
}

fn ratio((n, d): (usize, usize)) -> f64 {
    if d == 0 {
        1.0
    } else {
        n as f64 / d as f64
    }
}

fn fp_ratio((n, d): (usize, usize)) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

fn labels_of(r: &ScanReport) -> String {
    let mut s = String::new();
    for l in &r.labels {
        let _ = write!(
            s,
            "{}{}{} [{}] {:.2} {}; ",
            l.label,
            l.level
                .as_ref()
                .map(|x| format!("/{x}"))
                .unwrap_or_default(),
            l.tag.as_ref().map(|x| format!("/{x}")).unwrap_or_default(),
            l.rules.join(","),
            l.confidence,
            l.action
        );
    }
    s
}

fn body_with_raw_content(raw: &[u8]) -> Vec<u8> {
    let mut b = br#"{"model":"","messages":[{"role":"user","content":""#.to_vec();
    b.extend_from_slice(raw);
    b.extend_from_slice(br#""}]}"#);
    b
}

enum Outcome {
    Report(ScanReport, Option<String>),
    Refused(String),
}

fn run_row(engine: &Engine, scratch: &mut Scratch, row: &Value) -> Option<Outcome> {
    let text = row
        .get("text")
        .or_else(|| row.get("full_text"))
        .and_then(Value::as_str);
    let res = if row.get("json_escaped").and_then(Value::as_bool) == Some(true) {
        let body = body_with_raw_content(text?.as_bytes());
        engine
            .scan_body(scratch, Provider::Openai, &body)
            .map(|r| (r, None))
    } else if let Some(msgs) = row.get("messages") {
        let body = serde_json::json!({"model": "", "messages": msgs});
        let bytes = serde_json::to_vec(&body).ok()?;
        engine
            .scan_body(scratch, Provider::Openai, &bytes)
            .map(|r| (r, None))
    } else if let Some(b64) = row.get("bytes_b64").and_then(Value::as_str) {
        let raw = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        let body = match std::str::from_utf8(&raw) {
            Ok(s) => serde_json::to_vec(
                &serde_json::json!({"model": "", "messages": [{"role": "user", "content": s}]}),
            )
            .ok()?,
            Err(_) => body_with_raw_content(&raw),
        };
        engine
            .scan_body(scratch, Provider::Openai, &body)
            .map(|r| (r, None))
    } else {
        engine.scan_text(scratch, text?).map(|(r, t)| (r, Some(t)))
    };
    Some(match res {
        Ok((r, t)) => Outcome::Report(r, t),
        Err(e) => Outcome::Refused(e.to_string()),
    })
}

fn short(s: &str) -> String {
    let s: String = s.chars().take(90).collect();
    s.replace('\n', " ")
}

fn run_dir(engine: &Engine, dir: &Path) -> Tally {
    let mut t = Tally::default();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let mut scratch = engine.new_scratch();
    for f in files {
        if f.extension().and_then(|e| e.to_str()) != Some("jsonl") {
            continue;
        }
        let content = std::fs::read_to_string(&f).unwrap();
        for (ln, line) in content.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let row: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", f.display(), ln + 1));
            let id = row["id"].as_str().unwrap_or("?").to_string();
            let expect = row["expect"].as_str().unwrap_or("?").to_string();
            let evasion = row.get("technique").is_some();
            let outcome = run_row(engine, &mut scratch, &row).unwrap_or_else(|| {
                panic!("{}:{}: row {id} has no usable text", f.display(), ln + 1)
            });
            let what = row
                .get("technique")
                .or_else(|| row.get("category"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let orig = row
                .get("text")
                .or_else(|| row.get("full_text"))
                .and_then(Value::as_str)
                .unwrap_or("");
            match (expect.as_str(), &outcome) {
                ("block", o) => {
                    let caught = match o {
                        Outcome::Report(r, _) => r.controlled,
                        Outcome::Refused(_) => true,
                    };
                    let slot = if evasion {
                        &mut t.evasion
                    } else {
                        &mut t.block
                    };
                    slot.1 += 1;
                    if caught {
                        slot.0 += 1;
                    } else {
                        let l = match o {
                            Outcome::Report(r, _) => labels_of(r),
                            Outcome::Refused(_) => String::new(),
                        };
                        t.misses.push(format!(
                            "MISS {} {id} ({what}): {} | {}",
                            if evasion { "evasion" } else { "block" },
                            short(orig),
                            l
                        ));
                    }
                }
                ("allow", Outcome::Report(r, _)) => {
                    t.allow_fp.1 += 1;
                    let bad = r.redacted_body.is_some()
                        || r.labels
                            .iter()
                            .any(|l| l.action == "control" || l.action == "block");
                    if bad {
                        t.allow_fp.0 += 1;
                        t.misses.push(format!(
                            "FALSE POSITIVE {id} ({what}): {} | {}",
                            short(orig),
                            labels_of(r)
                        ));
                    }
                }
                ("allow", Outcome::Refused(e)) => {
                    t.allow_fp.1 += 1;
                    t.allow_fp.0 += 1;
                    t.misses
                        .push(format!("FALSE POSITIVE {id} ({what}): refused: {e}"));
                }
                ("redact", Outcome::Report(r, redacted)) => {
                    t.redact.1 += 1;
                    let spans: Vec<String> = row["spans"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|s| s.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    let got = redacted.clone().unwrap_or_default();
                    if !r.controlled && redaction_exact(orig, &spans, &got) {
                        t.redact.0 += 1;
                    } else {
                        t.misses.push(format!(
                            "REDACTION {id} ({what}): controlled={} expected {:?} got: {} | {}",
                            r.controlled,
                            spans,
                            short(&got),
                            labels_of(r)
                        ));
                    }
                }
                ("redact", Outcome::Refused(e)) => {
                    t.redact.1 += 1;
                    t.misses
                        .push(format!("REDACTION {id} ({what}): refused: {e}"));
                }
                (other, _) => panic!("{}: row {id}: unknown expect {other:?}", f.display()),
            }
        }
    }
    t
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

#[test]
fn corpus_quality() {
    let engine = Engine::from_policy_json(include_bytes!("../../policies/default.json"))
        .expect("default policy compiles");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus");
    let shared = run_dir(&engine, &root.join("shared"));
    let own = run_dir(&engine, &root.join("own"));
    let mut all = Tally::default();
    all.add(&shared);
    all.add(&own);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n| set | block recall | false positives (allow) | evasions caught | redaction exact |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    for (name, t) in [("shared", &shared), ("own", &own), ("combined", &all)] {
        let _ = writeln!(
            out,
            "| {name} | {}/{} = {} | {}/{} = {} | {}/{} = {} | {}/{} = {} |",
            t.block.0,
            t.block.1,
            pct(ratio(t.block)),
            t.allow_fp.0,
            t.allow_fp.1,
            pct(fp_ratio(t.allow_fp)),
            t.evasion.0,
            t.evasion.1,
            pct(ratio(t.evasion)),
            t.redact.0,
            t.redact.1,
            pct(ratio(t.redact)),
        );
    }
    for (name, t) in [("shared", &shared), ("own", &own)] {
        for m in &t.misses {
            let _ = writeln!(out, "[{name}] {m}");
        }
    }
    println!("{out}");

    let mut failures = Vec::new();
    for (name, t) in [("shared", &shared), ("own", &own), ("combined", &all)] {
        if ratio(t.block) < MIN_BLOCK_RECALL {
            failures.push(format!("{name}: block recall {}", pct(ratio(t.block))));
        }
        if fp_ratio(t.allow_fp) > MAX_FALSE_POSITIVE {
            failures.push(format!(
                "{name}: false positives {}",
                pct(fp_ratio(t.allow_fp))
            ));
        }
        if ratio(t.evasion) < MIN_EVASION_RECALL {
            failures.push(format!("{name}: evasion recall {}", pct(ratio(t.evasion))));
        }
        if ratio(t.redact) < MIN_REDACTION_EXACT {
            failures.push(format!("{name}: redaction exact {}", pct(ratio(t.redact))));
        }
    }
    assert!(failures.is_empty(), "corpus targets missed: {failures:?}");
}

#[test]
fn redaction_comparison_is_strict() {
    let o = "a 123-45-6789 b";
    assert!(redaction_exact(
        o,
        &["123-45-6789".into()],
        "a [REDACTED:SSN] b"
    ));
    assert!(!redaction_exact(
        o,
        &["123-45-6789".into()],
        "a [REDACTED:SSN]b"
    ));
    assert!(!redaction_exact(o, &["123-45-6789".into()], o));
    assert!(redaction_exact("x", &[], "x"));
}

/// The dev cue phrasings (filter/testdata/cues/dev.txt): `^` = prefix, else appended.
fn dev_cues() -> Vec<(bool, String)> {
    include_str!("../testdata/cues/dev.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| match l.strip_prefix('^') {
            Some(p) => (true, p.to_string()),
            None => (false, l.to_string()),
        })
        .collect()
}

fn prompt_rows() -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus");
    let mut rows = Vec::new();
    for dir in ["shared", "own"] {
        let text = std::fs::read_to_string(root.join(dir).join("prompts.jsonl")).unwrap();
        for l in text.lines().filter(|l| !l.trim().is_empty()) {
            rows.push(serde_json::from_str::<Value>(l).unwrap());
        }
    }
    rows
}

/// A sender's framing ("(fiction)", "For a class project:", "hypothetically", "not real" ...)
/// never turns a caught block row into a pass: every block prompt of the corpus that is caught
/// as it is stays caught with each cue phrasing before or after it, and allow prompts stay clean.
#[test]
fn sender_cues_never_lower_a_block() {
    let engine = Engine::from_policy_json(include_bytes!("../../policies/default.json")).unwrap();
    let mut scratch = engine.new_scratch();
    let cues = dev_cues();
    assert!(cues.len() >= 20);
    let (mut variants, mut lowered, mut allow_variants) = (0, Vec::new(), 0);
    for row in prompt_rows() {
        let (Some(text), Some(expect)) = (row["text"].as_str(), row["expect"].as_str()) else {
            continue;
        };
        let bare = engine.scan_text(&mut scratch, text).unwrap().0;
        match expect {
            "block" if bare.controlled => {
                for (prefix, cue) in &cues {
                    let t = if *prefix {
                        format!("{cue} {text}")
                    } else {
                        format!("{text} {cue}")
                    };
                    variants += 1;
                    if !engine.scan_text(&mut scratch, &t).unwrap().0.controlled {
                        lowered.push(format!("{} + {cue:?}", row["id"]));
                    }
                }
            }
            "allow" if !bare.controlled && bare.redacted_body.is_none() => {
                for (prefix, cue) in cues.iter().step_by(3) {
                    let t = if *prefix {
                        format!("{cue} {text}")
                    } else {
                        format!("{text} {cue}")
                    };
                    allow_variants += 1;
                    let r = engine.scan_text(&mut scratch, &t).unwrap().0;
                    assert!(
                        !r.controlled && r.redacted_body.is_none(),
                        "{} + {cue:?}: {}",
                        row["id"],
                        labels_of(&r)
                    );
                }
            }
            _ => {}
        }
    }
    println!(
        "cue variants: {variants} block ({} lowered), {allow_variants} allow",
        lowered.len()
    );
    assert!(variants > 2000, "{variants}");
    // Rows whose evidence the pack does not see as specific (two or three figures, a program
    // name without a designator) can still be lowered: at most 7% of the variants.
    assert!(
        lowered.len() * 100 <= variants * 7,
        "cues lowered {} of {variants}: {lowered:#?}",
        lowered.len()
    );
}

/// Markings are found whatever is glued in front of them: `_`, digits, letters of a file name,
/// punctuation. Prose words without `//` stay clean.
#[test]
fn glued_markings_are_found() {
    let engine = Engine::from_policy_json(include_bytes!("../../policies/default.json")).unwrap();
    let mut scratch = engine.new_scratch();
    let markings = [
        "SECRET//NOFORN",
        "TOP SECRET//SI//NOFORN",
        "CONFIDENTIAL//REL TO USA, GBR",
        "(S//NF)",
        "(TS//SI//NF)",
        "CUI//SP-EXPT",
        "CUI//SP-CTI//FEDCON",
    ];
    let glue = [
        "_", "file_", "report", "2024", "x", "_v2_", "-", ".", "#", "::", "\"", "*", "'", "=",
    ];
    let body = " The NJ-41 inlet RAM delaminates after 40 flight hours at Mach 1.6.";
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut missed = Vec::new();
    let mut n = 0;
    for m in markings {
        for g in glue {
            for round in 0..3 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // A random extra prefix of word characters for some rounds.
                let extra: String = (0..(x % 4) * u64::from(round > 0))
                    .map(|i| char::from(b"aZ9_"[((x >> (8 * i)) % 4) as usize]))
                    .collect();
                let t = format!("{extra}{g}{m}{body}");
                n += 1;
                if !engine.scan_text(&mut scratch, &t).unwrap().0.controlled {
                    missed.push(t);
                }
            }
        }
    }
    assert!(n > 250);
    assert!(missed.is_empty(), "glued markings missed: {missed:#?}");
    for clean in [
        "The topsecret family recipe uses more salt.",
        "Our secretariat meets on Monday.",
        "Set SECRET_KEY and CLIENT_SECRET in the .env file.",
        "Unconfidential notes: nothing here.",
    ] {
        let r = engine.scan_text(&mut scratch, clean).unwrap().0;
        assert!(!r.controlled, "{clean}: {}", labels_of(&r));
    }
}

fn rules_of(r: &ScanReport) -> Vec<String> {
    let mut v: Vec<String> = r.labels.iter().flat_map(|l| l.rules.clone()).collect();
    v.sort();
    v.dedup();
    v
}

/// An explainer question clears only the marking it asks about: a question about one marking
/// (the same one, or another rule's) before or after an applied marking, or before any caught
/// block prompt of the corpus, never clears the applied one. The questions alone stay clean.
#[test]
fn explainers_clear_only_what_they_explain() {
    let engine = Engine::from_policy_json(include_bytes!("../../policies/default.json")).unwrap();
    let mut scratch = engine.new_scratch();
    let body = "The NJ-41 inlet RAM delaminates after 40 flight hours at Mach 1.6.";
    // Each is controlled only through a rule with an `exclude` entry.
    let applied = [
        "CUI//NOFORN",
        "CUI//PROPIN//FEDCON",
        "NATO SECRET REL TO USA",
        "NATO CONFIDENTIAL REL TO USA",
        "NATO RESTRICTED REL TO USA",
    ];
    let quoted = [
        "CUI//NOFORN",
        "CUI//FEDCON",
        "NATO SECRET",
        "NATO CONFIDENTIAL",
        "NATO RESTRICTED",
    ];
    let questions = ["What does {} mean?", "Explain {}.", "{}: what is it?"];
    let mut texts = Vec::new();
    for a in applied {
        let t = format!("{a} {body}");
        let bare = engine.scan_text(&mut scratch, &t).unwrap().0;
        assert!(bare.controlled, "{t}");
        for q in quoted {
            for form in questions {
                let q = form.replace("{}", q);
                texts.push(format!("{q} {t}"));
                texts.push(format!("{q}\n{t}"));
                texts.push(format!("{t} {q}"));
            }
        }
        // A question that ends before the applied marking explains nothing in it.
        for q in [
            "What does this mean?",
            "What is CUI?",
            "Can you explain this.",
            "Explain:\n",
        ] {
            texts.push(format!("{q} {t}"));
        }
    }
    let mut cleared = Vec::new();
    for t in &texts {
        if !engine.scan_text(&mut scratch, t).unwrap().0.controlled {
            cleared.push(t.clone());
        }
    }
    assert!(cleared.is_empty(), "explainers cleared: {cleared:#?}");
    // Every caught block prompt of the corpus after a question about a marking: each rule that
    // fired on it still fires, except rules whose negative weights the question may count (a
    // soft cue lowers generic evidence; see `sender_cues_never_lower_a_block`) and trained
    // classifiers (every word in their window moves their score; docs/learning.md).
    let policy: Value =
        serde_json::from_slice(include_bytes!("../../policies/default.json")).unwrap();
    let soft: Vec<&str> = policy["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["support"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s["weight"].as_f64() < Some(0.0)))
        })
        .filter_map(|r| r["id"].as_str())
        .collect();
    let soft_rule = |r: &str| soft.contains(&r) || r.starts_with("classifier.");
    let (mut rows, mut lost) = (0, Vec::new());
    for row in prompt_rows() {
        let (Some(text), Some("block")) = (row["text"].as_str(), row["expect"].as_str()) else {
            continue;
        };
        let bare = engine.scan_text(&mut scratch, text).unwrap().0;
        if !bare.controlled {
            continue;
        }
        rows += 1;
        for q in quoted {
            let t = format!("What does {q} mean? {text}");
            let got = rules_of(&engine.scan_text(&mut scratch, &t).unwrap().0);
            for r in rules_of(&bare) {
                if !soft_rule(r.as_str()) && !got.contains(&r) {
                    lost.push(format!("{}: {r} after {q:?}", row["id"]));
                }
            }
        }
    }
    assert!(rows > 100, "{rows}");
    assert!(lost.is_empty(), "explainers cleared: {lost:#?}");
    for q in quoted {
        for form in questions {
            let t = form.replace("{}", q);
            let r = engine.scan_text(&mut scratch, &t).unwrap().0;
            assert!(!r.controlled, "{t}: {}", labels_of(&r));
        }
    }
}

/// Distribution Statement A (approved for public release) next to a SECRET banner or a
/// Distribution Statement D clears neither: it only lowers the score of unmarked technical data
/// (a soft weight of the `itar.td.*` rules), and is no rule's exclusion.
#[test]
fn statement_a_does_not_release_other_markings() {
    let engine = Engine::from_policy_json(include_bytes!("../../policies/default.json")).unwrap();
    let mut scratch = engine.new_scratch();
    let body = "The NJ-41 inlet RAM delaminates after 40 flight hours at Mach 1.6.";
    let marked = [
        format!("SECRET//NOFORN {body}"),
        format!("(S//NF) {body}"),
        format!(
            "DISTRIBUTION STATEMENT D. Distribution authorized to the Department of Defense and \
             U.S. DoD contractors only; critical technology. {body}"
        ),
        format!("Distribution Statement D: DoD and DoD contractors only. {body}"),
    ];
    let statement_a = [
        "DISTRIBUTION STATEMENT A. Approved for public release; distribution is unlimited.",
        "Distribution Statement A",
        "Approved for public release.",
    ];
    for m in &marked {
        let bare = engine.scan_text(&mut scratch, m).unwrap().0;
        assert!(bare.controlled, "{m}");
        for a in statement_a {
            for t in [
                format!("{a} {m}"),
                format!("{m} {a}"),
                format!("{a}\n{m}\n{a}"),
            ] {
                let r = engine.scan_text(&mut scratch, &t).unwrap().0;
                assert!(r.controlled, "{t}");
                assert_eq!(rules_of(&r), rules_of(&bare), "{t}");
            }
        }
    }
}

/// An explainer cue in the same sentence clears a marking asked about, never one applied to
/// specific content (figures, tolerances, drawing references): exclusions pass the same
/// specificity gate as negative weights.
#[test]
fn an_explainer_does_not_clear_a_marking_applied_to_data() {
    let engine = Engine::from_policy_json(include_bytes!("../../policies/default.json")).unwrap();
    let mut scratch = engine.new_scratch();
    for t in [
        "Explain: CUI//NOFORN The seeker bore is 12 mm, tolerance +/-0.02 mm, DWG 77-310-4.",
        "What does CUI//NOFORN say about the 40 mm seeker window at 3.5 mm thickness",
        "Explain CUI//NOFORN part 77-310-4 rev C torque 24 Nm",
    ] {
        let r = engine.scan_text(&mut scratch, t).unwrap().0;
        assert!(r.controlled, "{t}: {}", labels_of(&r));
    }
    for t in [
        "What does CUI//NOFORN mean?",
        "Explain CUI//NOFORN to me, please.",
    ] {
        let r = engine.scan_text(&mut scratch, t).unwrap().0;
        assert!(!r.controlled, "{t}: {}", labels_of(&r));
    }
}

/// A marking named as the thing talked about (a marking noun right before it, or a question about
/// its meaning right after it) is a mention, not an application; portion marks take the same
/// explainer exclusions as banners. Neither clears a marking applied to specific content
/// (figures, references, a second portion mark).
#[test]
fn a_marking_named_as_the_topic_is_a_mention() {
    let engine = Engine::from_policy_json(include_bytes!("../../policies/default.json")).unwrap();
    let mut scratch = engine.new_scratch();
    for t in [
        "How do I read the portion marking (C//REL TO USA, CAN) in our style guide?",
        "Our handbook shows a banner line like \"TOP SECRET//NOFORN\" at the top. Where does it go on slide decks?",
        "A colleague asked whether \"CUI//SP-CTI\" means the same thing as FOUO.",
        "Which caveat (S//ORCON) is allowed on e-mail subjects?",
        "Explain the portion mark (TS//NF) to a new hire.",
    ] {
        let r = engine.scan_text(&mut scratch, t).unwrap().0;
        assert!(!r.controlled, "{t}: {}", labels_of(&r));
    }
    for t in [
        "Explain this: (S//NF) The array's peak sidelobe is -32 dB at 9.4 GHz.",
        "What does this mean? (S//REL TO USA, GBR) Patrol route 7 shifts north. (S//NF) The relay is on hill 412.",
        "the banner \"SECRET//NOFORN\" is on DWG 55120-004, the inlet duct at 3.2 mm wall.",
        "(C//REL) The modem hops at 1200 hops/s.",
    ] {
        let r = engine.scan_text(&mut scratch, t).unwrap().0;
        assert!(r.controlled, "{t}: {}", labels_of(&r));
    }
}

/// CAPCO written carelessly is still CAPCO: spaces for the slashes in a portion mark or a banner
/// line, FISA among the control tokens, a paraphrased level with an adverb ("the level right
/// below TOP SECRET"), a top-secret codeword source, "no foreigners". Acronyms in parentheses
/// without a control token stay clean.
#[test]
fn capco_typos_and_paraphrases_are_markings() {
    let engine = Engine::from_policy_json(include_bytes!("../../policies/default.json")).unwrap();
    let mut scratch = engine.new_scratch();
    for t in [
        "(TS SI NF) Relay north of the ridge goes live Friday.",
        "(C REL TO USA, AUS) Depot stock drops below 40 units next week.",
        "Notes from the call\nTOP SECRET SI NOFORN\nThe relay moves north on Friday.",
        "(S//NF/FISA) Collection on the port resumes next week.",
        "Treat this at the level directly below TOP SECRET and keep it from foreign nationals: the relay moves Friday.",
        "Source: a top secret codeword report, no foreigners. The relay moves Friday.",
    ] {
        let r = engine.scan_text(&mut scratch, t).unwrap().0;
        assert!(r.controlled, "{t}: {}", labels_of(&r));
    }
    for t in [
        "Medicare pays the skilled nursing facility (SNF) for 20 days.",
        "The rules (TS NFL draft) are in the appendix.",
        "Requirements:\nTS SCI\nPython, five years.",
        "Our TS SI team meets at nine.",
    ] {
        let r = engine.scan_text(&mut scratch, t).unwrap().0;
        assert!(!r.controlled, "{t}: {}", labels_of(&r));
    }
}

/// A request to produce engineering data counts in the other languages too (`flang_ask`,
/// `flang_ask_stem`), and a score that reaches its threshold exactly fires in the filter as it
/// does in `itar-policy explain --scores` (the judge's early exit leaves slack for rounding).
#[test]
fn a_foreign_engineering_request_is_support() {
    let engine = Engine::from_policy_json(include_bytes!("../../policies/default.json")).unwrap();
    let mut scratch = engine.new_scratch();
    let asked = "Ствол гаубицы: натяг 48 %, давление 421 МПа. Составь технологическую карту.";
    let r = engine.scan_text(&mut scratch, asked).unwrap().0;
    assert!(r.controlled, "{asked}: {}", labels_of(&r));
    let told = "Ствол гаубицы: натяг 48 %, давление 421 МПа.";
    let r = engine.scan_text(&mut scratch, told).unwrap().0;
    assert!(!r.controlled, "{told}: {}", labels_of(&r));
}

#[test]
fn a_bare_ts_portion_mark_starts_its_portion() {
    // `(TS)` marks the portion after it: at a line start (after a bullet or number) or after a
    // sentence's end. After a word on its line it is a tag (a TypeScript file in a list).
    let engine = Engine::from_policy_json(include_bytes!("../../policies/default.json")).unwrap();
    let mut scratch = engine.new_scratch();
    let portions = [
        "(TS) The convoy leaves at 0400. (TS) The relay site is on hill 412.",
        "Summary:\n(TS) The convoy leaves at 0400.\n(TS) The relay site is on hill 412.",
        "- (TS) The convoy leaves at 0400.\n- (TS) The relay site is on hill 412.",
    ];
    for t in portions {
        let r = engine.scan_text(&mut scratch, t).unwrap().0;
        assert!(
            rules_of(&r).iter().any(|x| x == "cls.portion.ts"),
            "portion marks not found: {t:?}"
        );
    }
    let tags = [
        "files in this PR:\n- api.ts (TS)\n- util.ts (TS)\n- index.js (JS)\nwhich need types?",
        "Converted: api.ts (TS), util.ts (TS), main.py (PY).",
    ];
    for t in tags {
        let r = engine.scan_text(&mut scratch, t).unwrap().0;
        assert!(
            r.labels.is_empty(),
            "file tags flagged: {t:?} {:?}",
            r.labels
        );
    }
}
