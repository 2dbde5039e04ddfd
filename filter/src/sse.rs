//! Server-sent events, parsed byte-wise across network reads: an event, a UTF-8 character or a
//! JSON value may be cut anywhere; only complete events come out.

/// One complete SSE event.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Event {
    /// The `event:` field, if any.
    pub name: Option<String>,
    /// The `data:` lines joined with '\n'.
    pub data: String,
    /// Whether the event had any field at all (comments-only events have none).
    pub has_fields: bool,
}

/// Accumulates bytes and yields complete events.
#[derive(Debug, Default)]
pub struct Parser {
    buf: Vec<u8>,
}

/// Largest event the parser holds before failing closed.
pub const MAX_EVENT_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SseError {
    #[error("server-sent event larger than {MAX_EVENT_BYTES} bytes")]
    TooLarge,
    #[error("server-sent event is not valid UTF-8")]
    InvalidUtf8,
}

impl Parser {
    pub fn new() -> Self {
        Parser::default()
    }

    /// Bytes received but not yet part of a complete event.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Feed bytes; complete events are appended to `out`.
    pub fn push(&mut self, data: &[u8], out: &mut Vec<Event>) -> Result<(), SseError> {
        self.buf.extend_from_slice(data);
        let mut start = 0;
        while let Some((end, next)) = find_boundary(&self.buf[start..]) {
            let raw = &self.buf[start..start + end];
            out.push(parse_event(raw)?);
            start += next;
        }
        self.buf.drain(..start);
        if self.buf.len() > MAX_EVENT_BYTES {
            return Err(SseError::TooLarge);
        }
        Ok(())
    }

    /// At end of stream: whatever is left, as a final event (a stream may end without a blank line).
    pub fn finish(&mut self) -> Result<Option<Event>, SseError> {
        if self.buf.iter().all(|b| b.is_ascii_whitespace()) {
            self.buf.clear();
            return Ok(None);
        }
        let raw = std::mem::take(&mut self.buf);
        parse_event(&raw).map(Some)
    }
}

/// End of the event's text and start of the next event: a blank line (LF LF, CR LF CR LF, CR CR).
fn find_boundary(b: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                if b.get(i + 1) == Some(&b'\n') {
                    return Some((i, i + 2));
                }
                if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') {
                    return Some((i, i + 3));
                }
            }
            b'\r' => {
                if b.get(i + 1) == Some(&b'\n')
                    && b.get(i + 2) == Some(&b'\r')
                    && b.get(i + 3) == Some(&b'\n')
                {
                    return Some((i, i + 4));
                }
                if b.get(i + 1) == Some(&b'\r') {
                    return Some((i, i + 2));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn parse_event(raw: &[u8]) -> Result<Event, SseError> {
    let text = std::str::from_utf8(raw).map_err(|_| SseError::InvalidUtf8)?;
    let mut ev = Event::default();
    let mut data: Vec<&str> = Vec::new();
    for line in text.split(['\n']) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.find(':') {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(' ').unwrap_or(v))
            }
            None => (line, ""),
        };
        ev.has_fields = true;
        match field {
            "event" => ev.name = Some(value.to_string()),
            "data" => data.push(value),
            _ => {}
        }
    }
    ev.data = data.join("\n");
    Ok(ev)
}

/// Serialize an event back to the wire.
pub fn encode(name: Option<&str>, data: &str, out: &mut Vec<u8>) {
    if let Some(n) = name {
        out.extend_from_slice(b"event: ");
        out.extend_from_slice(n.as_bytes());
        out.push(b'\n');
    }
    for line in data.split('\n') {
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_anywhere() {
        let stream = "event: a\ndata: {\"x\":\"h\u{e9}llo\"}\n\ndata: [DONE]\n\n".as_bytes();
        for cut in 0..stream.len() {
            let mut p = Parser::new();
            let mut out = Vec::new();
            // Cutting inside the 2-byte UTF-8 char must not break anything.
            p.push(&stream[..cut], &mut out).unwrap();
            p.push(&stream[cut..], &mut out).unwrap();
            assert_eq!(out.len(), 2, "cut at {cut}");
            assert_eq!(out[0].name.as_deref(), Some("a"));
            assert_eq!(out[0].data, "{\"x\":\"h\u{e9}llo\"}");
            assert_eq!(out[1].data, "[DONE]");
        }
    }

    #[test]
    fn crlf_comments_and_finish() {
        let mut p = Parser::new();
        let mut out = Vec::new();
        p.push(
            b": ping\r\n\r\ndata: a\r\ndata: b\r\n\r\ndata: tail",
            &mut out,
        )
        .unwrap();
        assert_eq!(out.len(), 2);
        assert!(!out[0].has_fields);
        assert_eq!(out[1].data, "a\nb");
        assert_eq!(p.finish().unwrap().unwrap().data, "tail");
    }

    #[test]
    fn roundtrip() {
        let mut b = Vec::new();
        encode(Some("x"), "1\n2", &mut b);
        assert_eq!(b, b"event: x\ndata: 1\ndata: 2\n\n");
        let mut p = Parser::new();
        let mut out = Vec::new();
        p.push(&[0xff, b'\n', b'\n'], &mut out).unwrap_err();
    }
}
