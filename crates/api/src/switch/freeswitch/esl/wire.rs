//! The event socket's framing (`mod_event_socket`, inbound mode): each message is header lines
//! `Name: value`, a blank line, then `Content-Length` bytes of body when that header is there.
//! FreeSWITCH speaks first (`Content-Type: auth/request`); each command (`auth`, `event`,
//! `api`) is a line followed by a blank line and answers `command/reply` (`Reply-Text: +OK …`)
//! or, for `api`, `api/response` with the command's output as the body. Events arrive as
//! `text/event-plain`: a body that is itself header lines, their values URL-encoded.

use std::io;
use tokio::io::{AsyncBufRead, AsyncReadExt};

/// The longest body accepted: a socket speaking something else is dropped rather than read
/// without end.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// One message: its headers in order, and its body (empty when none).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Frame {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Frame {
    /// A header's value (names compared without case, as FreeSWITCH does).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn content_type(&self) -> &str {
        self.header("Content-Type").unwrap_or("")
    }

    /// A command's verdict: `Reply-Text` (or an `api` body) starting `+OK`.
    pub fn is_ok(&self) -> bool {
        let text = self.header("Reply-Text").unwrap_or(&self.body);
        text.trim_start().starts_with("+OK")
    }

    /// The event a `text/event-plain` body carries.
    pub fn event(&self) -> Frame {
        let (head, body) = match self.body.split_once("\n\n") {
            Some((head, body)) => (head, body),
            None => (self.body.as_str(), ""),
        };
        let headers = head
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| {
                (
                    name.trim().to_owned(),
                    super::super::percent_decode(value.trim()),
                )
            })
            .collect();
        Frame {
            headers,
            body: body.to_owned(),
        }
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// The next message, or `None` when the socket closed between messages.
pub async fn read_frame<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<Frame>> {
    let Some(headers) =
        crate::switch::link::read_headers(reader, "event socket", |_| false).await?
    else {
        return Ok(None);
    };
    let mut frame = Frame {
        headers,
        body: String::new(),
    };
    if let Some(length) = frame.header("Content-Length") {
        let length: usize = length
            .parse()
            .map_err(|_| invalid("an event socket Content-Length that is not a number"))?;
        if length > MAX_BODY {
            return Err(invalid("an event socket body is too long"));
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await?;
        frame.body = String::from_utf8_lossy(&body).into_owned();
    }
    Ok(Some(frame))
}

/// A command as it goes on the wire: one line, then a blank line. Line breaks inside would
/// start another command, so they are refused.
pub fn command(text: &str) -> io::Result<Vec<u8>> {
    if text.contains(['\r', '\n']) {
        return Err(invalid("an event socket command holds a line break"));
    }
    Ok(format!("{text}\n\n").into_bytes())
}

/// A value of a `callcenter_config` argument: single-quoted (FreeSWITCH's argument splitter
/// keeps what is inside quotes together), without quotes of its own.
pub fn quoted(value: &str) -> String {
    format!("'{}'", value.replace(['\'', '\r', '\n'], ""))
}

/// The rows of a `callcenter_config … list` answer: a header row of `|`-separated names, the
/// rows, then `+OK`. Each row as name → value.
pub fn list_rows(body: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = body.lines().filter(|l| !l.trim().is_empty());
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let names: Vec<&str> = header.split('|').collect();
    lines
        .take_while(|l| !l.starts_with("+OK") && !l.starts_with("-ERR"))
        .map(|row| {
            names
                .iter()
                .zip(row.split('|'))
                .map(|(n, v)| ((*n).to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    async fn frames(wire: &[u8]) -> io::Result<Vec<Frame>> {
        let mut reader = tokio::io::BufReader::new(wire);
        let mut all = Vec::new();
        while let Some(f) = read_frame(&mut reader).await? {
            all.push(f);
        }
        Ok(all)
    }

    #[tokio::test]
    async fn replies_responses_and_events_are_told_apart() {
        let event = "Event-Name: CUSTOM\nEvent-Subclass: callcenter%3A%3Ainfo\nCC-Action: agent-status-change\nCC-Agent: 105%40acme.example\nCC-Agent-Status: On%20Break\n\n";
        let wire = format!(
            "Content-Type: auth/request\n\nContent-Type: command/reply\nReply-Text: +OK accepted\n\n\
             Content-Type: api/response\nContent-Length: 4\n\n+OK\n\
             Content-Length: {}\nContent-Type: text/event-plain\n\n{event}",
            event.len()
        );
        let got = frames(wire.as_bytes()).await.unwrap();
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].content_type(), "auth/request");
        assert!(got[1].is_ok());
        assert_eq!(
            (got[2].content_type(), got[2].body.as_str()),
            ("api/response", "+OK\n")
        );
        let e = got[3].event();
        assert_eq!(e.header("Event-Subclass"), Some("callcenter::info"));
        assert_eq!(e.header("cc-agent"), Some("105@acme.example"));
        assert_eq!(e.header("CC-Agent-Status"), Some("On Break"));
    }

    #[tokio::test]
    async fn a_cut_message_or_a_lying_length_is_an_error() {
        assert!(
            frames(b"Content-Type: api/response\nContent-Length: 10\n\n+OK")
                .await
                .is_err()
        );
        assert!(frames(b"Content-Type: api/resp").await.is_err());
        assert!(frames(b"no colon here\n\n").await.is_err());
        assert!(frames(b"Content-Length: -1\n\n").await.is_err());
    }

    #[test]
    fn commands_are_one_line() {
        assert_eq!(command("api status").unwrap(), b"api status\n\n");
        assert!(command("auth x\n\napi fsctl shutdown").is_err());
        assert_eq!(quoted("On Break"), "'On Break'");
        assert_eq!(quoted("a'b"), "'ab'");
    }

    #[test]
    fn list_answers_read_as_rows() {
        let rows = list_rows(
            "queue|agent|state|level|position\n650@acme.example|105@acme.example|Ready|1|1\n+OK\n",
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["agent"], "105@acme.example");
        assert!(list_rows("+OK\n").is_empty());
    }

    proptest! {
        #[test]
        fn any_bytes_end_in_frames_or_an_error(wire in proptest::collection::vec(any::<u8>(), 0..400)) {
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let _ = rt.block_on(frames(&wire));
        }

        #[test]
        fn what_is_written_is_read_back(values in proptest::collection::vec("[ -~]{0,40}", 1..6)) {
            let headers: Vec<(String, String)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("X-Header-{i}"), v.trim().to_owned()))
                .collect();
            let mut wire = String::new();
            for (n, v) in &headers {
                wire.push_str(&format!("{n}: {v}\n"));
            }
            wire.push('\n');
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let got = rt.block_on(frames(wire.as_bytes())).unwrap();
            prop_assert_eq!(&got[0].headers, &headers);
        }
    }
}
