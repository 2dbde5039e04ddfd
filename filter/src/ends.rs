//! The scan's first pass: every offset at which a match of any pattern ends, found by ONE
//! forward walk of an all-matches lazy DFA over the text, in four lanes that run in lock step.
//!
//! Why lanes: a DFA walk is a chain of dependent loads (the next state depends on the one
//! before), so one walk leaves the CPU idle most of each step. Four walks over the four quarters
//! of the text are independent chains, and the CPU runs them side by side: the same bytes in
//! about 40% of the time, in V8 as natively (docs/detection.md, "Four lanes").
//!
//! Why it is exact: a lane that starts afresh at offset `c` holds only the threads that began at
//! `c` or later: a subset of the true states, so every end it reports is a true end. Lane 0
//! walks from the start, so its states are the true ones. After its quarter, a lane walks on into
//! the next lane's quarter until its state equals that lane's state at the same offset ("joins"):
//! from there on the two are the same walk, so the next lane's states are true too, and so on
//! down the lanes. A lane that has not joined within `join` bytes walks on alone to the end of
//! the text. Either way every true end is reported. A cleared cache invalidates the state ids
//! the lanes hold: the pass then gives up and the caller scans another way.

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind};

use crate::error::PolicyError;

/// Texts shorter than `min` bytes are walked in one lane (joining would cost more than it
/// saves). A longer text of `n` bytes keeps `min(join, n / 16)` of lanes 1-3's first states to
/// find where the lane before joins each (a short text, short heads: the heads are walked twice).
/// Tests and the fuzz target use small values so that short texts take the four-lane path.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Lanes {
    pub min: usize,
    pub join: usize,
}

impl Lanes {
    /// The full first pass (followed by spans: worth it from 8 KB, see `Scanner::collect`).
    pub const FULL: Lanes = Lanes {
        min: 8 * 1024,
        join: 512,
    };
    /// The leading pass, which settles most prompts alone: with heads of n / 16, lanes pay from
    /// a few hundred bytes (4 KB prompts: 13.5 -> 8.2 us natively, docs/detection.md).
    pub const LEAD: Lanes = Lanes {
        min: 256,
        join: 512,
    };
}
/// Lazy-DFA cache of the leading pass (`build`) and of the full pass (`from_nfa`), per VM. Prose
/// uses a small part of them. The leading pass also walks every decoded window (the text around
/// a marking shape reversed, in ROT13, with leetspeak read as letters): on varied English with a
/// leading match every ~2 KB its states reach ~9.6 MB, and a cleared cache rebuilds them from
/// nothing (docs/performance.md, "Varied text"); the full pass's stay near 8 MB.
const LEAD_CACHE_BYTES: usize = 16 * 1024 * 1024;
const FULL_CACHE_BYTES: usize = 12 * 1024 * 1024;

/// The pass could not finish: the cache was cleared, or the automaton gave up.
struct GaveUp;

#[derive(Debug)]
pub struct EndFinder {
    dfa: DFA,
    lanes: Lanes,
}

pub struct EndCache {
    cache: Cache,
    /// The first `join` states of lanes 1-3.
    heads: Vec<LazyStateID>,
    /// Each lane's ends, in the order it walked (ascending).
    lane_ends: [Vec<(usize, u32)>; 4],
    /// How many lanes joined the next one in the last pass (0-3).
    joins: u8,
}

impl EndCache {
    /// Heap bytes of the lazy DFA's cache as it stands.
    pub fn memory(&self) -> usize {
        self.cache.memory_usage()
    }

    /// How many of lanes 0-2 joined the next lane in the last pass (the others walked on alone
    /// to the end of the text): tests and benchmarks.
    #[doc(hidden)]
    pub fn joins(&self) -> u8 {
        self.joins
    }

    /// How many times the lazy DFA's cache was cleared since it was created.
    #[doc(hidden)]
    pub fn clears(&self) -> usize {
        self.cache.clear_count()
    }
}

