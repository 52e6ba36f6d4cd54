//! The JS API's error kinds: TypeError, CompileError, LinkError, RuntimeError,
//! plus the reader's own error.

use alloc::string::String;
use core::fmt;

pub use crate::link_error::{LinkError, LinkErrorReason};
pub use crate::runtime_error::{LimitExceeded, RuntimeError};

/// Everything `compile_streaming`, `instantiate` and `instantiate_streaming`
/// can fail with: the JS API's error kinds, plus `Io` for the reader's error.
///
/// `E` is the reader's error type (`core::convert::Infallible` where nothing
/// is read).
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
    /// A bad source (HTTP status, `Content-Type`) or a missing import namespace.
    Type(TypeError),
    /// A malformed or invalid module, with the byte offset in the stream.
    Compile(CompileError),
    /// An import that is missing or of the wrong kind or type.
    Link(LinkError),
    /// A trap while instantiating (start function, out-of-bounds segment),
    /// or a resource limit of the store broken.
    Runtime(RuntimeError),
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

/// The JS API's `TypeError`: the source is not a usable response, or an
/// import namespace is missing from the import object.
///
/// ```
/// use wasmstream::{Response, TypeError};
///
/// let error = Response::new(200, None, &b""[..]).check().unwrap_err();
/// assert_eq!(error, TypeError::MissingContentType);
/// assert_eq!(
///     error.to_string(),
///     r#"type error: response has no Content-Type, expected "application/wasm""#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TypeError {
    /// The response has no `Content-Type` header.
    MissingContentType,
    /// The `Content-Type` is not `application/wasm`; `found` is the header
    /// value as received (lossily decoded, truncated to 64 bytes).
    WrongContentType {
        /// The header value as received.
        found: String,
    },
    /// The HTTP status is outside 200–299.
    BadStatus {
        /// The status code received.
        status: u16,
    },
    /// The module imports from a namespace the import object does not have.
    MissingNamespace {
        /// The import's position: in the module's import section for
        /// [`instantiate_streaming`](crate::instantiate_streaming) (and its
        /// variants) and [`Imports::check`](crate::Imports::check); in wasmi's grouped
        /// order (functions, tables, memories, globals, each group in section
        /// order) for [`instantiate`](crate::instantiate) and
        /// [`Imports::resolve`](crate::Imports::resolve), since a compiled
        /// `wasmi::Module` keeps no other order. The two agree when the section
        /// already lists functions, then tables, memories, globals.
        index: u32,
        /// The missing namespace.
        module: String,
        /// The name imported from it.
        name: String,
    },
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeError::MissingContentType => f.write_str(
                "type error: response has no Content-Type, expected \"application/wasm\"",
            ),
            TypeError::WrongContentType { found } => write!(
                f,
                "type error: response Content-Type is {found:?}, expected \"application/wasm\""
            ),
            TypeError::BadStatus { status } => write!(
                f,
                "type error: response status {status} is not ok (expected 200-299)"
            ),
            TypeError::MissingNamespace {
                index,
                module,
                name,
            } => write!(
                f,
                "type error: import #{index} {module:?} {name:?}: module is not an object or function (no namespace {module:?} in the import object)"
            ),
        }
    }
}

impl core::error::Error for TypeError {}

/// The JS API's `CompileError`: the bytes are not a valid module.
///
/// `offset` is the absolute byte offset in the stream (custom sections
/// included) of the byte that proved the module wrong, or of the end of the
/// stream when the module is truncated.
///
/// ```
/// use wasmstream::{Config, Error, compile_streaming};
///
/// let engine = Config::new().engine();
/// let Err(Error::Compile(error)) = compile_streaming(&engine, &b"\0asm\x01\0\0\0\x63"[..]) else { panic!() };
/// assert_eq!(error.offset(), 8); // the unknown section id
/// assert!(error.to_string().starts_with("compile error at byte 8: "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    offset: u64,
    message: String,
}

impl CompileError {
    /// A compile error at `offset` with a one-line `message`.
    ///
    /// ```
    /// use wasmstream::CompileError;
    ///
    /// let error = CompileError::new(12, "unexpected end");
    /// assert_eq!(error.to_string(), "compile error at byte 12: unexpected end");
    /// ```
    #[must_use]
    pub fn new(offset: u64, message: impl Into<String>) -> Self {
        CompileError {
            offset,
            message: message.into(),
        }
    }

    /// The byte offset in the stream.
    ///
    /// ```
    /// let error = wasmstream::CompileError::new(12, "unexpected end");
    /// assert_eq!(error.offset(), 12);
    /// ```
    #[must_use]
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// What is wrong, without the offset.
    ///
    /// ```
    /// let error = wasmstream::CompileError::new(12, "unexpected end");
    /// assert_eq!(error.message(), "unexpected end");
    /// ```
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "compile error at byte {}: {}", self.offset, self.message)
    }
}

impl core::error::Error for CompileError {}
