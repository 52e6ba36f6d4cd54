//! [`VecStaging`]: the staged module in a heap `Vec`.

use alloc::vec::Vec;

use super::{Staging, StagingError, Validated};

/// The least a growing buffer grows by.
const MIN_GROWTH: usize = 4096;

/// Stages the module in a heap `Vec<u8>`: the default sink.
///
/// With a size hint the buffer is reserved once, exactly, and never moves
/// (a hint smaller than the module grows as without one, from there).
/// Without one it grows at the code and the data section's header
/// ([`Staging::reserve`]) to hold that section and an eighth of its size
/// more — so what follows the code section (the data section, custom
/// sections) usually fits without moving the staged bytes — and
/// [`finish`](Staging::finish) gives the unused room back before wasmi
/// builds its module. A truncated stream can so make it reserve 1.125 times
/// a section's declared size, which the engine's `Limits` bound; a heap too
/// small for that reserves what it can, and only a write fails. Bytes
/// written beyond what was reserved grow it by half its size (at least
/// 4 KiB). Growing a contiguous buffer whose
/// final size is unknown holds the old and the new block at once with
/// allocators that move on `realloc` (most embedded ones), so give the size
/// when it is known (`CompileOptions::size_hint`, or a source's
/// `known_length`); `docs/memory.md` has the measured peaks.
///
/// ```
/// use wasmstream::staging::{Staging, Validated, VecStaging};
///
/// let engine = wasmstream::Config::new().engine();
/// let mut staging = VecStaging::new();
/// staging.begin(None)?;
/// staging.write(b"\0asm\x01\0\0\0")?;
/// // SAFETY: the empty module, valid under every feature set.
/// let validated = unsafe { Validated::new_unchecked(&engine, 8) };
/// assert_eq!(staging.finish(validated)?.len(), 8);
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

    /// Makes room for `additional` more bytes: by half the buffer (at least
    /// [`MIN_GROWTH`]) when it is full. Doubling would leave up to the
    /// module's size unused, and that slack would still be held while
    /// wasmi builds its module.
    #[inline]
    fn grow(&mut self, additional: usize) -> Result<(), StagingError> {
        let (len, capacity) = (self.bytes.len(), self.bytes.capacity());
        if capacity - len >= additional {
            return Ok(());
        }
        let target = (len + additional).max(capacity + (capacity / 2).max(MIN_GROWTH));
        self.bytes
            .try_reserve_exact(target - len)
            .map_err(|_| StagingError::OutOfMemory {
                offset: len as u64,
                requested: target as u64,
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

    fn reserve(&mut self, additional: u64) -> Result<(), StagingError> {
        let (len, capacity) = (self.bytes.len(), self.bytes.capacity());
        let additional = usize::try_from(additional).unwrap_or(usize::MAX);
        // A size hint reserved the whole module, which holds every section:
        // then there is room already.
        if capacity - len >= additional {
            return Ok(());
        }
        // An eighth more: a data section up to an eighth of the code
        // section's size then fits without moving the staged code. Not
        // more: the slack is held until `finish`, while the validator's
        // state is too. It is a hint, so a heap too small for the slack, or
        // for the section, fails nothing here: the writes that need the
        // room report it.
        let slack = additional / 8;
        if self
            .bytes
            .try_reserve_exact(additional.saturating_add(slack))
            .is_err()
        {
            let _ = self.bytes.try_reserve_exact(additional);
        }
        Ok(())
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) -> Result<(), StagingError> {
        self.grow(bytes.len())?;
        match bytes {
            // One byte (a UART read) is cheaper pushed than copied.
            [byte] => self.bytes.push(*byte),
            _ => self.bytes.extend_from_slice(bytes),
        }
        Ok(())
    }

    fn finish(&mut self, _validated: Validated) -> Result<&[u8], StagingError> {
        // Give back the room growth left unused, before wasmi allocates.
        self.bytes.shrink_to_fit();
        Ok(&self.bytes)
    }
}
