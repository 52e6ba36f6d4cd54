//! [`HttpBody`]: the decoded body of an HTTP response, as a reader.

use core::fmt;

use super::chunked::ChunkedDecoder;
use crate::error::{Error, TypeError};

/// The error of an [`HttpBody`] read: the transport's own error, or a
/// framing violation (a body shorter than its `Content-Length`, a malformed
/// chunk), which the drivers report as [`Error::Type`].
///
/// ```
/// use wasmstream::http::BodyError;
/// use wasmstream::{Error, TypeError};
///
/// let short = TypeError::BodyTooShort { expected: 10, received: 4 };
/// let error: Error<BodyError<std::io::Error>> = BodyError::Protocol(short.clone()).into_error();
/// assert!(matches!(error, Error::Type(e) if e == short));
/// ```
#[derive(Debug)]
pub enum BodyError<E> {
    /// The underlying reader failed; its error, unchanged.
    Transport(E),
    /// The bytes break the HTTP framing.
    Protocol(TypeError),
}

impl<E> BodyError<E> {
    /// The crate's error for this read error: `Protocol` becomes
    /// [`Error::Type`], `Transport` stays [`Error::Io`].
    ///
    /// ```
    /// use wasmstream::Error;
    /// use wasmstream::http::BodyError;
    ///
    /// let error = BodyError::<std::io::Error>::Transport(std::io::ErrorKind::TimedOut.into());
    /// assert!(matches!(error.into_error(), Error::Io(BodyError::Transport(_))));
    /// ```
    #[must_use]
    pub fn into_error(self) -> Error<BodyError<E>> {
        match self {
            BodyError::Protocol(e) => Error::Type(e),
            transport => Error::Io(transport),
        }
    }
}

impl<E: fmt::Display> fmt::Display for BodyError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::Transport(e) => fmt::Display::fmt(e, f),
            BodyError::Protocol(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for BodyError<E> {}

impl<E: embedded_io::Error> embedded_io::Error for BodyError<E> {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self {
            BodyError::Transport(e) => e.kind(),
            BodyError::Protocol(_) => embedded_io::ErrorKind::InvalidData,
        }
    }
}

/// How the body's end is found.
#[derive(Debug, Clone)]
pub(crate) enum Framing {
    /// `Content-Length` (or a status that has no body).
    Length {
        expected: u64,
        received: u64,
    },
    Chunked(ChunkedDecoder),
    /// Neither: the body runs to the end of the stream.
    ToEnd,
}

impl Framing {
    /// Bytes the next read may ask for, at most `room`: never past the end
    /// of the body. 0 when the body is complete.
    fn wanted(&self, room: usize) -> usize {
        match self {
            Framing::Length { expected, received } => {
                usize::try_from(expected - received).map_or(room, |left| left.min(room))
            }
            Framing::Chunked(decoder) => decoder.wanted().min(room),
            Framing::ToEnd => room,
        }
    }

    /// Takes the `bytes` just read (empty at the end of the stream): the
    /// number of body bytes now at their start, or `None` if they were all
    /// framing and the caller should read again.
    fn advance(&mut self, bytes: &mut [u8]) -> Result<Option<usize>, TypeError> {
        match self {
            Framing::Length { expected, received } => {
                if bytes.is_empty() && received < expected {
                    return Err(TypeError::BodyTooShort {
                        expected: *expected,
                        received: *received,
                    });
                }
                *received += bytes.len() as u64;
                Ok(Some(bytes.len()))
            }
            Framing::Chunked(decoder) if bytes.is_empty() => decoder.finish().map(|()| Some(0)),
            Framing::Chunked(decoder) => match decoder.decode(bytes)?.data {
                0 if !decoder.is_done() => Ok(None),
                data => Ok(Some(data)),
            },
            Framing::ToEnd => Ok(Some(bytes.len())),
        }
    }
}

/// The body of an HTTP response, decoded: reads give the payload, without
/// chunk framing, and end where the body ends (never reading past it).
/// Blocking over an [`embedded_io::Read`], async over an
/// [`embedded_io_async::Read`].
///
/// ```
/// use embedded_io::Read;
/// use wasmstream::http::HttpResponse;
///
/// let bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\0asmNEXT";
/// let mut stream = &bytes[..];
/// let mut body = HttpResponse::read(&mut stream, &mut [0; 64])?.into_body();
/// let mut payload = [0; 8];
/// assert_eq!(body.read(&mut payload)?, 4);
/// assert_eq!(body.read(&mut payload)?, 0);
/// assert_eq!(stream, b"NEXT"); // the next response is still unread
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct HttpBody<R> {
    reader: R,
    framing: Framing,
}

impl<R> HttpBody<R> {
    pub(crate) fn new(reader: R, framing: Framing) -> Self {
        HttpBody { reader, framing }
    }

    /// The `Content-Length`: the body's known length, if it has one.
    ///
    /// ```
    /// use wasmstream::http::HttpResponse;
    ///
    /// let bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\0asm";
    /// let body = HttpResponse::read(&bytes[..], &mut [0; 64])?.into_body();
    /// assert_eq!(body.content_length(), Some(4));
    /// # Ok::<(), wasmstream::Error<core::convert::Infallible>>(())
    /// ```
    #[must_use]
    pub fn content_length(&self) -> Option<u64> {
        match self.framing {
            Framing::Length { expected, .. } => Some(expected),
            _ => None,
        }
    }

    /// The underlying reader, positioned wherever reading stopped.
    ///
    /// ```
    /// use wasmstream::http::HttpResponse;
    ///
    /// let bytes = b"HTTP/1.1 204 No Content\r\n\r\nNEXT";
    /// let body = HttpResponse::read(&bytes[..], &mut [0; 64])?.into_body();
    /// assert_eq!(body.into_inner(), b"NEXT");
    /// # Ok::<(), wasmstream::Error<core::convert::Infallible>>(())
    /// ```
    #[must_use]
    pub fn into_inner(self) -> R {
        self.reader
    }
}

impl<R: embedded_io::ErrorType> embedded_io::ErrorType for HttpBody<R> {
    type Error = BodyError<R::Error>;
}

impl<R: embedded_io::Read> embedded_io::Read for HttpBody<R> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        loop {
            let want = self.framing.wanted(buf.len());
            if want == 0 {
                return Ok(0);
            }
            let read = self
                .reader
                .read(&mut buf[..want])
                .map_err(BodyError::Transport)?;
            let bytes = &mut buf[..read.min(want)];
            if let Some(data) = self.framing.advance(bytes).map_err(BodyError::Protocol)? {
                return Ok(data);
            }
        }
    }
}

#[cfg(feature = "async")]
impl<R: embedded_io_async::Read> embedded_io_async::Read for HttpBody<R> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        loop {
            let want = self.framing.wanted(buf.len());
            if want == 0 {
                return Ok(0);
            }
            let read = self
                .reader
                .read(&mut buf[..want])
                .await
                .map_err(BodyError::Transport)?;
            let bytes = &mut buf[..read.min(want)];
            if let Some(data) = self.framing.advance(bytes).map_err(BodyError::Protocol)? {
                return Ok(data);
            }
        }
    }
}
