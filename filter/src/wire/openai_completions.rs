//! OpenAI legacy Completions (`POST /v1/completions`), still served by vLLM, Ollama, TGI and
//! others: `prompt` is a string or an array of strings (token arrays are refused: the gateway
//! cannot read them); `suffix` and every other member are scanned like any string. Answers carry
//! text in `choices[].text`, streamed as `text_completion` chunks ending with `[DONE]`. Errors
//! and usage are OpenAI's.

use serde_json::{json, Value};

use crate::sse;

use super::{
    openai_chat, Conversation, ConversationKind, Deltas, Flush, Shape, Spec, StreamKey, StreamSpec,
    UsageNames, UserId, MEDIA_PLACES, MEDIA_TYPES as ALL_MEDIA_TYPES, RESPONSE_USAGE, TEXT,
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
/// with a `finish_reason` ends its stream: its own text is released whole with it.
pub(crate) fn stream_event(v: &mut Value, d: &mut dyn Deltas) -> Result<bool, String> {
    if let Some(u) = v.get(RESPONSE_USAGE).filter(|u| u.is_object()) {
        d.usage(
            u.get(SPEC.usage.input).and_then(Value::as_u64),
            u.get(SPEC.usage.output).and_then(Value::as_u64),
        );
    }
    let template = v.clone();
    let n_choices = v
        .get("choices")
        .and_then(Value::as_array)
        .map_or(0, |a| a.len());
    for ci in 0..n_choices {
        let Some(choice) = v.get_mut("choices").and_then(|c| c.get_mut(ci)) else {
            continue;
        };
        let index = choice
            .get("index")
            .and_then(Value::as_u64)
            .unwrap_or(ci as u64);
        let finishing = choice.get("finish_reason").is_some_and(|f| !f.is_null());
        let mut touched: Vec<StreamKey> = Vec::new();
        if let Some(Value::String(t)) = choice.get_mut("text") {
            let key = (TEXT, index, 0);
            touched.push(key);
            if !d.delta(key, t, finishing, &template)? {
                return Ok(false);
            }
        }
        if finishing && !d.flush(Flush::IndexExcept(index, &touched))? {
            return Ok(false);
        }
    }
    Ok(true)
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
    let v = json!({
        "id": template.get("id").cloned().unwrap_or(Value::Null),
        "object": "text_completion",
        "created": template.get("created").cloned().unwrap_or(json!(0)),
        "model": template.get("model").cloned().unwrap_or(Value::Null),
        "choices": [{"index": key.1, "text": text, "logprobs": null, "finish_reason": null}],
    });
    sse::encode(None, &v.to_string(), out);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::error::InspectError;
    use crate::extract::extract;
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

    #[derive(Default)]
    struct Seen {
        deltas: Vec<(StreamKey, String, bool)>,
        flushes: usize,
        usage: (Option<u64>, Option<u64>),
    }
    impl Deltas for Seen {
        fn delta(
            &mut self,
            key: StreamKey,
            text: &mut String,
            last: bool,
            _: &Value,
        ) -> Result<bool, String> {
            self.deltas.push((key, text.clone(), last));
            Ok(true)
        }
        fn flush(&mut self, _: Flush<'_>) -> Result<bool, String> {
            self.flushes += 1;
            Ok(true)
        }
        fn usage(&mut self, i: Option<u64>, o: Option<u64>) {
            self.usage = (i, o);
        }
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
        assert_eq!((seen.flushes, seen.usage), (1, (Some(3), Some(2))));
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
