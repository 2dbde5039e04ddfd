//! Reversible masking: a value of a `mask` label is replaced by a placeholder on the way to the
//! model and put back in the answer, for the caller only.
//!
//! A placeholder is `[MASKED:TAG:N]`: TAG is the finding's tag or label (letters, digits and
//! `_`), N counts the request's distinct masked values from 1. One value gets one placeholder
//! however often it occurs, so the model can refer to it consistently. The table lives with the
//! request and ends with it: the values are never sent upstream, never written to the audit
//! record, and never shared between requests.

use std::borrow::Cow;

/// What every placeholder starts with.
pub const PREFIX: &str = "[MASKED:";
/// Longest tag kept in a placeholder (longer tags are cut).
const MAX_TAG: usize = 24;

/// One request's placeholders and the values they stand for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Masks {
    entries: Vec<(String, String)>,
}

impl Masks {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The placeholder for `value` (found as `tag`): the one it already has, or a new one.
    pub fn assign(&mut self, tag: &str, value: &str) -> String {
        if let Some((p, _)) = self.entries.iter().find(|(_, v)| v == value) {
            return p.clone();
        }
        let mut p = String::with_capacity(PREFIX.len() + tag.len() + 8);
        p.push_str(PREFIX);
        let mut kept = 0;
        for c in tag.chars() {
            if kept == MAX_TAG {
                break;
            }
            let c = c.to_ascii_uppercase();
            p.push(if c.is_ascii_alphanumeric() { c } else { '_' });
            kept += 1;
        }
        if kept == 0 {
            p.push('X');
        }
        p.push(':');
        p.push_str(&(self.entries.len() + 1).to_string());
        p.push(']');
        self.entries.push((p.clone(), value.to_string()));
        p
    }

    fn value_of(&self, placeholder: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(p, _)| p == placeholder)
            .map(|(_, v)| v.as_str())
    }

    /// `text` with every placeholder of this request replaced by its value.
    pub fn restore<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.replace(text, |v, out| out.push_str(v))
    }

    /// A serialized JSON body with every placeholder replaced by its value, JSON-escaped (a
    /// placeholder holds no character JSON escapes, so it appears in the body as it is).
    pub fn restore_json<'t>(&self, body: &'t str) -> Cow<'t, str> {
        self.replace(body, |v, out| {
            let quoted = serde_json::Value::from(v).to_string();
            out.push_str(quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or(""));
        })
    }

    fn replace<'t>(&self, text: &'t str, write: impl Fn(&str, &mut String)) -> Cow<'t, str> {
        if self.entries.is_empty() || !text.contains(PREFIX) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + 64);
        let mut rest = text;
        while let Some(at) = rest.find(PREFIX) {
            let (before, from) = rest.split_at(at);
            out.push_str(before);
            let end = from.find(']').map(|e| e + 1);
            match end
                .and_then(|e| from.get(..e))
                .and_then(|p| self.value_of(p))
            {
                Some(v) => {
                    write(v, &mut out);
                    rest = from.get(end.unwrap_or(0)..).unwrap_or("");
                }
                None => {
                    out.push_str(PREFIX);
                    rest = from.get(PREFIX.len()..).unwrap_or("");
                }
            }
        }
        out.push_str(rest);
        Cow::Owned(out)
    }

    /// Where a placeholder that `text` ends in the middle of begins (`text.len()` if none): a
    /// stream holds that tail back until the next delta completes or rules it out.
    pub fn partial_tail(&self, text: &str) -> usize {
        if self.entries.is_empty() {
            return text.len();
        }
        let Some(at) = text.rfind('[') else {
            return text.len();
        };
        let tail = text.get(at..).unwrap_or("");
        let could_be = self
            .entries
            .iter()
            .any(|(p, _)| p.len() > tail.len() && p.starts_with(tail));
        if could_be {
            at
        } else {
            text.len()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn one_placeholder_per_value() {
        let mut m = Masks::default();
        assert_eq!(m.assign("SSN", "148-36-7725"), "[MASKED:SSN:1]");
        assert_eq!(m.assign("email", "a@b.example"), "[MASKED:EMAIL:2]");
        assert_eq!(m.assign("SSN", "148-36-7725"), "[MASKED:SSN:1]");
        assert_eq!(m.assign("", "x"), "[MASKED:X:3]");
        assert_eq!(m.assign("dod id/edipi", "y"), "[MASKED:DOD_ID_EDIPI:4]");
        assert_eq!(m.len(), 4);
    }

    #[test]
    fn restores_only_its_own_placeholders() {
        let mut m = Masks::default();
        m.assign("SSN", "148-36-7725");
        assert_eq!(
            m.restore("yours is [MASKED:SSN:1], not [MASKED:SSN:2] or [MASKED:SSN:1"),
            "yours is 148-36-7725, not [MASKED:SSN:2] or [MASKED:SSN:1"
        );
        assert!(matches!(m.restore("nothing here"), Cow::Borrowed(_)));
        assert!(matches!(
            Masks::default().restore("[MASKED:SSN:1]"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn json_values_are_escaped() {
        let mut m = Masks::default();
        m.assign("NAME", "O\"Neil \\ x");
        let body = r#"{"text":"hi [MASKED:NAME:1]!"}"#;
        let out = m.restore_json(body);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["text"], "hi O\"Neil \\ x!");
    }

    #[test]
    fn a_split_placeholder_is_held() {
        let mut m = Masks::default();
        m.assign("SSN", "1");
        assert_eq!(m.partial_tail("ab [MAS"), 3);
        assert_eq!(m.partial_tail("ab ["), 3);
        assert_eq!(m.partial_tail("ab [MASKED:SSN:1"), 3);
        assert_eq!(m.partial_tail("ab [MASKED:SSN:1]"), 17);
        assert_eq!(m.partial_tail("ab [x"), 5);
        assert_eq!(Masks::default().partial_tail("ab ["), 4);
    }
}
