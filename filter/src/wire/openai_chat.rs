//! OpenAI Chat Completions (`POST /v1/chat/completions`), the format most gateways and SDKs
//! speak (OpenAI, Azure OpenAI, vLLM, Ollama, Mistral's compatible API, ...).

use serde_json::{json, Value};

use super::{
    ErrorReply, Inner, MediaPlace, Payload, Shape, Spec, UsageNames, UserId, MEDIA_PLACES,
    MEDIA_TYPES as ALL_MEDIA_TYPES,
};

pub static SPEC: Spec = Spec {
    name: "openai",
    shape: Shape {
        model: "model",
        stream: "stream",
        messages: "messages",
        // `user` is the API's; clients put their own id in `metadata.user_id` too.
        user_ids: &[UserId::Top("user"), UserId::In("metadata", "user_id")],
        media: MEDIA_PLACES,
        media_types: ALL_MEDIA_TYPES,
    },
    path_prefix: "/v1/chat/",
    headers: &["openai-organization", "openai-project", "openai-beta"],
    error_type,
    error_body,
    usage: UsageNames {
        input: "prompt_tokens",
        output: "completion_tokens",
    },
};

/// The error `type` for a status, as the official API uses them.
fn error_type(status: u16) -> &'static str {
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
fn error_body(e: &ErrorReply<'_>) -> Value {
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
