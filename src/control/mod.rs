//! What a caller controls while a module streams in: [`Progress`] reports,
//! an [`Abort`] condition, and the bounded retry of interrupted reads
//! ([`InterruptedRetries`]).
//!
//! These are sans-IO pieces a driver calls between reads; they do no I/O of
//! their own. A driver reports progress at most once per read, checks the
//! abort condition before each read, and passes every read's result through
//! [`InterruptedRetries::check`].

mod abort;
mod progress;
mod retry;

pub use abort::{Abort, NoAbort};
pub use progress::{NoProgress, Progress, ProgressEvent, Section};
pub use retry::{InterruptedRetries, MAX_INTERRUPTED_IN_A_ROW};
#[cfg(feature = "async")]
pub use retry::{YieldNow, yield_now};
