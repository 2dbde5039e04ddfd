//! Scanning: every signal of the policy, plus the built-in encoded-segment finders, compiled into ONE
//! multi-pattern lazy DFA (regex-automata hybrid) with ASCII syntax, searched in one pass over the
//! normalized text. Rules then judge the matches: bare matches, corroboration within a window,
//! exclusions and validators. Encoded segments (base64, hex, URL-encoding, ROT13 after a hint) are
//! decoded, normalized and scanned again, bounded in depth and bytes.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use regex_automata::hybrid::regex::{Cache, Regex};
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::{hybrid, Anchored, Input, MatchKind};

use crate::classify::Classifier;
use crate::ends::{EndCache, EndFinder, Lanes};
use crate::error::{InspectError, PolicyError};
use crate::fingerprint::Fingerprints;
use crate::normalize::{normalize_into, Changes, Normalized};
use crate::policy::{
    ClassifierRef, FingerprintRef, LabelAction, Limits, Policy, Signal, Validator, MAX_SUPPORT,
};

/// The hints go BEFORE the policy's signals: "ROT13" is also shaped like an identifier a policy
/// signal may claim, and the hint must win at its position. A hint asks for a candidate decoding
/// of the text near it, scanned beside the original: ROT13 after "rot13"; reversed text around a
/// request to reverse or read backwards; and for the shape of a marking (two words joined by
/// `//`, as in a CAPCO banner, or a digit standing for a letter; `://` is not it), the text
/// around it both reversed and in ROT13 (`NROFON//TERCES`, `FRPERG//ABSBEA`), and apart, with
/// leetspeak digits read as letters (`53CR37//N0F0RN`, `(5//NF)`; `Decoder::Leet`).
/// The judge stops reading a rule's support once even all of what is left could not reach the
/// threshold. That bound is a running f32 sum over dozens of weights, so it carries rounding; it
/// only stops with this much to spare, and a score that reaches the threshold exactly (as
/// `itar-policy explain --scores` computes it, reading all support) is never cut short.
const BOUND_SLACK: f32 = 1e-3;

const HINT_DECODERS: &[(Decoder, &str)] = &[
    (Decoder::Shape, r"[A-Za-z0-9]//[A-Za-z0-9]"),
    (Decoder::Rot13, r"(?i)\brot[ -]?13\b"),
    (
        Decoder::Reversed,
        r"(?i)\b(?:revers(?:e|ed|ing)|backwards?|right[ -]to[ -]left)\b",
    ),
];

/// Encoded segments, as patterns. The scan does NOT put them in its automaton (their counted
/// repetitions multiply lazy-DFA states and cost a quarter of the throughput): `find_encoded`
/// finds the same runs with a skip-ahead byte loop. The stream hold-back DFA still uses them, so a
/// stream never releases half of an encoded run.
const DECODERS: &[(Decoder, &str)] = &[
    (Decoder::Hex, r"\b(?:[0-9A-Fa-f]{2}){16,}\b"),
    (
        Decoder::Base64,
        r"[A-Za-z0-9+/]{24,}(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/]{4,})*={0,2}",
    ),
    (
        Decoder::Url,
        r"%[0-9A-Fa-f]{2}(?:[A-Za-z0-9._~+-]{0,12}%[0-9A-Fa-f]{2}){3,}[A-Za-z0-9._~+-]*",
    ),
];

/// Patterns the first pass (`EndFinder`) looks for besides the automaton's: where the first
/// escape of each kind is, so that its finder starts there instead of reading the whole text (a
/// text without one skips it): a percent-escape (URL), four byte pairs in a row written as
/// spaced, colon-separated or `0x`-prefixed hex, a quoted-printable `=XX`, an ascii85 `<~`,
/// six characters in a row each followed by one space, dot, dash or underscore, the first at a
/// word start (letter-spacing; `LETTER_SPACED_MIN`: prose with `a a` in it does not wake it).
const PROBES: &[&str] = &[
    r"%[0-9A-Fa-f]{2}",
    r"\b(?:0[xX])?[0-9A-Fa-f]{2}(?:(?:[ :]|, ?)(?:0[xX])?[0-9A-Fa-f]{2}){3}\b",
    r"=[0-9A-F]{2}",
    r"<~",
    r"(?:\b[A-Za-z0-9]|[!-/:-@\[-`{-~])(?:[ .\-_][!-~]){5}",
];
/// Index of each probe in `PROBES` (and in `Escapes`).
const PROBE_URL: usize = 0;
const PROBE_SPACED_HEX: usize = 1;
const PROBE_QP: usize = 2;
const PROBE_A85: usize = 3;
const PROBE_SPACED_LETTERS: usize = 4;
/// Where the first match of each probe starts (the text's length if none).
type Escapes = [usize; PROBES.len()];

/// From a first pass's ends (`count` patterns, then `PROBES`): where each probe's first match
/// starts at the latest (`len` if none: an end minus the probe's longest match), and whether a
/// match of one of the `count` patterns ends anywhere.
fn probed(ends: &[(usize, u32)], count: usize, len: usize) -> (Escapes, bool) {
    const LONGEST: [usize; PROBES.len()] = [3, 4 * 4 + 3 * 2, 3, 2, 11];
    let mut first = [len; PROBES.len()];
    for &(e, p) in ends {
        if let Some(k) = (p as usize).checked_sub(count) {
            if let (Some(slot), Some(l)) = (first.get_mut(k), LONGEST.get(k)) {
                if *slot == len {
                    *slot = e.saturating_sub(*l);
                }
            }
        }
    }
    (first, ends.iter().any(|&(_, p)| (p as usize) < count))
}

/// Work bound of the scan. The exact scan restarts after every match at the match's start + 1, so
/// a nested match (a compartment inside a banner) is seen too. On ordinary text that re-reads a few
/// bytes per match; on crafted text (a run where every position starts a long match, or where a
/// pattern's thread stays alive for the whole run) it re-reads the run once per match: quadratic.
/// The automaton counts the bytes it walks; once a text has cost `WORK_PER_BYTE` times its length
/// (plus `WORK_SLACK`), the rest of it is scanned by the bounded path: one anchored search per
/// position that can start a match, each looking at most `WINDOW` bytes ahead.
const WORK_PER_BYTE: usize = 32;
const WORK_SLACK: usize = 256 * 1024;
/// Longest match (and look-ahead for the leftmost-first choice) on the bounded path; also the
/// longest walk of one candidate start in the stream hold-back search.
pub const WINDOW: usize = 256;
/// Stream hold-back search: bytes one call may walk per byte of its window (see `hold_start`).
const HOLD_WORK_PER_BYTE: usize = 16;

/// Look-behind contexts that select an anchored start state (regex-automata's `Start` kinds).
const CONTEXTS: [Option<u8>; 5] = [None, Some(b'\n'), Some(b'\r'), Some(b'a'), Some(b' ')];

fn context_of(text: &[u8], p: usize) -> usize {
    match p.checked_sub(1).and_then(|i| text.get(i)) {
        None => 0,
        Some(b'\n') => 1,
        Some(b'\r') => 2,
        Some(b) if b.is_ascii_alphanumeric() || *b == b'_' => 3,
        Some(_) => 4,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoder {
    Hex,
    Base64,
    Url,
    Rot13,
    SpacedHex,
    QuotedPrintable,
    Ascii85,
    Reversed,
    /// Reversed and ROT13 together, around a marking-shaped `X//Y`.
    Shape,
    /// Leetspeak digits read as letters (`53CR37` -> `SECRET`), around a marking-shaped `X//Y`
    /// (the same hint as `Shape`, its own job: only a window it changes is scanned).
    Leet,
    /// Letter-spaced text (`S E C R E T / / N F`, `C.U.I././.S.P`) joined back into words.
    LetterSpaced,
}

/// A rule ready to judge matches.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub id: String,
    pub label: String,
    pub level: Option<String>,
    pub tag: Option<String>,
    pub action: Option<LabelAction>,
    /// The signal whose matches it judges.
    primary: usize,
    /// Added to a match's score inside concealed text (`Rule::concealed`).
    concealed: f32,
    confidence: f32,
    pub threshold: f32,
    window: usize,
    /// (signal, weight, min_count, specificity)
    support: Vec<(usize, f32, usize, f32)>,
    exclude: Vec<(usize, usize)>,
    /// Civil-use signals that keep a match from firing (`Rule::release`), and the defense
    /// anchors that overrule them (`Rule::anchor`).
    release: Vec<usize>,
    anchor: Vec<usize>,
    validate: Option<Validator>,
    /// Its findings are redacted (rule action, else the label's action).
    redacts: bool,
    /// Sum of the positive support weights (an upper bound on what support can add).
    positive_support: f32,
    /// Some support entry carries specificity (cues and exclusions may then not apply).
    specific_support: bool,
}

impl CompiledRule {
    /// The signal whose matches the rule judges (None for a classifier's rule).
    pub fn primary_signal(&self) -> Option<usize> {
        (self.primary != usize::MAX).then_some(self.primary)
    }
}

/// One rule firing, in the coordinates of the text that was scanned.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: usize,
    pub start: usize,
    pub end: usize,
    pub confidence: f32,
    /// Which of the rule's support entries counted (bit i = entry i; negative entries only when
    /// they were applied): the features behind the score, for the audit record.
    pub features: u64,
}

/// Hits of one document at most this many bytes apart are one excerpt (one finding).
const FINGERPRINT_JOIN: usize = 1024;
/// Findings one artifact files for one text at most (each names a document or a run of it).
const MAX_FINGERPRINT_FINDINGS: usize = 16;

/// Bit of `Finding::features` for a rule's `concealed` weight (support entries take the bits
/// below it: `MAX_SUPPORT`).
const CONCEALED_BIT: u64 = 1 << MAX_SUPPORT;

/// Where the text being judged was concealed by its sender.
#[derive(Clone, Copy)]
enum Concealed<'a> {
    /// All of it (decoded from an encoding or a letter rewrite).
    All,
    /// These ranges (sorted): tag characters, a right-to-left override.
    Ranges(&'a [(u32, u32)]),
}

impl Concealed<'_> {
    fn covers(&self, s: usize, e: usize) -> bool {
        match self {
            Concealed::All => true,
            Concealed::Ranges(r) => r.iter().any(|&(a, b)| (a as usize) < e && s < b as usize),
        }
    }
}

/// A level of the recursive scan: how deep in decoded segments, whether the text is a letter
/// rewrite already, and the concealed and framing ranges of the top level.
#[derive(Clone, Copy)]
struct Level<'a> {
    depth: u8,
    rewritten: bool,
    hidden: &'a [(u32, u32)],
    framing: &'a [(u32, u32)],
}

/// Per-VM scratch space reused across requests (the per-request path allocates as little as it can).
pub struct ScanCache {
    dfa: Cache,
    lead: EndCache,
    ends: EndCache,
    /// Where matches end, and of which pattern (the first pass), then the merged spans in which
    /// they start.
    end_offsets: Vec<(usize, u32)>,
    spans: Vec<(usize, usize)>,
    /// From the first pass: where the first escape of each probe's kind starts (the text's
    /// length if there is none); `None` when the first pass did not run or gave up.
    escape_from: Option<Escapes>,
    hold: hybrid::dfa::Cache,
    hold_encoded: hybrid::dfa::Cache,
    by_signal: Vec<Vec<(u32, u32)>>,
    /// The signals whose list in `by_signal` is not empty, ascending once `collect` returns: a
    /// text clears and judges the few signals it matched, not every signal of the policy.
    touched: Vec<u32>,
    /// The matches of every rule's primary signal, by start, each with the index of the match
    /// that ends last among it and those before it (see `explained`); filled only when an
    /// exclusion has something to judge.
    primaries: Vec<(u32, u32, u32)>,
    decode_jobs: Vec<(Decoder, usize, usize)>,
}

/// Counters of a scan cache's lazy DFAs (tests and benchmarks): how often each cache was
/// cleared, and its heap bytes now.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub lead_clears: usize,
    pub ends_clears: usize,
    pub forward_clears: usize,
    pub reverse_clears: usize,
    /// Heap bytes of the leading pass's, the full pass's and the exact loop's caches.
    pub bytes: [usize; 3],
}

impl ScanCache {
    #[doc(hidden)]
    pub fn stats(&self) -> CacheStats {
        let (f, r) = self.dfa.as_parts();
        CacheStats {
            lead_clears: self.lead.clears(),
            ends_clears: self.ends.clears(),
            forward_clears: f.clear_count(),
            reverse_clears: r.clear_count(),
            bytes: [
                self.lead.memory(),
                self.ends.memory(),
                self.dfa.memory_usage(),
            ],
        }
    }
}

#[derive(Debug)]
pub struct Scanner {
    re: Regex,
    /// The first pass: where matches end (see `collect`).
    ends: EndFinder,
    /// Forward DFA over the same patterns with all-matches semantics, for streams: tells how much
    /// of a text's tail could still be the start of a match once more text arrives.
    hold: hybrid::dfa::DFA,
    /// The same for encoded runs (`DECODERS`), which the scan finds without its automaton: a
    /// stream never releases half of one.
    hold_encoded: hybrid::dfa::DFA,
    /// Rules a stream holds a completed primary match of until their window closes (they need
    /// more than that match to decide): (pattern in `hold`, rule, window).
    stream_held: Vec<(u32, u32, u32)>,
    /// Hold-back a stream needs so that no match and no corroborated rule's window is cut short:
    /// the longest match of any pattern (bounded by `WINDOW` where a pattern is unbounded) and,
    /// for held rules, their primary's longest match plus their window.
    stream_need: usize,
    signal_ids: Vec<String>,
    /// Per signal: bytes at which a reported span starts (see `Signal::span_from`).
    span_from: Vec<Option<Vec<u8>>>,
    /// Per look-behind context (see `CONTEXTS`), a 256-bit set of the first bytes with which a
    /// match can begin: the bounded path only searches from those positions.
    can_start: [[u64; 4]; 5],
    pub rules: Vec<CompiledRule>,
    /// signal index -> rules whose primary it is
    rules_by_primary: Vec<Vec<usize>>,
    /// Rules with `exclude` entries.
    excluding: Vec<usize>,
    /// Patterns in the automaton (`ends` has `PROBES` after them).
    pattern_count: usize,
    /// The leading pass: like `ends`, but over the patterns whose match can lead to a finding on
    /// its own (the ROT13 hint and every rule's primary signal), then `PROBES`. The other
    /// signals (decoys, cues, hotwords, quantities ...) only count near such a match, so a text
    /// where none ends files nothing. Fewer patterns make a smaller, faster automaton.
    lead: EndFinder,
    /// Patterns in `lead` before its probes.
    lead_count: usize,
    /// Trained classifiers, each with the rule (in `rules`, no primary signal) its findings name
    /// and the signals of which one must match in its window (`ClassifierRef::corroborate`).
    classifiers: Vec<(Classifier, usize, Vec<usize>)>,
    /// Document fingerprint artifacts, each with the rule (in `rules`, no primary signal) its
    /// findings name; a finding's `features` is the document's index in the artifact.
    fingerprints: Vec<(Fingerprints, usize)>,
    limits: Limits,
}

/// Result of scanning one text.
#[derive(Debug, Default)]
pub struct ScanOutput {
    pub findings: Vec<Finding>,
    pub changes: Changes,
    pub decoded_bytes: usize,
}

/// A character of a pattern as normalization leaves it in the text the pattern will meet
/// (`СЕКРЕТНО` is scanned as `CEKPETHO`, `DÉFENSE` as `DEFENSE`; CJK and Arabic stay as they are).
fn folded(c: char) -> String {
    if c.is_ascii() {
        return c.to_string();
    }
    let mut buf = [0u8; 4];
    let mut n = Normalized::with_capacity(8);
    normalize_into(&mut n, c.encode_utf8(&mut buf), 0);
    String::from_utf8(n.text).unwrap_or_else(|_| c.to_string())
}

/// Push `s` (a folded character) as a regex literal, escaped; several characters as one group.
fn push_literal(out: &mut String, s: &str) {
    let several = s.chars().count() > 1;
    if several {
        out.push_str("(?:");
    }
    for c in s.chars() {
        if r"\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    if several {
        out.push(')');
    }
}

/// A non-ASCII character of a term: its folded form; case-insensitive terms accept both cases
/// (ASCII-syntax `(?i)` folds ASCII only, so `секретно` and `СЕКРЕТНО` need an alternation where
/// the two do not fold to ASCII letters of one pair).
fn push_term_char(out: &mut String, c: char, case_insensitive: bool) {
    let f = folded(c);
    if case_insensitive {
        let mut lo = c.to_lowercase();
        let mut up = c.to_uppercase();
        if let (Some(l), None, Some(u), None) = (lo.next(), lo.next(), up.next(), up.next()) {
            let (fl, fu) = (folded(l), folded(u));
            if !fl.eq_ignore_ascii_case(&fu) {
                out.push_str("(?:");
                push_literal(out, &fl);
                out.push('|');
                push_literal(out, &fu);
                out.push(')');
                return;
            }
        }
    }
    push_literal(out, &f);
}

/// Non-ASCII characters of a regex signal folded like the text (`(?i)` still folds ASCII only).
/// A character that folds to several cannot be placed inside a class, so it is refused.
fn fold_regex(re: &str) -> Result<String, String> {
    if re.is_ascii() {
        return Ok(re.to_string());
    }
    let mut out = String::with_capacity(re.len());
    for c in re.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        let f = folded(c);
        if f.chars().count() == 1 && f.is_ascii() {
            push_literal(&mut out, &f);
        } else if f.chars().count() <= 1 {
            out.push_str(&f);
        } else {
            return Err(format!(
                "{c:?} is scanned as {f:?}: write that in the pattern instead"
            ));
        }
    }
    Ok(out)
}

fn escape_term(term: &str, leet: bool, flex: bool, case_insensitive: bool) -> String {
    term_atoms(term, leet, flex, case_insensitive).concat()
}

/// A term as the pattern pieces of its characters, in order (a run of whitespace is one piece):
/// what `escape_term` joins, and what `term_trie` shares between terms.
fn term_atoms(term: &str, leet: bool, flex: bool, case_insensitive: bool) -> Vec<String> {
    let mut atoms: Vec<String> = Vec::with_capacity(term.len());
    let mut in_space = false;
    for c in term.chars() {
        if c.is_whitespace() {
            if !in_space {
                atoms.push(if flex { r"[\s./_*-]*" } else { r"\s+" }.to_string());
            }
            in_space = true;
            continue;
        }
        in_space = false;
        let mut out = String::new();
        if flex && c == '/' {
            out.push_str(r"\s*/\s*");
        } else if !c.is_ascii() {
            push_term_char(&mut out, c, case_insensitive);
        } else {
            let class = match (leet, c.to_ascii_lowercase()) {
                (false, _) => None,
                (true, 'a') => Some("[a4@]"),
                (true, 'b') => Some("[b8]"),
                (true, 'e') => Some("[e3]"),
                (true, 'g') => Some("[g9]"),
                (true, 'i') => Some("[i1!|]"),
                (true, 'l') => Some("[l1|]"),
                (true, 'o') => Some("[o0]"),
                (true, 's') => Some("[s5$]"),
                (true, 't') => Some("[t7+]"),
                (true, 'z') => Some("[z2]"),
                _ => None,
            };
            match class {
                Some(class) => out.push_str(class),
                // Under `(?i)` an ASCII letter matches both cases: one piece for both.
                None if case_insensitive => {
                    push_literal(&mut out, c.to_ascii_lowercase().encode_utf8(&mut [0u8; 4]))
                }
                None => push_literal(&mut out, c.encode_utf8(&mut [0u8; 4])),
            }
        }
        atoms.push(out);
    }
    atoms
}

