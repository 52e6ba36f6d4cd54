//! An in-memory NOR flash for the `FlashStaging` row of the staging table.
//!
//! Its storage is allocated by the caller before the heap probe starts, so
//! the staged module is not counted as heap, as in a firmware's flash. It
//! keeps NOR's rules (erase to 0xFF by page, aligned whole-unit writes, no
//! write to a unit not erased since its last write) and logs nothing, so it
//! allocates nothing while measured.

use embedded_storage::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};

pub const WRITE: usize = 4;
pub const ERASE: usize = 4096;

/// The flash's memory and one "programmed" flag per write unit.
pub struct Storage {
    memory: Vec<u8>,
    programmed: Vec<bool>,
}

impl Storage {
    pub fn new(capacity: usize) -> Self {
        assert!(capacity.is_multiple_of(ERASE));
        Storage {
            memory: vec![0xFF; capacity],
            programmed: vec![false; capacity / WRITE],
        }
    }

    /// The flash over this storage, and its memory-mapped view.
    pub fn flash(&mut self) -> (BenchFlash, *const u8) {
        let memory = self.memory.as_mut_ptr();
        let flash = BenchFlash {
            memory,
            programmed: self.programmed.as_mut_ptr(),
            capacity: self.memory.len(),
        };
        (flash, memory.cast_const())
    }
}

/// Writes go through raw pointers, so the view `FlashStaging` reads through
/// stays valid while the flash is written (as memory-mapped flash does).
pub struct BenchFlash {
    memory: *mut u8,
    programmed: *mut bool,
    capacity: usize,
}

#[derive(Debug)]
pub struct Refused(NorFlashErrorKind);

impl NorFlashError for Refused {
    fn kind(&self) -> NorFlashErrorKind {
        self.0
    }
}

impl ErrorType for BenchFlash {
    type Error = Refused;
}

impl BenchFlash {
    fn check(&self, offset: u32, len: usize, align: usize) -> Result<usize, Refused> {
        let offset = offset as usize;
        if offset + len > self.capacity {
            return Err(Refused(NorFlashErrorKind::OutOfBounds));
        }
        if !offset.is_multiple_of(align) || !len.is_multiple_of(align) {
            return Err(Refused(NorFlashErrorKind::NotAligned));
        }
        Ok(offset)
    }
}

impl ReadNorFlash for BenchFlash {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Refused> {
        let offset = self.check(offset, bytes.len(), 1)?;
        // SAFETY: `check` kept `offset..offset + len` inside the storage.
        unsafe {
            core::ptr::copy_nonoverlapping(self.memory.add(offset), bytes.as_mut_ptr(), bytes.len())
        };
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.capacity
    }
}

impl NorFlash for BenchFlash {
    const WRITE_SIZE: usize = WRITE;
    const ERASE_SIZE: usize = ERASE;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), Refused> {
        let len = (to as usize).saturating_sub(from as usize);
        let from = self.check(from, len, ERASE)?;
        // SAFETY: `check` kept the pages inside the storage.
        unsafe {
            core::ptr::write_bytes(self.memory.add(from), 0xFF, len);
            core::ptr::write_bytes(self.programmed.add(from / WRITE), 0, len / WRITE);
        }
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Refused> {
        let offset = self.check(offset, bytes.len(), WRITE)?;
        for unit in offset / WRITE..(offset + bytes.len()) / WRITE {
            // SAFETY: `check` kept every unit inside the storage.
            if unsafe { *self.programmed.add(unit) } {
                return Err(Refused(NorFlashErrorKind::Other));
            }
        }
        // SAFETY: as above.
        unsafe {
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), self.memory.add(offset), bytes.len());
            core::ptr::write_bytes(self.programmed.add(offset / WRITE), 1, bytes.len() / WRITE);
        }
        Ok(())
    }
}
