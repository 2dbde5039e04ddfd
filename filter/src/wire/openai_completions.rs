//! OpenAI legacy Completions (`POST /v1/completions`), still served by vLLM, Ollama, TGI and
//! others: `prompt` is a string or an array of strings (token arrays are refused: the gateway
//! cannot read them); `suffix` and every other member are scanned like any string. Answers carry
//! text in `choices[].text`, streamed as `text_completion` chunks ending with `[DONE]`. Errors
//! and usage are OpenAI's.

use serde_json::{json, Value};

use super::{
    openai_chat, walk_choices, Choice, Conversation, ConversationKind, Deltas, Shape, Spec,
    StreamKey, StreamSpec, UsageNames, UserId, MEDIA_PLACES, MEDIA_TYPES as ALL_MEDIA_TYPES, TEXT,
};

pub static SPEC: Spec = Spec {
    name: "openai-completions",
    shape: Shape {
        model: "model",
        stream: "stream",
        conversation: Conversation {
            member: "prompt",
            kind: ConversationKind::Texts,
            required: true,
        },
        typed: &[],
        user_ids: &[UserId::Top("user"), UserId::In("metadata", "user_id")],
        media: MEDIA_PLACES,
        media_types: ALL_MEDIA_TYPES,
        media_keys: &[],
    },
    path_prefixes: &["/v1/completions"],
    stream_path: None,
    stream_query: None,
    headers: openai_chat::HEADERS,
    error_type: openai_chat::error_type,
    error_body: openai_chat::error_body,
    stream: StreamSpec {
        done: Some("[DONE]"),
        event: stream_event,
        texts: stream_texts,
        delta_event,
        error_event: openai_chat::error_event,
    },
    usage: UsageNames {
        input: "prompt_tokens",
        output: "completion_tokens",
    },
};

/// `usage` in a chunk (with `stream_options.include_usage`); text in `choices[].text`. A choice
/// with a `finish_reason` ends its stream: its own text is released whole with it
/// ([`walk_choices`]).
pub(crate) fn stream_event(v: &mut Value, d: &mut dyn Deltas) -> Result<bool, String> {
    walk_choices(v, d, &openai_chat::CHOICES, &SPEC.usage, choice_text)
}

/// A choice's text delta.
fn choice_text(choice: &mut Value, c: &mut Choice<'_>) -> Result<bool, String> {
    match choice.get_mut("text") {
        Some(Value::String(t)) => c.delta((TEXT, c.index, 0), t),
        _ => Ok(true),
    }
}

/// The fields [`stream_event`] hands over.
pub(crate) fn stream_texts(v: &mut Value, f: &mut dyn FnMut(&mut String)) {
    if let Some(Value::Array(choices)) = v.get_mut("choices") {
        for c in choices.iter_mut() {
            if let Some(Value::String(t)) = c.get_mut("text") {
                f(t);
            }
        }
    }
}

/// A `text_completion` chunk carrying one stream's held text, with the id, creation time and
/// model of the last chunk that carried it.
pub(crate) fn delta_event(key: StreamKey, text: &str, template: &Value, out: &mut Vec<u8>) {
    let choice = json!({"index": key.1, "text": text, "logprobs": null, "finish_reason": null});
    openai_chat::chunk_event("text_completion", template, choice, out);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::error::InspectError;
    use crate::extract::extract;
    use crate::wire::testing::Seen;
    use crate::wire::Format;

    #[test]
    fn prompt_string_or_strings() {
        let e = extract(
            Format::OpenaiCompletions,
            br#"{"model":"m","prompt":["alpha","beta"],"suffix":"gamma","max_tokens":5}"#,
        )
        .unwrap();
        for w in ["alpha", "beta", "gamma", "suffix"] {
            assert!(e.doc.contains(w), "{w}");
        }
        assert!(!e.stream);
        let e = extract(
            Format::OpenaiCompletions,
            br#"{"model":"m","prompt":"alpha","stream":true}"#,
        )
        .unwrap();
        assert!(e.stream);
        assert!(matches!(
            extract(
                Format::OpenaiCompletions,
                br#"{"model":"m","prompt":[15496,11]}"#
            ),
            Err(InspectError::Uninspectable(_))
        ));
        assert!(matches!(
            extract(Format::OpenaiCompletions, br#"{"model":"m","messages":[]}"#),
            Err(InspectError::Shape(_))
        ));
        assert!(matches!(
            extract(
                Format::OpenaiCompletions,
                br#"{"model":"m","prompt":"a","prompt":"b"}"#
            ),
            Err(InspectError::Shape(_))
        ));
    }

    #[test]
    fn stream_text_and_usage() {
        let mut seen = Seen::default();
        for mut v in [
            json!({"id":"c","object":"text_completion","choices":[{"index":0,"text":"Hel","finish_reason":null}]}),
            json!({"id":"c","object":"text_completion","choices":[{"index":0,"text":"lo","finish_reason":"stop"}]}),
            json!({"id":"c","object":"text_completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}),
        ] {
            assert!((SPEC.stream.event)(&mut v, &mut seen).unwrap());
        }
        assert_eq!(
            seen.deltas,
            [
                ((TEXT, 0, 0), "Hel".to_string(), false),
                ((TEXT, 0, 0), "lo".to_string(), true)
            ]
        );
        assert_eq!(seen.flushes, ["except 0 1"]);
        assert_eq!(seen.usage, (Some(3), Some(2)));
        let mut out = Vec::new();
        delta_event(
            (TEXT, 0, 0),
            "held",
            &json!({"id":"c","model":"m"}),
            &mut out,
        );
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.starts_with("data: ") && s.contains(r#""text":"held""#),
            "{s}"
        );
    }
}
