//! The JS API's error kinds: TypeError, CompileError, LinkError, RuntimeError,
//! plus the reader's own error.

mod compile_error;
#[cfg(feature = "defmt")]
mod defmt;
pub(crate) mod link_error;
pub(crate) mod runtime_error;
mod streaming_error;
mod type_error;

use core::fmt;

pub use compile_error::CompileError;
pub use link_error::{ExternKind, IndexType, LinkError, LinkErrorReason};
pub use runtime_error::{LimitExceeded, RuntimeError};
pub use streaming_error::StreamingError;
pub use type_error::TypeError;

use crate::staging::StagingError;

/// Everything `compile_streaming`, `instantiate` and `instantiate_streaming`
/// can fail with: the JS API's error kinds, the DOM's `AbortError`, plus
/// `Staging` for the staging sink and `Io` for the reader's error.
///
/// `E` is the reader's error type. The calls that read nothing
/// ([`instantiate`](crate::instantiate), [`Imports::resolve`](crate::Imports::resolve),
/// [`Imports::check`](crate::Imports::check)) are generic over it, so `?`
/// carries all of them in one function; where nothing else fixes `E`, name
/// it (`core::convert::Infallible`).
///
/// ```
/// use wasmstream::{Config, Error, Response, TypeError, compile_streaming};
///
/// let engine = Config::new().engine();
/// let not_found = Response::new(404, Some(b"application/wasm"), &b""[..]);
/// let Err(Error::Type(error)) = compile_streaming(&engine, not_found) else { panic!() };
/// assert_eq!(error, TypeError::BadStatus { status: 404 });
///
/// let Err(error) = compile_streaming(&engine, &b"\0asm"[..]) else { panic!() };
/// assert!(matches!(error, Error::Compile(ref e) if e.offset() == 4), "{error}");
/// ```
#[derive(Debug)]
pub enum Error<E> {
    /// A bad source (HTTP status, `Content-Type`), a missing import
    /// namespace, or a module or import object of another engine.
    Type(TypeError),
    /// A malformed or invalid module, with the byte offset in the stream.
    Compile(CompileError),
    /// An import that is missing or of the wrong kind or type.
    Link(LinkError),
    /// A trap while instantiating (start function, out-of-bounds segment),
    /// or a resource limit of the store broken.
    Runtime(RuntimeError),
    /// The caller aborted the load (the JS `AbortError`): its
    /// [`Abort`](crate::control::Abort) condition turned true between reads.
    /// Nothing further was read, compiled or run.
    Abort,
    /// The staging sink (a heap buffer, flash) failed or is full; it names
    /// the offset.
    Staging(StagingError),
    /// The reader failed; its error, unchanged.
    Io(E),
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Type(e) => fmt::Display::fmt(e, f),
            Error::Compile(e) => fmt::Display::fmt(e, f),
            Error::Link(e) => fmt::Display::fmt(e, f),
            Error::Runtime(e) => fmt::Display::fmt(e, f),
            Error::Abort => f.write_str("AbortError: the caller aborted the load"),
            Error::Staging(e) => fmt::Display::fmt(e, f),
            Error::Io(e) => write!(f, "read error: {e}"),
        }
    }
}

// `Display` shows the inner error's own line, so it is not also reported as
// a `source()`: error-chain printers would show the line twice.
impl<E: fmt::Debug + fmt::Display> core::error::Error for Error<E> {}

impl<E> From<TypeError> for Error<E> {
    fn from(e: TypeError) -> Self {
        Error::Type(e)
    }
}

impl<E> From<CompileError> for Error<E> {
    fn from(e: CompileError) -> Self {
        Error::Compile(e)
    }
}

impl<E> From<LinkError> for Error<E> {
    fn from(e: LinkError) -> Self {
        Error::Link(e)
    }
}

impl<E> From<RuntimeError> for Error<E> {
    fn from(e: RuntimeError) -> Self {
        Error::Runtime(e)
    }
}

impl<E> From<StreamingError> for Error<E> {
    fn from(e: StreamingError) -> Self {
        match e {
            StreamingError::Compile(e) => Error::Compile(e),
            StreamingError::Staging(e) => Error::Staging(e),
        }
    }
}

impl<E> From<StagingError> for Error<E> {
    fn from(e: StagingError) -> Self {
        Error::Staging(e)
    }
}
