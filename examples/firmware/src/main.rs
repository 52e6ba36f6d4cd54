//! wasmstream on a microcontroller.
//!
//! Streams a Wasm module from flash through a reader that hands out at most
//! 64 bytes per read, links a host logging function, has the guest compute
//! CRC-32 checksums, checks them, provokes a link error, then receives a big
//! generated guest (about 70 KiB of code) over the UART, one byte per read,
//! into flash, installed only if its Ed25519 signature verifies (feature
//! `signature`, after a tampered signature was refused), and checks its answers; reports peak heap and peak native stack. Exits 0 through semihosting only if every
//! check passed.
//!
//! Runs on QEMU `mps2-an386` (Cortex-M4F), `mps2-an505` (Cortex-M33) and
//! `virt` (RV32IMAC, and RV32IMC with the `atomic-emulation` feature):
//! `cargo run --release` (see `.cargo/config.toml` and `docs/embedded.md`).
#![no_std]
#![no_main]

extern crate alloc;

#[cfg(feature = "atomic-emulation")]
mod atomic_emulation;
mod cost;
mod flash;
mod guest;
mod heap;
mod kernels;
#[cfg(not(feature = "baseline"))]
mod nor_flash;
#[cfg(all(feature = "signature", not(feature = "baseline")))]
mod signing;
mod stack;
mod uart;

#[cfg(feature = "baseline")]
#[path = "baseline.rs"]
mod loader;
#[cfg(not(feature = "baseline"))]
#[path = "streaming.rs"]
mod loader;

use alloc::string::String;

use cost::Mark;
use flash::{CHUNK_BYTES, FlashReader};
use guest::{GUEST, GUEST_MEMORY_BYTES};
use heap::{HEAP, HEAP_BYTES};

#[cfg(all(feature = "atomic-emulation", not(target_arch = "riscv32")))]
compile_error!("the atomic-emulation feature is for riscv32imac-unknown-none-elf only");

/// The core and the target triple, from `build.rs`.
const CORE: &str = env!("FIRMWARE_CORE");
const TARGET: &str = env!("FIRMWARE_TARGET");

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
    semihosting::println!("wasmstream firmware on {CORE} ({TARGET})");
    report_core();
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
    let load_cost = Mark::now();
    let (module, instance) = loader::load(&engine, &mut store, &mut reader)?;
    load_cost.report("load");
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
    let run_cost = Mark::now();
    guest::exercise(&mut store, &instance)?;
    run_cost.report("run (the 3 calls)");
    let run_peak = HEAP.peak() - heap_before_run;
    let run_stack = stack::peak();
    drop(store);
    drop(module);

    let message = loader::link_error(&engine, &mut FlashReader::new(GUEST))?;
    semihosting::println!("link error (expected): {message}");
    drop(message);

    // The big guest: received over the UART and installed in flash at the
    // first boot, loaded from flash at every later one.
    let mut store = guest::new_store(&engine);
    HEAP.reset_peak();
    let heap_before_kernels = HEAP.in_use();
    let mut uart = uart::Uart::uart0();
    let kernels_cost = Mark::now();
    let (module, instance, how) = loader::receive_kernels(&engine, &mut store, &mut uart)?;
    kernels_cost.report("big guest: load");
    let kernels_peak = HEAP.peak() - heap_before_kernels;
    let kernels_kept = HEAP.in_use() - heap_before_kernels;
    semihosting::println!("big guest: {how}; {} bytes from the UART", uart.received());
    kernels::check(&mut store, &instance)?;
    semihosting::println!(
        "heap for the big guest: peak {kernels_peak} bytes ({how}), then {kernels_kept} kept"
    );
    drop(store);
    drop(module);

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
    #[cfg(feature = "atomic-emulation")]
    semihosting::println!(
        "emulated atomics: {} since reset",
        atomic_emulation::emulated()
    );
    if leaked != 0 {
        return Err(alloc::format!(
            "{leaked} heap bytes still allocated at the end"
        ));
    }
    Ok(())
}

/// Prints the core the CPUID register names, so a run proves which core it ran on.
#[cfg(target_arch = "arm")]
fn report_core() {
    // SAFETY: a read of CPUID, a read-only register of the System Control Space.
    let cpuid = unsafe { (*cortex_m::peripheral::CPUID::PTR).base.read() };
    let part = match (cpuid >> 4) & 0xFFF {
        0xC24 => "Cortex-M4",
        0xD21 => "Cortex-M33",
        _ => "another core",
    };
    semihosting::println!("cpuid: {cpuid:#010x} ({part})");
}

/// Prints the ISA `misa` reports: QEMU's `-cpu rv32,a=off` clears the A bit.
#[cfg(target_arch = "riscv32")]
fn report_core() {
    let mut letters = String::new();
    if let Ok(misa) = riscv::register::misa::try_read() {
        letters.extend(('A'..='Z').filter(|&letter| misa.has_extension(letter)));
    }
    let atomics = if letters.contains('A') {
        "atomic instructions run natively"
    } else if cfg!(feature = "atomic-emulation") {
        "no A extension: atomic instructions are emulated"
    } else {
        "no A extension: atomic instructions will trap"
    };
    semihosting::println!("misa: RV32{letters}; {atomics}");
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