/// An alternation of terms written as a trie of their pieces: terms that begin alike share the
/// automaton states of their common beginning (a vocabulary of thousands of terms compiles to a
/// third fewer states). Where one term continues another, the longer match is preferred.
fn term_trie<'a>(terms: impl Iterator<Item = &'a String>, s: &Signal) -> String {
    #[derive(Default)]
    struct Node {
        end: bool,
        next: Vec<(String, Node)>,
    }
    fn emit(node: &Node, out: &mut String) {
        let group = node.next.len() > 1 || (node.end && !node.next.is_empty());
        if group {
            out.push_str("(?:");
        }
        for (i, (atom, child)) in node.next.iter().enumerate() {
            if i > 0 {
                out.push('|');
            }
            out.push_str(atom);
            emit(child, out);
        }
        if group {
            out.push(')');
            if node.end {
                out.push('?');
            }
        }
    }
    let mut root = Node::default();
    for t in terms {
        let mut node = &mut root;
        for atom in term_atoms(t, s.leet, s.flex_space, s.case_insensitive) {
            let at = match node.next.iter().position(|(a, _)| *a == atom) {
                Some(at) => at,
                None => {
                    node.next.push((atom, Node::default()));
                    node.next.len() - 1
                }
            };
            let Some((_, child)) = node.next.get_mut(at) else {
                break;
            };
            node = child;
        }
        node.end = true;
    }
    let mut out = String::from("(?:");
    emit(&root, &mut out);
    out.push(')');
    out
}

/// Whether a term's edge (first or last character, as scanned) is outside ASCII: an ASCII `\b`
/// there would need an ASCII word character beside a CJK, Arabic or Cyrillic letter, so such an
/// edge gets no boundary (the script's own context belongs in the rules).
fn non_ascii_edge(term: &str, last: bool) -> bool {
    let t = term.trim();
    let c = if last {
        t.chars().last()
    } else {
        t.chars().next()
    };
    c.is_some_and(|c| folded(c).bytes().next().is_some_and(|b| b >= 0x80))
}

fn signal_pattern(s: &Signal) -> Result<String, String> {
    if let Some(re) = &s.regex {
        return fold_regex(re);
    }
    let flags = if s.case_insensitive { "(?i)" } else { "" };
    let esc = |t: &String| escape_term(t, s.leet, s.flex_space, s.case_insensitive);
    if !s.whole_word {
        return Ok(format!("{flags}{}", term_trie(s.terms.iter(), s)));
    }
    let (plain, edged): (Vec<&String>, Vec<&String>) = s
        .terms
        .iter()
        .partition(|t| !non_ascii_edge(t, false) && !non_ascii_edge(t, true));
    let mut parts = Vec::with_capacity(2);
    if !plain.is_empty() {
        parts.push(format!(r"\b{}\b", term_trie(plain.into_iter(), s)));
    }
    for t in edged {
        let lead = if non_ascii_edge(t, false) { "" } else { r"\b" };
        let tail = if non_ascii_edge(t, true) { "" } else { r"\b" };
        parts.push(format!("{lead}{}{tail}", esc(t)));
    }
    Ok(format!("{flags}{}", parts.join("|")))
}

/// Heap bytes of one signal's forward NFA compiled alone (what it adds to each automaton,
/// roughly): `examples/memory` lists the largest.
#[doc(hidden)]
pub fn signal_nfa_bytes(s: &Signal) -> Result<(usize, usize), String> {
    let p = signal_pattern(s)?;
    let nfa = thompson::Compiler::new()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(
            thompson::Config::new()
                .utf8(false)
                .which_captures(thompson::WhichCaptures::None),
        )
        .build(&p)
        .map_err(|e| e.to_string())?;
    Ok((nfa.memory_usage(), nfa.states().len()))
}

impl Scanner {
    pub fn compile(policy: &Policy) -> Result<Scanner, PolicyError> {
        Scanner::compile_loaded(policy, load_all_fingerprints(policy)?)
    }

