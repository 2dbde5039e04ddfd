//! Reading an organization's documents from folders, for `itar-policy train`, `fingerprint` and
//! `compare`: text formats only (PDF and Office files are listed as skipped: extract their text
//! first), sorted walks so the same folders give the same documents in the same order.

use std::path::Path;

/// Files read as text (anything else is listed as skipped).
const TEXT_EXTENSIONS: &[&str] = &[
    "txt", "md", "markdown", "rst", "csv", "tsv", "json", "yaml", "yml", "xml", "html", "htm",
    "ini", "toml", "cfg", "conf", "log", "tex", "c", "h", "cc", "cpp", "hpp", "py", "rs", "go",
    "java", "js", "ts", "m", "f", "f90", "for", "sh", "sql",
];

/// Documents as (name, text).
pub type Docs = Vec<(String, String)>;

/// Documents under `paths`: a folder is walked (sorted, recursively) and its text files read;
/// a `.jsonl` file gives one document per line (its `text` field). Returns (name, text) and the
/// files skipped.
pub fn read_docs(paths: &[String]) -> Result<(Docs, Vec<String>), String> {
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        walk(Path::new(p), &mut docs, &mut skipped)?;
    }
    Ok((docs, skipped))
}

fn walk(
    p: &Path,
    docs: &mut Vec<(String, String)>,
    skipped: &mut Vec<String>,
) -> Result<(), String> {
    let shown = p.display().to_string();
    let meta = std::fs::metadata(p).map_err(|e| format!("{shown}: {e}"))?;
    if meta.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(p)
            .map_err(|e| format!("{shown}: {e}"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            walk(&e, docs, skipped)?;
        }
        return Ok(());
    }
    let ext = p
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    if ext == "jsonl" {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{shown}: {e}"))?;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| format!("{shown}:{}: {e}", n + 1))?;
            match v.get("text").and_then(|t| t.as_str()) {
                Some(t) => docs.push((format!("{shown}:{}", n + 1), t.to_string())),
                None => return Err(format!("{shown}:{}: no \"text\" field", n + 1)),
            }
        }
        return Ok(());
    }
    if !TEXT_EXTENSIONS.contains(&ext.as_str()) {
        skipped.push(format!("{shown} (not a text format this tool reads)"));
        return Ok(());
    }
    match std::fs::read(p) {
        Ok(b) => match String::from_utf8(b) {
            Ok(t) => docs.push((shown, t)),
            Err(_) => skipped.push(format!("{shown} (not UTF-8)")),
        },
        Err(e) => return Err(format!("{shown}: {e}")),
    }
    Ok(())
}
