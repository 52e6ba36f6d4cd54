//! [`VecStaging`]: the staged module in a heap `Vec`.

use alloc::vec::Vec;

use super::{Staging, StagingError, Validated};

/// Stages the module in a heap `Vec<u8>`: the default sink.
///
/// With a size hint the buffer is reserved once, exactly. Without one it
/// grows as the module arrives.
///
/// ```
/// use wasmstream::staging::{Staging, Validated, VecStaging};
///
/// let mut staging = VecStaging::new();
/// staging.begin(None)?;
/// staging.write(b"\0asm\x01\0\0\0")?;
/// assert_eq!(staging.finish(Validated { staged_bytes: 8, features: 0 })?.len(), 8);
/// # Ok::<(), wasmstream::staging::StagingError>(())
/// ```
#[derive(Debug, Default)]
pub struct VecStaging {
    bytes: Vec<u8>,
}

impl VecStaging {
    /// An empty staging buffer; nothing is allocated until bytes arrive.
    ///
    /// ```
    /// let staging = wasmstream::staging::VecStaging::new();
    /// # drop(staging);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        VecStaging { bytes: Vec::new() }
    }

    /// Makes room for `additional` more bytes.
    fn grow(&mut self, additional: usize) -> Result<(), StagingError> {
        self.bytes
            .try_reserve(additional)
            .map_err(|_| StagingError::OutOfMemory {
                offset: self.bytes.len() as u64,
                requested: (self.bytes.len() + additional) as u64,
            })
    }
}

// SAFETY: `finish` returns the `Vec`'s contents, which are exactly the
// bytes appended by `write`, in order; nothing else touches the `Vec`.
unsafe impl Staging for VecStaging {
    fn begin(&mut self, size_hint: Option<u64>) -> Result<(), StagingError> {
        if let Some(size) = size_hint {
            let size = usize::try_from(size).unwrap_or(usize::MAX);
            self.bytes
                .try_reserve_exact(size)
                .map_err(|_| StagingError::OutOfMemory {
                    offset: 0,
                    requested: size as u64,
                })?;
        }
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), StagingError> {
        self.grow(bytes.len())?;
        self.bytes.extend_from_slice(bytes);
        Ok(())
    }

    fn finish(&mut self, _validated: Validated) -> Result<&[u8], StagingError> {
        Ok(&self.bytes)
    }
}
