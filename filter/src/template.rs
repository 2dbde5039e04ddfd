//! Endpoint paths: an exact path, or a template whose `{name}` placeholders stand for path
//! segment text (`/openai/deployments/{model}/chat/completions`,
//! `/v1beta/models/{model}:generateContent`).
//!
//! A placeholder matches one or more characters of `A-Z a-z 0-9 . _ - @ ~` and nothing else (no
//! `/`, `:`, `%` or space), so a template is matched without backtracking and a value never
//! spans segments, carries an encoding the upstream could read otherwise, or is made of dots
//! only (`..`). The `{model}` placeholder is the request's model: it is looked up in the
//! policy's `models` table instead of the body's `model`, and replaced by the destination's
//! upstream name when the request goes there. Every placeholder's value goes upstream in the
//! path, so it is scanned with the request head (complete mediation, docs/architecture.md).

/// The placeholder that holds the model.
pub const MODEL: &str = "model";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Var(String),
}

/// A compiled endpoint path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate {
    parts: Vec<Part>,
}

fn value_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@' | b'~')
}

impl PathTemplate {
    /// Parse a policy's endpoint path. Errors say what is wrong, for the policy check.
    pub fn parse(path: &str) -> Result<PathTemplate, String> {
        if !path.starts_with('/') {
            return Err("must start with '/'".into());
        }
        if path.contains('?') || path.contains('#') {
            return Err("a path has no query or fragment ('?', '#')".into());
        }
        let mut parts = Vec::new();
        let mut rest = path;
        while !rest.is_empty() {
            match rest.find('{') {
                Some(0) => {
                    let end = rest
                        .find('}')
                        .ok_or_else(|| "a '{' without its '}'".to_string())?;
                    let name = rest.get(1..end).unwrap_or("");
                    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    {
                        return Err(format!(
                            "placeholder {{{name}}} must be a lower-case name (a-z, '_')"
                        ));
                    }
                    if matches!(parts.last(), Some(Part::Var(_))) {
                        return Err("two placeholders need text between them".into());
                    }
                    if parts.iter().any(|p| matches!(p, Part::Var(n) if n == name)) {
                        return Err(format!("placeholder {{{name}}} is used twice"));
                    }
                    parts.push(Part::Var(name.to_string()));
                    rest = rest.get(end + 1..).unwrap_or("");
                }
                found => {
                    let end = found.unwrap_or(rest.len());
                    let lit = rest.get(..end).unwrap_or("");
                    if lit.contains('}') {
                        return Err("a '}' without its '{'".into());
                    }
                    parts.push(Part::Lit(lit.to_string()));
                    rest = rest.get(end..).unwrap_or("");
                }
            }
        }
        Ok(PathTemplate { parts })
    }

    /// Whether the template has no placeholder (matched exactly).
    pub fn is_exact(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Lit(_)))
    }

    /// Whether the template has a `{model}` placeholder.
    pub fn has_model(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Var(n) if n == MODEL))
    }

    /// The placeholders' values if `path` (without its query) matches.
    pub fn matches<'s, 'p>(&'s self, path: &'p str) -> Option<Vec<(&'s str, &'p str)>> {
        let mut caps = Vec::new();
        let mut rest = path;
        for part in &self.parts {
            match part {
                Part::Lit(l) => rest = rest.strip_prefix(l.as_str())?,
                Part::Var(name) => {
                    let n = rest.bytes().take_while(|&b| value_byte(b)).count();
                    let value = rest.get(..n)?;
                    if value.is_empty() || value.bytes().all(|b| b == b'.') {
                        return None;
                    }
                    caps.push((name.as_str(), value));
                    rest = rest.get(n..)?;
                }
            }
        }
        rest.is_empty().then_some(caps)
    }

    /// The path with these values (a placeholder without one gets "").
    pub fn render(&self, values: &[(&str, &str)]) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(l) => out.push_str(l),
                Part::Var(name) => out.push_str(
                    values
                        .iter()
                        .find(|(n, _)| n == name)
                        .map_or("", |(_, v)| v),
                ),
            }
        }
        out
    }

    /// Whether a model name can stand in a `{model}` placeholder (an upstream name a destination
    /// gets in the path).
    pub fn valid_value(value: &str) -> bool {
        !value.is_empty() && value.bytes().all(value_byte) && !value.bytes().all(|b| b == b'.')
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn exact_paths_and_templates() {
        let t = PathTemplate::parse("/v1/chat/completions").unwrap();
        assert!(t.is_exact() && !t.has_model());
        assert_eq!(t.matches("/v1/chat/completions"), Some(vec![]));
        assert_eq!(t.matches("/v1/chat/completions/"), None);
        assert_eq!(t.matches("/v1/chat"), None);

        let t = PathTemplate::parse("/openai/deployments/{model}/chat/completions").unwrap();
        assert!(!t.is_exact() && t.has_model());
        assert_eq!(
            t.matches("/openai/deployments/gpt-4o/chat/completions"),
            Some(vec![("model", "gpt-4o")])
        );
        for bad in [
            "/openai/deployments//chat/completions",
            "/openai/deployments/a/b/chat/completions",
            "/openai/deployments/../chat/completions",
            "/openai/deployments/gpt%2D4o/chat/completions",
            "/openai/deployments/gpt 4o/chat/completions",
            "/openai/deployments/gpt-4o/chat/completions/x",
        ] {
            assert_eq!(t.matches(bad), None, "{bad}");
        }

        let t = PathTemplate::parse("/v1beta/models/{model}:generateContent").unwrap();
        assert_eq!(
            t.matches("/v1beta/models/gemini-2.5-flash:generateContent"),
            Some(vec![("model", "gemini-2.5-flash")])
        );
        assert_eq!(
            t.matches("/v1beta/models/gemini-2.5-flash:streamGenerateContent"),
            None
        );
        assert_eq!(t.matches("/v1beta/models/a:b:generateContent"), None);

        let t = PathTemplate::parse(
            "/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:countTokens",
        )
        .unwrap();
        let caps = t
            .matches("/v1/projects/p-1/locations/us-east4/publishers/google/models/gemini-2.5-flash:countTokens")
            .unwrap();
        assert_eq!(
            caps,
            [
                ("project", "p-1"),
                ("location", "us-east4"),
                ("model", "gemini-2.5-flash")
            ]
        );
        let mut values = caps.clone();
        values[2].1 = "gemini-2.5-pro";
        assert_eq!(
            t.render(&values),
            "/v1/projects/p-1/locations/us-east4/publishers/google/models/gemini-2.5-pro:countTokens"
        );
    }

    #[test]
    fn bad_templates_are_refused() {
        for bad in [
            "v1/x",
            "/v1/{model",
            "/v1/model}",
            "/v1/{}",
            "/v1/{Model}",
            "/v1/{a}{b}",
            "/v1/{a}/{a}",
            "/v1/x?y=1",
        ] {
            assert!(PathTemplate::parse(bad).is_err(), "{bad}");
        }
        assert!(PathTemplate::valid_value("gpt-4o_2.x@1"));
        for bad in ["", "..", "a/b", "a:b", "a%2f"] {
            assert!(!PathTemplate::valid_value(bad), "{bad}");
        }
    }
}
