//! itar-policy: the policy tool, sharing the filter's own code (same parser, compiler, engine).
//!
//!   itar-policy check POLICY            parse and compile; errors name the field
//!   itar-policy explain POLICY [TEXT]   scan TEXT (or stdin) and print labels and redactions as JSON
//!   itar-policy explain POLICY --signals [TEXT]   every signal match (after normalization), one per line
//!   itar-policy explain POLICY --scores [TEXT]    each rule whose primary matches: best score/threshold,
//!                                                 fires or below, the match, the features counted
//!   itar-policy test POLICY             run the example cases the policy carries ("tests")
//!   itar-policy digest POLICY           sha256 of the canonical policy (for change control)
//!   itar-policy inline POLICY [--out F] the policy with its artifacts (classifiers, fingerprints) inlined
//!   itar-policy train ...               a classifier artifact from documents (train.rs)
//!   itar-policy fingerprint ...         a document fingerprint artifact from documents (fingerprint.rs)
//!   itar-policy compare A B PATH...     where two policies (say, two classifier artifacts) disagree
//!                                       over a folder of texts, before the candidate goes live
//!   itar-policy shadow-report AUDIT...  where a shadow policy disagreed with the enforcing one
//!   itar-policy --help | --version
//!
//! Exit codes: 0 success; 1 the policy is invalid, a test failed or a scan failed; 2 usage;
//! 141 stdout was closed early (`| head`): output stops quietly.

mod docs;
mod fingerprint;
mod train;

use std::collections::BTreeMap;
use std::io::Read;
use std::process::ExitCode;

use itar_filter::audit::AuditRecord;
use itar_filter::engine::{Engine, Verdict};
use itar_filter::identity::Identity;
use itar_filter::policy::Policy;
use itar_filter::wire::Format;
use serde_json::{json, Value};

const USAGE: &str = "\
usage:
  itar-policy check POLICY                    parse and compile as the filter does; errors name the field
  itar-policy explain POLICY [TEXT]           scan TEXT (or stdin): labels and redactions as JSON
  itar-policy explain POLICY --signals [TEXT] every signal match after normalization, one per line
  itar-policy explain POLICY --scores [TEXT]  each rule whose anchor matched: best score/threshold,
                                              fires or below, the match, the features counted
  itar-policy test POLICY                     run the example cases the policy carries
  itar-policy digest POLICY                   sha256 of the canonical policy (change control)
  itar-policy inline POLICY [--out FILE]      the policy with its artifacts (classifiers, fingerprints:
                                              \"file\") inlined after checking their digests: what the filter reads
  itar-policy shadow-report AUDIT...          where a shadow policy disagreed with the enforcing one
  itar-policy train --label L --positive DIR... --negative DIR... --out FILE
                    [--eval-positive DIR... --eval-negative DIR...] [--threshold P]
                    [--bits N] [--window TOKENS] [--min-len TOKENS] [--epochs N] [--folds K]
                                              a classifier artifact from documents (docs/learning.md);
                                              a .jsonl file gives one document per line (\"text\")
  itar-policy fingerprint --label L --out FILE DIR... [--map FILE] [--words K] [--window W] [--common N]
                                              a document fingerprint artifact: excerpts of these documents
                                              are found (docs/learning.md); prints the document id table
  itar-policy compare ENFORCING CANDIDATE PATH...
                                              what each policy decides for each document (folders, files,
                                              .jsonl lines): the ones they disagree on, and totals
  itar-policy --help | --version
exit codes: 0 success; 1 invalid policy, failed test or scan; 2 usage; 141 stdout closed early";

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// Print a line to stdout; when the reader has gone (`| head`), stop quietly with 141 (the
/// shell's code for a process ended by SIGPIPE) instead of a panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut o = std::io::stdout().lock();
        if writeln!(o, $($arg)*).is_err() {
            std::process::exit(141);
        }
    }};
}

/// A policy's bytes with every classifier artifact it names by `file` (and not yet `data`)
/// inlined, its digest checked: what the filter must be given (it reads no files).
fn inlined(path: &str) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) else {
        return Ok(bytes); // the parser names the error
    };
    let dir = std::path::Path::new(path)
        .parent()
        .map(|d| d.to_path_buf())
        .unwrap_or_default();
    let mut changed = false;
    for kind in ["classifiers", "fingerprints"] {
        let Some(list) = v.get_mut(kind).and_then(Value::as_array_mut) else {
            continue;
        };
        for c in list {
            if c.get("data").is_some() {
                continue;
            }
            let Some(file) = c.get("file").and_then(Value::as_str) else {
                continue;
            };
            let at = dir.join(file);
            let art = std::fs::read(&at).map_err(|e| format!("{}: {e}", at.display()))?;
            let digest = itar_filter::audit::sha256_hex(&art);
            let named = c.get("sha256").and_then(Value::as_str).unwrap_or_default();
            if !digest.eq_ignore_ascii_case(named) {
                return Err(format!(
                    "{kind}: {}: sha256 {digest} is not the {named} the policy names",
                    at.display()
                ));
            }
            use base64::Engine as _;
            c["data"] = Value::String(base64::engine::general_purpose::STANDARD.encode(&art));
            changed = true;
        }
    }
    match changed {
        true => serde_json::to_vec_pretty(&v).map_err(|e| e.to_string()),
        false => Ok(bytes),
    }
}

