//! Whatever a file holds, decoding it never panics: each line is a call, nothing, or an error.

use proptest::prelude::*;
use switchboard_records::{Decoder, Extensions, Format};

fn decoder(format: Option<Format>) -> Decoder {
    let tz = jiff::tz::TimeZone::get("America/Toronto").unwrap();
    let ext = Extensions::new(
        ["105".to_owned(), "107".to_owned()],
        [("600".to_owned(), "Sales".to_owned())],
    );
    Decoder::new(format, tz, ext)
}

const FORMATS: [Option<Format>; 5] = [
    None,
    Some(Format::JsonLines),
    Some(Format::AsteriskCsv),
    Some(Format::AsteriskQueueLog),
    Some(Format::FreeswitchCsv),
];

/// Fields that look like the real ones, so that lines get past the column count.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("105".to_owned()),
        Just("600".to_owned()),
        Just("Sales".to_owned()),
        Just("SIP/105-0000002a".to_owned()),
        Just("2026-03-08 02:30:00".to_owned()), // a time the spring-forward gap skips
        Just("2026-11-01 01:30:00".to_owned()), // and one the fall-back repeats
        Just("ANSWERED".to_owned()),
        Just("NO ANSWER".to_owned()),
        Just("NORMAL_CLEARING".to_owned()),
        Just("ENTERQUEUE".to_owned()),
        Just("CONNECT".to_owned()),
        Just("COMPLETECALLER".to_owned()),
        Just("ABANDON".to_owned()),
        Just("VoiceMail".to_owned()),
        Just("99999999999999999999".to_owned()),
        Just("-9223372036854775808".to_owned()),
        Just("9223372036854775807".to_owned()),
        Just("1700000000".to_owned()),
        "\\PC{0,12}",
    ]
}

fn csv_line(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(",")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(lines in prop::collection::vec("\\PC{0,300}", 1..8)) {
        for format in FORMATS {
            let mut d = decoder(format);
            for line in &lines {
                let _ = d.line(line);
            }
            let _ = d.unfinished();
        }
    }

    #[test]
    fn csv_lines_of_every_width_never_panic(
        lines in prop::collection::vec(prop::collection::vec(field(), 0..20), 1..6)
    ) {
        for format in FORMATS {
            let mut d = decoder(format);
            for fields in &lines {
                let _ = d.line(&csv_line(fields));
            }
        }
    }

    #[test]
    fn queue_log_event_sequences_never_panic(
        events in prop::collection::vec(
            (field(), prop_oneof![Just("c1".to_owned()), Just("c2".to_owned()), Just("NONE".to_owned())],
             field(), field(), field(), field(), field()),
            1..12,
        )
    ) {
        let mut d = decoder(Some(Format::AsteriskQueueLog));
        for (time, call, queue, agent, event, d1, d2) in &events {
            let _ = d.line(&[time, call, queue, agent, event, d1, d2].map(String::as_str).join("|"));
        }
    }
}

#[test]
fn a_queue_log_call_comes_out_when_it_ends() {
    let mut d = decoder(None);
    assert_eq!(
        d.line("1772460000|c1|Sales|NONE|ENTERQUEUE||5551234|1"),
        Ok(None)
    );
    assert_eq!(d.format(), Some(Format::AsteriskQueueLog));
    assert_eq!(
        d.line("1772460010|c1|Sales|SIP/105|CONNECT|10|c1.1|3"),
        Ok(None)
    );
    assert_eq!(d.unfinished(), 1);
    let call = d
        .line("1772460070|c1|Sales|SIP/105|COMPLETECALLER|10|60|1")
        .unwrap()
        .expect("the call ended");
    assert_eq!(call.queue.as_deref(), Some("600"));
    assert_eq!(call.agent.as_deref(), Some("105"));
    assert_eq!(call.from, "5551234");
    assert_eq!(call.answered_at.as_deref(), Some("2026-03-02T14:00:10Z"));
    assert_eq!(d.unfinished(), 0);
    // A call whose ENTERQUEUE is in the previous (rotated) file: rebuilt from its end, partial.
    let partial = d
        .line("1772460080|c9|Sales|SIP/105|COMPLETECALLER|20|40|1")
        .unwrap()
        .expect("a partial call");
    assert_eq!(
        (partial.started_at.as_str(), partial.answered_at.as_deref()),
        ("2026-03-02T14:00:20Z", Some("2026-03-02T14:00:40Z"))
    );
    assert_eq!(d.tally().partial, 1);
    assert!(
        d.line("1772460080|c9|Nowhere|NONE|ENTERQUEUE||1|1")
            .unwrap_err()
            .contains("Nowhere")
    );
}

#[test]
fn a_file_of_no_known_format_says_how_to_name_it() {
    let err = decoder(None).line("hello world").unwrap_err();
    assert!(err.contains("--format"), "{err}");
}
