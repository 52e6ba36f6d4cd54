//! Where module bytes come from: any `embedded_io::Read`, or a [`Response`]
//! that also carries the HTTP status and `Content-Type` the Web API checks.

#[cfg(feature = "http")]
pub mod http;
mod response;

pub use response::Response;

use crate::error::{Error, TypeError};

/// A source of module bytes for the blocking drivers: any
/// [`embedded_io::Read`] (an OK `application/wasm` response), or a
/// [`Response`] whose status and `Content-Type` are checked first.
///
/// ```
/// use wasmstream::{Response, Source, TypeError};
///
/// let bare: &[u8] = b"\0asm\x01\0\0\0";
/// assert!(bare.into_checked_body().is_ok());
///
/// let fetched = Response::new(404, Some(b"application/wasm"), bare);
/// assert_eq!(fetched.into_checked_body().err(), Some(TypeError::BadStatus { status: 404 }));
/// ```
pub trait Source {
    /// The reader of the response body.
    type Body: embedded_io::Read;

    /// The body to read, once the source has passed the Web API's checks
    /// (see [`Response::check`]); a bare reader has nothing to check, so a
    /// firmware that uses one carries no checking code.
    ///
    /// # Errors
    ///
    /// The first failing check, as a [`TypeError`].
    ///
    /// ```
    /// use wasmstream::{Response, Source};
    ///
    /// let body = Response::ok_wasm(&b"\0asm"[..]).into_checked_body()?;
    /// assert_eq!(body, b"\0asm");
    /// # Ok::<(), wasmstream::TypeError>(())
    /// ```
    fn into_checked_body(self) -> Result<Self::Body, TypeError>;

    /// How the drivers report a failed read of the body: [`Error::Io`] with
    /// the reader's error unchanged, unless the source knows better — an
    /// [`HttpResponse`](crate::http::HttpResponse) reports a body that breaks
    /// its HTTP framing (shorter than its `Content-Length`, a malformed
    /// chunk) as the Fetch spec's network error, [`Error::Type`].
    ///
    /// ```
    /// use wasmstream::std_io::FromStd;
    /// use wasmstream::{Error, Source};
    ///
    /// // A bare reader's error is passed on unchanged.
    /// let timeout = std::io::Error::from(std::io::ErrorKind::TimedOut);
    /// let error = <FromStd<std::net::TcpStream> as Source>::read_error(timeout);
    /// assert!(matches!(error, Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut));
    ///
    /// // A truncated HTTP body is a TypeError.
    /// use wasmstream::http::{BodyError, HttpResponse};
    /// use wasmstream::TypeError;
    /// let short = BodyError::Protocol(TypeError::BodyTooShort { expected: 9, received: 2 });
    /// let error = <HttpResponse<&[u8]> as Source>::read_error(short);
    /// assert!(matches!(error, Error::Type(TypeError::BodyTooShort { .. })));
    /// ```
    fn read_error(error: SourceError<Self>) -> Error<SourceError<Self>> {
        Error::Io(error)
    }

    /// The body's length, when the source knows it in advance (an HTTP
    /// `Content-Length`); `None` for a bare reader.
    ///
    /// ```
    /// use wasmstream::Source;
    /// use wasmstream::http::HttpResponse;
    ///
    /// assert_eq!((&b"\0asm"[..]).known_length(), None);
    /// let stream = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\0asm";
    /// let response = HttpResponse::read(&stream[..], &mut [0; 64])?;
    /// assert_eq!(Source::known_length(&response), Some(4));
    /// # Ok::<(), wasmstream::Error<core::convert::Infallible>>(())
    /// ```
    fn known_length(&self) -> Option<u64> {
        None
    }
}

impl<R: embedded_io::Read> Source for R {
    type Body = R;

    fn into_checked_body(self) -> Result<R, TypeError> {
        Ok(self)
    }
}

impl<B: embedded_io::Read> Source for Response<B> {
    type Body = B;

    fn into_checked_body(self) -> Result<B, TypeError> {
        self.check()?;
        Ok(self.into_body())
    }
}

