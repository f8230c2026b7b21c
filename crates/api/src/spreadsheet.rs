//! CSV as spreadsheets open it. A cell that starts with `=`, `+`, `-` or `@` (or a tab or
//! carriage return) is a formula to Excel, LibreOffice and Google Sheets, which run
//! `=HYPERLINK(…)` or `@SUM(…)` from a file a caller's name or a contact's email put there.
//! Such text gets a leading apostrophe, which spreadsheets read as "this is text". Plain numbers
//! (`+15551234567`, `+1 555 0100`, `-3.5`) are left alone: they hold nothing a spreadsheet could
//! run, not even arithmetic.

use std::borrow::Cow;

/// The text, made inert for a spreadsheet.
pub fn inert(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A cell as it was before [`inert`] (a file exported here and imported again reads the same).
pub fn as_written(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if inert(rest).len() > rest.len() => rest,
        _ => cell,
    }
}

fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ' ')
        && digits.matches('.').count() <= 1
}

/// Append one CSV field (RFC 4180: quoted when it holds a comma, quote or line break), inert.
pub fn field(out: &mut String, value: &str) {
    let value = inert(value);
    if value.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&value);
    }
}

/// Append a CSV line of fields, ended by CRLF.
pub fn line<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, f.as_ref());
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for payload in [
            "=HYPERLINK(\"http://x\")",
            "@SUM(1)",
            "+cmd",
            "-1+1",
            "\t=1",
            "=1",
        ] {
            assert_eq!(inert(payload), format!("'{payload}"), "{payload}");
        }
        for plain in [
            "+15551234567",
            "+1 555 0100",
            "-3.5",
            "42",
            "Acme",
            "a=b",
            "",
        ] {
            assert_eq!(inert(plain), plain);
        }
        for text in ["=1", "+cmd", "'quoted", "'", "+15551234567"] {
            assert_eq!(as_written(&inert(text)), text);
        }
        let mut out = String::new();
        line(&mut out, &["=1,2", "say \"hi\"", "+15551234567"]);
        assert_eq!(out, "\"'=1,2\",\"say \"\"hi\"\"\",+15551234567\r\n");
    }

    proptest! {
        /// Whatever the text, the cell a spreadsheet reads never starts a formula.
        #[test]
        fn no_cell_starts_a_formula(text in "\\PC{0,20}") {
            let cell = inert(&text);
            prop_assert!(!cell.starts_with(['=', '@', '\t', '\r']));
            if cell.starts_with(['+', '-']) {
                prop_assert!(is_plain_number(&cell));
            }
        }
    }
}
