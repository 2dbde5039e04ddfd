//! A trained classifier: logistic regression over hashed word features, judged over windows of
//! the normalized text (docs/learning.md).
//!
//! The model is a policy artifact built offline by `itar-policy train` from an organization's own
//! documents. Its features are words (lower-cased), word pairs, word stems (the first five bytes
//! of a long word), figures by shape (`#`, `##`, `###`, `#.#`, `#-#`: a figure's value is noise,
//! its presence beside a unit or a tolerance is the signal), designator shapes (`XG-703B` ->
//! `~a-0a`), a few symbols (`±`, `°`, `%`, `=` ...) and single CJK characters (their pairs are
//! the words of scripts without spaces). Each feature is hashed into a table of `2^bits` weights;
//! the artifact keeps only the nonzero ones, so it holds no text.
//!
//! A text is judged over every window of `window` consecutive tokens (the whole text when it is
//! shorter): score = bias + (sum of the window's feature weights) / sqrt(max(tokens, `min_len`)),
//! probability = sigmoid(score); the text's result is its best window. The scan keeps a ring of
//! the last `window` token contributions and a running sum: one pass, no allocation.
//!
//! The same tokenizer serves training (policy-cli) and the filter, so a model scores in the
//! filter exactly what it was trained on.

use std::fmt;

/// Artifact header: magic, then format version.
const MAGIC: &[u8; 8] = b"ITARCLS\0";
const VERSION: u8 = 1;
/// Largest window (tokens) an artifact may ask for: the ring lives on the stack.
pub const MAX_WINDOW: usize = 512;
/// Longest token form kept (longer words are hashed whole but named truncated).
const FORM_MAX: usize = 40;

/// Why an artifact was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactError(pub String);

impl fmt::Display for ArtifactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of token a form is (salts its hash, so a word and a shape never collide by text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    Number,
    Shape,
    Symbol,
    Char,
}

/// One token: its canonical form's hash and where it lies in the text.
#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub hash: u64,
    pub kind: Kind,
    /// Length of the form in bytes (stems are taken from words of 7 or more).
    pub len: usize,
    /// Hash of the first five bytes of the form (words of 7 bytes or more).
    pub stem: Option<u64>,
    pub start: usize,
    pub end: usize,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(mut h: u64, b: u8) -> u64 {
    h ^= b as u64;
    h.wrapping_mul(FNV_PRIME)
}

fn salt(kind: Kind) -> u64 {
    match kind {
        Kind::Word => FNV_OFFSET,
        Kind::Number => FNV_OFFSET ^ 0x11,
        Kind::Shape => FNV_OFFSET ^ 0x22,
        Kind::Symbol => FNV_OFFSET ^ 0x33,
        Kind::Char => FNV_OFFSET ^ 0x44,
    }
}

/// Feature hashes of a token after `prev`: unigram, bigram, stem.
pub fn feature_hashes(prev: Option<&Token>, t: &Token) -> [Option<u64>; 3] {
    let uni = t.hash;
    let bi = prev.map(|p| p.hash.rotate_left(23) ^ t.hash ^ 0x9e37_79b9_7f4a_7c15);
    let stem = t.stem.map(|s| s ^ 0x5851_f42d_4c95_7f2d);
    [Some(uni), bi, stem]
}

/// Every feature of `text` with a readable name, in order: `f(token ordinal, token, feature hash,
/// name)` (names: the form, `prev form`, `stem*`). For training and `explain`, not the hot path.
pub fn named_features(
    text: &[u8],
    words_only: bool,
    mut f: impl FnMut(usize, &Token, u64, String),
) {
    let mut prev: Option<(Token, String)> = None;
    let mut n = 0;
    tokens(text, |t, form| {
        if !counts(&t, words_only) {
            return;
        }
        let name = form();
        let hs = feature_hashes(prev.as_ref().map(|p| &p.0), &t);
        let names = [
            Some(name.clone()),
            prev.as_ref().map(|p| format!("{} {}", p.1, name)),
            t.stem
                .map(|_| format!("{}*", name.chars().take(5).collect::<String>())),
        ];
        for (h, nm) in hs.iter().zip(names) {
            if let (Some(h), Some(nm)) = (h, nm) {
                f(n, &t, *h, nm);
            }
        }
        n += 1;
        prev = Some((t, name));
    });
}