impl EndFinder {
    /// The same patterns, in the same order and with the same syntax, as the scan's automaton.
    pub fn build(
        patterns: &[String],
        syntax_cfg: syntax::Config,
        lanes: Lanes,
    ) -> Result<EndFinder, PolicyError> {
        let mut f = EndFinder::build_sized(patterns, syntax_cfg, LEAD_CACHE_BYTES)?;
        f.set_lanes(lanes);
        Ok(f)
    }

    fn build_sized(
        patterns: &[String],
        syntax_cfg: syntax::Config,
        cache_bytes: usize,
    ) -> Result<EndFinder, PolicyError> {
        let dfa = DFA::builder()
            .syntax(syntax_cfg)
            .thompson(
                thompson::Config::new()
                    .utf8(false)
                    .which_captures(thompson::WhichCaptures::None),
            )
            .configure(Self::config(cache_bytes))
            .build_many(patterns)
            .map_err(|e| PolicyError::Automaton(e.to_string()))?;
        Ok(EndFinder {
            dfa,
            lanes: Lanes::FULL,
        })
    }

    #[doc(hidden)]
    pub fn set_lanes(&mut self, lanes: Lanes) {
        self.lanes = Lanes {
            min: lanes.min,
            join: lanes.join.max(1),
        };
    }

    /// Heap bytes of the automaton's NFA and DFA (the NFA may be shared, see `from_nfa`).
    pub fn nfa_memory(&self) -> usize {
        self.dfa.get_nfa().memory_usage() + self.dfa.memory_usage()
    }

    /// A pass over an NFA compiled elsewhere (the scan shares its forward NFA), which must
    /// have been compiled as `build` does.
    pub fn from_nfa(nfa: thompson::NFA, lanes: Lanes) -> Result<EndFinder, PolicyError> {
        let dfa = DFA::builder()
            .configure(Self::config(FULL_CACHE_BYTES))
            .build_from_nfa(nfa)
            .map_err(|e| PolicyError::Automaton(e.to_string()))?;
        let mut f = EndFinder {
            dfa,
            lanes: Lanes::FULL,
        };
        f.set_lanes(lanes);
        Ok(f)
    }

    fn config(cache_bytes: usize) -> regex_automata::hybrid::dfa::Config {
        DFA::config()
            .match_kind(MatchKind::All)
            .cache_capacity(cache_bytes)
            .skip_cache_capacity_check(true)
    }

    /// Texts shorter than this are walked in one lane.
    pub fn lane_min(&self) -> usize {
        self.lanes.min
    }

    pub fn create_cache(&self) -> EndCache {
        EndCache {
            cache: self.dfa.create_cache(),
            heads: Vec::with_capacity(3 * self.lanes.join),
            lane_ends: Default::default(),
            joins: 0,
        }
    }

    /// Every offset of `text` at which a match of some pattern ends (exclusive end), with the
    /// pattern, sorted and without repeats, into `ends`. Returns false when the pass gave up:
    /// `ends` is then incomplete and must not be used.
    pub fn ends(&self, cache: &mut EndCache, text: &[u8], ends: &mut Vec<(usize, u32)>) -> bool {
        ends.clear();
        let clears = cache.cache.clear_count();
        let walk = Walk {
            dfa: &self.dfa,
            lanes: self.lanes,
            clears,
            text,
        };
        for lane in cache.lane_ends.iter_mut() {
            lane.clear();
        }
        let walked = walk.run(&mut cache.cache, &mut cache.heads, &mut cache.lane_ends);
        cache.joins = *walked.as_ref().unwrap_or(&0);
        if walked.is_err() || cache.cache.clear_count() != clears {
            return false;
        }
        for lane in &cache.lane_ends {
            ends.extend_from_slice(lane);
        }
        // Four ascending runs (they overlap where a lane walked past its part): the stable sort
        // merges runs in about linear time.
        ends.sort();
        ends.dedup();
        true
    }
}

struct Walk<'a> {
    dfa: &'a DFA,
    lanes: Lanes,
    /// The cache's clear count when the pass began: any change invalidates the held state ids.
    clears: usize,
    text: &'a [u8],
}

