//! HTTP/1.1 responses as sources (feature `http`): the head read with
//! `httparse` into the caller's buffer, the body decoded as it streams.
//!
//! ```
//! use wasmstream::http::HttpResponse;
//! use wasmstream::{Config, compile_streaming};
//!
//! let wasm = wat::parse_str(r#"(module (func (export "f")))"#)?;
//! let mut stream = b"HTTP/1.1 200 OK\r\nContent-Type: application/wasm\r\n\
//!     Transfer-Encoding: chunked\r\n\r\n".to_vec();
//! for chunk in wasm.chunks(5) {
//!     stream.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
//!     stream.extend_from_slice(chunk);
//!     stream.extend_from_slice(b"\r\n");
//! }
//! stream.extend_from_slice(b"0\r\n\r\n");
//!
//! let mut head = [0u8; 256];
//! let response = HttpResponse::read(&stream[..], &mut head)?;
//! let module = compile_streaming(&Config::new().engine(), response)?;
//! assert!(module.wasmi().get_export("f").is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod body;
mod chunked;
mod head;
#[cfg(feature = "reqwless")]
mod reqwless;

use alloc::string::String;

pub use body::{BodyError, HttpBody};
pub use chunked::{ChunkedDecoder, Decoded};
pub use head::MAX_HEADERS;
#[cfg(feature = "reqwless")]
pub use reqwless::from_reqwless;

use self::head::{Head, HeadReader, is_redirect};
use crate::error::{Error, TypeError};
use crate::source::Response;

/// An HTTP/1.1 response: status, `Content-Type` and the decoded body — a
/// [`Response`] over an [`HttpBody`] — ready for
/// [`compile_streaming`](crate::compile_streaming) or
/// [`instantiate_streaming`](crate::instantiate_streaming) (and their
/// `_async` twins).
///
/// [`read`](Self::read) reads the head from a stream into a caller's buffer
/// (nothing is allocated), a few bytes at a time so that no byte of the body
/// is read with it; interim `1xx` responses are skipped. The body then ends
/// at its `Content-Length` (fewer bytes is a [`TypeError::BodyTooShort`];
/// nothing past it is read), at the end of a `chunked` body, or else at the
/// end of the stream. Several `Content-Type` lines are joined with ", " as
/// Fetch does, so they fail the MIME check. Redirects are not followed: a
/// redirect status is a [`TypeError::Redirect`] quoting `Location`.
///
/// ```
/// use wasmstream::http::HttpResponse;
/// use wasmstream::{Config, Error, TypeError, compile_streaming};
///
/// let stream = b"HTTP/1.1 200 OK\r\nContent-Type: application/wasm\r\nContent-Length: 8\r\n\r\n\0asm";
/// let response = HttpResponse::read(&stream[..], &mut [0; 128])?;
/// assert_eq!((response.status(), response.content_length()), (200, Some(8)));
/// let error = compile_streaming(&Config::new().engine(), response).unwrap_err();
/// assert!(matches!(error, Error::Type(TypeError::BodyTooShort { expected: 8, received: 4 })));
/// assert_eq!(error.to_string(), "type error: response body ended after 4 bytes, expected 8");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct HttpResponse<R> {
    response: Response<HttpBody<R>>,
    content_length: Option<u64>,
    /// `Location`, kept for redirect statuses only.
    location: Option<String>,
}

impl<R> HttpResponse<R> {
    pub(crate) fn from_head(head: Head, reader: R) -> Self {
        let body = HttpBody::new(reader, head.framing);
        HttpResponse {
            content_length: body.content_length(),
            response: Response::new(head.status, head.content_type.as_deref(), body),
            location: head.location,
        }
    }

    /// The HTTP status.
    ///
    /// ```
    /// let stream = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\n\r\n";
    /// let response = wasmstream::http::HttpResponse::read(&stream[..], &mut [0; 64])?;
    /// assert_eq!(response.status(), 404); // the interim response was skipped
    /// # Ok::<(), wasmstream::Error<core::convert::Infallible>>(())
    /// ```
    #[must_use]
    pub fn status(&self) -> u16 {
        self.response.status()
    }

