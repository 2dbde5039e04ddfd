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
//! bits and a 16-bit document index per entry (6 bytes) and finds a hash with one binary search
//! inside its group.
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

/// Every word of `text` outside `skip` (sorted ranges): its hash, start and end.
#[inline]
fn words(text: &[u8], skip: &[(u32, u32)], mut emit: impl FnMut(u64, usize, usize)) {
    let mut skip = skip.iter().peekable();
    let n = text.len();
    let mut i = 0;
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
            break;
        }
        let start = i;
        let mut w = WordHash::default();
        // A word: ASCII letters and digits fast, other letters through their characters.
        while i < n {
            if l != 0xFF {
                w.acc = (w.acc << 8) | u64::from(l);
                w.n += 1;
                if w.n & 7 == 0 {
                    w.h = (w.h ^ w.acc).wrapping_mul(PRIME).rotate_left(31);
                    w.acc = 0;
                }
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
        if w.n == 0 {
            continue;
        }
        let in_skip = loop {
            match skip.peek() {
                Some(&&(_, e)) if (e as usize) <= start => {
                    skip.next();
                }
                Some(&&(s, _)) => break (s as usize) <= start,
                None => break false,
            }
        };
        if !in_skip {
            emit(w.finish(), start, i);
        }
    }
}

/// One shingle in a winnowing window: hash, index, byte span.
#[derive(Clone, Copy, Default)]
struct Slot {
    hash: u64,
    index: u32,
    start: u32,
    end: u32,
}

/// The fingerprints winnowing keeps of `text` (words in `skip` left out), in text order: hash,
/// start of the shingle's first word, end of its last. A text of fewer than `w` shingles keeps
/// its smallest one. No allocation: the rings are on the stack.
pub fn winnow(
    text: &[u8],
    skip: &[(u32, u32)],
    k: usize,
    w: usize,
    mut emit: impl FnMut(u64, usize, usize),
) {
    let (k, w) = (k.clamp(1, MAX_K), w.clamp(1, MAX_W));
    let mut pow = 1u64; // BASE^(k-1)
    for _ in 1..k {
        pow = pow.wrapping_mul(BASE);
    }
    // The last k words (hash, start), a ring.
    let mut ring = [(0u64, 0u32); MAX_K];
    let mut words_seen = 0usize;
    let mut rolling = 0u64;
    // Monotone deque of the window's candidates (a ring of MAX_W + 1).
    let mut dq = [Slot::default(); MAX_W + 1];
    let (mut head, mut len) = (0usize, 0usize);
    let cap = dq.len();
    let mut shingles = 0u32;
    let mut last_kept = u32::MAX;
    words(text, skip, |wh, s, e| {
        let slot = words_seen & (MAX_K - 1);
        let old = ring
            .get(words_seen.wrapping_sub(k) & (MAX_K - 1))
            .map_or(0, |r| r.0);
        if let Some(r) = ring.get_mut(slot) {
            *r = (wh, s as u32);
        }
        words_seen += 1;
        rolling = match words_seen > k {
            true => rolling
                .wrapping_sub(old.wrapping_mul(pow))
                .wrapping_mul(BASE)
                .wrapping_add(wh),
            false => rolling.wrapping_mul(BASE).wrapping_add(wh),
        };
        if words_seen < k {
            return;
        }
        let first = ring
            .get(words_seen.wrapping_sub(k) & (MAX_K - 1))
            .map_or(0, |r| r.1);
        let cur = Slot {
            hash: mix(rolling ^ k as u64),
            index: shingles,
            start: first,
            end: e as u32,
        };
        shingles += 1;
        while len > 0 {
            let back = (head + len - 1) % cap;
            if dq.get(back).is_some_and(|b| b.hash >= cur.hash) {
                len -= 1;
            } else {
                break;
            }
        }
        if let Some(d) = dq.get_mut((head + len) % cap) {
            *d = cur;
        }
        len += 1;
        while len > 0
            && dq
                .get(head)
                .is_some_and(|f| (f.index as usize) + w <= cur.index as usize)
        {
            head = (head + 1) % cap;
            len -= 1;
        }
        if (cur.index as usize) + 1 >= w {
            if let Some(m) = dq.get(head) {
                if m.index != last_kept {
                    last_kept = m.index;
                    emit(m.hash, m.start as usize, m.end as usize);
                }
            }
        }
    });
    if (shingles as usize) < w && len > 0 {
        if let Some(m) = dq.get(head) {
            emit(m.hash, m.start as usize, m.end as usize);
        }
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

    /// The documents holding the fingerprint `h`.
    fn lookup(&self, h: u64) -> &[u16] {
        let key = h >> (32 - self.group_bits);
        let g = (key >> 32) as usize;
        let rem = key as u32;
        let (Some(&s), Some(&e)) = (self.offsets.get(g), self.offsets.get(g + 1)) else {
            return &[];
        };
        let (s, e) = (s as usize, e as usize);
        let Some(group) = self.rems.get(s..e) else {
            return &[];
        };
        let lo = group.partition_point(|&x| x < rem);
        let hi = lo
            + group
                .get(lo..)
                .unwrap_or_default()
                .partition_point(|&x| x == rem);
        self.docs.get(s + lo..s + hi).unwrap_or_default()
    }

    /// Every fingerprint of `text` (words in `skip` left out) the artifact holds: the document
    /// index and the byte span of the shingle, in text order.
    pub fn find(&self, text: &[u8], skip: &[(u32, u32)], mut hit: impl FnMut(usize, usize, usize)) {
        winnow(text, skip, self.k, self.w, |h, s, e| {
            for &d in self.lookup(h) {
                hit(d as usize, s, e);
            }
        });
    }
}

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
