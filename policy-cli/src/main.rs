//! itar-policy: the policy tool, sharing the filter's own code (same parser, compiler, engine).
//!
//!   itar-policy check POLICY            parse and compile; errors name the field
//!   itar-policy explain POLICY [TEXT]   scan TEXT (or stdin) and print the labels as JSON
//!   itar-policy digest POLICY           sha256 of the canonical policy (for change control)

use std::io::Read;
use std::process::ExitCode;

use itar_filter::engine::Engine;

fn usage() -> ExitCode {
    eprintln!("usage: itar-policy check|explain|digest POLICY [TEXT]");
    ExitCode::from(2)
}

fn load(path: &str) -> Result<Engine, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    Engine::from_policy_json(&bytes).map_err(|e| format!("{path}: {e}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(cmd), Some(path)) = (args.first(), args.get(1)) else {
        return usage();
    };
    let engine = match load(path) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("invalid policy: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cmd.as_str() {
        "check" => {
            println!(
                "ok: policy {} version {} sha256 {} ({} destinations)",
                engine.policy_ref.id,
                engine.policy_ref.version,
                engine.policy_ref.digest,
                engine.destinations.len()
            );
            ExitCode::SUCCESS
        }
        "digest" => {
            println!("{}", engine.policy_ref.digest);
            ExitCode::SUCCESS
        }
        "explain" => {
            let text = match args.get(2) {
                Some(t) => t.clone(),
                None => {
                    let mut s = String::new();
                    if std::io::stdin().read_to_string(&mut s).is_err() {
                        eprintln!("stdin is not UTF-8 text");
                        return ExitCode::FAILURE;
                    }
                    s
                }
            };
            let mut scratch = engine.new_scratch();
            match engine.scan_text(&mut scratch, &text) {
                Ok((report, redacted)) => {
                    let out = serde_json::json!({
                        "labels": report.labels,
                        "normalizations": report.normalizations,
                        "controlled": report.controlled,
                        "redacted_text": report.redacted_body.as_ref().map(|_| redacted),
                    });
                    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("cannot inspect: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => usage(),
    }
}
