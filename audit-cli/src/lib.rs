//! `itar-audit`: checks the audit trail the gateway filter writes (one JSON line per request,
//! each sealed into its VM's hash chain by `itar_filter::audit::Chain`), summarizes it, and prints
//! the chain heads to anchor off-box. See docs/audit.md.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use itar_filter::audit::{record_hash, ChainLink, Head, GENESIS};
use serde::Serialize;
use serde_json::Value;

/// Schema of the line older gateway configs wrote when a request had no audit record: reported
/// as `no_record` (it may lack a request id).
pub const MISSING_SCHEMA: &str = "itar-audit-missing/1";

/// Decisions of the records Envoy writes itself (unsealed) when the filter left none
/// (docs/audit.md): Envoy refused the request before the HTTP filters ran, or the filters ran and
/// the filter left no record. Counted as their own kind, never as tampering.
pub const PROXY_DECISIONS: [&str; 2] = ["rejected_by_proxy", "not_inspected"];

/// One input file, read whole.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Records missing from a chain (a gap in seq), or the start or end of a chain.
    Deleted,
    /// A record that is not part of the chain (claims a seq another, linked record holds).
    Inserted,
    /// Records of a chain out of their seq order.
    Reordered,
    /// A record whose bytes are not those the chain sealed.
    Edited,
    /// The same record (identical bytes) more than once.
    Duplicated,
    /// A request without an audit record ("-", or Envoy's fallback line).
    NoRecord,
    /// A line that is not JSON.
    NotJson,
    /// A JSON line without a valid `chain` (not sealed, or not an audit record).
    Unchained,
    /// A proxy record (unsealed, written by Envoy) showing the request went upstream: it was
    /// forwarded without the filter's record (fail-open), which must never happen.
    ForwardedUninspected,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Deleted => "deleted",
            Kind::Inserted => "inserted",
            Kind::Reordered => "reordered",
            Kind::Edited => "edited",
            Kind::Duplicated => "duplicated",
            Kind::NoRecord => "no_record",
            Kind::NotJson => "not_json",
            Kind::Unchained => "unchained",
            Kind::ForwardedUninspected => "forwarded_uninspected",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    pub message: String,
    #[serde(skip)]
    order: usize,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.kind)?;
        if let Some(c) = &self.chain {
            write!(f, " chain={c}")?;
        }
        if let Some(s) = self.seq {
            write!(f, " seq={s}")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[derive(Debug, Default, Clone)]
pub struct Options {
    /// A chain may start at any seq (rotated logs): its first record's prev is not checked.
    pub allow_truncated_start: bool,
    /// Heads anchored elsewhere (`itar-audit heads` output): each must be in the files, unaltered.
    pub anchors: Vec<Head>,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub lines: usize,
    pub records: usize,
    pub chains: usize,
    /// Proxy records (Envoy's own, unsealed) by decision.
    pub proxy_records: BTreeMap<String, usize>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// A sealed record as found in the input.
struct Entry {
    file: usize,
    line: usize,
    /// Position in the whole input (files in the order given, then lines).
    order: usize,
    link: ChainLink,
    hash: String,
    value: Value,
}

/// Lines of a file: split on '\n'; the bytes hashed are exactly the line without its newline.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let empty = bytes.is_empty();
    body.split(|b| *b == b'\n')
        .enumerate()
        .filter(move |_| !empty)
        .map(|(i, l)| (i + 1, l))
}

enum Parsed {
    Record(Box<Entry>),
    /// A proxy record with its decision.
    Proxy(String),
    Problem(Kind, String),
}

fn parse_line(file: usize, line: usize, order: usize, bytes: &[u8]) -> Parsed {
    let trimmed = bytes.trim_ascii();
    if trimmed == b"-" {
        return Parsed::Problem(
            Kind::NoRecord,
            "request without an audit record (Envoy printed \"-\": no filter state)".into(),
        );
    }
    if trimmed.is_empty() {
        return Parsed::Problem(Kind::NotJson, "empty line".into());
    }
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return Parsed::Problem(Kind::NotJson, format!("not JSON: {e}")),
    };
    if value.get("schema").and_then(Value::as_str) == Some(MISSING_SCHEMA) {
        let field = |k: &str| match value.get(k) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Null) | None => "-".to_string(),
            Some(Value::String(_)) => "-".to_string(),
            Some(v) => v.to_string(),
        };
        return Parsed::Problem(
            Kind::NoRecord,
            format!(
                "request without an audit record: request_id {} response_code {} response_flags {} details {}",
                field("request_id"),
                field("response_code"),
                field("response_flags"),
                field("details")
            ),
        );
    }
    if let Some(p) = proxy_record(&value) {
        return p;
    }
    let Some(chain) = value.get("chain") else {
        let schema = value.get("schema").and_then(Value::as_str).unwrap_or("?");
        return Parsed::Problem(
            Kind::Unchained,
            format!("record has no chain (schema {schema}): not sealed, or not an audit record"),
        );
    };
    let link: ChainLink = match serde_json::from_value(chain.clone()) {
        Ok(l) => l,
        Err(e) => {
            return Parsed::Problem(Kind::Unchained, format!("chain field is malformed: {e}"));
        }
    };
    Parsed::Record(Box::new(Entry {
        file,
        line,
        order,
        link,
        hash: record_hash(bytes),
        value,
    }))
}

