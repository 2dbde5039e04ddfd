//! Wire formats: everything the filter knows about a provider's JSON API, one file per format.
//!
//! A [`Format`] is what a policy endpoint or destination names (`"openai"`, `"anthropic"`); its
//! [`Spec`] is a `&'static` table of data and plain `fn`s, chosen once per request with
//! [`Format::spec`] (a `match`, no allocation). The rest of the filter asks the spec instead of
//! matching on the format:
//!
//! - the request body: where the model, the stream flag, the conversation, the end-user id and
//!   media payloads are ([`Spec::shape`], read by the one-pass walker in `extract.rs`);
//! - the request head: which headers the format's SDKs send ([`Spec::headers`]);
//! - the reply: the error body and the error `type` per status ([`Spec::error_body`],
//!   [`Spec::error_type`]);
//! - usage: which fields of a `usage` object count tokens ([`Spec::usage`]);
//! - streams: which event fields carry text deltas, which events end a stream or a block, the
//!   event that releases held text and the error event that ends a cut stream
//!   ([`Spec::stream`], driven by the stream scan in `response.rs` through [`Deltas`]).
//!
//! Adding a format is a new file here with its `SPEC`, one [`Format`] variant and one arm in
//! [`Format::spec`]; docs/architecture.md ("Adding a wire format") says what else it touches.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::audit::Usage;

pub mod anthropic_messages;
pub mod gemini;
pub mod mcp;
pub mod openai_chat;
pub mod openai_completions;
pub mod openai_embeddings;
pub mod openai_responses;
#[cfg(test)]
pub(crate) mod testing;

/// Wire format a route or destination speaks. The policy names it by its serde name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Format {
    /// OpenAI Chat Completions (`/v1/chat/completions`).
    #[serde(rename = "openai")]
    Openai,
    /// Anthropic Messages (`/v1/messages`, and `/v1/messages/count_tokens`, which takes the same
    /// body).
    #[serde(rename = "anthropic")]
    Anthropic,
    /// OpenAI Responses (`/v1/responses`, `/v1/responses/input_tokens`).
    #[serde(rename = "openai-responses")]
    OpenaiResponses,
    /// OpenAI Embeddings (`/v1/embeddings`).
    #[serde(rename = "openai-embeddings")]
    OpenaiEmbeddings,
    /// OpenAI legacy Completions (`/v1/completions`).
    #[serde(rename = "openai-completions")]
    OpenaiCompletions,
    /// MCP over streamable HTTP (JSON-RPC 2.0; no model: the endpoint names the server).
    #[serde(rename = "mcp")]
    Mcp,
    /// Google Gemini `generateContent`, `streamGenerateContent` and `countTokens`, on the Gemini
    /// API's and Vertex AI's paths (the model is in the path).
    #[serde(rename = "gemini")]
    Gemini,
}

/// Every format, in a fixed order (OpenAI chat first).
pub const FORMATS: [Format; 7] = [
    Format::Openai,
    Format::Anthropic,
    Format::OpenaiResponses,
    Format::OpenaiEmbeddings,
    Format::OpenaiCompletions,
    Format::Mcp,
    Format::Gemini,
];

impl Format {
    /// The format's table.
    pub fn spec(self) -> &'static Spec {
        match self {
            Format::Openai => &openai_chat::SPEC,
            Format::Anthropic => &anthropic_messages::SPEC,
            Format::OpenaiResponses => &openai_responses::SPEC,
            Format::OpenaiEmbeddings => &openai_embeddings::SPEC,
            Format::OpenaiCompletions => &openai_completions::SPEC,
            Format::Mcp => &mcp::SPEC,
            Format::Gemini => &gemini::SPEC,
        }
    }

    /// The name the policy and the audit record use.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// The format to answer in on a path no endpoint of the policy names (404, no policy
    /// loaded): the format one of whose usual path prefixes it has, else OpenAI.
    pub fn for_unknown_path(path: &str) -> Format {
        FORMATS
            .into_iter()
            .find(|f| f.spec().path_prefixes.iter().any(|p| path.starts_with(p)))
            .unwrap_or(Format::Openai)
    }
}

