//! The global allocator: a linked-list heap in a static buffer, wrapped to
//! count the bytes in use and remember the peak.

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicUsize, Ordering};

use embedded_alloc::LlffHeap;

/// Bytes of RAM given to the heap. The whole demo peaks well below this; see
/// `docs/embedded.md` for the measured figure.
pub const HEAP_BYTES: usize = 48 * 1024;

/// An allocator that forwards to `inner` and keeps byte counts.
pub struct CountingHeap {
    inner: LlffHeap,
    in_use: AtomicUsize,
    peak: AtomicUsize,
}

#[global_allocator]
pub static HEAP: CountingHeap = CountingHeap {
    inner: LlffHeap::empty(),
    in_use: AtomicUsize::new(0),
    peak: AtomicUsize::new(0),
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
        self.in_use.load(Ordering::Relaxed)
    }

    /// The most bytes allocated at once since the last [`reset_peak`].
    ///
    /// [`reset_peak`]: CountingHeap::reset_peak
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Starts a new measurement: the peak becomes what is allocated now.
    pub fn reset_peak(&self) {
        self.peak.store(self.in_use(), Ordering::Relaxed);
    }

    fn grew(&self, bytes: usize) {
        let now = self.in_use.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    fn shrank(&self, bytes: usize) {
        self.in_use.fetch_sub(bytes, Ordering::Relaxed);
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