/// A record Envoy wrote itself: schema `itar-audit/2`, no chain, a proxy decision. It must name
/// the request (`request_id`); one with an `upstream_host` was forwarded without the filter's
/// record. `None` for every other line.
fn proxy_record(value: &Value) -> Option<Parsed> {
    let decision = value.get("decision").and_then(Value::as_str)?;
    if value.get("schema").and_then(Value::as_str) != Some(itar_filter::audit::SCHEMA)
        || value.get("chain").is_some()
        || !PROXY_DECISIONS.contains(&decision)
    {
        return None;
    }
    let field = |k: &str| match value.get(k) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_) | Value::Null) | None => "-".to_string(),
        Some(v) => v.to_string(),
    };
    let what = || {
        format!(
            "request_id {} response_status {} reason {}",
            field("request_id"),
            field("response_status"),
            field("reason")
        )
    };
    if field("request_id") == "-" {
        return Some(Parsed::Problem(
            Kind::NoRecord,
            format!("{decision} record without a request id: {}", what()),
        ));
    }
    if field("upstream_host") != "-" {
        return Some(Parsed::Problem(
            Kind::ForwardedUninspected,
            format!(
                "{decision} record of a request sent upstream to {} without the filter's record: {}",
                field("upstream_host"),
                what()
            ),
        ));
    }
    Some(Parsed::Proxy(decision.to_string()))
}

/// Every sealed record of the inputs, grouped by chain id in order of first appearance, plus the
/// problems of lines that are not sealed records.
struct Parsed2 {
    lines: usize,
    records: usize,
    proxy: BTreeMap<String, usize>,
    chains: Vec<(String, Vec<Entry>)>,
    problems: Vec<Finding>,
}

fn parse(inputs: &[Input]) -> Parsed2 {
    let mut out = Parsed2 {
        lines: 0,
        records: 0,
        proxy: BTreeMap::new(),
        chains: Vec::new(),
        problems: Vec::new(),
    };
    let mut index: HashMap<String, usize> = HashMap::new();
    for (fi, input) in inputs.iter().enumerate() {
        for (ln, bytes) in lines(&input.bytes) {
            let order = out.lines;
            out.lines += 1;
            match parse_line(fi, ln, order, bytes) {
                Parsed::Record(e) => {
                    out.records += 1;
                    let ci = *index.entry(e.link.id.clone()).or_insert_with(|| {
                        out.chains.push((e.link.id.clone(), Vec::new()));
                        out.chains.len() - 1
                    });
                    if let Some((_, v)) = out.chains.get_mut(ci) {
                        v.push(*e);
                    }
                }
                Parsed::Proxy(decision) => *out.proxy.entry(decision).or_default() += 1,
                Parsed::Problem(kind, message) => out.problems.push(Finding {
                    file: input.name.clone(),
                    line: ln,
                    kind,
                    chain: None,
                    seq: None,
                    message,
                    order,
                }),
            }
        }
    }
    out
}