/// Whether a token counts under a feature set (`words_only`: words and characters only).
pub fn counts(t: &Token, words_only: bool) -> bool {
    !words_only || matches!(t.kind, Kind::Word | Kind::Char)
}

/// Index of a feature hash in a table of `2^bits`.
pub fn bucket(h: u64, bits: u8) -> usize {
    let mixed = (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let mixed = mixed ^ (mixed >> 32);
    (mixed >> (64 - u32::from(bits.clamp(1, 63)))) as usize
}

/// Byte length of the UTF-8 character led by `b` (1 for stray continuation bytes).
fn char_len(b: u8) -> usize {
    match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

/// How a character takes part in tokens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    /// Joins word characters inside a chunk when one follows (`-`, `/`, `.`, `,`, `_`).
    Joiner,
    /// A token of its own.
    Symbol,
    /// A token of its own that also ends the chunk (CJK, kana, Hangul syllables).
    Ideograph,
    Other,
}

fn class_at(text: &[u8], i: usize) -> (Class, usize) {
    let Some(&b) = text.get(i) else {
        return (Class::Other, 1);
    };
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => (Class::Letter, 1),
        b'0'..=b'9' => (Class::Digit, 1),
        b'-' | b'/' | b'.' | b',' | b'_' => (Class::Joiner, 1),
        b'%' | b'=' | b'<' | b'>' | b'+' | b'~' | b'@' | b'#' | b';' | b'$' => (Class::Symbol, 1),
        0x00..=0x7F => (Class::Other, 1),
        _ => {
            let n = char_len(b).min(text.len() - i).max(1);
            let class = match b {
                // Latin-1 punctuation and symbols (`±`, `°`, `µ`), general punctuation, arrows,
                // math operators, and whatever lies beyond the BMP (emoji): symbols.
                0xC2 | 0xE2 | 0xF0..=0xF7 => Class::Symbol,
                // CJK, kana, Hangul syllables, compatibility and fullwidth forms.
                0xE3..=0xEF => Class::Ideograph,
                // Latin-1 letters, Greek, Cyrillic, Armenian, Hebrew, Arabic ..., Indic, Thai,
                // Georgian, Vietnamese: letters of words separated by spaces.
                0xC3..=0xE1 => Class::Letter,
                _ => Class::Other,
            };
            (class, n)
        }
    }
}

/// A token's canonical form, built while the text is walked.
struct Form {
    buf: [u8; FORM_MAX],
    len: usize,
    hash: u64,
    stem: u64,
    kind: Kind,
}

impl Form {
    fn new(kind: Kind) -> Form {
        Form {
            buf: [0; FORM_MAX],
            len: 0,
            hash: salt(kind),
            stem: salt(kind),
            kind,
        }
    }
    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
        }
        self.hash = fnv(self.hash, b);
        if self.len < 5 {
            self.stem = fnv(self.stem, b);
        }
        self.len += 1;
    }
    fn token(&self, start: usize, end: usize) -> Token {
        Token {
            hash: self.hash,
            kind: self.kind,
            len: self.len,
            stem: (self.kind == Kind::Word && self.len >= 7).then_some(self.stem),
            start,
            end,
        }
    }
    fn text(&self) -> String {
        let end = self.len.min(FORM_MAX);
        String::from_utf8_lossy(self.buf.get(..end).unwrap_or_default()).into_owned()
    }
}

