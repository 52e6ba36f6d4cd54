//! Module bytes delivered in seeded random chunks, many of one byte.

use embedded_io::ErrorKind;

use super::rng::Rng;

/// A size for the next read: one byte half of the time, otherwise a few
/// bytes or a larger run, so sections and function bodies are split at
/// every kind of boundary.
pub fn chunk_len(rng: &mut Rng) -> usize {
    match rng.below(4) {
        0 | 1 => 1,
        2 => 2 + rng.below(15),
        _ => 17 + rng.below(2048),
    }
}

/// A reader that hands out `bytes` in chunks drawn from a seeded [`Rng`].
pub struct Chunked<'a> {
    bytes: &'a [u8],
    rng: Rng,
}

impl<'a> Chunked<'a> {
    pub fn new(bytes: &'a [u8], seed: u64) -> Self {
        Chunked {
            bytes,
            rng: Rng::new(seed),
        }
    }

    fn take(&mut self, buf: &mut [u8]) -> usize {
        let n = buf
            .len()
            .min(chunk_len(&mut self.rng))
            .min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        n
    }
}

impl embedded_io::ErrorType for Chunked<'_> {
    type Error = ErrorKind;
}

impl embedded_io::Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        Ok(self.take(buf))
    }
}

#[cfg(feature = "async")]
impl embedded_io_async::Read for Chunked<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        Ok(self.take(buf))
    }
}
