//! [`Unit`]: the one parse unit the compiler holds in RAM — a section
//! header, one whole section, one function body, or a data section's
//! segment headers.

use alloc::vec::Vec;

/// The bytes of the unit being assembled, from the parser's position on.
///
/// It grows only at points fixed by the module's bytes (a declared size, or
/// one byte at a time with doubling), never by how the stream is chunked,
/// and keeps its room between units, so feeding allocates nothing once the
/// largest unit so far has been seen.
#[derive(Debug, Default)]
pub(crate) struct Unit {
    bytes: Vec<u8>,
}

impl Unit {
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    /// Makes room for `total` bytes in all (one exact reservation, if any).
    #[inline]
    pub(crate) fn reserve_total(&mut self, total: usize) -> Result<(), ()> {
        let additional = total.saturating_sub(self.bytes.len());
        if self.bytes.capacity() < total {
            self.bytes.try_reserve_exact(additional).map_err(|_| ())?;
        }
        Ok(())
    }

    /// Appends bytes for which room was reserved (grows exactly otherwise).
    #[inline]
    pub(crate) fn extend(&mut self, bytes: &[u8]) -> Result<(), ()> {
        self.reserve_total(self.bytes.len() + bytes.len())?;
        match bytes {
            // One byte (a UART read) is cheaper pushed than copied.
            [byte] => self.bytes.push(*byte),
            _ => self.bytes.extend_from_slice(bytes),
        }
        Ok(())
    }

    /// Appends one byte, doubling the room when it is full.
    pub(crate) fn push_growing(&mut self, byte: u8) -> Result<(), ()> {
        if self.bytes.len() == self.bytes.capacity() {
            let target = (self.bytes.capacity() * 2).max(64);
            self.reserve_total(target)?;
        }
        self.bytes.push(byte);
        Ok(())
    }

    /// Appends `room` zeroed bytes for a reader to fill in place, and
    /// returns them; [`close`](Self::close) keeps the filled part. Zeroed,
    /// because a reader takes initialised bytes; the room was reserved at the
    /// body's size field, so this does not allocate.
    #[inline]
    pub(crate) fn open(&mut self, room: usize) -> &mut [u8] {
        let start = self.bytes.len();
        self.bytes.resize(start + room, 0);
        &mut self.bytes[start..]
    }

    /// Keeps the first `filled` of the `opened` bytes [`open`](Self::open)
    /// appended, and drops the rest.
    #[inline]
    pub(crate) fn close(&mut self, opened: usize, filled: usize) {
        self.bytes
            .truncate(self.bytes.len() - opened + filled.min(opened));
    }

    /// Forgets the first `consumed` bytes (the part the parser took).
    pub(crate) fn consume(&mut self, consumed: usize) {
        if consumed >= self.bytes.len() {
            self.bytes.clear();
        } else {
            self.bytes.drain(..consumed);
        }
    }
}
