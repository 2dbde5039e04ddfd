//! Extraction: from a provider request body to the texts that will leave the gateway.
//!
//! Every string value in the body is inspected (message text, system prompts, tool definitions and
//! arguments, metadata): whatever reaches the provider is what matters, not only what the model
//! reads. Every object key is inspected too, whatever its length, but cannot be redacted, so a
//! redactable finding in a key blocks. Media the filter cannot read (images, audio, documents) is
//! refused unless the policy allows it; even then only the media payload itself goes unscanned,
//! and only where a format's schema puts media (the media places of [`crate::wire::Shape`]: an
//! `image_url` part's `url`, an image or document `source` block's base64 `data`, ...). A `data:`
//! URL or base64 field anywhere else is scanned like any string (the scan decodes what decodes to
//! text). Which top-level members hold the model, the stream flag, the conversation and the
//! client's end-user id is the format's shape too. The parts of the request
//! head that go upstream (headers, query) are a document of their own ([`head_only`]), scanned by
//! the same scanner.
//!
//! One pass over the body with a strict RFC 8259 parser of our own (no tree is built): string
//! values are unescaped straight into the virtual document, and each one's raw byte span is kept,
//! so a redaction rewrites only the bytes of the strings it changes and leaves every other byte of
//! the body as the client sent it. Strings are numbered in document order (value index). The
//! parser accepts exactly what serde_json accepts (checked by a differential fuzz target,
//! `fuzz/fuzz_targets/extract_diff.rs`), except that a duplicate model, stream or conversation
//! member (`model`, `stream`, `messages`) at the top of a request is refused: a gateway and a
//! provider that picked different copies would see different requests.

use crate::error::InspectError;
use crate::head::HeadPiece;
use crate::wire::{self, ConversationKind, Format, Kinds, MediaPlace, Payload, Shape, TypedList};

/// serde_json's recursion limit, so both accept the same nesting.
const MAX_DEPTH: usize = 128;

/// One inspected string of the body.
#[derive(Debug, Clone)]
pub struct Piece {
    /// Offset of this piece in the virtual document (pieces joined by '\n').
    pub doc_start: u32,
    pub len: u32,
    /// Order among string values (for redaction); None for object keys and head pieces.
    pub value_index: Option<usize>,
    /// Index into the request head's pieces (headers, query) for a head piece.
    pub head: Option<u32>,
}

#[derive(Debug, Default)]
pub struct Extracted {
    pub model: Option<String>,
    /// Raw byte span of the top-level `model` string (quotes included), for renaming it.
    pub model_span: Option<(usize, usize)>,
    pub stream: bool,
    /// The virtual document: every piece's text, joined by '\n'.
    pub doc: String,
    pub pieces: Vec<Piece>,
    pub media_parts: usize,
    /// Raw byte span (quotes included) of every string value, by value index.
    pub strings: Vec<(u32, u32)>,
    /// Raw byte span of the top-level `usage` value (responses: token counts).
    pub usage_span: Option<(usize, usize)>,
    /// The client's own end-user id as sent (`user`, `metadata.user_id`), for the audit record.
    pub client_user: Option<String>,
    /// Where each head piece is (`header user-agent`, `query`), by head index.
    pub head: Vec<String>,
}

/// A document of the parts of the request head that go upstream (headers, query): pieces that
/// cannot be redacted (a redactable finding in them blocks).
pub fn head_only(head: &[HeadPiece]) -> Extracted {
    let mut out = Extracted::default();
    for (i, h) in head.iter().enumerate() {
        out.head.push(h.location.clone());
        if h.text.is_empty() {
            continue;
        }
        if !out.doc.is_empty() {
            out.doc.push('\n');
        }
        out.pieces.push(Piece {
            doc_start: out.doc.len() as u32,
            len: h.text.len() as u32,
            value_index: None,
            head: u32::try_from(i).ok(),
        });
        out.doc.push_str(&h.text);
    }
    out
}

/// A request body in `format`: every key and string is inspected; the format's shape says where
/// the model, the stream flag, the conversation, the end-user id and media are.
pub fn extract(format: Format, body: &[u8]) -> Result<Extracted, InspectError> {
    let shape = &format.spec().shape;
    let mut p = Parser::new(body)?;
    p.shape = Some(shape);
    p.document()?;
    if !p.root_object {
        return Err(InspectError::Shape("the body must be a JSON object".into()));
    }
    if p.model_not_string {
        return Err(InspectError::Shape(format!(
            "{:?} must be a string",
            shape.model
        )));
    }
    let conv = &shape.conversation;
    if p.conversation_tokens {
        return Err(InspectError::Uninspectable(format!(
            "{:?} holds token arrays, which this gateway cannot read: send text",
            conv.member
        )));
    }
    if !p.conversation_ok && (p.seen_top[2] || conv.required) {
        let what = match conv.kind {
            ConversationKind::Array => "an array",
            ConversationKind::StringOrArray => "a string or an array",
            ConversationKind::Texts => "a string or an array of strings",
            ConversationKind::Object => "an object",
        };
        return Err(InspectError::Shape(format!(
            "{:?} must be {what}",
            conv.member
        )));
    }
    Ok(p.out)
}

/// A response body (JSON): every string value is inspected; no shape is required.
pub fn extract_response(body: &[u8]) -> Result<Extracted, InspectError> {
    let mut p = Parser::new(body)?;
    p.document()?;
    Ok(p.out)
}

/// What the parser knows about the object whose members it is reading.
#[derive(Default)]
struct ObjState {
    /// The object's `type` member, once seen (or looked ahead for).
    ty: Option<String>,
    ty_known: bool,
    /// How many `type` members it has (more than one is refused).
    types: usize,
}

