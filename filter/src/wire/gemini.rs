//! Google Gemini (`POST .../models/{model}:generateContent`, `:streamGenerateContent`,
//! `:countTokens`), on the Gemini API's paths (`/v1beta/models/...`) and Vertex AI's
//! (`/v1/projects/{project}/locations/{location}/publishers/google/models/...`). The model is in
//! the path (the policy's endpoint template has a `{model}` placeholder); a body `model`, if
//! any, must be the same.
//!
//! Request: `contents[]` (each `{role, parts}`) and `systemInstruction` (one such content), whose
//! parts are told by their members (`text`, `functionCall`, `functionResponse`, ...): a part with
//! a member the gateway does not know is refused, whatever it holds. `inlineData` and `fileData`
//! are media wherever they are (refused unless the policy lets uninspectable media through; then
//! only an `inlineData` part's `data` goes unscanned). `tools[]` may hold
//! `functionDeclarations` (names, descriptions and schemas are scanned like everything else) and
//! `codeExecution`; tools that send what the model writes to a third party or fetch what the
//! gateway never saw (`googleSearch`, `googleSearchRetrieval`, `urlContext`, `googleMaps`,
//! `retrieval`, `enterpriseWebSearch`, `computerUse`, `fileSearch`) are refused. Every other key
//! and string (`generationConfig`, its response schema, `safetySettings`, `toolConfig`,
//! `cachedContent`, `labels`) is scanned.
//!
//! Response: `candidates[].content.parts[]` and `usageMetadata` (`promptTokenCount`,
//! `candidatesTokenCount`), scanned as any JSON answer. Streams (`?alt=sse`) are unnamed events,
//! each a whole GenerateContentResponse: the `text` of each candidate's parts is held back and
//! scanned like the other formats' deltas (thought parts apart from answer text), a candidate
//! with a `finishReason` releases its streams, function calls arrive whole and are scanned with
//! the rest of the event. A cut stream ends with an event holding Gemini's error object. Without
//! `alt=sse` the API streams one JSON array of chunks, each holding a piece of the text: read as
//! one JSON answer, a marking split across two chunks would be two strings the scan reads apart,
//! so such a request is refused (400 `unsupported_request`, naming `alt=sse`, which the
//! `google-genai` SDKs always send).

use serde_json::{json, Value};

use crate::sse;

use super::{
    anthropic_messages, openai_chat, walk_choices, Choice, Choices, Conversation, ConversationKind,
    Deltas, ErrorReply, Inner, Kinds, MediaPlace, Payload, Shape, Spec, StreamKey, StreamSpec,
    TypedList, UsageNames, MEDIA_TYPES as ALL_MEDIA_TYPES, TEXT,
};

/// The member of a response with its token counts.
pub const USAGE_MEMBER: &str = "usageMetadata";

/// The members a content part may have. `inlineData` and `fileData` are media.
const PART_MEMBERS: &[&str] = &[
    "text",
    "thought",
    "thoughtSignature",
    "functionCall",
    "functionResponse",
    "executableCode",
    "codeExecutionResult",
    "videoMetadata",
    "partMetadata",
    "mediaResolution",
    "inlineData",
    "fileData",
];

/// A content: `{"role": "user", "parts": [...]}`.
const fn content_list(member: &'static str, one: bool) -> TypedList {
    TypedList {
        member,
        kinds: Kinds::Members,
        one,
        what: "content",
        types: &["role", "parts"],
        untyped: None,
        parts: &[("", "parts")],
        part_types: PART_MEMBERS,
    }
}

/// Tools that stay with the client (function declarations) or the provider (code execution).
const TOOLS: TypedList = TypedList {
    member: "tools",
    kinds: Kinds::Members,
    one: false,
    what: "tool",
    types: &["functionDeclarations", "codeExecution"],
    untyped: None,
    parts: &[],
    part_types: &[],
};

/// `{"inlineData": {"mimeType": "image/png", "data": "<base64>"}}` in a content part.
pub const MEDIA: &[MediaPlace] = &[MediaPlace {
    part: "",
    member: "inlineData",
    inner: Some(Inner {
        member: "data",
        when_type: None,
    }),
    payload: Payload::Base64,
}];

/// Members that carry media (or point at media the gateway never sees), wherever they are.
const MEDIA_KEYS: &[&str] = &["inlineData", "fileData"];

