//! Document fingerprints: find excerpts of known controlled documents (docs/learning.md,
//! "Document fingerprints").
//!
//! A text is read as words: the normalized text (look-alikes, invisibles and entities already
//! undone by `normalize`) cut at every character that is not a letter or a digit, each word
//! lower-cased; case, white space, line breaks and punctuation do not count. A CJK, kana or
//! Hangul character is a word of its own (those scripts put no spaces between words). Every run
//! of `k` consecutive words (a shingle) is hashed to 64 bits, and winnowing keeps, of every `w`
//! consecutive shingles, the one with the smallest hash (the rightmost on a tie). Two texts that
//! share a run of `w + k - 1` words share the shingles of at least one whole window, and both
//! keep that window's minimum: any excerpt of that many words of a document holds at least one
//! fingerprint the document's artifact holds.
//!
//! The artifact stores, per kept fingerprint, the top `g + 32` bits of its hash and the document
//! it came from (an index into a table of 64-bit document ids: a prefix of the SHA-256 of the
//! document's bytes): hashes only, no text. Entries are grouped by the hash's top `g` bits (4 to
//! 16, by the artifact's size; a count per group) and sorted, so the filter keeps the next 32
//! bits and a 16-bit document index per entry (6 bytes) and finds a hash by a short walk inside
//! its group, from the place a uniform hash would have (kept fingerprints are looked up 16 at a
//! time, so the cache misses of their lookups overlap).
//!
//! The same word reader and winnowing serve `itar-policy fingerprint` and the filter, so the
//! filter computes exactly the fingerprints the artifact was built from.

use crate::classify::{push_varint, ArtifactError, Reader};

/// Artifact header: magic, then format version.
const MAGIC: &[u8; 8] = b"ITARFPR\0";
const VERSION: u8 = 1;
/// Words per shingle (default).
pub const DEFAULT_K: usize = 8;
/// Shingles per winnowing window (default): every run of `DEFAULT_K + DEFAULT_W - 1` = 38 words
/// holds a kept fingerprint, so an excerpt of 40 words is found even with a broken word at
/// either end.
pub const DEFAULT_W: usize = 31;
/// Largest `k` and `w` an artifact may ask for (the scan's rings live on the stack).
pub const MAX_K: usize = 16;
pub const MAX_W: usize = 63;
/// Documents one artifact may name (a 16-bit index per entry).
pub const MAX_DOCS: usize = 65_535;
/// Groups: the hash's top bits, implicit in an entry's place (4-16 of them: about 16-32
/// entries per group).
const MAX_GROUP_BITS: u32 = 16;
const MIN_GROUP_BITS: u32 = 4;

/// Per ASCII byte: its lower-case form when it is a letter or a digit, 0 for a separator; 0xFF
/// for a byte of a multi-byte character.
static WORD_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b >= 0x80 {
            0xFF
        } else if b.is_ascii_digit() || b.is_ascii_lowercase() {
            b
        } else if b.is_ascii_uppercase() {
            b + 32
        } else {
            0
        };
        i += 1;
    }
    t
};

const PRIME: u64 = 0x9E37_79B9_7F4A_7C15;
/// The shingle hash's base: H = sum of word_hash(i) * BASE^(k-1-i).
const BASE: u64 = 0xA076_1D64_78BD_642F;

fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A word's hash, fed byte by byte: eight bytes are gathered, then folded in.
#[derive(Clone, Copy, Default)]
struct WordHash {
    h: u64,
    acc: u64,
    n: u32,
}

impl WordHash {
    #[inline]
    fn push(&mut self, b: u8) {
        self.acc = (self.acc << 8) | u64::from(b);
        self.n += 1;
        if self.n & 7 == 0 {
            self.h = (self.h ^ self.acc).wrapping_mul(PRIME).rotate_left(31);
            self.acc = 0;
        }
    }
    fn finish(&self) -> u64 {
        mix(self.h ^ self.acc.wrapping_mul(PRIME) ^ (u64::from(self.n) << 56))
    }
}

fn no_space_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

/// The character starting at `i` (None: not valid UTF-8 there) and its length.
fn char_at(text: &[u8], i: usize) -> (Option<char>, usize) {
    let lead = text.get(i).copied().unwrap_or(0);
    let len = match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    };
    let c = text
        .get(i..i + len)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.chars().next());
    (c, if c.is_some() { len } else { 1 })
}