    /// [`Scanner::compile`] with the policy's fingerprint artifacts already read
    /// ([`load_all_fingerprints`], in the policy's order): the caller can drop their inlined
    /// text before the automata are built, so the two never take memory at the same time.
    pub fn compile_loaded(
        policy: &Policy,
        loaded: Vec<Fingerprints>,
    ) -> Result<Scanner, PolicyError> {
        let syntax_cfg = syntax::Config::new().unicode(false).utf8(false);
        let mut patterns = Vec::with_capacity(policy.signals.len() + DECODERS.len() + 1);
        patterns.extend(HINT_DECODERS.iter().map(|(_, p)| p.to_string()));
        let mut longest = Vec::with_capacity(policy.signals.len());
        for s in &policy.signals {
            let p = signal_pattern(s).map_err(|why| PolicyError::Pattern {
                signal: s.id.clone(),
                why,
            })?;
            let hir = syntax::parse_with(&p, &syntax_cfg).map_err(|e| PolicyError::Pattern {
                signal: s.id.clone(),
                why: e.to_string(),
            })?;
            if hir.properties().minimum_len().unwrap_or(0) == 0 {
                return Err(PolicyError::Pattern {
                    signal: s.id.clone(),
                    why: "pattern can match the empty string".into(),
                });
            }
            longest.push(
                hir.properties()
                    .maximum_len()
                    .map_or(WINDOW, |n| n.min(WINDOW)),
            );
            patterns.push(p);
        }
        let pattern_count = patterns.len();
        // One forward NFA serves the scan's leftmost-first search, its first pass and the
        // stream hold-back (their lazy DFAs differ, the NFA is shared): the patterns, then
        // `PROBES`, whose matches only the first pass reads (`record` drops them).
        let mut first_pass = patterns;
        first_pass.extend(PROBES.iter().map(|p| p.to_string()));
        let nfa = |reverse: bool, pats: &[String]| {
            thompson::Compiler::new()
                .syntax(syntax_cfg)
                .configure(
                    thompson::Config::new()
                        .utf8(false)
                        .reverse(reverse)
                        .which_captures(thompson::WhichCaptures::None),
                )
                .build_many(pats)
                .map_err(|e| PolicyError::Automaton(e.to_string()))
        };
        let forward_nfa = nfa(false, &first_pass)?;
        let automaton = |e: hybrid::BuildError| PolicyError::Automaton(e.to_string());
        let forward = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::DFA::config()
                    .match_kind(MatchKind::LeftmostFirst)
                    // Per-pattern start states: the reverse search that finds a match's start
                    // follows only the pattern that matched (see `collect`).
                    .starts_for_each_pattern(true)
                    // Decoded windows (marking shapes reversed, in ROT13, leetspeak read as
                    // letters) are searched here too: on varied English with a leading match every
                    // ~2 KB the states pass 8 MB, and each clear rebuilt them (1 MB/s).
                    .cache_capacity(16 * 1024 * 1024),
            )
            .build_from_nfa(forward_nfa.clone())
            .map_err(automaton)?;
        let reverse = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::DFA::config()
                    .match_kind(MatchKind::All)
                    .prefilter(None)
                    .specialize_start_states(false)
                    .starts_for_each_pattern(true)
                    .cache_capacity(8 * 1024 * 1024),
            )
            .build_from_nfa(nfa(true, &first_pass)?)
            .map_err(automaton)?;
        let re = Regex::builder().build_from_dfas(forward, reverse);
        let ends = EndFinder::from_nfa(forward_nfa.clone(), Lanes::FULL)?;
        let hold = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(4 * 1024 * 1024),
            )
            .build_from_nfa(forward_nfa)
            .map_err(automaton)?;
        let encoded: Vec<String> = DECODERS.iter().map(|(_, p)| p.to_string()).collect();
        let hold_encoded = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(1024 * 1024),
            )
            .build_from_nfa(nfa(false, &encoded)?)
            .map_err(automaton)?;
        let can_start = first_bytes(&re);
        let index = |id: &str| policy.signals.iter().position(|s| s.id == id);
        let mut rules = Vec::with_capacity(policy.rules.len());
        let mut rules_by_primary = vec![Vec::new(); policy.signals.len()];
        for r in &policy.rules {
            let missing = |sig: &str| PolicyError::Invalid {
                at: format!("rules ({})", r.id),
                why: format!("unknown signal {sig:?}"),
            };
            let primary = index(&r.signal).ok_or_else(|| missing(&r.signal))?;
            let mut support = Vec::with_capacity(r.support.len());
            for s in &r.support {
                support.push((
                    index(&s.signal).ok_or_else(|| missing(&s.signal))?,
                    s.weight,
                    s.min_count.max(1),
                    s.specificity,
                ));
            }
            let mut exclude = Vec::with_capacity(r.exclude.len());
            for e in &r.exclude {
                exclude.push((
                    index(&e.signal).ok_or_else(|| missing(&e.signal))?,
                    e.window,
                ));
            }
            let signals = |ids: &[String]| {
                ids.iter()
                    .map(|id| index(id).ok_or_else(|| missing(id)))
                    .collect::<Result<Vec<_>, _>>()
            };
            let (release, anchor) = (signals(&r.release)?, signals(&r.anchor)?);
            if let Some(list) = rules_by_primary.get_mut(primary) {
                list.push(rules.len());
            }
            rules.push(CompiledRule {
                id: r.id.clone(),
                label: r.label.clone(),
                level: r.level.clone(),
                tag: r.tag.clone(),
                action: r.action,
                primary,
                concealed: r.concealed,
                confidence: r.confidence,
                threshold: r.threshold.unwrap_or(r.confidence),
                window: r.window,
                support,
                exclude,
                release,
                anchor,
                validate: r.validate,
                positive_support: r.support.iter().map(|s| s.weight.max(0.0)).sum(),
                specific_support: r.support.iter().any(|s| s.specificity > 0.0),
                redacts: matches!(
                    r.action
                        .or_else(|| policy.labels.get(&r.label).map(|l| l.action)),
                    Some(LabelAction::Redact | LabelAction::Mask)
                ),
            });
        }
        let mut classifiers = Vec::with_capacity(policy.classifiers.len());
        for c in &policy.classifiers {
            let model = load_classifier(c)?;
            let mut corroborate = Vec::with_capacity(c.corroborate.len());
            for id in &c.corroborate {
                corroborate.push(index(id).ok_or_else(|| PolicyError::Invalid {
                    at: format!("classifiers ({})", c.label),
                    why: format!("unknown signal {id:?} in corroborate"),
                })?);
            }
            let action = policy.labels.get(&c.label).map(|l| l.action);
            if matches!(action, Some(LabelAction::Redact | LabelAction::Mask)) {
                return Err(PolicyError::Invalid {
                    at: format!("classifiers ({})", c.label),
                    why: "a classifier judges a window of text, not a span to redact: its label's action must not be redact or mask".into(),
                });
            }
            classifiers.push((model, rules.len(), corroborate));
            rules.push(CompiledRule {
                id: format!("classifier.{}", c.label),
                label: c.label.clone(),
                level: None,
                tag: None,
                action: None,
                primary: usize::MAX,
                concealed: 0.0,
                confidence: c.threshold,
                threshold: c.threshold,
                window: 0,
                support: Vec::new(),
                exclude: Vec::new(),
                release: Vec::new(),
                anchor: Vec::new(),
                validate: None,
                redacts: false,
                positive_support: 0.0,
                specific_support: false,
            });
        }
        let mut fingerprint_rules = Vec::with_capacity(policy.fingerprints.len());
        for f in &policy.fingerprints {
            let at = format!("fingerprints ({})", f.label);
            let action = policy.labels.get(&f.label).map(|l| l.action);
            if matches!(action, Some(LabelAction::Redact | LabelAction::Mask)) {
                return Err(PolicyError::Invalid {
                    at,
                    why: "an excerpt of a controlled document is not a value to cut out: its label's action must not be redact or mask".into(),
                });
            }
            fingerprint_rules.push((f, rules.len()));
            rules.push(CompiledRule {
                id: format!("fingerprint.{}", f.label),
                label: f.label.clone(),
                level: None,
                tag: None,
                action: None,
                primary: usize::MAX,
                concealed: 0.0,
                confidence: 1.0,
                threshold: 1.0,
                window: 0,
                support: Vec::new(),
                exclude: Vec::new(),
                release: Vec::new(),
                anchor: Vec::new(),
                validate: None,
                redacts: false,
                positive_support: 0.0,
                specific_support: false,
            });
        }
        let mut stream_held = Vec::new();
        let mut stream_need = longest.iter().copied().max().unwrap_or(0);
        for (ri, r) in rules.iter().enumerate() {
            let undecided =
                r.threshold > r.confidence + 1e-6 || (!r.exclude.is_empty() && r.specific_support);
            if !undecided || r.window == 0 {
                continue;
            }
            let len = longest.get(r.primary).copied().unwrap_or(WINDOW);
            stream_need = stream_need.max(len + r.window);
            stream_held.push((
                (HINT_DECODERS.len() + r.primary) as u32,
                ri as u32,
                r.window.min(u32::MAX as usize) as u32,
            ));
        }
        // Hints, then the primary signals, in automaton order.
        let mut leading: Vec<String> = first_pass
            .iter()
            .take(HINT_DECODERS.len())
            .cloned()
            .collect();
        leading.extend(
            first_pass
                .iter()
                .skip(HINT_DECODERS.len())
                .zip(&rules_by_primary)
                .filter(|(_, rules)| !rules.is_empty())
                .map(|(p, _)| p.clone()),
        );
        let lead_count = leading.len();
        leading.extend(PROBES.iter().map(|p| p.to_string()));
        let lead = EndFinder::build(&leading, syntax_cfg, Lanes::LEAD)?;
        if loaded.len() != fingerprint_rules.len() {
            return Err(PolicyError::Invalid {
                at: "fingerprints".into(),
                why: "the artifacts read are not the policy's".into(),
            });
        }
        let fingerprints: Vec<(Fingerprints, usize)> = loaded
            .into_iter()
            .zip(fingerprint_rules)
            .map(|(f, (_, ri))| (f, ri))
            .collect();
        Ok(Scanner {
            pattern_count,
            lead,
            lead_count,
            re,
            ends,
            hold,
            hold_encoded,
            stream_held,
            stream_need,
            can_start,
            signal_ids: policy.signals.iter().map(|s| s.id.clone()).collect(),
            span_from: policy
                .signals
                .iter()
                .map(|s| {
                    s.span_from
                        .as_ref()
                        .filter(|f| !f.is_empty())
                        .map(|f| f.as_bytes().to_vec())
                })
                .collect(),
            excluding: rules
                .iter()
                .enumerate()
                .filter(|(_, r)| !r.exclude.is_empty())
                .map(|(i, _)| i)
                .collect(),
            rules,
            rules_by_primary,
            classifiers,
            fingerprints,
            limits: policy.limits.clone(),
        })
    }

    /// Bytes the fingerprint artifacts in force hold.
    pub fn fingerprint_memory(&self) -> usize {
        self.fingerprints.iter().map(|(f, _)| f.memory()).sum()
    }

    /// Excerpts of fingerprinted documents in `text` (words in `framing` left out): one finding
    /// per document and run of hits, spanning its fingerprints' shingles (hits of a document
    /// less than a window apart join). A finding's `features` is the document's index.
    fn fingerprint(&self, text: &[u8], framing: &[(u32, u32)], findings: &mut Vec<Finding>) {
        for (fp, ri) in &self.fingerprints {
            let first = findings.len();
            fp.find(text, framing, |doc, start, end| {
                let doc = doc as u64;
                let filed = findings.len().saturating_sub(first);
                let joined = findings.get_mut(first..).and_then(|f| {
                    f.iter_mut()
                        .rev()
                        .find(|f| f.features == doc && start <= f.end + FINGERPRINT_JOIN)
                });
                match joined {
                    Some(f) => f.end = f.end.max(end),
                    None if filed < MAX_FINGERPRINT_FINDINGS => findings.push(Finding {
                        rule: *ri,
                        start,
                        end,
                        confidence: 1.0,
                        features: doc,
                    }),
                    None => {}
                }
            });
        }
    }

    /// The classifiers in force: (label, bytes of weights).
    pub fn classifier_memory(&self) -> usize {
        self.classifiers.iter().map(|(c, _, _)| c.memory()).sum()
    }

    /// The classifiers' judgement of `text` (all with `all`, else those at their threshold whose
    /// window holds a corroborating match; `cache.by_signal` holds the text's matches). A
    /// classifier with corroborating signals judges only the text around their matches (a
    /// window's reach on either side): a text without one costs it nothing. Tokens in `framing`
    /// (sorted) are left out.
    fn classify(
        &self,
        cache: &ScanCache,
        text: &[u8],
        framing: &[(u32, u32)],
        findings: &mut Vec<Finding>,
        all: bool,
    ) {
        for (model, ri, corroborate) in &self.classifiers {
            let Some(rule) = self.rules.get(*ri) else {
                continue;
            };
            let verdict = match corroborate.is_empty() {
                true => model.judge_skipping(text, framing, 0),
                false => self.judge_near(model, cache, corroborate, text, framing),
            };
            let Some(v) = verdict else {
                continue;
            };
            if all || v.probability + 1e-6 >= rule.threshold {
                findings.push(Finding {
                    rule: *ri,
                    start: v.start,
                    end: v.end,
                    confidence: v.probability,
                    features: 0,
                });
            }
        }
    }

    /// The best corroborated window: `model` judges the regions around each match of the
    /// `corroborate` signals (merged where they meet), and a region's best window counts when it
    /// holds such a match.
    fn judge_near(
        &self,
        model: &Classifier,
        cache: &ScanCache,
        corroborate: &[usize],
        text: &[u8],
        framing: &[(u32, u32)],
    ) -> Option<crate::classify::Verdict> {
        // Bytes a window of tokens can reach on either side of a match (words and spaces).
        let reach = model.window().saturating_mul(8);
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for &sig in corroborate {
            if let Some(h) = cache.by_signal.get(sig) {
                hits.extend(h.iter().map(|&(s, e)| (s as usize, e as usize)));
            }
        }
        if hits.is_empty() {
            return None;
        }
        hits.sort_unstable();
        let mut best: Option<crate::classify::Verdict> = None;
        let mut i = 0;
        while let Some(&(s0, e0)) = hits.get(i) {
            // One region: this match and every later one whose reach meets it.
            let (lo, mut hi) = (s0.saturating_sub(reach), (e0 + reach).min(text.len()));
            let mut j = i + 1;
            while let Some(&(s, e)) = hits.get(j) {
                if s.saturating_sub(reach) > hi {
                    break;
                }
                hi = hi.max((e + reach).min(text.len()));
                j += 1;
            }
            let region = text.get(lo..hi).unwrap_or_default();
            if let Some(mut v) = model.judge_skipping(region, framing, lo) {
                v.start += lo;
                v.end += lo;
                let held = hits
                    .get(i..j)
                    .unwrap_or_default()
                    .iter()
                    .any(|&(s, e)| s < v.end && v.start < e);
                if held && best.is_none_or(|b| v.probability > b.probability) {
                    best = Some(v);
                }
            }
            i = j;
        }
        best
    }

    /// `itar-policy explain`: each classifier's best window of `text` and its weightiest features.
    pub fn explain_classifiers(&self, text: &[u8], top: usize) -> Vec<ClassifierExplained> {
        self.classifiers
            .iter()
            .map(|(m, ri, _)| {
                let threshold = self.rules.get(*ri).map_or(1.0, |r| r.threshold);
                let found = m
                    .explain(text, top)
                    .map(|(v, feats)| (v.probability, feats));
                (m.label.clone(), threshold, found)
            })
            .collect()
    }

    pub fn new_cache(&self) -> ScanCache {
        ScanCache {
            dfa: self.re.create_cache(),
            lead: self.lead.create_cache(),
            ends: self.ends.create_cache(),
            end_offsets: Vec::new(),
            spans: Vec::new(),
            escape_from: None,
            hold: self.hold.create_cache(),
            hold_encoded: self.hold_encoded.create_cache(),
            by_signal: vec![Vec::new(); self.signal_ids.len()],
            touched: Vec::new(),
            primaries: Vec::new(),
            decode_jobs: Vec::new(),
        }
    }

    /// For a stream: the earliest position in the last `max` bytes of `text` from which a pattern
    /// could still match if more text followed. Everything before it can be released; from it on
    /// must be held back. Returns `text.len()` when nothing needs holding.
    ///
    /// Each candidate start walks forward until its partial matches die. The walk is bounded: a
    /// start still alive after `WINDOW` bytes is held (conservative), and one call walks at most
    /// `HOLD_WORK_PER_BYTE` bytes per byte of `max` (ordinary prose walks about 4); when that runs
    /// out, the earliest candidate not yet cleared is held. Holding more is always safe: text is
    /// only released later, and the caller's cap still applies.
    pub fn hold_start(&self, cache: &mut ScanCache, text: &[u8], max: usize) -> usize {
        self.stream_hold(cache, text, max, text.len(), &[])
    }

    /// Rules a stream holds a completed primary match of: (pattern, rule, window). The caller
    /// keeps the windows of those that can still change what it does (see `stream_hold`).
    pub fn stream_held_rules(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.stream_held
            .iter()
            .map(|&(p, r, w)| (p as usize, r as usize, w as usize))
    }

    /// Heap bytes of each compiled automaton and of a fresh cache set (name, bytes): what a
    /// policy costs a VM before its first request (tests, `itar-policy explain --memory`).
    #[doc(hidden)]
    pub fn memory(&self) -> Vec<(&'static str, usize)> {
        let c = self.new_cache();
        vec![
            (
                "forward NFA (shared)",
                self.re.forward().get_nfa().memory_usage(),
            ),
            ("reverse NFA", self.re.reverse().get_nfa().memory_usage()),
            ("leading-pass NFA", self.lead.nfa_memory()),
            (
                "encoded-run NFA",
                self.hold_encoded.get_nfa().memory_usage(),
            ),
            (
                "lazy DFAs",
                self.re.forward().memory_usage()
                    + self.re.reverse().memory_usage()
                    + self.hold.memory_usage()
                    + self.hold_encoded.memory_usage(),
            ),
            ("cache: scan", c.dfa.memory_usage()),
            ("cache: first passes", c.ends.memory() + c.lead.memory()),
            (
                "cache: hold-back",
                c.hold.memory_usage() + c.hold_encoded.memory_usage(),
            ),
        ]
    }

    /// Patterns in the hold-back automaton (the length `stream_hold`'s windows may have).
    pub fn hold_pattern_count(&self) -> usize {
        self.hold.pattern_len()
    }

    /// Hold-back this policy needs (see `stream_need`); compare with `stream_holdback_bytes`.
    pub fn stream_hold_need(&self) -> usize {
        self.stream_need
    }

    /// `hold_start`, and also: a complete match of pattern `p` that starts at or after `held_from`
    /// and has `windows[p] > 0` (the primary of a rule that needs support to decide) is held,
    /// from its start, until its window has closed: `windows[p]` bytes of text after its end, with
    /// no partial match alive that starts inside the window.
    pub fn stream_hold(
        &self,
        cache: &mut ScanCache,
        text: &[u8],
        max: usize,
        held_from: usize,
        windows: &[u32],
    ) -> usize {
        let mut budget = max.saturating_mul(HOLD_WORK_PER_BYTE).max(WINDOW);
        self.hold_start_within(cache, text, max, held_from, windows, &mut budget)
    }

    fn hold_start_within(
        &self,
        cache: &mut ScanCache,
        text: &[u8],
        max: usize,
        held_from: usize,
        windows: &[u32],
        budget: &mut usize,
    ) -> usize {
        let from = text.len().saturating_sub(max);
        // Primaries whose window is over by length, with its end: held only if a partial match
        // alive when the search stops starts inside that window.
        let mut closed: Vec<(usize, usize)> = Vec::new();
        let signals = alive_from(
            &self.hold,
            &mut cache.hold,
            text,
            from..text.len(),
            (held_from, windows),
            budget,
            &mut closed,
        );
        // Encoded runs need only the starts before the signals' hold (what is held is held).
        let encoded = alive_from(
            &self.hold_encoded,
            &mut cache.hold_encoded,
            text,
            from..signals,
            (usize::MAX, &[]),
            budget,
            &mut closed,
        );
        let alive = signals.min(encoded);
        closed
            .iter()
            .find(|&&(_, close)| close > alive)
            .map_or(alive, |&(s, _)| s.min(alive))
    }

    /// Lane sizes of both first passes (tests and fuzzing: small values exercise the four-lane
    /// walk, and the full pass with spans, on short texts).
    #[doc(hidden)]
    pub fn set_lanes(&mut self, lanes: Lanes) {
        self.ends.set_lanes(lanes);
        self.lead.set_lanes(lanes);
    }

    pub fn signal_count(&self) -> usize {
        self.signal_ids.len()
    }

    /// Scan normalized text. Findings are in the coordinates of `text`.
    pub fn scan(&self, cache: &mut ScanCache, text: &[u8]) -> Result<ScanOutput, InspectError> {
        self.scan_pass(cache, text, Pass::Ends)
    }

    /// `scan` of a request's document: `hidden` are the ranges the sender concealed
    /// (`Normalized::hidden`: sorted), what is found there gets its rule's `concealed` weight,
    /// as everything decoded does; `framing` are the ranges of the request's own structure (its
    /// keys, its model name: sorted), which the rules scan and the classifiers leave out.
    pub fn scan_hidden(
        &self,
        cache: &mut ScanCache,
        text: &[u8],
        hidden: &[(u32, u32)],
        framing: &[(u32, u32)],
    ) -> Result<ScanOutput, InspectError> {
        self.scan_all(cache, text, Pass::Ends, hidden, framing)
    }

    /// `scan`, its matches found the given way (tests compare `Pass::Ends` with `Pass::Whole`).
    #[doc(hidden)]
    pub fn scan_pass(
        &self,
        cache: &mut ScanCache,
        text: &[u8],
        pass: Pass,
    ) -> Result<ScanOutput, InspectError> {
        self.scan_all(cache, text, pass, &[], &[])
    }

    fn scan_all(
        &self,
        cache: &mut ScanCache,
        text: &[u8],
        pass: Pass,
        hidden: &[(u32, u32)],
        framing: &[(u32, u32)],
    ) -> Result<ScanOutput, InspectError> {
        let mut out = ScanOutput::default();
        let mut budget = self.limits.max_decoded_bytes;
        let level = Level {
            depth: 0,
            rewritten: false,
            hidden,
            framing,
        };
        self.scan_level(cache, text, level, pass, &mut budget, &mut out)?;
        out.decoded_bytes = self.limits.max_decoded_bytes - budget;
        self.merge_redactions(&mut out.findings);
        Ok(out)
    }

    /// Redaction findings that overlap (two rules on one token, several findings inside one
    /// decoded segment) become one finding covering their union: edits must never overlap.
    fn merge_redactions(&self, findings: &mut Vec<Finding>) {
        let redacts = |f: &Finding| self.rules.get(f.rule).is_some_and(|r| r.redacts);
        let mut red: Vec<Finding> = Vec::new();
        findings.retain(|f| {
            if redacts(f) {
                red.push(f.clone());
                false
            } else {
                true
            }
        });
        red.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut merged: Vec<Finding> = Vec::with_capacity(red.len());
        for f in red {
            match merged.last_mut() {
                Some(last) if f.start < last.end => {
                    last.end = last.end.max(f.end);
                    last.confidence = last.confidence.max(f.confidence);
                }
                _ => merged.push(f),
            }
        }
        findings.extend(merged);
    }

    /// Scan `text` and the encoded segments in it, recursively. `rewritten`: `text` is itself a
    /// letter rewrite (ROT13, reversed), so no letter rewrite is applied to it again (both are
    /// their own inverse: a marking shape inside would give back the original text, judged
    /// without the context that cleared it there).
    fn scan_level(
        &self,
        cache: &mut ScanCache,
        text: &[u8],
        level: Level<'_>,
        pass: Pass,
        budget: &mut usize,
        out: &mut ScanOutput,
    ) -> Result<(), InspectError> {
        let Level {
            depth, rewritten, ..
        } = level;
        let work_limit = text
            .len()
            .saturating_mul(WORK_PER_BYTE)
            .saturating_add(WORK_SLACK);
        self.collect(cache, text, work_limit, pass, false)?;
        self.gather_primaries(cache);
        let concealed = match depth {
            0 => Concealed::Ranges(level.hidden),
            _ => Concealed::All,
        };
        self.judge(cache, text, &mut out.findings, concealed, false);
        self.classify(cache, text, level.framing, &mut out.findings, false);
        self.fingerprint(text, level.framing, &mut out.findings);
        if depth >= self.limits.max_decode_depth {
            return Ok(());
        }
        find_encoded(text, &mut cache.decode_jobs, cache.escape_from);
        if cache.decode_jobs.is_empty() {
            return Ok(());
        }
        // Decode after judging: the recursion reuses the cache's per-signal lists.
        let jobs = std::mem::take(&mut cache.decode_jobs);
        // A hint decodes the window around it (`span_of`), minus what an earlier hint of the same
        // kind decoded: the windows decoded are disjoint, so a text that says "reverse" on every
        // line decodes each byte once at most.
        let mut hint_done = [0usize; HINT_DECODERS.len() + 1];
        for &(d, s, e) in &jobs {
            if *budget == 0 {
                break;
            }
            let rewrites = matches!(
                d,
                Decoder::Rot13 | Decoder::Reversed | Decoder::Shape | Decoder::Leet
            );
            if rewritten && rewrites {
                continue;
            }
            let (span_s, span_e) = span_of(d, text.len(), s, e);
            let (mut s, mut e) = (s, e);
            let slot = match d {
                Decoder::Leet => Some(HINT_DECODERS.len()),
                _ => HINT_DECODERS.iter().position(|(h, _)| *h == d),
            };
            if let Some(done) = slot.and_then(|k| hint_done.get_mut(k)) {
                s = span_s.max(*done);
                e = span_e;
                if s >= e {
                    continue;
                }
                *done = e;
            }
            let Some((decoded, change)) = decode(d, text, s, e, *budget) else {
                continue;
            };
            *budget = budget.saturating_sub(decoded.len());
            out.changes.insert(change);
            let text_dec = String::from_utf8_lossy(&decoded);
            let mut child = Normalized::with_capacity(text_dec.len());
            normalize_into(&mut child, &text_dec, 0);
            out.changes.insert(child.changes);
            let mut child_out = ScanOutput::default();
            // A letter rewrite of ASCII text keeps every byte's place (ROT13) or mirrors it
            // (reversed): its findings map back exactly, and the framing maps into it.
            let exact = rewrites && decoded.is_ascii() && child.changes.is_empty();
            let framing = match exact && !level.framing.is_empty() {
                true => rewrite_framing(d, s, decoded.len(), level.framing),
                false => Vec::new(),
            };
            let inner = Level {
                depth: depth + 1,
                rewritten: rewritten || rewrites,
                hidden: &[],
                framing: &framing,
            };
            self.scan_level(cache, &child.text, inner, pass, budget, &mut child_out)?;
            out.changes.insert(child_out.changes);
            // Anything found inside an encoded segment stands for the whole segment, but what is
            // found in an exact rewrite maps back exactly.
            for f in child_out.findings {
                let (start, end) = match exact {
                    true => rewrite_span(d, s, decoded.len(), (f.start, f.end)),
                    false => None,
                }
                .unwrap_or((span_s, span_e));
                out.findings.push(Finding {
                    rule: f.rule,
                    start,
                    end,
                    confidence: f.confidence,
                    features: f.features,
                });
            }
        }
        cache.decode_jobs = jobs;
        Ok(())
    }

    /// Every match of `text` into `cache.by_signal` (and ROT13 hints into `cache.decode_jobs`):
    /// the exact loop until the automaton has walked `work_limit` bytes, then the bounded path.
    ///
    /// The exact loop's matches are, per start position, the leftmost-first match anchored
    /// there. With `Pass::Ends` the loop does not walk the whole text: a first pass finds every
    /// offset where some match ends, and of which pattern (`EndFinder`, all-matches semantics); a
    /// reverse search anchored at each end, following that pattern only, finds the earliest start
    /// of its matches ending there; the spans
    /// `[earliest start, end)` are merged, and the exact loop runs inside each merged span only,
    /// its search cut at the span's end. That is the same result: a match starting inside a
    /// merged span has its own span overlapping it, so it ends inside it too, and no start
    /// outside every span begins a match. When the first pass gives up (its cache was cleared),
    /// the exact loop walks the whole text.
    ///
    /// Unless `every` is set, the leading pass (`lead`) runs first: a text where no match of a
    /// hint or of a rule's primary signal ends files nothing (the other signals only support or
    /// exclude near a primary match, so no rule could fire). That is most prompts.
    fn collect(
        &self,
        cache: &mut ScanCache,
        text: &[u8],
        work_limit: usize,
        pass: Pass,
        every: bool,
    ) -> Result<(), InspectError> {
        let found = self.collect_matches(cache, text, work_limit, pass, every);
        cache.touched.sort_unstable();
        found
    }

    /// Empty every signal's list of matches (only those a match was filed in).
    fn clear_matches(cache: &mut ScanCache) {
        for &sig in &cache.touched {
            if let Some(v) = cache.by_signal.get_mut(sig as usize) {
                v.clear();
            }
        }
        cache.touched.clear();
    }

    /// `collect` but for the order of `cache.touched`.
    fn collect_matches(
        &self,
        cache: &mut ScanCache,
        text: &[u8],
        work_limit: usize,
        pass: Pass,
        every: bool,
    ) -> Result<(), InspectError> {
        Self::clear_matches(cache);
        cache.decode_jobs.clear();
        cache.escape_from = None;
        let mut work = Work::start(&cache.dfa);
        let ends_pass = pass == Pass::Ends && work_limit > 0;
        if ends_pass
            && !every
            && self
                .lead
                .ends(&mut cache.lead, text, &mut cache.end_offsets)
        {
            let (escape, leading) = probed(&cache.end_offsets, self.lead_count, text.len());
            cache.escape_from = Some(escape);
            if !leading {
                return Ok(());
            }
        }
        // A text too short for lanes is walked once by the exact loop: one lane of the full
        // first pass plus the spans would cost more than that.
        let first_pass =
            ends_pass && text.len() >= self.ends.lane_min() && self.full_pass(cache, text);
        if !first_pass {
            self.collect_span(cache, text, (0, text.len()), &mut work, work_limit, false)?;
            return Ok(());
        }
        let scan_error = |e: regex_automata::MatchError| InspectError::Scan(e.to_string());
        let ends = std::mem::take(&mut cache.end_offsets);
        let mut spans = std::mem::take(&mut cache.spans);
        spans.clear();
        let mut over_budget = false;
        for &(e, pattern) in &ends {
            if work.spent(&cache.dfa) >= work_limit {
                over_budget = true;
                break;
            }
            let pattern = regex_automata::PatternID::new(pattern as usize)
                .map_err(|e| InspectError::Scan(e.to_string()))?;
            let back = Input::new(text)
                .range(..e)
                .anchored(Anchored::Pattern(pattern))
                .earliest(false);
            let (_, rev) = cache.dfa.as_parts_mut();
            let Some(start) = self
                .re
                .reverse()
                .try_search_rev(rev, &back)
                .map_err(scan_error)?
            else {
                return Err(InspectError::Scan(
                    "reverse search found no start for a match end".into(),
                ));
            };
            spans.push((start.offset(), e));
        }
        cache.end_offsets = ends;
        if over_budget {
            cache.spans = spans;
            self.scan_bounded(cache, text, 0, true);
            return Ok(());
        }
        spans.sort_unstable();
        let mut merged: usize = 0;
        for k in 0..spans.len() {
            let Some(&(s, e)) = spans.get(k) else { break };
            match merged.checked_sub(1).and_then(|m| spans.get_mut(m)) {
                Some(last) if s < last.1 => last.1 = last.1.max(e),
                _ => {
                    if let Some(slot) = spans.get_mut(merged) {
                        *slot = (s, e);
                    }
                    merged += 1;
                }
            }
        }
        spans.truncate(merged);
        for &span in &spans {
            if !self.collect_span(cache, text, span, &mut work, work_limit, true)? {
                break;
            }
        }
        cache.spans = spans;
        Ok(())
    }

    /// The full first pass: every match end of the automaton's patterns into
    /// `cache.end_offsets` (the probes' ends set `cache.escape_from` and are dropped). False
    /// when it gave up (`end_offsets` is then not to be used).
    fn full_pass(&self, cache: &mut ScanCache, text: &[u8]) -> bool {
        if !self
            .ends
            .ends(&mut cache.ends, text, &mut cache.end_offsets)
        {
            return false;
        }
        let count = self.pattern_count;
        cache.escape_from = Some(probed(&cache.end_offsets, count, text.len()).0);
        cache.end_offsets.retain(|&(_, p)| (p as usize) < count);
        true
    }

    /// The exact loop over the starts in `a..b`, its searches cut at `b`. Returns false when the
    /// work bound was reached: the bounded path then took over for the rest of the text.
    fn collect_span(
        &self,
        cache: &mut ScanCache,
        text: &[u8],
        (a, b): (usize, usize),
        work: &mut Work,
        work_limit: usize,
        gated: bool,
    ) -> Result<bool, InspectError> {
        let mut input = Input::new(text).range(a..b);
        loop {
            if work.spent(&cache.dfa) >= work_limit {
                self.scan_bounded(cache, text, input.start(), gated);
                return Ok(false);
            }
            let Some((p, s, e)) = self.next_match(cache, &input)? else {
                return Ok(true);
            };
            self.record(cache, text, p, s, e);
            // Look again from the next byte, so a match nested inside a longer one (a compartment
            // inside a banner) is seen too; one match per start position, the first signal in
            // policy order.
            let next = s + 1;
            if next >= b {
                return Ok(true);
            }
            input.set_start(next);
        }
    }

    /// The leftmost-first match at or after `input`'s start, as (pattern, start, end): a forward
    /// search finds its end and pattern, then a reverse search anchored on that one pattern finds
    /// its start. (`Regex::try_search` runs the reverse search over every pattern, which keeps
    /// walking back while any pattern's reversed thread lives: on prose 6 times the bytes.)
    fn next_match(
        &self,
        cache: &mut ScanCache,
        input: &Input<'_>,
    ) -> Result<Option<(usize, usize, usize)>, InspectError> {
        let scan_error = |e: regex_automata::MatchError| InspectError::Scan(e.to_string());
        let (fwd, rev) = cache.dfa.as_parts_mut();
        let Some(end) = self
            .re
            .forward()
            .try_search_fwd(fwd, input)
            .map_err(scan_error)?
        else {
            return Ok(None);
        };
        let back = input
            .clone()
            .span(input.start()..end.offset())
            .anchored(Anchored::Pattern(end.pattern()))
            .earliest(false);
        let Some(start) = self
            .re
            .reverse()
            .try_search_rev(rev, &back)
            .map_err(scan_error)?
        else {
            return Err(InspectError::Scan(
                "reverse search found no start for a forward match".into(),
            ));
        };
        Ok(Some((
            end.pattern().as_usize(),
            start.offset(),
            end.offset(),
        )))
    }

    /// The signal matches of `text` (no decoding, no rules), per signal in policy order, as
    /// `(start, end)`: by the exact loop alone (`bounded == false`, no work bound) or by the
    /// bounded path alone. For tests and the `scan_bounded` fuzz target, which compare the two.
    #[doc(hidden)]
    pub fn signal_matches(
        &self,
        cache: &mut ScanCache,
        text: &[u8],
        pass: Pass,
    ) -> Result<Vec<Vec<(u32, u32)>>, InspectError> {
        if pass == Pass::GatedBounded {
            Self::clear_matches(cache);
            cache.decode_jobs.clear();
            let gated = self.full_pass(cache, text);
            self.scan_bounded(cache, text, 0, gated);
            return Ok(cache.by_signal.clone());
        }
        let limit = if pass == Pass::Bounded { 0 } else { usize::MAX };
        self.collect(cache, text, limit, pass, true)?;
        Ok(cache.by_signal.clone())
    }

    /// File one match of pattern `p` (automaton numbering) at `s..e`.
    fn record(&self, cache: &mut ScanCache, text: &[u8], p: usize, s: usize, e: usize) {
        if let Some((d, _)) = HINT_DECODERS.get(p) {
            cache.decode_jobs.push((*d, s, e));
            if *d == Decoder::Shape {
                cache.decode_jobs.push((Decoder::Leet, s, e));
            }
            return;
        }
        let Some(p) = p
            .checked_sub(HINT_DECODERS.len())
            .filter(|&p| p < self.signal_ids.len())
        else {
            return;
        };
        let mut from = s;
        if let Some(Some(set)) = self.span_from.get(p) {
            if let Some(off) = text
                .get(s..e)
                .and_then(|m| m.iter().position(|b| set.contains(b)))
            {
                from = s + off;
            }
        }
        if let Some(v) = cache.by_signal.get_mut(p) {
            if v.is_empty() {
                cache.touched.push(p as u32);
            }
            v.push((from as u32, e as u32));
        }
    }

    /// The bounded path (see `WORK_PER_BYTE`): from `from` on, an anchored search at every position
    /// whose byte can begin a match in its context, over at most `WINDOW` bytes. Same matches as
    /// the exact loop except that a match (or the look-ahead that chooses between signals at one
    /// position) is limited to `WINDOW` bytes. Work: at most `WINDOW` bytes per position.
    ///
    /// With `gated`, `cache.end_offsets` holds the full first pass's match ends (sorted, this
    /// automaton's patterns): a position with no end within its window cannot start a match
    /// there and is skipped without a search (crafted runs where one thread stays alive for the
    /// whole window cost one walk of the text instead of a window per byte).
    fn scan_bounded(&self, cache: &mut ScanCache, text: &[u8], from: usize, gated: bool) {
        let n = text.len();
        let ends = std::mem::take(&mut cache.end_offsets);
        let mut k = 0;
        for p in from..n {
            let Some(&b) = text.get(p) else { break };
            let starts = self
                .can_start
                .get(context_of(text, p))
                .and_then(|set| set.get(usize::from(b >> 6)))
                .is_some_and(|w| w >> (b & 63) & 1 == 1);
            if !starts {
                continue;
            }
            if gated {
                // The first end at or after p; a match found from p would end in p..=p+WINDOW.
                while ends.get(k).is_some_and(|&(e, _)| e < p) {
                    k += 1;
                }
                match ends.get(k) {
                    Some(&(e, _)) if e <= p + WINDOW => {}
                    _ => continue,
                }
            }
            let input = Input::new(text)
                .range(p..n.min(p + WINDOW))
                .anchored(Anchored::Yes);
            // An error (the automaton gave up) files nothing at this position; the scan goes on.
            if let Ok(Some(m)) = self.re.try_search(&mut cache.dfa, &input) {
                self.record(cache, text, m.pattern().as_usize(), m.start(), m.end());
            }
        }
        cache.end_offsets = ends;
    }

    /// `cache.primaries` for `explains`: every match of a rule's primary signal, by start, when
    /// some rule with exclusions has a match and one of its exclusion signals matched too
    /// (otherwise empty: most texts).
    fn gather_primaries(&self, cache: &mut ScanCache) {
        cache.primaries.clear();
        let has = |sig: usize| cache.by_signal.get(sig).is_some_and(|v| !v.is_empty());
        let needed = self.excluding.iter().any(|&ri| {
            self.rules
                .get(ri)
                .is_some_and(|r| has(r.primary) && r.exclude.iter().any(|&(x, _)| has(x)))
        });
        if !needed {
            return;
        }
        for &sig in &cache.touched {
            let sig = sig as usize;
            let Some(hits) = cache.by_signal.get(sig) else {
                continue;
            };
            if self
                .rules_by_primary
                .get(sig)
                .is_some_and(|r| !r.is_empty())
            {
                cache.primaries.extend(hits.iter().map(|&(s, e)| (s, e, 0)));
            }
        }
        cache.primaries.sort_unstable();
        let mut last = 0u32;
        let mut last_end = 0u32;
        for (i, p) in cache.primaries.iter_mut().enumerate() {
            if i == 0 || p.1 > last_end {
                last = i as u32;
                last_end = p.1;
            }
            p.2 = last;
        }
    }

    /// Every rule whose primary signal matches `text` (no decoding), with the score each match
    /// reached and its features, also below the rule's threshold: why a rule fired or did not
    /// (`itar-policy explain --scores`). Matches an exclusion clears are not listed.
    pub fn rule_scores(
        &self,
        cache: &mut ScanCache,
        text: &[u8],
        hidden: &[(u32, u32)],
    ) -> Result<Vec<Finding>, InspectError> {
        self.collect(cache, text, usize::MAX, Pass::Whole, true)?;
        self.gather_primaries(cache);
        let mut all = Vec::new();
        self.judge(cache, text, &mut all, Concealed::Ranges(hidden), true);
        self.classify(cache, text, &[], &mut all, true);
        self.fingerprint(text, &[], &mut all);
        Ok(all)
    }

    /// `findings` gets the matches whose score reaches their rule's threshold (with `all`, every
    /// match a rule judged, whatever its score).
    fn judge(
        &self,
        cache: &ScanCache,
        text: &[u8],
        findings: &mut Vec<Finding>,
        concealed: Concealed<'_>,
        all: bool,
    ) {
        for &sig in &cache.touched {
            let sig = sig as usize;
            let (Some(hits), Some(rule_ids)) =
                (cache.by_signal.get(sig), self.rules_by_primary.get(sig))
            else {
                continue;
            };
            for &ri in rule_ids {
                let Some(rule) = self.rules.get(ri) else {
                    continue;
                };
                for &(s, e) in hits {
                    let (s, e) = (s as usize, e as usize);
                    if let Some(v) = rule.validate {
                        if !validate(v, text.get(s..e).unwrap_or_default()) {
                            continue;
                        }
                    }
                    // An exclusion (a cue that explains this very match) is a cue too: it clears
                    // the match only while the evidence around it is not specific (below).
                    let excluded = rule.exclude.iter().any(|&(xs, w)| {
                        explains(text, &cache.by_signal, &cache.primaries, xs, w, (s, e))
                    });
                    if excluded && !rule.specific_support {
                        continue;
                    }
                    let (lo, hi) = (s.saturating_sub(rule.window), e + rule.window);
                    // A civil use stated in the text releases a dual-use match, unless the text
                    // names a defense anchor too or the match was concealed; `all` still reports
                    // it, scored 0. A text states its use once (a title, a first line), so both
                    // are looked for in the whole text.
                    let stated = |sigs: &[usize]| {
                        sigs.iter()
                            .any(|&x| cache.by_signal.get(x).is_some_and(|hits| !hits.is_empty()))
                    };
                    let released = !rule.release.is_empty()
                        && stated(&rule.release)
                        && !stated(&rule.anchor)
                        && !concealed.covers(s, e);
                    if released && !all {
                        continue;
                    }
                    let mut conf = rule.confidence;
                    // Negative weights (cues the sender can type) lower the score only while the
                    // counted entries' specificity stays below 1: figures, tolerances, drawing
                    // numbers, content a marking is applied to cannot be talked down.
                    let mut cues = 0.0;
                    let mut specificity = 0.0;
                    // What positive support could still add: once even all of it cannot reach
                    // the threshold, stop looking (negative weights only lower the score).
                    let bonus = match rule.concealed > 0.0 && concealed.covers(s, e) {
                        true => rule.concealed,
                        false => 0.0,
                    };
                    let mut open = rule.positive_support + bonus;
                    // Entries for the same signal (graded counts) are adjacent: count once.
                    let mut counted: Option<(usize, usize)> = None;
                    let (mut features, mut cue_bits) = (0u64, 0u64);
                    for (i, &(ss, weight, min, spec)) in rule.support.iter().enumerate() {
                        if !all && conf + open + BOUND_SLACK < rule.threshold {
                            break;
                        }
                        let n = match counted {
                            Some((sig_c, n)) if sig_c == ss => n,
                            _ => {
                                // The primary match itself (and matches overlapping it) is no
                                // support.
                                let own = (ss == sig).then_some((s, e));
                                let n = count_near(&cache.by_signal, ss, lo, hi, own);
                                counted = Some((ss, n));
                                n
                            }
                        };
                        if weight > 0.0 {
                            open -= weight;
                        }
                        if n >= min {
                            let bit = 1u64.checked_shl(i as u32).unwrap_or(0);
                            if weight < 0.0 {
                                cues += weight;
                                cue_bits |= bit;
                            } else {
                                conf += weight;
                                features |= bit;
                            }
                            specificity += spec;
                        }
                    }
                    if specificity + 1e-6 < 1.0 {
                        if excluded {
                            continue;
                        }
                        conf += cues;
                        features |= cue_bits;
                    }
                    if bonus > 0.0 {
                        conf += bonus;
                        features |= CONCEALED_BIT;
                    }
                    let conf = if released { 0.0 } else { conf.min(1.0) };
                    if all || conf + 1e-6 >= rule.threshold {
                        findings.push(Finding {
                            rule: ri,
                            start: s,
                            end: e,
                            confidence: conf,
                            features,
                        });
                    }
                }
            }
        }
    }

    /// The features behind a finding, for the audit record: each counted support signal once,
    /// as its id, with the largest count it reached when that was graded (`qty>=4`), and a `-`
    /// before a cue that lowered the score (`-cue_research`).
    pub fn features(&self, f: &Finding, out: &mut Vec<String>) {
        let Some(rule) = self.rules.get(f.rule) else {
            return;
        };
        if let Some((fp, _)) = self.fingerprints.iter().find(|(_, ri)| *ri == f.rule) {
            let name = format!("doc:{}", fp.doc_name(f.features as usize));
            if !out.contains(&name) {
                out.push(name);
            }
            return;
        }
        if f.features & CONCEALED_BIT != 0 {
            out.push("concealed".into());
        }
        // (signal, negative, where its name is in `out`) of the entry before.
        let mut last: Option<(usize, bool, usize)> = None;
        for (i, &(ss, weight, min, _)) in rule.support.iter().enumerate().take(MAX_SUPPORT) {
            if f.features & (1u64 << i) == 0 {
                continue;
            }
            let Some(id) = self.signal_ids.get(ss) else {
                continue;
            };
            let neg = weight < 0.0;
            let name = match (neg, min > 1) {
                (true, _) => format!("-{id}"),
                (false, true) => format!("{id}>={min}"),
                (false, false) => id.clone(),
            };
            // Graded entries of one signal are adjacent: keep the largest count reached.
            if let Some((ls, ln, at)) = last {
                if ls == ss && ln == neg {
                    if let Some(prev) = out.get_mut(at) {
                        *prev = name;
                    }
                    continue;
                }
            }
            let at = match out.iter().position(|x| *x == name) {
                Some(at) => at,
                None => {
                    out.push(name);
                    out.len() - 1
                }
            };
            last = Some((ss, neg, at));
        }
    }

    pub fn signal_id(&self, i: usize) -> Option<&str> {
        self.signal_ids.get(i).map(|s| s.as_str())
    }
}

