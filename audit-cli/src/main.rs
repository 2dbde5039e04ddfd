//! itar-audit: verify, summarize and anchor the gateway's audit trail. See docs/audit.md.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use itar_audit::{heads, summary, verify, Input, Kind, Options};
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
    let mut opts = Options::default();
    let mut as_json = false;
    let mut files = Vec::new();
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--allow-truncated-start" if cmd == "verify" => opts.allow_truncated_start = true,
            "--anchors" if cmd == "verify" => {
                let p = it.next().ok_or("--anchors needs a file")?;
                opts.anchors.extend(read_anchors(p)?);
            }
            "--json" if cmd != "heads" => as_json = true,
            "-" => files.push(read(a)?),
            s if s.starts_with('-') => return Err(format!("unknown option {s} for {cmd}")),
            _ => files.push(read(a)?),
        }
    }
    if files.is_empty() {
        return Err("no input files".into());
    }
    match cmd.as_str() {
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
