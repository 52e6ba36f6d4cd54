//! The flash region the guest is installed in: a `NorFlash` driver over a
//! window of QEMU's file-backed machine RAM that keeps the rules of real NOR
//! flash, because the RAM under it does not.
//!
//! The memory is the machine's main RAM (`mps.ram` on mps2-an386 and
//! mps2-an505, the DRAM of `virt`), which `.ci/firmware.sh` backs with a host
//! file (`-object memory-backend-file,…,share=on -machine memory-backend=…`):
//! what the firmware leaves in it is there again when the next QEMU process
//! starts, as a flash chip keeps its contents across power cycles. The CPU
//! reads it at its address, which is what an XIP view of flash is. What RAM
//! does not do by itself, this driver enforces, with the geometry of a
//! typical MCU's internal flash (4-byte words, 4 KiB pages):
//!
//! * erase works on whole, aligned pages and sets every byte to 0xFF;
//! * writes are whole, aligned words;
//! * a word may be written once after its page was erased: writing a word
//!   that is not all 0xFF is refused, as NOR cells can only be programmed
//!   from 1 to 0 and most controllers forbid a second write.
//!
//! What it does not model: timing, wear, and bits left undefined by a power
//! cut during an operation (the library's tests cover those with their own
//! flash double).

use embedded_storage::nor_flash::{
    ErrorType, NorFlash, NorFlashErrorKind, ReadNorFlash, check_erase, check_read, check_write,
};

/// The region's address in the CPU's memory map: 8 MiB into the 16 MiB
/// machine RAM, clear of everything the image and the runtime use.
#[cfg(all(target_arch = "arm", not(mps2_an505)))]
pub const REGION_ADDRESS: usize = 0x2100_0000 + 8 * 1024 * 1024;
#[cfg(all(target_arch = "arm", mps2_an505))]
pub const REGION_ADDRESS: usize = 0x8000_0000 + 8 * 1024 * 1024;
#[cfg(target_arch = "riscv32")]
pub const REGION_ADDRESS: usize = 0x8000_0000 + 8 * 1024 * 1024;

/// The region's size: room for the install record and a module of up to
/// 256 KiB less 512 bytes.
pub const REGION_BYTES: u32 = 256 * 1024;

/// NOR flash over `REGION_BYTES` of memory at `REGION_ADDRESS`, offsets
/// from 0.
pub struct QemuNorFlash {
    erases: u32,
    writes: u32,
}

impl QemuNorFlash {
    /// The driver. Only one may exist: it owns the region.
    pub fn take() -> Self {
        QemuNorFlash {
            erases: 0,
            writes: 0,
        }
    }

    /// The region as the CPU reads it (the XIP view of offset 0).
    pub fn view() -> *const u8 {
        REGION_ADDRESS as *const u8
    }

    /// Page erases and word-write calls so far.
    pub fn operations(&self) -> (u32, u32) {
        (self.erases, self.writes)
    }

    fn cell(offset: u32) -> *mut u8 {
        (REGION_ADDRESS + offset as usize) as *mut u8
    }
}

impl ErrorType for QemuNorFlash {
    type Error = NorFlashErrorKind;
}

impl ReadNorFlash for QemuNorFlash {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), NorFlashErrorKind> {
        check_read(self, offset, bytes.len())?;
        for (i, byte) in bytes.iter_mut().enumerate() {
            // SAFETY: inside the region (checked above), which is RAM.
            *byte = unsafe { Self::cell(offset + i as u32).read_volatile() };
        }
        Ok(())
    }

    fn capacity(&self) -> usize {
        REGION_BYTES as usize
    }
}

impl NorFlash for QemuNorFlash {
    const WRITE_SIZE: usize = 4;
    const ERASE_SIZE: usize = 4096;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), NorFlashErrorKind> {
        check_erase(self, from, to)?;
        self.erases += (to - from) / Self::ERASE_SIZE as u32;
        for offset in from..to {
            // SAFETY: inside the region (checked above), which is RAM.
            unsafe { Self::cell(offset).write_volatile(0xFF) };
        }
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), NorFlashErrorKind> {
        check_write(self, offset, bytes.len())?;
        // All or nothing: refuse before changing a cell.
        for i in 0..bytes.len() as u32 {
            // SAFETY: inside the region (checked above), which is RAM.
            if unsafe { Self::cell(offset + i).read_volatile() } != 0xFF {
                return Err(NorFlashErrorKind::Other);
            }
        }
        self.writes += 1;
        for (i, &byte) in bytes.iter().enumerate() {
            // SAFETY: inside the region (checked above), which is RAM.
            unsafe { Self::cell(offset + i as u32).write_volatile(byte) };
        }
        Ok(())
    }
}