/// A classifier's explanation of a text: label, threshold, and (when the text has tokens) the
/// best window's probability with the features weighing most in it.
pub type ClassifierExplained = (String, f32, Option<(f32, Vec<(String, f32)>)>);

/// An artifact inlined in the policy (`data`, base64), its digest checked against `sha256`.
fn inlined_artifact(at: &str, data: Option<&String>, sha256: &str) -> Result<Vec<u8>, PolicyError> {
    let bad = |why: String| PolicyError::Invalid {
        at: at.to_string(),
        why,
    };
    let Some(data) = data else {
        return Err(bad(
            "the artifact is not inlined (data): run itar-policy inline (or scripts/build-policy) on the policy".into(),
        ));
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|e| bad(format!("data is not base64: {e}")))?;
    let digest = crate::audit::sha256_hex(&bytes);
    if !digest.eq_ignore_ascii_case(sha256) {
        return Err(bad(format!(
            "artifact digest {digest} is not the policy's sha256 {sha256}"
        )));
    }
    Ok(bytes)
}

/// A policy's classifier entry as the filter reads it: the inlined artifact, its digest checked.
fn load_classifier(c: &ClassifierRef) -> Result<Classifier, PolicyError> {
    let at = format!("classifiers ({})", c.label);
    if !(c.threshold > 0.0 && c.threshold < 1.0) {
        return Err(PolicyError::Invalid {
            at,
            why: format!("threshold {} is not between 0 and 1", c.threshold),
        });
    }
    let bytes = inlined_artifact(&at, c.data.as_ref(), &c.sha256)?;
    Classifier::parse(&bytes, &c.label).map_err(|e| PolicyError::Invalid { at, why: e.0 })
}

/// Every fingerprint artifact of the policy, read (in the policy's order).
pub fn load_all_fingerprints(policy: &Policy) -> Result<Vec<Fingerprints>, PolicyError> {
    policy.fingerprints.iter().map(load_fingerprints).collect()
}

/// A policy's fingerprint entry as the filter reads it: the inlined artifact, its digest checked.
fn load_fingerprints(f: &FingerprintRef) -> Result<Fingerprints, PolicyError> {
    let at = format!("fingerprints ({})", f.label);
    let bytes = inlined_artifact(&at, f.data.as_ref(), &f.sha256)?;
    Fingerprints::parse(&bytes, &f.label).map_err(|e| PolicyError::Invalid { at, why: e.0 })
}

/// How `collect` finds matches (tests compare the three).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Where matches end first, then the exact loop inside their spans (the scan's way).
    Ends,
    /// The exact loop over the whole text.
    Whole,
    /// The bounded path alone.
    Bounded,
    /// The bounded path alone, with the full first pass's end gate (`signal_matches` only).
    GatedBounded,
}

/// Bytes the automaton has walked (forward and reverse searches), from its cache's own counter:
/// deterministic, no clock. The counter restarts when the cache is cleared; that is counted too.
struct Work {
    last: usize,
    clears: usize,
    spent: usize,
}

impl Work {
    fn totals(cache: &Cache) -> (usize, usize) {
        let (f, r) = cache.as_parts();
        (
            f.search_total_len().saturating_add(r.search_total_len()),
            f.clear_count().saturating_add(r.clear_count()),
        )
    }

    fn start(cache: &Cache) -> Work {
        let (last, clears) = Work::totals(cache);
        Work {
            last,
            clears,
            spent: 0,
        }
    }

    fn spent(&mut self, cache: &Cache) -> usize {
        let (total, clears) = Work::totals(cache);
        let delta = if clears != self.clears || total < self.last {
            total
        } else {
            total - self.last
        };
        self.spent = self.spent.saturating_add(delta);
        self.last = total;
        self.clears = clears;
        self.spent
    }
}

/// The earliest start in `starts` at which a match of `dfa` is still alive at the
/// text's end (`starts.end` if none; the start itself when the walk cannot tell: fail closed).
/// A complete match of pattern `p` starting at or after `held_from` with `windows[p] > 0` is
/// also alive until `windows[p]` bytes after its end; windows that close inside the text go
/// into `closed` as (start, close).
fn alive_from(
    dfa: &hybrid::dfa::DFA,
    cache: &mut hybrid::dfa::Cache,
    text: &[u8],
    starts: std::ops::Range<usize>,
    (held_from, windows): (usize, &[u32]),
    budget: &mut usize,
    closed: &mut Vec<(usize, usize)>,
) -> usize {
    let end = starts.end;
    'start: for s in starts {
        let input = Input::new(text).range(s..).anchored(Anchored::Yes);
        let Ok(mut sid) = dfa.start_state_forward(cache, &input) else {
            return s; // cannot tell: hold (fail closed)
        };
        let mut close = 0usize;
        for (k, &b) in text.get(s..).unwrap_or_default().iter().enumerate() {
            if k >= WINDOW || *budget == 0 {
                return s;
            }
            *budget -= 1;
            match dfa.next_state(cache, sid, b) {
                Ok(next) => sid = next,
                Err(_) => return s,
            }
            if sid.is_match() && s >= held_from && !windows.is_empty() {
                // Match states are delayed by a byte: a match ended at s + k.
                for i in 0..dfa.match_len(cache, sid) {
                    let p = dfa.match_pattern(cache, sid, i).as_usize();
                    let w = windows.get(p).copied().unwrap_or(0) as usize;
                    if w > 0 {
                        close = close.max(s + k + w);
                    }
                }
            }
            if sid.is_dead() {
                if close > text.len() {
                    return s;
                }
                if close > 0 {
                    closed.push((s, close));
                }
                continue 'start;
            }
            if sid.is_quit() {
                return s;
            }
        }
        return s;
    }
    end
}

/// For each look-behind context, the set of bytes with which an anchored match can begin (the
/// anchored start state does not die on them). Anything the automaton cannot tell counts as a
/// possible start.
fn first_bytes(re: &Regex) -> [[u64; 4]; 5] {
    use regex_automata::util::start;
    let mut out = [[u64::MAX; 4]; 5];
    let dfa = re.forward();
    let mut cache = hybrid::dfa::Cache::new(dfa);
    for (set, lb) in out.iter_mut().zip(CONTEXTS) {
        let cfg = start::Config::new().anchored(Anchored::Yes).look_behind(lb);
        let Ok(s0) = dfa.start_state(&mut cache, &cfg) else {
            continue;
        };
        let mut bits = [0u64; 4];
        for b in 0..=255u8 {
            let dead = matches!(dfa.next_state(&mut cache, s0, b), Ok(s1) if s1.is_dead());
            if !dead {
                if let Some(w) = bits.get_mut(usize::from(b >> 6)) {
                    *w |= 1 << (b & 63);
                }
            }
        }
        *set = bits;
    }
    out
}

/// Byte classes for the encoded-run finder.
const B64: u8 = 1; // A-Z a-z 0-9 + /
const HEX: u8 = 2; // 0-9 A-F a-f
const WORD: u8 = 4; // A-Z a-z 0-9 _

const fn byte_classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let alnum = c.is_ascii_alphanumeric();
        let mut k = 0;
        if alnum || c == b'+' || c == b'/' {
            k |= B64;
        }
        if c.is_ascii_hexdigit() {
            k |= HEX;
        }
        if alnum || c == b'_' {
            k |= WORD;
        }
        t[i] = k;
        i += 1;
    }
    t
}
static CLASS: [u8; 256] = byte_classes();

fn class(text: &[u8], i: usize) -> u8 {
    text.get(i).map_or(0, |&b| CLASS[b as usize])
}

/// Minimum run lengths (as in the `DECODERS` patterns).
const B64_MIN: usize = 24;
const HEX_MIN: usize = 32;

/// Encoded segments of `text`, appended to `jobs` in order of position: word-bounded hex runs of
/// at least 16 byte pairs, base64 runs of at least 24 characters (continued over line breaks
/// when the next line starts with 4 or more, then up to two '='), and runs of 4 or more %XX
/// escapes. Candidate runs come from `next_long_run`, which skips ordinary prose 16 bytes at a
/// time. `escape_from`: where the first percent-escape is, when the first pass has said (else
/// the whole text is searched for one).
fn find_encoded(
    text: &[u8],
    jobs: &mut Vec<(Decoder, usize, usize)>,
    escape_from: Option<Escapes>,
) {
    find_encoded_with(text, jobs, next_long_run, escape_from.unwrap_or_default());
}

