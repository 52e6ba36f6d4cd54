//! [`ChunkedDecoder`]: the sans-IO decoder of `Transfer-Encoding: chunked`.

use crate::error::TypeError;

/// Decodes a `Transfer-Encoding: chunked` body (RFC 9112 §7.1) as it
/// arrives, in place, without I/O and without a buffer of its own — in the
/// style of `httparse`'s `Status::Partial`: feed it whatever bytes you have,
/// it keeps its place between calls.
///
/// Chunk extensions (`;name=value`) and trailer lines are skipped. Line ends
/// must be CRLF. A malformed chunk size or framing byte is a
/// [`TypeError::BadChunkedBody`] naming its offset in the transferred body.
///
/// ```
/// use wasmstream::http::ChunkedDecoder;
///
/// let mut decoder = ChunkedDecoder::new();
/// let mut bytes = *b"4;name=value\r\n\0asm\r\n4\r\n\x01\0\0\0\r\n0\r\nTrailer: x\r\n\r\n";
/// let decoded = decoder.decode(&mut bytes)?;
/// assert_eq!(&bytes[..decoded.data], b"\0asm\x01\0\0\0");
/// assert_eq!(decoded.consumed, bytes.len());
/// assert!(decoder.is_done());
///
/// let mut bad = *b"4x\r\n";
/// let error = ChunkedDecoder::new().decode(&mut bad).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "type error: malformed chunked body at byte 1 of the body: chunk size is not hexadecimal"
/// );
/// # Ok::<(), wasmstream::TypeError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ChunkedDecoder {
    state: State,
    /// Bytes of the transferred body consumed so far.
    offset: u64,
}

/// What [`ChunkedDecoder::decode`] did with its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Decoded {
    /// Bytes of the input consumed. Less than the input only when the body
    /// ended inside it; the rest belongs to whatever follows the body.
    pub consumed: usize,
    /// Bytes of chunk data, now at the start of the input.
    pub data: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum State {
    /// In a chunk-size line's hex digits.
    #[default]
    SizeStart,
    Size {
        size: u64,
    },
    /// Spaces or tabs after the digits.
    AfterSize {
        size: u64,
    },
    /// In a chunk extension, up to the CR.
    Extension {
        size: u64,
    },
    /// After the size line's CR.
    SizeLf {
        size: u64,
    },
    Data {
        left: u64,
    },
    DataCr,
    DataLf,
    /// At the start of a trailer line, or of the final empty line.
    TrailerStart,
    Trailer,
    /// After a trailer line's CR; `last` when that line was empty.
    TrailerLf {
        last: bool,
    },
    Done,
}

const NOT_HEX: &str = "chunk size is not hexadecimal";
const NO_LF: &str = "CR is not followed by LF";
const BARE_LF: &str = "line ends in LF without CR";

impl ChunkedDecoder {
    /// A decoder at the start of a chunked body.
    ///
    /// ```
    /// let decoder = wasmstream::http::ChunkedDecoder::new();
    /// assert!(!decoder.is_done());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the last chunk and the trailers have been decoded.
    ///
    /// ```
    /// let mut decoder = wasmstream::http::ChunkedDecoder::new();
    /// let mut last_chunk = *b"0\r\n\r\n";
    /// let _ = decoder.decode(&mut last_chunk)?;
    /// assert!(decoder.is_done());
    /// # Ok::<(), wasmstream::TypeError>(())
    /// ```
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// How many bytes may be read next without reading past the end of the
    /// body: the rest of the current chunk's data, the 2 bytes of CRLF after
    /// it, else 1 (a framing line is read a byte at a time); 0 once done.
    ///
    /// ```
    /// let mut decoder = wasmstream::http::ChunkedDecoder::new();
    /// assert_eq!(decoder.wanted(), 1);
    /// let mut size_line = *b"10\r\n";
    /// let _ = decoder.decode(&mut size_line)?;
    /// assert_eq!(decoder.wanted(), 16);
    /// # Ok::<(), wasmstream::TypeError>(())
    /// ```
    #[must_use]
    pub fn wanted(&self) -> usize {
        match self.state {
            State::Data { left } => usize::try_from(left).unwrap_or(usize::MAX),
            State::DataCr => 2,
            State::Done => 0,
            _ => 1,
        }
    }

