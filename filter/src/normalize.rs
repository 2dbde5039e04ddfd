//! Normalization: undo the tricks that hide text from an ASCII matcher, keeping a map back to the
//! original bytes so redaction can cut the right span.
//!
//! Output is "ASCII-ish": look-alike, compatibility and decorated characters become their ASCII
//! letter, invisible characters vanish, visually reversed (RTL-override) runs are put back in
//! reading order, HTML entities and literal `\uXXXX` escapes are decoded. Characters with no ASCII
//! reading are copied unchanged (the matcher treats them as non-word bytes).
//!
//! The map is a list of segments, one per change of offset, so pure ASCII text costs one segment.

/// What normalization changed; reported in the audit record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes(u32);

impl Changes {
    pub const INVISIBLE: Changes = Changes(1);
    pub const BIDI_REVERSED: Changes = Changes(1 << 1);
    pub const CONFUSABLES: Changes = Changes(1 << 2);
    pub const COMPATIBILITY: Changes = Changes(1 << 3);
    pub const DIACRITICS: Changes = Changes(1 << 4);
    pub const HTML_ENTITIES: Changes = Changes(1 << 5);
    pub const ESCAPES: Changes = Changes(1 << 6);
    pub const SPACES_PUNCT: Changes = Changes(1 << 7);
    pub const BASE64: Changes = Changes(1 << 8);
    pub const HEX: Changes = Changes(1 << 9);
    pub const URL: Changes = Changes(1 << 10);
    pub const ROT13: Changes = Changes(1 << 11);
    pub const TAG_CHARACTERS: Changes = Changes(1 << 12);
    pub const QUOTED_PRINTABLE: Changes = Changes(1 << 13);
    pub const BASE32: Changes = Changes(1 << 14);
    pub const BASE85: Changes = Changes(1 << 15);
    pub const REVERSED: Changes = Changes(1 << 16);
    pub const LEETSPEAK: Changes = Changes(1 << 17);
    pub const LETTER_SPACING: Changes = Changes(1 << 18);

    const NAMES: [&'static str; 19] = [
        "invisible_removed",
        "bidi_reversed",
        "confusables",
        "compatibility_forms",
        "diacritics",
        "html_entities",
        "escapes",
        "spaces_punctuation",
        "decoded_base64",
        "decoded_hex",
        "decoded_url",
        "decoded_rot13",
        "decoded_tag_characters",
        "decoded_quoted_printable",
        "decoded_base32",
        "decoded_base85",
        "decoded_reversed",
        "decoded_leetspeak",
        "joined_letter_spacing",
    ];

    pub fn insert(&mut self, other: Changes) {
        self.0 |= other.0;
    }
    pub fn contains(self, other: Changes) -> bool {
        self.0 & other.0 == other.0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn names(self) -> Vec<&'static str> {
        Changes::NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
struct Seg {
    /// First normalized byte of the segment.
    norm: u32,
    /// Original offset of that byte.
    orig: u32,
    /// For a replacement segment: end of the original character(s); for linear ones unused.
    orig_end: u32,
    linear: bool,
}

/// Normalized text with its map back to original offsets.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    pub text: Vec<u8>,
    segs: Vec<Seg>,
    pub changes: Changes,
    /// Ranges of `text` the sender concealed (tag characters, a right-to-left override), in
    /// order: rules weigh what is found there (`Rule::concealed`).
    pub hidden: Vec<(u32, u32)>,
    /// Where in `text` a look-alike letter (Cyrillic, Greek ...) was folded to ASCII: scratch
    /// for finding words that mix them with ASCII letters.
    lookalikes: Vec<u32>,
}

impl Normalized {
    pub fn with_capacity(n: usize) -> Self {
        Normalized {
            text: Vec::with_capacity(n),
            segs: Vec::with_capacity(8),
            changes: Changes::default(),
            hidden: Vec::new(),
            lookalikes: Vec::new(),
        }
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.segs.clear();
        self.changes = Changes::default();
        self.hidden.clear();
        self.lookalikes.clear();
    }

    /// Append raw bytes that map one to one onto original offsets starting at `orig`.
    pub fn push_linear(&mut self, bytes: &[u8], orig: u32) {
        if bytes.is_empty() {
            return;
        }
        let n = self.text.len() as u32;
        let extends = match self.segs.last() {
            Some(s) => s.linear && s.orig.wrapping_add(n - s.norm) == orig,
            None => false,
        };
        if !extends {
            self.segs.push(Seg {
                norm: n,
                orig,
                orig_end: orig,
                linear: true,
            });
        }
        self.text.extend_from_slice(bytes);
    }