/// Finds the first maximal alphabet run of 24+ bytes at or after a position (`next_long_run`).
type RunFinder = fn(&[u8], usize) -> Option<(usize, usize)>;

/// `find_encoded` with the run finder as a parameter (the tests pass the bytewise one).
fn find_encoded_with(
    text: &[u8],
    jobs: &mut Vec<(Decoder, usize, usize)>,
    next_run: RunFinder,
    escape_from: Escapes,
) {
    let before = jobs.len();
    let mut i = 0;
    while let Some((s, e)) = next_run(text, i) {
        let (d, e) = encoded_run(text, s, e);
        jobs.push((d, s, e));
        i = e;
    }
    let from = |k: usize| escape_from.get(k).copied().unwrap_or(0);
    if from(PROBE_URL) < text.len() {
        find_url_encoded(text, from(PROBE_URL), jobs);
    }
    if from(PROBE_SPACED_HEX) < text.len() {
        let _work = find_spaced_hex(text, from(PROBE_SPACED_HEX), jobs);
    }
    if from(PROBE_QP) < text.len() {
        let _work = find_quoted_printable(text, from(PROBE_QP), jobs);
    }
    if from(PROBE_A85) < text.len() {
        find_ascii85(text, from(PROBE_A85), jobs);
    }
    if from(PROBE_SPACED_LETTERS) < text.len() {
        let _work = find_letter_spaced(text, from(PROBE_SPACED_LETTERS), jobs);
    }
    if jobs.len() > before + 1 {
        if let Some(tail) = jobs.get_mut(before..) {
            tail.sort_by_key(|j| j.1);
        }
    }
}

/// What the maximal alphabet run `s..e` (24+ bytes) is, and where its segment ends: a pure hex
/// word (hex pairs, bounded by non-word bytes), else base64 continued over line breaks
/// (`[ \t]*\r?\n[ \t]*` then 4+ alphabet bytes) and up to two `=`.
fn encoded_run(text: &[u8], s: usize, mut e: usize) -> (Decoder, usize) {
    let is_hex = e - s >= HEX_MIN
        && (e - s).is_multiple_of(2)
        && text
            .get(s..e)
            .is_some_and(|r| r.iter().all(|b| CLASS[*b as usize] & HEX != 0))
        && (s == 0 || class(text, s - 1) & WORD == 0)
        && class(text, e) & WORD == 0;
    if is_hex {
        return (Decoder::Hex, e);
    }
    loop {
        let mut j = e;
        while matches!(text.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        if text.get(j) == Some(&b'\r') {
            j += 1;
        }
        if text.get(j) != Some(&b'\n') {
            break;
        }
        j += 1;
        while matches!(text.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        let mut k = j;
        while class(text, k) & B64 != 0 {
            k += 1;
        }
        if k - j < 4 {
            break;
        }
        e = k;
    }
    // Up to two '=' for base64, six for base32.
    let mut pad = 0;
    while pad < 6 && text.get(e) == Some(&b'=') {
        e += 1;
        pad += 1;
    }
    (Decoder::Base64, e)
}

/// SWAR (8 bytes in a u64) constants: 0x01 and 0x80 in every byte.
const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Nonzero iff a byte of `w` equals `b`; the lowest flagged byte (0x80) is the first such byte
/// (the classic has-zero-byte test on `w ^ b...b`).
fn byte_matches(w: u64, b: u8) -> u64 {
    let x = w ^ LO.wrapping_mul(u64::from(b));
    x.wrapping_sub(LO) & !x & HI
}

/// 0x80 in each byte of `w` that is in the base64 alphabet (A-Z a-z 0-9 + /), 0 elsewhere: eight
/// bytes classified at once with plain integer arithmetic (SWAR), as fast in V8 as natively.
fn b64_bytes(w: u64) -> u64 {
    let v = w & !HI;
    // For 7-bit bytes: high bit of ((v | 0x80) - a) is set iff v >= a; of (v + 0x7f - b) iff v > b.
    let within = |x: u64, a: u8, b: u8| {
        ((x | HI).wrapping_sub(LO * u64::from(a))) & !(x + LO * u64::from(0x7f - b)) & HI
    };
    let letter = within(v | (LO * 0x20), b'a', b'z');
    let digit = within(v, b'0', b'9');
    let sign = within(v, b'+', b'+') | within(v, b'/', b'/');
    (letter | digit | sign) & !w & HI
}

/// The first maximal run of base64-alphabet bytes at or after `from` that is at least `B64_MIN`
/// long, as `start..end`. Such a run covers at least two whole 8-byte words counted from `from`,
/// one of them at an even index, so only every other word is looked at: a word holding a space
/// (nearly every word of prose) is dismissed with one test, any other is classified whole
/// (`b64_bytes`); only a word that is all alphabet is walked out byte by byte.
fn next_long_run(text: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut k = from;
    while let Some(chunk) = text.get(k..k + 8) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        let w = u64::from_le_bytes(b);
        if byte_matches(w, b' ') != 0 || b64_bytes(w) != HI {
            k += 16;
            continue;
        }
        // A run of 24 or more that holds this whole word also holds one of its two neighbour
        // words whole (8 + 16 bytes must lie on one side or the other). Ordinary long words
        // stop here instead of being walked out byte by byte.
        let whole = |at: Option<usize>| {
            at.and_then(|a| text.get(a..a + 8)).is_some_and(|c| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                b64_bytes(u64::from_le_bytes(b)) == HI
            })
        };
        if !whole(k.checked_sub(8).filter(|&a| a >= from)) && !whole(Some(k + 8)) {
            k += 16;
            continue;
        }
        let mut s = k;
        while s > from && class(text, s - 1) & B64 != 0 {
            s -= 1;
        }
        let mut e = k + 8;
        while class(text, e) & B64 != 0 {
            e += 1;
        }
        if e - s >= B64_MIN {
            return Some((s, e));
        }
        // Too short: the next run starts after this one's end (a non-alphabet byte).
        k = e + 1;
    }
    None
}

/// Runs of percent-escapes: %XX, then 3 or more (up to 12 unreserved bytes, %XX), then trailing
/// unreserved bytes.
fn find_url_encoded(text: &[u8], from: usize, jobs: &mut Vec<(Decoder, usize, usize)>) {
    let esc = |i: usize| {
        text.get(i) == Some(&b'%')
            && text.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && text.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    };
    let unreserved =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'+' | b'-');
    let mut i = from;
    while let Some(off) = text.get(i..).and_then(|t| find_byte(t, b'%')) {
        let s = i + off;
        if !esc(s) {
            i = s + 1;
            continue;
        }
        let mut e = s + 3;
        let mut count = 0;
        loop {
            let mut j = e;
            while j < e + 12 && text.get(j).is_some_and(|&b| unreserved(b)) {
                j += 1;
            }
            if esc(j) {
                e = j + 3;
                count += 1;
            } else {
                break;
            }
        }
        if count >= 3 {
            while text.get(e).is_some_and(|&b| unreserved(b)) {
                e += 1;
            }
            jobs.push((Decoder::Url, s, e));
            i = e;
        } else {
            i = s + 1;
        }
    }
}

/// One byte pair of spaced hex at `i` (two hex digits, optionally after `0x`, not inside a
/// word): where it ends.
fn hex_pair_at(text: &[u8], i: usize) -> Option<usize> {
    if i > 0 && class(text, i - 1) & WORD != 0 {
        return None;
    }
    let mut j = i;
    if text.get(j) == Some(&b'0') && matches!(text.get(j + 1), Some(b'x' | b'X')) {
        j += 2;
    }
    let hex = |k: usize| class(text, k) & HEX != 0;
    (hex(j) && hex(j + 1) && class(text, j + 2) & WORD == 0).then_some(j + 2)
}

/// Fewest byte pairs of a spaced-hex run worth decoding.
const SPACED_HEX_MIN: usize = 8;

/// Runs of `SPACED_HEX_MIN`+ byte pairs written `53 45 43`, `53:45:43`, `0x53 0x45`,
/// `0x53, 0x45`: each run is walked once and the walk goes on after it (linear). Returns the
/// number of pair tests made (the work; tests bound it).
fn find_spaced_hex(text: &[u8], from: usize, jobs: &mut Vec<(Decoder, usize, usize)>) -> usize {
    let mut i = from;
    let mut work = 0;
    while i < text.len() {
        work += 1;
        let Some(mut e) = hex_pair_at(text, i) else {
            i += 1;
            continue;
        };
        let mut pairs = 1;
        loop {
            work += 1;
            let mut j = e;
            match text.get(j) {
                Some(b' ' | b':') => j += 1,
                Some(b',') => {
                    j += 1;
                    if text.get(j) == Some(&b' ') {
                        j += 1;
                    }
                }
                _ => break,
            }
            match hex_pair_at(text, j) {
                Some(k) => {
                    e = k;
                    pairs += 1;
                }
                None => break,
            }
        }
        if pairs >= SPACED_HEX_MIN {
            jobs.push((Decoder::SpacedHex, i, e));
        }
        i = e;
    }
    work
}

/// Quoted-printable: runs of 4+ `=XX` escapes, each within 16 bytes of the next (soft line
/// breaks `=\n` join lines), with the word characters around them. Each byte is looked at a
/// bounded number of times: the walk goes on after each run. Returns the bytes looked at.
fn find_quoted_printable(
    text: &[u8],
    from: usize,
    jobs: &mut Vec<(Decoder, usize, usize)>,
) -> usize {
    let mut work = 0;
    let hex = |k: usize| text.get(k).is_some_and(u8::is_ascii_hexdigit);
    let esc = |k: usize| text.get(k) == Some(&b'=') && hex(k + 1) && hex(k + 2);
    let soft = |k: usize| match (text.get(k), text.get(k + 1), text.get(k + 2)) {
        (Some(b'='), Some(b'\n'), _) => Some(k + 2),
        (Some(b'='), Some(b'\r'), Some(b'\n')) => Some(k + 3),
        _ => None,
    };
    let mut i = from;
    while let Some(off) = text.get(i..).and_then(|t| find_byte(t, b'=')) {
        let s = i + off;
        if !esc(s) {
            i = s + 1;
            continue;
        }
        let (mut e, mut count) = (s + 3, 1);
        loop {
            let mut j = e;
            while j < e + 16 && text.get(j).is_some_and(|&b| b != b'=' && b != b'\n') {
                j += 1;
            }
            work += j - e + 3;
            if esc(j) {
                e = j + 3;
                count += 1;
            } else if let Some(k) = soft(j) {
                e = k;
            } else {
                break;
            }
        }
        if count >= 4 {
            let mut a = s;
            while a > i && a + 64 > s && class(text, a - 1) & WORD != 0 {
                a -= 1;
            }
            while class(text, e) & WORD != 0 {
                e += 1;
            }
            work += e - a;
            jobs.push((Decoder::QuotedPrintable, a, e));
            i = e;
        } else {
            i = s + 1;
        }
    }
    work
}

/// Fewest characters of a letter-spaced run worth joining (`S E C R E T`; `U.S.A.` is not one).
const LETTER_SPACED_MIN: usize = 6;

/// Separators of letter-spaced text: each character of a word is followed by one of them.
fn letter_sep(b: u8) -> bool {
    matches!(b, b' ' | b'.' | b'-' | b'_')
}