/// Where in the format's schema an object stands, as far as media and client ids go.
#[derive(Clone, Copy)]
enum Ctx {
    Plain,
    /// The object of a media place (an `image_url` part's `image_url`, a block's `source`): its
    /// payload member is media.
    Media(&'static MediaPlace),
    /// A top-level object holding the client's own user id in this member (`metadata`).
    UserIds(&'static str),
    /// A top-level array of typed elements (Responses `input`, `tools`).
    List(&'static TypedList),
    /// An element of such an array: its type must be one the list knows.
    Element(&'static TypedList),
    /// A list of content parts in an element (a message's `content`).
    Parts(&'static TypedList),
    /// A content part: its type must be one the list knows.
    Part(&'static TypedList),
}

impl Ctx {
    /// The context of an array's elements.
    fn element(self) -> Ctx {
        match self {
            Ctx::List(t) => Ctx::Element(t),
            Ctx::Parts(t) => Ctx::Part(t),
            _ => Ctx::Plain,
        }
    }

    /// Media and user ids are read in it as at any plain place.
    fn plain(self) -> bool {
        matches!(
            self,
            Ctx::Plain | Ctx::List(_) | Ctx::Element(_) | Ctx::Parts(_) | Ctx::Part(_)
        )
    }
}

struct Parser<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
    out: Extracted,
    value_index: usize,
    key: String,
    /// The request's shape; `None` for a response (no shape is required).
    shape: Option<&'static Shape>,
    root_object: bool,
    model_not_string: bool,
    /// The conversation member is of a kind the shape allows.
    conversation_ok: bool,
    /// It holds token arrays (numbers) where text was expected.
    conversation_tokens: bool,
    seen_top: [bool; 3],
}

fn malformed(what: &str, at: usize) -> InspectError {
    InspectError::Malformed(format!("{what} at byte {at}"))
}

impl<'a> Parser<'a> {
    fn new(body: &'a [u8]) -> Result<Parser<'a>, InspectError> {
        let s = std::str::from_utf8(body).map_err(|_| InspectError::InvalidUtf8)?;
        let mut p = Parser::at(body, s, 0);
        p.out.doc = String::with_capacity(body.len());
        Ok(p)
    }

    /// A parser over an already validated body, positioned at `i`.
    fn at(b: &'a [u8], s: &'a str, i: usize) -> Parser<'a> {
        Parser {
            b,
            s,
            i,
            out: Extracted::default(),
            value_index: 0,
            key: String::new(),
            shape: None,
            root_object: false,
            model_not_string: false,
            conversation_ok: false,
            conversation_tokens: false,
            seen_top: [false; 3],
        }
    }

    fn document(&mut self) -> Result<(), InspectError> {
        self.ws();
        self.root_object = self.peek() == Some(b'{');
        self.value(0, true, Slot::Plain, Ctx::Plain)?;
        self.ws();
        if self.i != self.b.len() {
            return Err(malformed("trailing characters", self.i));
        }
        Ok(())
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8, what: &str) -> Result<(), InspectError> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else if self.i >= self.b.len() {
            Err(malformed("EOF while parsing", self.i))
        } else {
            Err(malformed(what, self.i))
        }
    }

    /// One value. `emit`: add its strings to the document (false while looking ahead).
    fn value(
        &mut self,
        depth: usize,
        emit: bool,
        slot: Slot,
        ctx: Ctx,
    ) -> Result<(), InspectError> {
        if matches!(self.peek(), Some(b'{' | b'[')) && depth + 1 >= MAX_DEPTH {
            return Err(malformed("recursion limit exceeded", self.i));
        }
        match self.peek() {
            Some(b'{') => self.object(depth + 1, emit, ctx),
            Some(b'[') => {
                self.i += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    self.value(depth + 1, emit, Slot::Plain, ctx.element())?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(());
                        }
                        None => return Err(malformed("EOF while parsing a list", self.i)),
                        Some(_) => return Err(malformed("expected `,` or `]`", self.i)),
                    }
                }
            }
            Some(b'"') => {
                let start = self.i;
                if !emit {
                    return self.string_skip();
                }
                let vi = self.value_index;
                self.value_index += 1;
                let doc_before = self.out.doc.len();
                let sep = !self.out.doc.is_empty();
                if sep {
                    self.out.doc.push('\n');
                }
                let text_start = self.out.doc.len();
                self.string_into_doc()?;
                self.out.strings.push((start as u32, self.i as u32));
                let text = self.out.doc.get(text_start..).unwrap_or("");
                let skip = match slot {
                    Slot::Plain => false,
                    Slot::DataUrl => text.starts_with("data:"),
                    Slot::Media => true,
                };
                if skip || text.is_empty() {
                    self.out.doc.truncate(doc_before);
                } else {
                    self.out.pieces.push(Piece {
                        doc_start: text_start as u32,
                        len: (self.out.doc.len() - text_start) as u32,
                        value_index: Some(vi),
                        head: None,
                    });
                }
                Ok(())
            }
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            None => Err(malformed("EOF while parsing a value", self.i)),
            Some(_) => Err(malformed("expected value", self.i)),
        }
    }

    fn object(&mut self, depth: usize, emit: bool, ctx: Ctx) -> Result<(), InspectError> {
        let top = depth == 1 && self.shape.is_some();
        self.i += 1; // '{'
        let mut st = ObjState::default();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(if self.i >= self.b.len() {
                    malformed("EOF while parsing an object", self.i)
                } else {
                    malformed("key must be a string", self.i)
                });
            }
            let mut key = std::mem::take(&mut self.key);
            key.clear();
            self.string_into(&mut key)?;
            self.ws();
            self.expect(b':', "expected `:`")?;
            self.ws();
            if emit {
                self.push_key_piece(&key);
            }
            let vstart = self.i;
            let is_string = self.peek() == Some(b'"');
            let is_object = self.peek() == Some(b'{');
            // Media payloads are skipped only where a format's schema puts them.
            let (mut slot, mut child) = (Slot::Plain, Ctx::Plain);
            if let (true, Some(shape)) = (emit && (is_string || is_object), self.shape) {
                let needs_type = match (is_string, ctx) {
                    (true, Ctx::Media(p)) => p
                        .inner
                        .as_ref()
                        .is_some_and(|i| i.when_type.is_some() && i.member == key),
                    (true, c) if c.plain() => shape.may_hold_media(&key, is_string),
                    (false, _) => shape.may_hold_media(&key, is_string),
                    (true, _) => false,
                };
                if needs_type && !st.ty_known {
                    st.ty = self.type_ahead(depth);
                    st.ty_known = true;
                }
                let ty = st.ty.as_deref().unwrap_or("");
                if is_string {
                    let place = match ctx {
                        Ctx::Media(p) => p
                            .inner
                            .as_ref()
                            .is_some_and(|i| i.member == key && i.when_type.is_none_or(|t| t == ty))
                            .then_some(p),
                        c if c.plain() => shape.payload_member(&key, ty),
                        _ => None,
                    };
                    slot = place.map_or(Slot::Plain, |p| match p.payload {
                        Payload::DataUrl => Slot::DataUrl,
                        Payload::Base64 => Slot::Media,
                    });
                } else if let Some(p) = shape.media_object(&key, ty).filter(|p| {
                    // An untyped place (Gemini's `inlineData`) is one only in a content part.
                    !p.part.is_empty() || matches!(ctx, Ctx::Part(t) if t.kinds == Kinds::Members)
                }) {
                    child = Ctx::Media(p);
                } else if let Some(inner) = shape.user_id_in(&key).filter(|_| top) {
                    child = Ctx::UserIds(inner);
                }
            }
            // Members of elements and parts told by their members must be known ones.
            if let (true, Ctx::Element(t) | Ctx::Part(t)) = (emit, ctx) {
                if t.kinds == Kinds::Members {
                    t.member_known(&key, matches!(ctx, Ctx::Part(_)))
                        .map_err(InspectError::Uninspectable)?;
                }
            }
            if let (true, Some(shape)) = (emit, self.shape) {
                if shape.media_keys.contains(&key.as_str()) {
                    self.out.media_parts += 1;
                }
            }
            // A typed list given as one element (Gemini `systemInstruction`).
            if let (true, true, Some(shape), Some(b'{')) = (emit, top, self.shape, self.peek()) {
                if let Some(t) = shape.typed.iter().find(|t| t.member == key && t.one) {
                    child = Ctx::Element(t);
                }
            }
            // Typed lists: a top-level list of items or tools, a part list inside an item.
            if let (true, Some(shape), Some(b'[')) = (emit, self.shape, self.peek()) {
                if top {
                    if let Some(t) = shape.typed.iter().find(|t| t.member == key) {
                        child = Ctx::List(t);
                    }
                } else if let Ctx::Element(t) = ctx {
                    if !st.ty_known {
                        st.ty = self.type_ahead(depth);
                        st.ty_known = true;
                    }
                    if t.is_parts(st.ty.as_deref(), &key) {
                        child = Ctx::Parts(t);
                    }
                }
            }
            if depth == 1 {
                self.top_level(&key, vstart, top)?;
            }
            let vi = self.value_index;
            self.value(depth, emit, slot, child)?;
            if emit
                && is_string
                && self.out.client_user.is_none()
                && ((top && self.shape.is_some_and(|s| s.user_id_top(&key)))
                    || matches!(ctx, Ctx::UserIds(inner) if inner == key))
            {
                self.out.client_user = self.string_value(vi, vstart).map(|mut u| {
                    if u.len() > 256 {
                        let mut end = 256;
                        while !u.is_char_boundary(end) {
                            end -= 1;
                        }
                        u.truncate(end);
                    }
                    u
                });
            }
            if key == "type" {
                st.types += 1;
                if is_string && !st.ty_known {
                    st.ty = self.string_value(vi, vstart);
                    st.ty_known = true;
                }
            }
            if depth == 1 {
                self.top_level_after(&key, vstart, vi);
            }
            self.key = key;
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                None => return Err(malformed("EOF while parsing an object", self.i)),
                Some(_) => return Err(malformed("expected `,` or `}`", self.i)),
            }
        }
        if st.types > 1 {
            // Which copy a provider reads is its choice; the media and inline-data rules
            // depend on it.
            return Err(InspectError::Shape(
                "duplicate key \"type\" in an object".into(),
            ));
        }
        if emit {
            let typed = match ctx {
                Ctx::Element(t) => Some((t, true)),
                Ctx::Part(t) => Some((t, false)),
                _ => None,
            };
            if let Some((t, element)) = typed.filter(|(t, _)| t.kinds == Kinds::Typed) {
                if st.types > 0 && st.ty.is_none() {
                    return Err(InspectError::Uninspectable(format!(
                        "the \"type\" of a {} must be a string",
                        if element { t.what } else { "content part" }
                    )));
                }
                let checked = if element {
                    t.element(st.ty.as_deref()).map(|_| ())
                } else {
                    t.part(st.ty.as_deref())
                };
                checked.map_err(InspectError::Uninspectable)?;
            }
        }
        let media_types = self.shape.map_or(wire::MEDIA_TYPES, |s| s.media_types);
        if emit
            && st
                .ty
                .as_deref()
                .is_some_and(|t| wire::is_media_type(media_types, t))
        {
            self.out.media_parts += 1;
        }
        Ok(())
    }

    /// Top-level members of a request's root object, before the value is parsed.
    fn top_level(&mut self, key: &str, vstart: usize, top: bool) -> Result<(), InspectError> {
        let Some(shape) = self.shape else {
            return Ok(());
        };
        let slot = if key == shape.model {
            0
        } else if key == shape.stream && !key.is_empty() {
            1
        } else if key == shape.conversation.member {
            2
        } else {
            return Ok(());
        };
        if top {
            if self.seen_top[slot] {
                return Err(InspectError::Shape(format!("duplicate key {key:?}")));
            }
            self.seen_top[slot] = true;
            match slot {
                0 => self.model_not_string = self.peek() != Some(b'"'),
                1 => self.out.stream = self.b.get(vstart..vstart + 4) == Some(b"true"),
                _ => {
                    let (string, array) = (self.peek() == Some(b'"'), self.peek() == Some(b'['));
                    self.conversation_ok = match shape.conversation.kind {
                        ConversationKind::Array => array,
                        ConversationKind::StringOrArray => string || array,
                        ConversationKind::Texts if array => {
                            self.conversation_tokens = !self.strings_only();
                            !self.conversation_tokens
                        }
                        ConversationKind::Texts => string,
                        ConversationKind::Object => self.peek() == Some(b'{'),
                    };
                }
            }
        }
        Ok(())
    }

    /// Top-level members of the root object, after the value is parsed.
    fn top_level_after(&mut self, key: &str, vstart: usize, vi: usize) {
        let model = self.shape.map_or(wire::RESPONSE_MODEL, |s| s.model);
        if key == model && self.b.get(vstart) == Some(&b'"') {
            self.out.model = self.string_value(vi, vstart);
            self.out.model_span = Some((vstart, self.i));
        } else if wire::USAGE_MEMBERS.contains(&key) {
            self.out.usage_span = Some((vstart, self.i));
        }
    }

    /// Whether the array at `self.i` holds strings only (looked ahead; errors are left for the
    /// main pass to report).
    fn strings_only(&self) -> bool {
        let mut p = Parser::at(self.b, self.s, self.i + 1);
        p.ws();
        if p.peek() == Some(b']') {
            return true;
        }
        loop {
            p.ws();
            if p.peek() != Some(b'"') {
                return false;
            }
            // Skip the string without decoding it.
            p.i += 1;
            loop {
                p.i = special_from(p.b, p.i);
                match p.peek() {
                    Some(b'"') => {
                        p.i += 1;
                        break;
                    }
                    Some(b'\\') => p.i += 2,
                    _ => return true,
                }
            }
            p.ws();
            match p.peek() {
                Some(b',') => p.i += 1,
                _ => return true,
            }
        }
    }

    /// The decoded text of the string value just parsed (value index `vi`, raw start `start`).
    fn string_value(&self, vi: usize, start: usize) -> Option<String> {
        if let Some(p) = self.out.pieces.last() {
            if p.value_index == Some(vi) {
                let s = p.doc_start as usize;
                return self.out.doc.get(s..s + p.len as usize).map(str::to_string);
            }
        }
        // Empty or skipped: decode it again from the raw bytes.
        let mut tmp = Parser::at(self.b, self.s, start);
        let mut out = String::new();
        tmp.string_into(&mut out).ok().map(|_| out)
    }

    /// The `type` member of the object being read, looked for in its remaining members (needed
    /// when `data` comes before `type`). Errors are left for the main pass to report.
    fn type_ahead(&self, depth: usize) -> Option<String> {
        let mut p = Parser::at(self.b, self.s, self.i);
        // Skip the current value, then read members until the object ends.
        p.value(depth, false, Slot::Plain, Ctx::Plain).ok()?;
        loop {
            p.ws();
            match p.peek()? {
                b',' => p.i += 1,
                _ => return None,
            }
            p.ws();
            let mut key = String::new();
            p.string_into(&mut key).ok()?;
            p.ws();
            p.expect(b':', "").ok()?;
            p.ws();
            if key == "type" && p.peek() == Some(b'"') {
                let mut v = String::new();
                p.string_into(&mut v).ok()?;
                return Some(v);
            }
            p.value(depth, false, Slot::Plain, Ctx::Plain).ok()?;
        }
    }

    fn push_key_piece(&mut self, key: &str) {
        if key.is_empty() {
            return;
        }
        if !self.out.doc.is_empty() {
            self.out.doc.push('\n');
        }
        self.out.pieces.push(Piece {
            doc_start: self.out.doc.len() as u32,
            len: key.len() as u32,
            value_index: None,
            head: None,
        });
        self.out.doc.push_str(key);
    }

    fn literal(&mut self, lit: &[u8]) -> Result<(), InspectError> {
        let end = self.i + lit.len();
        match self.b.get(self.i..end) {
            Some(x) if x == lit => {
                self.i = end;
                Ok(())
            }
            _ => Err(malformed("expected ident", self.i)),
        }
    }

    fn digits(&mut self) -> usize {
        let s = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - s
    }

    fn number(&mut self) -> Result<(), InspectError> {
        let at = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(malformed("invalid number", at)),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(malformed("invalid number", at));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(malformed("invalid number", at));
            }
        }
        Ok(())
    }

    /// Validate a string without keeping it.
    fn string_skip(&mut self) -> Result<(), InspectError> {
        let mut sink = String::new();
        self.string_into(&mut sink)
    }

    fn string_into_doc(&mut self) -> Result<(), InspectError> {
        let mut doc = std::mem::take(&mut self.out.doc);
        let r = self.string_into(&mut doc);
        self.out.doc = doc;
        r
    }

    /// Parse the string at `self.i` (opening quote) and append its decoded text to `out`.
    fn string_into(&mut self, out: &mut String) -> Result<(), InspectError> {
        self.i += 1; // opening quote
        loop {
            let run = self.i;
            self.i = special_from(self.b, self.i);
            // The body is valid UTF-8 and the run stops at an ASCII byte: a char boundary.
            out.push_str(self.s.get(run..self.i).unwrap_or(""));
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.i += 1;
                    let esc = self.peek();
                    self.i += 1;
                    match esc {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let c = self.unicode_escape()?;
                            out.push(c);
                        }
                        None => return Err(malformed("EOF while parsing a string", self.i)),
                        Some(_) => return Err(malformed("invalid escape", self.i - 1)),
                    }
                }
                None => return Err(malformed("EOF while parsing a string", self.i)),
                Some(_) => {
                    return Err(malformed(
                        "control character (\\u0000-\\u001F) found while parsing a string",
                        self.i,
                    ))
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, InspectError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                None => return Err(malformed("EOF while parsing a string", self.i)),
                Some(_) => return Err(malformed("invalid escape", self.i)),
            };
            v = v * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(v)
    }

    /// After `\u`: one code point, surrogate pairs joined; a lone surrogate is an error (as in
    /// serde_json).
    fn unicode_escape(&mut self) -> Result<char, InspectError> {
        let at = self.i;
        let hi = self.hex4()?;
        let cp = match hi {
            0xD800..=0xDBFF => {
                if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                    return Err(malformed("lone leading surrogate in hex escape", at));
                }
                self.i += 2;
                let lo = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return Err(malformed("lone leading surrogate in hex escape", at));
                }
                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(malformed("lone trailing surrogate in hex escape", at)),
            c => c,
        };
        char::from_u32(cp).ok_or_else(|| malformed("invalid unicode code point", at))
    }
}

