//! Extraction: from a provider request body to the texts that will leave the gateway.
//!
//! Every string value in the body is inspected (message text, system prompts, tool definitions and
//! arguments, metadata): whatever reaches the provider is what matters, not only what the model
//! reads. Object keys are inspected too (tool schemas can carry text in property names) but cannot
//! be redacted, so a redactable finding in a key blocks. Media the filter cannot read (images,
//! audio, documents) is refused unless the policy allows it.

use serde_json::Value;

use crate::error::InspectError;
use crate::policy::Provider;

/// One inspected string of the body.
#[derive(Debug, Clone)]
pub struct Piece {
    /// Offset of this piece in the virtual document (pieces joined by '\n').
    pub doc_start: u32,
    pub len: u32,
    /// Order among string values (for redaction); None for object keys.
    pub value_index: Option<usize>,
}

#[derive(Debug)]
pub struct Extracted {
    pub body: Value,
    pub model: Option<String>,
    pub stream: bool,
    /// The virtual document: every piece's text, joined by '\n'.
    pub doc: String,
    pub pieces: Vec<Piece>,
    pub media_parts: usize,
}

/// Content-part and block types that carry media rather than text.
fn is_media_type(t: &str) -> bool {
    matches!(
        t,
        "image_url"
            | "image"
            | "input_image"
            | "input_audio"
            | "audio"
            | "file"
            | "document"
            | "input_file"
    )
}

pub fn extract(provider: Provider, body: &[u8]) -> Result<Extracted, InspectError> {
    let text = std::str::from_utf8(body).map_err(|_| InspectError::InvalidUtf8)?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| InspectError::Malformed(e.to_string()))?;
    let obj = value
        .as_object()
        .ok_or_else(|| InspectError::Shape("the body must be a JSON object".into()))?;
    let model = match obj.get("model") {
        Some(Value::String(m)) => Some(m.clone()),
        Some(_) => return Err(InspectError::Shape("\"model\" must be a string".into())),
        None => None,
    };
    let stream = matches!(obj.get("stream"), Some(Value::Bool(true)));
    match obj.get("messages") {
        Some(Value::Array(_)) => {}
        _ => return Err(InspectError::Shape("\"messages\" must be an array".into())),
    }
    let _ = provider; // both formats are walked the same way; the provider shapes the replies.
    Ok(walk(value, model, stream, body.len()))
}

/// A response body (JSON): every string value is inspected; no shape is required.
pub fn extract_response(body: &[u8]) -> Result<Extracted, InspectError> {
    let text = std::str::from_utf8(body).map_err(|_| InspectError::InvalidUtf8)?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| InspectError::Malformed(e.to_string()))?;
    let model = value
        .get("model")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(walk(value, model, false, body.len()))
}

/// Collect every string of a parsed body into the virtual document.
fn walk(value: Value, model: Option<String>, stream: bool, size: usize) -> Extracted {
    let mut out = Extracted {
        body: Value::Null,
        model,
        stream,
        doc: String::with_capacity(size),
        pieces: Vec::new(),
        media_parts: 0,
    };
    let mut value_index = 0usize;
    collect(&value, &mut out, &mut value_index);
    out.body = value;
    out
}

fn push_piece(out: &mut Extracted, s: &str, value_index: Option<usize>) {
    if !out.doc.is_empty() {
        out.doc.push('\n');
    }
    out.pieces.push(Piece {
        doc_start: out.doc.len() as u32,
        len: s.len() as u32,
        value_index,
    });
    out.doc.push_str(s);
}

fn collect(v: &Value, out: &mut Extracted, idx: &mut usize) {
    match v {
        Value::String(s) => {
            if !s.is_empty() {
                push_piece(out, s, Some(*idx));
            }
            *idx += 1;
        }
        Value::Array(a) => {
            for x in a {
                collect(x, out, idx);
            }
        }
        Value::Object(m) => {
            if let Some(Value::String(t)) = m.get("type") {
                if is_media_type(t) {
                    out.media_parts += 1;
                }
            }
            for (k, x) in m {
                if k.len() > 24 || k.bytes().any(|b| !(b.is_ascii_alphanumeric() || b == b'_')) {
                    push_piece(out, k, None);
                }
                // Inline media data (base64 images, data: URLs) is counted, not scanned as text.
                if let Value::String(s) = x {
                    if (k == "data" && m.get("type").and_then(Value::as_str) == Some("base64"))
                        || (k == "url" && s.starts_with("data:"))
                    {
                        *idx += 1;
                        continue;
                    }
                }
                collect(x, out, idx);
            }
        }
        _ => {}
    }
}

/// Replace byte ranges of string values (by value index) and return the new body.
/// `edits` are (value_index, start, end, replacement), in any order.
pub fn apply_edits(
    body: &mut Value,
    edits: &mut [(usize, usize, usize, String)],
) -> Result<Vec<u8>, InspectError> {
    // Overlapping edits of one string are merged into one covering their union (the first
    // placeholder stands for it), so no edit ever cuts into another's replacement.
    edits.sort_by_key(|a| (a.0, a.1, std::cmp::Reverse(a.2)));
    let mut merged: Vec<(usize, usize, usize, String)> = Vec::with_capacity(edits.len());
    for e in edits.iter() {
        match merged.last_mut() {
            Some(last) if last.0 == e.0 && e.1 < last.2 => last.2 = last.2.max(e.2),
            _ => merged.push(e.clone()),
        }
    }
    // Apply from the back of each string so earlier offsets stay valid.
    merged.sort_by_key(|a| (a.0, std::cmp::Reverse(a.1)));
    let mut idx = 0usize;
    let mut cursor = 0usize;
    edit_walk(body, &merged, &mut idx, &mut cursor);
    serde_json::to_vec(body).map_err(|e| InspectError::Scan(e.to_string()))
}

