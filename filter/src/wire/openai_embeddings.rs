//! OpenAI Embeddings (`POST /v1/embeddings`): `input` is a string or an array of strings, each
//! scanned like a prompt (embeddings are how whole documents leave for retrieval indexes). Token
//! arrays (arrays of numbers) are text the gateway cannot read: refused. The answer is vectors
//! (numbers, or base64 floats with `encoding_format: "base64"`), scanned like any response body;
//! its `usage.prompt_tokens` is metered. Errors are OpenAI's.

use super::{
    openai_chat, openai_completions, Conversation, ConversationKind, Shape, Spec, StreamSpec,
    UsageNames, UserId, MEDIA_PLACES, MEDIA_TYPES as ALL_MEDIA_TYPES,
};

pub static SPEC: Spec = Spec {
    name: "openai-embeddings",
    shape: Shape {
        model: "model",
        stream: "stream",
        conversation: Conversation {
            member: "input",
            kind: ConversationKind::Texts,
            required: true,
        },
        typed: &[],
        user_ids: &[UserId::Top("user"), UserId::In("metadata", "user_id")],
        media: MEDIA_PLACES,
        media_types: ALL_MEDIA_TYPES,
        media_keys: &[],
    },
    path_prefixes: &["/v1/embeddings"],
    stream_path: None,
    stream_query: None,
    headers: openai_chat::HEADERS,
    error_type: openai_chat::error_type,
    error_body: openai_chat::error_body,
    // The API does not stream embeddings; should an upstream answer with events anyway, they are
    // read as a legacy completions stream (every event is scanned whole besides its text).
    stream: StreamSpec {
        done: Some("[DONE]"),
        event: openai_completions::stream_event,
        texts: openai_completions::stream_texts,
        delta_event: openai_completions::delta_event,
        error_event: openai_chat::error_event,
    },
    usage: UsageNames {
        input: "prompt_tokens",
        output: "completion_tokens",
    },
};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use crate::error::InspectError;
    use crate::extract::extract;
    use crate::wire::Format;

    #[test]
    fn input_strings_are_scanned_and_token_arrays_refused() {
        let e = extract(
            Format::OpenaiEmbeddings,
            br#"{"model":"text-embedding-3-small","input":["first doc","second doc"],"encoding_format":"float"}"#,
        )
        .unwrap();
        assert!(e.doc.contains("first doc") && e.doc.contains("second doc"));
        assert_eq!(e.model.as_deref(), Some("text-embedding-3-small"));
        let e = extract(Format::OpenaiEmbeddings, br#"{"model":"m","input":"one"}"#).unwrap();
        assert!(e.doc.contains("one"));
        for body in [
            &br#"{"model":"m","input":[1,2,3]}"#[..],
            br#"{"model":"m","input":[[1,2],[3]]}"#,
            br#"{"model":"m","input":["text",[1,2]]}"#,
        ] {
            match extract(Format::OpenaiEmbeddings, body) {
                Err(InspectError::Uninspectable(m)) => assert!(m.contains("token"), "{m}"),
                other => panic!("{other:?}"),
            }
        }
        for body in [
            &br#"{"model":"m"}"#[..],
            br#"{"model":"m","input":{"text":"x"}}"#,
            br#"{"model":"m","input":3}"#,
        ] {
            assert!(
                matches!(
                    extract(Format::OpenaiEmbeddings, body),
                    Err(InspectError::Shape(_))
                ),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
