//! The big guest: about 70 KiB of generated code (`build.rs`), received over
//! the UART, installed in flash, and asked for a few answers `build.rs`
//! computed natively.

use alloc::format;
use alloc::string::String;

use core::convert::Infallible;

use embedded_io::{ErrorType, Read};
use wasmstream::wasmi::{Instance, Store};

use crate::guest::Host;
use crate::uart::Uart;

include!(concat!(env!("OUT_DIR"), "/kernels.rs"));

/// The big guest as it arrives over the UART: the host sends its length (4
/// bytes, little-endian), then the module. A UART has no end of stream; this
/// reader ends it after that many bytes. One byte per read, like the UART.
pub struct Framed<'a> {
    uart: &'a mut Uart,
    remaining: usize,
    length: usize,
}

impl<'a> Framed<'a> {
    /// Receives the length; the module's bytes follow through `read`.
    pub fn receive(uart: &'a mut Uart) -> Self {
        let mut length = [0u8; 4];
        for byte in &mut length {
            *byte = uart.receive();
        }
        let length = u32::from_le_bytes(length) as usize;
        Framed {
            uart,
            remaining: length,
            length,
        }
    }

    /// The module's length, as the host announced it.
    pub fn length(&self) -> usize {
        self.length
    }
}

impl ErrorType for Framed<'_> {
    type Error = Infallible;
}

impl Read for Framed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        self.remaining -= 1;
        self.uart.read(buf)
    }
}

/// Calls `run(kernel, x)` for every known answer and checks it.
#[inline(never)]
pub fn check(store: &mut Store<Host>, instance: &Instance) -> Result<(), String> {
    let run = instance
        .get_typed_func::<(u32, u32), u32>(&*store, "run")
        .map_err(|e| format!("export run: {e}"))?;
    for &(kernel, input, expected) in &KERNEL_ANSWERS {
        let got = run
            .call(&mut *store, (kernel, input))
            .map_err(|e| format!("kernel {kernel} trapped: {e}"))?;
        if got != expected {
            return Err(format!(
                "kernel {kernel}({input:#010x}) = {got:#010x}, expected {expected:#010x}"
            ));
        }
    }
    semihosting::println!(
        "kernels: {} of {KERNELS} checked against build.rs",
        KERNEL_ANSWERS.len()
    );
    Ok(())
}