/// Walk `text` and call `emit` with each token and its canonical form (the form only matters to
/// `explain`; the hot path ignores it).
pub fn tokens(text: &[u8], mut emit: impl FnMut(Token, &dyn Fn() -> String)) {
    let n = text.len();
    let mut i = 0;
    while i < n {
        let (class, w) = class_at(text, i);
        match class {
            Class::Letter | Class::Digit => {
                // A chunk: word characters, joined by joiners that have a word character after them.
                let start = i;
                let mut end = i;
                let (mut digits, mut letters) = (false, false);
                let mut j = i;
                while j < n {
                    let (c, w) = class_at(text, j);
                    match c {
                        Class::Letter => letters = true,
                        Class::Digit => digits = true,
                        Class::Joiner => {
                            let (next, _) = class_at(text, j + 1);
                            if !matches!(next, Class::Letter | Class::Digit) {
                                break;
                            }
                        }
                        _ => break,
                    }
                    j += w;
                    end = j;
                }
                let chunk = text.get(start..end).unwrap_or_default();
                chunk_tokens(chunk, start, digits, letters, &mut emit);
                i = end.max(i + 1);
            }
            Class::Symbol | Class::Ideograph => {
                let kind = match class {
                    Class::Symbol => Kind::Symbol,
                    _ => Kind::Char,
                };
                let mut f = Form::new(kind);
                for &b in text.get(i..i + w).unwrap_or_default() {
                    f.push(b);
                }
                emit(f.token(i, i + w), &|| f.text());
                i += w;
            }
            Class::Joiner | Class::Other => i += w,
        }
    }
}

/// Tokens of one chunk (see the module doc).
fn chunk_tokens(
    chunk: &[u8],
    base: usize,
    digits: bool,
    letters: bool,
    emit: &mut impl FnMut(Token, &dyn Fn() -> String),
) {
    if !digits {
        // Words, split at joiners (`fire-control`, `snake_case`, `and/or`).
        let mut s = 0;
        while s < chunk.len() {
            let e = chunk
                .iter()
                .skip(s)
                .position(|b| matches!(b, b'-' | b'/' | b'.' | b',' | b'_'))
                .map_or(chunk.len(), |p| s + p);
            if e > s {
                let mut f = Form::new(Kind::Word);
                for &b in chunk.get(s..e).unwrap_or_default() {
                    f.push(b.to_ascii_lowercase());
                }
                emit(f.token(base + s, base + e), &|| f.text());
            }
            s = e + 1;
        }
        return;
    }
    // A figure with its unit glued on (`12.7mm`, `5kg`): the figure, then the unit as a word.
    let figure_end = chunk
        .iter()
        .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b',' | b'-' | b'/')))
        .unwrap_or(chunk.len());
    let rest = chunk.get(figure_end..).unwrap_or_default();
    if !letters
        || (figure_end > 0 && rest.iter().all(|b| b.is_ascii_alphabetic()) && rest.len() <= 4)
    {
        let fig = chunk.get(..figure_end).unwrap_or_default();
        let mut f = Form::new(Kind::Number);
        for &b in number_shape(fig) {
            f.push(b);
        }
        emit(f.token(base, base + figure_end), &|| f.text());
        if !rest.is_empty() {
            let mut u = Form::new(Kind::Word);
            for &b in rest {
                u.push(b.to_ascii_lowercase());
            }
            emit(u.token(base + figure_end, base + chunk.len()), &|| u.text());
        }
        return;
    }
    // Letters and digits mixed: a designator or part number, by shape; its letter runs of two or
    // more are words too (`MIL-STD-810H`: `mil`, `std`).
    let mut f = Form::new(Kind::Shape);
    let mut last = 0u8;
    for &b in chunk {
        let c = match b {
            b'0'..=b'9' => b'0',
            b'a'..=b'z' | b'A'..=b'Z' => b'a',
            0x80..=0xFF => b'a',
            other => other,
        };
        if c != last || !matches!(c, b'0' | b'a') {
            if f.len < 12 {
                f.push(c);
            }
            last = c;
        }
    }
    emit(f.token(base, base + chunk.len()), &|| {
        format!("~{}", f.text())
    });
    let mut s = 0;
    while s < chunk.len() {
        let run = chunk
            .iter()
            .skip(s)
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        if run >= 2 {
            let mut w = Form::new(Kind::Word);
            for &b in chunk.get(s..s + run).unwrap_or_default() {
                w.push(b.to_ascii_lowercase());
            }
            emit(w.token(base + s, base + s + run), &|| w.text());
        }
        s += run.max(1);
    }
}