/// Checks every chain in the inputs. Findings come in input order.
pub fn verify(inputs: &[Input], opts: &Options) -> Report {
    let parsed = parse(inputs);
    let mut findings = parsed.problems;
    let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
    for (id, entries) in &parsed.chains {
        let anchors: Vec<&Head> = opts.anchors.iter().filter(|h| &h.chain == id).collect();
        check_chain(&names, id, entries, opts, &anchors, &mut findings);
    }
    // Anchored chains with no record at all in the inputs.
    for h in &opts.anchors {
        if h.seq > 0 && !parsed.chains.iter().any(|(id, _)| id == &h.chain) {
            findings.push(Finding {
                file: names.first().map_or(String::new(), |n| n.to_string()),
                line: 0,
                kind: Kind::Deleted,
                chain: Some(h.chain.clone()),
                seq: Some(h.seq),
                message: format!(
                    "anchored chain has no record in the input (anchored head seq {})",
                    h.seq
                ),
                order: usize::MAX,
            });
        }
    }
    findings.sort_by_key(|f| f.order);
    Report {
        lines: parsed.lines,
        records: parsed.records,
        chains: parsed.chains.len(),
        proxy_records: parsed.proxy,
        findings,
    }
}

fn check_chain(
    names: &[&str],
    id: &str,
    entries: &[Entry],
    opts: &Options,
    anchors: &[&Head],
    out: &mut Vec<Finding>,
) {
    let loc = |e: &Entry| format!("{}:{}", names.get(e.file).copied().unwrap_or("?"), e.line);
    let mut report = |e: &Entry, kind: Kind, message: String| {
        out.push(Finding {
            file: names.get(e.file).copied().unwrap_or("?").to_string(),
            line: e.line,
            kind,
            chain: Some(id.to_string()),
            seq: Some(e.link.seq),
            message,
            order: e.order,
        });
    };

    // 1. Identical bytes seen before: duplicates, left out of every other check.
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut live: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match first.get(e.hash.as_str()) {
            Some(&j) => {
                let orig = loc(&entries[j]);
                report(
                    e,
                    Kind::Duplicated,
                    format!("identical to the record at {orig}"),
                );
            }
            None => {
                first.insert(&e.hash, i);
                live.push(i);
            }
        }
    }
    let by_hash: HashMap<&str, usize> = live
        .iter()
        .map(|&i| (entries[i].hash.as_str(), i))
        .collect();
    let referenced: HashSet<&str> = live
        .iter()
        .map(|&i| entries[i].link.prev.as_str())
        .collect();
    let mut by_seq: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for &i in &live {
        by_seq.entry(entries[i].link.seq).or_default().push(i);
    }
    let links_back = |i: usize| {
        let e = &entries[i];
        if e.link.seq == 1 {
            return e.link.prev == GENESIS;
        }
        by_hash
            .get(e.link.prev.as_str())
            .is_some_and(|&p| entries[p].link.seq + 1 == e.link.seq)
    };

    // 2. Two different records claiming one seq: the one the next record links to (else the one
    //    linking back, else the first) belongs to the chain; the others were inserted.
    let mut skip: HashSet<usize> = HashSet::new();
    for (seq, v) in &by_seq {
        if v.len() < 2 {
            continue;
        }
        let refd: Vec<usize> = v
            .iter()
            .copied()
            .filter(|&i| referenced.contains(entries[i].hash.as_str()))
            .collect();
        let genuine = match refd.as_slice() {
            [one] => *one,
            _ => v.iter().copied().find(|&i| links_back(i)).unwrap_or(v[0]),
        };
        for &i in v {
            if i == genuine {
                continue;
            }
            skip.insert(i);
            let why = if referenced.contains(entries[genuine].hash.as_str()) {
                format!(
                    "seq {} links to the record at {}",
                    seq + 1,
                    loc(&entries[genuine])
                )
            } else {
                format!("the record at {} holds that seq", loc(&entries[genuine]))
            };
            report(
                &entries[i],
                Kind::Inserted,
                format!("not part of the chain: another record claims seq {seq} and {why}"),
            );
        }
    }
    let chained: Vec<usize> = live.iter().copied().filter(|i| !skip.contains(i)).collect();
    let seqs: BTreeMap<u64, usize> = chained.iter().map(|&i| (entries[i].link.seq, i)).collect();
    let Some((&first_seq, &first_i)) = seqs.iter().next() else {
        return;
    };
    let start_seq = if opts.allow_truncated_start {
        first_seq
    } else {
        1
    };
    if first_seq > start_seq {
        report(
            &entries[first_i],
            Kind::Deleted,
            format!(
                "chain starts at seq {first_seq}: records {start_seq}..{} missing (rotated log? use --allow-truncated-start)",
                first_seq - 1
            ),
        );
    }

    // 3. Order: records not on the longest run in increasing seq order were moved.
    let in_order = longest_increasing(
        &chained
            .iter()
            .map(|&i| entries[i].link.seq)
            .collect::<Vec<_>>(),
    );
    for (k, &i) in chained.iter().enumerate() {
        if in_order.contains(&k) {
            continue;
        }
        let e = &entries[i];
        let after = seqs
            .range(..e.link.seq)
            .next_back()
            .map(|(s, &p)| format!("; belongs after seq {s} at {}", loc(&entries[p])))
            .unwrap_or_default();
        report(
            e,
            Kind::Reordered,
            format!("out of seq order in the input{after}"),
        );
    }

    // 4. Links: each record's prev must be the hash of the record with the previous seq.
    for (&seq, &i) in &seqs {
        let e = &entries[i];
        if seq == 1 || e.link.start {
            if seq != 1 || e.link.prev != GENESIS || !e.link.start {
                report(
                    e,
                    Kind::Edited,
                    "chain start altered: only seq 1 may carry start:true, with prev 0...0".into(),
                );
            }
            continue;
        }
        if seq == start_seq {
            continue; // truncated start allowed: nothing before it to check against
        }
        match by_hash.get(e.link.prev.as_str()) {
            Some(&p) if entries[p].link.seq + 1 == seq => {}
            Some(&p) => {
                let (ps, pl) = (entries[p].link.seq, loc(&entries[p]));
                report(
                    e,
                    Kind::Edited,
                    format!(
                        "prev is the hash of seq {ps} at {pl}, not of seq {}: seq or prev altered",
                        seq - 1
                    ),
                );
            }
            None => match seqs.get(&(seq - 1)) {
                Some(&c) => {
                    let prior = &entries[c];
                    let here = loc(e);
                    report(
                        prior,
                        Kind::Edited,
                        format!(
                            "record altered: its sha256 {} is not the prev stored in seq {seq} at {here} (or that record's prev was altered)",
                            short(&prior.hash)
                        ),
                    );
                }
                None => {
                    let gap_from = seqs
                        .range(..seq)
                        .next_back()
                        .map(|(s, &p)| (*s, loc(&entries[p])));
                    if let Some((s, l)) = gap_from {
                        let msg = if s + 1 == seq - 1 {
                            format!("record seq {} missing (after seq {s} at {l})", s + 1)
                        } else {
                            format!(
                                "records {}..{} missing (after seq {s} at {l})",
                                s + 1,
                                seq - 1
                            )
                        };
                        report(e, Kind::Deleted, msg);
                    }
                }
            },
        }
    }

    // 5. Anchored heads: the record with that seq must be here, with that hash.
    let Some((&last_seq, &last_i)) = seqs.iter().next_back() else {
        return;
    };
    for h in anchors {
        if h.seq == 0 || h.seq < start_seq {
            continue;
        }
        match seqs.get(&h.seq) {
            Some(&i) if entries[i].hash == h.hash => {}
            Some(&i) => report(
                &entries[i],
                Kind::Edited,
                format!(
                    "differs from the anchored head (sha256 {} anchored, {} here): rewritten",
                    short(&h.hash),
                    short(&entries[i].hash)
                ),
            ),
            None if h.seq > last_seq => report(
                &entries[last_i],
                Kind::Deleted,
                format!(
                    "chain ends at seq {last_seq} here but was anchored at seq {}: records {}..{} missing",
                    h.seq,
                    last_seq + 1,
                    h.seq
                ),
            ),
            None => {} // inside a gap already reported
        }
    }
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

