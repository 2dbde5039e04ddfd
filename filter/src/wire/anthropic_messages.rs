//! Anthropic Messages (`POST /v1/messages`), also the body Amazon Bedrock's InvokeModel takes
//! for Claude models (the translation is the engine's, see docs/destinations.md).

use serde_json::{json, Value};

use super::{
    ErrorReply, Inner, MediaPlace, Payload, Shape, Spec, UsageNames, UserId, MEDIA_PLACES,
    MEDIA_TYPES as ALL_MEDIA_TYPES,
};

pub static SPEC: Spec = Spec {
    name: "anthropic",
    shape: Shape {
        model: "model",
        stream: "stream",
        messages: "messages",
        // `metadata.user_id` is the API's; a top-level `user` is read too.
        user_ids: &[UserId::In("metadata", "user_id"), UserId::Top("user")],
        media: MEDIA_PLACES,
        media_types: ALL_MEDIA_TYPES,
    },
    path_prefix: "/v1/messages",
    headers: &[
        "anthropic-version",
        "anthropic-beta",
        "anthropic-dangerous-direct-browser-access",
    ],
    error_type,
    error_body,
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
