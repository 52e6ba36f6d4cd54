//! The global allocator: a linked-list heap in a static buffer, wrapped to
//! count the bytes in use and remember the peak.
//!
//! The counts sit behind a critical section, not in atomics: on a core
//! without the A extension every atomic read-modify-write is a trap, and the
//! firmware's own bookkeeping must not add to the figures it measures.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::mem::MaybeUninit;

use critical_section::Mutex;
use embedded_alloc::LlffHeap;

/// Bytes of RAM given to the heap: more than streaming the big guest into
/// flash needs, less than reading it whole and calling `Module::new` needs
/// (`docs/embedded.md` has both measured peaks).
#[cfg(not(feature = "baseline"))]
pub const HEAP_BYTES: usize = 128 * 1024;
/// The baseline reads the big guest whole: it gets a larger heap, so that its
/// peak can be measured at all.
#[cfg(feature = "baseline")]
pub const HEAP_BYTES: usize = 224 * 1024;

/// An allocator that forwards to `inner` and keeps byte counts.
pub struct CountingHeap {
    inner: LlffHeap,
    /// Bytes in use now, and the most in use since the last reset.
    counts: Mutex<Cell<(usize, usize)>>,
}

#[global_allocator]
pub static HEAP: CountingHeap = CountingHeap {
    inner: LlffHeap::empty(),
    counts: Mutex::new(Cell::new((0, 0))),
};

impl CountingHeap {
    /// Hands the static buffer to the allocator; call once, first thing.
    pub fn init(&self) {
        static mut MEMORY: [MaybeUninit<u8>; HEAP_BYTES] = [MaybeUninit::uninit(); HEAP_BYTES];
        // SAFETY: called once at start-up, before any allocation; nothing
        // else refers to MEMORY.
        unsafe { self.inner.init(&raw mut MEMORY as usize, HEAP_BYTES) }
    }

    /// Bytes allocated now (as requested by callers, without the
    /// allocator's own bookkeeping).
    pub fn in_use(&self) -> usize {
        self.counts().0
    }

    /// The most bytes allocated at once since the last [`reset_peak`].
    ///
    /// [`reset_peak`]: CountingHeap::reset_peak
    pub fn peak(&self) -> usize {
        self.counts().1
    }

    /// Starts a new measurement: the peak becomes what is allocated now.
    pub fn reset_peak(&self) {
        self.update(|(in_use, _)| (in_use, in_use));
    }

    fn counts(&self) -> (usize, usize) {
        critical_section::with(|cs| self.counts.borrow(cs).get())
    }

    fn update(&self, change: impl FnOnce((usize, usize)) -> (usize, usize)) {
        critical_section::with(|cs| {
            let counts = self.counts.borrow(cs);
            counts.set(change(counts.get()));
        });
    }

    fn grew(&self, bytes: usize) {
        self.update(|(in_use, peak)| (in_use + bytes, peak.max(in_use + bytes)));
    }

    fn shrank(&self, bytes: usize) {
        self.update(|(in_use, peak)| (in_use - bytes, peak));
    }
}

// SAFETY: every call is forwarded unchanged to LlffHeap, a GlobalAlloc; the
// counters only observe sizes.
unsafe impl GlobalAlloc for CountingHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let ptr = unsafe { self.inner.alloc(layout) };
        if !ptr.is_null() {
            self.grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.inner.dealloc(ptr, layout) };
        self.shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let new = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            // The old and the new block coexist inside realloc; count the
            // moment both are live, as the allocator does.
            self.grew(new_size);
            self.shrank(layout.size());
        }
        new
    }
}