/// The next word of `text` at or after `i` (separators skipped), character by character: its
/// hash, start and end (None: no word left). The reference reader, and the fast reader's way
/// through words that touch a byte outside ASCII.
fn next_word(text: &[u8], mut i: usize) -> Option<(u64, usize, usize)> {
    let n = text.len();
    while i < n {
        // Separators.
        let mut l = 0u8;
        while i < n {
            l = WORD_BYTE[text.get(i).copied().unwrap_or(0) as usize];
            if l != 0 {
                break;
            }
            i += 1;
        }
        if i >= n {
            return None;
        }
        let start = i;
        let mut w = WordHash::default();
        // A word: ASCII letters and digits fast, other letters through their characters.
        while i < n {
            if l != 0xFF {
                w.push(l);
                i += 1;
            } else {
                let (c, len) = char_at(text, i);
                match c {
                    Some(c) if c.is_alphanumeric() && no_space_script(c) => {
                        // A character of a script without spaces is a word of its own.
                        if i == start {
                            let mut buf = [0u8; 4];
                            for &x in c.encode_utf8(&mut buf).as_bytes() {
                                w.push(x);
                            }
                            i += len;
                        }
                        break;
                    }
                    Some(c) if c.is_alphanumeric() => {
                        let mut buf = [0u8; 4];
                        for lc in c.to_lowercase() {
                            for &x in lc.encode_utf8(&mut buf).as_bytes() {
                                w.push(x);
                            }
                        }
                        i += len;
                    }
                    _ => {
                        if i == start {
                            i += len;
                        }
                        break;
                    }
                }
            }
            if i >= n {
                break;
            }
            l = WORD_BYTE[text.get(i).copied().unwrap_or(0) as usize];
            if l == 0 {
                break;
            }
        }
        if w.n != 0 {
            return Some((w.finish(), start, i));
        }
    }
    None
}

/// Words whose start falls in one of the sorted ranges are left out.
struct Skip<'a> {
    ranges: &'a [(u32, u32)],
}

impl Skip<'_> {
    /// Whether a word starting at `start` is left out (starts come in increasing order).
    #[inline]
    fn skips(&mut self, start: usize) -> bool {
        while let Some((&(s, e), rest)) = self.ranges.split_first() {
            if (e as usize) <= start {
                self.ranges = rest;
                continue;
            }
            return (s as usize) <= start;
        }
        false
    }
}

/// Every word of `text` outside `skip` (sorted ranges), one at a time through [`next_word`]:
/// the reference the fast reader is tested against.
#[cfg(test)]
fn words_reference(text: &[u8], skip: &[(u32, u32)], mut emit: impl FnMut(u64, usize, usize)) {
    let mut skip = Skip { ranges: skip };
    let mut i = 0;
    while let Some((h, s, e)) = next_word(text, i) {
        if !skip.skips(s) {
            emit(h, s, e);
        }
        i = e;
    }
}

/// Bytes of a block the fast reader classifies at once (one bit each in a `u64`).
const BLOCK: usize = 64;
/// A block and room for a word's last eight-byte loads past it.
const BUF: usize = BLOCK + 16;
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;
/// OR-ed into an ASCII letter or digit, its lower-case form (digits have the bit already).
const LOWER: u64 = 0x2020_2020_2020_2020;

