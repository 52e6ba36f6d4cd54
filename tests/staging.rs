//! The staging buffer: grown once per section at most, never per fed chunk,
//! and — with a known length — never moved at all.
//! A global allocator counts reallocations (so this is its own test binary).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use wasmstream::{Config, StreamingCompiler};

struct CountingReallocs;

thread_local! {
    static REALLOCS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingReallocs {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Moving a large block is what costs time and peak RAM; the
        // validator's small bookkeeping vectors may grow as they like.
        if layout.size() >= LARGE {
            // `try_with`: the thread-local may be gone while a thread shuts down.
            let _ = REALLOCS.try_with(|count| count.set(count.get() + 1));
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Blocks at least this large count as large.
const LARGE: usize = 1024;

#[global_allocator]
static ALLOC: CountingReallocs = CountingReallocs;

fn reallocs() -> usize {
    REALLOCS.with(Cell::get)
}

/// A module of many sections, with a data section after the code section.
fn module() -> Vec<u8> {
    let body = "i32.const 1 i32.const 2 i32.add drop ".repeat(200);
    let funcs: String = (0..20).map(|i| format!("(func $f{i} {body})")).collect();
    wat::parse_str(format!(
        r#"(module
            (type (func))
            (import "env" "g" (global i32))
            (table 2 funcref)
            (memory 1)
            (global i32 (i32.const 0))
            {funcs}
            (export "f0" (func $f0))
            (elem (i32.const 0) $f0 $f1)
            (data (i32.const 0) "{}"))"#,
        "x".repeat(2000)
    ))
    .expect("valid WAT")
}

/// Feeds `wasm` in 61-byte chunks; returns the reallocations of large blocks
/// made by `feed`.
fn reallocs_while_feeding(wasm: &[u8], known_length: bool) -> usize {
    let engine = Config::new().engine();
    let mut compiler = StreamingCompiler::new(&engine);
    if known_length {
        compiler = compiler.with_known_length(wasm.len() as u64);
    }
    let before = reallocs();
    for chunk in wasm.chunks(61) {
        compiler.feed(chunk).expect("valid module");
    }
    let during = reallocs() - before;
    compiler.finish().expect("valid module");
    during
}

#[test]
fn without_a_known_length_the_staged_bytes_move_once_at_the_code_section() {
    let wasm = module();
    let grown = reallocs_while_feeding(&wasm, false);
    // The first sections fit the first 4 KiB block; the code section's
    // header grows it once to the section and an eighth more, where the
    // data section after it (2 KB after 24 KB of code) fits. The unit
    // buffer may grow once, to the largest function body.
    assert!(
        grown <= 2,
        "{grown} reallocations for {} chunks of a {}-byte module",
        wasm.len().div_ceil(61),
        wasm.len()
    );
}

#[test]
fn a_staging_buffer_of_known_length_never_moves() {
    let wasm = module();
    // Only the unit buffer may grow (to the largest function body, once).
    assert!(reallocs_while_feeding(&wasm, true) <= 1);
}

/// `CompileOptions::size_hint` passes the size on to the staging: the
/// staged bytes never move, so the whole instantiation makes fewer large
/// reallocations than without it.
#[test]
fn instantiate_streaming_reserves_a_known_module_size_once() {
    use wasmstream::wasmi::Store;
    use wasmstream::{CompileOptions, Imports, instantiate_streaming_with};

    let wasm = module();
    let engine = Config::new().engine();
    let mut imports = Imports::new(&engine);
    let mut run = |options: CompileOptions<'_>| {
        let mut store = Store::new(&engine, ());
        let global = wasmstream::wasmi::Global::new(
            &mut store,
            wasmstream::wasmi::Val::I32(0),
            wasmstream::wasmi::Mutability::Const,
        );
        imports.define("env", "g", global);
        let before = reallocs();
        instantiate_streaming_with(&mut store, &wasm[..], &imports, options).expect("valid module");
        reallocs() - before
    };
    let without = run(CompileOptions::new());
    let with = run(CompileOptions::new().size_hint(wasm.len() as u64));
    assert!(
        with < without,
        "{with} large reallocations with the size, {without} without"
    );
}

/// `Staging::reserve` is a hint: a size no heap can give fails nothing, and
/// the bytes still stage.
#[test]
fn a_reserve_the_heap_cannot_give_is_no_error() {
    use wasmstream::staging::{Staging, VecStaging};

    let mut staging = VecStaging::new();
    staging.begin(None).unwrap();
    staging.reserve(u64::MAX).unwrap();
    staging.write(b"\0asm\x01\0\0\0").unwrap();
}
