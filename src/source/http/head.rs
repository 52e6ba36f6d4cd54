//! The response head: read into the caller's buffer, parsed by `httparse`.
//!
//! Sans-IO: [`HeadReader::space`] says where the next read goes,
//! [`HeadReader::advance`] takes what it delivered. Reads are bounded so that
//! none crosses the end of the head (at most 2 bytes, 1 at a line end): the
//! body's first byte stays in the stream, for the body reader or for nobody
//! when the response is refused.

use alloc::string::String;

use super::body::Framing;
use super::chunked::ChunkedDecoder;
use crate::error::TypeError;
use crate::source::response::trim_http_whitespace;

/// The most header lines a response head may have.
pub const MAX_HEADERS: usize = 32;

/// Bytes of a bad line quoted in an error.
const QUOTED_BYTES: usize = 40;

/// Bytes kept of the combined `Content-Type`: more than the 64 a
/// [`Response`](crate::Response) keeps, so a longer value is seen as longer.
const CONTENT_TYPE_BYTES: usize = 72;

/// The combined `Content-Type` value.
pub(crate) type ContentType = heapless::Vec<u8, CONTENT_TYPE_BYTES>;

/// What the drivers need of a final response head.
pub(crate) struct Head {
    pub(crate) status: u16,
    /// Every `Content-Type` line, trimmed and joined with ", " as Fetch does.
    pub(crate) content_type: Option<ContentType>,
    pub(crate) framing: Framing,
    /// Kept for redirect statuses only (for the error message).
    pub(crate) location: Option<String>,
}

pub(crate) struct HeadReader<'b> {
    buffer: &'b mut [u8],
    filled: usize,
    /// Offset of the status line's LF, once read.
    status_line_end: Option<usize>,
}

impl<'b> HeadReader<'b> {
    pub(crate) fn new(buffer: &'b mut [u8]) -> Result<Self, TypeError> {
        if buffer.is_empty() {
            return Err(TypeError::HeadTooLarge { capacity: 0 });
        }
        Ok(HeadReader {
            buffer,
            filled: 0,
            status_line_end: None,
        })
    }

    /// Where the next read goes: 1 byte after a LF (or LF CR), since the
    /// head may end with the next LF; else 2 (the shortest end is LF LF).
    /// Never empty: a full buffer ends in `advance`.
    pub(crate) fn space(&mut self) -> &mut [u8] {
        let end = self.space_end();
        &mut self.buffer[self.filled..end]
    }

    fn space_end(&self) -> usize {
        let head = &self.buffer[..self.filled];
        let at_line_end = head.ends_with(b"\n") || head.ends_with(b"\n\r");
        (self.filled + if at_line_end { 1 } else { 2 }).min(self.buffer.len())
    }

    /// Takes the `read` bytes just read into [`space`](Self::space) (0 at
    /// the end of the stream). `Some` with the final head once complete;
    /// interim (1xx) heads are skipped.
    pub(crate) fn advance(&mut self, read: usize) -> Result<Option<Head>, TypeError> {
        if read == 0 {
            return Err(TypeError::HeadIncomplete {
                received: self.filled,
            });
        }
        let start = self.filled;
        self.filled = (start + read).min(self.space_end());
        let mut line_ended = false;
        for offset in start..self.filled {
            let byte = self.buffer[offset];
            if self.status_line_end.is_some() && !byte.is_ascii() {
                return Err(TypeError::NonAsciiHeader { offset, byte });
            }
            if byte == b'\n' {
                line_ended = true;
                self.status_line_end.get_or_insert(offset);
            }
        }
        let full = self.filled == self.buffer.len();
        if !line_ended && !full {
            return Ok(None);
        }
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut headers);
        let head = match response.parse(&self.buffer[..self.filled]) {
            Ok(httparse::Status::Complete(_)) => Head::new(&response)?,
            Ok(httparse::Status::Partial) if full => {
                return Err(TypeError::HeadTooLarge {
                    capacity: self.buffer.len(),
                });
            }
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(httparse::Error::TooManyHeaders) => {
                return Err(TypeError::TooManyHeaders { max: MAX_HEADERS });
            }
            Err(httparse::Error::Version | httparse::Error::Status | httparse::Error::Token) => {
                return Err(self.bad_status_line());
            }
            Err(_) if self.status_line_end.is_none() => return Err(self.bad_status_line()),
            Err(_) => return Err(self.bad_header()),
        };
        // 101 switches protocols: it is final (and refused as not ok).
        if (100..200).contains(&head.status) && head.status != 101 {
            self.filled = 0;
            self.status_line_end = None;
            return Ok(None);
        }
        Ok(Some(head))
    }

    fn bad_status_line(&self) -> TypeError {
        TypeError::BadStatusLine {
            line: quote_line(&self.buffer[..self.filled]),
        }
    }

    /// The first line httparse rejects, found by parsing the head up to
    /// each line end in turn (only on this error path).
    fn bad_header(&self) -> TypeError {
        let head = &self.buffer[..self.filled];
        let first = self.status_line_end.map_or(0, |end| end + 1);
        let mut line_start = first;
        for end in first..head.len() {
            if head[end] != b'\n' {
                continue;
            }
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            if httparse::Response::new(&mut headers)
                .parse(&head[..=end])
                .is_err()
            {
                break;
            }
            line_start = end + 1;
        }
        TypeError::BadHeader {
            offset: line_start,
            line: quote_line(&head[line_start..]),
        }
    }
}