/// The top bit of each byte of `x`, gathered: bit j of the result is byte j's (little-endian).
#[inline]
fn gather(x: u64) -> u64 {
    ((x >> 7) & ONES).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Of the eight bytes of `x` (little-endian): which are ASCII letters or digits, which are not
/// ASCII; one bit a byte. Per byte arithmetic on 7-bit values, so no byte borrows from the next.
#[inline]
fn classify8(x: u64) -> (u64, u64) {
    let high = x & HIGH;
    let b = x & !HIGH;
    let l = b | LOWER;
    let letter = (l | HIGH).wrapping_sub(ONES * 0x61) & (ONES * 0xFA).wrapping_sub(l);
    let digit = (b | HIGH).wrapping_sub(ONES * 0x30) & (ONES * 0xB9).wrapping_sub(b);
    (gather((letter | digit) & !high & HIGH), gather(high))
}

/// Eight bytes of `buf` at `at`, the first the most significant.
#[inline]
fn be64(buf: &[u8; BUF], at: usize) -> u64 {
    let mut a = [0u8; 8];
    if let Some(s) = buf.get(at..at + 8) {
        a.copy_from_slice(s);
    }
    u64::from_be_bytes(a)
}

/// [`WordHash`] of the ASCII word `buf[s..s + len]` (letters and digits, 1 to 64 bytes), eight
/// bytes at a time. Up to 15 bytes without a branch on the length: a word's first eight bytes
/// are folded in or not by a mask.
#[inline]
fn ascii_word_hash(buf: &[u8; BUF], s: usize, len: usize) -> u64 {
    let (mut h, mut p, mut rest) = (0u64, s, len);
    while rest >= 16 {
        h = (h ^ (be64(buf, p) | LOWER))
            .wrapping_mul(PRIME)
            .rotate_left(31);
        p += 8;
        rest -= 8;
    }
    let g0 = be64(buf, p) | LOWER;
    let g1 = be64(buf, p + 8) | LOWER;
    let long = 0u64.wrapping_sub((rest >= 8) as u64);
    let folded = (h ^ g0).wrapping_mul(PRIME).rotate_left(31);
    let h = (folded & long) | (h & !long);
    let tail = (g1 & long) | (g0 & !long);
    let r = rest & 7;
    // The last `r` bytes (none when `r` is 0: a shift by 64 in two steps).
    let acc = (tail >> 1) >> (63 - 8 * r);
    mix(h ^ acc.wrapping_mul(PRIME) ^ ((len as u64) << 56))
}

/// Every word of `text` outside `skip` (sorted ranges): its hash, start and end; the same words
/// and hashes as [`next_word`] gives one by one. ASCII text goes a block of 64 bytes at a time:
/// the block's letters and digits as one bit each (no branch per byte), each word found by
/// counting bits and hashed eight bytes at a time. A word that touches a byte outside ASCII,
/// or is longer than a block, is read by [`next_word`].
#[inline]
fn words(text: &[u8], skip: &[(u32, u32)], mut emit: impl FnMut(u64, usize, usize)) {
    let mut skip = Skip { ranges: skip };
    let n = text.len();
    // The text's last blocks, zero-padded (a zero byte separates words).
    let mut tail: [u8; BUF];
    let mut i = 0;
    while i < n {
        let len = (n - i).min(BLOCK);
        let buf: &[u8; BUF] = match text.get(i..i + BUF).map(<&[u8; BUF]>::try_from) {
            Some(Ok(b)) => b,
            _ => {
                tail = [0u8; BUF];
                if let (Some(dst), Some(src)) = (tail.get_mut(..len), text.get(i..i + len)) {
                    dst.copy_from_slice(src);
                }
                &tail
            }
        };
        let (mut letters, mut high) = (0u64, 0u64);
        for c in 0..BLOCK / 8 {
            let (l, h) = classify8(be64(buf, 8 * c).swap_bytes());
            letters |= l << (8 * c);
            high |= h << (8 * c);
        }
        // Words must end before `limit` to be whole here: the first byte outside ASCII (the
        // word may go on there), else the block's end unless the text ends with it.
        let first_high = high.trailing_zeros() as usize;
        let limit = match (high, i + BLOCK < n) {
            (0, true) => BLOCK,
            (0, false) => BLOCK + 1,
            _ => first_high,
        };
        let mut m = match first_high {
            BLOCK => letters,
            f => letters & ((1u64 << f) - 1),
        };
        let mut next = i + len.min(first_high);
        while m != 0 {
            let s = m.trailing_zeros() as usize;
            let e = s + (!(m >> s)).trailing_zeros() as usize;
            if e >= limit {
                next = i + s;
                break;
            }
            if !skip.skips(i + s) {
                emit(ascii_word_hash(buf, s, e - s), i + s, i + e);
            }
            m = match e {
                BLOCK => 0,
                e => m & (u64::MAX << e),
            };
        }
        if next > i {
            i = next;
            continue;
        }
        // Nothing whole at `i`: a byte outside ASCII or a word longer than a block.
        match next_word(text, i) {
            Some((h, s, e)) => {
                if !skip.skips(s) {
                    emit(h, s, e);
                }
                i = e;
            }
            None => break,
        }
    }
}

/// The shingle hashes of `text` (words in `skip` left out), in text order: hash, start of the
/// shingle's first word, end of its last. A shingle is `k` consecutive words: a rolling hash of
/// their hashes (H = sum of word_hash(i) * BASE^(k-1-i)), then mixed with `k`.
#[inline]
fn shingles(text: &[u8], skip: &[(u32, u32)], k: usize, mut emit: impl FnMut(u64, u32, u32)) {
    let k = k.clamp(1, MAX_K);
    let mut pow = 1u64; // BASE^(k-1)
    for _ in 1..k {
        pow = pow.wrapping_mul(BASE);
    }
    // The last k words (hash, start), a ring.
    let mut ring = [(0u64, 0u32); MAX_K];
    let mut words_seen = 0usize;
    let mut rolling = 0u64;
    words(text, skip, |wh, s, e| {
        let old = ring
            .get(words_seen.wrapping_sub(k) & (MAX_K - 1))
            .copied()
            .unwrap_or_default();
        if let Some(r) = ring.get_mut(words_seen & (MAX_K - 1)) {
            *r = (wh, s as u32);
        }
        words_seen += 1;
        // Before the k-th word the ring's old entries are zero: nothing is taken out.
        let out = match words_seen > k {
            true => old.0.wrapping_mul(pow),
            false => 0,
        };
        rolling = rolling
            .wrapping_sub(out)
            .wrapping_mul(BASE)
            .wrapping_add(wh);
        if words_seen >= k {
            let first = ring
                .get(words_seen.wrapping_sub(k) & (MAX_K - 1))
                .map_or(0, |r| r.1);
            emit(mix(rolling ^ k as u64), first, e as u32);
        }
    });
}

/// The fingerprints winnowing keeps of `text` (words in `skip` left out), in text order: hash,
/// start of the shingle's first word, end of its last. Of every `w` consecutive shingles the one
/// with the smallest hash is kept, the rightmost on a tie, once however many windows keep it;
/// a text of fewer than `w` shingles keeps its smallest one. No allocation: the ring is on the
/// stack.
///
/// The window's minimum is carried along: a new shingle replaces it when not larger, and the
/// window is looked through again only when the minimum leaves it; the minimum changes about
/// once in `w / 2` shingles (winnowing's density), so a shingle costs a comparison and a store,
/// and the branches go the same way nearly every time.
pub fn winnow(
    text: &[u8],
    skip: &[(u32, u32)],
    k: usize,
    w: usize,
    mut emit: impl FnMut(u64, usize, usize),
) {
    let w = w.clamp(1, MAX_W);
    // Per ring slot (shingle index mod w): hash and span.
    let mut hash = [0u64; MAX_W];
    let mut span = [(0u32, 0u32); MAX_W];
    let mut index = 0u32;
    let mut slot = 0usize;
    // The current window's minimum: hash, index, slot.
    let (mut min_hash, mut min_index, mut min_slot) = (u64::MAX, 0u32, 0usize);
    let mut last_kept = u32::MAX;
    shingles(text, skip, k, |h, s, e| {
        if let (Some(x), Some(y)) = (hash.get_mut(slot), span.get_mut(slot)) {
            *x = h;
            *y = (s, e);
        }
        if index == 0 || h <= min_hash {
            (min_hash, min_index, min_slot) = (h, index, slot);
        } else if min_index as usize + w <= index as usize {
            // The minimum left the window: look through it, oldest first (so the rightmost of
            // equal hashes stays).
            let first = index + 1 - w as u32;
            (min_hash, min_index, min_slot) = (u64::MAX, first, 0);
            let order = (slot + 1..w).chain(0..=slot);
            for (d, sl) in order.enumerate() {
                let hs = hash.get(sl).copied().unwrap_or(u64::MAX);
                // Selected by masks, not branched on: whether a hash is the smallest so far
                // is a coin toss early in the window.
                let m = 0usize.wrapping_sub(usize::from(hs <= min_hash));
                min_hash = (hs & m as u64) | (min_hash & !(m as u64));
                min_index = ((first + d as u32) & m as u32) | (min_index & !(m as u32));
                min_slot = (sl & m) | (min_slot & !m);
            }
        }
        if index as usize + 1 >= w && min_index != last_kept {
            last_kept = min_index;
            let (s, e) = span.get(min_slot).copied().unwrap_or_default();
            emit(min_hash, s as usize, e as usize);
        }
        index += 1;
        slot += 1;
        if slot == w {
            slot = 0;
        }
    });
    if (index as usize) < w && index > 0 {
        let (s, e) = span.get(min_slot).copied().unwrap_or_default();
        emit(min_hash, s as usize, e as usize);
    }
}

/// A fingerprint artifact as the filter holds it.
#[derive(Debug, Clone)]
pub struct Fingerprints {
    label: String,
    k: usize,
    w: usize,
    /// Per document: the first 8 bytes of the SHA-256 of its bytes.
    ids: Vec<u64>,
    /// Bits of a hash that name its group.
    group_bits: u32,
    /// Group g's entries are `rems[offsets[g]..offsets[g + 1]]`.
    offsets: Vec<u32>,
    /// The 32 bits of each fingerprint's hash below its group's, sorted within a group.
    rems: Vec<u32>,
    docs: Vec<u16>,
}

/// A document as `build` takes it: its id and its text.
pub struct Doc<'a> {
    pub id: u64,
    pub text: &'a str,
}