/// The reader error type of a [`Source`].
///
/// ```
/// use wasmstream::{Config, Error, Module, SourceError, compile_streaming};
///
/// // Naming the error of a function that compiles from a byte slice.
/// fn compile(bytes: &[u8]) -> Result<Module, Error<SourceError<&[u8]>>> {
///     compile_streaming(&Config::new().engine(), bytes)
/// }
/// assert!(compile(b"\0asm\x01\0\0\0").is_ok());
/// ```
pub type SourceError<S> = <<S as Source>::Body as embedded_io::ErrorType>::Error;

/// The async twin of [`Source`]: any [`embedded_io_async::Read`], or a
/// [`Response`] over one.
///
/// ```
/// use wasmstream::AsyncSource;
///
/// let bare: &[u8] = b"\0asm\x01\0\0\0";
/// assert!(AsyncSource::into_checked_body(bare).is_ok());
/// ```
#[cfg(feature = "async")]
pub trait AsyncSource {
    /// The reader of the response body.
    type Body: embedded_io_async::Read;

    /// The body to read, once the source has passed the Web API's checks.
    ///
    /// # Errors
    ///
    /// The first failing check, as a [`TypeError`].
    ///
    /// ```
    /// use wasmstream::{AsyncSource, Response, TypeError};
    ///
    /// let not_wasm = Response::new(200, Some(b"text/plain"), &b""[..]);
    /// let error = AsyncSource::into_checked_body(not_wasm).err();
    /// assert_eq!(error, Some(TypeError::WrongContentType { found: "text/plain".into() }));
    /// ```
    fn into_checked_body(self) -> Result<Self::Body, TypeError>;

    /// How the async drivers report a failed read of the body; see
    /// [`Source::read_error`].
    ///
    /// ```
    /// use wasmstream::http::{BodyError, HttpResponse};
    /// use wasmstream::{AsyncSource, Error, TypeError};
    ///
    /// let bad_chunk = TypeError::BadChunkedBody { offset: 3, problem: "chunk size is not hexadecimal" };
    /// let error = <HttpResponse<&[u8]> as AsyncSource>::read_error(BodyError::Protocol(bad_chunk));
    /// assert!(matches!(error, Error::Type(TypeError::BadChunkedBody { offset: 3, .. })));
    /// ```
    fn read_error(error: AsyncSourceError<Self>) -> Error<AsyncSourceError<Self>> {
        Error::Io(error)
    }

    /// The body's length, when the source knows it in advance; see
    /// [`Source::known_length`].
    ///
    /// ```
    /// use wasmstream::AsyncSource;
    /// use wasmstream::http::HttpResponse;
    ///
    /// let stream = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\0asm";
    /// let mut head = [0; 64];
    /// let reading = HttpResponse::read_async(&stream[..], &mut head);
    /// let response = embassy_futures::block_on(reading)?;
    /// assert_eq!(AsyncSource::known_length(&response), Some(4));
    /// # Ok::<(), wasmstream::Error<core::convert::Infallible>>(())
    /// ```
    fn known_length(&self) -> Option<u64> {
        None
    }
}

#[cfg(feature = "async")]
impl<R: embedded_io_async::Read> AsyncSource for R {
    type Body = R;

    fn into_checked_body(self) -> Result<R, TypeError> {
        Ok(self)
    }
}

#[cfg(feature = "async")]
impl<B: embedded_io_async::Read> AsyncSource for Response<B> {
    type Body = B;

    fn into_checked_body(self) -> Result<B, TypeError> {
        self.check()?;
        Ok(self.into_body())
    }
}

/// The reader error type of an [`AsyncSource`].
///
/// ```
/// use wasmstream::{AsyncSourceError, Config, Error, Module, compile_streaming_async};
///
/// async fn compile(bytes: &[u8]) -> Result<Module, Error<AsyncSourceError<&[u8]>>> {
///     compile_streaming_async(&Config::new().engine(), bytes).await
/// }
/// assert!(embassy_futures::block_on(compile(b"\0asm\x01\0\0\0")).is_ok());
/// ```
#[cfg(feature = "async")]
pub type AsyncSourceError<S> = <<S as AsyncSource>::Body as embedded_io_async::ErrorType>::Error;
