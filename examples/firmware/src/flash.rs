//! A byte source that behaves like a slow peripheral: the module lives in
//! flash, and each read hands out at most [`CHUNK_BYTES`].

use core::convert::Infallible;

use embedded_io::{ErrorType, Read};

/// The most bytes one read returns, like a small DMA transfer or a UART FIFO.
pub const CHUNK_BYTES: usize = 64;

/// Reads a flash-resident slice in chunks of at most [`CHUNK_BYTES`].
pub struct FlashReader {
    bytes: &'static [u8],
    position: usize,
    reads: u32,
}

impl FlashReader {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'static [u8]) -> Self {
        FlashReader {
            bytes,
            position: 0,
            reads: 0,
        }
    }

    /// The size of the whole image: flash knows it before the first read.
    pub fn image_size(&self) -> usize {
        self.bytes.len()
    }

    /// How many bytes were read so far.
    pub fn position(&self) -> usize {
        self.position
    }

    /// How many reads returned data so far.
    pub fn reads(&self) -> u32 {
        self.reads
    }
}

impl ErrorType for FlashReader {
    type Error = Infallible;
}

#[cfg(feature = "reqwless-client")]
impl embedded_io_async::Read for FlashReader {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        Read::read(self, buf)
    }
}

impl Read for FlashReader {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let rest = &self.bytes[self.position..];
        let n = buf.len().min(CHUNK_BYTES).min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.position += n;
        if n > 0 {
            self.reads += 1;
        }
        Ok(n)
    }
}
