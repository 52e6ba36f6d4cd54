//! [`StagingError`]: the staging sink failed or is full.

use core::fmt;

/// The staging sink could not take the module: it is full, out of memory,
/// or its storage failed. Each names the offset it failed at.
///
/// ```
/// use wasmstream::staging::StagingError;
///
/// let error = StagingError::Full { offset: 4096, capacity: 4096 };
/// assert_eq!(
///     error.to_string(),
///     "staging error at byte 4096: the module does not fit in the staging area of 4096 bytes"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StagingError {
    /// The module needs more room than the sink has: writing byte `offset`
    /// of the staged module would pass its `capacity`.
    Full {
        /// The staged offset that does not fit.
        offset: u64,
        /// The sink's capacity in bytes.
        capacity: u64,
    },
    /// The heap could not give the `requested` bytes the sink needed at
    /// staged `offset`.
    OutOfMemory {
        /// The staged offset at which the sink needed room.
        offset: u64,
        /// The bytes asked of the allocator.
        requested: u64,
    },
}

impl StagingError {
    /// The offset in the staged module at which the sink failed.
    ///
    /// ```
    /// use wasmstream::staging::StagingError;
    ///
    /// assert_eq!(StagingError::Full { offset: 4096, capacity: 4096 }.offset(), 4096);
    /// ```
    #[must_use]
    pub fn offset(&self) -> u64 {
        match self {
            StagingError::Full { offset, .. } | StagingError::OutOfMemory { offset, .. } => *offset,
        }
    }
}

impl fmt::Display for StagingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StagingError::Full { offset, capacity } => write!(
                f,
                "staging error at byte {offset}: the module does not fit in the staging area of {capacity} bytes"
            ),
            StagingError::OutOfMemory { offset, requested } => write!(
                f,
                "staging error at byte {offset}: out of memory: cannot allocate {requested} bytes to stage the module"
            ),
        }
    }
}

impl core::error::Error for StagingError {}