    /// Decodes `input` in place: chunk data moves to its start, framing is
    /// dropped. Stops at the end of the body.
    ///
    /// # Errors
    ///
    /// [`TypeError::BadChunkedBody`] at the first byte that breaks the
    /// framing; the decoder should not be used after an error.
    ///
    /// ```
    /// use wasmstream::http::{ChunkedDecoder, Decoded};
    ///
    /// // Any split of the bytes decodes the same.
    /// let mut decoder = ChunkedDecoder::new();
    /// let mut first = *b"3\r\nab";
    /// assert_eq!(decoder.decode(&mut first)?, Decoded { consumed: 5, data: 2 });
    /// let mut rest = *b"c\r\n0\r\n\r\nNEXT";
    /// assert_eq!(decoder.decode(&mut rest)?, Decoded { consumed: 8, data: 1 });
    /// assert_eq!((&first[..2], &rest[..1]), (&b"ab"[..], &b"c"[..]));
    /// # Ok::<(), wasmstream::TypeError>(())
    /// ```
    pub fn decode(&mut self, input: &mut [u8]) -> Result<Decoded, TypeError> {
        let mut read = 0;
        let mut written = 0;
        while read < input.len() && self.state != State::Done {
            if let State::Data { left } = self.state {
                let run = usize::try_from(left)
                    .unwrap_or(usize::MAX)
                    .min(input.len() - read);
                input.copy_within(read..read + run, written);
                read += run;
                written += run;
                self.offset += run as u64;
                let left = left - run as u64;
                self.state = if left == 0 {
                    State::DataCr
                } else {
                    State::Data { left }
                };
                continue;
            }
            self.state = self.step(input[read])?;
            read += 1;
            self.offset += 1;
        }
        Ok(Decoded {
            consumed: read,
            data: written,
        })
    }

    /// The state after one framing byte.
    fn step(&self, byte: u8) -> Result<State, TypeError> {
        let state = match (self.state, byte) {
            (State::SizeStart, _) => State::Size {
                size: u64::from(hex_digit(byte).ok_or_else(|| self.error(NOT_HEX))?),
            },
            (State::Size { size }, b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F') => {
                if size >> 60 != 0 {
                    return Err(self.error("chunk size does not fit in 64 bits"));
                }
                State::Size {
                    size: size << 4 | u64::from(hex_digit(byte).unwrap_or(0)),
                }
            }
            (State::Size { size } | State::AfterSize { size }, b' ' | b'\t') => {
                State::AfterSize { size }
            }
            (State::Size { size } | State::AfterSize { size }, b';') => State::Extension { size },
            (
                State::Size { size } | State::AfterSize { size } | State::Extension { size },
                b'\r',
            ) => State::SizeLf { size },
            (
                State::Size { .. }
                | State::AfterSize { .. }
                | State::Extension { .. }
                | State::Trailer
                | State::TrailerStart,
                b'\n',
            ) => return Err(self.error(BARE_LF)),
            (State::Size { .. } | State::AfterSize { .. }, _) => return Err(self.error(NOT_HEX)),
            (State::Extension { size }, _) => State::Extension { size },
            (State::SizeLf { size: 0 }, b'\n') => State::TrailerStart,
            (State::SizeLf { size }, b'\n') => State::Data { left: size },
            (State::DataCr, b'\r') => State::DataLf,
            (State::DataLf, b'\n') => State::SizeStart,
            (State::DataCr | State::DataLf, _) => {
                return Err(self.error("chunk data is not followed by CRLF"));
            }
            (State::TrailerStart, b'\r') => State::TrailerLf { last: true },
            (State::Trailer, b'\r') => State::TrailerLf { last: false },
            (State::TrailerStart | State::Trailer, _) => State::Trailer,
            (State::TrailerLf { last: true }, b'\n') => State::Done,
            (State::TrailerLf { last: false }, b'\n') => State::TrailerStart,
            (State::SizeLf { .. } | State::TrailerLf { .. }, _) => return Err(self.error(NO_LF)),
            // `decode` handles data runs and stops when done.
            (State::Data { .. } | State::Done, _) => self.state,
        };
        Ok(state)
    }