/// Indices (into `v`) of one longest strictly increasing subsequence.
fn longest_increasing(v: &[u64]) -> HashSet<usize> {
    // tails[k]: index of the smallest tail of an increasing run of length k+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut parent: Vec<Option<usize>> = vec![None; v.len()];
    for (i, &x) in v.iter().enumerate() {
        let k = tails.partition_point(|&t| v[t] < x);
        parent[i] = if k > 0 {
            tails.get(k - 1).copied()
        } else {
            None
        };
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut out = HashSet::new();
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        out.insert(i);
        cur = parent[i];
    }
    out
}

/// The head (highest seq) of each chain in the inputs, in order of first appearance.
pub fn heads(inputs: &[Input]) -> Vec<Head> {
    parse(inputs)
        .chains
        .iter()
        .filter_map(|(id, entries)| {
            entries.iter().max_by_key(|e| e.link.seq).map(|e| Head {
                chain: id.clone(),
                seq: e.link.seq,
                hash: e.hash.clone(),
            })
        })
        .collect()
}

#[derive(Debug, Default, Serialize)]
pub struct ChainSummary {
    pub chain: String,
    pub records: usize,
    pub first_seq: u64,
    pub last_seq: u64,
    pub head: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub lines: usize,
    pub records: usize,
    /// Lines that are not sealed records, by kind (no_record, not_json, unchained).
    pub other_lines: BTreeMap<String, usize>,
    /// Proxy records (Envoy's own, unsealed) by decision.
    pub proxy_records: BTreeMap<String, usize>,
    pub decisions: BTreeMap<String, usize>,
    pub reasons: BTreeMap<String, usize>,
    /// Records carrying each label (a record with two ITAR findings counts once).
    pub labels: BTreeMap<String, usize>,
    /// Where requests went ("-" for refused ones).
    pub destinations: BTreeMap<String, usize>,
    pub policies: BTreeMap<String, usize>,
    pub chains: Vec<ChainSummary>,
}