/// The shape class of a figure: `#` (1-2 digits), `##` (3-4), `###` (5+), `#.#` (a decimal),
/// `#-#` (a range, a date, a part number).
fn number_shape(fig: &[u8]) -> &'static [u8] {
    let inner = |c: u8| {
        fig.iter()
            .enumerate()
            .any(|(k, &b)| b == c && k > 0 && k + 1 < fig.len())
    };
    if inner(b'-') || inner(b'/') {
        return b"#-#";
    }
    if inner(b'.') || inner(b',') {
        return b"#.#";
    }
    match fig.iter().filter(|b| b.is_ascii_digit()).count() {
        0..=2 => b"#",
        3..=4 => b"##",
        _ => b"###",
    }
}

/// A compiled classifier: a dense weight table and the judging parameters.
#[derive(Debug, Clone)]
pub struct Classifier {
    pub label: String,
    words_only: bool,
    bits: u8,
    window: usize,
    min_len: usize,
    bias: f32,
    scale: f32,
    weights: Vec<i8>,
}

/// The best window of a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub probability: f32,
    pub start: usize,
    pub end: usize,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Parameters of a model as training leaves it (real-valued weights, by bucket).
#[derive(Debug, Clone)]
pub struct Trained {
    pub label: String,
    /// Only words and characters are features (no figures, shapes or symbols).
    pub words_only: bool,
    pub bits: u8,
    pub window: usize,
    pub min_len: usize,
    pub bias: f32,
    pub weights: Vec<f32>,
}

/// A reader of an artifact's bytes; errors name the artifact kind (`what`).
pub(crate) struct Reader<'a> {
    b: &'a [u8],
    at: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(b: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader { b, at: 0, what }
    }
    /// Bytes not read yet.
    pub(crate) fn rest(&self) -> usize {
        self.b.len().saturating_sub(self.at)
    }
    pub(crate) fn take(&mut self, n: usize) -> Result<&[u8], ArtifactError> {
        let s = self
            .b
            .get(self.at..self.at.saturating_add(n))
            .ok_or_else(|| ArtifactError(format!("{} is truncated", self.what)))?;
        self.at += n;
        Ok(s)
    }
    pub(crate) fn u8(&mut self) -> Result<u8, ArtifactError> {
        Ok(self.take(1)?.first().copied().unwrap_or_default())
    }
    pub(crate) fn u32(&mut self) -> Result<u32, ArtifactError> {
        let s = self.take(4)?;
        let mut a = [0u8; 4];
        a.copy_from_slice(s);
        Ok(u32::from_le_bytes(a))
    }
    fn f32(&mut self) -> Result<f32, ArtifactError> {
        let v = f32::from_bits(self.u32()?);
        match v.is_finite() {
            true => Ok(v),
            false => Err(ArtifactError(
                "classifier artifact holds a non-finite number".into(),
            )),
        }
    }
    pub(crate) fn varint(&mut self) -> Result<u32, ArtifactError> {
        let mut v: u64 = 0;
        for shift in (0..35).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return u32::try_from(v)
                    .map_err(|_| ArtifactError(format!("{}: number too large", self.what)));
            }
        }
        Err(ArtifactError(format!("{}: bad number encoding", self.what)))
    }
}