    /// Append bytes that all stand for the original range `orig..orig_end`.
    pub fn push_replacement(&mut self, bytes: &[u8], orig: u32, orig_end: u32) {
        if bytes.is_empty() {
            return;
        }
        self.segs.push(Seg {
            norm: self.text.len() as u32,
            orig,
            orig_end,
            linear: false,
        });
        self.text.extend_from_slice(bytes);
    }

    fn seg_at(&self, n: usize) -> Option<&Seg> {
        let idx = self.segs.partition_point(|s| (s.norm as usize) <= n);
        idx.checked_sub(1).and_then(|i| self.segs.get(i))
    }

    /// Original range covered by normalized byte `n`.
    fn orig_of(&self, n: usize) -> (u32, u32) {
        match self.seg_at(n) {
            Some(s) if s.linear => {
                let o = s.orig + (n as u32 - s.norm);
                (o, o + 1)
            }
            Some(s) => (s.orig, s.orig_end),
            None => (0, 0),
        }
    }

    /// Original byte range that the normalized range `start..end` came from (its hull).
    pub fn orig_span(&self, start: usize, end: usize) -> (u32, u32) {
        if end <= start {
            let (a, _) = self.orig_of(start);
            return (a, a);
        }
        let (a0, a1) = self.orig_of(start);
        let (b0, b1) = self.orig_of(end - 1);
        (a0.min(b0), a1.max(b1))
    }
}

/// Append the normalized form of `input` (whose first byte has original offset `base`) to `out`.
pub fn normalize_into(out: &mut Normalized, input: &str, base: u32) {
    let first_lookalike = out.lookalikes.len();
    normalize_chars(out, input, base);
    if out.lookalikes.len() > first_lookalike {
        conceal_mixed_words(out, first_lookalike);
    }
}

/// A word that mixes look-alike letters with ASCII ones (`Оn thе ѕubmаrіnе`: Cyrillic О, е, ѕ,
/// а, і among Latin letters) was written to pass a word filter: it counts as concealed. A word of
/// look-alikes only (`СЕКРЕТНО`, Russian text) is a word of its own script, not concealment.
fn conceal_mixed_words(out: &mut Normalized, first: usize) {
    let mut found: Vec<(u32, u32)> = Vec::new();
    let marks = out.lookalikes.get(first..).unwrap_or_default();
    let mut k = 0;
    while let Some(&at) = marks.get(k) {
        let at = at as usize;
        let letter = |j: usize| out.text.get(j).is_some_and(|b| b.is_ascii_alphabetic());
        let mut ws = at;
        while ws > 0 && letter(ws - 1) {
            ws -= 1;
        }
        let mut we = at + 1;
        while letter(we) {
            we += 1;
        }
        // Look-alikes inside this word (they are in order).
        let mut n = 0;
        while marks.get(k).is_some_and(|&m| (m as usize) < we) {
            n += 1;
            k += 1;
        }
        if n < we - ws {
            match found.last_mut() {
                Some(last) if (ws as u32).saturating_sub(last.1) <= 1 => last.1 = we as u32,
                _ => found.push((ws as u32, we as u32)),
            }
        }
    }
    if found.is_empty() {
        return;
    }
    out.hidden.extend(found);
    out.hidden.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(out.hidden.len());
    for &(a, b) in &out.hidden {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    out.hidden = merged;
}

fn normalize_chars(out: &mut Normalized, input: &str, base: u32) {
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Fast path: copy the run of plain ASCII up to the next byte that needs a look.
        let run = next_special(bytes, i) - i;
        if run > 0 {
            out.push_linear(&bytes[i..i + run], base + i as u32);
            i += run;
            continue;
        }
        let b = bytes[i];
        if is_hidden_control(b) {
            // NUL and other C0 controls (UTF-16 text read as bytes, padding between letters).
            out.changes.insert(Changes::INVISIBLE);
            i += 1;
            continue;
        }
        if b == b'&' {
            if let Some((c, len)) = html_entity(&bytes[i..]) {
                out.changes.insert(Changes::HTML_ENTITIES);
                push_escaped(out, c, base + i as u32, base + (i + len) as u32);
                i += len;
            } else {
                out.push_linear(b"&", base + i as u32);
                i += 1;
            }
            continue;
        }
        if b == b'\\' {
            if let Some((c, len)) = literal_escape(&bytes[i..]) {
                out.changes.insert(Changes::ESCAPES);
                push_escaped(out, c, base + i as u32, base + (i + len) as u32);
                i += len;
            } else {
                out.push_linear(b"\\", base + i as u32);
                i += 1;
            }
            continue;
        }
        // Non-ASCII: decode one char (input is a &str so this always succeeds).
        let Some(c) = input[i..].chars().next() else {
            break;
        };
        let len = c.len_utf8();
        if is_tag_text(c) {
            // Unicode tag characters spell ASCII invisibly (a hidden channel): decoded, and put
            // on a line of their own beside the visible text.
            i = push_tag_run(out, input, i, base);
            continue;
        }
        if c == '\u{202E}' || c == '\u{202B}' {
            // Right-to-left override/embedding: the run is shown reversed; read it in display order.
            out.changes.insert(Changes::BIDI_REVERSED);
            let body_start = i + len;
            let rest = &input[body_start..];
            let body_len = rest
                .find(['\u{202C}', '\u{2069}', '\n'])
                .unwrap_or(rest.len());
            let from = out.text.len() as u32;
            for (off, rc) in rest[..body_len].char_indices().rev() {
                let o = base + (body_start + off) as u32;
                push_char(out, rc, o, o + rc.len_utf8() as u32);
            }
            out.hidden.push((from, out.text.len() as u32));
            i = body_start + body_len;
            continue;
        }
        let from = out.text.len() as u32;
        push_char(out, c, base + i as u32, base + (i + len) as u32);
        if is_styled_letter(c) {
            // Letters written in a mathematical or enclosed style read as plain letters to a
            // person and to no word filter: the sender styled them to pass one, so what they
            // spell counts as concealed (`Rule::concealed`).
            conceal(out, from);
        }
        i += len;
    }
}

/// The text pushed since `from` counts as concealed; a run of such pieces (and the one character
/// between concealed words) is one range.
fn conceal(out: &mut Normalized, from: u32) {
    let to = out.text.len() as u32;
    match out.hidden.last_mut() {
        Some(last) if from.saturating_sub(last.1) <= 1 => last.1 = to,
        _ => out.hidden.push((from, to)),
    }
}

/// A character decoded from an HTML entity or a literal escape. A plain ASCII letter or digit
/// never needs escaping (`&#x4f;`, `\u004f`, `\x4f` for `O`): written so, it was written to
/// pass a word filter, and what such escapes spell counts as concealed.
fn push_escaped(out: &mut Normalized, c: char, o: u32, oe: u32) {
    let from = out.text.len() as u32;
    push_char(out, c, o, oe);
    if c.is_ascii_alphanumeric() {
        conceal(out, from);
    }
}

/// Letters in a mathematical alphanumeric or enclosed (circled, squared) style.
fn is_styled_letter(c: char) -> bool {
    matches!(c as u32, 0x1D400..=0x1D6A3 | 0x24B6..=0x24E9 | 0x1F130..=0x1F189)
}

/// A tag character that stands for a printable ASCII character (U+E0020-U+E007E).
fn is_tag_text(c: char) -> bool {
    ('\u{E0020}'..='\u{E007E}').contains(&c)
}

/// Decode the run of tag characters starting at `start` (other invisible characters inside it
/// are skipped): a newline, each tag's ASCII character mapped to that tag's original bytes, a
/// newline. Returns where the run ends. Linear: one output byte per 4-byte tag character.
fn push_tag_run(out: &mut Normalized, input: &str, start: usize, base: u32) -> usize {
    let rest = input.get(start..).unwrap_or_default();
    let mut end = start;
    let at = base + start as u32;
    out.push_replacement(b"\n", at, at);
    let from = out.text.len() as u32;
    for (off, c) in rest.char_indices() {
        if c.is_ascii() {
            break;
        }
        let o = base + (start + off) as u32;
        if is_tag_text(c) {
            out.push_replacement(&[(c as u32 - 0xE0000) as u8], o, o + 4);
        } else if !matches!(fold(c), Fold::Drop) {
            break;
        }
        end = start + off + c.len_utf8();
    }
    out.hidden.push((from, out.text.len() as u32));
    let at = base + end as u32;
    out.push_replacement(b"\n", at, at);
    out.changes.insert(Changes::TAG_CHARACTERS);
    end
}

/// Whether a byte needs a look (non-ASCII, an entity or escape start, a hidden control).
fn is_special(b: u8) -> bool {
    b >= 0x80 || b == b'&' || b == b'\\' || is_hidden_control(b)
}

/// Position of the next byte from `i` that needs a look (or `bytes.len()`). Eight bytes at a time
/// (SWAR): a word with no high bit, no '&', no '\\', no byte below 0x20 and no DEL is skipped
/// whole; a word that may hold one is checked byte by byte (newlines land here and are plain).
fn next_special(bytes: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(arr) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(arr);
        let maybe = (x & HI)
            | zero(x ^ (LO * u64::from(b'&')))
            | zero(x ^ (LO * u64::from(b'\\')))
            | zero(x ^ (LO * 0x7f))
            | (x.wrapping_sub(LO * 0x20) & !x & HI);
        if maybe != 0 {
            if let Some(k) = arr.iter().position(|&b| is_special(b)) {
                return i + k;
            }
        }
        i += 8;
    }
    bytes
        .get(i..)
        .and_then(|t| t.iter().position(|&b| is_special(b)))
        .map_or(bytes.len(), |k| i + k)
}

