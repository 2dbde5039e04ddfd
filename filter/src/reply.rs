//! Error replies in the request's own wire format (the body shape is the format's, see
//! [`crate::wire`]), carrying the request id.

use crate::wire::{ErrorReply, Format};

/// A local reply the filter sends instead of forwarding.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    /// Extra response headers (besides content-type).
    pub headers: Vec<(&'static str, String)>,
}

/// The error `type` the format's API uses for a status.
pub fn error_type(format: Format, status: u16) -> &'static str {
    (format.spec().error_type)(status)
}

/// Build an error reply in the format's shape. `code` is a stable machine-readable reason (e.g.
/// `controlled_content`).
pub fn error_reply(
    format: Format,
    status: u16,
    code: &str,
    message: &str,
    request_id: &str,
) -> Reply {
    let message = if request_id.is_empty() {
        message.to_string()
    } else {
        format!("{message} (request id {request_id})")
    };
    let body = (format.spec().error_body)(&ErrorReply {
        status,
        code,
        message: &message,
        request_id,
    });
    let mut headers = vec![("x-itar-gateway-reason", code.to_string())];
    if status == 401 {
        headers.push((
            "www-authenticate",
            "Bearer realm=\"itar-gateway\"".to_string(),
        ));
    }
    Reply {
        status,
        body: serde_json::to_vec(&body).unwrap_or_default(),
        headers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Format as Provider;

    #[test]
    fn formats() {
        let r = error_reply(Provider::Openai, 403, "controlled_content", "no", "abc");
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["error"]["type"], "permission_error");
        assert_eq!(v["error"]["code"], "controlled_content");
        assert!(v["error"]["message"].as_str().unwrap().contains("abc"));
        let r = error_reply(Provider::Anthropic, 413, "body_too_large", "big", "abc");
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["type"], "error");
        assert_eq!(v["error"]["type"], "request_too_large");
    }

    #[test]
    fn every_status_has_its_providers_type() {
        let want = [
            (400, "invalid_request_error", "invalid_request_error"),
            (401, "authentication_error", "authentication_error"),
            (403, "permission_error", "permission_error"),
            (404, "not_found_error", "not_found_error"),
            (405, "invalid_request_error", "invalid_request_error"),
            (408, "invalid_request_error", "invalid_request_error"),
            (413, "invalid_request_error", "request_too_large"),
            (415, "invalid_request_error", "invalid_request_error"),
            (426, "invalid_request_error", "invalid_request_error"),
            (429, "rate_limit_error", "rate_limit_error"),
            (431, "invalid_request_error", "invalid_request_error"),
            (500, "server_error", "api_error"),
            (501, "server_error", "api_error"),
            (502, "server_error", "api_error"),
            (503, "server_error", "overloaded_error"),
            (504, "server_error", "timeout_error"),
        ];
        for (status, openai, anthropic) in want {
            assert_eq!(error_type(Provider::Openai, status), openai, "{status}");
            assert_eq!(
                error_type(Provider::Anthropic, status),
                anthropic,
                "{status}"
            );
        }
    }
}
