//! Wire formats: everything the filter knows about a provider's JSON API, one file per format.
//!
//! A [`Format`] is what a policy endpoint or destination names (`"openai"`, `"anthropic"`); its
//! [`Spec`] is a `&'static` table of data and plain `fn`s, chosen once per request with
//! [`Format::spec`] (a `match`, no allocation). The rest of the filter asks the spec instead of
//! matching on the format:
//!
//! - the request head: which headers the format's SDKs send ([`Spec::headers`]);
//! - the reply: the error body and the error `type` per status ([`Spec::error_body`],
//!   [`Spec::error_type`]);
//! - usage: which fields of a `usage` object count tokens ([`Spec::usage`]).
//!
//! Adding a format is a new file here with its `SPEC`, one [`Format`] variant and one arm in
//! [`Format::spec`] (docs/architecture.md, "Adding a wire format").

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::audit::Usage;

pub mod anthropic_messages;
pub mod openai_chat;

/// Wire format a route or destination speaks. The policy names it by its serde name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// OpenAI Chat Completions (`/v1/chat/completions`).
    Openai,
    /// Anthropic Messages (`/v1/messages`).
    Anthropic,
}

/// Every format, in a fixed order (OpenAI first).
pub const FORMATS: [Format; 2] = [Format::Openai, Format::Anthropic];

impl Format {
    /// The format's table.
    pub fn spec(self) -> &'static Spec {
        match self {
            Format::Openai => &openai_chat::SPEC,
            Format::Anthropic => &anthropic_messages::SPEC,
        }
    }

    /// The name the policy and the audit record use.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// The format to answer in on a path no endpoint of the policy names (404, no policy
    /// loaded): the format whose usual path prefix it has, else OpenAI.
    pub fn for_unknown_path(path: &str) -> Format {
        FORMATS
            .into_iter()
            .find(|f| path.starts_with(f.spec().path_prefix))
            .unwrap_or(Format::Openai)
    }
}

/// What the filter knows about one wire format.
pub struct Spec {
    /// The policy's name for the format (`format`, `formats`) and the audit record's `provider`.
    pub name: &'static str,
    /// The prefix of the format's usual request path, for answering on paths no endpoint names.
    pub path_prefix: &'static str,
    /// Request headers the format's official SDKs send, besides the ones every format may send
    /// (`head.rs`). `*` ends a prefix.
    pub headers: &'static [&'static str],
    /// The error `type` the official API uses for an HTTP status.
    pub error_type: fn(u16) -> &'static str,
    /// The body of an error reply.
    pub error_body: fn(&ErrorReply<'_>) -> Value,
    /// Which fields of a `usage` object count tokens.
    pub usage: UsageNames,
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