/// What the filter knows about one wire format.
pub struct Spec {
    /// The policy's name for the format (`format`, `formats`) and the audit record's `provider`.
    pub name: &'static str,
    /// Where the request keeps its model, stream flag, conversation, end-user id and media.
    pub shape: Shape,
    /// The prefixes of the format's usual request paths, for answering on paths no endpoint
    /// names.
    pub path_prefixes: &'static [&'static str],
    /// A request whose path ends with this asks for a stream (Gemini `:streamGenerateContent`);
    /// otherwise the body's stream flag says.
    pub stream_path: Option<&'static str>,
    /// The query parameter such a request must carry (Gemini `alt=sse`): without it the stream
    /// has a framing the gateway does not inspect, and the request is refused.
    pub stream_query: Option<&'static str>,
    /// Request headers the format's official SDKs send, besides the ones every format may send
    /// (`head.rs`). `*` ends a prefix.
    pub headers: &'static [&'static str],
    /// The error `type` the official API uses for an HTTP status.
    pub error_type: fn(u16) -> &'static str,
    /// The body of an error reply.
    pub error_body: fn(&ErrorReply<'_>) -> Value,
    /// Which fields of a `usage` object count tokens.
    pub usage: UsageNames,
    /// How a streamed response carries text, token counts and errors.
    pub stream: StreamSpec,
}

/// What an error reply says, for [`Spec::error_body`].
pub struct ErrorReply<'a> {
    pub status: u16,
    /// Stable machine-readable reason (`controlled_content`).
    pub code: &'a str,
    /// The message for the client, request id included.
    pub message: &'a str,
    pub request_id: &'a str,
}

/// The names of the token counts in a format's `usage` object.
pub struct UsageNames {
    pub input: &'static str,
    pub output: &'static str,
}

/// Token counts from a buffered response's `usage` object. Every format's names are read (in
/// [`FORMATS`] order), whatever format the request spoke.
pub fn usage_from(u: &Value) -> Option<Usage> {
    let pick = |name: fn(&UsageNames) -> &'static str| {
        FORMATS
            .iter()
            .find_map(|f| u.get(name(&f.spec().usage)))
            .and_then(Value::as_u64)
    };
    Some(Usage {
        input_tokens: pick(|n| n.input),
        output_tokens: pick(|n| n.output),
    })
}

/// Top-level members every format's response has: the model that answered and its token counts.
pub const RESPONSE_MODEL: &str = "model";
pub const RESPONSE_USAGE: &str = "usage";
/// The members of a response that hold its token counts (Gemini's is `usageMetadata`).
pub const USAGE_MEMBERS: &[&str] = &[RESPONSE_USAGE, gemini::USAGE_MEMBER];

/// Where a format's request keeps what the filter reads besides its texts. Every key and string
/// of a request is scanned whatever the format; the shape says which members mean something.
pub struct Shape {
    /// Top-level string member naming the model (renamed for a destination that calls it
    /// otherwise).
    pub model: &'static str,
    /// Top-level member whose `true` asks for a stream ("": none, the path says).
    pub stream: &'static str,
    /// The conversation: the top-level member with what the model reads, and what it may be.
    /// `model`, `stream` and this member are refused when duplicated (a gateway and a provider
    /// that picked different copies would see different requests).
    pub conversation: Conversation,
    /// Top-level arrays whose elements are typed objects of a list the gateway knows (Responses
    /// `input` items, `tools`): an element of another type is refused, whatever it holds.
    pub typed: &'static [TypedList],
    /// Where the client's own end-user id is (kept in the audit record); the first one met wins.
    pub user_ids: &'static [UserId],
    /// Where media payloads are: skipped by the scan (when the policy lets media through) only
    /// there.
    pub media: &'static [&'static [MediaPlace]],
    /// Content-part and block `type`s that carry media rather than text (counted; a request with
    /// any is refused unless the policy allows uninspectable media).
    pub media_types: &'static [&'static [&'static str]],
    /// Object members that carry media wherever they are (Gemini `inlineData`, `fileData`):
    /// counted like media parts.
    pub media_keys: &'static [&'static str],
}

/// The top-level member that carries the conversation.
pub struct Conversation {
    pub member: &'static str,
    pub kind: ConversationKind,
    /// Whether a request without it is refused.
    pub required: bool,
}

