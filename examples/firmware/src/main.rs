//! wasmstream on a microcontroller.
//!
//! Streams a Wasm module from flash through a reader that hands out at most
//! 64 bytes per read, links a host logging function, has the guest compute
//! CRC-32 checksums, checks them, provokes a link error, and reports peak
//! heap and peak native stack. Exits 0 through semihosting only if every
//! check passed.
//!
//! Runs on QEMU `mps2-an386` (Cortex-M4F) and `virt` (RV32IMAC):
//! `cargo run --release` (see `.cargo/config.toml` and `docs/embedded.md`).
#![no_std]
#![no_main]

extern crate alloc;

mod flash;
mod guest;
mod heap;
mod stack;

#[cfg(feature = "baseline")]
#[path = "baseline.rs"]
mod loader;
#[cfg(not(feature = "baseline"))]
#[path = "streaming.rs"]
mod loader;

use alloc::string::String;
// Linked for its single-core `critical-section` implementation, which the
// heap's lock uses.
#[cfg(target_arch = "arm")]
use cortex_m as _;

use flash::{CHUNK_BYTES, FlashReader};
use guest::{GUEST, GUEST_MEMORY_BYTES};
use heap::{HEAP, HEAP_BYTES};

#[cfg(target_arch = "arm")]
const TARGET: &str = "Cortex-M4F (thumbv7em-none-eabihf)";
#[cfg(target_arch = "riscv32")]
const TARGET: &str = "RISC-V (riscv32imac-unknown-none-elf)";

#[cfg(target_arch = "arm")]
#[cortex_m_rt::entry]
fn main() -> ! {
    start()
}

#[cfg(target_arch = "riscv32")]
#[riscv_rt::entry]
fn main() -> ! {
    start()
}

fn start() -> ! {
    HEAP.init();
    semihosting::println!("wasmstream firmware on {TARGET}");
    semihosting::println!("loader: {}", loader::NAME);
    match run() {
        Ok(()) => {
            semihosting::println!("PASS");
            semihosting::process::exit(0)
        }
        Err(message) => {
            semihosting::println!("FAIL: {message}");
            semihosting::process::exit(1)
        }
    }
}

fn run() -> Result<(), String> {
    let heap_at_start = HEAP.in_use();
    let engine = loader::engine();
    let mut store = guest::new_store(&engine);
    let engine_heap = HEAP.in_use() - heap_at_start;

    // Load: stream the module from flash, compile, link, instantiate; the
    // start function calls the host's log.
    let stack_base = stack::paint();
    HEAP.reset_peak();
    let heap_before_load = HEAP.in_use();
    let mut reader = FlashReader::new(GUEST);
    let (module, instance) = loader::load(&engine, &mut store, &mut reader)?;
    let load_peak = HEAP.peak() - heap_before_load;
    let loaded_heap = HEAP.in_use() - heap_before_load;
    let load_stack = stack::peak();
    semihosting::println!(
        "module: {} bytes from flash in {} reads of at most {CHUNK_BYTES} bytes",
        GUEST.len(),
        reader.reads()
    );

    // Run: the guest computes checksums; the firmware checks them. Calls
    // translate the guest's functions on first use (lazy compilation).
    stack::paint();
    HEAP.reset_peak();
    let heap_before_run = HEAP.in_use();
    guest::exercise(&mut store, &instance)?;
    let run_peak = HEAP.peak() - heap_before_run;
    let run_stack = stack::peak();
    drop(store);
    drop(module);

    let message = loader::link_error(&engine, &mut FlashReader::new(GUEST))?;
    semihosting::println!("link error (expected): {message}");
    drop(message);

    // wasmi's engine keeps every compiled function until the engine itself
    // is dropped, so only then must the heap be back where it started.
    drop(engine);
    let leaked = HEAP.in_use() - heap_at_start;

    semihosting::println!("heap: {HEAP_BYTES} bytes; engine + store {engine_heap}");
    semihosting::println!(
        "heap during load: peak {load_peak} bytes, then {loaded_heap} kept \
         (module, instance, {GUEST_MEMORY_BYTES} bytes of guest memory)"
    );
    semihosting::println!("heap during run: peak {run_peak} bytes above that");
    semihosting::println!(
        "native stack: peak {} bytes of {}; load {} bytes, run {} bytes below run()'s {stack_base}",
        load_stack.max(run_stack),
        stack::capacity(),
        load_stack - stack_base,
        run_stack - stack_base,
    );
    if leaked != 0 {
        return Err(alloc::format!(
            "{leaked} heap bytes still allocated at the end"
        ));
    }
    Ok(())
}

/// A fault ends the run with a message and a failing exit status instead of
/// hanging until the CI timeout.
#[cfg(target_arch = "arm")]
#[cortex_m_rt::exception]
unsafe fn HardFault(frame: &cortex_m_rt::ExceptionFrame) -> ! {
    semihosting::println!("FAIL: HardFault at pc {:#010x}", frame.pc());
    semihosting::process::exit(2)
}

/// A fault ends the run with a message and a failing exit status instead of
/// hanging until the CI timeout.
#[cfg(target_arch = "riscv32")]
#[unsafe(export_name = "ExceptionHandler")]
fn exception_handler(frame: &riscv_rt::TrapFrame) -> ! {
    let cause = riscv::register::mcause::read().bits();
    let pc = riscv::register::mepc::read();
    semihosting::println!(
        "FAIL: exception {cause} at pc {pc:#010x} (ra {:#010x})",
        frame.ra
    );
    semihosting::process::exit(2)
}
