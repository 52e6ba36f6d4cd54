//! [`StreamingError`]: what the sans-IO compiler's `feed` and `finish` fail with.

use core::fmt;

use super::CompileError;
use crate::staging::StagingError;

/// Why [`StreamingCompiler::feed`](crate::StreamingCompiler::feed) or
/// [`finish`](crate::StreamingCompiler::finish) failed: the module is bad
/// (a [`CompileError`]), or the staging sink failed (a [`StagingError`]).
/// The drivers report them as [`Error::Compile`](crate::Error::Compile) and
/// [`Error::Staging`](crate::Error::Staging).
///
/// ```
/// use wasmstream::{Config, StreamingCompiler, StreamingError};
///
/// let mut compiler = StreamingCompiler::new(&Config::new().engine());
/// let error = compiler.feed(b"\0asX").unwrap_err();
/// assert!(matches!(error, StreamingError::Compile(ref e) if e.offset() == 3));
/// assert_eq!(error.offset(), 3);
/// assert!(error.to_string().starts_with("compile error at byte 3: "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamingError {
    /// The bytes are not a valid module (the offset is a stream offset).
    Compile(CompileError),
    /// The staging sink failed or is full (the offset is a staged offset).
    Staging(StagingError),
}

impl StreamingError {
    /// The offset the error names: a stream offset for a compile error, an
    /// offset in the staged module for a staging error.
    ///
    /// ```
    /// use wasmstream::{CompileError, StreamingError};
    ///
    /// assert_eq!(StreamingError::from(CompileError::new(12, "bad")).offset(), 12);
    /// ```
    #[must_use]
    pub fn offset(&self) -> u64 {
        match self {
            StreamingError::Compile(e) => e.offset(),
            StreamingError::Staging(e) => e.offset(),
        }
    }
}

impl fmt::Display for StreamingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamingError::Compile(e) => fmt::Display::fmt(e, f),
            StreamingError::Staging(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl core::error::Error for StreamingError {}

impl From<CompileError> for StreamingError {
    fn from(e: CompileError) -> Self {
        StreamingError::Compile(e)
    }
}

impl From<StagingError> for StreamingError {
    fn from(e: StagingError) -> Self {
        StreamingError::Staging(e)
    }
}
