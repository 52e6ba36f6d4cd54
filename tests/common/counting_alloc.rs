//! A global allocator that counts, per thread, the bytes held, the peak and
//! the largest single request, so a test can measure exactly what one call
//! allocates while other tests run on other threads.
//!
//! A test binary installs it with
//! `#[global_allocator] static ALLOC: CountingAlloc = CountingAlloc;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

pub struct CountingAlloc;

thread_local! {
    // Const-initialised and without destructors: safe to touch from inside
    // the allocator.
    static HELD: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
    static CALLS: Cell<usize> = const { Cell::new(0) };
}

fn record(delta: isize, request: usize) {
    let _ = HELD.try_with(|held| {
        let now = held.get() + delta;
        held.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
    let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(request)));
    if request > 0 {
        let _ = CALLS.try_with(|calls| calls.set(calls.get() + 1));
    }
}

// SAFETY: every call is forwarded unchanged to `System`; the counters are
// plain thread-local cells.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            record(layout.size() as isize, layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            record(layout.size() as isize, layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        record(-(layout.size() as isize), 0);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            record(new_size as isize - layout.size() as isize, new_size);
        }
        new
    }
}

/// What one measured call did to this thread's heap.
#[derive(Debug, Clone, Copy)]
pub struct HeapUse {
    /// Bytes still held after the call (negative: it freed older memory).
    pub net: isize,
    /// Highest number of bytes held at once during the call, above the start.
    pub peak: usize,
    /// The largest single allocation or reallocation requested.
    pub largest: usize,
    /// How many allocations and reallocations were made.
    pub allocations: usize,
}

/// Runs `f` and reports its heap use on this thread. Whatever `f` returns is
/// counted as held, so return plain data (not a `String`) when measuring leaks.
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, HeapUse) {
    let start = HELD.with(Cell::get);
    PEAK.with(|peak| peak.set(start));
    LARGEST.with(|largest| largest.set(0));
    let calls = CALLS.with(Cell::get);
    let result = f();
    let end = HELD.with(Cell::get);
    let heap = HeapUse {
        net: end - start,
        peak: (PEAK.with(Cell::get) - start).max(0) as usize,
        largest: LARGEST.with(Cell::get),
        allocations: CALLS.with(Cell::get) - calls,
    };
    (result, heap)
}