impl Walk<'_> {
    fn run(
        &self,
        c: &mut Cache,
        heads: &mut Vec<LazyStateID>,
        lane_ends: &mut [Vec<(usize, u32)>; 4],
    ) -> Result<u8, GaveUp> {
        let n = self.text.len();
        let join = self.lanes.join.min(n / 16);
        if n < self.lanes.min || join == 0 {
            let ends = &mut lane_ends[0];
            let s = self.start(c, 0)?;
            let s = self.solo(c, s, 0, n, ends)?;
            self.eoi(c, s, ends)?;
            return Ok(0);
        }
        // Four lanes from offsets 0, q, 2q, 3q, in lock step over q bytes each; lanes 1-3 keep
        // their first `join` states (join <= n / 16 <= q). Lane 3 then walks on to the end.
        let q = n / 4;
        let at = [0, q, 2 * q, 3 * q];
        // `quad` writes every head before the joins read them: what a resize keeps from the
        // text before is overwritten, and a text of the same size fills nothing twice.
        heads.resize(3 * join, LazyStateID::default());
        let mut s = [self.start(c, 0)?; 4];
        for k in 1..4 {
            s[k] = self.start(c, at[k])?;
        }
        let s = self.quad(c, s, at, q, (heads, join), lane_ends)?;
        let s3 = self.solo(c, s[3], 4 * q, n, &mut lane_ends[3])?;
        self.eoi(c, s3, &mut lane_ends[3])?;
        // Lane k walks into lane k + 1's part until it joins it; one that does not join within
        // `join` bytes walks on alone to the end.
        let mut joins = 0;
        for (k, &end_state) in s.iter().enumerate().take(3) {
            let from = at[k + 1];
            let mut sid = end_state;
            let ends = &mut lane_ends[k];
            let mut joined = false;
            for j in 0..join {
                let p = from + j;
                sid = self.advance(c, sid, self.byte(p)?, p, ends)?;
                if heads.get(k * join + j) == Some(&sid) {
                    joined = true;
                    break;
                }
            }
            if joined {
                joins += 1;
            } else {
                sid = self.solo(c, sid, from + join, n, ends)?;
                self.eoi(c, sid, ends)?;
            }
        }
        Ok(joins)
    }

    /// Every pattern that matches in match state `sid`, as ending at `at`.
    fn file(&self, c: &Cache, sid: LazyStateID, at: usize, ends: &mut Vec<(usize, u32)>) {
        for i in 0..self.dfa.match_len(c, sid) {
            ends.push((at, self.dfa.match_pattern(c, sid, i).as_u32()));
        }
    }

    fn byte(&self, at: usize) -> Result<u8, GaveUp> {
        self.text.get(at).copied().ok_or(GaveUp)
    }

    fn check(&self, c: &Cache) -> Result<(), GaveUp> {
        if c.clear_count() == self.clears {
            Ok(())
        } else {
            Err(GaveUp)
        }
    }

    fn start(&self, c: &mut Cache, at: usize) -> Result<LazyStateID, GaveUp> {
        let input = Input::new(self.text).range(at..);
        let s = self
            .dfa
            .start_state_forward(c, &input)
            .map_err(|_| GaveUp)?;
        self.check(c)?;
        Ok(s)
    }

    /// One transition by the checked path (state not yet computed, or a tagged state); files
    /// the end when the new state is a match state (matches show one byte late: the match ended
    /// at `at`).
    #[inline(never)]
    fn step(
        &self,
        c: &mut Cache,
        sid: LazyStateID,
        byte: u8,
        at: usize,
        ends: &mut Vec<(usize, u32)>,
    ) -> Result<LazyStateID, GaveUp> {
        let next = self.dfa.next_state(c, sid, byte).map_err(|_| GaveUp)?;
        self.check(c)?;
        if next.is_quit() {
            return Err(GaveUp);
        }
        if next.is_match() {
            self.file(c, next, at, ends);
        }
        Ok(next)
    }

    /// One transition: the fast one when it stays on computed, untagged states, else `step`.
    #[inline(always)]
    fn advance(
        &self,
        c: &mut Cache,
        sid: LazyStateID,
        byte: u8,
        at: usize,
        ends: &mut Vec<(usize, u32)>,
    ) -> Result<LazyStateID, GaveUp> {
        if !sid.is_tagged() {
            let next = self.dfa.next_state_untagged(c, sid, byte);
            if !next.is_tagged() {
                return Ok(next);
            }
        }
        self.step(c, sid, byte, at, ends)
    }

    fn eoi(
        &self,
        c: &mut Cache,
        sid: LazyStateID,
        ends: &mut Vec<(usize, u32)>,
    ) -> Result<(), GaveUp> {
        let next = self.dfa.next_eoi_state(c, sid).map_err(|_| GaveUp)?;
        self.check(c)?;
        if next.is_match() {
            self.file(c, next, self.text.len(), ends);
        }
        Ok(())
    }

    /// One lane over `from..to`.
    #[inline(never)]
    fn solo(
        &self,
        c: &mut Cache,
        mut sid: LazyStateID,
        from: usize,
        to: usize,
        ends: &mut Vec<(usize, u32)>,
    ) -> Result<LazyStateID, GaveUp> {
        let bytes = self.text.get(from..to).ok_or(GaveUp)?;
        for (i, &x) in bytes.iter().enumerate() {
            sid = self.advance(c, sid, x, from + i, ends)?;
        }
        Ok(sid)
    }

    /// Four lanes in lock step over `len` bytes each, from their own offsets; over the first
    /// `join` bytes lanes 1-3 record their states in `heads` (lane k at `(k - 1) * join + i`).
    /// The inner loop (`run4`, keeping heads, then not) run while every lane stays on computed,
    /// untagged states; anything else takes one checked step of all four.
    #[inline(never)]
    fn quad(
        &self,
        c: &mut Cache,
        [mut s0, mut s1, mut s2, mut s3]: [LazyStateID; 4],
        [f0, f1, f2, f3]: [usize; 4],
        len: usize,
        (heads, join): (&mut [LazyStateID], usize),
        [e0, e1, e2, e3]: &mut [Vec<(usize, u32)>; 4],
    ) -> Result<[LazyStateID; 4], GaveUp> {
        let part = |f: usize| self.text.get(f..f + len).ok_or(GaveUp);
        let (t0, t1, t2, t3) = (part(f0)?, part(f1)?, part(f2)?, part(f3)?);
        let (h1, rest) = heads.split_at_mut(join.min(heads.len()));
        let (h2, h3) = rest.split_at_mut(join.min(rest.len()));
        let mut i = 0;
        while i < len {
            if !(s0.is_tagged() || s1.is_tagged() || s2.is_tagged() || s3.is_tagged()) {
                let parts = (t0, t1, t2, t3);
                let states = (s0, s1, s2, s3);
                (s0, s1, s2, s3, i) = if i < join {
                    run4::<true>(self.dfa, c, parts, states, i, (h1, h2, h3))
                } else {
                    run4::<false>(self.dfa, c, parts, states, i, (&mut [], &mut [], &mut []))
                };
            }
            let (Some(&x0), Some(&x1), Some(&x2), Some(&x3)) =
                (t0.get(i), t1.get(i), t2.get(i), t3.get(i))
            else {
                break;
            };
            s0 = self.advance(c, s0, x0, f0 + i, e0)?;
            s1 = self.advance(c, s1, x1, f1 + i, e1)?;
            s2 = self.advance(c, s2, x2, f2 + i, e2)?;
            s3 = self.advance(c, s3, x3, f3 + i, e3)?;
            if let (Some(a), Some(b), Some(d)) = (h1.get_mut(i), h2.get_mut(i), h3.get_mut(i)) {
                (*a, *b, *d) = (s1, s2, s3);
            }
            i += 1;
        }
        Ok([s0, s1, s2, s3])
    }
}