/// What `build` made: the artifact's bytes and what it left out.
pub struct Built {
    pub bytes: Vec<u8>,
    /// Fingerprints kept.
    pub entries: usize,
    /// Fingerprints dropped because more than `common` documents hold them (boilerplate).
    pub dropped_common: usize,
    /// Documents without a single fingerprint (fewer than `k` words).
    pub empty_docs: Vec<usize>,
}

/// A document id: the first 8 bytes of the SHA-256 of its bytes.
pub fn doc_id(bytes: &[u8]) -> u64 {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(bytes);
    let mut a = [0u8; 8];
    a.copy_from_slice(d.get(..8).unwrap_or(&[0; 8]));
    u64::from_be_bytes(a)
}

/// The 16 hex digits a document id is shown as (audit records, the CLI's table).
pub fn id_hex(id: u64) -> String {
    format!("{id:016x}")
}

/// The fingerprints of one document's text, normalized as the scan normalizes: sorted, without
/// repeats.
pub fn doc_hashes(
    text: &str,
    k: usize,
    w: usize,
    norm: &mut crate::normalize::Normalized,
) -> Vec<u64> {
    norm.clear();
    crate::normalize::normalize_into(norm, text, 0);
    let mut out = Vec::new();
    winnow(&norm.text, &[], k, w, |h, _, _| out.push(h));
    out.sort_unstable();
    out.dedup();
    out
}