/// ASCII control characters that render as nothing: dropped (tab, newline and CR are kept).
fn is_hidden_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f
}

/// Push the normalized form of one character standing for original `o..oe`.
fn push_char(out: &mut Normalized, c: char, o: u32, oe: u32) {
    if c.is_ascii() {
        let b = [c as u8];
        if oe - o == 1 {
            out.push_linear(&b, o);
        } else {
            out.push_replacement(&b, o, oe);
        }
        return;
    }
    match fold(c) {
        Fold::Drop => out.changes.insert(Changes::INVISIBLE),
        Fold::Ascii(a, kind) => {
            out.changes.insert(kind);
            if kind == Changes::CONFUSABLES && a.is_ascii_alphabetic() {
                out.lookalikes.push(out.text.len() as u32);
            }
            out.push_replacement(&[a], o, oe);
        }
        Fold::Str(s, kind) => {
            out.changes.insert(kind);
            out.push_replacement(s.as_bytes(), o, oe);
        }
        Fold::Keep => {
            let mut buf = [0u8; 4];
            let s = c.encode_utf8(&mut buf);
            out.push_replacement(s.as_bytes(), o, oe);
        }
    }
}

enum Fold {
    Drop,
    Ascii(u8, Changes),
    Str(&'static str, Changes),
    Keep,
}

fn letter(idx: u32) -> u8 {
    if idx < 26 {
        b'A' + idx as u8
    } else {
        b'a' + (idx - 26) as u8
    }
}

fn fold(c: char) -> Fold {
    let u = c as u32;
    let compat = Changes::COMPATIBILITY;
    let conf = Changes::CONFUSABLES;
    match u {
        // Invisible: soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul fillers,
        // Mongolian selectors, zero-width and direction marks, word joiner and invisible
        // operators, variation selectors, BOM, tag characters.
        0xAD
        | 0x34F
        | 0x61C
        | 0x115F
        | 0x1160
        | 0x17B4
        | 0x17B5
        | 0x180B..=0x180F
        | 0x200B..=0x200F
        | 0x202A..=0x202E
        | 0x2060..=0x206F
        | 0x3164
        | 0xFE00..=0xFE0F
        | 0xFEFF
        | 0xFFA0
        | 0xE0000..=0xE007F
        | 0xE0100..=0xE01EF => Fold::Drop,
        // Combining diacritical marks (decomposed accents).
        0x300..=0x36F => Fold::Drop,
        // Spaces.
        0xA0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000 => {
            Fold::Ascii(b' ', Changes::SPACES_PUNCT)
        }
        // Dashes and minus signs.
        0x2010..=0x2015 | 0x2212 | 0xFE58 | 0xFE63 => Fold::Ascii(b'-', Changes::SPACES_PUNCT),
        // Slashes.
        0x2044 | 0x2215 | 0x2571 | 0x29F8 => Fold::Ascii(b'/', Changes::SPACES_PUNCT),
        0x2018..=0x201B | 0x2032 => Fold::Ascii(b'\'', Changes::SPACES_PUNCT),
        0x201C..=0x201F | 0x2033 => Fold::Ascii(b'"', Changes::SPACES_PUNCT),
        0x2024 => Fold::Ascii(b'.', Changes::SPACES_PUNCT),
        0x2027 | 0x2022 | 0x00B7 => Fold::Ascii(b'.', Changes::SPACES_PUNCT),
        // Fullwidth ASCII.
        0xFF01..=0xFF5E => Fold::Ascii((u - 0xFEE0) as u8, compat),
        // Mathematical alphanumeric symbols: 13 styles of A-Za-z, then Greek, then digits.
        0x1D400..=0x1D6A3 => Fold::Ascii(letter((u - 0x1D400) % 52), compat),
        0x1D7CE..=0x1D7FF => Fold::Ascii(b'0' + ((u - 0x1D7CE) % 10) as u8, compat),
        // Enclosed and squared letters.
        0x24B6..=0x24CF => Fold::Ascii(b'A' + (u - 0x24B6) as u8, compat),
        0x24D0..=0x24E9 => Fold::Ascii(b'a' + (u - 0x24D0) as u8, compat),
        0x1F130..=0x1F149 => Fold::Ascii(b'A' + (u - 0x1F130) as u8, compat),
        0x1F150..=0x1F169 => Fold::Ascii(b'A' + (u - 0x1F150) as u8, compat),
        0x1F170..=0x1F189 => Fold::Ascii(b'A' + (u - 0x1F170) as u8, compat),
        0x1F1E6..=0x1F1FF => Fold::Ascii(b'A' + (u - 0x1F1E6) as u8, compat),
        // Circled, parenthesized, negative circled and double circled digits; parenthesized
        // small letters.
        0x24EA | 0x24FF | 0x1F10B | 0x1F10C => Fold::Ascii(b'0', compat),
        0x2460..=0x2468 => Fold::Ascii(b'1' + (u - 0x2460) as u8, compat),
        0x2474..=0x247C => Fold::Ascii(b'1' + (u - 0x2474) as u8, compat),
        0x2488..=0x2490 => Fold::Ascii(b'1' + (u - 0x2488) as u8, compat),
        0x24F5..=0x24FD => Fold::Ascii(b'1' + (u - 0x24F5) as u8, compat),
        0x2776..=0x277E => Fold::Ascii(b'1' + (u - 0x2776) as u8, compat),
        0x2780..=0x2788 => Fold::Ascii(b'1' + (u - 0x2780) as u8, compat),
        0x278A..=0x2792 => Fold::Ascii(b'1' + (u - 0x278A) as u8, compat),
        0x249C..=0x24B5 => Fold::Ascii(b'a' + (u - 0x249C) as u8, compat),
        // Superscript and subscript digits.
        0x2070 => Fold::Ascii(b'0', compat),
        0xB9 => Fold::Ascii(b'1', compat),
        0xB2 => Fold::Ascii(b'2', compat),
        0xB3 => Fold::Ascii(b'3', compat),
        0x2074..=0x2079 => Fold::Ascii(b'0' + (u - 0x2070) as u8, compat),
        0x2080..=0x2089 => Fold::Ascii(b'0' + (u - 0x2080) as u8, compat),
        // Roman numerals.
        0x2160 | 0x2170 => Fold::Ascii(b'I', compat),
        0x2161 | 0x2171 => Fold::Str("II", compat),
        0x2162 | 0x2172 => Fold::Str("III", compat),
        0x2163 | 0x2173 => Fold::Str("IV", compat),
        0x2164 | 0x2174 => Fold::Ascii(b'V', compat),
        0x2169 | 0x2179 => Fold::Ascii(b'X', compat),
        0x216C | 0x217C => Fold::Ascii(b'L', compat),
        0x216D | 0x217D => Fold::Ascii(b'C', compat),
        0x216E | 0x217E => Fold::Ascii(b'D', compat),
        0x216F | 0x217F => Fold::Ascii(b'M', compat),
        // Ligatures.
        0xFB00 => Fold::Str("ff", compat),
        0xFB01 => Fold::Str("fi", compat),
        0xFB02 => Fold::Str("fl", compat),
        0xFB03 => Fold::Str("ffi", compat),
        0xFB04 => Fold::Str("ffl", compat),
        _ => fold_letterlike(u)
            .map(|a| Fold::Ascii(a, compat))
            .or_else(|| confusable(u).map(|a| Fold::Ascii(a, conf)))
            .or_else(|| diacritic(u).map(|a| Fold::Ascii(a, Changes::DIACRITICS)))
            .unwrap_or(Fold::Keep),
    }
}

fn fold_letterlike(u: u32) -> Option<u8> {
    Some(match u {
        0x2102 | 0x212D => b'C',
        0x210A => b'g',
        0x210B..=0x210D => b'H',
        0x210E | 0x210F => b'h',
        0x2110 | 0x2111 => b'I',
        0x2112 => b'L',
        0x2113 => b'l',
        0x2115 => b'N',
        0x2119 => b'P',
        0x211A => b'Q',
        0x211B..=0x211D => b'R',
        0x2124 | 0x2128 => b'Z',
        0x212A => b'K',
        0x212C => b'B',
        0x212F | 0x2130 => b'E',
        0x2131 => b'F',
        0x2133 => b'M',
        0x2134 => b'o',
        0x2139 => b'i',
        _ => return None,
    })
}

/// Cyrillic, Greek, Armenian and other letters that look like ASCII letters.
fn confusable(u: u32) -> Option<u8> {
    Some(match u {
        // Greek capitals.
        0x391 => b'A',
        0x392 => b'B',
        0x395 => b'E',
        0x396 => b'Z',
        0x397 => b'H',
        0x399 | 0x3AA => b'I',
        0x39A => b'K',
        0x39C => b'M',
        0x39D => b'N',
        0x39F => b'O',
        0x3A1 => b'P',
        0x3A4 => b'T',
        0x3A5 | 0x3AB => b'Y',
        0x3A7 => b'X',
        0x3F9 => b'C',
        0x37F => b'J',
        // Greek small.
        0x3B1 => b'a',
        0x3B3 => b'y',
        0x3B9 => b'i',
        0x3BA => b'k',
        0x3BD => b'v',
        0x3BF => b'o',
        0x3C1 => b'p',
        0x3C3 | 0x3C2 => b'o',
        0x3C4 => b't',
        0x3C5 => b'u',
        0x3C7 => b'x',
        0x3F2 => b'c',
        0x3F3 => b'j',
        // Cyrillic capitals.
        0x405 => b'S',
        0x406 | 0x407 | 0x4C0 => b'I',
        0x408 => b'J',
        0x410 => b'A',
        0x412 => b'B',
        0x415 | 0x401 => b'E',
        0x41A => b'K',
        0x41C => b'M',
        0x41D => b'H',
        0x41E => b'O',
        0x420 => b'P',
        0x421 => b'C',
        0x422 => b'T',
        0x423 | 0x4AE => b'Y',
        0x425 => b'X',
        0x417 => b'3',
        0x500 => b'D',
        0x50C => b'G',
        0x51A => b'Q',
        0x51C => b'W',
        // Cyrillic small.
        0x430 => b'a',
        0x435 | 0x451 => b'e',
        0x43E => b'o',
        0x440 => b'p',
        0x441 => b'c',
        0x443 | 0x4AF => b'y',
        0x445 => b'x',
        0x455 => b's',
        0x456 | 0x457 => b'i',
        0x458 => b'j',
        0x4BB => b'h',
        0x4CF => b'l',
        0x501 => b'd',
        0x51B => b'q',
        0x51D => b'w',
        0x432 => b'b',
        0x43A => b'k',
        0x43C => b'm',
        0x43D => b'h',
        0x442 => b't',
        // Armenian.
        0x555 => b'O',
        0x585 => b'o',
        0x54D => b'U',
        0x57D => b'u',
        0x570 => b'h',
        0x578 => b'n',
        0x581 => b'g',
        // Latin small capitals and others.
        0x1D00 => b'A',
        0x299 => b'B',
        0x1D04 => b'C',
        0x1D05 => b'D',
        0x1D07 => b'E',
        0x262 => b'G',
        0x29C => b'H',
        0x26A => b'I',
        0x1D0A => b'J',
        0x1D0B => b'K',
        0x29F => b'L',
        0x1D0D => b'M',
        0x274 => b'N',
        0x1D0F => b'O',
        0x1D18 => b'P',
        0x280 => b'R',
        0xA731 => b'S',
        0x1D1B => b'T',
        0x1D1C => b'U',
        0x1D20 => b'V',
        0x1D21 => b'W',
        0x28F => b'Y',
        0x1D22 => b'Z',
        0x131 => b'i',
        0x237 => b'j',
        _ => return None,
    })
}

/// Latin letters with diacritics -> the base letter.
fn diacritic(u: u32) -> Option<u8> {
    Some(match u {
        0xC0..=0xC5 => b'A',
        0xC7 => b'C',
        0xC8..=0xCB => b'E',
        0xCC..=0xCF => b'I',
        0xD1 => b'N',
        0xD2..=0xD6 | 0xD8 => b'O',
        0xD9..=0xDC => b'U',
        0xDD => b'Y',
        0xE0..=0xE5 => b'a',
        0xE7 => b'c',
        0xE8..=0xEB => b'e',
        0xEC..=0xEF => b'i',
        0xF1 => b'n',
        0xF2..=0xF6 | 0xF8 => b'o',
        0xF9..=0xFC => b'u',
        0xFD | 0xFF => b'y',
        // Latin Extended-A pairs: upper at even code points, lower at odd, in base-letter runs.
        0x100..=0x105 => [b'A', b'a'][(u & 1) as usize],
        0x106..=0x10D => [b'C', b'c'][(u & 1) as usize],
        0x10E..=0x111 => [b'D', b'd'][(u & 1) as usize],
        0x112..=0x11B => [b'E', b'e'][(u & 1) as usize],
        0x11C..=0x123 => [b'G', b'g'][(u & 1) as usize],
        0x124..=0x127 => [b'H', b'h'][(u & 1) as usize],
        0x128..=0x130 => [b'I', b'i'][(u & 1) as usize],
        0x134 | 0x135 => [b'J', b'j'][(u & 1) as usize],
        0x136 | 0x137 => [b'K', b'k'][(u & 1) as usize],
        0x139..=0x142 => [b'l', b'L'][(u & 1) as usize],
        0x143..=0x148 => [b'n', b'N'][(u & 1) as usize],
        0x14C..=0x151 => [b'O', b'o'][(u & 1) as usize],
        0x154..=0x159 => [b'R', b'r'][(u & 1) as usize],
        0x15A..=0x161 => [b'S', b's'][(u & 1) as usize],
        0x162..=0x167 => [b'T', b't'][(u & 1) as usize],
        0x168..=0x173 => [b'U', b'u'][(u & 1) as usize],
        0x174 | 0x175 => [b'W', b'w'][(u & 1) as usize],
        0x176 | 0x177 => [b'Y', b'y'][(u & 1) as usize],
        0x178 => b'Y',
        0x179..=0x17E => [b'z', b'Z'][(u & 1) as usize],
        _ => return None,
    })
}

/// `&name;`, `&#123;`, `&#x7B;` at the start of `s`: the character and the entity's length.
fn html_entity(s: &[u8]) -> Option<(char, usize)> {
    let end = s.iter().take(12).position(|&b| b == b';')?;
    let body = &s[1..end];
    let c = if let Some(num) = body.strip_prefix(b"#") {
        let (digits, radix) = match num.first() {
            Some(b'x') | Some(b'X') => (&num[1..], 16),
            _ => (num, 10),
        };
        let text = std::str::from_utf8(digits).ok()?;
        char::from_u32(u32::from_str_radix(text, radix).ok()?)?
    } else {
        match body {
            b"amp" => '&',
            b"lt" => '<',
            b"gt" => '>',
            b"quot" => '"',
            b"apos" => '\'',
            b"nbsp" => ' ',
            b"shy" => '\u{AD}',
            b"zwj" => '\u{200D}',
            b"zwnj" => '\u{200C}',
            b"lrm" => '\u{200E}',
            b"rlm" => '\u{200F}',
            b"sol" => '/',
            b"frasl" => '/',
            b"ndash" | b"mdash" | b"hyphen" | b"dash" => '-',
            b"lpar" => '(',
            b"rpar" => ')',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

/// A literal `\uXXXX` (text that was JSON-escaped twice) or `\xHH` (a C/Python byte escape of
/// a printable ASCII character: `\x53\x45\x43`) at the start of `s`.
fn literal_escape(s: &[u8]) -> Option<(char, usize)> {
    if s.get(1) == Some(&b'x') {
        let text = std::str::from_utf8(s.get(2..4)?).ok()?;
        let v = u8::from_str_radix(text, 16).ok()?;
        return (0x20..0x7f).contains(&v).then_some((char::from(v), 4));
    }
    if s.len() < 6 || s[1] != b'u' {
        return None;
    }
    let text = std::str::from_utf8(&s[2..6]).ok()?;
    let c = char::from_u32(u32::from_str_radix(text, 16).ok()?)?;
    Some((c, 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> (String, Normalized) {
        let mut n = Normalized::default();
        normalize_into(&mut n, s, 0);
        (String::from_utf8_lossy(&n.text).into_owned(), n)
    }

    #[test]
    fn ascii_is_unchanged_and_maps_identically() {
        let (t, n) = norm("SECRET//NOFORN hello");
        assert_eq!(t, "SECRET//NOFORN hello");
        assert!(n.changes.is_empty());
        assert_eq!(n.orig_span(0, 6), (0, 6));
        assert_eq!(n.orig_span(8, 14), (8, 14));
    }

    #[test]
    fn zero_width_and_soft_hyphen_vanish_and_spans_map_back() {
        let s = "x S\u{200B}E\u{AD}CRET y";
        let (t, n) = norm(s);
        assert_eq!(t, "x SECRET y");
        assert!(n.changes.contains(Changes::INVISIBLE));
        let (a, b) = n.orig_span(2, 8);
        assert_eq!(&s[a as usize..b as usize], "S\u{200B}E\u{AD}CRET");
    }

    #[test]
    fn styled_letters_are_concealed() {
        let mut n = Normalized::with_capacity(64);
        normalize_into(
            &mut n,
            "Note: \u{1D682}\u{1D674}\u{1D672} \u{24C7}\u{24BA} plain \u{FF33}",
            0,
        );
        assert_eq!(n.text, b"Note: SEC RE plain S");
        // The styled run (one space between its words) is one range; fullwidth letters are not styled.
        assert_eq!(n.hidden, vec![(6, 12)]);
    }

    #[test]
    fn escaped_letters_are_concealed_and_needed_escapes_are_not() {
        let mut n = Normalized::with_capacity(64);
        normalize_into(
            &mut n,
            "a &#x53;&#69;&#x20;&#67; b \\u0052\\x45T c &amp; &lt;p&gt; caf\\u00e9",
            0,
        );
        assert_eq!(n.text, b"a SE C b RET c & <p> cafe");
        // `SE C` (the encoded space between letters joins the run) and `RE` are concealed; the
        // plain `T`, the entities a text needs and an escaped accented letter are not.
        assert_eq!(n.hidden, vec![(2, 6), (9, 11)]);
    }

    #[test]
    fn words_mixing_lookalikes_with_ascii_are_concealed() {
        let mut n = Normalized::with_capacity(64);
        // Cyrillic О, е, ѕ, а among Latin letters; then a Russian word; then plain ASCII.
        normalize_into(
            &mut n,
            "\u{41E}n th\u{435} \u{455}ubm\u{430}rine and \u{421}\u{415}\u{41A}\u{420}\u{415}\u{422} plain",
            0,
        );
        assert_eq!(n.text, b"On the submarine and CEKPET plain");
        // `On the submarine` is one range (one space between concealed words); the all-Cyrillic
        // word and the plain words are not concealed.
        assert_eq!(n.hidden, vec![(0, 16)]);
    }

    #[test]
    fn homoglyphs_fullwidth_math_fold_to_ascii() {
        assert_eq!(norm("C\u{39F}\u{39D}FIDENTIAL").0, "CONFIDENTIAL");
        assert_eq!(norm("\u{420}\u{415}\u{421}").0, "PEC");
        assert_eq!(norm("\u{FF33}\u{FF25}\u{FF23}").0, "SEC");
        assert_eq!(norm("\u{1D402}\u{1D40E}").0, "CO");
        assert_eq!(norm("\u{1D5A2}").0, "C"); // sans-serif capital C
    }

    #[test]
    fn rtl_override_run_is_reversed() {
        let s = "\u{202E}C TNEMETATS\u{202C}. rest";
        let (t, n) = norm(s);
        assert_eq!(t, "STATEMENT C. rest");
        let (a, b) = n.orig_span(0, 11);
        assert_eq!(&s[a as usize..b as usize], "C TNEMETATS");
    }

    #[test]
    fn html_entities_and_literal_escapes_decode() {
        assert_eq!(
            norm("SECRET&#47;&#x2F;NOFORN &amp; x").0,
            "SECRET//NOFORN & x"
        );
        assert_eq!(norm("\\u0053ECRET").0, "SECRET");
        assert_eq!(norm("a & b \\n").0, "a & b \\n");
    }

    #[test]
    fn nul_and_controls_between_letters_vanish() {
        let s = "S\0E\0C\0R\0E\0T\0 x\u{1}y\tz";
        let (t, n) = norm(s);
        assert_eq!(t, "SECRET xy\tz");
        assert!(n.changes.contains(Changes::INVISIBLE));
        let (a, b) = n.orig_span(0, 6);
        assert_eq!(&s[a as usize..b as usize], "S\0E\0C\0R\0E\0T");
    }

    #[test]
    fn swar_finds_every_special_byte() {
        let mut s = String::from("plain ascii text, twenty-six letters and more\nsecond line ");
        for (k, special) in ["&", "\\", "\u{1}", "\u{7f}", "\u{e9}", "\0"]
            .iter()
            .enumerate()
        {
            for pad in 0..17 {
                let t = format!("{}{}{}tail", &s[..pad + k], special, &s[pad + k..]);
                let want = t.bytes().position(is_special).unwrap_or(t.len());
                assert_eq!(next_special(t.as_bytes(), 0), want, "{t:?}");
                assert_eq!(next_special(t.as_bytes(), want + special.len()), t.len());
            }
        }
        s.clear();
        assert_eq!(next_special(b"", 0), 0);
        assert_eq!(next_special(b"abc", 3), 3);
    }

    #[test]
    fn tag_characters_are_decoded_beside_the_visible_text() {
        let hidden: String = "SECRET//NOFORN"
            .chars()
            .map(|c| char::from_u32(0xE0000 + c as u32).unwrap_or(' '))
            .collect();
        let s = format!("Summarize the weather.\u{E0001}{hidden}\u{E007F} Thanks");
        let (t, n) = norm(&s);
        assert_eq!(t, "Summarize the weather.\nSECRET//NOFORN\n Thanks");
        assert!(n.changes.contains(Changes::TAG_CHARACTERS));
        // A span of the hidden text maps back to exactly its tag characters.
        let k = t.find("SECRET").unwrap_or(0);
        let (a, b) = n.orig_span(k, k + 14);
        assert_eq!(&s[a as usize..b as usize], hidden);
        // Other invisible characters inside the run do not break it.
        let h2: String = "TOP"
            .chars()
            .flat_map(|c| {
                [
                    char::from_u32(0xE0000 + c as u32).unwrap_or(' '),
                    '\u{200B}',
                ]
            })
            .collect();
        assert_eq!(norm(&format!("a{h2}b")).0, "a\nTOP\nb");
    }

    #[test]
    fn byte_escapes_and_circled_digits_fold() {
        assert_eq!(norm("\\x53\\x45\\x43RET").0, "SECRET");
        // Non-printable or malformed byte escapes stay as they are.
        assert_eq!(norm("a\\x0a b \\xZZ").0, "a\\x0a b \\xZZ");
        assert_eq!(norm("\u{2460}\u{2776}\u{24FD}\u{249C}").0, "119a");
    }

    #[test]
    fn other_scripts_are_kept() {
        assert_eq!(norm("日本 ok").0, "日本 ok");
    }
}