/// What the conversation member may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationKind {
    /// An array (of messages).
    Array,
    /// A string or an array (of items).
    StringOrArray,
    /// A string or an array of strings. Token arrays (numbers) cannot be inspected: refused.
    Texts,
    /// An object (JSON-RPC `params`).
    Object,
}

impl Conversation {
    /// The conversation of chat-style formats: a required `messages` array.
    pub const MESSAGES: Conversation = Conversation {
        member: "messages",
        kind: ConversationKind::Array,
        required: true,
    };
}

/// A top-level array whose elements must be objects of known types.
pub struct TypedList {
    /// The top-level member (`input`, `tools`).
    pub member: &'static str,
    /// How an element's and a content part's kind is told: by its `type` member, or (Gemini)
    /// by its member names, each of which must then be one the list knows.
    pub kinds: Kinds,
    /// The member may also be one element (an object) rather than an array of them (Gemini's
    /// `systemInstruction`).
    pub one: bool,
    /// What an element is called in a refusal (`input item`, `tool`).
    pub what: &'static str,
    /// The element types the gateway inspects whole (for [`Kinds::Members`]: the members an
    /// element may have).
    pub types: &'static [&'static str],
    /// The type of an element without a `type` member (`message`); `None`: refused.
    pub untyped: Option<&'static str>,
    /// (element type, member): the members of an element that are lists of content parts.
    pub parts: &'static [(&'static str, &'static str)],
    /// The content-part types the gateway knows (media types among them are counted as media;
    /// for [`Kinds::Members`]: the members a part may have).
    pub part_types: &'static [&'static str],
}

/// How the elements and parts of a [`TypedList`] say what they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kinds {
    /// A `type` member (`{"type": "message", ...}`).
    Typed,
    /// The members present (`{"text": ...}`, `{"functionCall": ...}`): every member must be one
    /// the list knows.
    Members,
}

impl TypedList {
    /// A member of an element (`part`: of a content part) of a [`Kinds::Members`] list, if the
    /// gateway knows it.
    pub fn member_known(&self, member: &str, part: bool) -> Result<(), String> {
        let (known, what) = if part {
            (self.part_types, "content part")
        } else {
            (self.types, self.what)
        };
        if known.contains(&member) {
            Ok(())
        } else {
            Err(format!(
                "{what} member {member:?} is not one this gateway can inspect (known: {})",
                known.join(", ")
            ))
        }
    }

    /// The element type an object with this `type` (or none) has, if the gateway knows it.
    pub fn element<'t>(&self, ty: Option<&'t str>) -> Result<&'t str, String> {
        match ty.or(self.untyped) {
            Some(t) if self.types.contains(&t) => Ok(t),
            Some(t) => Err(format!(
                "{} type {t:?} is not one this gateway can inspect (known: {})",
                self.what,
                self.types.join(", ")
            )),
            None => Err(format!("every {} needs a \"type\"", self.what)),
        }
    }

    /// Whether `member` of an element of type `ty` is a list of content parts.
    pub fn is_parts(&self, ty: Option<&str>, member: &str) -> bool {
        let ty = ty.or(self.untyped).unwrap_or("");
        self.parts.iter().any(|&(t, m)| t == ty && m == member)
    }

    /// Whether a content part of this type is known.
    pub fn part(&self, ty: Option<&str>) -> Result<(), String> {
        match ty {
            Some(t) if self.part_types.contains(&t) => Ok(()),
            Some(t) => Err(format!(
                "content part type {t:?} is not one this gateway can inspect (known: {})",
                self.part_types.join(", ")
            )),
            None => Err("every content part needs a \"type\"".to_string()),
        }
    }
}

/// A place of the client's own end-user id.
pub enum UserId {
    /// A top-level string member (`user`).
    Top(&'static str),
    /// A string member of a top-level object (`metadata.user_id`).
    In(&'static str, &'static str),
}

/// Where a media payload sits in a format's schema: in a content part or block of type `part`,
/// either as the string member `member` itself, or inside the object member `member`.
pub struct MediaPlace {
    pub part: &'static str,
    pub member: &'static str,
    /// `None`: `member` is the payload. Otherwise the payload's member inside the object.
    pub inner: Option<Inner>,
    pub payload: Payload,
}

/// The payload's member inside a media object.
pub struct Inner {
    pub member: &'static str,
    /// The `type` the object itself must have for the member to be a payload (Anthropic's
    /// `source.type == "base64"`); `None`: any.
    pub when_type: Option<&'static str>,
}

/// What a media payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// A URL: media only when it is a `data:` URL (any other URL is scanned as text).
    DataUrl,
    /// Base64 media, whatever it holds.
    Base64,
}

