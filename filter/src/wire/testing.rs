//! Test double of the stream scan for the formats' stream walkers: [`Seen`] records what a
//! walker hands over and releases every delta upper-cased, so a test sees both what the walker
//! took out of an event and where it put the released text back.

use serde_json::Value;

use super::{Deltas, Flush, StreamKey};

#[derive(Default)]
pub(crate) struct Seen {
    /// Every delta: (stream, text as handed over, whether the event ends the stream).
    pub deltas: Vec<(StreamKey, String, bool)>,
    /// Every flush: `all`, `index I`, or `except I N` (N: how many streams are excepted).
    pub flushes: Vec<String>,
    /// The token counts known so far (each reported count replaces the one before, as in the
    /// stream scan).
    pub usage: (Option<u64>, Option<u64>),
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
        text.make_ascii_uppercase();
        Ok(true)
    }

    fn flush(&mut self, which: Flush<'_>) -> Result<bool, String> {
        self.flushes.push(match which {
            Flush::All => "all".into(),
            Flush::Index(i) => format!("index {i}"),
            Flush::IndexExcept(i, k) => format!("except {i} {}", k.len()),
        });
        Ok(true)
    }

    fn usage(&mut self, input: Option<u64>, output: Option<u64>) {
        self.usage = (input.or(self.usage.0), output.or(self.usage.1));
    }
}