/// Build an artifact from documents (in the order given: their indexes are the ids' order).
/// A fingerprint more than `common` documents hold is dropped (0: keep all). Deterministic.
pub fn build(
    label: &str,
    docs: &[Doc<'_>],
    k: usize,
    w: usize,
    common: usize,
) -> Result<Built, ArtifactError> {
    if docs.len() > MAX_DOCS {
        return Err(ArtifactError(format!(
            "{} documents: an artifact holds at most {MAX_DOCS} (build several)",
            docs.len()
        )));
    }
    if !(2..=MAX_K).contains(&k) || !(1..=MAX_W).contains(&w) {
        return Err(ArtifactError(format!(
            "k must be 2-{MAX_K} and w 1-{MAX_W}"
        )));
    }
    if label.is_empty() || label.len() > 255 {
        return Err(ArtifactError("the label must be 1-255 bytes".into()));
    }
    let mut norm = crate::normalize::Normalized::with_capacity(4096);
    let mut all: Vec<(u64, u16)> = Vec::new();
    let mut empty_docs = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let hs = doc_hashes(d.text, k, w, &mut norm);
        if hs.is_empty() {
            empty_docs.push(i);
        }
        all.extend(hs.into_iter().map(|h| (h, i as u16)));
    }
    // Enough groups for about 16-32 entries each; an entry keeps the hash's top g + 32 bits.
    let mut g = MIN_GROUP_BITS;
    while g < MAX_GROUP_BITS && (all.len() >> g) > 32 {
        g += 1;
    }
    for e in all.iter_mut() {
        e.0 >>= 32 - g;
    }
    all.sort_unstable();
    all.dedup();
    let mut kept: Vec<(u64, u16)> = Vec::with_capacity(all.len());
    let mut dropped_common = 0;
    let mut i = 0;
    while i < all.len() {
        let h = all.get(i).map_or(0, |e| e.0);
        let mut j = i;
        while all.get(j).is_some_and(|e| e.0 == h) {
            j += 1;
        }
        if common > 0 && j - i > common {
            dropped_common += j - i;
        } else {
            kept.extend(all.get(i..j).unwrap_or_default());
        }
        i = j;
    }
    let mut out = Vec::with_capacity(64 + docs.len() * 8 + (2usize << g) + kept.len() * 6);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(label.len() as u8);
    out.extend_from_slice(label.as_bytes());
    out.push(k as u8);
    out.push(w as u8);
    out.extend_from_slice(&(docs.len() as u32).to_le_bytes());
    for d in docs {
        out.extend_from_slice(&d.id.to_le_bytes());
    }
    out.push(g as u8);
    out.extend_from_slice(&(kept.len() as u32).to_le_bytes());
    let mut counts = vec![0u32; 1 << g];
    for &(h, _) in &kept {
        if let Some(c) = counts.get_mut((h >> 32) as usize) {
            *c += 1;
        }
    }
    for c in counts {
        push_varint(&mut out, c);
    }
    for &(h, _) in &kept {
        out.extend_from_slice(&(h as u32).to_le_bytes());
    }
    for &(_, d) in &kept {
        out.extend_from_slice(&d.to_le_bytes());
    }
    Ok(Built {
        bytes: out,
        entries: kept.len(),
        dropped_common,
        empty_docs,
    })
}

