//! Typed errors. Nothing in the filter panics; every failure is one of these and fails closed.

use thiserror::Error;

/// The policy cannot be used; the configuration is rejected and the previous one keeps serving.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum PolicyError {
    #[error(
        "policy is not valid JSON for the policy format at line {line}, column {column}: {message}"
    )]
    Parse {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("policy field {at}: {why}")]
    Invalid { at: String, why: String },
    #[error("policy signal {signal:?}: pattern does not compile: {why}")]
    Pattern { signal: String, why: String },
    #[error("policy rules do not compile into one automaton: {0}")]
    Automaton(String),
    #[error("filter configuration: {0}")]
    Config(String),
}

/// A request body the filter cannot inspect. Each maps to a client-visible status.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum InspectError {
    #[error("request body is larger than the {limit} bytes this gateway inspects")]
    TooLarge { limit: usize },
    #[error("request body has content-encoding {0:?}, which this gateway cannot inspect")]
    Encoded(String),
    #[error("request body is not valid JSON: {0}")]
    Malformed(String),
    #[error("request body is not valid UTF-8")]
    InvalidUtf8,
    #[error("request body has an unexpected shape: {0}")]
    Shape(String),
    #[error("content type {0:?} is not inspected; send application/json")]
    ContentType(String),
    #[error("scanning failed: {0}")]
    Scan(String),
    /// Part of the request the gateway cannot inspect (an input item or tool it does not know, a
    /// token-array input): refused rather than passed unread.
    #[error("{0}")]
    Uninspectable(String),
}

impl InspectError {
    pub fn status(&self) -> u16 {
        match self {
            InspectError::TooLarge { .. } => 413,
            InspectError::Encoded(_) | InspectError::ContentType(_) => 415,
            InspectError::Malformed(_)
            | InspectError::InvalidUtf8
            | InspectError::Shape(_)
            | InspectError::Uninspectable(_) => 400,
            InspectError::Scan(_) => 500,
        }
    }

    pub fn reason(&self) -> &'static str {
        match self {
            InspectError::TooLarge { .. } => "body_too_large",
            InspectError::Encoded(_) => "content_encoded",
            InspectError::ContentType(_) => "content_type",
            InspectError::Malformed(_) => "malformed_json",
            InspectError::InvalidUtf8 => "invalid_utf8",
            InspectError::Shape(_) => "unexpected_shape",
            InspectError::Scan(_) => "scan_failed",
            InspectError::Uninspectable(_) => "uninspectable_content",
        }
    }
}
