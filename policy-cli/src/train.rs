//! `itar-policy train`: a classifier artifact from folders of an organization's documents
//! (docs/learning.md). Logistic regression over the filter's own hashed features
//! (`itar_filter::classify`), trained by AdaGrad on windows of the normalized text, the same
//! windows the filter judges. Deterministic: the same inputs and options give the same bytes.

use std::collections::BTreeMap;

use itar_filter::classify::{bucket, named_features, Classifier, Trained};
use itar_filter::normalize::{normalize_into, Normalized};

use crate::docs::read_docs;

pub struct Options {
    pub label: String,
    pub positive: Vec<String>,
    pub negative: Vec<String>,
    pub eval_positive: Vec<String>,
    pub eval_negative: Vec<String>,
    pub out: String,
    pub bits: u8,
    pub window: usize,
    pub min_len: usize,
    pub epochs: usize,
    pub folds: usize,
    pub l2: f32,
    pub threshold: f32,
    pub words_only: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            label: String::new(),
            positive: Vec::new(),
            negative: Vec::new(),
            eval_positive: Vec::new(),
            eval_negative: Vec::new(),
            out: String::new(),
            bits: 18,
            window: 96,
            min_len: 24,
            epochs: 8,
            folds: 5,
            l2: 1e-4,
            threshold: 0.9,
            words_only: false,
        };
        let mut list: Option<&str> = None;
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            let num = |name: &str, v: String| {
                v.parse::<f64>()
                    .map_err(|_| format!("{name}: {v:?} is not a number"))
            };
            match a.as_str() {
                "--label" => o.label = value(a)?,
                "--words-only" => o.words_only = true,
                "--out" => o.out = value(a)?,
                "--bits" => o.bits = num(a, value(a)?)? as u8,
                "--window" => o.window = num(a, value(a)?)? as usize,
                "--min-len" => o.min_len = num(a, value(a)?)? as usize,
                "--epochs" => o.epochs = num(a, value(a)?)? as usize,
                "--folds" => o.folds = num(a, value(a)?)? as usize,
                "--l2" => o.l2 = num(a, value(a)?)? as f32,
                "--threshold" => o.threshold = num(a, value(a)?)? as f32,
                "--positive" | "--negative" | "--eval-positive" | "--eval-negative" => {
                    list = Some(match a.as_str() {
                        "--positive" => "p",
                        "--negative" => "n",
                        "--eval-positive" => "ep",
                        _ => "en",
                    })
                }
                flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
                path => match list {
                    Some("p") => o.positive.push(path.into()),
                    Some("n") => o.negative.push(path.into()),
                    Some("ep") => o.eval_positive.push(path.into()),
                    Some("en") => o.eval_negative.push(path.into()),
                    _ => return Err(format!("{path:?}: give it after --positive or --negative")),
                },
            }
        }
        if o.label.is_empty() || o.out.is_empty() || o.positive.is_empty() || o.negative.is_empty()
        {
            return Err(
                "train needs --label, --out, --positive DIR... and --negative DIR...".into(),
            );
        }
        if !(8..=22).contains(&o.bits) {
            return Err("--bits must be 8-22".into());
        }
        if o.window == 0 || o.window > itar_filter::classify::MAX_WINDOW || o.min_len == 0 {
            return Err(format!(
                "--window must be 1-{} and --min-len at least 1",
                itar_filter::classify::MAX_WINDOW
            ));
        }
        if o.folds == 1 {
            return Err("--folds must be 0 (none) or at least 2".into());
        }
        Ok(o)
    }
}

/// One training example: a window's features (bucket, value), and its document.
struct Example {
    x: Vec<(u32, f32)>,
    y: bool,
    doc: usize,
}

/// A document's tokens' feature buckets (and one readable name per bucket, for the report).
fn doc_features(
    text: &str,
    words_only: bool,
    bits: u8,
    names: &mut BTreeMap<u32, String>,
) -> Vec<Vec<u32>> {
    let mut norm = Normalized::default();
    normalize_into(&mut norm, text, 0);
    let mut out: Vec<Vec<u32>> = Vec::new();
    named_features(&norm.text, words_only, |n, _, h, name| {
        let i = bucket(h, bits) as u32;
        names.entry(i).or_insert(name);
        if out.len() <= n {
            out.push(Vec::with_capacity(3));
        }
        if let Some(b) = out.last_mut() {
            b.push(i);
        }
    });
    out
}

