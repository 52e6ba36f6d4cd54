//! [`InterruptedRetries`]: a reader that keeps returning `Interrupted` is
//! retried a bounded number of times in a row, not forever.

use embedded_io::ErrorKind;

use crate::error::{Error, TypeError};

/// How many reads in a row may return `Interrupted` before the load fails
/// with [`TypeError::ReadInterrupted`]. `Interrupted` means "try again now";
/// a reader that says it this many times in a row is not going to make
/// progress.
///
/// ```
/// use wasmstream::control::{InterruptedRetries, MAX_INTERRUPTED_IN_A_ROW};
///
/// assert_eq!(InterruptedRetries::new(), InterruptedRetries::with_limit(MAX_INTERRUPTED_IN_A_ROW));
/// ```
pub const MAX_INTERRUPTED_IN_A_ROW: u32 = 32;

/// Counts consecutive `Interrupted` reads; a driver passes every read's
/// result through [`check`](Self::check). The async driver yields to the
/// executor ([`yield_now`]) before each retry.
///
/// ```
/// use embedded_io::ErrorKind;
/// use wasmstream::control::InterruptedRetries;
/// use wasmstream::{Error, TypeError};
///
/// let mut retries = InterruptedRetries::with_limit(2);
/// let interrupted = || Err::<usize, _>(ErrorKind::Interrupted);
/// assert!(matches!(retries.check(interrupted(), 8), Ok(None))); // read again
/// assert!(matches!(retries.check(Ok::<_, ErrorKind>(5), 8), Ok(Some(5)))); // resets the count
/// assert!(matches!(retries.check(interrupted(), 13), Ok(None)));
/// assert!(matches!(retries.check(interrupted(), 13), Ok(None)));
/// let Err(Error::Type(error)) = retries.check(interrupted(), 13) else { panic!() };
/// assert_eq!(error, TypeError::ReadInterrupted { offset: 13, retries: 3 });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterruptedRetries {
    in_a_row: u32,
    limit: u32,
}

impl InterruptedRetries {
    /// Retries up to [`MAX_INTERRUPTED_IN_A_ROW`] interrupted reads in a row
    /// (see [`MAX_INTERRUPTED_IN_A_ROW`]'s example).
    #[must_use]
    pub const fn new() -> Self {
        Self::with_limit(MAX_INTERRUPTED_IN_A_ROW)
    }

    /// Retries up to `limit` interrupted reads in a row (0: none; see the
    /// type's example).
    #[must_use]
    pub const fn with_limit(limit: u32) -> Self {
        InterruptedRetries { in_a_row: 0, limit }
    }

    /// Counts a read that delivered bytes without going through
    /// [`check`](Self::check): the count starts again.
    #[inline]
    pub(crate) fn delivered(&mut self) {
        self.in_a_row = 0;
    }

    /// Takes the result of one read at stream offset `offset`: `Ok(Some(n))`
    /// when `n` bytes were read, `Ok(None)` when the read was interrupted and
    /// may be retried.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] with the reader's error unchanged for any error but
    /// `Interrupted`; [`TypeError::ReadInterrupted`] naming the offset and
    /// the count when one more interrupted read than the limit arrives.
    pub fn check<E: embedded_io::Error>(
        &mut self,
        result: Result<usize, E>,
        offset: u64,
    ) -> Result<Option<usize>, Error<E>> {
        match result {
            Ok(n) => {
                self.in_a_row = 0;
                Ok(Some(n))
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {
                self.in_a_row = self.in_a_row.saturating_add(1);
                if self.in_a_row > self.limit {
                    Err(Error::Type(TypeError::ReadInterrupted {
                        offset,
                        retries: self.in_a_row,
                    }))
                } else {
                    Ok(None)
                }
            }
            Err(e) => Err(Error::Io(e)),
        }
    }
}

impl Default for InterruptedRetries {
    fn default() -> Self {
        Self::new()
    }
}

/// A future that returns `Pending` once (waking itself) and then `Ready`:
/// gives the executor a turn, so an async retry loop cannot starve other tasks.
///
/// ```
/// # embassy_futures::block_on(async {
/// wasmstream::control::yield_now().await;
/// # });
/// ```
#[cfg(feature = "async")]
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future [`yield_now`] returns: `Pending` on its first poll (after
/// waking its waker), `Ready` on the next.
///
/// ```
/// use core::future::Future;
/// use core::task::{Context, Poll, Waker};
///
/// let mut cx = Context::from_waker(Waker::noop());
/// let mut future = core::pin::pin!(wasmstream::control::yield_now());
/// assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending);
/// assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(()));
/// ```
#[cfg(feature = "async")]
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

#[cfg(feature = "async")]
impl core::future::Future for YieldNow {
    type Output = ();

    fn poll(
        mut self: core::pin::Pin<&mut Self>,
        cx: &mut core::task::Context<'_>,
    ) -> core::task::Poll<()> {
        if self.yielded {
            return core::task::Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        core::task::Poll::Pending
    }
}
