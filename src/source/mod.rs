//! Where module bytes come from: any `embedded_io::Read`, or a [`Response`]
//! that also carries the HTTP status and `Content-Type` the Web API checks.

mod response;

pub use response::Response;

/// A source of module bytes for the blocking drivers: any
/// [`embedded_io::Read`] (an OK `application/wasm` response), or a
/// [`Response`] whose status and `Content-Type` are checked first.
///
/// ```
/// use wasmstream::{Response, Source};
///
/// let bare: &[u8] = b"\0asm\x01\0\0\0";
/// assert_eq!(bare.into_response().status(), 200);
///
/// let fetched = Response::new(404, Some(b"text/html"), bare);
/// assert!(fetched.into_response().check().is_err());
/// ```
pub trait Source {
    /// The reader of the response body.
    type Body: embedded_io::Read;

    /// The response this source stands for.
    fn into_response(self) -> Response<Self::Body>;
}

impl<R: embedded_io::Read> Source for R {
    type Body = R;

    fn into_response(self) -> Response<R> {
        Response::ok_wasm(self)
    }
}

impl<B: embedded_io::Read> Source for Response<B> {
    type Body = B;

    fn into_response(self) -> Response<B> {
        self
    }
}

/// The reader error type of a [`Source`].
pub type SourceError<S> = <<S as Source>::Body as embedded_io::ErrorType>::Error;

/// The async twin of [`Source`]: any [`embedded_io_async::Read`], or a
/// [`Response`] over one.
///
/// ```
/// use wasmstream::{AsyncSource, Response};
///
/// let bare: &[u8] = b"\0asm\x01\0\0\0";
/// assert_eq!(AsyncSource::into_response(bare).status(), 200);
/// ```
#[cfg(feature = "async")]
pub trait AsyncSource {
    /// The reader of the response body.
    type Body: embedded_io_async::Read;

    /// The response this source stands for.
    fn into_response(self) -> Response<Self::Body>;
}

#[cfg(feature = "async")]
impl<R: embedded_io_async::Read> AsyncSource for R {
    type Body = R;

    fn into_response(self) -> Response<R> {
        Response::ok_wasm(self)
    }
}

#[cfg(feature = "async")]
impl<B: embedded_io_async::Read> AsyncSource for Response<B> {
    type Body = B;

    fn into_response(self) -> Response<B> {
        self
    }
}

/// The reader error type of an [`AsyncSource`].
#[cfg(feature = "async")]
pub type AsyncSourceError<S> = <<S as AsyncSource>::Body as embedded_io_async::ErrorType>::Error;
