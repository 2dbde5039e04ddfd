//! OpenAI Chat Completions (`POST /v1/chat/completions`), the format most gateways and SDKs
//! speak (OpenAI, Azure OpenAI, vLLM, Ollama, Mistral's compatible API, ...).

use serde_json::{json, Value};

use crate::sse;

use super::{
    walk_choices, Choice, Choices, Conversation, Deltas, ErrorReply, Inner, MediaPlace, Payload,
    Shape, Spec, StreamKey, StreamSpec, UsageNames, UserId, ARGS, MEDIA_PLACES,
    MEDIA_TYPES as ALL_MEDIA_TYPES, RESPONSE_USAGE, TEXT,
};

/// The data of the event that ends a stream, if the format sends one.
const DONE: Option<&str> = Some("[DONE]");

pub static SPEC: Spec = Spec {
    name: "openai",
    shape: Shape {
        model: "model",
        stream: "stream",
        conversation: Conversation::MESSAGES,
        typed: &[],
        // `user` is the API's; clients put their own id in `metadata.user_id` too.
        user_ids: &[UserId::Top("user"), UserId::In("metadata", "user_id")],
        media: MEDIA_PLACES,
        media_types: ALL_MEDIA_TYPES,
        media_keys: &[],
    },
    path_prefixes: &["/v1/chat/"],
    stream_path: None,
    stream_query: None,
    headers: HEADERS,
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
        input: "prompt_tokens",
        output: "completion_tokens",
    },
};

/// Request headers the official OpenAI SDKs send (every OpenAI API takes the same).
pub const HEADERS: &[&str] = &["openai-organization", "openai-project", "openai-beta"];

/// The error `type` for a status, as the official API uses them.
pub(crate) fn error_type(status: u16) -> &'static str {
    match status {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        400..=499 => "invalid_request_error",
        _ => "server_error",
    }
}

/// `{"error": {"message", "type", "code", "param": null}}`.
pub(crate) fn error_body(e: &ErrorReply<'_>) -> Value {
    json!({
        "error": {
            "message": e.message,
            "type": error_type(e.status),
            "code": e.code,
            "param": null,
        }
    })
}

/// Where OpenAI-style requests carry media.
pub const MEDIA: &[MediaPlace] = &[
    // {"type":"image_url","image_url":{"url":"data:image/png;base64,..."}}
    MediaPlace {
        part: "image_url",
        member: "image_url",
        inner: Some(Inner {
            member: "url",
            when_type: None,
        }),
        payload: Payload::DataUrl,
    },
    // {"type":"input_audio","input_audio":{"data":"<base64>","format":"wav"}}
    MediaPlace {
        part: "input_audio",
        member: "input_audio",
        inner: Some(Inner {
            member: "data",
            when_type: None,
        }),
        payload: Payload::Base64,
    },
    // {"type":"file","file":{"file_data":"data:application/pdf;base64,...","filename":"a.pdf"}}
    MediaPlace {
        part: "file",
        member: "file",
        inner: Some(Inner {
            member: "file_data",
            when_type: None,
        }),
        payload: Payload::DataUrl,
    },
    // Responses-style parts, which compatible servers also take:
    // {"type":"input_image","image_url":"data:..."}, {"type":"input_file","file_data":"data:..."}
    MediaPlace {
        part: "input_image",
        member: "image_url",
        inner: None,
        payload: Payload::DataUrl,
    },
    MediaPlace {
        part: "input_file",
        member: "file_data",
        inner: None,
        payload: Payload::DataUrl,
    },
];

/// Content-part types that carry media.
pub const MEDIA_TYPES: &[&str] = &[
    "image_url",
    "input_image",
    "input_audio",
    "audio",
    "file",
    "input_file",
];

/// The choices of a chunk, and of a legacy completions chunk (`openai_completions`).
pub(crate) const CHOICES: Choices = Choices {
    usage: RESPONSE_USAGE,
    list: "choices",
    finish: "finish_reason",
};

/// `usage` in a chunk (the last one, with `stream_options.include_usage`); text in
/// `choices[].delta.content` and `choices[].delta.tool_calls[].function.arguments`. A choice
/// with a `finish_reason` ends its streams ([`walk_choices`]).
fn stream_event(v: &mut Value, d: &mut dyn Deltas) -> Result<bool, String> {
    walk_choices(v, d, &CHOICES, &SPEC.usage, choice_deltas)
}

/// A choice's text deltas: its content, then each tool call's arguments.
fn choice_deltas(choice: &mut Value, c: &mut Choice<'_>) -> Result<bool, String> {
    if let Some(Value::String(t)) = choice.pointer_mut("/delta/content") {
        if !c.delta((TEXT, c.index, 0), t)? {
            return Ok(false);
        }
    }
    if let Some(Value::Array(calls)) = choice.pointer_mut("/delta/tool_calls") {
        for (k, call) in calls.iter_mut().enumerate() {
            let ti = call
                .get("index")
                .and_then(Value::as_u64)
                .unwrap_or(k as u64);
            if let Some(Value::String(a)) = call.pointer_mut("/function/arguments") {
                if !c.delta((ARGS, c.index, ti), a)? {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}

/// The fields [`stream_event`] hands over.
fn stream_texts(v: &mut Value, f: &mut dyn FnMut(&mut String)) {
    if let Some(Value::Array(choices)) = v.get_mut("choices") {
        for c in choices.iter_mut() {
            if let Some(Value::String(t)) = c.pointer_mut("/delta/content") {
                f(t);
            }
            if let Some(Value::Array(calls)) = c.pointer_mut("/delta/tool_calls") {
                for call in calls.iter_mut() {
                    if let Some(Value::String(t)) = call.pointer_mut("/function/arguments") {
                        f(t);
                    }
                }
            }
        }
    }
}

/// A `chat.completion.chunk` carrying one stream's held text, with the id, creation time and
/// model of the last chunk that carried it.
fn delta_event(key: StreamKey, text: &str, template: &Value, out: &mut Vec<u8>) {
    let delta = if key.0 == TEXT {
        json!({"content": text})
    } else {
        json!({"tool_calls": [{"index": key.2, "function": {"arguments": text}}]})
    };
    let choice = json!({"index": key.1, "delta": delta, "finish_reason": null});
    chunk_event("chat.completion.chunk", template, choice, out);
}

/// An unnamed event: a chunk of type `object` (`chat.completion.chunk`, `text_completion`)
/// holding one choice, with the id, creation time and model of `template` (the last chunk that
/// carried the choice's stream).
pub(crate) fn chunk_event(object: &str, template: &Value, choice: Value, out: &mut Vec<u8>) {
    let v = json!({
        "id": template.get("id").cloned().unwrap_or(Value::Null),
        "object": object,
        "created": template.get("created").cloned().unwrap_or(json!(0)),
        "model": template.get("model").cloned().unwrap_or(Value::Null),
        "choices": [choice],
    });
    sse::encode(None, &v.to_string(), out);
}

/// An unnamed event with an `error` object (what the API sends when a stream fails).
pub(crate) fn error_event(code: &str, message: &str, out: &mut Vec<u8>) {
    let v = json!({"error": {"message": message, "type": "permission_error", "code": code}});
    sse::encode(None, &v.to_string(), out);
}