pub static SPEC: Spec = Spec {
    name: "gemini",
    shape: Shape {
        model: "model",
        stream: "",
        conversation: Conversation {
            member: "contents",
            kind: ConversationKind::Array,
            // countTokens may carry a whole `generateContentRequest` instead.
            required: false,
        },
        typed: &[
            content_list("contents", false),
            content_list("systemInstruction", true),
            TOOLS,
        ],
        user_ids: &[],
        media: &[openai_chat::MEDIA, anthropic_messages::MEDIA, MEDIA],
        media_types: ALL_MEDIA_TYPES,
        media_keys: MEDIA_KEYS,
    },
    // (not `/v1/models/`: OpenAI's model list and retrieval are there too)
    path_prefixes: &["/v1beta/", "/v1beta1/", "/v1/projects/"],
    stream_path: Some(":streamGenerateContent"),
    stream_query: Some("alt=sse"),
    headers: HEADERS,
    error_type: status_name,
    error_body,
    stream: StreamSpec {
        done: None,
        event: stream_event,
        texts: stream_texts,
        delta_event,
        error_event,
    },
    usage: UsageNames {
        input: "promptTokenCount",
        output: "candidatesTokenCount",
    },
};

/// Request headers the `google-genai` SDKs send (the API key, `x-goog-api-key`, is a credential:
/// never forwarded).
const HEADERS: &[&str] = &[
    "x-goog-api-client",
    "x-goog-user-project",
    "x-server-timeout",
];

/// The `google.rpc.Code` name Google's APIs give an HTTP status.
fn status_name(status: u16) -> &'static str {
    match status {
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        400..=499 => "INVALID_ARGUMENT",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    }
}

/// Google's error object, the gateway's code as its `ErrorInfo` reason.
fn error_object(status: u16, code: &str, message: &str) -> Value {
    json!({
        "error": {
            "code": status,
            "message": message,
            "status": status_name(status),
            "details": [{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": code,
                "domain": "itar-gateway",
            }],
        }
    })
}

fn error_body(e: &ErrorReply<'_>) -> Value {
    error_object(e.status, e.code, e.message)
}

/// Stream key sub-index of thought (thinking) text, apart from the answer's.
const THOUGHT: u64 = 1;

/// The stream a part's text belongs to.
fn part_key(index: u64, part: &Value) -> StreamKey {
    let thought = part.get("thought").and_then(Value::as_bool) == Some(true);
    (TEXT, index, if thought { THOUGHT } else { 0 })
}

/// A chunk's candidates.
const CANDIDATES: Choices = Choices {
    usage: USAGE_MEMBER,
    list: "candidates",
    finish: "finishReason",
};

/// See the module documentation.
fn stream_event(v: &mut Value, d: &mut dyn Deltas) -> Result<bool, String> {
    walk_choices(v, d, &CANDIDATES, &SPEC.usage, candidate_texts)
}