    /// The `Content-Type` value (every line, joined with ", "), trimmed, at
    /// most 64 bytes of it; `None` when there is none.
    ///
    /// ```
    /// let stream = b"HTTP/1.1 200 OK\r\nContent-Type: application/wasm\r\ncontent-type: text/html\r\n\r\n";
    /// let response = wasmstream::http::HttpResponse::read(&stream[..], &mut [0; 128])?;
    /// assert_eq!(response.content_type(), Some(&b"application/wasm, text/html"[..]));
    /// # Ok::<(), wasmstream::Error<core::convert::Infallible>>(())
    /// ```
    #[must_use]
    pub fn content_type(&self) -> Option<&[u8]> {
        self.response.content_type()
    }

    /// The `Content-Length` (0 for 204 and 304), or `None` for a chunked
    /// body or one that runs to the end of the stream.
    ///
    /// ```
    /// let stream = b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n";
    /// let response = wasmstream::http::HttpResponse::read(&stream[..], &mut [0; 64])?;
    /// assert_eq!(response.content_length(), Some(1234));
    /// # Ok::<(), wasmstream::Error<core::convert::Infallible>>(())
    /// ```
    #[must_use]
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// The `Location` of a redirect (status 301, 302, 303, 307 or 308), for
    /// a caller who follows redirects itself.
    ///
    /// ```
    /// let stream = b"HTTP/1.1 301 Moved\r\nLocation: /v2/app.wasm\r\n\r\n";
    /// let response = wasmstream::http::HttpResponse::read(&stream[..], &mut [0; 64])?;
    /// assert_eq!(response.location(), Some("/v2/app.wasm"));
    /// # Ok::<(), wasmstream::Error<core::convert::Infallible>>(())
    /// ```
    #[must_use]
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The checks of `compileStreaming`: a redirect first (not followed),
    /// then [`Response::check`]'s `Content-Type` and status.
    ///
    /// # Errors
    ///
    /// The first failing check, as a [`TypeError`].
    ///
    /// ```
    /// use wasmstream::TypeError;
    ///
    /// let stream = b"HTTP/1.1 302 Found\r\nLocation: http://10.0.0.2/app.wasm\r\n\r\n";
    /// let response = wasmstream::http::HttpResponse::read(&stream[..], &mut [0; 128])?;
    /// let error = response.check().unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     r#"type error: response status 302 redirects to "http://10.0.0.2/app.wasm"; redirects are not followed"#
    /// );
    /// # Ok::<(), wasmstream::Error<core::convert::Infallible>>(())
    /// ```
    pub fn check(&self) -> Result<(), TypeError> {
        if is_redirect(self.status()) {
            return Err(TypeError::Redirect {
                status: self.status(),
                location: self.location.clone(),
            });
        }
        self.response.check()
    }

    /// The response as a [`Response`] over its decoded body (without the
    /// redirect check of [`check`](Self::check)).
    ///
    /// ```
    /// let stream = b"HTTP/1.1 200 OK\r\nContent-Type: application/wasm\r\n\r\n";
    /// let response = wasmstream::http::HttpResponse::read(&stream[..], &mut [0; 64])?;
    /// assert_eq!(response.into_response().check(), Ok(()));
    /// # Ok::<(), wasmstream::Error<core::convert::Infallible>>(())
    /// ```
    #[must_use]
    pub fn into_response(self) -> Response<HttpBody<R>> {
        self.response
    }

    /// The decoded body, unchecked.
    ///
    /// ```
    /// use embedded_io::Read;
    ///
    /// let stream = b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found";
    /// let response = wasmstream::http::HttpResponse::read(&stream[..], &mut [0; 64])?;
    /// let mut text = [0; 9];
    /// response.into_body().read_exact(&mut text).unwrap();
    /// assert_eq!(&text, b"not found");
    /// # Ok::<(), wasmstream::Error<core::convert::Infallible>>(())
    /// ```
    #[must_use]
    pub fn into_body(self) -> HttpBody<R> {
        self.response.into_body()
    }
}

