// An in-memory NOR flash that enforces NOR's rules, with fault injection and
// power cuts. Used by tests/flash_staging.rs and, through `include!`, by the
// rustdoc examples of `FlashStaging` (so it has no inner attributes or docs).
//
// Rules: erase sets whole `ERASE`-byte pages to 0xFF; writes are
// `WRITE`-aligned and a whole number of `WRITE` units; a unit written since
// its page was last erased cannot be written again; anything outside the
// device is `OutOfBounds`. A refused operation changes nothing.
//
// Clones share one memory, so a test keeps a clone to look at (or damage)
// what a `FlashStaging` that owns the other wrote; `view(offset)` is the
// "memory-mapped" pointer to that memory.

/// One operation the flash was asked to do, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashOp {
    Erase { from: u32, to: u32 },
    Write { offset: u32, len: u32 },
}

pub struct NorFlashShared {
    memory: Box<[std::cell::Cell<u8>]>,
    // One flag per write unit: written since its page was erased.
    programmed: Box<[std::cell::Cell<bool>]>,
    log: std::cell::RefCell<Vec<FlashOp>>,
    // Fail operation number `n` (0-based, erases and writes counted), once.
    fail_at: std::cell::Cell<Option<usize>>,
    // Power lost during operation number `n`: it is torn, every later one fails.
    cut_at: std::cell::Cell<Option<usize>>,
    operations: std::cell::Cell<usize>,
}

#[derive(Clone)]
pub struct NorFlashDouble<const WRITE: usize, const ERASE: usize> {
    shared: std::rc::Rc<NorFlashShared>,
}

impl<const WRITE: usize, const ERASE: usize> NorFlashDouble<WRITE, ERASE> {
    /// A flash of `capacity` bytes, all erased.
    pub fn new(capacity: usize) -> Self {
        assert!(capacity.is_multiple_of(ERASE) && ERASE.is_multiple_of(WRITE));
        NorFlashDouble {
            shared: std::rc::Rc::new(NorFlashShared {
                memory: (0..capacity).map(|_| std::cell::Cell::new(0xFF)).collect(),
                programmed: (0..capacity / WRITE)
                    .map(|_| std::cell::Cell::new(false))
                    .collect(),
                log: std::cell::RefCell::new(Vec::new()),
                fail_at: std::cell::Cell::new(None),
                cut_at: std::cell::Cell::new(None),
                operations: std::cell::Cell::new(0),
            }),
        }
    }

    /// The memory-mapped view of flash offset `offset`.
    pub fn view(&self, offset: usize) -> *const u8 {
        self.shared.memory[offset..].as_ptr().cast()
    }

    /// A copy of bytes `from..to`.
    pub fn bytes(&self, from: usize, to: usize) -> Vec<u8> {
        self.shared.memory[from..to]
            .iter()
            .map(std::cell::Cell::get)
            .collect()
    }

    /// Flips bits of byte `offset` behind the flash's back (a bad cell).
    pub fn corrupt(&self, offset: usize, mask: u8) {
        let cell = &self.shared.memory[offset];
        cell.set(cell.get() ^ mask);
    }

    /// Operation number `n` (0-based, from now on counting from the start)
    /// fails with `Other` and changes nothing; later ones work.
    pub fn fail_operation(&self, n: usize) {
        self.shared.fail_at.set(Some(n));
    }

    /// Power is lost during operation number `n`: a write programs only its
    /// first half of units, and half the bits of the unit after them; an
    /// erase erases only the first half of its range. Every later operation
    /// fails with `Other` and changes nothing.
    pub fn cut_power_at(&self, n: usize) {
        self.shared.cut_at.set(Some(n));
    }

    /// Power is back: operations work again.
    pub fn restore_power(&self) {
        self.shared.cut_at.set(None);
    }

    /// Every operation asked for so far (including refused ones).
    pub fn log(&self) -> Vec<FlashOp> {
        self.shared.log.borrow().clone()
    }