pub fn summary(inputs: &[Input]) -> Summary {
    let parsed = parse(inputs);
    let mut s = Summary {
        lines: parsed.lines,
        records: parsed.records,
        proxy_records: parsed.proxy.clone(),
        ..Summary::default()
    };
    for p in &parsed.problems {
        *s.other_lines
            .entry(p.kind.as_str().to_string())
            .or_default() += 1;
    }
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("-").to_string();
    for (id, entries) in &parsed.chains {
        for e in entries {
            let v = &e.value;
            *s.decisions.entry(text(v, "decision")).or_default() += 1;
            *s.reasons.entry(text(v, "reason")).or_default() += 1;
            *s.destinations.entry(text(v, "destination")).or_default() += 1;
            let policy = v.get("policy").map_or("-".to_string(), |p| {
                format!(
                    "{} {} {}",
                    text(p, "id"),
                    text(p, "version"),
                    short(&text(p, "digest"))
                )
            });
            *s.policies.entry(policy).or_default() += 1;
            let mut seen: Vec<String> = Vec::new();
            for l in v
                .get("labels")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = text(l, "label");
                if !seen.contains(&name) {
                    *s.labels.entry(name.clone()).or_default() += 1;
                    seen.push(name);
                }
            }
        }
        let first = entries.iter().map(|e| e.link.seq).min().unwrap_or(0);
        let last = entries.iter().max_by_key(|e| e.link.seq);
        s.chains.push(ChainSummary {
            chain: id.clone(),
            records: entries.len(),
            first_seq: first,
            last_seq: last.map_or(0, |e| e.link.seq),
            head: last.map_or(String::new(), |e| e.hash.clone()),
        });
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn lis() {
        let s = longest_increasing(&[1, 2, 3, 4, 6, 5, 7]);
        assert_eq!(s.len(), 6);
        let s = longest_increasing(&[1, 2, 4, 5, 6, 3]);
        assert!(!s.contains(&5) && s.len() == 5);
        assert!(longest_increasing(&[]).is_empty());
    }

    #[test]
    fn line_splitting() {
        let v: Vec<_> = lines(b"a\nb\n").collect();
        assert_eq!(v, vec![(1, &b"a"[..]), (2, &b"b"[..])]);
        let v: Vec<_> = lines(b"a\n\nb").collect();
        assert_eq!(v.len(), 3);
        assert_eq!(lines(b"").count(), 0);
    }
}

