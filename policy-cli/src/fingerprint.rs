//! `itar-policy fingerprint`: a document fingerprint artifact from folders of controlled
//! documents (docs/learning.md, "Document fingerprints"). Deterministic: the same folders and
//! options give the same bytes.

use itar_filter::fingerprint::{build, doc_id, id_hex, Doc, DEFAULT_K, DEFAULT_W, MAX_K, MAX_W};

use crate::docs::read_docs;

pub struct Options {
    pub label: String,
    pub out: String,
    pub paths: Vec<String>,
    /// Where the document id -> path table goes (default: printed).
    pub map: Option<String>,
    pub k: usize,
    pub w: usize,
    pub common: usize,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            label: String::new(),
            out: String::new(),
            paths: Vec::new(),
            map: None,
            k: DEFAULT_K,
            w: DEFAULT_W,
            common: 8,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            let num = |name: &str, v: String| {
                v.parse::<usize>()
                    .map_err(|_| format!("{name}: {v:?} is not a whole number"))
            };
            match a.as_str() {
                "--label" => o.label = value(a)?,
                "--out" => o.out = value(a)?,
                "--map" => o.map = Some(value(a)?),
                "--words" => o.k = num(a, value(a)?)?,
                "--window" => o.w = num(a, value(a)?)?,
                "--common" => o.common = num(a, value(a)?)?,
                flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
                path => o.paths.push(path.into()),
            }
        }
        if o.label.is_empty() || o.out.is_empty() || o.paths.is_empty() {
            return Err("fingerprint needs --label, --out and at least one DIR".into());
        }
        if !(2..=MAX_K).contains(&o.k) || !(1..=MAX_W).contains(&o.w) {
            return Err(format!("--words must be 2-{MAX_K} and --window 1-{MAX_W}"));
        }
        Ok(o)
    }
}

pub fn run(o: &Options) -> Result<(), String> {
    let (docs, skipped) = read_docs(&o.paths)?;
    for s in &skipped {
        println!("skipped {s}");
    }
    if docs.is_empty() {
        return Err("no document to fingerprint".into());
    }
    let input: Vec<Doc> = docs
        .iter()
        .map(|(_, text)| Doc {
            id: doc_id(text.as_bytes()),
            text,
        })
        .collect();
    let built = build(&o.label, &input, o.k, o.w, o.common).map_err(|e| e.0)?;
    let bytes: usize = docs.iter().map(|(_, t)| t.len()).sum();
    println!(
        "read {} documents ({bytes} bytes of text, label {}); {} fingerprints kept, {} dropped as shared by more than {} documents",
        docs.len(),
        o.label,
        built.entries,
        built.dropped_common,
        o.common
    );
    for &i in &built.empty_docs {
        if let Some((name, _)) = docs.get(i) {
            println!("no fingerprint (fewer than {} words): {name}", o.k);
        }
    }
    println!(
        "an excerpt of {} words or more of any document is found (words of {}, window {})",
        o.k + o.w - 1,
        o.k,
        o.w
    );
    let mut table = String::new();
    for ((name, _), d) in docs.iter().zip(&input) {
        table.push_str(&id_hex(d.id));
        table.push('\t');
        table.push_str(name);
        table.push('\n');
    }
    match &o.map {
        Some(m) => {
            std::fs::write(m, &table).map_err(|e| format!("{m}: {e}"))?;
            println!("document ids -> paths: {m} (keep it with the compliance office, not in the policy)");
        }
        None => {
            println!("document ids -> paths (keep this table with the compliance office, not in the policy):");
            print!("{table}");
        }
    }
    std::fs::write(&o.out, &built.bytes).map_err(|e| format!("{}: {e}", o.out))?;
    let digest = itar_filter::audit::sha256_hex(&built.bytes);
    println!(
        "wrote {} ({} bytes) sha256 {digest}",
        o.out,
        built.bytes.len()
    );
    println!(
        "policy: \"fingerprints\": [{{\"label\": \"{}\", \"file\": \"{}\", \"sha256\": \"{digest}\"}}]",
        o.label,
        std::path::Path::new(&o.out)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    Ok(())
}
