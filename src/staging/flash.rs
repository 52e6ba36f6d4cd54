//! [`FlashStaging`]: the staged module in memory-mapped NOR flash, installed
//! when it has validated.

use embedded_storage::nor_flash::{NorFlash, NorFlashError};
use sha2::{Digest, Sha256};

use super::installed::{BODY_BYTES, MAGIC, MAGIC_AT, RECORD_BYTES, Record};
use super::{FlashOperation, Staging, StagingError, Validated};

/// The largest flash write unit (`NorFlash::WRITE_SIZE`) [`FlashStaging`]
/// supports; the unit must be a power of two up to this. It is also the size
/// of the buffer that holds a partial unit between writes.
///
/// ```
/// assert_eq!(wasmstream::staging::MAX_WRITE_SIZE, 256);
/// ```
pub const MAX_WRITE_SIZE: usize = 256;

/// Stages the module in a region of NOR flash that the CPU also reads as
/// memory (XIP), and installs it there once it has validated, so that
/// [`load_installed`](super::load_installed) reopens it at every later boot
/// without validating again.
///
/// The region starts with the [`RECORD_BYTES`](super::RECORD_BYTES)-byte
/// install record; the module bytes follow. Writes go out in
/// `F::WRITE_SIZE` units (a partial unit waits in a fixed
/// [`MAX_WRITE_SIZE`]-byte buffer; nothing is allocated), and each
/// `F::ERASE_SIZE` page is erased just before the first write into it, never
/// the whole region up front.
///
/// * [`begin`](Staging::begin) refuses a size hint that cannot fit, before it
///   changes anything; then it erases the record's page, so the old install
///   is gone from here on.
/// * [`write`](Staging::write) refuses bytes past the region's capacity
///   before writing any of them; a flash error stops the stream, naming the
///   flash offset.
/// * [`finish`](Staging::finish) writes the last partial unit (padded with
///   0xFF), reads the module back through the memory-mapped view and checks
///   its SHA-256 against that of the bytes written, then writes the install
///   record — magic last — and yields the module's bytes in the view.
///
/// `finish` is called only with a [`Validated`], which only this crate's
/// validator makes: staging a module into flash *is* installing it, and no
/// other path writes a record.
///
/// Over the in-memory NOR flash the tests use (`tests/common/nor_flash.rs`):
///
/// ```
/// # mod nor_flash { include!("../../tests/common/nor_flash.rs"); }
/// # use nor_flash::NorFlashDouble;
/// use wasmstream::staging::{FlashStaging, Staging, Validated, load_installed};
/// use wasmstream::Config;
///
/// let engine = Config::new().engine();
/// let wasm = wat::parse_str(r#"(module (func (export "f") (result i32) i32.const 7))"#)?;
///
/// // Flash of 16 pages of 4 KiB, written in 4-byte words; the region is pages 2..6.
/// let flash = NorFlashDouble::<4, 4096>::new(16 * 4096);
/// let view = flash.view(2 * 4096);
/// // SAFETY: `view` points at the double's memory at offset 2 * 4096, the
/// // region's first byte, and stays valid while `staging` lives; only
/// // `staging` writes the region.
/// let mut staging = unsafe { FlashStaging::new(flash.clone(), 2 * 4096, 4 * 4096, view) }?;
///
/// staging.begin(Some(wasm.len() as u64))?;
/// for chunk in wasm.chunks(3) {
///     staging.write(chunk)?;
/// }
/// wasmstream::wasmi::Module::new(&engine, &wasm)?; // here wasmi validates; the streaming compiler does it as bytes arrive
/// // SAFETY: `Module::new` validated exactly these bytes under this engine.
/// let staged = staging.finish(unsafe { Validated::new_unchecked(&engine, wasm.len() as u64) })?;
/// assert_eq!(staged, &wasm[..]);
///
/// // At the next boot: the installed module, digest-checked, not validated again.
/// let module = load_installed(&engine, staging.region())?;
/// assert!(module.wasmi().get_export("f").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FlashStaging<F> {
    flash: F,
    /// The region's flash offset and length.
    address: u32,
    len: u32,
    /// The memory-mapped view of the region's first byte.
    view: *const u8,
    /// Module bytes accepted so far.
    staged: u64,
    /// Region bytes `..erased` are erased (or written since).
    erased: u32,
    /// The partial write unit at the end of the staged bytes.
    tail: [u8; MAX_WRITE_SIZE],
    tail_len: usize,
    /// SHA-256 of the staged bytes, as they were written.
    hasher: Sha256,
    state: State,
}