impl Fingerprints {
    /// Read an artifact (refused when malformed; `label` must be the label it was built for).
    pub fn parse(bytes: &[u8], label: &str) -> Result<Fingerprints, ArtifactError> {
        let bad = |why: &str| ArtifactError(format!("fingerprint artifact: {why}"));
        let mut r = Reader::new(bytes, "fingerprint artifact");
        if r.take(MAGIC.len())? != MAGIC {
            return Err(bad("bad magic (not a fingerprint artifact)"));
        }
        let version = r.u8()?;
        if version != VERSION {
            return Err(bad(&format!(
                "format version {version}, this filter reads {VERSION}"
            )));
        }
        let n = r.u8()? as usize;
        let own = r.take(n)?;
        if own != label.as_bytes() {
            return Err(bad(&format!(
                "built for label {:?}, not {label:?}",
                String::from_utf8_lossy(own)
            )));
        }
        let k = r.u8()? as usize;
        let w = r.u8()? as usize;
        if !(2..=MAX_K).contains(&k) || !(1..=MAX_W).contains(&w) {
            return Err(bad(&format!("k {k} or w {w} out of range")));
        }
        let ndocs = r.u32()? as usize;
        if ndocs > MAX_DOCS || ndocs.saturating_mul(8) > r.rest() {
            return Err(bad(&format!("{ndocs} documents")));
        }
        let mut ids = Vec::with_capacity(ndocs);
        for _ in 0..ndocs {
            let s = r.take(8)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(s);
            ids.push(u64::from_le_bytes(a));
        }
        let group_bits = u32::from(r.u8()?);
        if !(MIN_GROUP_BITS..=MAX_GROUP_BITS).contains(&group_bits) {
            return Err(bad(&format!("{group_bits} group bits")));
        }
        let groups = 1usize << group_bits;
        let entries = r.u32()? as usize;
        // Every group's count takes a byte at least, every entry six.
        if entries.saturating_mul(6).saturating_add(groups) > r.rest() {
            return Err(bad("truncated (more entries than bytes)"));
        }
        let mut offsets = Vec::with_capacity(groups + 1);
        let mut total = 0usize;
        offsets.push(0u32);
        for _ in 0..groups {
            total = total.saturating_add(r.varint()? as usize);
            if total > entries {
                return Err(bad("group counts exceed the entry count"));
            }
            offsets.push(total as u32);
        }
        if total != entries {
            return Err(bad("group counts do not add up to the entry count"));
        }
        let raw = r.take(entries * 4)?;
        let rems: Vec<u32> = raw
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let raw = r.take(entries * 2)?;
        let docs: Vec<u16> = raw
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        if r.rest() != 0 {
            return Err(bad("trailing bytes"));
        }
        if docs.iter().any(|&d| d as usize >= ndocs) {
            return Err(bad("a document index out of range"));
        }
        for g in offsets.windows(2) {
            let (s, e) = (g[0] as usize, g[1] as usize);
            let (Some(rs), Some(ds)) = (rems.get(s..e), docs.get(s..e)) else {
                return Err(bad("group out of range"));
            };
            let sorted = rs
                .windows(2)
                .zip(ds.windows(2))
                .all(|(r, d)| (r[0], d[0]) < (r[1], d[1]));
            if !sorted {
                return Err(bad("entries out of order"));
            }
        }
        Ok(Fingerprints {
            label: label.to_string(),
            k,
            w,
            ids,
            group_bits,
            offsets,
            rems,
            docs,
        })
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    /// Words per shingle and shingles per window: an excerpt of `k + w - 1` words is always found.
    pub fn params(&self) -> (usize, usize) {
        (self.k, self.w)
    }

    pub fn documents(&self) -> usize {
        self.ids.len()
    }

    pub fn entries(&self) -> usize {
        self.rems.len()
    }

    /// The document id of index `doc`, as shown.
    pub fn doc_name(&self, doc: usize) -> String {
        id_hex(self.ids.get(doc).copied().unwrap_or(0))
    }

    /// Heap bytes held.
    pub fn memory(&self) -> usize {
        self.ids.capacity() * 8
            + self.offsets.capacity() * 4
            + self.rems.capacity() * 4
            + self.docs.capacity() * 2
    }

    /// The group bounds of `h` in `rems` and the 32 bits it is looked up by there.
    #[inline]
    fn group(&self, h: u64) -> (usize, usize, u32) {
        let key = h >> (32 - self.group_bits);
        let g = (key >> 32) as usize;
        let s = self.offsets.get(g).copied().unwrap_or(0) as usize;
        let e = self.offsets.get(g + 1).copied().unwrap_or(0) as usize;
        (s, e, key as u32)
    }

    /// Where a group's search for `rem` starts: hashes are uniform, so about `rem / 2^32` of
    /// the way into the group.
    #[inline]
    fn guess(s: usize, e: usize, rem: u32) -> usize {
        s + ((u64::from(rem) * (e - s) as u64) >> 32) as usize
    }

    /// The documents holding the fingerprint whose group is `rems[s..e]` and remainder `rem`:
    /// a walk from the guess, a few entries at most.
    #[inline]
    fn lookup_in(&self, s: usize, e: usize, rem: u32) -> &[u16] {
        let Some(group) = self.rems.get(s..e) else {
            return &[];
        };
        let mut lo = Self::guess(s, e, rem) - s;
        while lo > 0 && group.get(lo - 1).is_some_and(|&x| x >= rem) {
            lo -= 1;
        }
        while group.get(lo).is_some_and(|&x| x < rem) {
            lo += 1;
        }
        let mut hi = lo;
        while group.get(hi).is_some_and(|&x| x == rem) {
            hi += 1;
        }
        self.docs.get(s + lo..s + hi).unwrap_or_default()
    }

    /// Every fingerprint of `text` (words in `skip` left out) the artifact holds: the document
    /// index and the byte span of the shingle, in text order.
    ///
    /// The index is megabytes: a lookup is a few cache misses, each waiting on the one before
    /// (the group's bounds, then its entries). Kept fingerprints are looked up `LOOKUP_BATCH`
    /// at a time, each step for all of them before the next step, so their misses overlap.
    pub fn find(&self, text: &[u8], skip: &[(u32, u32)], mut hit: impl FnMut(usize, usize, usize)) {
        let mut batch = [(0u64, 0usize, 0usize); LOOKUP_BATCH];
        let mut n = 0usize;
        winnow(text, skip, self.k, self.w, |h, s, e| {
            if let Some(b) = batch.get_mut(n) {
                *b = (h, s, e);
            }
            n += 1;
            if n == LOOKUP_BATCH {
                self.lookup_batch(&batch, &mut hit);
                n = 0;
            }
        });
        self.lookup_batch(batch.get(..n).unwrap_or_default(), &mut hit);
    }

    fn lookup_batch(
        &self,
        batch: &[(u64, usize, usize)],
        hit: &mut impl FnMut(usize, usize, usize),
    ) {
        let mut groups = [(0usize, 0usize, 0u32); LOOKUP_BATCH];
        for (g, &(h, _, _)) in groups.iter_mut().zip(batch) {
            *g = self.group(h);
        }
        // Each search's first entry, read for all before any search: the loads are issued
        // together (the result only keeps them from being left out).
        let mut touched = 0u32;
        for &(s, e, rem) in groups.iter().take(batch.len()) {
            touched ^= self.rems.get(Self::guess(s, e, rem)).copied().unwrap_or(0);
        }
        std::hint::black_box(touched);
        for (&(s, e, rem), &(_, start, end)) in groups.iter().zip(batch) {
            for &d in self.lookup_in(s, e, rem) {
                hit(d as usize, start, end);
            }
        }
    }
}

/// Kept fingerprints looked up together (their cache misses overlap).
const LOOKUP_BATCH: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(t: &str) -> Vec<u64> {
        let mut v = Vec::new();
        words(t.as_bytes(), &[], |h, _, _| v.push(h));
        v
    }

