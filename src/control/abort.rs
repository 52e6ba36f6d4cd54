//! [`Abort`]: the role of the DOM's `AbortSignal` for blocking loads.

use core::sync::atomic::{AtomicBool, Ordering};

/// A condition a blocking driver checks before each read; once it is true the
/// load stops with [`Error::Abort`](crate::Error::Abort) and reads nothing
/// further.
///
/// Implemented for `&AtomicBool` (set from an interrupt handler or another
/// task), for any `FnMut() -> bool` (a deadline, a button), and by
/// [`NoAbort`]. In async code, dropping the future is the abort.
///
/// ```
/// use core::sync::atomic::{AtomicBool, Ordering};
/// use wasmstream::control::Abort;
///
/// let cancel = AtomicBool::new(false);
/// let mut flag = &cancel;
/// assert!(!flag.aborted());
/// cancel.store(true, Ordering::Release);
/// assert!(flag.aborted());
///
/// let mut reads_left = 2;
/// let mut budget = move || {
///     reads_left -= 1;
///     reads_left < 0
/// };
/// assert_eq!([budget.aborted(), budget.aborted(), budget.aborted()], [false, false, true]);
/// ```
pub trait Abort {
    /// Whether the load should stop now.
    fn aborted(&mut self) -> bool;
}

impl Abort for &AtomicBool {
    fn aborted(&mut self) -> bool {
        // Acquire: whatever the aborting side wrote before setting the flag
        // (a reason, a state change) is visible once the flag is seen.
        self.load(Ordering::Acquire)
    }
}

impl<F: FnMut() -> bool> Abort for F {
    fn aborted(&mut self) -> bool {
        self()
    }
}

/// Never aborts: the default, which compiles to nothing.
///
/// ```
/// use wasmstream::control::{Abort, NoAbort};
///
/// assert!(!NoAbort.aborted());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoAbort;

impl Abort for NoAbort {
    #[inline(always)]
    fn aborted(&mut self) -> bool {
        false
    }
}
