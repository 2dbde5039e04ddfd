#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The CLI's own contract: help and version everywhere, documented exit codes, quiet on a
//! closed pipe.

use std::io::Read;
use std::process::{Command, Stdio};

const POLICY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/default.json");

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_itar-policy"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn help_and_version_on_every_command() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["check", "--help"],
        &["explain", "--help"],
        &["shadow-report", "--help"],
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(
            out.contains("usage:") && out.contains("--scores"),
            "{args:?}: {out}"
        );
    }
    let (code, out, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("itar-policy "), "{out}");
}

#[test]
fn exit_codes() {
    assert_eq!(run(&[]).0, 2);
    assert_eq!(run(&["frobnicate", POLICY]).0, 2);
    assert_eq!(run(&["check", "/nonexistent/policy.json"]).0, 1);
    let (code, out, err) = run(&["check", POLICY]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("ok: policy"), "{out}");
    let (code, out, _) = run(&["explain", POLICY, "--scores", "SECRET//NOFORN"]);
    assert_eq!(code, 0);
    assert!(out.contains("fires"), "{out}");
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    let text = "SECRET//NOFORN bore 12 mm +/- 0.02 ".repeat(3000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_itar-policy"))
        .args(["explain", POLICY, "--signals", &text])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take()); // like `| head -c 16`
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(141), "{err}");
}