impl Head {
    fn new(response: &httparse::Response<'_, '_>) -> Result<Head, TypeError> {
        let status = response.code.unwrap_or(0);
        let mut content_type = None;
        let mut content_length = None;
        let mut chunked = false;
        let mut location = None;
        for header in response.headers.iter() {
            let name = header.name;
            let value = trim_http_whitespace(header.value);
            if name.eq_ignore_ascii_case("content-type") {
                combine_content_type(&mut content_type, value);
            } else if name.eq_ignore_ascii_case("content-length") {
                content_length = Some(parse_content_length(value, content_length)?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                for coding in value.split(|b| *b == b',').map(trim_http_whitespace) {
                    if coding.eq_ignore_ascii_case(b"chunked") && !chunked {
                        chunked = true;
                    } else if !coding.is_empty() {
                        return Err(TypeError::UnsupportedTransferEncoding {
                            found: String::from_utf8_lossy(value).into_owned(),
                        });
                    }
                }
            } else if name.eq_ignore_ascii_case("location") && is_redirect(status) {
                location = Some(String::from_utf8_lossy(value).into_owned());
            }
        }
        // RFC 9112 §6.3: chunked overrides Content-Length; these statuses
        // have no body whatever the headers say.
        let framing = if matches!(status, 101 | 204 | 304) {
            Framing::Length {
                expected: 0,
                received: 0,
            }
        } else if chunked {
            Framing::Chunked(ChunkedDecoder::new())
        } else if let Some(expected) = content_length {
            Framing::Length {
                expected,
                received: 0,
            }
        } else {
            Framing::ToEnd
        };
        Ok(Head {
            status,
            content_type,
            framing,
            location,
        })
    }
}

/// The Fetch spec's redirect statuses.
pub(crate) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// One `Content-Length` value (a comma-separated list, as Fetch reads it)
/// whose lengths all equal each other and `previous`.
fn parse_content_length(value: &[u8], previous: Option<u64>) -> Result<u64, TypeError> {
    let bad = || TypeError::BadContentLength {
        found: String::from_utf8_lossy(value).into_owned(),
    };
    let mut length = previous;
    for item in value.split(|b| *b == b',').map(trim_http_whitespace) {
        if item.is_empty() || !item.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let parsed = core::str::from_utf8(item)
            .ok()
            .and_then(|digits| digits.parse::<u64>().ok())
            .ok_or_else(bad)?;
        if length.is_some_and(|length| length != parsed) {
            return Err(bad());
        }
        length = Some(parsed);
    }
    length.ok_or_else(bad)
}

/// Adds one `Content-Type` line's value to those before it, as Fetch
/// combines them: trimmed, joined with ", ".
pub(crate) fn combine_content_type(combined: &mut Option<ContentType>, value: &[u8]) {
    let combined = combined.get_or_insert_with(heapless::Vec::new);
    if !combined.is_empty() {
        push_truncating(combined, b", ");
    }
    push_truncating(combined, trim_http_whitespace(value));
}

/// Appends `bytes`, keeping what fits; on overflow the last byte becomes a
/// non-whitespace marker, so the kept value cannot trim down to a shorter,
/// acceptable one.
fn push_truncating<const N: usize>(target: &mut heapless::Vec<u8, N>, bytes: &[u8]) {
    for &byte in bytes {
        if target.push(byte).is_err() {
            if let Some(last) = target.last_mut() {
                *last = b'~';
            }
            return;
        }
    }
}

/// The first line of `bytes` (without its line end), at most
/// [`QUOTED_BYTES`] of it, for an error message.
fn quote_line(bytes: &[u8]) -> String {
    let line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(&line[..line.len().min(QUOTED_BYTES)]).into_owned()
}