impl<R: embedded_io::Read> HttpResponse<R> {
    /// Reads a response head from `reader` into `buffer` (which must hold
    /// the whole head; 512 bytes suit most servers) and returns the response,
    /// its body not yet read.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] when the head is larger than `buffer`, is not HTTP
    /// (garbage instead of a status line), has non-ASCII bytes or a malformed
    /// line in its headers, more than [`MAX_HEADERS`] lines, a bad
    /// `Content-Length`, a `Transfer-Encoding` other than `chunked`, or the
    /// stream ends inside it; [`Error::Io`] with the reader's error.
    ///
    /// ```
    /// use wasmstream::http::HttpResponse;
    /// use wasmstream::{Error, TypeError};
    ///
    /// let garbage = HttpResponse::read(&b"SSH-2.0-OpenSSH_9.2\r\n"[..], &mut [0; 64]).unwrap_err();
    /// assert_eq!(garbage.to_string(), r#"type error: not an HTTP/1.x status line at byte 0: "SSH-2.0-OpenSSH_9.2""#);
    ///
    /// let long = HttpResponse::read(&b"HTTP/1.1 200 OK\r\nServer: a long name\r\n\r\n"[..], &mut [0; 24]);
    /// assert!(matches!(long, Err(Error::Type(TypeError::HeadTooLarge { capacity: 24 }))));
    /// ```
    pub fn read(mut reader: R, buffer: &mut [u8]) -> Result<Self, Error<R::Error>> {
        let mut head = HeadReader::new(buffer)?;
        loop {
            let read = match reader.read(head.space()) {
                Ok(read) => read,
                Err(e) if is_interrupted(&e) => continue,
                Err(e) => return Err(Error::Io(e)),
            };
            if let Some(head) = head.advance(read)? {
                return Ok(Self::from_head(head, reader));
            }
        }
    }
}

#[cfg(feature = "async")]
impl<R: embedded_io_async::Read> HttpResponse<R> {
    /// The async twin of [`read`](Self::read), for an
    /// [`embedded_io_async::Read`] such as an embassy-net `TcpSocket`.
    ///
    /// # Errors
    ///
    /// As [`read`](Self::read).
    ///
    /// ```
    /// use wasmstream::http::HttpResponse;
    ///
    /// let stream = b"HTTP/1.1 200 OK\r\nContent-Type: application/wasm\r\n\r\n";
    /// let mut head = [0; 64];
    /// let response = embassy_futures::block_on(HttpResponse::read_async(&stream[..], &mut head))?;
    /// assert_eq!(response.check(), Ok(()));
    /// # Ok::<(), wasmstream::Error<core::convert::Infallible>>(())
    /// ```
    pub async fn read_async(mut reader: R, buffer: &mut [u8]) -> Result<Self, Error<R::Error>> {
        let mut head = HeadReader::new(buffer)?;
        loop {
            let read = match reader.read(head.space()).await {
                Ok(read) => read,
                Err(e) if is_interrupted(&e) => continue,
                Err(e) => return Err(Error::Io(e)),
            };
            if let Some(head) = head.advance(read)? {
                return Ok(Self::from_head(head, reader));
            }
        }
    }
}

fn is_interrupted(error: &impl embedded_io::Error) -> bool {
    error.kind() == embedded_io::ErrorKind::Interrupted
}

impl<R: embedded_io::Read> crate::Source for HttpResponse<R> {
    type Body = HttpBody<R>;

    fn into_checked_body(self) -> Result<HttpBody<R>, TypeError> {
        self.check()?;
        Ok(self.into_body())
    }

    fn read_error(error: BodyError<R::Error>) -> Error<BodyError<R::Error>> {
        error.into_error()
    }

    fn known_length(&self) -> Option<u64> {
        self.content_length()
    }
}

#[cfg(feature = "async")]
impl<R: embedded_io_async::Read> crate::AsyncSource for HttpResponse<R> {
    type Body = HttpBody<R>;

    fn into_checked_body(self) -> Result<HttpBody<R>, TypeError> {
        self.check()?;
        Ok(self.into_body())
    }

    fn read_error(error: BodyError<R::Error>) -> Error<BodyError<R::Error>> {
        error.into_error()
    }

    fn known_length(&self) -> Option<u64> {
        self.content_length()
    }
}