/// One character of a letter-spaced run at `i` with separator `sep`: a printable ASCII byte that
/// is not the separator, followed by the separator, a space, a line end or the end of the text.
fn spaced_unit_at(text: &[u8], i: usize, sep: u8) -> bool {
    text.get(i)
        .is_some_and(|&b| b.is_ascii_graphic() && b != sep)
        && text
            .get(i + 1)
            .is_none_or(|&b| b == sep || matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
}

/// The letter-spaced run starting at the character `i` (its separator is the byte after it):
/// characters joined by one separator, words by 2-4 spaces (after a separator other than a
/// space, that separator may come first: `R.E.L.   T.O`). Returns the run's end, the number
/// of characters and of the last character's position.
fn letter_spaced_run(text: &[u8], i: usize) -> (usize, usize, usize) {
    let Some(&sep) = text.get(i + 1).filter(|&&b| letter_sep(b)) else {
        return (i + 1, 0, i);
    };
    let (mut j, mut units, mut last) = (i, 0, i);
    while spaced_unit_at(text, j, sep) {
        units += 1;
        last = j;
        j += 1;
        if text.get(j) == Some(&sep) && spaced_unit_at(text, j + 1, sep) {
            j += 1;
            continue;
        }
        let mut k = j;
        if sep != b' ' && text.get(k) == Some(&sep) {
            k += 1;
        }
        let spaces = text
            .get(k..)
            .unwrap_or_default()
            .iter()
            .take(5)
            .take_while(|&&b| b == b' ')
            .count();
        if (2..=4).contains(&spaces) && spaced_unit_at(text, k + spaces, sep) {
            j = k + spaces;
            continue;
        }
        break;
    }
    (last + 1, units, last)
}

/// Letter-spaced runs of `LETTER_SPACED_MIN`+ characters (`S E C R E T / / R E L   T O`,
/// `C.U.I././.S.P.-.C.T.I`, `S-E-C-R-E-T`), starting at a character that does not continue a
/// word. A run too short to keep is walked again from its last character (which may begin a run
/// with another separator), a kept one from its end: each byte is looked at a bounded number of
/// times. Returns the bytes looked at (the work; tests bound it).
fn find_letter_spaced(text: &[u8], from: usize, jobs: &mut Vec<(Decoder, usize, usize)>) -> usize {
    let mut i = from;
    let mut work = 0;
    while i + 1 < text.len() {
        work += 1;
        let starts = text.get(i + 1).is_some_and(|&b| letter_sep(b))
            && i.checked_sub(1)
                .and_then(|p| text.get(p))
                .is_none_or(|b| !b.is_ascii_alphanumeric());
        if !starts {
            i += 1;
            continue;
        }
        let (end, units, last) = letter_spaced_run(text, i);
        work += end - i;
        if units >= LETTER_SPACED_MIN {
            jobs.push((Decoder::LetterSpaced, i, end));
            i = end;
        } else {
            i = last.max(i + 1);
        }
    }
    work
}

/// Longest ascii85 segment looked for after a `<~`.
const A85_MAX: usize = 64 * 1024;

/// Adobe ascii85 segments `<~ ... ~>` (at most `A85_MAX` bytes).
fn find_ascii85(text: &[u8], from: usize, jobs: &mut Vec<(Decoder, usize, usize)>) {
    let mut i = from;
    while let Some(off) = text.get(i..).and_then(|t| find_byte(t, b'<')) {
        let s = i + off;
        if text.get(s + 1) != Some(&b'~') {
            i = s + 1;
            continue;
        }
        let body = s + 2;
        let end = text.len().min(body + A85_MAX);
        let close = text
            .get(body..end)
            .and_then(|t| t.windows(2).position(|w| w == b"~>"));
        match close {
            Some(c) if c >= 10 => {
                jobs.push((Decoder::Ascii85, s, body + c + 2));
                i = body + c + 2;
            }
            Some(c) => i = body + c + 2,
            None => i = end,
        }
    }
}

/// First position of `needle` in `hay`, 8 bytes at a time (SWAR: no SIMD needed, fast in V8 too).
fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= hay.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&hay[i..i + 8]);
        let z = byte_matches(u64::from_le_bytes(w), needle);
        if z != 0 {
            return Some(i + (z.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    hay[i..].iter().position(|&b| b == needle).map(|p| i + p)
}

/// How far after a "rot13" hint the text is decoded.
const ROT13_REACH: usize = 4096;
/// How far before and after a "reverse" hint the text is decoded, reversed.
const REVERSED_BEFORE: usize = 1024;
const REVERSED_AFTER: usize = 2048;
/// How far on each side of a marking-shaped `X//Y` the text is decoded (reversed and ROT13).
const SHAPE_REACH: usize = 160;

/// The span of `text` (of length `len`) a finding in the decoding of job `d` at `s..e` stands
/// for: the segment itself, or for a hint the window it decodes.
fn span_of(d: Decoder, len: usize, s: usize, e: usize) -> (usize, usize) {
    match d {
        Decoder::Rot13 => (s, (e + ROT13_REACH).min(len)),
        Decoder::Reversed => (
            s.saturating_sub(REVERSED_BEFORE),
            (e + REVERSED_AFTER).min(len),
        ),
        Decoder::Shape | Decoder::Leet => {
            (s.saturating_sub(SHAPE_REACH), (e + SHAPE_REACH).min(len))
        }
        _ => (s, e),
    }
}

/// Longest span assumed when looking back for matches that reach into a window.
const MAX_LOOKBACK: usize = 4096;

/// Whether a match of exclusion signal `sig` within `window` bytes of the primary match `hit`
/// explains it: an exclusion match explains only the primary match nearest to it (`explained`),
/// so it clears that match (and matches overlapping it) and never another one, of this rule or
/// of another; and only within its sentence (no sentence end between the two).
fn explains(
    text: &[u8],
    by_signal: &[Vec<(u32, u32)>],
    primaries: &[(u32, u32, u32)],
    sig: usize,
    window: usize,
    (s, e): (usize, usize),
) -> bool {
    let Some(xs) = by_signal.get(sig) else {
        return false;
    };
    let (lo, hi) = (s.saturating_sub(window), e + window);
    let first = xs.partition_point(|&(xs, _)| (xs as usize) + MAX_LOOKBACK < lo);
    for &(xs, xe) in xs.get(first..).unwrap_or_default() {
        let (xs, xe) = (xs as usize, xe as usize);
        if xs >= hi {
            break;
        }
        if xe <= lo {
            continue;
        }
        if let Some((ts, te)) = explained(primaries, (xs, xe)) {
            let between = text.get(xe.min(te)..xs.max(ts)).unwrap_or_default();
            if ts < e && te > s && !ends_sentence(between) {
                return true;
            }
        }
    }
    false
}

/// Whether `gap` (the text between an exclusion match and a primary match) holds a sentence
/// end: `?`, `!`, a line end, or `.`/`;` before a space.
fn ends_sentence(gap: &[u8]) -> bool {
    gap.iter().enumerate().any(|(i, &b)| match b {
        b'?' | b'!' | b'\n' | b'\r' => true,
        b'.' | b';' => gap.get(i + 1).is_some_and(|c| c.is_ascii_whitespace()),
        _ => false,
    })
}

/// The primary match (of any rule) that the exclusion match `x` explains: one overlapping it,
/// else the nearer of the last one ending before it and the first one starting after it (on a
/// tie the one after: a question precedes what it asks about). Nothing lies between the two.
fn explained(primaries: &[(u32, u32, u32)], (xs, xe): (usize, usize)) -> Option<(usize, usize)> {
    let k = primaries.partition_point(|&(s, _, _)| (s as usize) < xe);
    let before = k
        .checked_sub(1)
        .and_then(|i| primaries.get(i))
        .and_then(|&(_, _, m)| primaries.get(m as usize))
        .map(|&(s, e, _)| (s as usize, e as usize));
    let after = primaries.get(k).map(|&(s, e, _)| (s as usize, e as usize));
    match (before, after) {
        (Some(b), Some(a)) => {
            if b.1 > xs || xs - b.1 < a.0 - xe {
                Some(b)
            } else {
                Some(a)
            }
        }
        (b, a) => b.or(a),
    }
}

/// Distinct (non-overlapping) matches of signal `sig` that overlap `lo..hi`, ignoring matches
/// that overlap `skip`. The search reports overlapping matches (one per start position), so one
/// quantity such as "0.8-3.5 bar" can match at several starts; it counts once.
fn count_near(
    by_signal: &[Vec<(u32, u32)>],
    sig: usize,
    lo: usize,
    hi: usize,
    skip: Option<(usize, usize)>,
) -> usize {
    let Some(hits) = by_signal.get(sig) else {
        return 0;
    };
    // hits are in order of start.
    let first = hits.partition_point(|&(s, _)| (s as usize) + MAX_LOOKBACK < lo);
    let mut n = 0;
    let mut last_end = 0usize;
    for &(s, e) in hits.get(first..).unwrap_or_default() {
        let (s, e) = (s as usize, e as usize);
        if s >= hi {
            break;
        }
        if e <= lo || (n > 0 && s < last_end) {
            continue;
        }
        if let Some((ps, pe)) = skip {
            if s < pe && e > ps {
                continue;
            }
        }
        n += 1;
        last_end = e;
    }
    n
}

fn b64() -> GeneralPurpose {
    GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    )
}

/// Decode job `d` at `s..e` of `text` (at most about `budget` bytes of output; for a hint, `s..e`
/// is the window to decode): the bytes and the normalization it stands for.
fn decode(
    d: Decoder,
    text: &[u8],
    s: usize,
    e: usize,
    budget: usize,
) -> Option<(Vec<u8>, Changes)> {
    let seg = text.get(s..e)?;
    let mut change = match d {
        Decoder::Hex | Decoder::SpacedHex => Changes::HEX,
        Decoder::Base64 => Changes::BASE64,
        Decoder::Url => Changes::URL,
        Decoder::Rot13 => Changes::ROT13,
        Decoder::QuotedPrintable => Changes::QUOTED_PRINTABLE,
        Decoder::Ascii85 => Changes::BASE85,
        Decoder::Reversed | Decoder::Shape => Changes::REVERSED,
        Decoder::Leet => Changes::LEETSPEAK,
        Decoder::LetterSpaced => Changes::LETTER_SPACING,
    };
    let out = match d {
        Decoder::SpacedHex => {
            let mut v = Vec::with_capacity(seg.len() / 3 + 1);
            let mut i = 0;
            while i < seg.len() && v.len() < budget {
                match hex_pair_at(seg, i) {
                    Some(k) => {
                        let h = (seg[k - 2] as char).to_digit(16).unwrap_or(0);
                        let l = (seg[k - 1] as char).to_digit(16).unwrap_or(0);
                        v.push((h * 16 + l) as u8);
                        i = k;
                    }
                    None => i += 1,
                }
            }
            v
        }
        Decoder::QuotedPrintable => {
            let mut v = Vec::with_capacity(seg.len());
            let mut i = 0;
            while i < seg.len() && v.len() < budget {
                let hexv = |k: usize| seg.get(k).and_then(|&b| (b as char).to_digit(16));
                match (seg[i], hexv(i + 1), hexv(i + 2)) {
                    (b'=', Some(h), Some(l)) => {
                        v.push((h * 16 + l) as u8);
                        i += 3;
                    }
                    (b'=', _, _) if seg.get(i + 1) == Some(&b'\n') => i += 2,
                    (b'=', _, _) if seg.get(i + 1..i + 3) == Some(b"\r\n") => i += 3,
                    (b, _, _) => {
                        v.push(b);
                        i += 1;
                    }
                }
            }
            v
        }
        Decoder::Ascii85 => ascii85(seg.get(2..seg.len().saturating_sub(2))?, budget)?,
        Decoder::Reversed => {
            let window = String::from_utf8_lossy(text.get(s..e.min(s + budget))?);
            window.chars().rev().collect::<String>().into_bytes()
        }
        Decoder::Shape => {
            let window = text.get(s..e.min(s + budget / 2))?;
            let mut v: Vec<u8> = String::from_utf8_lossy(window)
                .chars()
                .rev()
                .collect::<String>()
                .into_bytes();
            v.push(b'\n');
            v.extend(window.iter().map(|&b| rot13(b)));
            change.insert(Changes::ROT13);
            v
        }
        Decoder::Leet => {
            // Only a window with something to read as a letter: an unchanged copy would judge
            // the same markings again without the context around the window.
            let window = text.get(s..e.min(s + budget))?;
            let v: Vec<u8> = window.iter().map(|&b| unleet(b)).collect();
            if v == window {
                return None;
            }
            v
        }
        Decoder::LetterSpaced => {
            let sep = seg.get(1).copied().unwrap_or(b' ');
            let mut v = Vec::with_capacity(seg.len() / 2 + 1);
            let mut i = 0;
            while i < seg.len() && v.len() < budget {
                let b = seg[i];
                if b == b' ' && seg.get(i + 1) == Some(&b' ') {
                    // A word gap: one space for the run of them.
                    v.push(b' ');
                    while seg.get(i) == Some(&b' ') {
                        i += 1;
                    }
                    continue;
                }
                if b != sep {
                    v.push(b);
                }
                i += 1;
            }
            v
        }
        Decoder::Base64 if is_base32(seg) => match base32(seg, budget) {
            Some(v) if mostly_text(&v) => {
                change = Changes::BASE32;
                v
            }
            _ => decode_base64(seg, budget)?,
        },
        Decoder::Base64 => decode_base64(seg, budget)?,
        Decoder::Hex => {
            let digits: Vec<u8> = seg
                .iter()
                .filter_map(|&b| (b as char).to_digit(16))
                .map(|v| v as u8)
                .collect();
            digits
                .chunks_exact(2)
                .map(|p| (p[0] << 4) | p[1])
                .take(budget)
                .collect()
        }
        Decoder::Url => {
            let mut v = Vec::with_capacity(seg.len());
            let mut i = 0;
            while i < seg.len() {
                match seg[i] {
                    b'%' if i + 2 < seg.len() => {
                        let h = (seg[i + 1] as char).to_digit(16);
                        let l = (seg[i + 2] as char).to_digit(16);
                        match (h, l) {
                            (Some(h), Some(l)) => {
                                v.push((h * 16 + l) as u8);
                                i += 3;
                            }
                            _ => {
                                v.push(b'%');
                                i += 1;
                            }
                        }
                    }
                    b'+' => {
                        v.push(b' ');
                        i += 1;
                    }
                    b => {
                        v.push(b);
                        i += 1;
                    }
                }
            }
            v
        }
        Decoder::Rot13 => text
            .get(s..e.min(s + budget))?
            .iter()
            .map(|&b| rot13(b))
            .collect(),
    };
    if out.is_empty() || !mostly_text(&out) {
        return None;
    }
    Some((out, change))
}

fn decode_base64(seg: &[u8], budget: usize) -> Option<Vec<u8>> {
    let mut clean: Vec<u8> = seg
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    while clean.last() == Some(&b'=') {
        clean.pop();
    }
    let keep = clean.len() - clean.len() % 4;
    let keep = if clean.len() % 4 == 1 {
        keep
    } else {
        clean.len()
    };
    clean.truncate(keep.min(budget.saturating_mul(4) / 3 + 4));
    b64().decode(&clean).ok()
}

/// A run in the base32 alphabet (RFC 4648: A-Z 2-7, `=` padding, line breaks).
fn is_base32(seg: &[u8]) -> bool {
    seg.iter()
        .all(|&b| matches!(b, b'A'..=b'Z' | b'2'..=b'7' | b'=') || b.is_ascii_whitespace())
}

/// RFC 4648 base32, at most `budget` bytes out; trailing bits dropped.
fn base32(seg: &[u8], budget: usize) -> Option<Vec<u8>> {
    let mut v = Vec::with_capacity(seg.len() * 5 / 8 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in seg {
        let x = match b {
            b'A'..=b'Z' => b - b'A',
            b'2'..=b'7' => b - b'2' + 26,
            b'=' => break,
            _ if b.is_ascii_whitespace() => continue,
            _ => return None,
        };
        acc = (acc << 5 | u32::from(x)) & 0xfff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            v.push((acc >> bits) as u8);
            if v.len() >= budget {
                break;
            }
        }
    }
    Some(v)
}

/// Adobe ascii85 (the body between `<~` and `~>`): groups of 5 characters `!`-`u`, `z` for four
/// zero bytes, whitespace ignored; a short last group is padded with `u`. At most `budget` bytes.
fn ascii85(body: &[u8], budget: usize) -> Option<Vec<u8>> {
    let mut v = Vec::with_capacity(body.len() * 4 / 5 + 4);
    let (mut acc, mut n) = (0u64, 0usize);
    for &b in body {
        if v.len() >= budget {
            break;
        }
        match b {
            b'z' if n == 0 => v.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                acc = acc * 85 + u64::from(b - b'!');
                n += 1;
                if n == 5 {
                    v.extend_from_slice(&(acc as u32).to_be_bytes());
                    (acc, n) = (0, 0);
                }
            }
            _ if b.is_ascii_whitespace() => {}
            _ => return None,
        }
    }
    if n > 1 {
        let pad = 5 - n;
        for _ in 0..pad {
            acc = acc * 85 + 84;
        }
        let bytes = (acc as u32).to_be_bytes();
        v.extend_from_slice(bytes.get(..4 - pad).unwrap_or_default());
    }
    Some(v)
}

/// Where the span `a..b` of a letter rewrite's output (`len` bytes of ASCII, for the window
/// starting at `s`) lies in the text: the same place for ROT13, mirrored for reversed text; for
/// a marking shape (reversed, a newline, then ROT13) either part, `None` across both; leetspeak
/// read as letters keeps every byte's place.
fn rewrite_span(
    d: Decoder,
    s: usize,
    len: usize,
    (a, b): (usize, usize),
) -> Option<(usize, usize)> {
    let mirror = |w: usize| (b <= w).then(|| (s + w - b, s + w - a));
    match d {
        Decoder::Rot13 | Decoder::Leet => (b <= len).then_some((s + a, s + b)),
        Decoder::Reversed => mirror(len),
        Decoder::Shape => {
            let w = len.checked_sub(1)? / 2;
            mirror(w).or_else(|| (a > w && b <= len).then(|| (s + a - w - 1, s + b - w - 1)))
        }
        _ => None,
    }
}

/// The parent's framing ranges (sorted) in the coordinates of an exact letter rewrite of
/// `text[s..s + len]` (`rewrite_span`'s inverse; sorted). A shape rewrite's halves are not mapped:
/// its text is judged whole.
fn rewrite_framing(d: Decoder, s: usize, len: usize, framing: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let (lo, hi) = (s, s + len);
    let inside = framing.iter().filter_map(|&(a, b)| {
        let (a, b) = ((a as usize).max(lo), (b as usize).min(hi));
        (a < b).then(|| (a - lo, b - lo))
    });
    let mut out: Vec<(u32, u32)> = match d {
        Decoder::Rot13 | Decoder::Leet => inside.map(|(a, b)| (a as u32, b as u32)).collect(),
        Decoder::Reversed => inside
            .map(|(a, b)| ((len - b) as u32, (len - a) as u32))
            .collect(),
        _ => Vec::new(),
    };
    out.sort_unstable();
    out
}

/// Leetspeak read as letters: the digits and signs that stand for a letter in disguised markings
/// (`53CR37`, `C0NF1D3N714L`, `(5//NF)`); other bytes are kept, so every byte keeps its place.
fn unleet(b: u8) -> u8 {
    match b {
        b'0' => b'O',
        b'1' | b'!' | b'|' => b'I',
        b'3' => b'E',
        b'4' | b'@' => b'A',
        b'5' | b'$' => b'S',
        b'7' | b'+' => b'T',
        b'8' => b'B',
        _ => b,
    }
}

fn rot13(b: u8) -> u8 {
    match b {
        b'a'..=b'z' => (b - b'a' + 13) % 26 + b'a',
        b'A'..=b'Z' => (b - b'A' + 13) % 26 + b'A',
        _ => b,
    }
}

/// Decoded bytes worth scanning: mostly printable text (so random hashes are not scanned).
fn mostly_text(b: &[u8]) -> bool {
    let printable = b
        .iter()
        .filter(|&&c| c >= 0x20 || c == b'\n' || c == b'\r' || c == b'\t')
        .count();
    printable * 10 >= b.len() * 9
}

fn digits(b: &[u8]) -> Vec<u8> {
    b.iter()
        .filter(|c| c.is_ascii_digit())
        .map(|c| c - b'0')
        .collect()
}

