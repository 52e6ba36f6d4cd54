//! Where module bytes come from: any `embedded_io::Read`, or a [`Response`]
//! that also carries the HTTP status and `Content-Type` the Web API checks.

mod response;

pub use response::Response;

use crate::error::TypeError;

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

    /// The body's length in bytes, when the source knows it (an HTTP
    /// `Content-Length`); `None` by default. The drivers use it, unless
    /// [`CompileOptions::size_hint`](crate::CompileOptions::size_hint)
    /// gives one, to reserve the staging once and to reject a stream that
    /// ends before it.
    ///
    /// ```
    /// use wasmstream::Source;
    ///
    /// assert_eq!(Source::known_length(&&b"\0asm"[..]), None);
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

    /// The body's length in bytes, when the source knows it; `None` by
    /// default. As [`Source::known_length`].
    ///
    /// ```
    /// use wasmstream::AsyncSource;
    ///
    /// assert_eq!(AsyncSource::known_length(&&b"\0asm"[..]), None);
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
