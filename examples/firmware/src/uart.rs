//! The board's UART receiver, polled: the firmware's guest arrives here,
//! fed by the host through QEMU's serial port (`-serial stdio`, stdin
//! redirected from the file; see `.ci/firmware.sh`). Each read returns one
//! byte, as a UART without a FIFO or DMA would.
//!
//! QEMU delivers the next byte only when the receive register is free
//! (its `can_receive` hook), so no byte is dropped however slowly the
//! firmware reads.

use core::convert::Infallible;
use core::ptr::read_volatile;
#[cfg(target_arch = "arm")]
use core::ptr::write_volatile;

use embedded_io::{ErrorType, Read};

/// A polled UART receiver; every read blocks until one byte has arrived.
pub struct Uart {
    base: usize,
    received: usize,
}

// ARM's CMSDK APB UART (mps2-an386 UART0, and mps2-an505 UART0 in its
// Secure alias): DATA, STATE (bit 1: a byte is waiting), CTRL (bit 1:
// receiver on), BAUDDIV (QEMU wants at least 16).
#[cfg(target_arch = "arm")]
mod regs {
    pub const DATA: usize = 0x000;
    pub const STATE: usize = 0x004;
    pub const CTRL: usize = 0x008;
    pub const BAUDDIV: usize = 0x010;
    pub const STATE_RX_FULL: u32 = 1 << 1;
    pub const CTRL_RX_ENABLE: u32 = 1 << 1;
}

// The 16550 of QEMU `virt`: RBR (receive buffer), LSR (bit 0: data ready).
#[cfg(target_arch = "riscv32")]
mod regs {
    pub const RBR: usize = 0x0;
    pub const LSR: usize = 0x5;
    pub const LSR_DATA_READY: u8 = 1;
}

/// UART0's base address on the machine each target runs on.
#[cfg(all(target_arch = "arm", not(mps2_an505)))]
const UART0: usize = 0x4000_4000;
#[cfg(all(target_arch = "arm", mps2_an505))]
const UART0: usize = 0x5020_0000;
#[cfg(target_arch = "riscv32")]
const UART0: usize = 0x1000_0000;

impl Uart {
    /// UART0, with its receiver switched on.
    pub fn uart0() -> Self {
        #[cfg(target_arch = "arm")]
        // SAFETY: UART0's registers on this machine; nothing else uses it.
        unsafe {
            write_volatile((UART0 + regs::BAUDDIV) as *mut u32, 16);
            write_volatile((UART0 + regs::CTRL) as *mut u32, regs::CTRL_RX_ENABLE);
        }
        Uart {
            base: UART0,
            received: 0,
        }
    }

    /// Bytes received so far.
    pub fn received(&self) -> usize {
        self.received
    }

    /// Waits for the next byte.
    pub fn receive(&mut self) -> u8 {
        self.received += 1;
        #[cfg(target_arch = "arm")]
        // SAFETY: reads of UART0's registers.
        unsafe {
            while read_volatile((self.base + regs::STATE) as *const u32) & regs::STATE_RX_FULL == 0
            {
            }
            read_volatile((self.base + regs::DATA) as *const u32) as u8
        }
        #[cfg(target_arch = "riscv32")]
        // SAFETY: reads of UART0's registers.
        unsafe {
            while read_volatile((self.base + regs::LSR) as *const u8) & regs::LSR_DATA_READY == 0 {}
            read_volatile((self.base + regs::RBR) as *const u8)
        }
    }
}

impl ErrorType for Uart {
    type Error = Infallible;
}

impl Read for Uart {
    /// One byte per read.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        match buf.first_mut() {
            Some(byte) => {
                *byte = self.receive();
                Ok(1)
            }
            None => Ok(0),
        }
    }
}