fn load(path: &str) -> Result<(Engine, Policy), String> {
    let bytes = inlined(path)?;
    let engine = Engine::from_policy_json(&bytes).map_err(|e| format!("{path}: {e}"))?;
    let policy = Policy::parse(&bytes).map_err(|e| format!("{path}: {e}"))?;
    Ok((engine, policy))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        return usage();
    };
    if args
        .iter()
        .any(|a| matches!(a.as_str(), "-h" | "--help" | "help"))
    {
        say!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args
        .iter()
        .any(|a| matches!(a.as_str(), "-V" | "--version"))
    {
        say!("itar-policy {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if cmd == "shadow-report" {
        return shadow_report(&args[1..]);
    }
    if cmd == "compare" {
        return compare(&args[1..]);
    }
    if cmd == "fingerprint" {
        let opts = match fingerprint::Options::parse(&args[1..]) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("itar-policy fingerprint: {e}");
                return usage();
            }
        };
        return match fingerprint::run(&opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("itar-policy fingerprint: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if cmd == "train" {
        let opts = match train::Options::parse(&args[1..]) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("itar-policy train: {e}");
                return usage();
            }
        };
        return match train::run(&opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("itar-policy train: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let Some(path) = args.get(1) else {
        return usage();
    };
    let (engine, policy) = match load(path) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("invalid policy: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cmd.as_str() {
        "check" => {
            say!(
                "ok: policy {} version {} sha256 {} ({} destinations, {} signals, {} rules, {} tests)",
                engine.policy_ref.id,
                engine.policy_ref.version,
                engine.policy_ref.digest,
                engine.destinations.len(),
                policy.signals.len(),
                policy.rules.len(),
                policy.tests.len()
            );
            for a in engine.policy_ref.artifacts.0.iter() {
                say!(
                    "artifact {}.{} sha256 {}: digest and format verified",
                    a.kind,
                    a.label,
                    a.sha256
                );
            }
            ExitCode::SUCCESS
        }
        "inline" => {
            // The policy with its artifacts inlined, for the filter (stdout, or --out FILE).
            let bytes = match inlined(path) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("invalid policy: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match args.get(2).map(String::as_str) {
                Some("--out") => {
                    let Some(out) = args.get(3) else {
                        return usage();
                    };
                    if let Err(e) = std::fs::write(out, &bytes) {
                        eprintln!("{out}: {e}");
                        return ExitCode::FAILURE;
                    }
                }
                Some(_) => return usage(),
                None => say!("{}", String::from_utf8_lossy(&bytes)),
            }
            ExitCode::SUCCESS
        }
        "digest" => {
            say!("{}", engine.policy_ref.digest);
            ExitCode::SUCCESS
        }
        "explain" if args.get(2).map(String::as_str) == Some("--signals") => {
            explain_signals(&engine, args.get(3))
        }
        "explain" if args.get(2).map(String::as_str) == Some("--scores") => {
            explain_scores(&engine, args.get(3))
        }
        "explain" => explain(&engine, args.get(2)),
        "test" => run_tests(&engine, &policy),
        other => {
            eprintln!("itar-policy: unknown command {other:?}");
            usage()
        }
    }
}

fn text_arg(text: Option<&String>) -> Option<String> {
    match text {
        Some(t) => Some(t.clone()),
        None => {
            let mut s = String::new();
            if std::io::stdin().read_to_string(&mut s).is_err() {
                eprintln!("stdin is not UTF-8 text");
                return None;
            }
            Some(s)
        }
    }
}

fn explain_scores(engine: &Engine, text: Option<&String>) -> ExitCode {
    let Some(text) = text_arg(text) else {
        return ExitCode::FAILURE;
    };
    let mut scratch = engine.new_scratch();
    match engine.rule_scores(&mut scratch, &text) {
        Ok(scores) => {
            for r in scores {
                let mark = if r.score + 1e-6 >= r.threshold {
                    "fires"
                } else {
                    "below"
                };
                say!(
                    "{}\t{:.2}/{:.2}\t{mark}\t{}\t{}",
                    r.rule,
                    r.score,
                    r.threshold,
                    r.matched,
                    r.features.join(",")
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("scan failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn explain_signals(engine: &Engine, text: Option<&String>) -> ExitCode {
    let Some(text) = text_arg(text) else {
        return ExitCode::FAILURE;
    };
    let mut scratch = engine.new_scratch();
    match engine.signal_matches(&mut scratch, &text) {
        Ok(matches) => {
            for (id, m) in matches {
                say!("{id}\t{m}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot inspect: {e}");
            ExitCode::FAILURE
        }
    }
}

fn explain(engine: &Engine, text: Option<&String>) -> ExitCode {
    let Some(text) = text_arg(text) else {
        return ExitCode::FAILURE;
    };
    let mut scratch = engine.new_scratch();
    match engine.scan_text(&mut scratch, &text) {
        Ok((report, redacted)) => {
            let out = json!({
                "labels": report.labels,
                "normalizations": report.normalizations,
                "controlled": report.controlled,
                "redacted_text": report.redacted_body.as_ref().map(|_| redacted),
            });
            say!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot inspect: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_tests(engine: &Engine, policy: &Policy) -> ExitCode {
    let mut scratch = engine.new_scratch();
    let default_model = policy.models.keys().next().cloned().unwrap_or_default();
    let (mut passed, mut failed) = (0, 0);
    for t in &policy.tests {
        let provider = t.format.unwrap_or(Format::Openai);
        let model = t.model.clone().unwrap_or_else(|| default_model.clone());
        let body = match (&t.body, &t.text) {
            (Some(b), _) => b.clone(),
            (None, Some(text)) => match provider {
                Format::Openai => {
                    json!({"model": model, "messages": [{"role": "user", "content": text}]})
                }
                Format::Anthropic => {
                    json!({"model": model, "max_tokens": 64, "messages": [{"role": "user", "content": text}]})
                }
                Format::OpenaiResponses | Format::OpenaiEmbeddings => {
                    json!({"model": model, "input": text})
                }
                Format::OpenaiCompletions => json!({"model": model, "prompt": text}),
                Format::Mcp => json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                    "params": {"name": "test", "arguments": {"text": text}}}),
                // (the model is in the path on the gateway; the body may name it)
                Format::Gemini => {
                    json!({"model": model, "contents": [{"role": "user", "parts": [{"text": text}]}]})
                }
            },
            (None, None) => json!({}),
        };
        let identity = match (&t.claims, engine.identity.as_ref()) {
            (Some(c), Some(ip)) => Identity::from_claims(ip, &fresh_token(c)),
            _ => Identity::missing(),
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let mut audit = AuditRecord {
            path: t
                .path
                .clone()
                .or_else(|| {
                    // An MCP message needs the endpoint that names its server.
                    policy
                        .endpoints
                        .iter()
                        .find(|e| e.format == provider && provider == Format::Mcp)
                        .map(|e| e.path.clone())
                })
                .unwrap_or_default(),
            ..AuditRecord::default()
        };
        let verdict = engine.inspect_request(&mut scratch, provider, &bytes, &identity, &mut audit);
        let forwarded = match &verdict {
            Verdict::Forward { body: Some(b), .. } => String::from_utf8_lossy(b).into_owned(),
            Verdict::Forward { body: None, .. } => String::from_utf8_lossy(&bytes).into_owned(),
            Verdict::Refuse(_) => String::new(),
        };
        let mut problems = Vec::new();
        let e = &t.expect;
        if let Some(d) = &e.decision {
            if *d != audit.decision {
                problems.push(format!("decision {} (expected {d})", audit.decision));
            }
        }
        if let Some(r) = &e.reason {
            if *r != audit.reason {
                problems.push(format!("reason {} (expected {r})", audit.reason));
            }
        }
        if let Some(d) = &e.destination {
            if audit.destination.as_ref() != Some(d) {
                problems.push(format!(
                    "destination {:?} (expected {d})",
                    audit.destination
                ));
            }
        }
        for l in &e.labels {
            if !audit.labels.iter().any(|x| x.label == *l) {
                problems.push(format!("label {l} not found"));
            }
        }
        for a in &e.absent {
            if forwarded.contains(a.as_str()) {
                problems.push(format!("{a:?} is in the forwarded body"));
            }
        }
        if problems.is_empty() {
            passed += 1;
            say!("ok   {}", t.name);
        } else {
            failed += 1;
            say!(
                "FAIL {}: {} [{}]",
                t.name,
                problems.join("; "),
                audit.message
            );
        }
    }
    say!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn shadow_report(files: &[String]) -> ExitCode {
    if files.is_empty() {
        return usage();
    }
    let (mut total, mut shadowed, mut disagree) = (0u64, 0u64, 0u64);
    let mut pairs: BTreeMap<String, u64> = BTreeMap::new();
    let mut examples: Vec<String> = Vec::new();
    for f in files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{f}: {e}");
                return ExitCode::from(2);
            }
        };
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            total += 1;
            let Some(s) = v.get("shadow") else { continue };
            shadowed += 1;
            if s.get("disagrees").and_then(Value::as_bool) == Some(true) {
                disagree += 1;
                let key = format!(
                    "{} -> {}",
                    v.get("decision").and_then(Value::as_str).unwrap_or("?"),
                    s.get("decision").and_then(Value::as_str).unwrap_or("?")
                );
                *pairs.entry(key.clone()).or_default() += 1;
                if examples.len() < 50 {
                    examples.push(format!(
                        "  {} {}: enforcing {} ({}), shadow {} ({})",
                        v.get("time").and_then(Value::as_str).unwrap_or(""),
                        v.get("request_id").and_then(Value::as_str).unwrap_or(""),
                        v.get("decision").and_then(Value::as_str).unwrap_or("?"),
                        v.get("reason").and_then(Value::as_str).unwrap_or("?"),
                        s.get("decision").and_then(Value::as_str).unwrap_or("?"),
                        s.get("reason").and_then(Value::as_str).unwrap_or("?"),
                    ));
                }
            }
        }
    }
    say!("{total} records, {shadowed} evaluated by a shadow policy, {disagree} disagreements");
    for (k, n) in &pairs {
        say!("  {n:>6}  {k}");
    }
    if !examples.is_empty() {
        say!("examples:");
        for e in &examples {
            say!("{e}");
        }
    }
    ExitCode::SUCCESS
}

/// A test case's claims as a fresh token's: `iat` and `exp` (one hour) are added when the case
/// does not give them, so a case is about its claims, not about token lifetime. A case that gives
/// either is taken as written.
fn fresh_token(claims: &serde_json::Value) -> serde_json::Value {
    let mut c = claims.clone();
    if let Some(obj) = c.as_object_mut() {
        if !obj.contains_key("iat") && !obj.contains_key("exp") {
            obj.insert("iat".into(), serde_json::json!(1_700_000_000u64));
            obj.insert("exp".into(), serde_json::json!(1_700_003_600u64));
        }
    }
    c
}

/// What a policy decides for a text, in one word: `control` (blocked or rerouted), `redact`,
/// `allow`, or `error`; and the rules behind it.
fn decide(
    engine: &Engine,
    scratch: &mut itar_filter::engine::Scratch,
    text: &str,
) -> (String, String) {
    match engine.scan_text(scratch, text) {
        Ok((r, _)) => {
            let rules: Vec<String> = r.labels.iter().flat_map(|l| l.rules.clone()).collect();
            let word = if r.controlled {
                "control"
            } else if r.redacted_body.is_some() {
                "redact"
            } else {
                "allow"
            };
            (word.to_string(), rules.join(","))
        }
        Err(e) => ("error".to_string(), e.to_string()),
    }
}

fn compare(args: &[String]) -> ExitCode {
    let [a, b, paths @ ..] = args else {
        return usage();
    };
    if paths.is_empty() {
        return usage();
    }
    let (ea, eb) = match (load(a), load(b)) {
        (Ok(x), Ok(y)) => (x.0, y.0),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("invalid policy: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (docs, skipped) = match docs::read_docs(paths) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("itar-policy compare: {e}");
            return ExitCode::FAILURE;
        }
    };
    for s in &skipped {
        say!("skipped {s}");
    }
    let (mut sa, mut sb) = (ea.new_scratch(), eb.new_scratch());
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (name, text) in &docs {
        let (da, ra) = decide(&ea, &mut sa, text);
        let (db, rb) = decide(&eb, &mut sb, text);
        if da != db {
            say!("{name}\t{da} -> {db}\t[{ra}] -> [{rb}]");
        }
        *counts.entry((da, db)).or_default() += 1;
    }
    let differ: usize = counts
        .iter()
        .filter(|((x, y), _)| x != y)
        .map(|(_, n)| n)
        .sum();
    say!(
        "{} documents, {differ} decided differently ({} -> {}):",
        docs.len(),
        ea.policy_ref.version,
        eb.policy_ref.version
    );
    for ((x, y), n) in &counts {
        say!("  {x} -> {y}: {n}");
    }
    ExitCode::SUCCESS
}
