//! A strict RIFF/WAVE reader: enough to refuse what is not a playable PCM (or G.711) file before
//! it is stored, and to learn its duration.

use crate::values::InvalidValue;

/// What a valid file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WavInfo {
    /// 1 PCM, 6 A-law, 7 µ-law.
    pub format: u16,
    pub channels: u16,
    pub sample_rate: u32,
    pub bits_per_sample: u16,
    pub duration_ms: u64,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn bad<T>(why: &str) -> Result<T, InvalidValue> {
    Err(InvalidValue(why.to_owned()))
}

/// Parse a whole file. Every chunk must fit inside the file; `fmt ` must come before `data`.
pub fn parse_wav(bytes: &[u8]) -> Result<WavInfo, InvalidValue> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return bad("not a WAV file (RIFF/WAVE header missing); upload a .wav recording");
    }
    let riff_len = u32_at(bytes, 4) as usize;
    if riff_len + 8 > bytes.len() {
        return bad("the WAV file is truncated (shorter than its RIFF header says)");
    }
    let end = riff_len + 8;
    let mut at = 12;
    let mut fmt: Option<(u16, u16, u32, u16, u16)> = None;
    while at + 8 <= end {
        let id = &bytes[at..at + 4];
        let len = u32_at(bytes, at + 4) as usize;
        let body = at + 8;
        if body + len > end {
            return bad("the WAV file is truncated (a chunk runs past its end)");
        }
        match id {
            b"fmt " => {
                if len < 16 {
                    return bad("the WAV format chunk is too short");
                }
                let format = u16_at(bytes, body);
                let channels = u16_at(bytes, body + 2);
                let rate = u32_at(bytes, body + 4);
                let block_align = u16_at(bytes, body + 12);
                let bits = u16_at(bytes, body + 14);
                fmt = Some((format, channels, rate, block_align, bits));
            }
            b"data" => {
                let Some((format, channels, sample_rate, block_align, bits)) = fmt else {
                    return bad("the WAV data chunk comes before its format chunk");
                };
                if !matches!(format, 1 | 6 | 7) {
                    return bad("only PCM, A-law and µ-law WAV files can be played on calls");
                }
                if channels == 0 || channels > 2 {
                    return bad("a WAV recording has one or two channels");
                }
                if !(8_000..=48_000).contains(&sample_rate) {
                    return bad("the WAV sample rate is between 8000 and 48000 Hz");
                }
                if !matches!(bits, 8 | 16 | 24 | 32) || block_align == 0 {
                    return bad("the WAV sample size is not one of 8, 16, 24 or 32 bits");
                }
                if len == 0 {
                    return bad("the WAV file holds no audio");
                }
                let bytes_per_second = u64::from(sample_rate) * u64::from(block_align);
                return Ok(WavInfo {
                    format,
                    channels,
                    sample_rate,
                    bits_per_sample: bits,
                    duration_ms: len as u64 * 1000 / bytes_per_second,
                });
            }
            _ => {}
        }
        // Chunks are padded to an even length.
        at = body + len + (len & 1);
    }
    bad("the WAV file has no audio data chunk")
}

/// A valid mono 16-bit PCM file of `samples` samples (for demo data and tests).
pub fn silent_wav(sample_rate: u32, samples: u32) -> Vec<u8> {
    let data_len = samples * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(&(sample_rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out.resize(44 + data_len as usize, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_a_valid_file() {
        let info = parse_wav(&silent_wav(8000, 16_000)).unwrap();
        assert_eq!(
            (info.channels, info.sample_rate, info.duration_ms),
            (1, 8000, 2000)
        );
    }

    #[test]
    fn refuses_truncated_and_foreign_files() {
        let wav = silent_wav(8000, 800);
        assert!(parse_wav(&wav[..wav.len() - 10]).is_err());
        assert!(parse_wav(&wav[..30]).is_err());
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(parse_wav(png).unwrap_err().0.contains("not a WAV"));
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_wav(&bytes);
        }

        #[test]
        fn never_panics_on_damaged_headers(at in 0usize..44, byte in any::<u8>()) {
            let mut wav = silent_wav(8000, 100);
            wav[at] = byte;
            let _ = parse_wav(&wav);
        }
    }
}
