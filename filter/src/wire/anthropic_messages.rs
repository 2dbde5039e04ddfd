//! Anthropic Messages (`POST /v1/messages`), also the body Amazon Bedrock's InvokeModel takes
//! for Claude models (the translation is the engine's, see docs/destinations.md).

use serde_json::{json, Value};

use crate::sse;

use super::{
    Conversation, Deltas, ErrorReply, Flush, Inner, MediaPlace, Payload, Shape, Spec, StreamKey,
    StreamSpec, UsageNames, UserId, ARGS, MEDIA_PLACES, MEDIA_TYPES as ALL_MEDIA_TYPES, TEXT,
};

/// The data of the event that ends a stream, if the format sends one.
const DONE: Option<&str> = None;

pub static SPEC: Spec = Spec {
    name: "anthropic",
    shape: Shape {
        model: "model",
        stream: "stream",
        conversation: Conversation::MESSAGES,
        typed: &[],
        // `metadata.user_id` is the API's; a top-level `user` is read too.
        user_ids: &[UserId::In("metadata", "user_id"), UserId::Top("user")],
        media: MEDIA_PLACES,
        media_types: ALL_MEDIA_TYPES,
        media_keys: &[],
    },
    path_prefixes: &["/v1/messages"],
    stream_path: None,
    stream_query: None,
    headers: &[
        "anthropic-version",
        "anthropic-beta",
        "anthropic-dangerous-direct-browser-access",
    ],
    error_type,
    error_body,
    stream: StreamSpec {
        done: DONE,
        event: stream_event,
        texts: stream_texts,
        delta_event,
        error_event,
    },
    usage: UsageNames {
        input: "input_tokens",
        output: "output_tokens",
    },
};

/// The error `type` for a status, as the official API uses them.
fn error_type(status: u16) -> &'static str {
    match status {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        400..=499 => "invalid_request_error",
        504 => "timeout_error",
        503 | 529 => "overloaded_error",
        _ => "api_error",
    }
}

/// `{"type": "error", "error": {"type", "message", "code"}, "request_id"}`.
fn error_body(e: &ErrorReply<'_>) -> Value {
    json!({
        "type": "error",
        "error": {
            "type": error_type(e.status),
            "message": e.message,
            "code": e.code,
        },
        "request_id": e.request_id,
    })
}

/// Where Anthropic requests carry media: an `image` or `document` block's `source`, when its
/// type is `base64` (a `url` or `text` source is scanned like any string).
pub const MEDIA: &[MediaPlace] = &[
    MediaPlace {
        part: "image",
        member: "source",
        inner: Some(Inner {
            member: "data",
            when_type: Some("base64"),
        }),
        payload: Payload::Base64,
    },
    MediaPlace {
        part: "document",
        member: "source",
        inner: Some(Inner {
            member: "data",
            when_type: Some("base64"),
        }),
        payload: Payload::Base64,
    },
];

/// Block types that carry media.
pub const MEDIA_TYPES: &[&str] = &["image", "document"];

/// Named events with a `type`: token counts in `message_start` (`message.usage`) and
/// `message_delta` (`usage`); text in `content_block_start` (`content_block.text`, the first
/// text of a text block) and `content_block_delta` (`delta.text`, `delta.partial_json`,
/// `delta.thinking` by `delta.type`). `content_block_stop` flushes that block's streams,
/// `message_stop` every stream.
fn stream_event(v: &mut Value, d: &mut dyn Deltas) -> Result<bool, String> {
    let index = |v: &Value| v.get("index").and_then(Value::as_u64).unwrap_or(0);
    let tokens = |v: &Value, ptr: &str, name: &str| {
        v.pointer(ptr)
            .and_then(|u| u.get(name))
            .and_then(Value::as_u64)
    };
    let kind = v
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let go_on = match kind.as_str() {
        "message_start" => {
            d.usage(
                tokens(v, "/message/usage", SPEC.usage.input),
                tokens(v, "/message/usage", SPEC.usage.output),
            );
            true
        }
        "message_delta" => {
            d.usage(
                tokens(v, "/usage", SPEC.usage.input),
                tokens(v, "/usage", SPEC.usage.output),
            );
            true
        }
        "content_block_start" => {
            let index = index(v);
            let template = v.clone();
            match v.pointer_mut("/content_block/text") {
                Some(Value::String(t)) if !t.is_empty() => {
                    d.delta((TEXT, index, 0), t, false, &template)?
                }
                _ => true,
            }
        }
        "content_block_delta" => {
            let index = index(v);
            let template = v.clone();
            let field = match v.pointer("/delta/type").and_then(Value::as_str) {
                Some("text_delta") => Some(("/delta/text", TEXT)),
                Some("input_json_delta") => Some(("/delta/partial_json", ARGS)),
                Some("thinking_delta") => Some(("/delta/thinking", TEXT)),
                _ => None,
            };
            match field.and_then(|(ptr, kind)| Some((v.pointer_mut(ptr)?, kind))) {
                Some((Value::String(t), kind)) => d.delta((kind, index, 0), t, false, &template)?,
                _ => true,
            }
        }
        "content_block_stop" => d.flush(Flush::Index(index(v)))?,
        "message_stop" => d.flush(Flush::All)?,
        _ => true,
    };
    Ok(go_on)
}

/// The fields [`stream_event`] hands over.
fn stream_texts(v: &mut Value, f: &mut dyn FnMut(&mut String)) {
    for ptr in [
        "/delta/text",
        "/delta/partial_json",
        "/delta/thinking",
        "/content_block/text",
    ] {
        if let Some(Value::String(t)) = v.pointer_mut(ptr) {
            f(t);
        }
    }
}

/// A `content_block_delta` carrying one stream's held text (thinking text is released as
/// `text_delta`).
fn delta_event(key: StreamKey, text: &str, _template: &Value, out: &mut Vec<u8>) {
    let delta = if key.0 == TEXT {
        json!({"type": "text_delta", "text": text})
    } else {
        json!({"type": "input_json_delta", "partial_json": text})
    };
    let v = json!({"type": "content_block_delta", "index": key.1, "delta": delta});
    sse::encode(Some("content_block_delta"), &v.to_string(), out);
}

/// An `error` event (what the API sends when a stream fails).
fn error_event(code: &str, message: &str, out: &mut Vec<u8>) {
    let v = json!({"type": "error", "error": {"type": "permission_error", "message": message, "code": code}});
    sse::encode(Some("error"), &v.to_string(), out);
}
