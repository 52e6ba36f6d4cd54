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
    /// The flash failed: the `operation` at flash offset `address` (from the
    /// start of the flash device, as `NorFlash` counts) returned `kind`. The
    /// stream stops there.
    #[cfg(feature = "flash")]
    Flash {
        /// The staged module byte the operation was for: the first byte it
        /// writes (or, for an erase, of the write that needed it); the
        /// module's length for the install record.
        offset: u64,
        /// What the flash was asked to do.
        operation: FlashOperation,
        /// The flash offset of the failed operation.
        address: u32,
        /// What the flash driver said.
        kind: embedded_storage::nor_flash::NorFlashErrorKind,
    },
    /// The flash does not read back what was written: the SHA-256 of the
    /// staged bytes seen through the memory-mapped view differs from that of
    /// the validated bytes, or the install record reads back wrong. Nothing
    /// was handed to wasmi and the module is not installed.
    #[cfg(feature = "flash")]
    ReadBack {
        /// The staged module's length.
        offset: u64,
        /// The flash offset of what reads back wrong (the region's start for
        /// the module bytes, the record's address for the record).
        address: u32,
    },
    /// A flash region that cannot stage a module: misaligned, too small for
    /// the install record, a memory-mapped view of another length, or a
    /// flash whose write unit this crate does not support.
    #[cfg(feature = "flash")]
    Region {
        /// The region's flash offset.
        address: u32,
        /// The region's length in bytes.
        len: u32,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `finish` was told a module length other than the bytes the sink was
    /// given: nothing is completed or installed.
    LengthMismatch {
        /// The bytes the sink was given.
        offset: u64,
        /// The length the validator reported.
        validated: u64,
    },
}

/// A flash operation, named in [`StagingError::Flash`].
///
/// ```
/// use wasmstream::staging::FlashOperation;
///
/// assert_eq!(FlashOperation::Erase.to_string(), "erase");
/// ```
#[cfg(feature = "flash")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashOperation {
    /// `NorFlash::erase`, of the page(s) ahead of the write position.
    Erase,
    /// `NorFlash::write` of module bytes.
    Write,
    /// `NorFlash::write` of the install record.
    WriteRecord,
}

#[cfg(feature = "flash")]
impl fmt::Display for FlashOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FlashOperation::Erase => "erase",
            FlashOperation::Write => "write",
            FlashOperation::WriteRecord => "write of the install record",
        })
    }
}

/// embedded-storage's error kinds, in a message's words.
#[cfg(feature = "flash")]
fn flash_kind(kind: embedded_storage::nor_flash::NorFlashErrorKind) -> &'static str {
    use embedded_storage::nor_flash::NorFlashErrorKind;
    match kind {
        NorFlashErrorKind::NotAligned => "not aligned",
        NorFlashErrorKind::OutOfBounds => "out of bounds",
        _ => "the flash driver reported an error",
    }
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
            StagingError::Full { offset, .. }
            | StagingError::OutOfMemory { offset, .. }
            | StagingError::LengthMismatch { offset, .. } => *offset,
            #[cfg(feature = "flash")]
            StagingError::Flash { offset, .. } | StagingError::ReadBack { offset, .. } => *offset,
            // A region refused before anything was staged.
            #[cfg(feature = "flash")]
            StagingError::Region { .. } => 0,
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
            #[cfg(feature = "flash")]
            StagingError::Flash {
                offset,
                operation,
                address,
                kind,
            } => write!(
                f,
                "staging error at byte {offset}: flash {operation} at flash offset {address:#x} failed: {}",
                flash_kind(*kind)
            ),
            #[cfg(feature = "flash")]
            StagingError::ReadBack { offset, address } => write!(
                f,
                "staging error at byte {offset}: the flash at offset {address:#x} does not read back what was written; nothing was installed"
            ),
            #[cfg(feature = "flash")]
            StagingError::Region {
                address,
                len,
                reason,
            } => write!(
                f,
                "staging error: flash region of {len} bytes at flash offset {address:#x}: {reason}"
            ),
            StagingError::LengthMismatch { offset, validated } => write!(
                f,
                "staging error at byte {offset}: the validator reports a module of {validated} bytes, the sink was given {offset}"
            ),
        }
    }
}

impl core::error::Error for StagingError {}