/// The media places every request is read with, whatever its format: a client that sends one
/// format's media part to another format's endpoint gets the same treatment (refused, or
/// unscanned where the policy allows media) as on its own endpoint.
pub const MEDIA_PLACES: &[&[MediaPlace]] = &[openai_chat::MEDIA, anthropic_messages::MEDIA];
pub const MEDIA_TYPES: &[&[&str]] = &[openai_chat::MEDIA_TYPES, anthropic_messages::MEDIA_TYPES];

impl Shape {
    /// Every media place of the shape.
    pub fn places(&self) -> impl Iterator<Item = &'static MediaPlace> {
        self.media.iter().flat_map(|m| m.iter())
    }

    /// Whether `member` of a part (a string) may be a payload or (an object) may hold one:
    /// whether the part's `type` is needed to tell.
    pub fn may_hold_media(&self, member: &str, is_string: bool) -> bool {
        self.places()
            .any(|p| p.inner.is_none() == is_string && p.member == member)
    }

    /// The place whose payload is the string `member` of a part of type `part`.
    pub fn payload_member(&self, member: &str, part: &str) -> Option<&'static MediaPlace> {
        self.places()
            .find(|p| p.inner.is_none() && p.member == member && p.part == part)
    }

    /// The place whose payload is inside the object `member` of a part of type `part`.
    pub fn media_object(&self, member: &str, part: &str) -> Option<&'static MediaPlace> {
        self.places()
            .find(|p| p.inner.is_some() && p.member == member && p.part == part)
    }

    /// The top-level object `member` holds the end-user id in this member.
    pub fn user_id_in(&self, member: &str) -> Option<&'static str> {
        self.user_ids.iter().find_map(|u| match u {
            UserId::In(m, inner) if *m == member => Some(*inner),
            _ => None,
        })
    }

    /// The top-level string `member` is the end-user id.
    pub fn user_id_top(&self, member: &str) -> bool {
        self.user_ids
            .iter()
            .any(|u| matches!(u, UserId::Top(m) if *m == member))
    }

    pub fn is_media_type(&self, t: &str) -> bool {
        is_media_type(self.media_types, t)
    }
}

/// Whether a part `type` is in one of these lists.
pub fn is_media_type(lists: &[&[&str]], t: &str) -> bool {
    lists.iter().any(|l| l.contains(&t))
}

/// One text stream of a streamed response: (kind, index, sub-index). Kind [`TEXT`] is model text
/// (thinking included), [`ARGS`] tool arguments or tool input JSON; the index is the choice or
/// content block, the sub-index the tool call. The audit record names it `stream[k:i:s]`.
pub type StreamKey = (u8, u64, u64);
pub const TEXT: u8 = 0;
pub const ARGS: u8 = 1;

/// How a format streams a response (server-sent events whose data is JSON).
pub struct StreamSpec {
    /// A `data:` payload that ends the stream (OpenAI's `[DONE]`): held text is released before
    /// it goes on.
    pub done: Option<&'static str>,
    /// Walk one event's JSON: hand each text delta to the stream scan, flush the streams the
    /// event ends, report token counts. Returns whether the event goes on (false: the stream was
    /// cut).
    pub event: fn(&mut Value, &mut dyn Deltas) -> Result<bool, String>,
    /// Visit the text fields `event` hands over, in a fixed order (the rest of the event is its
    /// skeleton, scanned on its own).
    pub texts: VisitTexts,
    /// The event that releases the held text of one stream on its own (`template`: the last
    /// event that carried that stream's text, or null).
    pub delta_event: fn(StreamKey, &str, &Value, &mut Vec<u8>),
    /// The error event that ends a cut stream (`code`, message with the request id).
    pub error_event: fn(&str, &str, &mut Vec<u8>),
}

/// Visits some string fields of an event, each as `&mut String`.
pub type VisitTexts = fn(&mut Value, &mut dyn FnMut(&mut String));