/// Windows of a document as the filter judges them: the whole text when shorter than `window`,
/// else windows of `window` tokens every half window (and one ending at the last token).
fn windows(tok: &[Vec<u32>], window: usize, min_len: usize) -> Vec<Vec<(u32, f32)>> {
    let n = tok.len();
    let mut starts = Vec::new();
    if n <= window {
        starts.push(0);
    } else {
        let step = (window / 2).max(1);
        let mut s = 0;
        while s + window < n {
            starts.push(s);
            s += step;
        }
        starts.push(n - window);
    }
    starts
        .into_iter()
        .map(|s| {
            let span = tok.get(s..(s + window).min(n)).unwrap_or_default();
            let norm = 1.0 / (span.len().max(min_len) as f32).sqrt();
            let mut counts: BTreeMap<u32, f32> = BTreeMap::new();
            for b in span.iter().flatten() {
                *counts.entry(*b).or_default() += norm;
            }
            counts.into_iter().collect()
        })
        .collect()
}

/// Deterministic shuffle (xorshift64*).
fn shuffle<T>(v: &mut [T], seed: u64) {
    let mut s = seed | 1;
    for i in (1..v.len()).rev() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        let r = s.wrapping_mul(0x2545_f491_4f6c_dd1d);
        v.swap(i, (r % (i as u64 + 1)) as usize);
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Logistic regression by AdaGrad over the examples `use_ex` selects; classes weighed equally.
fn fit(ex: &[Example], use_ex: &dyn Fn(&Example) -> bool, o: &Options) -> (f32, Vec<f32>) {
    let size = 1usize << o.bits;
    let mut w = vec![0f32; size];
    let mut g2 = vec![0f32; size];
    let (mut b, mut gb) = (0f32, 0f32);
    let mut order: Vec<usize> = (0..ex.len())
        .filter(|&i| ex.get(i).is_some_and(use_ex))
        .collect();
    let pos = order
        .iter()
        .filter(|&&i| ex.get(i).is_some_and(|e| e.y))
        .count()
        .max(1) as f32;
    let neg = (order.len() as f32 - pos).max(1.0);
    let (cw_pos, cw_neg) = (0.5 * (pos + neg) / pos, 0.5 * (pos + neg) / neg);
    let eta = 0.2f32;
    for epoch in 0..o.epochs {
        shuffle(&mut order, 0x9e37_79b9 + epoch as u64);
        for &i in &order {
            let Some(e) = ex.get(i) else { continue };
            let z = b + e
                .x
                .iter()
                .map(|&(k, v)| w.get(k as usize).copied().unwrap_or(0.0) * v)
                .sum::<f32>();
            let y = if e.y { 1.0 } else { 0.0 };
            let g = (sigmoid(z) - y) * if e.y { cw_pos } else { cw_neg };
            for &(k, v) in &e.x {
                let k = k as usize;
                if let (Some(wk), Some(gk)) = (w.get_mut(k), g2.get_mut(k)) {
                    let grad = g * v + o.l2 * *wk;
                    *gk += grad * grad;
                    *wk -= eta * grad / (gk.sqrt() + 1e-6);
                }
            }
            gb += g * g;
            b -= eta * g / (gb.sqrt() + 1e-6);
        }
    }
    (b, w)
}

/// A document's probability: its best window.
fn doc_prob(b: f32, w: &[f32], wins: &[&Example]) -> f32 {
    wins.iter()
        .map(|e| {
            sigmoid(
                b + e
                    .x
                    .iter()
                    .map(|&(k, v)| w.get(k as usize).copied().unwrap_or(0.0) * v)
                    .sum::<f32>(),
            )
        })
        .fold(0.0, f32::max)
}

/// precision, recall, false-positive rate of (probability, truth) pairs at `t`.
fn rates(scored: &[(f32, bool)], t: f32) -> (f32, f32, f32, usize, usize, usize, usize) {
    let tp = scored.iter().filter(|s| s.1 && s.0 >= t).count();
    let fp = scored.iter().filter(|s| !s.1 && s.0 >= t).count();
    let p = scored.iter().filter(|s| s.1).count();
    let n = scored.len() - p;
    let prec = if tp + fp > 0 {
        tp as f32 / (tp + fp) as f32
    } else {
        1.0
    };
    let rec = if p > 0 { tp as f32 / p as f32 } else { 0.0 };
    let fpr = if n > 0 { fp as f32 / n as f32 } else { 0.0 };
    (prec, rec, fpr, tp, p, fp, n)
}

fn report(title: &str, scored: &[(f32, bool)], chosen: f32) {
    println!("{title}");
    println!("  threshold  precision  recall             false positives");
    for t in [0.5, 0.7, 0.8, 0.9, 0.95, 0.98] {
        let (prec, rec, fpr, tp, p, fp, n) = rates(scored, t);
        let mark = if (t - chosen).abs() < 1e-6 {
            " <- --threshold"
        } else {
            ""
        };
        println!(
            "  {t:<9.2}  {:>8.1}%  {:>5.1}% ({tp}/{p})  {:>6.2}% ({fp}/{n}){mark}",
            100.0 * prec,
            100.0 * rec,
            100.0 * fpr
        );
    }
}

pub fn run(o: &Options) -> Result<(), String> {
    let (pos, skipped_p) = read_docs(&o.positive)?;
    let (neg, skipped_n) = read_docs(&o.negative)?;
    for s in skipped_p.iter().chain(&skipped_n) {
        println!("skipped {s}");
    }
    if pos.is_empty() || neg.is_empty() {
        return Err("need at least one positive and one negative document".into());
    }
    println!(
        "read {} positive and {} negative documents (label {})",
        pos.len(),
        neg.len(),
        o.label
    );
    let mut names = BTreeMap::new();
    let mut ex = Vec::new();
    let docs: Vec<(bool, &(String, String))> = pos
        .iter()
        .map(|d| (true, d))
        .chain(neg.iter().map(|d| (false, d)))
        .collect();
    for (di, (y, (_, text))) in docs.iter().enumerate() {
        let tok = doc_features(text, o.words_only, o.bits, &mut names);
        for x in windows(&tok, o.window, o.min_len) {
            ex.push(Example { x, y: *y, doc: di });
        }
    }
    // Cross-validation by document: every window of a document in the same fold.
    if o.folds >= 2 {
        let mut fold_of: Vec<usize> = (0..docs.len()).map(|i| i % o.folds).collect();
        shuffle(&mut fold_of, 0x5eed);
        let mut scored = Vec::with_capacity(docs.len());
        for f in 0..o.folds {
            let in_fold = |e: &Example| fold_of.get(e.doc) == Some(&f);
            let (b, w) = fit(&ex, &|e| !in_fold(e), o);
            let mut by_doc: BTreeMap<usize, Vec<&Example>> = BTreeMap::new();
            for e in ex.iter().filter(|e| in_fold(e)) {
                by_doc.entry(e.doc).or_default().push(e);
            }
            for (d, wins) in by_doc {
                let y = docs.get(d).is_some_and(|x| x.0);
                scored.push((doc_prob(b, &w, &wins), y));
            }
        }
        report(
            &format!("{}-fold cross-validation (documents):", o.folds),
            &scored,
            o.threshold,
        );
    }
    let (bias, weights) = fit(&ex, &|_| true, o);
    let trained = Trained {
        label: o.label.clone(),
        words_only: o.words_only,
        bits: o.bits,
        window: o.window,
        min_len: o.min_len,
        bias,
        weights,
    };
    let bytes = trained.to_bytes();
    let model = Classifier::parse(&bytes, &o.label).map_err(|e| e.0)?;
    let mut top: Vec<(usize, f32)> = trained
        .weights
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, w)| *w != 0.0)
        .collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let name = |i: usize| names.get(&(i as u32)).cloned().unwrap_or_default();
    println!("features that weigh most for {}:", o.label);
    for (i, w) in top.iter().take(20) {
        println!("  {w:+.3}  {}", name(*i));
    }
    println!("features that weigh most against:");
    for (i, w) in top.iter().rev().take(12) {
        println!("  {w:+.3}  {}", name(*i));
    }
    if !o.eval_positive.is_empty() || !o.eval_negative.is_empty() {
        let (ep, _) = read_docs(&o.eval_positive)?;
        let (en, _) = read_docs(&o.eval_negative)?;
        let scored: Vec<(f32, bool)> = ep
            .iter()
            .map(|d| (d, true))
            .chain(en.iter().map(|d| (d, false)))
            .map(|((_, t), y)| {
                let mut norm = Normalized::default();
                normalize_into(&mut norm, t, 0);
                (model.judge(&norm.text).map_or(0.0, |v| v.probability), y)
            })
            .collect();
        report(
            "held-out documents (the artifact as the filter judges them):",
            &scored,
            o.threshold,
        );
    }
    std::fs::write(&o.out, &bytes).map_err(|e| format!("{}: {e}", o.out))?;
    println!(
        "wrote {} ({} bytes, {} nonzero weights, {} KiB in the filter) sha256 {}",
        o.out,
        bytes.len(),
        top.len(),
        model.memory() / 1024,
        itar_filter::audit::sha256_hex(&bytes)
    );
    Ok(())
}