fn edit_walk(
    v: &mut Value,
    edits: &[(usize, usize, usize, String)],
    idx: &mut usize,
    cur: &mut usize,
) {
    match v {
        Value::String(s) => {
            while let Some((vi, start, end, rep)) = edits.get(*cur) {
                if *vi != *idx {
                    break;
                }
                if *start <= *end
                    && *end <= s.len()
                    && s.is_char_boundary(*start)
                    && s.is_char_boundary(*end)
                {
                    s.replace_range(*start..*end, rep);
                }
                *cur += 1;
            }
            *idx += 1;
        }
        Value::Array(a) => {
            for x in a {
                edit_walk(x, edits, idx, cur);
            }
        }
        Value::Object(m) => {
            let is_b64 = m.get("type").and_then(Value::as_str) == Some("base64");
            for (k, x) in m.iter_mut() {
                if let Value::String(s) = x {
                    if (k == "data" && is_b64) || (k == "url" && s.starts_with("data:")) {
                        *idx += 1;
                        continue;
                    }
                }
                edit_walk(x, edits, idx, cur);
            }
        }
        _ => {}
    }
}

/// JSON pointer of the string value with this index (for audit records).
pub fn pointer_of(v: &Value, target: usize) -> Option<String> {
    fn walk(v: &Value, target: usize, idx: &mut usize, path: &mut Vec<String>) -> bool {
        match v {
            Value::String(_) => {
                let hit = *idx == target;
                *idx += 1;
                hit
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(i.to_string());
                    if walk(x, target, idx, path) {
                        return true;
                    }
                    path.pop();
                }
                false
            }
            Value::Object(m) => {
                for (k, x) in m {
                    path.push(k.clone());
                    if walk(x, target, idx, path) {
                        return true;
                    }
                    path.pop();
                }
                false
            }
            _ => false,
        }
    }
    let mut idx = 0;
    let mut path = Vec::new();
    if walk(v, target, &mut idx, &mut path) {
        Some(format!("/{}", path.join("/")))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_texts_all_found() {
        let body = br#"{"model":"gpt-4o","stream":true,"messages":[{"role":"system","content":"sys"},
            {"role":"user","content":[{"type":"text","text":"hello"}]},
            {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"q\":\"arg\"}"}}]}],
            "tools":[{"type":"function","function":{"name":"f","description":"tool desc","parameters":{}}}]}"#;
        let e = extract(Provider::Openai, body).unwrap();
        assert_eq!(e.model.as_deref(), Some("gpt-4o"));
        assert!(e.stream);
        for t in ["sys", "hello", "{\"q\":\"arg\"}", "tool desc"] {
            assert!(e.doc.contains(t), "{t} missing from {}", e.doc);
        }
    }

    #[test]
    fn malformed_and_shapes() {
        assert!(matches!(
            extract(Provider::Openai, b"{"),
            Err(InspectError::Malformed(_))
        ));
        assert!(matches!(
            extract(Provider::Openai, b"[1]"),
            Err(InspectError::Shape(_))
        ));
        assert!(matches!(
            extract(Provider::Openai, b"{\"model\":\"m\"}"),
            Err(InspectError::Shape(_))
        ));
        assert!(matches!(
            extract(Provider::Openai, b"{\"a\":\"\xff\"}"),
            Err(InspectError::InvalidUtf8)
        ));
    }

    #[test]
    fn edits_replace_the_right_string() {
        let body =
            br#"{"model":"m","messages":[{"role":"user","content":"my ssn is 123-45-6789 ok"}]}"#;
        let mut e = extract(Provider::Openai, body).unwrap();
        let piece = e
            .pieces
            .iter()
            .find(|p| e.doc[p.doc_start as usize..].starts_with("my ssn"))
            .unwrap();
        let vi = piece.value_index.unwrap();
        let mut edits = vec![(vi, 10, 21, "[REDACTED:SSN]".to_string())];
        let out = apply_edits(&mut e.body, &mut edits).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("my ssn is [REDACTED:SSN] ok"), "{s}");
        assert_eq!(
            pointer_of(&e.body, vi).as_deref(),
            Some("/messages/0/content")
        );
    }

    #[test]
    fn overlapping_edits_merge() {
        let body = br#"{"model":"m","messages":[{"role":"user","content":"aaa 123-45-6789 bbb"}]}"#;
        let mut e = extract(Provider::Openai, body).unwrap();
        let vi = e
            .pieces
            .iter()
            .find(|p| p.value_index.is_some() && e.doc[p.doc_start as usize..].starts_with("aaa"))
            .unwrap()
            .value_index
            .unwrap();
        let mut edits = vec![
            (vi, 4, 15, "[R:A]".to_string()),
            (vi, 8, 19, "[R:B]".to_string()),
            (vi, 0, 3, "[R:C]".to_string()),
        ];
        let out = String::from_utf8(apply_edits(&mut e.body, &mut edits).unwrap()).unwrap();
        assert!(out.contains(r#""[R:C] [R:A]""#), "{out}");
    }

    #[test]
    fn media_counted_not_scanned() {
        let body = br#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}"#;
        let e = extract(Provider::Openai, body).unwrap();
        assert_eq!(e.media_parts, 1);
        assert!(!e.doc.contains("data:image"));
    }
}