/// The `text` of each of a candidate's parts.
fn candidate_texts(cand: &mut Value, c: &mut Choice<'_>) -> Result<bool, String> {
    if let Some(Value::Array(parts)) = cand.pointer_mut("/content/parts") {
        for part in parts.iter_mut() {
            let key = part_key(c.index, part);
            if let Some(Value::String(t)) = part.get_mut("text") {
                if !c.delta(key, t)? {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}

/// The fields [`stream_event`] hands over.
fn stream_texts(v: &mut Value, f: &mut dyn FnMut(&mut String)) {
    if let Some(Value::Array(candidates)) = v.get_mut("candidates") {
        for c in candidates.iter_mut() {
            if let Some(Value::Array(parts)) = c.pointer_mut("/content/parts") {
                for part in parts.iter_mut() {
                    if let Some(Value::String(t)) = part.get_mut("text") {
                        f(t);
                    }
                }
            }
        }
    }
}

/// A GenerateContentResponse chunk carrying one stream's held text, with the model version and
/// response id of the last chunk that carried it.
fn delta_event(key: StreamKey, text: &str, template: &Value, out: &mut Vec<u8>) {
    let mut part = json!({ "text": text });
    if key.2 == THOUGHT {
        part["thought"] = Value::Bool(true);
    }
    let mut v = json!({
        "candidates": [{"content": {"parts": [part], "role": "model"}, "index": key.1}],
    });
    for member in ["modelVersion", "responseId"] {
        if let Some(x) = template.get(member) {
            v[member] = x.clone();
        }
    }
    sse::encode(None, &v.to_string(), out);
}

/// An event holding Gemini's error object (what the API sends when a stream fails).
fn error_event(code: &str, message: &str, out: &mut Vec<u8>) {
    let status = if code == "controlled_content_in_response" {
        403
    } else {
        500
    };
    sse::encode(None, &error_object(status, code, message).to_string(), out);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::error::InspectError;
    use crate::extract::extract;
    use crate::reply::error_reply;
    use crate::wire::testing::Seen;
    use crate::wire::Format;

    fn ex(body: Value) -> Result<crate::extract::Extracted, InspectError> {
        extract(Format::Gemini, body.to_string().as_bytes())
    }

    #[test]
    fn every_string_of_contents_system_tools_and_config_is_read() {
        let e = ex(json!({
            "contents": [
                {"role": "user", "parts": [{"text": "USER-TEXT"}]},
                {"role": "model", "parts": [
                    {"text": "THOUGHT-TEXT", "thought": true, "thoughtSignature": "c2ln"},
                    {"functionCall": {"name": "lookup", "args": {"q": "ARGS-TEXT"}}}]},
                {"role": "user", "parts": [
                    {"functionResponse": {"name": "lookup", "response": {"result": "RESULT-TEXT"}}}]}
            ],
            "systemInstruction": {"parts": [{"text": "SYSTEM-TEXT"}]},
            "tools": [{"functionDeclarations": [{"name": "lookup", "description": "DESC-TEXT",
                "parameters": {"type": "OBJECT", "properties": {"SCHEMA-KEY": {"type": "STRING", "description": "PROP-DESC"}}}}]},
                {"codeExecution": {}}],
            "generationConfig": {"temperature": 0.2, "responseSchema": {"description": "FORMAT-DESC"}},
            "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
            "cachedContent": "cachedContents/CACHE-NAME",
            "labels": {"team": "LABEL-TEXT"}
        }))
        .unwrap();
        for w in [
            "USER-TEXT",
            "THOUGHT-TEXT",
            "ARGS-TEXT",
            "RESULT-TEXT",
            "SYSTEM-TEXT",
            "DESC-TEXT",
            "SCHEMA-KEY",
            "PROP-DESC",
            "FORMAT-DESC",
            "CACHE-NAME",
            "LABEL-TEXT",
        ] {
            assert!(e.doc.contains(w), "{w} not in {}", e.doc);
        }
        assert_eq!(e.media_parts, 0);
        assert!(!e.stream, "the path asks for a stream, not the body");
        assert_eq!(e.model, None);
        // systemInstruction as a plain string is scanned too (the API takes only a content)
        let e = ex(json!({"contents": [], "systemInstruction": "SYS"})).unwrap();
        assert!(e.doc.contains("SYS"));
    }

    #[test]
    fn unknown_parts_and_third_party_tools_are_refused() {
        for (body, what) in [
            (
                json!({"contents":[{"role":"user","parts":[{"hologram":{"data":"x"}}]}]}),
                "hologram",
            ),
            (
                json!({"contents":[{"role":"user","parts":[{"text":"x","type":"image"}]}]}),
                "\"type\"",
            ),
            (
                json!({"contents":[{"role":"user","speaker":"x","parts":[]}]}),
                "speaker",
            ),
            (
                json!({"systemInstruction":{"parts":[{"teleport":"x"}]}}),
                "teleport",
            ),
            (
                json!({"contents":[],"tools":[{"googleSearch":{}}]}),
                "googleSearch",
            ),
            (
                json!({"contents":[],"tools":[{"urlContext":{}}]}),
                "urlContext",
            ),
            (
                json!({"contents":[],"tools":[{"functionDeclarations":[],"retrieval":{"externalApi":{}}}]}),
                "retrieval",
            ),
        ] {
            match ex(body.clone()) {
                Err(InspectError::Uninspectable(m)) => assert!(m.contains(what), "{m} / {body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
        // the same names deeper down are plain JSON (function arguments, schemas)
        ex(json!({"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":{"hologram":1,"googleSearch":{}}}}]}],
                  "tools":[{"functionDeclarations":[{"name":"f","parameters":{"type":"OBJECT","properties":{"urlContext":{"type":"STRING"}}}}]}]}))
        .unwrap();
        assert!(matches!(
            ex(json!({"contents": {"parts": []}})),
            Err(InspectError::Shape(_))
        ));
    }

    #[test]
    fn media_is_counted_wherever_it_is_and_skipped_only_in_parts() {
        let m = "SECRET//NOFORN";
        let e = ex(json!({"contents":[{"role":"user","parts":[
            {"inlineData":{"mimeType":"image/png","data": m}},
            {"text":"what is this"}]}]}))
        .unwrap();
        assert_eq!(e.media_parts, 1);
        assert!(!e.doc.contains(m), "{}", e.doc);
        let e = ex(json!({"contents":[{"role":"user","parts":[
            {"fileData":{"mimeType":"application/pdf","fileUri":"gs://b/doc.pdf"}}]}]}))
        .unwrap();
        assert_eq!(e.media_parts, 1);
        assert!(e.doc.contains("gs://b/doc.pdf"));
        // inline data elsewhere (a countTokens generateContentRequest, a function response's
        // parts, arguments) is media too, and scanned: it is not where the schema skips it
        for body in [
            json!({"generateContentRequest":{"contents":[{"role":"user","parts":[{"inlineData":{"mimeType":"image/png","data": m}}]}]}}),
            json!({"contents":[{"role":"user","parts":[{"functionResponse":{"name":"f","response":{},"parts":[{"inlineData":{"mimeType":"image/png","data": m}}]}}]}]}),
            json!({"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":{"inlineData":{"data": m}}}}]}]}),
        ] {
            let e = ex(body.clone()).unwrap();
            assert_eq!(e.media_parts, 1, "{body}");
            assert!(e.doc.contains(m), "{body}: {}", e.doc);
        }
    }

    #[test]
    fn errors_in_googles_shape() {
        let r = error_reply(Format::Gemini, 403, "controlled_content", "no", "abc");
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["error"]["code"], 403);
        assert_eq!(v["error"]["status"], "PERMISSION_DENIED");
        assert_eq!(v["error"]["message"], "no (request id abc)");
        assert_eq!(v["error"]["details"][0]["reason"], "controlled_content");
        for (status, name) in [
            (400, "INVALID_ARGUMENT"),
            (401, "UNAUTHENTICATED"),
            (404, "NOT_FOUND"),
            (413, "INVALID_ARGUMENT"),
            (429, "RESOURCE_EXHAUSTED"),
            (502, "INTERNAL"),
            (503, "UNAVAILABLE"),
        ] {
            assert_eq!(status_name(status), name);
        }
        let mut out = Vec::new();
        error_event("controlled_content_in_response", "cut", &mut out);
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("data: {\"error\":"), "{s}");
        let v: Value = serde_json::from_str(s.trim().trim_start_matches("data: ")).unwrap();
        assert_eq!(v["error"]["status"], "PERMISSION_DENIED");
        assert_eq!(
            Format::for_unknown_path("/v1beta/models/x:embedContent"),
            Format::Gemini
        );
        assert_eq!(
            Format::for_unknown_path("/v1/projects/p/locations/l/endpoints/e:predict"),
            Format::Gemini
        );
        assert_eq!(
            Format::for_unknown_path("/v1/models/gpt-4o"),
            Format::Openai
        );
    }

    #[test]
    fn stream_events() {
        let mut seen = Seen::default();
        let mut first = json!({"candidates":[{"content":{"role":"model","parts":[
            {"text":"think","thought":true},{"text":"Hel"}]},"index":0}],
            "usageMetadata":{"promptTokenCount":5},"modelVersion":"gemini-2.5-flash","responseId":"r1"});
        assert!((SPEC.stream.event)(&mut first, &mut seen).unwrap());
        assert_eq!(
            first["candidates"][0]["content"]["parts"][1]["text"], "HEL",
            "the released text replaces the delta"
        );
        let mut last = json!({"candidates":[{"content":{"role":"model","parts":[
            {"text":"lo"},{"functionCall":{"name":"f","args":{"a":"b"}}}]},"finishReason":"STOP","index":0}],
            "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":7}});
        assert!((SPEC.stream.event)(&mut last, &mut seen).unwrap());
        assert_eq!(
            seen.deltas,
            [
                ((TEXT, 0, THOUGHT), "think".to_string(), false),
                ((TEXT, 0, 0), "Hel".to_string(), false),
                ((TEXT, 0, 0), "lo".to_string(), true),
            ]
        );
        assert_eq!(seen.flushes, ["except 0 1"]);
        assert_eq!(seen.usage, (Some(5), Some(7)));
        let mut texts = Vec::new();
        (SPEC.stream.texts)(&mut first, &mut |t| texts.push(t.clone()));
        assert_eq!(texts, ["THINK", "HEL"]);
    }

    #[test]
    fn released_text_event() {
        let template = json!({"candidates":[],"modelVersion":"gemini-2.5-flash","responseId":"r1"});
        let mut out = Vec::new();
        delta_event((TEXT, 1, THOUGHT), "held", &template, &mut out);
        let s = String::from_utf8(out).unwrap();
        let v: Value = serde_json::from_str(s.trim().trim_start_matches("data: ")).unwrap();
        assert_eq!(v["candidates"][0]["index"], 1);
        assert_eq!(v["candidates"][0]["content"]["parts"][0]["text"], "held");
        assert_eq!(v["candidates"][0]["content"]["parts"][0]["thought"], true);
        assert_eq!(v["responseId"], "r1");
    }
}
