//! [`ReadControls`]: what the drivers do around each read besides feeding
//! the compiler — the abort check, the bounded retry of interrupted reads,
//! the digest and the progress report.

use embedded_io::ErrorKind;

use super::StreamingCompiler;
use crate::control::{
    Abort, InterruptedRetries, NoAbort, NoProgress, Progress, ProgressEvent, Section,
};
use crate::error::{Error, StreamingError};
#[cfg(feature = "integrity")]
use alloc::boxed::Box;

#[cfg(feature = "integrity")]
use crate::integrity::IntegrityCheck;
use crate::staging::Staging;

/// The caller's controls of one load, in the order a driver uses them:
/// [`check_abort`](Self::check_abort) before each read,
/// [`read_outcome`](Self::read_outcome) on its result,
/// [`feed`](Self::feed) with the bytes (or
/// [`received_in_body`](Self::received_in_body) for bytes read straight into
/// a function body), [`verify`](Self::verify) after the end checks.
pub(crate) struct ReadControls<P, A> {
    progress: P,
    abort: A,
    retries: InterruptedRetries,
    /// The module's length when known, for progress reports.
    total: Option<u64>,
    #[cfg(feature = "integrity")]
    integrity: Option<Box<IntegrityCheck>>,
}

impl ReadControls<NoProgress, NoAbort> {
    /// No progress, no abort, no integrity: only the retry bound.
    pub(crate) fn none() -> Self {
        ReadControls::new(NoProgress, NoAbort, None)
    }
}

impl<P: Progress, A: Abort> ReadControls<P, A> {
    pub(crate) fn new(progress: P, abort: A, total: Option<u64>) -> Self {
        ReadControls {
            progress,
            abort,
            retries: InterruptedRetries::new(),
            total,
            #[cfg(feature = "integrity")]
            integrity: None,
        }
    }

    /// Checks every streamed byte against `check`.
    #[cfg(feature = "integrity")]
    pub(crate) fn with_integrity(mut self, check: Option<Box<IntegrityCheck>>) -> Self {
        self.integrity = check;
        self
    }

    /// Called before each read: [`Error::Abort`] once the caller aborted.
    #[inline]
    pub(crate) fn check_abort<E>(&mut self) -> Result<(), Error<E>> {
        if self.abort.aborted() {
            Err(Error::Abort)
        } else {
            Ok(())
        }
    }

    /// Takes the result of one read at stream offset `offset`: the bytes
    /// read (`0` at the end of the stream), or `None` for an interrupted
    /// read to retry; a failed read is reported as `read_error` says.
    #[inline]
    pub(crate) fn read_outcome<E: embedded_io::Error>(
        &mut self,
        result: Result<usize, E>,
        offset: u64,
        read_error: fn(E) -> Error<E>,
    ) -> Result<Option<usize>, Error<E>> {
        match result {
            Err(e) if e.kind() != ErrorKind::Interrupted => Err(read_error(e)),
            result => self.retries.check(result, offset),
        }
    }

    /// Feeds the bytes of one read: to the digest first, then to the
    /// compiler, then one progress report.
    #[inline]
    pub(crate) fn feed<T: Staging>(
        &mut self,
        compiler: &mut StreamingCompiler<T>,
        bytes: &[u8],
    ) -> Result<(), StreamingError> {
        self.digest(bytes);
        if !compiler.feed_within_field(bytes) {
            compiler.feed(bytes)?;
        }
        self.report(compiler.consumed(), compiler.section());
        Ok(())
    }

    /// Whether the caller has aborted, for a loop that checks before each
    /// read and leaves the error to [`check_abort`](Self::check_abort).
    #[inline]
    pub(crate) fn aborted(&mut self) -> bool {
        self.abort.aborted()
    }

    /// Takes the bytes of one read that went straight into a function
    /// body's room (see `body_room.rs`), `received` bytes in all so far: a
    /// delivering read for the retry count, then the digest, then one
    /// progress report.
    #[inline]
    pub(crate) fn received_in_body(&mut self, bytes: &[u8], received: u64) {
        self.retries.delivered();
        self.digest(bytes);
        self.report(received, Section::Code);
    }

    #[inline]
    fn digest(&mut self, bytes: &[u8]) {
        #[cfg(feature = "integrity")]
        if let Some(check) = &mut self.integrity {
            check.update(bytes);
        }
        #[cfg(not(feature = "integrity"))]
        let _ = bytes;
    }

    #[inline]
    fn report(&mut self, received: u64, section: Section) {
        self.progress.progress(ProgressEvent {
            received,
            total: self.total,
            section,
        });
    }

    /// After the last byte and the compiler's end checks: the integrity and
    /// signature check, if one was asked for.
    pub(crate) fn verify<E>(&mut self) -> Result<(), Error<E>> {
        #[cfg(feature = "integrity")]
        if let Some(check) = self.integrity.take() {
            check.check()?;
        }
        Ok(())
    }
}