enum State {
    /// Nothing staged since the region was opened or finished.
    Idle,
    Staging,
    /// A write or erase failed: every later call returns this error.
    Failed(StagingError),
}

impl<F: NorFlash> FlashStaging<F> {
    /// A staging sink over flash bytes `address..address + len` of `flash`,
    /// which the CPU reads at `view` (the memory-mapped view of byte
    /// `address`). `address` and `len` are multiples of `F::ERASE_SIZE`;
    /// `F::WRITE_SIZE` is a power of two up to [`MAX_WRITE_SIZE`]. Nothing
    /// is erased or written until [`begin`](Staging::begin).
    ///
    /// Pass `&mut flash` to keep the flash (`NorFlash` is implemented for
    /// `&mut F`), or get it back with [`into_inner`](Self::into_inner).
    ///
    /// # Safety
    ///
    /// For as long as the returned `FlashStaging` lives:
    ///
    /// * `view` points at the memory-mapped (XIP) view of exactly the flash
    ///   bytes `address..address + len` of this `flash`, readable for `len`
    ///   bytes: reading `view.add(i)` reads flash offset `address + i`.
    /// * A read through `view` sees what the last completed erase or write
    ///   through `flash` left there (no stale cache; invalidate it in the
    ///   flash driver if the chip caches XIP reads).
    /// * Nothing but this `FlashStaging` erases or writes those flash bytes,
    ///   and no `&mut` to that memory exists.
    ///
    /// The slices it hands out ([`finish`](Staging::finish)'s and
    /// [`region`](Self::region)) borrow it, so no write through it happens
    /// while they live.
    ///
    /// # Errors
    ///
    /// [`StagingError::Region`] when the region is misaligned, outside the
    /// flash, no larger than the install record, or the write unit is not
    /// supported.
    ///
    /// ```
    /// # mod nor_flash { include!("../../tests/common/nor_flash.rs"); }
    /// # use nor_flash::NorFlashDouble;
    /// use wasmstream::staging::{FlashStaging, StagingError};
    ///
    /// let flash = NorFlashDouble::<4, 4096>::new(8 * 4096);
    /// // SAFETY: the view of flash offset 0, the whole 8-page device.
    /// let staging = unsafe { FlashStaging::new(flash.clone(), 0, 8 * 4096, flash.view(0)) }?;
    /// assert_eq!(staging.capacity(), 8 * 4096 - 512);
    ///
    /// // Half a page: refused.
    /// let error = unsafe { FlashStaging::new(flash.clone(), 2048, 4096, flash.view(2048)) }.err();
    /// assert!(matches!(error, Some(StagingError::Region { address: 2048, .. })));
    /// # Ok::<(), StagingError>(())
    /// ```
    pub unsafe fn new(
        flash: F,
        address: u32,
        len: u32,
        view: *const u8,
    ) -> Result<Self, StagingError> {
        let region = |reason| StagingError::Region {
            address,
            len,
            reason,
        };
        let (write, erase) = (F::WRITE_SIZE, F::ERASE_SIZE);
        if !write.is_power_of_two() || write > MAX_WRITE_SIZE {
            return Err(region(
                "the flash's write unit must be a power of two of at most 256 bytes",
            ));
        }
        if erase == 0 || !erase.is_multiple_of(write) {
            return Err(region(
                "the flash's erase page must be a multiple of its write unit",
            ));
        }
        if !(address as usize).is_multiple_of(erase) || !(len as usize).is_multiple_of(erase) {
            return Err(region(
                "the region's offset and length must be multiples of the erase page",
            ));
        }
        if len as usize > isize::MAX as usize {
            return Err(region("the region is larger than the address space allows"));
        }
        if (len as usize) <= RECORD_BYTES {
            return Err(region(
                "the region must be larger than the 512-byte install record",
            ));
        }
        if address
            .checked_add(len)
            .is_none_or(|end| end as usize > flash.capacity())
        {
            return Err(region("the region passes the end of the flash"));
        }
        if view.is_null() {
            return Err(region("the memory-mapped view is a null pointer"));
        }
        Ok(FlashStaging {
            flash,
            address,
            len,
            view,
            staged: 0,
            erased: 0,
            tail: [0xFF; MAX_WRITE_SIZE],
            tail_len: 0,
            hasher: Sha256::new(),
            state: State::Idle,
        })
    }