/// What a format's stream walker asks of the stream scan.
pub trait Deltas {
    /// A text delta of stream `key`, taken out of the event: the scan decides, and `text` is
    /// replaced by what may be released now. `last`: the stream ends with this event (release
    /// everything it holds). `template`: the event as received. Returns false when the stream
    /// was cut (stop walking).
    fn delta(
        &mut self,
        key: StreamKey,
        text: &mut String,
        last: bool,
        template: &Value,
    ) -> Result<bool, String>;
    /// Release the held text of these streams, each as its own event, before the current one.
    /// Returns false when the stream was cut.
    fn flush(&mut self, which: Flush<'_>) -> Result<bool, String>;
    /// Token counts the event reports (each replaces the one known so far).
    fn usage(&mut self, input: Option<u64>, output: Option<u64>);
}

/// The list of choices of a streamed event, for [`walk_choices`]: OpenAI chat and legacy
/// completions `choices` ending with `finish_reason`, Gemini `candidates` ending with
/// `finishReason`.
pub(crate) struct Choices {
    /// The top-level member with the token counts (`usage`, `usageMetadata`).
    pub usage: &'static str,
    /// The list.
    pub list: &'static str,
    /// The member of a choice whose non-null value ends the choice's streams.
    pub finish: &'static str,
}

/// One choice of an event, as [`walk_choices`] hands it to a format's walker.
pub(crate) struct Choice<'a> {
    /// The choice's `index` (its place in the list when it has none).
    pub index: u64,
    finishing: bool,
    template: &'a Value,
    deltas: &'a mut dyn Deltas,
    touched: &'a mut Vec<StreamKey>,
}

impl Choice<'_> {
    /// Hand a text delta of the choice's stream `key` to the stream scan ([`Deltas::delta`]; the
    /// last one of the stream when the choice finishes with this event). Returns false when the
    /// stream was cut.
    pub fn delta(&mut self, key: StreamKey, text: &mut String) -> Result<bool, String> {
        if !self.touched.contains(&key) {
            self.touched.push(key);
        }
        self.deltas.delta(key, text, self.finishing, self.template)
    }
}