fn validate(v: Validator, m: &[u8]) -> bool {
    match v {
        Validator::Ssn => {
            let d = digits(m);
            if d.len() != 9 {
                return false;
            }
            let area = d[0] as u32 * 100 + d[1] as u32 * 10 + d[2] as u32;
            let group = d[3] * 10 + d[4];
            let serial = d[5..].iter().fold(0u32, |a, &x| a * 10 + x as u32);
            area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
        }
        Validator::Edipi => {
            let d = digits(m);
            d.len() == 10 && d.iter().any(|&x| x != d[0])
        }
        Validator::Luhn => {
            let d = digits(m);
            if d.len() < 12 {
                return false;
            }
            let sum: u32 = d
                .iter()
                .rev()
                .enumerate()
                .map(|(i, &x)| {
                    let x = x as u32;
                    if i % 2 == 1 {
                        let y = x * 2;
                        if y > 9 {
                            y - 9
                        } else {
                            y
                        }
                    } else {
                        x
                    }
                })
                .sum();
            sum.is_multiple_of(10)
        }
        Validator::CageContract => {
            // DoD contract number (PIIN): 6-char activity code, 2-digit fiscal year, type letter,
            // 4-character serial, with optional dashes.
            let c: Vec<u8> = m.iter().copied().filter(|b| *b != b'-').collect();
            c.len() == 13
                && c[..6].iter().all(|b| b.is_ascii_alphanumeric())
                && c[0].is_ascii_alphabetic()
                && c[6..8].iter().all(|b| b.is_ascii_digit())
                && c[8].is_ascii_alphabetic()
                && !matches!(c[8], b'I' | b'O')
                && c[9..].iter().all(|b| b.is_ascii_alphanumeric())
        }
        Validator::Cage => {
            // CAGE / NCAGE code: 5 characters, digits and capitals without I and O (the CAGE
            // alphabet), at least one digit; single spaces, dots or dashes between them (a code
            // written spaced out) are ignored.
            let c: Vec<u8> = m
                .iter()
                .copied()
                .filter(|b| !matches!(b, b' ' | b'.' | b'-'))
                .collect();
            c.len() == 5
                && c.iter().all(|b| {
                    b.is_ascii_digit() || (b.is_ascii_uppercase() && !matches!(b, b'I' | b'O'))
                })
                && c.iter().any(|b| b.is_ascii_digit())
        }
        Validator::Disguised => m
            .iter()
            .any(|b| b.is_ascii_digit() || matches!(b, b'!' | b'|' | b'@' | b'$' | b'+')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_maps_into_exact_rewrites_and_back() {
        // A parent text of 100 bytes, a rewrite of [20, 80), framing at [10, 25), [40, 45), [78, 90).
        let framing = [(10, 25), (40, 45), (78, 90)];
        for d in [Decoder::Rot13, Decoder::Leet, Decoder::Reversed] {
            let child = rewrite_framing(d, 20, 60, &framing);
            assert!(
                child.windows(2).all(|w| w[0].1 <= w[1].0),
                "{d:?}: {child:?}"
            );
            let back: Vec<(usize, usize)> = child
                .iter()
                .filter_map(|&(a, b)| rewrite_span(d, 20, 60, (a as usize, b as usize)))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            assert_eq!(back, vec![(20, 25), (40, 45), (78, 80)], "{d:?}");
        }
        assert!(rewrite_framing(Decoder::Shape, 20, 60, &framing).is_empty());
    }

    fn default_scanner() -> Scanner {
        let json = include_bytes!("../../policies/default.json");
        let policy = Policy::parse(json).expect("default policy parses");
        Scanner::compile(&policy).expect("default policy compiles")
    }

    fn corpus_texts() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus");
        let mut texts = Vec::new();
        for dir in ["shared", "own"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.extension().and_then(|x| x.to_str()) != Some("jsonl") {
                    continue;
                }
                let content = std::fs::read_to_string(&path).expect("corpus file reads");
                for line in content.lines().filter(|l| !l.trim().is_empty()) {
                    let row: serde_json::Value = serde_json::from_str(line).expect("corpus row");
                    for key in ["text", "prompt"] {
                        if let Some(t) = row.get(key).and_then(|v| v.as_str()) {
                            texts.push(t.to_string());
                        }
                    }
                    if let Some(chunks) = row.get("chunks").and_then(|v| v.as_array()) {
                        texts.push(chunks.iter().filter_map(|c| c.as_str()).collect());
                    }
                }
            }
        }
        texts
    }

    fn normalized(t: &str) -> Normalized {
        let mut norm = Normalized::with_capacity(t.len());
        normalize_into(&mut norm, t, 0);
        norm
    }

    #[test]
    fn bounded_path_finds_what_the_exact_scan_finds() {
        let sc = default_scanner();
        let mut cache = sc.new_cache();
        let texts = corpus_texts();
        assert!(texts.len() > 300, "corpus found: {}", texts.len());
        let (mut with_matches, mut longest) = (0, 0);
        for t in &texts {
            let norm = normalized(t);
            let a = sc
                .signal_matches(&mut cache, &norm.text, Pass::Whole)
                .expect("scans");
            let b = sc
                .signal_matches(&mut cache, &norm.text, Pass::Bounded)
                .expect("scans");
            assert_eq!(a, b, "text: {t:?}");
            with_matches += usize::from(a.iter().any(|v| !v.is_empty()));
            for &(s, e) in a.iter().flatten() {
                longest = longest.max(e - s);
            }
        }
        assert!(with_matches > 200, "texts with matches: {with_matches}");
        // The window leaves room: the longest match of the default pack on the corpus is 119 bytes.
        assert!((longest as usize) < WINDOW, "longest match {longest} bytes");
    }

    /// `cache.touched` lists, ascending and once each, exactly the signals with matches.
    fn touched_is_exact(cache: &ScanCache) -> Result<(), String> {
        let listed: Vec<u32> = (0..cache.by_signal.len() as u32)
            .filter(|&s| {
                cache
                    .by_signal
                    .get(s as usize)
                    .is_some_and(|v| !v.is_empty())
            })
            .collect();
        match listed == cache.touched {
            true => Ok(()),
            false => Err(format!(
                "with matches {listed:?}, touched {:?}",
                cache.touched
            )),
        }
    }

    #[test]
    fn a_reused_cache_clears_and_judges_the_signals_it_matched() {
        // A scan clears and judges only the signals listed in `touched`: after every scan the
        // list names exactly the signals with matches (a match filed without it would outlive
        // its text), a short clean text after a matching one finds nothing, and a reused cache
        // finds what a fresh one does.
        let sc = default_scanner();
        let mut cache = sc.new_cache();
        let mut with_findings = 0;
        for t in corpus_texts() {
            let norm = normalized(&t);
            let out = sc
                .scan_hidden(&mut cache, &norm.text, &norm.hidden, &[])
                .expect("scans");
            if let Err(e) = touched_is_exact(&cache) {
                panic!("{e}; text: {t:?}");
            }
            if out.findings.is_empty() {
                continue;
            }
            with_findings += 1;
            if with_findings <= 40 {
                let fresh = sc
                    .scan_hidden(&mut sc.new_cache(), &norm.text, &norm.hidden, &[])
                    .expect("scans");
                assert_eq!(out.findings, fresh.findings, "text: {t:?}");
            }
            let clean = sc
                .scan(&mut cache, b"Hello from the fast upstream.")
                .expect("scans");
            assert!(
                clean.findings.is_empty(),
                "after {t:?}: {:?}",
                clean.findings
            );
            assert!(cache.touched.is_empty(), "after {t:?}: {:?}", cache.touched);
            assert!(cache.by_signal.iter().all(Vec::is_empty), "after {t:?}");
        }
        assert!(with_findings > 100, "texts with findings: {with_findings}");
    }

    #[test]
    fn the_first_pass_finds_what_the_whole_loop_finds() {
        // `Pass::Ends` (ends first, then the exact loop inside the merged spans) against the
        // exact loop over the whole text: on every corpus text, one lane and four lanes with a
        // tiny join window, and on long texts (corpus texts run together, so the middle falls
        // anywhere) with the shipped lane sizes.
        let sc = default_scanner();
        let mut small = default_scanner();
        small.set_lanes(crate::ends::Lanes { min: 0, join: 4 });
        let (mut c1, mut c2) = (sc.new_cache(), small.new_cache());
        let texts = corpus_texts();
        let mut long: Vec<String> = Vec::new();
        for (i, chunk) in texts.chunks(60).enumerate() {
            let sep = ["\n\n", " ", "", "-- "][i % 4];
            long.push(chunk.join(sep));
        }
        assert!(
            long.iter().filter(|t| t.len() > 8 * 1024).count() > 5,
            "long texts: {:?}",
            long.iter().map(String::len).collect::<Vec<_>>()
        );
        let mut matched = 0;
        for t in texts.iter().chain(&long) {
            let norm = normalized(t);
            let whole = sc
                .signal_matches(&mut c1, &norm.text, Pass::Whole)
                .expect("scans");
            let ends = sc
                .signal_matches(&mut c1, &norm.text, Pass::Ends)
                .expect("scans");
            assert_eq!(whole, ends, "text: {t:?}");
            let lanes = small
                .signal_matches(&mut c2, &norm.text, Pass::Ends)
                .expect("scans");
            assert_eq!(whole, lanes, "text: {t:?}");
            matched += whole.iter().map(Vec::len).sum::<usize>();
        }
        assert!(matched > 1000, "matches: {matched}");
    }

    #[test]
    fn findings_are_the_same_by_either_pass() {
        // `scan` skips texts where no leading pattern matched (see `collect`); the findings
        // must be exactly those of the exact loop over the whole text.
        let sc = default_scanner();
        let mut cache = sc.new_cache();
        let mut with_findings = 0;
        for t in corpus_texts() {
            let norm = normalized(&t);
            let a = sc
                .scan_pass(&mut cache, &norm.text, Pass::Ends)
                .expect("scans");
            let b = sc
                .scan_pass(&mut cache, &norm.text, Pass::Whole)
                .expect("scans");
            assert_eq!(a.findings, b.findings, "text: {t:?}");
            assert_eq!(a.changes, b.changes, "text: {t:?}");
            with_findings += usize::from(!a.findings.is_empty());
        }
        assert!(with_findings > 150, "texts with findings: {with_findings}");
    }

    #[test]
    fn start_found_per_pattern_equals_the_full_reverse_search() {
        // `next_match` runs its reverse search for the matched pattern only; `Regex::try_search`
        // runs it over every pattern. Same spans on the whole corpus, with far less walked back.
        let sc = default_scanner();
        let mut cache = sc.new_cache();
        let (mut matches, mut walked_one, mut walked_all) = (0usize, 0usize, 0usize);
        let rev_walked = |c: &ScanCache| c.dfa.as_parts().1.search_total_len();
        // The counter restarts when a cache is cleared: count from there (a lower bound).
        let since = |before: usize, now: usize| now.checked_sub(before).unwrap_or(now);
        for t in corpus_texts() {
            let norm = normalized(&t);
            let text = &norm.text[..];
            let mut input = Input::new(text);
            loop {
                let before = rev_walked(&cache);
                let one = sc.next_match(&mut cache, &input).expect("scans");
                walked_one += since(before, rev_walked(&cache));
                let before = rev_walked(&cache);
                let all = sc.re.try_search(&mut cache.dfa, &input).expect("scans");
                walked_all += since(before, rev_walked(&cache));
                let all = all.map(|m| (m.pattern().as_usize(), m.start(), m.end()));
                assert_eq!(one, all, "text: {t:?}");
                let Some((_, s, _)) = one else { break };
                matches += 1;
                input.set_start(s + 1);
            }
        }
        assert!(matches > 1000, "matches: {matches}");
        assert!(walked_one < walked_all, "{walked_one} vs {walked_all}");
    }

    #[test]
    fn the_default_hold_back_covers_the_pack() {
        let sc = default_scanner();
        let need = sc.stream_hold_need();
        assert_eq!(need, 3256, "longest match or held window changed");
        assert!(need <= Limits::default().stream_holdback_bytes);
        assert!(sc.stream_held_rules().count() > 40);
    }

    #[test]
    fn hold_back_work_is_bounded() {
        let sc = default_scanner();
        let mut cache = sc.new_cache();
        // Every start in the tail begins an e-mail-shaped partial match that dies only at the
        // final space: unbounded, each start walks to the end (about 500,000 bytes in all).
        let text = format!("{} ", "a.".repeat(600));
        let mut budget = usize::MAX;
        let h = sc.hold_start_within(&mut cache, text.as_bytes(), 1024, 0, &[], &mut budget);
        let walked = usize::MAX - budget;
        assert_eq!(h, text.len() - 1024, "held from the earliest candidate");
        assert!(walked <= WINDOW, "walked {walked}");
        // Out of budget: the earliest candidate is held, nothing is walked.
        let mut none = 0;
        assert_eq!(
            sc.hold_start_within(&mut cache, b"hello SECRET//NO", 1024, 0, &[], &mut none),
            0
        );
        // Ordinary text: only the live tail is held, at a few bytes of walk per byte.
        let mut budget = usize::MAX;
        let t = b"The report is due on Friday. Please send it to SECRET//NO";
        let h = sc.hold_start_within(&mut cache, t, 1024, 0, &[], &mut budget);
        assert_eq!(&t[h..], b"SECRET//NO");
        assert!(
            usize::MAX - budget < 8 * t.len(),
            "walked {}",
            usize::MAX - budget
        );
        // A kilobyte of ordinary prose walks well inside one call's allowance.
        let words = [
            "the",
            "quarterly",
            "report",
            "shows",
            "steady",
            "growth",
            "in",
            "and",
        ];
        let prose: Vec<&str> = (0..200).map(|i| words[(i * 5 + 3) % words.len()]).collect();
        let prose = prose.join(" ");
        let mut budget = usize::MAX;
        sc.hold_start_within(&mut cache, prose.as_bytes(), 1024, 0, &[], &mut budget);
        let walked = usize::MAX - budget;
        assert!(walked < 1024 * HOLD_WORK_PER_BYTE / 2, "walked {walked}");
    }

    #[test]
    fn crafted_runs_switch_to_the_bounded_path() {
        // Every word start begins an e-mail-shaped match that runs to the '@'; and dotted digit
        // groups, where a 4-digit identifier matches while the e-mail pattern stays alive: the exact
        // loop re-reads the run once per match (quadratic). The work counter must hand over.
        let sc = default_scanner();
        for text in [
            format!("{}a@example.com", "a.".repeat(20_000)),
            (0..8_000)
                .map(|i| format!("{:04}", 1000 + i % 9000))
                .collect::<Vec<_>>()
                .join("."),
        ] {
            let mut cache = sc.new_cache();
            let mut w = Work::start(&cache.dfa);
            let mut out = ScanOutput::default();
            let mut budget = 0;
            let level = Level {
                depth: u8::MAX,
                rewritten: false,
                hidden: &[],
                framing: &[],
            };
            sc.scan_level(
                &mut cache,
                text.as_bytes(),
                level,
                Pass::Ends,
                &mut budget,
                &mut out,
            )
            .expect("scans");
            let spent = w.spent(&cache.dfa);
            // Linear: the exact loop's share plus one window per position, not text length squared.
            let bound = text.len() * 300 + (1 << 20);
            assert!(
                spent <= bound,
                "walked {spent} bytes for {} (bound {bound})",
                text.len()
            );
            assert!(
                cache.by_signal.iter().any(|v| !v.is_empty()),
                "the bounded path still files matches"
            );
        }
    }

    #[test]
    fn the_gated_bounded_path_files_what_the_ungated_one_files() {
        // Crafted runs (every start alive for the whole window) with matches inside them: the
        // bounded path with the first pass's end gate files the same matches as without it,
        // and skips the windows that cannot hold one.
        let sc = default_scanner();
        let seg = |n: usize| "a.".repeat(n);
        let texts = [
            format!(
                "{}a@example.com {} SSN 148-36-7725 {}SECRET//NOFORN {}a@x.smil.mil",
                seg(12_000),
                seg(9_000),
                seg(9_000),
                seg(6_000)
            ),
            format!(
                "{} 148-36-7725.{} UNCLASSIFIED//FOUO {}",
                seg(15_000),
                seg(15_000),
                seg(2_000)
            ),
        ];
        for text in &texts {
            let t = text.as_bytes();
            let mut cache = sc.new_cache();
            let mut walked = [0; 2];
            let mut found = Vec::new();
            for (i, pass) in [Pass::GatedBounded, Pass::Bounded].into_iter().enumerate() {
                let mut w = Work::start(&cache.dfa);
                found.push(sc.signal_matches(&mut cache, t, pass).expect("scans"));
                walked[i] = w.spent(&cache.dfa);
            }
            assert_eq!(found[0], found[1]);
            assert!(found[0].iter().filter(|v| !v.is_empty()).count() >= 3);
            // Ungated, about one window per position; gated, a small part of that.
            assert!(walked[1] > t.len() * 100, "{walked:?}");
            assert!(walked[0] * 10 < walked[1], "{walked:?}");
        }
    }

    /// A scanner over the given signals and rules (the default policy's other settings).
    fn scanner_with(signals: serde_json::Value, rules: serde_json::Value) -> Scanner {
        let json = include_bytes!("../../policies/default.json");
        let mut policy = Policy::parse(json).expect("default policy parses");
        policy.signals = serde_json::from_value(signals).expect("signals");
        policy.rules = serde_json::from_value(rules).expect("rules");
        // The default classifier names signals of the default pack these tests replace.
        policy.classifiers.clear();
        Scanner::compile(&policy).expect("compiles")
    }

    fn fires(sc: &Scanner, t: &str) -> bool {
        let mut cache = sc.new_cache();
        !sc.scan(&mut cache, &normalized(t).text)
            .expect("scans")
            .findings
            .is_empty()
    }

    #[test]
    fn cues_lower_generic_evidence_only() {
        let sc = scanner_with(
            serde_json::json!([
                {"id": "prim", "terms": ["widget"]},
                {"id": "num", "regex": "\\b[0-9]+ mm\\b"},
                {"id": "ref", "regex": "\\bDWG [0-9]+\\b"},
                {"id": "cue", "terms": ["fiction", "class project"], "case_insensitive": true}
            ]),
            serde_json::json!([{
                "id": "r", "label": "ITAR", "signal": "prim", "confidence": 0.5,
                "threshold": 0.8, "window": 200,
                "support": [
                    {"signal": "num", "weight": 0.3, "specificity": 0.5},
                    {"signal": "num", "weight": 0.1, "min_count": 3, "specificity": 0.5},
                    {"signal": "ref", "weight": 0.3, "specificity": 1.0},
                    {"signal": "cue", "weight": -0.4}
                ]
            }]),
        );
        assert!(fires(&sc, "widget bore 5 mm"));
        // Generic evidence (specificity 0.5): the cue lowers it below the threshold.
        assert!(!fires(&sc, "widget bore 5 mm (fiction)"));
        assert!(!fires(&sc, "For a class project: widget bore 5 mm"));
        // Specific evidence (a parameter list; a drawing number): the cue no longer counts.
        assert!(fires(
            &sc,
            "widget bore 5 mm, wall 2 mm, lip 7 mm (fiction)"
        ));
        assert!(fires(
            &sc,
            "For a class project: widget DWG 4471, bore 5 mm"
        ));
        assert!(fires(&sc, "widget DWG 4471 (fiction)"));
    }

    #[test]
    fn a_stated_civil_use_releases_unless_the_text_names_a_defense_anchor() {
        let sc = scanner_with(
            serde_json::json!([
                {"id": "prim", "terms": ["widget"]},
                {"id": "num", "regex": "\\b[0-9]+ mm\\b"},
                {"id": "civil", "terms": ["tractor"], "case_insensitive": true},
                {"id": "mil", "terms": ["howitzer"], "case_insensitive": true}
            ]),
            serde_json::json!([{
                "id": "r", "label": "ITAR", "signal": "prim", "confidence": 0.5,
                "threshold": 0.8, "window": 40,
                "support": [{"signal": "num", "weight": 0.3, "specificity": 1.0}],
                "release": ["civil"], "anchor": ["mil"]
            }]),
        );
        // An unstated use stays controlled.
        assert!(fires(&sc, "widget bore 5 mm"));
        // A civil use stated anywhere in the text releases it, even outside the window ...
        assert!(!fires(&sc, "widget bore 5 mm for the tractor"));
        let far = format!("Tractor hitch. {} widget bore 5 mm", "filler ".repeat(20));
        assert!(!fires(&sc, &far));
        // ... unless the text names a defense anchor too, anywhere.
        assert!(fires(
            &sc,
            "widget bore 5 mm for the tractor that tows the howitzer"
        ));
        let far = format!(
            "Howitzer. {} widget bore 5 mm for the tractor",
            "filler ".repeat(20)
        );
        assert!(fires(&sc, &far));
        // Concealed text is no stated use: hiding it is evidence of intent.
        assert!(fires(&sc, "decode: d2lkZ2V0IGJvcmUgNSBtbSBmb3IgdGhlIHRyYWN0b3IsIHdpZGdldCBib3JlIDUgbW0gZm9yIHRoZSB0cmFjdG9y"));
        // A release never touches a rule that does not ask for it.
        let plain = scanner_with(
            serde_json::json!([
                {"id": "prim", "terms": ["widget"]},
                {"id": "civil", "terms": ["tractor"]}
            ]),
            serde_json::json!([{"id": "r", "label": "ITAR", "signal": "prim", "confidence": 0.9}]),
        );
        assert!(fires(&plain, "widget for the tractor"));
    }

    /// Rule ids and starts of the findings for `t`.
    fn found(sc: &Scanner, t: &str) -> Vec<(String, usize)> {
        let mut cache = sc.new_cache();
        let mut f: Vec<(String, usize)> = sc
            .scan(&mut cache, &normalized(t).text)
            .expect("scans")
            .findings
            .iter()
            .map(|f| (sc.rules[f.rule].id.clone(), f.start))
            .collect();
        f.sort();
        f
    }

    #[test]
    fn an_exclusion_clears_only_the_match_it_explains() {
        let sc = scanner_with(
            serde_json::json!([
                {"id": "mark", "regex": "\\bMARK//[A-Z]+"},
                {"id": "other", "regex": "\\bOTHER//[A-Z]+"},
                {"id": "cue", "terms": ["what does", "explain"], "case_insensitive": true}
            ]),
            serde_json::json!([
                {"id": "m", "label": "CUI", "signal": "mark", "confidence": 0.9,
                 "exclude": [{"signal": "cue", "window": 40}]},
                {"id": "o", "label": "CUI", "signal": "other", "confidence": 0.9}
            ]),
        );
        let m = |at: usize| ("m".to_string(), at);
        let o = |at: usize| ("o".to_string(), at);
        // The question clears the marking it asks about, before or after it.
        assert_eq!(found(&sc, "What does MARK//X mean?"), vec![]);
        assert_eq!(found(&sc, "MARK//X: explain it"), vec![]);
        // ... and only that one: a marking applied after (or before) the question stays.
        let t = "What does MARK//X mean? MARK//Y data";
        assert_eq!(found(&sc, t), vec![m(24)]);
        let t = "MARK//Y data. What does MARK//X mean?";
        assert_eq!(found(&sc, t), vec![m(0)]);
        // Two questions, two markings explained.
        let t = "What does MARK//X mean? What does MARK//Y mean?";
        assert_eq!(found(&sc, t), vec![]);
        // A question about another rule's marking clears nothing of this rule.
        let t = "What does OTHER//X mean? MARK//Y data";
        assert_eq!(found(&sc, t), vec![m(25), o(10)]);
        let t = "MARK//Y OTHER//X, explain";
        assert_eq!(found(&sc, t), vec![m(0), o(8)]);
        // Nearest wins, and on a tie the marking after the cue.
        let t = "MARK//Y explain MARK//X";
        assert_eq!(found(&sc, t), vec![m(0)]);
        let t = "MARK//Y  explain MARK//X";
        assert_eq!(found(&sc, t), vec![m(0)]);
        let t = "MARK//Y explain  MARK//X";
        assert_eq!(found(&sc, t), vec![m(17)]);
        // Only within its sentence: a question that ends before the marking explains nothing.
        assert_eq!(found(&sc, "What does this mean? MARK//Y data"), vec![m(21)]);
        assert_eq!(found(&sc, "Explain:\nMARK//Y data"), vec![m(9)]);
        assert_eq!(found(&sc, "MARK//Y data. Explain it."), vec![m(0)]);
        assert_eq!(found(&sc, "Explain the U.S.-only MARK//X"), vec![]);
        // Out of the window: the nearest marking is not cleared either.
        let t = format!("What does {} MARK//X", "a ".repeat(25));
        assert_eq!(found(&sc, &t), vec![m(61)]);
    }

    #[test]
    fn an_exclusion_never_clears_a_marking_applied_to_specific_content() {
        let sc = scanner_with(
            serde_json::json!([
                {"id": "mark", "regex": "\\bMARK//[A-Z]+"},
                {"id": "num", "regex": "\\b[0-9]+ ?mm\\b"},
                {"id": "cue", "terms": ["what does", "explain"], "case_insensitive": true}
            ]),
            serde_json::json!([
                {"id": "m", "label": "CUI", "signal": "mark", "confidence": 0.9, "window": 60,
                 "support": [{"signal": "num", "weight": 0.05, "specificity": 1.0}],
                 "exclude": [{"signal": "cue", "window": 40}]}
            ]),
        );
        // Asked about alone: cleared. Applied to a figure in the same sentence: not cleared.
        assert_eq!(found(&sc, "Explain MARK//X please"), vec![]);
        assert_eq!(
            found(&sc, "Explain MARK//X bore 12 mm"),
            vec![("m".to_string(), 8)]
        );
        assert_eq!(
            found(&sc, "What does MARK//X say about the 40 mm seeker"),
            vec![("m".to_string(), 10)]
        );
    }

    #[test]
    fn term_escaping() {
        assert_eq!(
            escape_term("U.S. only", false, false, false),
            r"U\.S\.\s+only"
        );
        assert_eq!(escape_term("a/b", false, true, false), r"a\s*/\s*b");
        assert!(escape_term("ITAR", true, false, false).starts_with("[i1!|][t7+]"));
        assert_eq!(escape_term("DÉFENSE", false, false, false), "DEFENSE");
        assert_eq!(escape_term("СЕКРЕТНО", false, false, false), "CEKPETHO");
        assert_eq!(escape_term("机密", false, false, true), "机密");
        assert_eq!(
            escape_term("Для", false, false, true),
            "(?:д|Д)(?:л|Л)(?:я|Я)"
        );
        assert_eq!(fold_regex(r"^СЕКРЕТНО\b").unwrap(), r"^CEKPETHO\b");
        assert!(fold_regex("[ﬁ]").is_err());
    }

    #[test]
    fn terms_in_other_scripts_match_the_text_as_scanned() {
        let sc = scanner_with(
            serde_json::json!([
                {"id": "fr", "terms": ["secret défense"], "case_insensitive": true},
                {"id": "ru", "terms": ["совершенно секретно", "для служебного пользования"], "case_insensitive": true},
                {"id": "zh", "terms": ["机密★"]},
                {"id": "re", "regex": "(?m)^СЕКРЕТНО$"}
            ]),
            serde_json::json!([
                {"id": "r.fr", "label": "CLASSIFIED", "signal": "fr", "confidence": 0.9},
                {"id": "r.ru", "label": "CLASSIFIED", "signal": "ru", "confidence": 0.9},
                {"id": "r.zh", "label": "CLASSIFIED", "signal": "zh", "confidence": 0.9},
                {"id": "r.re", "label": "CLASSIFIED", "signal": "re", "confidence": 0.9}
            ]),
        );
        for t in [
            "SECRET DÉFENSE",
            "Secret Défense",
            "СОВЕРШЕННО СЕКРЕТНО",
            "совершенно секретно",
            "ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ",
            "для служебного пользования",
            "文件 机密★10年",
            "x\nСЕКРЕТНО\ny",
        ] {
            assert!(fires(&sc, t), "{t}");
        }
        for t in ["secret défenseur", "机密文件", "СЕКРЕТНОГО", "x СЕКРЕТНО y"]
        {
            assert!(!fires(&sc, t), "{t}");
        }
    }

    #[test]
    fn validators() {
        assert!(validate(Validator::Ssn, b"148-36-7725"));
        assert!(!validate(Validator::Ssn, b"000-36-7725"));
        assert!(!validate(Validator::Ssn, b"666-36-7725"));
        assert!(!validate(Validator::Ssn, b"948-36-7725"));
        assert!(validate(Validator::CageContract, b"W56HZV-24-C-0147"));
        assert!(!validate(Validator::CageContract, b"W56HZV-24-1-0147"));
        assert!(validate(Validator::Luhn, b"4111 1111 1111 1111"));
        assert!(validate(Validator::Edipi, b"1234567890"));
        assert!(!validate(Validator::Edipi, b"1111111111"));
        for ok in ["7B667", "1Y269", "8 P 5 U 0", "0-A-8-B-4", "SCA12"] {
            assert!(validate(Validator::Cage, ok.as_bytes()), "{ok}");
        }
        // I and O are not in the CAGE alphabet; a code has a digit and 5 characters.
        for bad in [
            "1I269",
            "O 2 3 4 5",
            "ABCDE",
            "1234",
            "8 P 5 U 0 1",
            "7b667",
        ] {
            assert!(!validate(Validator::Cage, bad.as_bytes()), "{bad}");
        }
        for ok in ["C0NF1D3N714L", "5ECRET", "$ECRET", "T0P SECRET"] {
            assert!(validate(Validator::Disguised, ok.as_bytes()), "{ok}");
        }
        for bad in ["CONFIDENTIAL", "SECRET", "TOP SECRET"] {
            assert!(!validate(Validator::Disguised, bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn encoded_runs_are_found_without_the_automaton() {
        let mut jobs = Vec::new();
        let hex = "5345435245542f2f4e4f464f524e20202020";
        let t =
            format!("plain words here, then {hex} and U0VDUkVULy9OT0ZPUk4gYmFubmVy\n  Zm9v== end");
        find_encoded(t.as_bytes(), &mut jobs, None);
        let got: Vec<(Decoder, &str)> = jobs.iter().map(|&(d, s, e)| (d, &t[s..e])).collect();
        assert_eq!(
            got,
            vec![
                (Decoder::Hex, hex),
                (Decoder::Base64, "U0VDUkVULy9OT0ZPUk4gYmFubmVy\n  Zm9v=="),
            ]
        );
        jobs.clear();
        let t = "short words only, nothing_encoded_here_at_all_ok but a%20b and %53%45%43%52ET%2F%2FNF x";
        find_encoded(t.as_bytes(), &mut jobs, None);
        let got: Vec<(Decoder, &str)> = jobs.iter().map(|&(d, s, e)| (d, &t[s..e])).collect();
        assert_eq!(got, vec![(Decoder::Url, "%53%45%43%52ET%2F%2FNF")]);
        // Odd-length or letter-bounded hex is not hex; a 24+ run of the alphabet is base64.
        jobs.clear();
        let t = "id deadbeefdeadbeefdeadbeefdeadbeef1 ok";
        find_encoded(t.as_bytes(), &mut jobs, None);
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].0, Decoder::Base64);
    }

    /// The run finder before `next_long_run` (a probe every 24th byte, then a byte walk): the
    /// oracle for the word-at-a-time version.
    fn next_long_run_bytewise(text: &[u8], from: usize) -> Option<(usize, usize)> {
        let mut i = from;
        while i + B64_MIN <= text.len() {
            let probe = i + B64_MIN - 1;
            if class(text, probe) & B64 == 0 {
                i = probe + 1;
                continue;
            }
            let mut s = probe;
            while s > i && class(text, s - 1) & B64 != 0 {
                s -= 1;
            }
            let mut e = probe + 1;
            while class(text, e) & B64 != 0 {
                e += 1;
            }
            if e - s >= B64_MIN {
                return Some((s, e));
            }
            i = e + 1;
        }
        None
    }

    #[test]
    fn word_at_a_time_runs_equal_the_bytewise_finder() {
        let alphabet: &[&[u8]] = &[
            b"A",
            b"z",
            b"7",
            b"+",
            b"/",
            b"=",
            b"==",
            b" ",
            b"\n",
            b"\r\n",
            b"\t",
            b"_",
            b"-",
            b".",
            b"\xc3\xa9",
            b"0123456789abcdef",
            b"QUJDREVGR0hJSktMTU5PUFFSU1RV",
            b"deadbeef",
            b"word ",
        ];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..4000 {
            let mut t = Vec::new();
            let len = (next() % 300) as usize;
            while t.len() < len {
                let r = next();
                let piece = alphabet[(r % alphabet.len() as u64) as usize];
                for _ in 0..1 + (r >> 20) % 6 {
                    t.extend_from_slice(piece);
                }
            }
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            find_encoded(&t, &mut fast, None);
            find_encoded_with(&t, &mut slow, next_long_run_bytewise, [0; PROBES.len()]);
            assert_eq!(
                fast,
                slow,
                "round {round}: {:?}",
                String::from_utf8_lossy(&t)
            );
            for from in [1, 7, 8, 23, 24, 25] {
                assert_eq!(
                    next_long_run(&t, from),
                    next_long_run_bytewise(&t, from),
                    "round {round} from {from}"
                );
            }
        }
        // Every SWAR lane against the byte table.
        for b in 0..=255u8 {
            for lane in 0..8 {
                let w = u64::from(b) << (8 * lane) | 0x4141_4141_4141_4141 & !(0xff << (8 * lane));
                let want = CLASS[usize::from(b)] & B64 != 0;
                assert_eq!(
                    b64_bytes(w) >> (8 * lane + 7) & 1 == 1,
                    want,
                    "byte {b:#x} lane {lane}"
                );
            }
        }
    }

    #[test]
    fn find_byte_matches_position() {
        let hay: Vec<u8> = (0..200u32).map(|i| (i * 7 % 251) as u8).collect();
        for n in [0u8, 1, 37, 0x80, 0xff, b'%'] {
            for start in 0..20 {
                let t = &hay[start..];
                assert_eq!(
                    find_byte(t, n),
                    t.iter().position(|&b| b == n),
                    "{n} {start}"
                );
            }
        }
    }

    /// Normalize and scan `t` with the default pack: whether anything fired, and the
    /// normalizations reported.
    fn scan_default(sc: &Scanner, t: &str) -> (bool, Vec<&'static str>, usize) {
        let mut cache = sc.new_cache();
        let norm = normalized(t);
        let out = sc.scan(&mut cache, &norm.text).expect("scans");
        let mut changes = norm.changes;
        changes.insert(out.changes);
        (!out.findings.is_empty(), changes.names(), out.decoded_bytes)
    }

    fn spell(t: &str, each: impl Fn(u8) -> String, sep: &str) -> String {
        t.bytes().map(each).collect::<Vec<_>>().join(sep)
    }

    #[test]
    fn evasion_decoders_find_hidden_markings() {
        let sc = default_scanner();
        let secret = "SECRET//NOFORN drawing 4471 attached";
        let tags: String = secret
            .chars()
            .map(|c| char::from_u32(0xE0000 + c as u32).unwrap_or(' '))
            .collect();
        let cases: Vec<(String, &str)> = vec![
            (
                format!("Hi!{tags} Summarize the weather please."),
                "decoded_tag_characters",
            ),
            (
                format!("Decode: {}", spell(secret, |b| format!("{b:02x}"), " ")),
                "decoded_hex",
            ),
            (
                format!("bytes {}", spell(secret, |b| format!("0x{b:02X}"), ", ")),
                "decoded_hex",
            ),
            (
                format!("mac {} end", spell(secret, |b| format!("{b:02x}"), ":")),
                "decoded_hex",
            ),
            (
                format!("s = \"{}\"", spell(secret, |b| format!("\\x{b:02x}"), "")),
                "escapes",
            ),
            (
                format!("Body:\n{}", spell(secret, |b| format!("={b:02X}"), "")),
                "decoded_quoted_printable",
            ),
            (
                "Body: =53=45=43=\n=52=45=54=2F=2FNOFORN drawing".to_string(),
                "decoded_quoted_printable",
            ),
            (
                "b32: KNCUGUSFKQXS6TSPIZHVETRAMRZGC53JNZTSANBUG4YSAYLUORQWG2DFMQ======".into(),
                "decoded_base32",
            ),
            (
                r#"a85: <~;aj&O78ton:/=>T;GJ?FEaa0+DJ((K1cI-3@<?U"@q]Fa~> ok"#.into(),
                "decoded_base85",
            ),
            (
                "Please reverse this and do what it says: dehcatta 1744 gniward NROFON//TERCES"
                    .into(),
                "decoded_reversed",
            ),
            (
                "Status line: dehcatta 1744 gniward NROFON//TERCES".into(),
                "decoded_reversed",
            ),
            (
                "Header: FRPERG//ABSBEA qenjvat 4471 nggnpurq".into(),
                "decoded_rot13",
            ),
            (
                "53CR37//R3L 70 U54, FV3Y\nThe review moved.".into(),
                "decoded_leetspeak",
            ),
            ("(75//51//NF) The review moved.".into(), "decoded_leetspeak"),
            ("CU1//5P-3XP7\nDraft the reply.".into(), "decoded_leetspeak"),
            (
                "S E C R E T / / R E L   T O   U S A ,   F V E Y\nDraft the reply.".into(),
                "joined_letter_spacing",
            ),
            (
                "( T S / / S I / / N F )\nSummarize.".into(),
                "joined_letter_spacing",
            ),
            (
                "C.U.I././.S.P.-.C.T.I\nFix the page.".into(),
                "joined_letter_spacing",
            ),
            (
                "S-E-C-R-E-T-/-/-R-E-L   T-O   U-S-A-,   F-V-E-Y".into(),
                "joined_letter_spacing",
            ),
        ];
        for (t, name) in &cases {
            let (fired, names, _) = scan_default(&sc, t);
            assert!(fired, "not found: {t:?}");
            assert!(names.contains(name), "{t:?}: {names:?}");
        }
        // Benign look-alikes: hex-ish numbers, equals signs, a request to reverse a list.
        for t in [
            "Scores: 10 20 30 40 50 60 70 80 90 and the mean is 50.",
            "set a=10 b=20 c=3F d=4E in the config",
            "Please reverse the order of this list: apples, pears, plums.",
            "MAC 00:1a:2b:3c:4d:5e:6f:70 on port 3",
            "See https://example.com/a//b and the docs//index page.",
            "half = n//2 + 5; rows//3 == 17 and the U.S.A. team won 3-1",
            "matrix: 1 0 0 0 1 0 0 0 1 and the vector v e c t o r",
            "Version 1.2.3.4.5.6 ships with a-b-c-d-e-f flags",
        ] {
            let (fired, _, _) = scan_default(&sc, t);
            assert!(!fired, "fired on benign {t:?}");
        }
    }

    #[test]
    fn evasion_finders_work_is_linear() {
        // Crafted worst cases: runs that almost reach the minimum, over and over; escapes that
        // almost chain; one hint per line. The work per byte stays bounded.
        let n = 200_000;
        let near_hex = "12 34 56 78 9a bc de x ".repeat(n / 23);
        let long_hex = "0x41 ".repeat(n / 5);
        let mut jobs = Vec::new();
        for t in [&near_hex, &long_hex] {
            jobs.clear();
            let work = find_spaced_hex(t.as_bytes(), 0, &mut jobs);
            assert!(
                work <= 3 * t.len(),
                "spaced hex work {work} for {}",
                t.len()
            );
        }
        for t in [
            "=41=42=43 x".repeat(n / 11),
            "=41".repeat(n / 3),
            "=4=4=4=4".repeat(n / 8),
        ] {
            jobs.clear();
            let work = find_quoted_printable(t.as_bytes(), 0, &mut jobs);
            assert!(work <= 8 * t.len(), "qp work {work} for {}", t.len());
        }
        // Hints everywhere: the decoded windows are disjoint, so decoded bytes stay near the
        // text's length, and under the request's budget.
        let sc = default_scanner();
        let t = "reverse rot13 ".repeat(n / 14);
        let (_, _, decoded) = scan_default(&sc, &t);
        assert!(
            decoded <= 2 * t.len() + 8192,
            "decoded {decoded} of {}",
            t.len()
        );
        // A marking shape every few bytes: each window is decoded twice (reversed and ROT13).
        let t = "ab//cd ".repeat(n / 7);
        let (_, _, decoded) = scan_default(&sc, &t);
        assert!(decoded <= 3 * t.len(), "decoded {decoded} of {}", t.len());
        // With a digit beside it, the same windows are read as leetspeak too: once more.
        let t = "a1//c1 ".repeat(n / 7);
        let (_, _, decoded) = scan_default(&sc, &t);
        assert!(decoded <= 4 * t.len(), "decoded {decoded} of {}", t.len());
        let t = "<~".repeat(n / 2);
        let (_, _, decoded) = scan_default(&sc, &t);
        assert!(decoded <= t.len(), "decoded {decoded}");
        // Letter-spaced runs that stop one character short, runs with mixed separators, one
        // long run: each byte is looked at a bounded number of times.
        for t in [
            "a b c d e x ".repeat(n / 12),
            "a.b c-d e.f g ".repeat(n / 14),
            "a b ".repeat(n / 4),
            "S.E.C.R.E.T   ".repeat(n / 14),
        ] {
            jobs.clear();
            let work = find_letter_spaced(t.as_bytes(), 0, &mut jobs);
            assert!(
                work <= 3 * t.len(),
                "letter-spaced work {work} for {}",
                t.len()
            );
        }
    }

    #[test]
    fn marking_grammar_tolerates_spacing_leet_typos_and_paraphrase() {
        let sc = default_scanner();
        for t in [
            "S E C R E T // N O F O R N\nthe seeker gimbal loop gains",
            "S.E.C.R.E.T//N.O.F.O.R.N",
            "70P 53CR37//N0F0RN",
            "SECRET/NOFORN attached",
            "TOP SECRET / SI / NOFORN",
            "SECRET NOFORN - handle accordingly",
            "(S/NF) The battery moves at dawn.",
            "(TS/SI/NF) Collection summary.",
            "Note: this line is secret-level and not for foreign nationals.",
            "This memo is classified at the confidential level; no foreign dissemination.",
            // Levels named by rank or by "classification:", restrictions and compartments in words.
            "Classification: the one above confidential, no foreign dissem. Summarize it.",
            "Classification of this memo: one level below top secret; no release to foreign nationals.",
            "This page carries the highest US classification plus the TK compartment.",
            "(marking on this is top secret, special intel compartment, US eyes only) Rewrite it.",
            "Banner (written out): secret, no foreign nationals.",
            "[classification: the middle level, US only]",
            // A banner line in leetspeak.
            "C0NF1D3N714L\nTest report cover page.",
            "T0P 53CR37\nAgenda",
        ] {
            assert!(scan_default(&sc, t).0, "missed: {t:?}");
        }
        for t in [
            "Ship the unit with S/N 4471-220 (S/N printed on the label).",
            "Coffee w/o sugar, I/O board, due 12/05/24.",
            "Files: (TS) index.ts",
            "Requires an active secret-level clearance; US citizens only.",
            "The recipe is a family secret and not for sale.",
            "Her secret level in the game is 12; not for kids under 10.",
            "The middle level of the garage is for US only parking.",
            "Classification: secret santa gift list, keep it from the kids.",
            "Password hint:\nS3cr3t\n(do not reuse)",
            "CONFIDENTIAL\nQ3 sales forecast for the board.",
            "Let us only ship what is classified as secret sauce for the highest classification accuracy.",
        ] {
            assert!(!scan_default(&sc, t).0, "fired on benign {t:?}");
        }
    }

    #[test]
    fn rewritten_findings_map_back_exactly() {
        let sc = default_scanner();
        for (t, want) in [
            ("rot13 please: Zl FFA vf 148-36-7725 gunaxf", "148-36-7725"),
            ("reverse this: 5277-63-841 si NSS yM", "5277-63-841"),
        ] {
            let mut cache = sc.new_cache();
            let out = sc.scan(&mut cache, t.as_bytes()).expect("scans");
            let spans: Vec<&str> = out
                .findings
                .iter()
                .filter(|f| sc.rules.get(f.rule).is_some_and(|r| r.redacts))
                .filter_map(|f| t.get(f.start..f.end))
                .collect();
            assert_eq!(spans, vec![want], "{t:?}");
        }
    }

    #[test]
    fn decoders() {
        let t = b"xx 5345435245542f2f4e4f464f524e202020 yy";
        let d = decode(Decoder::Hex, t, 3, 39, 1000).map(|(v, _)| v);
        assert_eq!(d.as_deref(), Some(&b"SECRET//NOFORN   "[..]));
        let t = b"U0VDUkVULy9OT0ZPUk4=";
        assert_eq!(
            decode(Decoder::Base64, t, 0, t.len(), 1000)
                .map(|(v, _)| v)
                .as_deref(),
            Some(&b"SECRET//NOFORN"[..])
        );
        let t = b"%53%45%43%52ET%2F%2FNOFORN";
        assert_eq!(
            decode(Decoder::Url, t, 0, t.len(), 1000)
                .map(|(v, _)| v)
                .as_deref(),
            Some(&b"SECRET//NOFORN"[..])
        );
    }

    include!("../examples/common/varied.rs");

    /// Varied text with a leading match every ~2 KB (markings, legends, quantities): the leading
    /// pass, the full pass, the exact loop and the decoded windows around every marking shape
    /// all build lazy-DFA states. Two such 1 MB texts must fit the caches: a cleared cache
    /// rebuilds its states from nothing, and the scan of such text fell to about 1 MB/s when
    /// the exact loop's cache was cleared a few times per text (docs/performance.md, "Varied
    /// text"). Deterministic: the caches' own clear counters, no clock.
    #[test]
    fn varied_text_with_leading_matches_fits_the_caches() {
        let sc = default_scanner();
        let mut cache = sc.new_cache();
        for seed in [0x9e37, 0x9e38] {
            let t = normalized(&prompt(1000 << 10, seed));
            let out = sc.scan(&mut cache, &t.text).unwrap();
            assert!(!out.findings.is_empty());
        }
        let st = cache.stats();
        assert_eq!(
            (
                st.lead_clears,
                st.ends_clears,
                st.forward_clears,
                st.reverse_clears
            ),
            (0, 0, 0, 0),
            "{st:?}"
        );
        // Heap of the three caches (about 28 MiB on these texts): far below, the states are
        // not what the test measures; far above, varied text builds more of them than it did.
        assert!(st.bytes.iter().sum::<usize>() < 40 << 20, "{st:?}");
    }
}
