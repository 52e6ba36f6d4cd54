//! Module bytes delivered in seeded random chunks, many of one byte.

use embedded_io::ErrorKind;

/// A small deterministic generator (splitmix64): the same seed gives the
/// same chunking on every run and every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// A size for the next read: one byte half of the time, otherwise a few
    /// bytes or a larger run, so sections and function bodies are split at
    /// every kind of boundary.
    pub fn chunk_len(&mut self) -> usize {
        match self.below(4) {
            0 | 1 => 1,
            2 => 2 + self.below(15),
            _ => 17 + self.below(2048),
        }
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
        let n = buf.len().min(self.rng.chunk_len()).min(self.bytes.len());
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