type Four<T> = (T, T, T, T);

type Heads<'a> = (
    &'a mut [LazyStateID],
    &'a mut [LazyStateID],
    &'a mut [LazyStateID],
);

/// The lock-step inner loop, from byte `i` of four equally long parts, while every lane stays
/// on computed, untagged states. Returns the states before the first byte at which some lane
/// would leave them (or the end) and that byte's index. With `HEADS` it also keeps lanes 1-3's
/// states (`heads.k[i]`: lane k's state after byte `i`) and stops at the end of the heads. A
/// small leaf function (one per `HEADS`), so that V8 keeps its dozen values in registers.
#[inline(never)]
fn run4<const HEADS: bool>(
    dfa: &DFA,
    c: &Cache,
    (t0, t1, t2, t3): Four<&[u8]>,
    (mut s0, mut s1, mut s2, mut s3): Four<LazyStateID>,
    mut i: usize,
    (h1, h2, h3): Heads<'_>,
) -> (LazyStateID, LazyStateID, LazyStateID, LazyStateID, usize) {
    let mut len = t0.len().min(t1.len()).min(t2.len()).min(t3.len());
    if HEADS {
        len = len.min(h1.len()).min(h2.len()).min(h3.len());
    }
    let (t0, t1, t2, t3) = (&t0[..len], &t1[..len], &t2[..len], &t3[..len]);
    // Each part (and with HEADS each head) is at least `len` long and `i < len`: the indexing
    // is in bounds, and the compiler drops its checks.
    while i < len {
        let n0 = dfa.next_state_untagged(c, s0, t0[i]);
        let n1 = dfa.next_state_untagged(c, s1, t1[i]);
        let n2 = dfa.next_state_untagged(c, s2, t2[i]);
        let n3 = dfa.next_state_untagged(c, s3, t3[i]);
        if n0.is_tagged() || n1.is_tagged() || n2.is_tagged() || n3.is_tagged() {
            break;
        }
        (s0, s1, s2, s3) = (n0, n1, n2, n3);
        if HEADS {
            (h1[i], h2[i], h3[i]) = (n1, n2, n3);
        }
        i += 1;
    }
    (s0, s1, s2, s3, i)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use regex_automata::Anchored;

    const PATTERNS: &[&str] = &[
        r"SECRET[\s._-]*NOFORN",
        r"(?i)\bfoo(?:bar)?\b",
        r"[0-9]{3}-[0-9]{2}-[0-9]{4}",
        r"[a-z0-9.]+@[a-z]+\.(?:com|mil)",
        r"x+y",
    ];

    fn patterns() -> Vec<String> {
        PATTERNS.iter().map(|p| p.to_string()).collect()
    }

    fn syntax_cfg() -> syntax::Config {
        syntax::Config::new().unicode(false).utf8(false)
    }

    /// The oracle: an end is any offset where a reverse search anchored there finds a match.
    fn oracle(text: &[u8]) -> Vec<usize> {
        let rev = DFA::builder()
            .syntax(syntax_cfg())
            .thompson(thompson::Config::new().utf8(false).reverse(true))
            .configure(DFA::config().match_kind(MatchKind::All))
            .build_many(&patterns())
            .unwrap();
        let mut cache = rev.create_cache();
        (0..=text.len())
            .filter(|&e| {
                let input = Input::new(text).range(..e).anchored(Anchored::Yes);
                rev.try_search_rev(&mut cache, &input).unwrap().is_some()
            })
            .collect()
    }

    /// Deterministic text from pieces that start, continue and break matches.
    fn text(seed: u64, len: usize) -> Vec<u8> {
        const PIECES: &[&str] = &[
            "SECRET",
            "NOFORN",
            " ",
            "..",
            "--",
            "foo",
            "FOObar",
            "123-45-6789",
            "12",
            "-",
            "a.b",
            "@",
            "mail",
            ".com",
            ".mil",
            "xx",
            "xxxxxxxx",
            "y",
            "\n",
            "plain words ",
        ];
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut out = Vec::with_capacity(len + 16);
        while out.len() < len {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let piece = PIECES[(x >> 33) as usize % PIECES.len()];
            out.extend_from_slice(piece.as_bytes());
        }
        out
    }

    /// The end offsets (the oracle does not tell patterns apart; `file` is checked by
    /// `files_the_pattern_that_ended`).
    fn ends_of(f: &EndFinder, cache: &mut EndCache, text: &[u8]) -> Option<Vec<usize>> {
        let mut ends = Vec::new();
        if !f.ends(cache, text, &mut ends) {
            return None;
        }
        let mut offsets: Vec<usize> = ends.iter().map(|e| e.0).collect();
        offsets.dedup();
        Some(offsets)
    }

    #[test]
    fn files_the_pattern_that_ended() {
        let f = EndFinder::build(&patterns(), syntax_cfg(), Lanes::FULL).unwrap();
        let mut c = f.create_cache();
        let mut ends = Vec::new();
        let t = b"SECRET NOFORN foo 123-45-6789xxy";
        assert!(f.ends(&mut c, t, &mut ends));
        // foo also ends a match of nothing else; "xxy" matches x+y from two starts: one end.
        assert_eq!(ends, vec![(13, 0), (17, 1), (29, 2), (32, 4)]);
    }

    #[test]
    fn one_lane_and_two_lanes_find_every_end() {
        let one = EndFinder::build(&patterns(), syntax_cfg(), Lanes::FULL).unwrap();
        let mut two = EndFinder::build(&patterns(), syntax_cfg(), Lanes::FULL).unwrap();
        two.set_lanes(Lanes { min: 0, join: 4 });
        let (mut c1, mut c2) = (one.create_cache(), two.create_cache());
        let mut with_ends = 0;
        for seed in 0..300 {
            let t = text(seed, 10 + (seed as usize * 7) % 400);
            let want = oracle(&t);
            with_ends += usize::from(!want.is_empty());
            assert_eq!(ends_of(&one, &mut c1, &t), Some(want.clone()), "{seed}");
            assert_eq!(ends_of(&two, &mut c2, &t), Some(want), "{seed}");
        }
        assert!(with_ends > 250, "texts with ends: {with_ends}");
    }

    #[test]
    fn the_default_lanes_find_every_end_on_short_and_long_texts() {
        // The leading pass's lanes from 256 bytes, heads of n / 16: every size from one lane to
        // full 512-byte heads.
        let f = EndFinder::build(&patterns(), syntax_cfg(), Lanes::LEAD).unwrap();
        let mut c = f.create_cache();
        let (mut joins, mut passes) = (0, 0);
        for seed in 0..120 {
            let t = text(seed, 200 + (seed as usize * 97) % 12_000);
            assert_eq!(ends_of(&f, &mut c, &t), Some(oracle(&t)), "{seed}");
            if t.len() >= 16 * 16 {
                joins += usize::from(c.joins());
                passes += 3;
            }
        }
        // Every lane joined the next: no text here needs a lane to walk on to the end.
        assert_eq!(joins, passes);
        // On prose every lane joins the next within its heads.
        let words = b"plain words and a few more of them. ".repeat(100);
        assert!(f.ends(&mut c, &words, &mut Vec::new()));
        assert_eq!(c.joins(), 3);
    }

    #[test]
    fn a_lane_that_cannot_join_walks_to_the_end() {
        // The middle falls inside a separator run after "SECRET": lane B, starting there, does
        // not know the run follows "SECRET", so lane A never joins it within `join` bytes and
        // must find the match at the end itself.
        let mut f = EndFinder::build(&patterns(), syntax_cfg(), Lanes::FULL).unwrap();
        f.set_lanes(Lanes { min: 0, join: 8 });
        let mut c = f.create_cache();
        let mut t = b"SECRET".to_vec();
        t.extend(std::iter::repeat_n(b'.', 500));
        t.extend_from_slice(b"NOFORN and foo");
        let got = ends_of(&f, &mut c, &t).unwrap();
        assert_eq!(got, oracle(&t));
        assert_eq!(got, vec![506 + 6, t.len()]);
    }

    #[test]
    fn a_cleared_cache_gives_up_and_never_answers_wrong() {
        // A cache too small for the walk is cleared while lanes hold state ids: the pass must
        // say so (false) rather than return ends from stale states.
        let mut f = EndFinder::build_sized(&patterns(), syntax_cfg(), 0).unwrap();
        f.set_lanes(Lanes { min: 0, join: 4 });
        let mut c = f.create_cache();
        let (mut gave_up, mut answered) = (0, 0);
        for seed in 0..50 {
            let t = text(seed, 2000);
            match ends_of(&f, &mut c, &t) {
                None => gave_up += 1,
                Some(ends) => {
                    answered += 1;
                    assert_eq!(ends, oracle(&t), "{seed}");
                }
            }
        }
        assert!(gave_up > 0, "gave up {gave_up}, answered {answered}");
    }
}
