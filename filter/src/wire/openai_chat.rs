//! OpenAI Chat Completions (`POST /v1/chat/completions`), the format most gateways and SDKs
//! speak (OpenAI, Azure OpenAI, vLLM, Ollama, Mistral's compatible API, ...).

use serde_json::{json, Value};

use super::{ErrorReply, Spec, UsageNames};

pub static SPEC: Spec = Spec {
    name: "openai",
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