pub(crate) fn push_varint(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let b = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

impl Trained {
    /// The artifact's bytes: deterministic for the same weights. Weights are quantized to 8 bits
    /// (scale: the largest magnitude / 127); zeros are left out.
    pub fn to_bytes(&self) -> Vec<u8> {
        let max = self.weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let mut entries = Vec::new();
        for (i, w) in self.weights.iter().enumerate() {
            let q = (w / scale).round().clamp(-127.0, 127.0) as i8;
            if q != 0 {
                entries.push((i as u32, q));
            }
        }
        let mut out = Vec::with_capacity(32 + self.label.len() + entries.len() * 3);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.push(self.label.len().min(255) as u8);
        out.extend_from_slice(
            self.label
                .as_bytes()
                .get(..self.label.len().min(255))
                .unwrap_or_default(),
        );
        out.push(self.bits);
        out.push(u8::from(self.words_only));
        out.extend_from_slice(&(self.window as u32).to_le_bytes());
        out.extend_from_slice(&(self.min_len as u32).to_le_bytes());
        out.extend_from_slice(&self.bias.to_bits().to_le_bytes());
        out.extend_from_slice(&scale.to_bits().to_le_bytes());
        out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        let mut last = 0u32;
        for (i, q) in entries {
            push_varint(&mut out, i - last);
            last = i;
            out.push(q as u8);
        }
        out
    }
}

impl Classifier {
    /// Read an artifact (refused when malformed; `label` must be the label it was trained for).
    pub fn parse(bytes: &[u8], label: &str) -> Result<Classifier, ArtifactError> {
        let mut r = Reader::new(bytes, "classifier artifact");
        if r.take(MAGIC.len())? != MAGIC {
            return Err(ArtifactError(
                "not a classifier artifact (bad magic)".into(),
            ));
        }
        let version = r.u8()?;
        if version != VERSION {
            return Err(ArtifactError(format!(
                "classifier artifact format {version} is not supported (this filter reads {VERSION})"
            )));
        }
        let n = r.u8()? as usize;
        let own = String::from_utf8(r.take(n)?.to_vec())
            .map_err(|_| ArtifactError("classifier artifact: label is not UTF-8".into()))?;
        if own != label {
            return Err(ArtifactError(format!(
                "classifier artifact was trained for label {own:?}, not {label:?}"
            )));
        }
        let bits = r.u8()?;
        if !(8..=22).contains(&bits) {
            return Err(ArtifactError(format!(
                "classifier artifact: {bits} hash bits (8-22 allowed)"
            )));
        }
        let words_only = match r.u8()? {
            0 => false,
            1 => true,
            other => {
                return Err(ArtifactError(format!(
                    "classifier artifact: unknown feature set {other}"
                )))
            }
        };
        let window = r.u32()? as usize;
        let min_len = r.u32()? as usize;
        if window == 0 || window > MAX_WINDOW || min_len == 0 {
            return Err(ArtifactError(format!(
                "classifier artifact: window {window} (1-{MAX_WINDOW}) or minimum length {min_len} out of range"
            )));
        }
        let bias = r.f32()?;
        let scale = r.f32()?;
        let count = r.u32()? as usize;
        let size = 1usize << bits;
        if count > size {
            return Err(ArtifactError(
                "classifier artifact: more weights than buckets".into(),
            ));
        }
        let mut weights = vec![0i8; size];
        let mut at: u64 = 0;
        for k in 0..count {
            let d = r.varint()?;
            if k > 0 && d == 0 {
                return Err(ArtifactError("classifier artifact: repeated index".into()));
            }
            at += u64::from(d);
            let q = r.u8()? as i8;
            let slot = usize::try_from(at)
                .ok()
                .and_then(|i| weights.get_mut(i))
                .ok_or_else(|| ArtifactError("classifier artifact: index out of range".into()))?;
            *slot = q;
        }
        if r.at != bytes.len() {
            return Err(ArtifactError("classifier artifact: trailing bytes".into()));
        }
        Ok(Classifier {
            label: own,
            words_only,
            bits,
            window,
            min_len,
            bias,
            scale,
            weights,
        })
    }

    /// Bytes held (the weight table).
    pub fn memory(&self) -> usize {
        self.weights.len()
    }

    fn weight(&self, h: u64) -> f32 {
        self.weights
            .get(bucket(h, self.bits))
            .map_or(0.0, |&q| q as f32 * self.scale)
    }

    fn contribution(&self, prev: Option<&Token>, t: &Token) -> f32 {
        feature_hashes(prev, t)
            .iter()
            .flatten()
            .map(|&h| self.weight(h))
            .sum()
    }

    fn score(&self, sum: f32, n: usize) -> f32 {
        self.bias + sum / (n.max(self.min_len) as f32).sqrt()
    }

    /// Window length in tokens.
    pub fn window(&self) -> usize {
        self.window
    }

    /// The best window of `text` (None for a text without tokens).
    pub fn judge(&self, text: &[u8]) -> Option<Verdict> {
        self.judge_skipping(text, &[], 0)
    }

    /// `judge`, leaving out the tokens that start in a `skip` range (sorted, disjoint; given in
    /// coordinates where `text` starts at `base`): the request's framing (its keys, its model
    /// name) is not what the sender wrote, and a model learned on documents must not weigh it.
    /// A token after a skipped range starts a new word pair.
    pub fn judge_skipping(&self, text: &[u8], skip: &[(u32, u32)], base: usize) -> Option<Verdict> {
        // The ring holds the last `MAX_WINDOW` tokens (a power of two: the slot is a mask); a
        // window is the last `w` of them. Full windows all have `w` tokens, so the best one is
        // the one with the largest sum: the score is computed once, at the end.
        const MASK: usize = MAX_WINDOW - 1;
        let w = self.window.clamp(1, MAX_WINDOW);
        let mut ring = [(0f32, 0u32); MAX_WINDOW];
        let (mut n, mut sum) = (0usize, 0f64);
        let mut prev: Option<Token> = None;
        // Where the last counted token ends.
        let mut last = 0usize;
        let mut best: Option<(f64, usize, usize)> = None;
        let mut skip = skip
            .iter()
            .map(|&(s, e)| (s as usize, e as usize))
            .peekable();
        tokens(text, |t, _| {
            let at = base + t.start;
            while skip.next_if(|&(_, e)| e <= at).is_some() {}
            if skip.peek().is_some_and(|&(s, _)| s <= at) {
                prev = None;
                return;
            }
            if !counts(&t, self.words_only) {
                return;
            }
            let c = self.contribution(prev.as_ref(), &t);
            if n >= w {
                if let Some(&(old, _)) = ring.get(n.wrapping_sub(w) & MASK) {
                    sum -= f64::from(old);
                }
            }
            if let Some(r) = ring.get_mut(n & MASK) {
                *r = (c, t.start as u32);
            }
            sum += f64::from(c);
            n += 1;
            if n >= w {
                match best {
                    Some((b, _, _)) if b >= sum => {}
                    _ => {
                        let first = ring.get((n - w) & MASK).map_or(0, |r| r.1 as usize);
                        best = Some((sum, first, t.end));
                    }
                }
            }
            last = t.end;
            prev = Some(t);
        });
        let (sum, start, end, len) = match best {
            Some((sum, start, end)) => (sum, start, end, w),
            None if n > 0 => {
                let first = ring.first().map_or(0, |r| r.1 as usize);
                (sum, first, last, n)
            }
            None => return None,
        };
        Some(Verdict {
            probability: sigmoid(self.score(sum as f32, len)),
            start,
            end,
        })
    }

    /// The best window's probability and the features that weigh most in it, largest first
    /// (for `itar-policy explain`).
    pub fn explain(&self, text: &[u8], top: usize) -> Option<(Verdict, Vec<(String, f32)>)> {
        let v = self.judge(text)?;
        let mut feats: Vec<(String, f32)> = Vec::new();
        named_features(text, self.words_only, |_, t, h, name| {
            if t.start >= v.start && t.end <= v.end {
                let w = self.weight(h);
                if w != 0.0 {
                    match feats.iter_mut().find(|(f, _)| *f == name) {
                        Some(e) => e.1 += w,
                        None => feats.push((name, w)),
                    }
                }
            }
        });
        feats.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        feats.truncate(top);
        Some((v, feats))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(t: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokens(t.as_bytes(), |_, f| out.push(f()));
        out
    }

    #[test]
    fn tokens_name_words_figures_and_shapes() {
        assert_eq!(
            forms("Gas port diameter: 0.068 in, DWG 36367-013 rev F; 12.7mm ±0.2"),
            [
                "gas", "port", "diameter", "#.#", "in", "dwg", "#-#", "rev", "f", ";", "#.#", "mm",
                "±", "#.#"
            ]
        );
        assert_eq!(
            forms("AN/APG-81 MIL-STD-810H"),
            ["~a/a-0", "an", "apg", "~a-a-0a", "mil", "std"]
        );
        assert_eq!(
            forms("fire_control 7785205 12"),
            ["fire", "control", "###", "#"]
        );
        assert_eq!(forms("导弹制导"), ["导", "弹", "制", "导"]);
    }

    fn model(weights: &[(&str, f32)], window: usize) -> Classifier {
        let bits = 16;
        let mut w = vec![0f32; 1 << bits];
        for (word, v) in weights {
            let mut h = None;
            tokens(word.as_bytes(), |t, _| h = Some(t.hash));
            if let Some(h) = h {
                w[bucket(h, bits)] = *v;
            }
        }
        let t = Trained {
            label: "ITAR".into(),
            words_only: false,
            bits,
            window,
            min_len: 4,
            bias: -2.0,
            weights: w,
        };
        Classifier::parse(&t.to_bytes(), "ITAR").unwrap()
    }

    #[test]
    fn the_best_window_is_found_in_a_long_text() {
        let m = model(&[("seeker", 8.0), ("gimbal", 8.0)], 8);
        let filler = "the cat sat on the mat and then it slept ".repeat(30);
        let text = format!("{filler} seeker gimbal limit {filler}");
        let v = m.judge(text.as_bytes()).unwrap();
        assert!(v.probability > 0.9, "{v:?}");
        assert!(
            text[v.start..v.end].contains("seeker gimbal"),
            "{}",
            &text[v.start..v.end]
        );
        let plain = m.judge(filler.as_bytes()).unwrap();
        assert!(plain.probability < 0.2, "{plain:?}");
        let (_, top) = m.explain(text.as_bytes(), 3).unwrap();
        assert_eq!(top.first().map(|t| t.0.as_str()), Some("gimbal"));
    }

    #[test]
    fn artifacts_round_trip_and_bad_ones_are_refused() {
        let m = model(&[("seeker", 4.0)], 8);
        let t = Trained {
            label: "ITAR".into(),
            words_only: true,
            bits: 12,
            window: 8,
            min_len: 4,
            bias: 0.5,
            weights: (0..4096).map(|i| ((i % 7) as f32 - 3.0) * 0.1).collect(),
        };
        let bytes = t.to_bytes();
        assert_eq!(bytes, t.to_bytes(), "deterministic");
        assert!(Classifier::parse(&bytes, "ITAR").is_ok());
        assert!(
            Classifier::parse(&bytes, "EAR").is_err(),
            "label must match"
        );
        for cut in [0, 8, 20, bytes.len() - 1] {
            assert!(
                Classifier::parse(&bytes[..cut], "ITAR").is_err(),
                "cut at {cut}"
            );
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(Classifier::parse(&extra, "ITAR").is_err());
        let mut bad = bytes.clone();
        bad[8] = 9;
        assert!(Classifier::parse(&bad, "ITAR").is_err(), "version");
        assert!(m.memory() == 1 << 16);
    }
}
