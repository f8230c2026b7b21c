//! One CSV line at a time, with one reader for the whole file.

/// Splits CSV lines into fields with one reader for the whole file (building a reader per line
/// was most of an import's time).
pub(crate) struct LineSplitter {
    reader: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl LineSplitter {
    pub(crate) fn new() -> LineSplitter {
        LineSplitter {
            reader: csv_core::Reader::new(),
            out: vec![0; 4096],
            ends: vec![0; 64],
        }
    }

    pub(crate) fn fields(&mut self, line: &str) -> Option<Vec<String>> {
        use csv_core::ReadRecordResult::*;
        self.reader.reset();
        let (mut input, mut out_at, mut ends_at, mut finishing) = (line.as_bytes(), 0, 0, false);
        loop {
            let (result, read, wrote, ended) =
                self.reader
                    .read_record(input, &mut self.out[out_at..], &mut self.ends[ends_at..]);
            input = &input[read..];
            out_at += wrote;
            ends_at += ended;
            match result {
                InputEmpty if !finishing => finishing = true,
                InputEmpty => return None,
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Record => break,
                End => return None,
            }
        }
        let mut start = 0;
        let fields = self.ends[..ends_at]
            .iter()
            .map(|&end| {
                let field = String::from_utf8_lossy(&self.out[start..end]).into_owned();
                start = end;
                field
            })
            .collect();
        Some(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_split_like_csv() {
        let mut split = LineSplitter::new();
        assert_eq!(
            split.fields(r#""a","b ""c""",,3"#).unwrap(),
            ["a", r#"b "c""#, "", "3"]
        );
        assert_eq!(
            split.fields("x,y").unwrap(),
            ["x", "y"],
            "the reader is reused"
        );
        let long = vec!["field"; 200].join(",");
        assert_eq!(split.fields(&long).unwrap().len(), 200, "buffers grow");
    }
}
