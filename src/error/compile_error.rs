//! [`CompileError`]: the bytes are not a valid module.

use alloc::borrow::Cow;
use core::fmt;

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
    // Most messages are fixed text: kept as `&'static str`, reporting them
    // allocates nothing (an out-of-memory error included) and costs no code
    // to copy them.
    message: Cow<'static, str>,
}

impl CompileError {
    /// A compile error at `offset` with a one-line `message` (fixed text is
    /// kept as it is, a `String` is moved in).
    ///
    /// ```
    /// use wasmstream::CompileError;
    ///
    /// let error = CompileError::new(12, "unexpected end");
    /// assert_eq!(error.to_string(), "compile error at byte 12: unexpected end");
    /// ```
    #[must_use]
    pub fn new(offset: u64, message: impl Into<Cow<'static, str>>) -> Self {
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

    /// The same error, moved to `offset` if it is reported before it.
    pub(crate) fn at_least_at(mut self, offset: u64) -> Self {
        self.offset = self.offset.max(offset);
        self
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "compile error at byte {}: {}", self.offset, self.message)
    }
}

impl core::error::Error for CompileError {}