/// One record as `itar-audit open` prints it.
#[derive(Debug, Clone)]
pub struct Opened {
    /// `FILE:LINE` of the record.
    pub at: String,
    /// The record with `sealed` replaced by the texts it held (`request_text`, `response_text`),
    /// or kept with an `open_error` when it does not open; other lines as they are.
    pub line: String,
    /// The record had an envelope and it did not open with this key.
    pub failed: bool,
}

/// Open the sealed captures of every record with `key` (`itar-audit open`). The envelope is
/// opened against the record's own request id and chain position (its associated data), so an
/// envelope moved to another record, or a record whose id or position was edited, fails here.
pub fn open_records(inputs: &[Input], key: &itar_filter::seal::PrivateKeyFile) -> Vec<Opened> {
    let mut out = Vec::new();
    for input in inputs {
        for (n, raw) in lines(&input.bytes) {
            let text = String::from_utf8_lossy(raw).into_owned();
            let at = format!("{}:{n}", input.name);
            let Ok(Value::Object(mut rec)) = serde_json::from_slice::<Value>(raw) else {
                out.push(Opened {
                    at,
                    line: text,
                    failed: false,
                });
                continue;
            };
            let Some(sealed) = rec.get("sealed").cloned() else {
                out.push(Opened {
                    at,
                    line: text,
                    failed: false,
                });
                continue;
            };
            let opened = open_one(&rec, sealed, key);
            let failed = opened.is_err();
            match opened {
                Ok(texts) => {
                    rec.remove("sealed");
                    if let Some(t) = texts.request_text {
                        rec.insert("request_text".into(), Value::String(t));
                    }
                    if let Some(t) = texts.response_text {
                        rec.insert("response_text".into(), Value::String(t));
                    }
                }
                Err(e) => {
                    rec.insert("open_error".into(), Value::String(e));
                }
            }
            out.push(Opened {
                at,
                line: serde_json::to_string(&rec).unwrap_or(text),
                failed,
            });
        }
    }
    out
}

fn open_one(
    rec: &serde_json::Map<String, Value>,
    sealed: Value,
    key: &itar_filter::seal::PrivateKeyFile,
) -> Result<itar_filter::seal::Sealed, String> {
    let env: itar_filter::seal::Envelope =
        serde_json::from_value(sealed).map_err(|e| format!("sealed: {e}"))?;
    let link: ChainLink = rec
        .get("chain")
        .cloned()
        .and_then(|c| serde_json::from_value(c).ok())
        .ok_or("a sealed record without a chain position cannot be opened")?;
    let request_id = rec
        .get("request_id")
        .and_then(Value::as_str)
        .ok_or("a sealed record without a request_id cannot be opened")?;
    let aad = itar_filter::seal::binding(request_id, &link.id, link.seq);
    key.open(&env, &aad).map_err(|e| e.to_string())
}