    /// The most module bytes the region holds: its length less the install
    /// record.
    ///
    /// ```
    /// # mod nor_flash { include!("../../tests/common/nor_flash.rs"); }
    /// # use nor_flash::NorFlashDouble;
    /// use wasmstream::staging::FlashStaging;
    ///
    /// let flash = NorFlashDouble::<4, 4096>::new(4 * 4096);
    /// // SAFETY: the view of the whole device, written by nothing else.
    /// let staging = unsafe { FlashStaging::new(flash.clone(), 0, 4 * 4096, flash.view(0)) }?;
    /// assert_eq!(staging.capacity(), 4 * 4096 - 512);
    /// # Ok::<(), wasmstream::StagingError>(())
    /// ```
    #[must_use]
    pub fn capacity(&self) -> u64 {
        u64::from(self.len) - RECORD_BYTES as u64
    }

    /// The whole region as the CPU reads it (record, then module): what
    /// [`load_installed`](super::load_installed) takes at boot.
    ///
    /// ```
    /// # mod nor_flash { include!("../../tests/common/nor_flash.rs"); }
    /// # use nor_flash::NorFlashDouble;
    /// use wasmstream::staging::{FlashStaging, InstallError, load_installed};
    ///
    /// let flash = NorFlashDouble::<4, 4096>::new(4 * 4096);
    /// // SAFETY: the view of the whole device, written by nothing else.
    /// let staging = unsafe { FlashStaging::new(flash.clone(), 0, 4 * 4096, flash.view(0)) }?;
    /// assert_eq!(staging.region().len(), 4 * 4096);
    /// // A fresh double is erased: nothing installed.
    /// let engine = wasmstream::Config::new().engine();
    /// assert!(matches!(load_installed(&engine, staging.region()), Err(InstallError::NoRecord)));
    /// # Ok::<(), wasmstream::StagingError>(())
    /// ```
    #[must_use]
    pub fn region(&self) -> &[u8] {
        // SAFETY: by `new`'s contract `view` is readable for `len` bytes and
        // only `self` writes them; `&self` rules out writes while the slice
        // lives.
        unsafe { core::slice::from_raw_parts(self.view, self.len as usize) }
    }

    /// Gives the flash back.
    ///
    /// ```
    /// # mod nor_flash { include!("../../tests/common/nor_flash.rs"); }
    /// # use nor_flash::NorFlashDouble;
    /// use wasmstream::staging::FlashStaging;
    ///
    /// let mut flash = NorFlashDouble::<4, 4096>::new(4 * 4096);
    /// let view = flash.view(0);
    /// // SAFETY: the view of the whole device, written by nothing else.
    /// let staging = unsafe { FlashStaging::new(&mut flash, 0, 4 * 4096, view) }?;
    /// let _flash: &mut NorFlashDouble<4, 4096> = staging.into_inner();
    /// # Ok::<(), wasmstream::StagingError>(())
    /// ```
    #[must_use]
    pub fn into_inner(self) -> F {
        self.flash
    }