    pub fn operations(&self) -> usize {
        self.shared.operations.get()
    }

    /// Counts the operation; says whether it fails outright, is torn, or runs.
    fn next_operation(
        &self,
        op: FlashOp,
    ) -> Result<bool, embedded_storage::nor_flash::NorFlashErrorKind> {
        use embedded_storage::nor_flash::NorFlashErrorKind;
        let shared = &self.shared;
        let n = shared.operations.get();
        shared.operations.set(n + 1);
        shared.log.borrow_mut().push(op);
        if shared.fail_at.get() == Some(n) {
            shared.fail_at.set(None);
            return Err(NorFlashErrorKind::Other);
        }
        match shared.cut_at.get() {
            Some(cut) if n > cut => Err(NorFlashErrorKind::Other),
            Some(cut) if n == cut => Ok(true),
            _ => Ok(false),
        }
    }

    fn erase_unit(&self, unit: usize) {
        for cell in &self.shared.memory[unit * WRITE..(unit + 1) * WRITE] {
            cell.set(0xFF);
        }
        self.shared.programmed[unit].set(false);
    }
}

impl<const WRITE: usize, const ERASE: usize> embedded_storage::nor_flash::ErrorType
    for NorFlashDouble<WRITE, ERASE>
{
    type Error = embedded_storage::nor_flash::NorFlashErrorKind;
}

impl<const WRITE: usize, const ERASE: usize> embedded_storage::nor_flash::ReadNorFlash
    for NorFlashDouble<WRITE, ERASE>
{
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        embedded_storage::nor_flash::check_read(self, offset, bytes.len())?;
        let from = offset as usize;
        for (byte, cell) in bytes.iter_mut().zip(&self.shared.memory[from..]) {
            *byte = cell.get();
        }
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.shared.memory.len()
    }
}

impl<const WRITE: usize, const ERASE: usize> embedded_storage::nor_flash::NorFlash
    for NorFlashDouble<WRITE, ERASE>
{
    const WRITE_SIZE: usize = WRITE;
    const ERASE_SIZE: usize = ERASE;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        let torn = self.next_operation(FlashOp::Erase { from, to })?;
        embedded_storage::nor_flash::check_erase(self, from, to)?;
        let (from, to) = (from as usize / WRITE, to as usize / WRITE);
        let to = if torn { from + (to - from) / 2 } else { to };
        (from..to).for_each(|unit| self.erase_unit(unit));
        if torn {
            return Err(embedded_storage::nor_flash::NorFlashErrorKind::Other);
        }
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        use embedded_storage::nor_flash::NorFlashErrorKind;
        let torn = self.next_operation(FlashOp::Write {
            offset,
            len: bytes.len() as u32,
        })?;
        embedded_storage::nor_flash::check_write(self, offset, bytes.len())?;
        let first = offset as usize / WRITE;
        let units = bytes.len() / WRITE;
        if (first..first + units).any(|unit| self.shared.programmed[unit].get()) {
            // NOR: a word can be written once per erase.
            return Err(NorFlashErrorKind::Other);
        }
        let whole = if torn { units / 2 } else { units };
        let memory = &self.shared.memory[offset as usize..];
        for (cell, byte) in memory.iter().zip(&bytes[..whole * WRITE]) {
            // Programming only clears bits.
            cell.set(cell.get() & byte);
        }
        for unit in first..first + whole {
            self.shared.programmed[unit].set(true);
        }
        if torn && whole < units {
            // The unit being programmed when power went: some bits made it.
            let unit = &memory[whole * WRITE..(whole + 1) * WRITE];
            for (i, (cell, byte)) in unit.iter().zip(&bytes[whole * WRITE..]).enumerate() {
                let half = if i % 2 == 0 { byte | 0x0F } else { byte | 0xF0 };
                cell.set(cell.get() & half);
            }
            self.shared.programmed[first + whole].set(true);
        }
        if torn {
            return Err(NorFlashErrorKind::Other);
        }
        Ok(())
    }
}
