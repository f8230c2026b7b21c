//! The XML documents `mod_xml_curl` reads (`<document type="freeswitch/xml">`), written with
//! every attribute value escaped.

use std::fmt::Write;

/// A document under construction: elements opened and closed in order.
pub struct Doc {
    out: String,
    open: Vec<&'static str>,
}

impl Doc {
    /// `<document type="freeswitch/xml"><section name="…">`.
    pub fn section(name: &str) -> Doc {
        let mut doc = Doc {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"),
            open: Vec::new(),
        };
        doc.open("document", &[("type", "freeswitch/xml")]);
        doc.open("section", &[("name", name), ("description", "Switchboard")]);
        doc
    }

    fn tag(&mut self, name: &'static str, attrs: &[(&str, &str)], empty: bool) {
        self.out.push_str(&"  ".repeat(self.open.len()));
        let _ = write!(self.out, "<{name}");
        for (key, value) in attrs {
            let _ = write!(self.out, " {key}=\"{}\"", escape(value));
        }
        self.out.push_str(if empty { "/>\n" } else { ">\n" });
    }

    pub fn open(&mut self, name: &'static str, attrs: &[(&str, &str)]) -> &mut Doc {
        self.tag(name, attrs, false);
        self.open.push(name);
        self
    }

    pub fn leaf(&mut self, name: &'static str, attrs: &[(&str, &str)]) -> &mut Doc {
        self.tag(name, attrs, true);
        self
    }

    /// `<param name= value=/>`, the shape of every setting FreeSWITCH reads.
    pub fn param(&mut self, name: &str, value: &str) -> &mut Doc {
        self.leaf("param", &[("name", name), ("value", value)])
    }

    pub fn close(&mut self) -> &mut Doc {
        if let Some(name) = self.open.pop() {
            self.out.push_str(&"  ".repeat(self.open.len()));
            let _ = writeln!(self.out, "</{name}>");
        }
        self
    }

    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

/// The answer that lets FreeSWITCH go on to its next binding or its own files without logging
/// an error: unknown users, sections and configurations.
pub fn not_found() -> String {
    let mut doc = Doc::section("result");
    doc.leaf("result", &[("status", "not found")]);
    doc.finish()
}

pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no way to carry other control characters.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_values_are_escaped() {
        let mut doc = Doc::section("directory");
        doc.open("domain", &[("name", "a&b")])
            .param("x", "<\"'>\u{1}")
            .close();
        let xml = doc.finish();
        assert!(xml.contains("name=\"a&amp;b\""), "{xml}");
        assert!(
            xml.contains("value=\"&lt;&quot;&apos;&gt;\u{FFFD}\""),
            "{xml}"
        );
        assert!(xml.trim_end().ends_with("</document>"), "{xml}");
    }
}