    /// The stream ended: an error unless the body is complete.
    pub(crate) fn finish(&self) -> Result<(), TypeError> {
        if self.is_done() {
            Ok(())
        } else {
            Err(self.error("the stream ended before the last chunk"))
        }
    }

    fn error(&self, problem: &'static str) -> TypeError {
        TypeError::BadChunkedBody {
            offset: self.offset,
            problem,
        }
    }
}

fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_split(encoded: &[u8], piece: usize) -> Result<alloc::vec::Vec<u8>, TypeError> {
        let mut decoder = ChunkedDecoder::new();
        let mut out = alloc::vec::Vec::new();
        for chunk in encoded.chunks(piece) {
            let mut bytes = chunk.to_vec();
            let decoded = decoder.decode(&mut bytes)?;
            out.extend_from_slice(&bytes[..decoded.data]);
        }
        decoder.finish()?;
        Ok(out)
    }

    #[test]
    fn every_split_decodes_the_same() {
        let encoded =
            b"5;a=b;c\r\nhello\r\n1 \t;x\r\n \r\nA\r\n0123456789\r\n000\r\nT: 1\r\nU: 2\r\n\r\n";
        for piece in 1..encoded.len() {
            assert_eq!(
                decode_split(encoded, piece).unwrap(),
                b"hello 0123456789",
                "{piece}"
            );
        }
    }

    #[test]
    fn errors_name_their_offset() {
        let cases: &[(&[u8], u64, &str)] = &[
            (b"g\r\n", 0, NOT_HEX),
            (b"\r\n", 0, NOT_HEX),
            (b"1 2\r\n", 2, NOT_HEX),
            (b"1\rx", 2, NO_LF),
            (b"1\nx", 1, BARE_LF),
            (b"1;ext\n", 5, BARE_LF),
            (b"1\r\nxy", 4, "chunk data is not followed by CRLF"),
            (b"1\r\nx\ry", 5, "chunk data is not followed by CRLF"),
            (b"0\r\nT\n", 4, BARE_LF),
            (b"0\r\n\rx", 4, NO_LF),
            (
                b"11111111111111111",
                16,
                "chunk size does not fit in 64 bits",
            ),
            (b"2\r\nab\r\n", 7, "the stream ended before the last chunk"),
        ];
        for (encoded, offset, problem) in cases {
            for piece in 1..=encoded.len() {
                let error = decode_split(encoded, piece).unwrap_err();
                assert_eq!(
                    error,
                    TypeError::BadChunkedBody {
                        offset: *offset,
                        problem
                    },
                    "{encoded:?} in pieces of {piece}"
                );
            }
        }
    }

    #[test]
    fn leading_zeros_do_not_overflow() {
        assert_eq!(
            decode_split(b"00000000000000000001\r\nz\r\n0\r\n\r\n", 3).unwrap(),
            b"z"
        );
    }

    #[test]
    fn stops_at_the_end_of_the_body() {
        let mut decoder = ChunkedDecoder::new();
        let mut bytes = *b"0\r\n\r\nHTTP/1.1";
        let decoded = decoder.decode(&mut bytes).unwrap();
        assert_eq!(
            decoded,
            Decoded {
                consumed: 5,
                data: 0
            }
        );
        assert_eq!(decoder.wanted(), 0);
    }
}