/// The stream walk of the formats whose events carry a list of choices: report the event's
/// token counts (`names` in the `usage` member), then hand each choice's text deltas over
/// (`walk`, through [`Choice::delta`]). A choice that finishes with the event ends its streams:
/// its own deltas are released whole, and its streams the event does not carry are flushed
/// before it. Returns whether the event goes on (false: the stream was cut).
pub(crate) fn walk_choices(
    v: &mut Value,
    d: &mut dyn Deltas,
    choices: &Choices,
    names: &UsageNames,
    walk: fn(&mut Value, &mut Choice<'_>) -> Result<bool, String>,
) -> Result<bool, String> {
    if let Some(u) = v.get(choices.usage).filter(|u| u.is_object()) {
        d.usage(
            u.get(names.input).and_then(Value::as_u64),
            u.get(names.output).and_then(Value::as_u64),
        );
    }
    let Some(Value::Array(list)) = v.get(choices.list) else {
        return Ok(true);
    };
    if list.is_empty() {
        return Ok(true);
    }
    let template = v.clone();
    let Some(Value::Array(list)) = v.get_mut(choices.list) else {
        return Ok(true);
    };
    // One list of the streams a choice carried, reused from choice to choice.
    let mut touched: Vec<StreamKey> = Vec::new();
    for (ci, choice) in list.iter_mut().enumerate() {
        let index = choice
            .get("index")
            .and_then(Value::as_u64)
            .unwrap_or(ci as u64);
        let finishing = choice.get(choices.finish).is_some_and(|f| !f.is_null());
        touched.clear();
        let mut c = Choice {
            index,
            finishing,
            template: &template,
            deltas: &mut *d,
            touched: &mut touched,
        };
        if !walk(choice, &mut c)? {
            return Ok(false);
        }
        if finishing && !d.flush(Flush::IndexExcept(index, &touched))? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Which streams to flush.
pub enum Flush<'a> {
    /// Every stream with held text.
    All,
    /// Every stream of this index (a content block that stopped).
    Index(u64),
    /// The streams of this index with held text, except these (a finishing choice whose event
    /// carried their last delta).
    IndexExcept(u64, &'a [StreamKey]),
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::extract::extract;
    use crate::reply::error_reply;
    use serde_json::json;
    use testing::Seen;

    #[test]
    fn error_bodies_are_byte_exact() {
        let r = error_reply(Format::Openai, 403, "controlled_content", "no", "abc");
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            r#"{"error":{"code":"controlled_content","message":"no (request id abc)","param":null,"type":"permission_error"}}"#
        );
        let r = error_reply(Format::Anthropic, 413, "body_too_large", "big", "");
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            r#"{"error":{"code":"body_too_large","message":"big","type":"request_too_large"},"request_id":"","type":"error"}"#
        );
    }

    #[test]
    fn names_and_paths() {
        for f in FORMATS {
            let name = serde_json::to_value(f).unwrap();
            assert_eq!(name, json!(f.as_str()));
        }
        assert_eq!(
            Format::for_unknown_path("/v1/messages/count_tokens"),
            Format::Anthropic
        );
        assert_eq!(
            Format::for_unknown_path("/v1/embeddings"),
            Format::OpenaiEmbeddings
        );
        assert_eq!(
            Format::for_unknown_path("/v1/responses/resp_1"),
            Format::OpenaiResponses
        );
        assert_eq!(Format::for_unknown_path("/v1/files"), Format::Openai);
        // every OpenAI API answers errors in the same shape
        for f in [
            Format::OpenaiResponses,
            Format::OpenaiEmbeddings,
            Format::OpenaiCompletions,
        ] {
            let a = error_reply(f, 403, "controlled_content", "no", "abc");
            let b = error_reply(Format::Openai, 403, "controlled_content", "no", "abc");
            assert_eq!(a, b, "{f:?}");
        }
    }

    #[test]
    fn a_part_of_either_format_is_media_in_both() {
        let openai_part =
            json!({"type":"input_audio","input_audio":{"data":"QUJD","format":"wav"}});
        let anthropic_part = json!({"type":"image","source":{"type":"base64","media_type":"image/png","data":"QUJD"}});
        for f in [Format::Openai, Format::Anthropic] {
            for part in [&openai_part, &anthropic_part] {
                let body = json!({"model":"m","messages":[{"role":"user","content":[part]}]});
                let e = extract(f, body.to_string().as_bytes()).unwrap();
                assert_eq!(e.media_parts, 1, "{f:?} {part}");
                assert!(!e.doc.contains("QUJD"), "{f:?} {part}");
            }
        }
    }

    #[test]
    fn stream_deltas_and_events() {
        let mut v = json!({"choices":[{"index":0,"delta":{"content":"hi","tool_calls":[
            {"index":2,"function":{"arguments":"{}"}}]},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":3,"completion_tokens":4}});
        let mut seen = Seen::default();
        assert!((Format::Openai.spec().stream.event)(&mut v, &mut seen).unwrap());
        assert_eq!(
            seen.deltas,
            [
                ((TEXT, 0, 0), "hi".to_string(), true),
                ((ARGS, 0, 2), "{}".to_string(), true)
            ]
        );
        assert_eq!(seen.flushes, ["except 0 2"]);
        assert_eq!(seen.usage, (Some(3), Some(4)));
        assert_eq!(v["choices"][0]["delta"]["content"], "HI");
        let mut seen = Seen::default();
        let spec = &Format::Anthropic.spec().stream;
        for mut v in [
            json!({"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}),
            json!({"type":"content_block_start","index":1,"content_block":{"type":"text","text":"a"}}),
            json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"b"}}),
            json!({"type":"content_block_stop","index":1}),
            json!({"type":"message_delta","usage":{"output_tokens":9}}),
        ] {
            assert!((spec.event)(&mut v, &mut seen).unwrap());
        }
        assert_eq!(
            seen.deltas,
            [
                ((TEXT, 1, 0), "a".to_string(), false),
                ((ARGS, 1, 0), "b".to_string(), false)
            ]
        );
        assert_eq!(seen.flushes, ["index 1"]);
        assert_eq!(seen.usage, (Some(5), Some(9)));
        assert_eq!(Format::Openai.spec().stream.done, Some("[DONE]"));
        assert_eq!(spec.done, None);
    }
}
