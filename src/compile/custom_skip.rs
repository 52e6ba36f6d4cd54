//! Skipping a custom section as it streams past, without buffering it, while
//! still rejecting what makes it malformed: a name that overruns the section
//! or is not UTF-8.

use super::leb::LebU32;

/// The part of a skipped custom section that the next byte belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CustomSkip {
    /// Reading the name's length.
    NameLen(LebU32),
    /// Reading the name: `left` bytes to go.
    Name { left: u32, utf8: Utf8 },
    /// Past the name: the contents are ignored.
    Contents,
}

/// A malformed custom section: the message and the index, within the bytes
/// given to [`CustomSkip::advance`], of the byte that proves it.
pub(crate) type SkipError = (&'static str, usize);

impl CustomSkip {
    pub(crate) fn new() -> Self {
        CustomSkip::NameLen(LebU32::default())
    }

    /// Consumes `bytes`, all of which belong to the section, of which
    /// `section_left` bytes (including `bytes`) remain.
    pub(crate) fn advance(&mut self, bytes: &[u8], section_left: u32) -> Result<(), SkipError> {
        let mut at = 0;
        while at < bytes.len() {
            // Bytes of the section still to come after the current one.
            let after = section_left as usize - at - 1;
            match self {
                CustomSkip::NameLen(leb) => {
                    match leb.push(bytes[at]).map_err(|msg| (msg, at))? {
                        // wasmparser's cap on any string, so that skipping and
                        // keeping a custom section judge its name alike.
                        Some(len) if len > MAX_NAME_BYTES => {
                            return Err(("string size out of bounds", at));
                        }
                        Some(len) if len as usize > after => {
                            return Err(("custom section name overruns the section", at));
                        }
                        Some(len) => {
                            *self = CustomSkip::Name {
                                left: len,
                                utf8: Utf8::default(),
                            };
                            if len == 0 {
                                *self = CustomSkip::Contents;
                            }
                        }
                        None if after == 0 => {
                            return Err(("unexpected end of custom section name length", at));
                        }
                        None => {}
                    }
                    at += 1;
                }
                CustomSkip::Name { left, utf8 } => {
                    let take = (*left as usize).min(bytes.len() - at);
                    let chunk = &bytes[at..at + take];
                    utf8.check(chunk).map_err(|i| (MALFORMED_UTF8, at + i))?;
                    *left -= take as u32;
                    at += take;
                    if *left == 0 {
                        if !utf8.is_complete() {
                            return Err((MALFORMED_UTF8, at - 1));
                        }
                        *self = CustomSkip::Contents;
                    }
                }
                CustomSkip::Contents => return Ok(()),
            }
        }
        Ok(())
    }

    /// Whether the section may end here (its name is complete).
    pub(crate) fn may_end(&self) -> bool {
        matches!(self, CustomSkip::Contents)
    }
}

/// wasmparser's `MAX_WASM_STRING_SIZE`.
const MAX_NAME_BYTES: u32 = 100_000;

const MALFORMED_UTF8: &str = "malformed UTF-8 encoding in custom section name";

/// A UTF-8 validator fed one byte at a time, so that the first byte that
/// cannot continue a valid string is found wherever the chunks split.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Utf8 {
    /// Continuation bytes still expected.
    need: u8,
    /// Allowed range of the next continuation byte (narrower after E0, ED,
    /// F0 and F4, which rule out overlong forms, surrogates and > U+10FFFF).
    lo: u8,
    hi: u8,
}

impl Utf8 {
    /// Checks `chunk`; returns the index of the first invalid byte.
    pub(crate) fn check(&mut self, chunk: &[u8]) -> Result<(), usize> {
        for (i, &byte) in chunk.iter().enumerate() {
            if !self.push(byte) {
                return Err(i);
            }
        }
        Ok(())
    }

    /// Whether the bytes so far end on a character boundary.
    pub(crate) fn is_complete(&self) -> bool {
        self.need == 0
    }

    fn push(&mut self, byte: u8) -> bool {
        if self.need > 0 {
            if byte < self.lo || byte > self.hi {
                return false;
            }
            self.need -= 1;
            (self.lo, self.hi) = (0x80, 0xbf);
            return true;
        }
        let (need, lo, hi) = match byte {
            0x00..=0x7f => (0, 0x80, 0xbf),
            0xc2..=0xdf => (1, 0x80, 0xbf),
            0xe0 => (2, 0xa0, 0xbf),
            0xe1..=0xec | 0xee..=0xef => (2, 0x80, 0xbf),
            0xed => (2, 0x80, 0x9f),
            0xf0 => (3, 0x90, 0xbf),
            0xf1..=0xf3 => (3, 0x80, 0xbf),
            0xf4 => (3, 0x80, 0x8f),
            _ => return false,
        };
        (self.need, self.lo, self.hi) = (need, lo, hi);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip_in_chunks(section: &[u8], chunk: usize) -> Result<bool, SkipError> {
        let mut skip = CustomSkip::new();
        let mut left = section.len() as u32;
        for (i, piece) in section.chunks(chunk).enumerate() {
            skip.advance(piece, left)
                .map_err(|(m, at)| (m, i * chunk + at))?;
            left -= piece.len() as u32;
        }
        Ok(skip.may_end())
    }

    #[test]
    fn accepts_split_utf8_names() {
        let mut section = alloc::vec![6];
        section.extend_from_slice("héé".as_bytes()); // 1 + 2 + 2 bytes
        section.push(b'x');
        section.extend_from_slice(b"payload");
        for chunk in 1..section.len() {
            assert_eq!(skip_in_chunks(&section, chunk), Ok(true), "chunk {chunk}");
        }
    }

    #[test]
    fn rejects_bad_utf8_at_the_same_offset_for_every_chunking() {
        let section = [4, b'a', 0xc3, 0x28, b'b'];
        for chunk in 1..=section.len() {
            let err = skip_in_chunks(&section, chunk).unwrap_err();
            assert_eq!(err.1, 3, "chunk {chunk}");
        }
    }

    #[test]
    fn rejects_name_overrunning_section() {
        assert_eq!(skip_in_chunks(&[5, b'a'], 1).unwrap_err().1, 0);
    }

    #[test]
    fn rejects_names_over_wasmparsers_string_limit() {
        // 100 001 as LEB128: 0xa1 0x8d 0x06.
        let mut section = alloc::vec![0xa1, 0x8d, 0x06];
        section.resize(3 + 100_001, b'a');
        assert_eq!(
            skip_in_chunks(&section, 7).unwrap_err(),
            ("string size out of bounds", 2)
        );
        let mut at_limit = alloc::vec![0xa0, 0x8d, 0x06];
        at_limit.resize(3 + 100_000, b'a');
        assert_eq!(skip_in_chunks(&at_limit, 7), Ok(true));
    }

    #[test]
    fn truncated_sequence_at_name_end_is_malformed() {
        assert!(skip_in_chunks(&[1, 0xc3, 0x28], 1).is_err());
    }
}
