//! A global allocator that counts live heap bytes and their peak.
//!
//! Two peaks are kept, because a growing `realloc` may or may not move:
//! * `moving`: a growing `realloc` holds the old and the new block at once,
//!   as with allocators that allocate, copy and free (`linked_list_allocator`,
//!   `embedded-alloc`'s LLFF, and glibc for blocks below its mmap threshold);
//! * `in_place`: a `realloc` only adds its growth (glibc's `mremap` of large
//!   blocks, TLSF growing into a free neighbour).
//!
//! The `moving` figure is the one a microcontroller should plan for.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

pub struct CountingAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK_MOVING: AtomicUsize = AtomicUsize::new(0);
static PEAK_IN_PLACE: AtomicUsize = AtomicUsize::new(0);

fn grew(live: usize) {
    PEAK_MOVING.fetch_max(live, Relaxed);
    PEAK_IN_PLACE.fetch_max(live, Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; the counters only
// observe sizes.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(LIVE.fetch_add(layout.size(), Relaxed) + layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(LIVE.fetch_add(layout.size(), Relaxed) + layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            let old_size = layout.size();
            if new_size >= old_size {
                let live = LIVE.fetch_add(new_size - old_size, Relaxed);
                PEAK_MOVING.fetch_max(live + new_size, Relaxed);
                PEAK_IN_PLACE.fetch_max(live + new_size - old_size, Relaxed);
            } else {
                LIVE.fetch_sub(old_size - new_size, Relaxed);
            }
        }
        new
    }
}

/// Peak heap above the live bytes at [`Probe::start`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Peak {
    /// Peak when growing reallocations move.
    pub moving: usize,
    /// Peak when growing reallocations grow in place.
    pub in_place: usize,
    /// Bytes still live at [`Probe::stop`] (what the result retains).
    pub retained: usize,
}

/// Measures the heap used between `start` and `stop` (single-threaded).
pub struct Probe {
    base: usize,
}

impl Probe {
    pub fn start() -> Self {
        let base = LIVE.load(Relaxed);
        PEAK_MOVING.store(base, Relaxed);
        PEAK_IN_PLACE.store(base, Relaxed);
        Probe { base }
    }

    /// Live bytes above the start right now.
    pub fn live(&self) -> usize {
        LIVE.load(Relaxed).saturating_sub(self.base)
    }

    /// The peak so far, without ending the probe.
    pub fn peak_so_far(&self) -> Peak {
        Peak {
            moving: PEAK_MOVING.load(Relaxed) - self.base,
            in_place: PEAK_IN_PLACE.load(Relaxed) - self.base,
            retained: self.live(),
        }
    }

    pub fn stop(self) -> Peak {
        Peak {
            moving: PEAK_MOVING.load(Relaxed) - self.base,
            in_place: PEAK_IN_PLACE.load(Relaxed) - self.base,
            retained: self.live(),
        }
    }
}