/// The first byte at or after `i` that ends a run of plain string bytes: `"`, `\\` or a control
/// character (< 0x20); `b.len()` if none. Eight bytes at a time (SWAR).
fn special_from(b: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const QUOTE: u64 = LO * b'"' as u64;
    const BACKSLASH: u64 = LO * b'\\' as u64;
    const SPACE: u64 = LO * 0x20;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let x = u64::from_le_bytes(w);
        let q = x ^ QUOTE;
        let bs = x ^ BACKSLASH;
        // Has-zero-byte for the two characters, has-less-than-0x20 for control characters. The
        // lowest flagged byte is exact (borrows only run upward).
        let hit =
            (q.wrapping_sub(LO) & !q) | (bs.wrapping_sub(LO) & !bs) | (x.wrapping_sub(SPACE) & !x);
        let hit = hit & HI;
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

/// How an object member's string value is treated.
#[derive(Clone, Copy)]
enum Slot {
    Plain,
    /// A media URL member where the schema puts one: a `data:` URL there is inline media.
    DataUrl,
    /// A base64 media payload where the schema puts one.
    Media,
}

/// Replace byte ranges of string values (by value index) and return the new body: only the
/// edited strings' bytes change (each re-encoded as a JSON string); every other byte is kept.
/// `edits` are (value_index, start, end, replacement), in any order; offsets are into the
/// decoded string. `doc` is `ex.doc` (passed apart: it may have moved into the audit record).
/// `rename_model` replaces the top-level model string. Also returns the virtual document after
/// the edits (for the audit record's redacted text).
pub fn apply_edits(
    body: &[u8],
    ex: &Extracted,
    doc: &str,
    edits: &mut [(usize, usize, usize, String)],
    rename_model: Option<&str>,
) -> Result<(Vec<u8>, String), InspectError> {
    // Overlapping edits of one string are merged into one covering their union (the first
    // placeholder stands for it), so no edit ever cuts into another's replacement.
    edits.sort_by_key(|a| (a.0, a.1, std::cmp::Reverse(a.2)));
    let mut merged: Vec<(usize, usize, usize, &str)> = Vec::with_capacity(edits.len());
    for e in edits.iter() {
        match merged.last_mut() {
            Some(last) if last.0 == e.0 && e.1 < last.2 => last.2 = last.2.max(e.2),
            _ => merged.push((e.0, e.1, e.2, e.3.as_str())),
        }
    }
    // The decoded text of each edited value, from the document (pieces are in value order, so
    // one cursor walks them alongside the sorted edits).
    let mut piece_cursor = 0usize;
    let mut text_of = |vi: usize| -> Option<(usize, &str)> {
        while let Some(p) = ex.pieces.get(piece_cursor) {
            if p.value_index.is_some_and(|v| v >= vi) {
                break;
            }
            piece_cursor += 1;
        }
        let p = ex.pieces.get(piece_cursor)?;
        if p.value_index != Some(vi) {
            return None;
        }
        let s = p.doc_start as usize;
        Some((piece_cursor, doc.get(s..s + p.len as usize)?))
    };
    // (raw start, raw end, new bytes), in body order.
    let mut splices: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    let mut new_texts: Vec<(usize, String)> = Vec::new();
    let mut k = 0;
    while let Some(&(vi, ..)) = merged.get(k) {
        let Some((pi, text)) = text_of(vi) else {
            return Err(InspectError::Scan(format!(
                "redaction of unknown string {vi}"
            )));
        };
        let mut new = String::with_capacity(text.len());
        let mut pos = 0;
        while let Some(&(v, s, e, rep)) = merged.get(k) {
            if v != vi {
                break;
            }
            k += 1;
            if s < pos
                || s > e
                || e > text.len()
                || !text.is_char_boundary(s)
                || !text.is_char_boundary(e)
            {
                continue;
            }
            new.push_str(text.get(pos..s).unwrap_or(""));
            new.push_str(rep);
            pos = e;
        }
        new.push_str(text.get(pos..).unwrap_or(""));
        let Some(&(rs, re)) = ex.strings.get(vi) else {
            return Err(InspectError::Scan(format!(
                "redaction of unknown string {vi}"
            )));
        };
        let enc = serde_json::to_vec(&new).map_err(|e| InspectError::Scan(e.to_string()))?;
        splices.push((rs as usize, re as usize, enc));
        new_texts.push((pi, new));
    }
    if let (Some(name), Some((s, e))) = (rename_model, ex.model_span) {
        let enc = serde_json::to_vec(name).map_err(|e| InspectError::Scan(e.to_string()))?;
        splices.push((s, e, enc));
    }
    splices.sort_by_key(|x| x.0);
    let mut out = Vec::with_capacity(body.len() + 64);
    let mut pos = 0;
    for (s, e, enc) in &splices {
        if *s < pos {
            continue;
        }
        out.extend_from_slice(body.get(pos..*s).unwrap_or(&[]));
        out.extend_from_slice(enc);
        pos = *e;
    }
    out.extend_from_slice(body.get(pos..).unwrap_or(&[]));
    // The document with the edited pieces replaced.
    new_texts.sort_by_key(|x| x.0);
    let mut new_doc = String::with_capacity(doc.len());
    let mut dpos = 0;
    for (pi, t) in &new_texts {
        if let Some(p) = ex.pieces.get(*pi) {
            let s = p.doc_start as usize;
            new_doc.push_str(doc.get(dpos..s).unwrap_or(""));
            new_doc.push_str(t);
            dpos = s + p.len as usize;
        }
    }
    new_doc.push_str(doc.get(dpos..).unwrap_or(""));
    Ok((out, new_doc))
}

/// JSON pointer of the value that starts at raw byte `offset` of a body the parser accepted (for
/// audit records).
pub fn pointer_at(body: &[u8], offset: usize) -> Option<String> {
    enum Frame {
        Obj(String),
        Arr(usize),
    }
    let text = std::str::from_utf8(body).ok()?;
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    let mut expect_key = false;
    while i < body.len() {
        if i == offset {
            let mut out = String::new();
            for f in &stack {
                out.push('/');
                match f {
                    Frame::Obj(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
                    Frame::Arr(n) => out.push_str(&n.to_string()),
                }
            }
            return Some(out);
        }
        match body.get(i)? {
            b'{' => {
                stack.push(Frame::Obj(String::new()));
                expect_key = true;
                i += 1;
            }
            b'[' => {
                stack.push(Frame::Arr(0));
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                i += 1;
            }
            b',' => {
                match stack.last_mut() {
                    Some(Frame::Arr(n)) => *n += 1,
                    Some(Frame::Obj(_)) => expect_key = true,
                    None => {}
                }
                i += 1;
            }
            b'"' => {
                let mut p = Parser::at(body, text, i);
                let mut s = String::new();
                p.string_into(&mut s).ok()?;
                if expect_key {
                    if let Some(Frame::Obj(k)) = stack.last_mut() {
                        *k = s;
                    }
                    expect_key = false;
                }
                i = p.i;
            }
            _ => i += 1,
        }
    }
    None
}

/// JSON pointer of the string value with this index (for audit records).
pub fn pointer_of(body: &[u8], ex: &Extracted, value_index: usize) -> Option<String> {
    let &(start, _) = ex.strings.get(value_index)?;
    pointer_at(body, start as usize)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::wire::Format as Provider;
    use serde_json::json;

    fn piece_of<'a>(e: &'a Extracted, starts: &str) -> &'a Piece {
        e.pieces
            .iter()
            .find(|p| e.doc[p.doc_start as usize..].starts_with(starts))
            .unwrap()
    }

    #[test]
    fn openai_texts_all_found() {
        let body = br#"{"model":"gpt-4o","stream":true,"messages":[{"role":"system","content":"sys"},
            {"role":"user","content":[{"type":"text","text":"hello"}]},
            {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"q\":\"arg\"}"}}]}],
            "tools":[{"type":"function","function":{"name":"f","description":"tool desc","parameters":{}}}]}"#;
        let e = extract(Provider::Openai, body).unwrap();
        assert_eq!(e.model.as_deref(), Some("gpt-4o"));
        assert!(e.stream);
        for t in ["sys", "hello", "{\"q\":\"arg\"}", "tool desc"] {
            assert!(e.doc.contains(t), "{t} missing from {}", e.doc);
        }
        // Document order, value indices in order, raw spans point at the quoted strings.
        // Every key is a piece too, whatever its length.
        assert!(
            e.doc.starts_with(
                "model\ngpt-4o\nstream\nmessages\nrole\nsystem\ncontent\nsys\nrole\nuser"
            ),
            "{}",
            e.doc
        );
        for p in &e.pieces {
            let Some(vi) = p.value_index else {
                continue;
            };
            let (s, en) = e.strings[vi];
            let raw: String = serde_json::from_slice(&body[s as usize..en as usize]).unwrap();
            assert_eq!(
                raw,
                e.doc[p.doc_start as usize..(p.doc_start + p.len) as usize]
            );
        }
    }

    #[test]
    fn malformed_and_shapes() {
        for bad in [
            &b"{"[..],
            b"",
            b"{\"a\":1,}",
            b"[1,]",
            b"{\"a\" 1}",
            b"{\"a\":01}",
            b"{\"a\":1.}",
            b"{\"a\":-}",
            b"{\"a\":1e}",
            b"{\"a\":tru}",
            b"{\"a\":\"\\x\"}",
            b"{\"a\":\"\\ud800\"}",
            b"{\"a\":\"\\udc00\"}",
            b"{\"a\":\"tab\there\"}",
            b"{} {}",
            b"{'a':1}",
        ] {
            assert!(
                matches!(extract_response(bad), Err(InspectError::Malformed(_))),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
            assert!(serde_json::from_slice::<serde_json::Value>(bad).is_err());
        }
        assert!(matches!(
            extract(Provider::Openai, b"[1]"),
            Err(InspectError::Shape(_))
        ));
        assert!(matches!(
            extract(Provider::Openai, b"{\"model\":\"m\"}"),
            Err(InspectError::Shape(_))
        ));
        assert!(matches!(
            extract(Provider::Openai, b"{\"model\":1,\"messages\":[]}"),
            Err(InspectError::Shape(_))
        ));
        assert!(matches!(
            extract(Provider::Openai, b"{\"a\":\"\xff\"}"),
            Err(InspectError::InvalidUtf8)
        ));
        // A provider and the gateway must read the same model and messages.
        assert!(matches!(
            extract(
                Provider::Openai,
                br#"{"model":"a","messages":[],"model":"b"}"#
            ),
            Err(InspectError::Shape(_))
        ));
        assert!(matches!(
            extract(
                Provider::Openai,
                br#"{"model":"a","messages":[{"type":"text","type":"image","data":"x"}]}"#
            ),
            Err(InspectError::Shape(_))
        ));
        // Nesting: serde_json's limit exactly.
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        for n in [126, 127, 128, 129] {
            let ours = extract_response(deep(n).as_bytes()).is_ok();
            let theirs = serde_json::from_str::<serde_json::Value>(&deep(n)).is_ok();
            assert_eq!(ours, theirs, "depth {n}");
        }
    }

    #[test]
    fn special_bytes_found_exactly() {
        let mut hay: Vec<u8> = (0..300u32).map(|i| (32 + i * 7 % 200) as u8).collect();
        hay.retain(|&c| c != b'"' && c != b'\\');
        for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
            for pos in 0..40 {
                let mut h = hay.clone();
                h[pos + 5] = special;
                h[pos + 9] = b'"';
                for start in 0..=pos {
                    let want = h[start..]
                        .iter()
                        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                        .map_or(h.len(), |p| start + p);
                    assert_eq!(special_from(&h, start), want);
                }
            }
        }
        assert_eq!(special_from(b"abc", 0), 3);
        assert_eq!(special_from("é\u{80}ÿ \"".as_bytes(), 0), 7);
    }

    #[test]
    fn escapes_decoded() {
        let body = br#"{"model":"m","messages":[{"role":"user","content":"a\"b\\c\/d\n\u00e9\ud83d\ude00 \u0041"}]}"#;
        let e = extract(Provider::Openai, body).unwrap();
        assert!(e.doc.contains("a\"b\\c/d\né😀 A"), "{}", e.doc);
    }

    #[test]
    fn edits_replace_the_right_string_and_nothing_else() {
        let body = br#"{ "model" : "m", "n": 1.50e+3, "messages":[{"role":"user","content":"my ssn is 123-45-6789 ok"}]}"#;
        let e = extract(Provider::Openai, body).unwrap();
        let p = piece_of(&e, "my ssn");
        let vi = p.value_index.unwrap();
        let mut edits = vec![(vi, 10, 21, "[REDACTED:SSN]".to_string())];
        let (out, doc) = apply_edits(body, &e, &e.doc, &mut edits, None).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(
            s,
            r#"{ "model" : "m", "n": 1.50e+3, "messages":[{"role":"user","content":"my ssn is [REDACTED:SSN] ok"}]}"#
        );
        assert!(doc.ends_with("my ssn is [REDACTED:SSN] ok"), "{doc}");
        assert_eq!(
            pointer_of(body, &e, vi).as_deref(),
            Some("/messages/0/content")
        );
        let (out, _) = apply_edits(body, &e, &e.doc, &mut [], Some("gpt-\"x\"")).unwrap();
        assert!(String::from_utf8(out)
            .unwrap()
            .starts_with(r#"{ "model" : "gpt-\"x\"", "n""#));
    }

    #[test]
    fn overlapping_edits_merge() {
        let body = br#"{"model":"m","messages":[{"role":"user","content":"aaa 123-45-6789 bbb"}]}"#;
        let e = extract(Provider::Openai, body).unwrap();
        let vi = piece_of(&e, "aaa").value_index.unwrap();
        let mut edits = vec![
            (vi, 4, 15, "[R:A]".to_string()),
            (vi, 8, 19, "[R:B]".to_string()),
            (vi, 0, 3, "[R:C]".to_string()),
        ];
        let (out, _) = apply_edits(body, &e, &e.doc, &mut edits, None).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains(r#""[R:C] [R:A]""#), "{out}");
    }

    #[test]
    fn escaped_strings_reencoded() {
        let body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9 \\\"q\\\" 123-45-6789\"}]}";
        let e = extract(Provider::Openai, body.as_bytes()).unwrap();
        let p = piece_of(&e, "café");
        let vi = p.value_index.unwrap();
        let text = &e.doc[p.doc_start as usize..(p.doc_start + p.len) as usize];
        let s = text.find("123").unwrap();
        let mut edits = vec![(vi, s, s + 11, "[X]".to_string())];
        let (out, _) = apply_edits(body.as_bytes(), &e, &e.doc, &mut edits, None).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["messages"][0]["content"], "café \"q\" [X]");
    }

    #[test]
    fn media_counted_not_scanned() {
        let body = br#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}"#;
        let e = extract(Provider::Openai, body).unwrap();
        assert_eq!(e.media_parts, 1);
        assert!(!e.doc.contains("data:image"));
        // Anthropic inline data, with "data" before "type" too.
        for body in [
            &br#"{"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"QUJD"}}]}]}"#[..],
            br#"{"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{"data":"QUJD","media_type":"image/png","type":"base64"}}]}]}"#,
        ] {
            let e = extract(Provider::Anthropic, body).unwrap();
            assert_eq!(e.media_parts, 1);
            assert!(!e.doc.contains("QUJD"), "{}", e.doc);
        }
        // "data" that is not inline media is scanned.
        let body = br#"{"model":"m","messages":[{"role":"user","content":"x"}],"metadata":{"data":"SECRET//NOFORN"}}"#;
        assert!(extract(Provider::Openai, body)
            .unwrap()
            .doc
            .contains("SECRET//NOFORN"));
    }

    #[test]
    fn media_is_skipped_only_where_the_schema_puts_media() {
        let m = "SECRET//NOFORN";
        let data = format!("data:,{m}");
        // Skipped: media payloads in their schema places (when the policy lets media through).
        for (provider, body) in [
            (
                Provider::Openai,
                json!({"model":"m","messages":[{"role":"user","content":[
                {"type":"image_url","image_url":{"url": data}}]}]}),
            ),
            (
                Provider::Openai,
                json!({"model":"m","messages":[{"role":"user","content":[
                {"image_url":{"detail":"low","url": data},"type":"image_url"}]}]}),
            ),
            (
                Provider::Openai,
                json!({"model":"m","messages":[{"role":"user","content":[
                {"type":"input_audio","input_audio":{"data": m,"format":"wav"}}]}]}),
            ),
            (
                Provider::Openai,
                json!({"model":"m","messages":[{"role":"user","content":[
                {"type":"file","file":{"file_data": data,"filename":"a.pdf"}}]}]}),
            ),
            (
                Provider::Openai,
                json!({"model":"m","messages":[{"role":"user","content":[
                {"type":"input_image","image_url": data}]}]}),
            ),
            (
                Provider::Anthropic,
                json!({"model":"m","messages":[{"role":"user","content":[
                {"type":"document","source":{"type":"base64","media_type":"application/pdf","data": m}}]}]}),
            ),
        ] {
            let e = extract(provider, body.to_string().as_bytes()).unwrap();
            assert!(!e.doc.contains(m), "{body}: {}", e.doc);
            assert_eq!(e.media_parts, 1, "{body}");
        }
        // Scanned: the same strings anywhere else, or media fields that are not media.
        for body in [
            json!({"model":"m","messages":[],"metadata":{"url": data}}),
            json!({"model":"m","messages":[],"metadata":{"type":"base64","data": m}}),
            json!({"model":"m","messages":[{"role":"user","content":[
                {"type":"text","text":"hi","url": data}]}]}),
            json!({"model":"m","messages":[{"role":"assistant","content":[
                {"type":"tool_use","id":"t","name":"f","input":{"source":{"type":"base64","data": m}}}]}]}),
            json!({"model":"m","messages":[],"mcp_servers":[{"type":"url","url": data,"name":"x"}]}),
            json!({"model":"m","messages":[{"role":"user","content":[
                {"type":"image_url","image_url":{"url":"https://x.example/?q=SECRET//NOFORN"}}]}]}),
            json!({"model":"m","messages":[{"role":"user","content":[
                {"type":"image_url","image_url":{"url": data, "note": m}}]}]}),
            json!({"model":"m","messages":[{"role":"user","content":[
                {"type":"document","source":{"type":"text","media_type":"text/plain","data": m}}]}]}),
            json!({"model":"m","messages":[{"role":"user","content":[
                {"type":"text","text":"x","image_url": data}]}]}),
        ] {
            let e = extract(Provider::Anthropic, body.to_string().as_bytes()).unwrap();
            assert!(e.doc.contains(m), "{body}: {}", e.doc);
        }
        // Responses: nothing is skipped.
        let e = extract_response(
            json!({"content":[{"type":"image_url","image_url":{"url": data}}]})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
        assert!(e.doc.contains(m), "{}", e.doc);
    }

    #[test]
    fn every_key_is_scanned_and_client_ids_are_kept() {
        let body = json!({"model":"m","messages":[],"user":"u-42",
                          "metadata":{"ITAR_CONTROLLED":"1","user_id":"alice@corp"}});
        let e = extract(Provider::Openai, body.to_string().as_bytes()).unwrap();
        assert!(e.doc.contains("\nITAR_CONTROLLED\n"), "{}", e.doc);
        assert_eq!(e.client_user.as_deref(), Some("alice@corp"));
        let body = json!({"model":"m","messages":[],"user":"u-42","x":{"user_id":"no"}});
        let e = extract(Provider::Openai, body.to_string().as_bytes()).unwrap();
        assert_eq!(e.client_user.as_deref(), Some("u-42"));
    }

    #[test]
    fn head_pieces_are_not_values() {
        let head = [
            HeadPiece {
                location: "header x-a".into(),
                text: "x-a: one".into(),
            },
            HeadPiece {
                location: "query".into(),
                text: String::new(),
            },
            HeadPiece {
                location: "query".into(),
                text: "q=two".into(),
            },
        ];
        let e = head_only(&head);
        assert_eq!(e.doc, "x-a: one\nq=two");
        assert_eq!((e.pieces[1].head, e.pieces[1].value_index), (Some(2), None));
        assert_eq!(e.head.len(), 3);
    }

    #[test]
    fn response_usage_span() {
        let body = br#"{"id":"x","usage":{"prompt_tokens":3,"completion_tokens":4},"model":"gpt"}"#;
        let e = extract_response(body).unwrap();
        let (a, b) = e.usage_span.unwrap();
        assert_eq!(&body[a..b], br#"{"prompt_tokens":3,"completion_tokens":4}"#);
        assert_eq!(e.model.as_deref(), Some("gpt"));
    }
}
