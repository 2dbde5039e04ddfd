//! itar-audit: verify, summarize and anchor the gateway's audit trail. See docs/audit.md.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use itar_audit::{heads, open_records, summary, verify, Input, Kind, Options};
use itar_filter::audit::Head;

const USAGE: &str = "\
usage:
  itar-audit verify [--allow-truncated-start] [--anchors HEADS_FILE] [--json] FILE...
      Check every hash chain in the audit logs (files in the order given, oldest first; - is
      stdin). Prints one finding per line: FILE:LINE: KIND chain=ID seq=N: message, with KIND
      one of deleted, inserted, reordered, edited, duplicated, no_record, not_json, unchained,
      forwarded_uninspected. Records Envoy wrote itself (decision rejected_by_proxy or
      not_inspected) are counted, not findings. The verdict is OK, INCOMPLETE (the only
      findings are records missing from a chain: lost or deleted, the log cannot tell which)
      or TAMPERED (anything else). Exit 0 when clean, 1 when anything was found, 2 on usage or
      read errors.
  itar-audit summary [--json] FILE...
      Counts by decision, reason, label, destination and policy; per chain: records, first and
      last seq, head hash.
  itar-audit heads FILE...
      The head of each chain as JSON lines {\"chain\",\"seq\",\"hash\"}: ship them off-box, then
      check later with verify --anchors.
  itar-audit keygen --out DIR [--name NAME]
      Make a key pair for audit.capture \"sealed\": DIR/audit-seal.key (the private key, file mode
      0600; keep it with the compliance office, never on the gateway) and DIR/audit-seal.pub.
      Prints the policy entry for audit.recipients. Refuses to overwrite an existing key.
  itar-audit open --key PRIVATE [--allow-truncated-start] [--anchors HEADS_FILE] FILE...
      Print every record (one JSON line each) with its sealed capture opened: \"sealed\" replaced
      by request_text and response_text; a record that does not open with this key keeps
      \"sealed\" and gets \"open_error\". The chains are verified as in verify: findings go to
      stderr. Exit 0 when every envelope opened and the chains are clean, 1 otherwise.
  itar-audit --help | --version
Output stops quietly with exit code 141 when stdout is closed early (| head).
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            let _ = writeln!(io::stderr(), "itar-audit: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &str) -> Result<Input, String> {
    let bytes = if path == "-" {
        let mut b = Vec::new();
        io::stdin()
            .read_to_end(&mut b)
            .map_err(|e| format!("stdin: {e}"))?;
        b
    } else {
        std::fs::read(path).map_err(|e| format!("{path}: {e}"))?
    };
    Ok(Input {
        name: path.to_string(),
        bytes,
    })
}

fn read_anchors(path: &str) -> Result<Vec<Head>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let h: Head = serde_json::from_str(line)
            .map_err(|e| format!("{path}:{}: not a head {{chain, seq, hash}}: {e}", i + 1))?;
        out.push(h);
    }
    Ok(out)
}

