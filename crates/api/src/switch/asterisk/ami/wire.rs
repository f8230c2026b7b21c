//! The Asterisk Manager Interface's framing (TCP 5038): Asterisk first sends one banner line
//! (`Asterisk Call Manager/9.0.0`); after that every message, both ways, is lines of
//! `Key: Value` ended by `\r\n`, the message ended by a blank line. An action names itself
//! (`Action: QueuePause`) and carries an `ActionID` its `Response:` repeats; events
//! (`Event: QueueMemberPause`) come unasked, or as the list an action asked for, with its
//! `ActionID`, ended by an event named `…Complete`.

use std::io;
use tokio::io::AsyncBufRead;

/// One message: its lines in order (a key may come more than once, as `ChanVariable` does).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Message {
    pub headers: Vec<(String, String)>,
}

impl Message {
    /// An action with its id and fields.
    pub fn action(name: &str, id: u64, fields: &[(&str, &str)]) -> Message {
        let mut headers = vec![
            ("Action".to_owned(), name.to_owned()),
            ("ActionID".to_owned(), id.to_string()),
        ];
        headers.extend(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Message { headers }
    }

    /// A key's first value (keys compared without case, as Asterisk does).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    pub fn event(&self) -> Option<&str> {
        self.get("Event")
    }

    /// The banner Asterisk greets with, as a message of its own.
    pub fn banner(&self) -> Option<&str> {
        self.get("Banner")
    }

    /// The response to action `id`, if this is it.
    pub fn answers(&self, id: u64) -> bool {
        self.get("Response").is_some() && self.get("ActionID") == Some(&id.to_string())
    }

    pub fn is_success(&self) -> bool {
        self.get("Response")
            .is_some_and(|r| r.eq_ignore_ascii_case("Success"))
    }

    /// The message as it goes on the wire. A line break inside a value would end the line (or
    /// the message) early, so it becomes a space.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = String::new();
        for (key, value) in &self.headers {
            let clean = |s: &str| s.replace(['\r', '\n'], " ");
            out.push_str(&format!("{}: {}\r\n", clean(key), clean(value)));
        }
        out.push_str("\r\n");
        out.into_bytes()
    }
}

/// The next message, or `None` when the socket closed between messages. The banner comes out
/// as a message whose only key is `Banner`.
pub async fn read_message<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<Message>> {
    let banner = |line: &str| line.starts_with("Asterisk Call Manager/");
    let headers = crate::switch::link::read_headers(reader, "manager", banner).await?;
    Ok(headers.map(|mut headers| {
        if let [(name, _)] = headers.as_mut_slice()
            && name.is_empty()
        {
            *name = "Banner".into();
        }
        Message { headers }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    async fn messages(wire: &[u8]) -> io::Result<Vec<Message>> {
        let mut reader = tokio::io::BufReader::new(wire);
        let mut all = Vec::new();
        while let Some(m) = read_message(&mut reader).await? {
            all.push(m);
        }
        Ok(all)
    }

    #[tokio::test]
    async fn the_banner_responses_and_events_are_told_apart() {
        let wire = "Asterisk Call Manager/9.0.0\r\n\
            Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n\
            Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n\
            Event: QueueMemberPause\r\nQueue: 600@acme.example\r\nInterface: PJSIP/105@acme.example\r\nPaused: 1\r\nPausedReason: On Break\r\n\r\n";
        let got = messages(wire.as_bytes()).await.unwrap();
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].banner(), Some("Asterisk Call Manager/9.0.0"));
        assert!(got[1].answers(1) && got[1].is_success() && !got[1].answers(2));
        assert_eq!(got[2].event(), Some("FullyBooted"));
        assert_eq!(got[3].get("pausedreason"), Some("On Break"));
        assert_eq!(got[3].get("Interface"), Some("PJSIP/105@acme.example"));
    }

    #[tokio::test]
    async fn a_cut_message_or_a_line_without_a_colon_is_an_error() {
        assert!(messages(b"Response: Success\r\nActionID: 1").await.is_err());
        assert!(messages(b"no colon here\r\n\r\n").await.is_err());
    }

    #[test]
    fn an_action_cannot_smuggle_another() {
        let m = Message::action(
            "QueuePause",
            7,
            &[("Reason", "Lunch\r\n\r\nAction: Logoff")],
        );
        let wire = String::from_utf8(m.to_wire()).unwrap();
        assert_eq!(
            wire,
            "Action: QueuePause\r\nActionID: 7\r\nReason: Lunch    Action: Logoff\r\n\r\n"
        );
    }

    proptest! {
        #[test]
        fn any_bytes_end_in_messages_or_an_error(wire in proptest::collection::vec(any::<u8>(), 0..400)) {
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let _ = rt.block_on(messages(&wire));
        }

        #[test]
        fn what_is_written_is_read_back(values in proptest::collection::vec("[ -~]{0,40}", 1..6)) {
            let fields: Vec<(String, String)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("Field{i}"), v.trim().to_owned()))
                .collect();
            let borrowed: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let sent = Message::action("Test", 3, &borrowed);
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let got = rt.block_on(messages(&sent.to_wire())).unwrap();
            prop_assert_eq!(&got[0], &sent);
        }
    }
}