    /// Deterministic pseudo-random prose of `n` words.
    fn prose(seed: u64, n: usize) -> String {
        let mut x = seed.wrapping_mul(PRIME) | 1;
        let mut s = String::new();
        for i in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = 3 + (x % 8) as usize;
            for j in 0..len {
                s.push((b'a' + ((x >> (j * 5 + 8)) % 26) as u8) as char);
            }
            s.push(if i % 11 == 10 { '.' } else { ' ' });
            if i % 11 == 10 {
                s.push(' ');
            }
        }
        s
    }

    fn artifact(docs: &[String]) -> Fingerprints {
        let d: Vec<Doc> = docs
            .iter()
            .map(|t| Doc {
                id: doc_id(t.as_bytes()),
                text: t,
            })
            .collect();
        let built = build("ITAR", &d, DEFAULT_K, DEFAULT_W, 8).expect("build");
        Fingerprints::parse(&built.bytes, "ITAR").expect("parse")
    }

    fn hits(fp: &Fingerprints, text: &str) -> Vec<usize> {
        let mut norm = crate::normalize::Normalized::with_capacity(text.len());
        crate::normalize::normalize_into(&mut norm, text, 0);
        let mut v = Vec::new();
        fp.find(&norm.text, &[], |d, _, _| v.push(d));
        v
    }

    fn collect(f: impl FnOnce(&mut dyn FnMut(u64, usize, usize))) -> Vec<(u64, usize, usize)> {
        let mut v = Vec::new();
        f(&mut |h, s, e| v.push((h, s, e)));
        v
    }

    /// Random text of `n` bytes over `alphabet` (pieces of text, picked at random).
    fn random_text(seed: u64, n: usize, alphabet: &[&str]) -> String {
        let mut x = seed.wrapping_mul(PRIME) | 1;
        let mut s = String::new();
        while s.len() < n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push_str(alphabet[(x % alphabet.len() as u64) as usize]);
        }
        s
    }

    #[test]
    fn the_fast_word_reader_gives_the_reference_words() {
        let ascii: &[&str] = &[
            "a", "b", "Z", "q", "0", "9", " ", " ", "\n", ".", ",", "-", "@", "[", "`", "{", "/",
            ":", "_", "~", "\u{7f}", "\t", "thrust", "NOZZLE", "x7",
        ];
        let multi: &[&str] = &[
            "a", "B", "7", " ", " ", "-", "ü", "Ü", "ß", "é", "\u{0410}", "ж", "导", "弹", "の",
            "한", "—", "\u{200b}", "…", "ﬁ", "İ", "Σ", "ς", "💥", "٣", "word", "Düse",
        ];
        let long = format!("{} {} x", "a".repeat(63), "B".repeat(130));
        let mut texts: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"a".to_vec(),
            long.clone().into_bytes(),
            "a".repeat(64).into_bytes(),
            "a".repeat(65).into_bytes(),
            format!("{} b", "a".repeat(64)).into_bytes(),
            format!("{}ü", "a".repeat(63)).into_bytes(),
            b"abc\xff\xfedef \xc3 ghi\xe4\xb8".to_vec(),
        ];
        for seed in 0..300u64 {
            let n = (seed as usize * 37) % 700;
            texts.push(random_text(seed, n, ascii).into_bytes());
            texts.push(random_text(seed + 1000, n, multi).into_bytes());
            let mut b = random_text(seed + 2000, n, ascii).into_bytes();
            for (j, x) in b.iter_mut().enumerate() {
                if (j as u64 * 31 + seed).is_multiple_of(97) {
                    *x |= 0x80;
                }
            }
            texts.push(b);
        }
        for t in &texts {
            let fast = collect(|f| words(t, &[], f));
            let reference = collect(|f| words_reference(t, &[], f));
            assert_eq!(fast, reference, "{:?}", String::from_utf8_lossy(t));
            let n = t.len() as u32;
            let skip = [(0, n / 5), (n / 3, n / 3 + 7), (n / 2, n)];
            let fast = collect(|f| words(t, &skip, f));
            let reference = collect(|f| words_reference(t, &skip, f));
            assert_eq!(
                fast,
                reference,
                "skipping, {:?}",
                String::from_utf8_lossy(t)
            );
        }
    }

    /// Winnowing the slow way: every shingle hashed from its words, every window's minimum
    /// (the rightmost on a tie) found by looking at all of it.
    fn winnow_naive(
        text: &[u8],
        skip: &[(u32, u32)],
        k: usize,
        w: usize,
    ) -> Vec<(u64, usize, usize)> {
        let words = collect(|f| words_reference(text, skip, f));
        let sh: Vec<(u64, usize, usize)> = words
            .windows(k)
            .map(|ws| {
                let h = ws
                    .iter()
                    .fold(0u64, |a, x| a.wrapping_mul(BASE).wrapping_add(x.0));
                (mix(h ^ k as u64), ws[0].1, ws[k - 1].2)
            })
            .collect();
        let mut out = Vec::new();
        if sh.len() < w {
            if let Some(m) = sh.iter().enumerate().rev().min_by_key(|(_, x)| x.0) {
                out.push(*m.1);
            }
            return out;
        }
        let mut last = usize::MAX;
        for t in 0..=sh.len() - w {
            let (i, m) = sh[t..t + w]
                .iter()
                .enumerate()
                .rev()
                .min_by_key(|(_, x)| x.0)
                .expect("window");
            if t + i != last {
                last = t + i;
                out.push(*m);
            }
        }
        out
    }

    #[test]
    fn winnowing_keeps_what_the_naive_window_minimum_keeps() {
        let alphabet: &[&str] = &[
            "a ", "b ", "c ", "dd ", "e. ", "Ü ", "导", "x\n", "7 ", "yy ",
        ];
        for seed in 0..60u64 {
            let n = (seed as usize * 53) % 1500;
            // Few distinct words: equal shingle hashes, so ties, are common.
            let t = random_text(seed, n, alphabet).into_bytes();
            let m = t.len() as u32;
            for (k, w) in [(1, 1), (2, 1), (8, 31), (3, 4), (16, 63), (5, 2), (8, 8)] {
                for skip in [vec![], vec![(m / 4, m / 2)]] {
                    let fast = collect(|f| winnow(&t, &skip, k, w, f));
                    assert_eq!(
                        fast,
                        winnow_naive(&t, &skip, k, w),
                        "seed {seed} k {k} w {w}"
                    );
                }
            }
        }
    }

    #[test]
    fn words_ignore_case_punctuation_and_line_breaks() {
        assert_eq!(
            words_of("Thrust-Vectoring, nozzle!"),
            words_of("thrust\nvectoring   NOZZLE")
        );
        assert_eq!(words_of("Schub düse").len(), 2);
        assert_eq!(words_of("Düse"), words_of("DÜSE"));
        assert_eq!(words_of("导弹制导").len(), 4);
        assert_ne!(words_of("abcdefghij"), words_of("abcdefghik"));
    }

    #[test]
    fn an_excerpt_is_found_after_reformatting_and_unrelated_text_is_not() {
        let docs: Vec<String> = (0..20).map(|i| prose(i + 1, 600)).collect();
        let fp = artifact(&docs);
        let doc = docs.get(7).expect("doc");
        let words: Vec<&str> = doc.split_whitespace().collect();
        for at in [0usize, 100, 333, 560] {
            let ex = words.get(at..at + 40).expect("excerpt").join(" ");
            assert!(hits(&fp, &ex).contains(&7), "plain excerpt at {at}");
            // Reformatted: upper case, line breaks, punctuation, look-alike letters.
            let re: String = ex
                .to_uppercase()
                .replace(' ', " ,\n ")
                .replace('A', "\u{0410}")
                .replace('O', "\u{041E}");
            assert!(
                hits(&fp, &format!("Please summarize: {re} Thanks.")).contains(&7),
                "reformatted at {at}"
            );
        }
        for seed in 100..130 {
            assert!(hits(&fp, &prose(seed, 700)).is_empty());
        }
    }

    #[test]
    fn every_run_of_k_plus_w_minus_1_words_holds_a_fingerprint() {
        let doc = prose(42, 2000);
        let fp = artifact(std::slice::from_ref(&doc));
        let words: Vec<&str> = doc.split_whitespace().collect();
        let need = DEFAULT_K + DEFAULT_W - 1;
        for at in 0..words.len() - need {
            let ex = words.get(at..at + need).expect("excerpt").join(" ");
            assert!(!hits(&fp, &ex).is_empty(), "excerpt at {at}");
        }
    }

    #[test]
    fn the_artifact_is_deterministic_and_malformed_ones_are_refused() {
        let docs: Vec<String> = (0..5).map(|i| prose(i + 9, 300)).collect();
        let d: Vec<Doc> = docs
            .iter()
            .map(|t| Doc {
                id: doc_id(t.as_bytes()),
                text: t,
            })
            .collect();
        let a = build("ITAR", &d, DEFAULT_K, DEFAULT_W, 8)
            .expect("build")
            .bytes;
        let b = build("ITAR", &d, DEFAULT_K, DEFAULT_W, 8)
            .expect("build")
            .bytes;
        assert_eq!(a, b);
        assert!(Fingerprints::parse(&a, "ITAR").is_ok());
        let refused = |bytes: &[u8], label: &str, why: &str| {
            let e = Fingerprints::parse(bytes, label).expect_err("refused");
            assert!(e.0.contains(why), "{e:?} should say {why}");
        };
        refused(&a, "EAR", "built for label");
        refused(a.get(..a.len() - 1).expect("cut"), "ITAR", "truncated");
        let mut t = a.clone();
        t.push(0);
        refused(&t, "ITAR", "trailing");
        let mut m = a.clone();
        m[0] = b'X';
        refused(&m, "ITAR", "bad magic");
        let mut v = a.clone();
        v[8] = 9;
        refused(&v, "ITAR", "format version");
        // A document index out of range.
        let mut o = a.clone();
        let n = o.len();
        o[n - 1] = 0xFF;
        o[n - 2] = 0xFF;
        refused(&o, "ITAR", "out of range");
        // Shared boilerplate is dropped above `common` documents.
        let same: Vec<Doc> = (0..4)
            .map(|_| Doc {
                id: 1,
                text: docs[0].as_str(),
            })
            .collect();
        let built = build("ITAR", &same, DEFAULT_K, DEFAULT_W, 3).expect("build");
        assert_eq!(built.entries, 0);
        assert!(built.dropped_common > 0);
    }
}