fn out(s: &str) -> Result<(), String> {
    let mut o = io::stdout().lock();
    match writeln!(o, "{s}") {
        Ok(()) => Ok(()),
        // The reader has gone (| head): stop quietly, as a process ended by SIGPIPE would.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => std::process::exit(141),
        Err(e) => Err(format!("stdout: {e}")),
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| e.to_string())
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err("no command".into());
    };
    if matches!(cmd.as_str(), "-h" | "--help" | "help") || rest.iter().any(|a| a == "--help") {
        out(USAGE)?;
        return Ok(ExitCode::SUCCESS);
    }
    if matches!(cmd.as_str(), "-V" | "--version") {
        out(&format!("itar-audit {}", env!("CARGO_PKG_VERSION")))?;
        return Ok(ExitCode::SUCCESS);
    }
    if cmd == "keygen" {
        return keygen(rest);
    }
    let mut opts = Options::default();
    let mut as_json = false;
    let mut key = None;
    let mut files = Vec::new();
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--allow-truncated-start" if cmd == "verify" || cmd == "open" => {
                opts.allow_truncated_start = true
            }
            "--key" if cmd == "open" => {
                let p = it.next().ok_or("--key needs the private key file")?;
                let text = std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"))?;
                key = Some(
                    itar_filter::seal::PrivateKeyFile::parse(&text)
                        .map_err(|e| format!("{p}: {e}"))?,
                );
            }
            "--anchors" if cmd == "verify" || cmd == "open" => {
                let p = it.next().ok_or("--anchors needs a file")?;
                opts.anchors.extend(read_anchors(p)?);
            }
            "--json" if cmd != "heads" && cmd != "open" => as_json = true,
            "-" => files.push(read(a)?),
            s if s.starts_with('-') => return Err(format!("unknown option {s} for {cmd}")),
            _ => files.push(read(a)?),
        }
    }
    if files.is_empty() {
        return Err("no input files".into());
    }
    match cmd.as_str() {
        "open" => {
            let key = key.ok_or("open needs --key PRIVATE")?;
            let opened = open_records(&files, &key);
            let mut failed = 0usize;
            for o in &opened {
                out(&o.line)?;
                if o.failed {
                    failed += 1;
                    let _ = writeln!(io::stderr(), "{}: envelope does not open", o.at);
                }
            }
            let report = verify(&files, &opts);
            for f in &report.findings {
                let _ = writeln!(io::stderr(), "{f}");
            }
            let sealed = opened
                .iter()
                .filter(|o| {
                    o.line.contains("\"request_text\"")
                        || o.line.contains("\"response_text\"")
                        || o.failed
                })
                .count();
            let _ = writeln!(
                io::stderr(),
                "itar-audit open: {}: {} records, {} with captured texts, {failed} did not open; chains: {} findings",
                if failed == 0 && report.clean() { "OK" } else { "FAILED" },
                opened.len(),
                sealed,
                report.findings.len()
            );
            Ok(if failed == 0 && report.clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        "verify" => {
            let report = verify(&files, &opts);
            for f in &report.findings {
                out(&if as_json { json(f)? } else { f.to_string() })?;
            }
            let verdict = if report.clean() {
                "OK"
            } else if report.findings.iter().all(|f| f.kind == Kind::Deleted) {
                "INCOMPLETE"
            } else {
                "TAMPERED"
            };
            if as_json {
                out(&format!(
                    "{{\"result\":{},\"lines\":{},\"records\":{},\"chains\":{},\"proxy_records\":{},\"findings\":{}}}",
                    json(&verdict.to_ascii_lowercase())?,
                    report.lines,
                    report.records,
                    report.chains,
                    json(&report.proxy_records)?,
                    report.findings.len()
                ))?;
            } else {
                let proxy: usize = report.proxy_records.values().sum();
                let kinds: Vec<String> = report
                    .proxy_records
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect();
                let kinds = if kinds.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", kinds.join(", "))
                };
                out(&format!(
                    "itar-audit verify: {verdict}: {} findings; {} lines, {} sealed records, {} chains, {proxy} proxy records{kinds}",
                    report.findings.len(),
                    report.lines,
                    report.records,
                    report.chains
                ))?;
            }
            Ok(if report.clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        "summary" => {
            let s = summary(&files);
            if as_json {
                out(&json(&s)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            out(&format!("lines {}  sealed records {}", s.lines, s.records))?;
            for (k, n) in &s.proxy_records {
                out(&format!("  proxy records: {k} {n}"))?;
            }
            for (k, n) in &s.other_lines {
                out(&format!("  other lines: {k} {n}"))?;
            }
            for (title, map) in [
                ("decision", &s.decisions),
                ("reason", &s.reasons),
                ("label", &s.labels),
                ("destination", &s.destinations),
                ("policy", &s.policies),
            ] {
                out(&format!("{title}:"))?;
                for (k, n) in map {
                    out(&format!("  {n:>8}  {k}"))?;
                }
            }
            out("chains:")?;
            for c in &s.chains {
                out(&format!(
                    "  {}  records {}  seq {}..{}  head {}",
                    c.chain, c.records, c.first_seq, c.last_seq, c.head
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        "heads" => {
            for h in heads(&files) {
                out(&json(&h)?)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command {other}")),
    }
}

/// `itar-audit keygen --out DIR [--name NAME]`.
fn keygen(args: &[String]) -> Result<ExitCode, String> {
    let mut dir = None;
    let mut name = String::from("compliance-office");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => dir = Some(it.next().ok_or("--out needs a directory")?.clone()),
            "--name" => name = it.next().ok_or("--name needs a name")?.clone(),
            s => return Err(format!("unknown argument {s} for keygen")),
        }
    }
    let dir = std::path::PathBuf::from(dir.ok_or("keygen needs --out DIR")?);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let key = itar_filter::seal::PrivateKeyFile::generate().map_err(|e| e.to_string())?;
    let private = dir.join("audit-seal.key");
    let public = dir.join("audit-seal.pub");
    for p in [&private, &public] {
        if p.exists() {
            return Err(format!("{} exists: not overwriting a key", p.display()));
        }
    }
    write_new(&private, key.to_text().as_bytes(), 0o600)?;
    write_new(&public, format!("{}\n", key.public_b64).as_bytes(), 0o644)?;
    let entry = serde_json::json!({"name": name, "public_key": key.public_b64});
    out(&format!(
        "wrote {} (private, mode 0600) and {} (key id {})\npolicy audit.recipients entry:\n{}",
        private.display(),
        public.display(),
        key.kid,
        json(&entry)?
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Create `path` (never an existing file) with `mode` from the start, and write `bytes`.
fn write_new(path: &std::path::Path, bytes: &[u8], mode: u32) -> Result<(), String> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = o
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}