    /// Writes `data` at region offset `at` (unit-aligned, a whole number of
    /// units), erasing each page just before its first byte is written.
    fn program(
        &mut self,
        at: u32,
        data: &[u8],
        operation: FlashOperation,
    ) -> Result<(), StagingError> {
        let page = F::ERASE_SIZE as u32;
        let mut at = at;
        let mut data = data;
        while !data.is_empty() {
            // The staged byte this operation is for: the module's length
            // while the record is written.
            let offset = match operation {
                FlashOperation::Write => u64::from(at) - RECORD_BYTES as u64,
                _ => self.staged,
            };
            let page_end = (at / page + 1) * page;
            while self.erased < page_end {
                let from = self.address + self.erased;
                self.flash
                    .erase(from, from + page)
                    .map_err(|e| self.fail(offset, FlashOperation::Erase, from, e.kind()))?;
                self.erased += page;
            }
            let (piece, rest) = data.split_at(data.len().min((page_end - at) as usize));
            let to = self.address + at;
            self.flash
                .write(to, piece)
                .map_err(|e| self.fail(offset, operation, to, e.kind()))?;
            at += piece.len() as u32;
            data = rest;
        }
        Ok(())
    }

    /// Records a flash failure: the stream stops here.
    fn fail(
        &mut self,
        offset: u64,
        operation: FlashOperation,
        address: u32,
        kind: embedded_storage::nor_flash::NorFlashErrorKind,
    ) -> StagingError {
        let error = StagingError::Flash {
            offset,
            operation,
            address,
            kind,
        };
        self.state = State::Failed(error.clone());
        error
    }

    /// The region offset of staged byte `offset`.
    fn region_offset(offset: u64) -> u32 {
        // Below `len` (a u32): the capacity check comes first.
        (RECORD_BYTES as u64 + offset) as u32
    }

    /// Writes the install record: body, then magic, each in its own units.
    fn write_record(&mut self, record: &Record) -> Result<(), StagingError> {
        let unit = F::WRITE_SIZE;
        let mut buffer = [0xFF; MAX_WRITE_SIZE];
        buffer[..BODY_BYTES].copy_from_slice(&record.body());
        self.program(
            0,
            &buffer[..BODY_BYTES.next_multiple_of(unit)],
            FlashOperation::WriteRecord,
        )?;
        let mut buffer = [0xFF; MAX_WRITE_SIZE];
        buffer[..MAGIC.len()].copy_from_slice(&MAGIC);
        self.program(
            MAGIC_AT as u32,
            &buffer[..MAGIC.len().next_multiple_of(unit)],
            FlashOperation::WriteRecord,
        )
    }
}

// SAFETY: `finish` returns the region's bytes after the record, which it
// has just checked (SHA-256 through the view) to be every written byte in
// order; by `new`'s contract nothing else writes them, and the slice
// borrows `self`, so they stay unchanged while it lives. The `Validated`
// only decides whether the record is written, for these very bytes.
unsafe impl<F: NorFlash> Staging for FlashStaging<F> {
    fn begin(&mut self, size_hint: Option<u64>) -> Result<(), StagingError> {
        let capacity = self.capacity();
        if size_hint.is_some_and(|size| size > capacity) {
            // Refused before anything changed: the old install stays.
            return Err(StagingError::Full {
                offset: capacity,
                capacity,
            });
        }
        self.state = State::Staging;
        self.staged = 0;
        self.erased = 0;
        self.tail_len = 0;
        self.hasher = Sha256::new();
        // Erase the record's page(s) now: from here on the region holds no
        // install, whatever happens next.
        let record_pages = (RECORD_BYTES as u32).next_multiple_of(F::ERASE_SIZE as u32);
        let from = self.address;
        self.flash
            .erase(from, from + record_pages)
            .map_err(|e| self.fail(0, FlashOperation::Erase, from, e.kind()))?;
        self.erased = record_pages;
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), StagingError> {
        match &self.state {
            State::Idle => self.begin(None)?,
            State::Staging => {}
            State::Failed(error) => return Err(error.clone()),
        }
        let capacity = self.capacity();
        if self.staged + bytes.len() as u64 > capacity {
            let error = StagingError::Full {
                offset: capacity,
                capacity,
            };
            self.state = State::Failed(error.clone());
            return Err(error);
        }
        self.hasher.update(bytes);
        let unit = F::WRITE_SIZE;
        let mut rest = bytes;
        // Complete the partial unit first.
        if self.tail_len > 0 {
            let take = rest.len().min(unit - self.tail_len);
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&rest[..take]);
            self.tail_len += take;
            rest = &rest[take..];
            if self.tail_len == unit {
                let at = Self::region_offset(self.staged + take as u64 - unit as u64);
                let tail = self.tail;
                self.program(at, &tail[..unit], FlashOperation::Write)?;
                self.tail_len = 0;
            }
        }
        // Whole units straight from the caller's bytes; keep the remainder.
        let whole = rest.len() - rest.len() % unit;
        if whole > 0 {
            let at = Self::region_offset(self.staged + (bytes.len() - rest.len()) as u64);
            self.program(at, &rest[..whole], FlashOperation::Write)?;
        }
        let remainder = &rest[whole..];
        self.tail[self.tail_len..self.tail_len + remainder.len()].copy_from_slice(remainder);
        self.tail_len += remainder.len();
        self.staged += bytes.len() as u64;
        Ok(())
    }

    fn finish(&mut self, validated: Validated) -> Result<&[u8], StagingError> {
        match &self.state {
            // Nothing staged since the last finish: refuse, and leave the
            // installed module alone.
            State::Idle => {
                return Err(StagingError::LengthMismatch {
                    offset: 0,
                    validated: validated.staged_bytes,
                });
            }
            State::Staging => {}
            State::Failed(error) => return Err(error.clone()),
        }
        if validated.staged_bytes != self.staged {
            let error = StagingError::LengthMismatch {
                offset: self.staged,
                validated: validated.staged_bytes,
            };
            self.state = State::Failed(error.clone());
            return Err(error);
        }
        if self.tail_len > 0 {
            let unit = F::WRITE_SIZE;
            let at = Self::region_offset(self.staged - self.tail_len as u64);
            let mut tail = self.tail;
            tail[self.tail_len..unit].fill(0xFF);
            self.program(at, &tail[..unit], FlashOperation::Write)?;
            self.tail_len = 0;
        }
        let record = Record {
            length: self.staged,
            features: validated.features,
            digest: self.hasher.finalize_reset().into(),
        };
        // What wasmi gets, and what the record vouches for, is what the CPU
        // reads: check it is what was validated before installing it.
        let end = RECORD_BYTES + self.staged as usize;
        if Sha256::digest(&self.region()[RECORD_BYTES..end])[..] != record.digest {
            let error = StagingError::ReadBack {
                offset: self.staged,
                address: self.address + RECORD_BYTES as u32,
            };
            self.state = State::Failed(error.clone());
            return Err(error);
        }
        self.write_record(&record)?;
        if Record::read(self.region()).ok() != Some(record) {
            let error = StagingError::ReadBack {
                offset: self.staged,
                address: self.address,
            };
            self.state = State::Failed(error.clone());
            return Err(error);
        }
        self.state = State::Idle;
        Ok(&self.region()[RECORD_BYTES..end])
    }
}

impl<F> core::fmt::Debug for FlashStaging<F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FlashStaging")
            .field("address", &self.address)
            .field("len", &self.len)
            .field("staged", &self.staged)
            .finish_non_exhaustive()
    }
}
