//! The guest module and what the firmware checks it does: the imports it
//! needs, the work it is asked for, and the answers it must give.

use alloc::format;
use alloc::string::String;

use wasmstream::wasmi::{self, Caller, Extern, Instance, Store, StoreLimits, StoreLimitsBuilder};

use crate::cost::Mark;

/// The guest's bytes, assembled from `guest/crc32.wat` by `build.rs`; a
/// `static` in `.rodata`, so they stay in flash.
pub static GUEST: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/crc32.wasm"));

/// The same module as a chunked HTTP/1.1 response, as a server would send it.
#[cfg(any(feature = "http", feature = "reqwless-client"))]
pub static GUEST_HTTP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/crc32.http"));

/// The guest's linear memory, in bytes (16 KiB of 1-byte pages).
pub const GUEST_MEMORY_BYTES: usize = 16 * 1024;
/// Where the standard check input "123456789" sits in guest memory.
const CHECK_INPUT: (u32, u32) = (1024, 9);
/// CRC-32 of "123456789", the standard check value of the algorithm.
const CHECK_VALUE: u32 = 0xCBF4_3926;
/// The work area the guest fills with pseudo-random bytes and checksums.
const WORK_AREA: (u32, u32) = (4096, 12 * 1024);
const FILL_SEED: u32 = 0x2545_F491;

/// The data the store keeps for the host: its resource limits.
pub struct Host {
    limits: StoreLimits,
    /// How many times the guest called `env.log`.
    pub log_calls: u32,
}

impl Host {
    /// Limits suited to a microcontroller: one instance with one memory of at
    /// most the guest's 16 KiB and one table of at most 256 elements (the big
    /// guest's), so a guest cannot grow into the firmware's heap.
    pub fn new() -> Self {
        Host {
            limits: StoreLimitsBuilder::new()
                .instances(2)
                .memories(1)
                .memory_size(GUEST_MEMORY_BYTES)
                .tables(1)
                .table_elements(256)
                .build(),
            log_calls: 0,
        }
    }
}

/// A store for `engine` whose growable resources are capped by [`Host`].
pub fn new_store(engine: &wasmi::Engine) -> Store<Host> {
    let mut store = Store::new(engine, Host::new());
    store.limiter(|host| &mut host.limits);
    store
}

/// The host function behind the guest's `env.log(ptr, len)` import: prints
/// the UTF-8 text at `memory[ptr .. ptr + len]` through semihosting, and
/// counts the call.
pub fn log(mut caller: Caller<'_, Host>, ptr: u32, len: u32) -> Result<(), wasmi::Error> {
    caller.data_mut().log_calls += 1;
    let memory = caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| wasmi::Error::new("env.log: the guest exports no memory"))?;
    let bytes = memory
        .data(&caller)
        .get(ptr as usize..(ptr as usize).saturating_add(len as usize))
        .ok_or_else(|| wasmi::Error::new("env.log: text out of bounds"))?;
    let text =
        core::str::from_utf8(bytes).map_err(|_| wasmi::Error::new("env.log: text is not UTF-8"))?;
    semihosting::println!("guest log: {text}");
    Ok(())
}

/// Asks the guest for two checksums and checks both: the standard check value
/// over "123456789", and a CRC over 12 KiB of pseudo-random bytes that the
/// firmware recomputes natively from the guest's memory.
#[inline(never)]
pub fn exercise(store: &mut Store<Host>, instance: &Instance) -> Result<(), String> {
    let crc32 = instance
        .get_typed_func::<(u32, u32), u32>(&*store, "crc32")
        .map_err(|e| format!("export crc32: {e}"))?;
    let fill = instance
        .get_typed_func::<(u32, u32, u32), ()>(&*store, "fill")
        .map_err(|e| format!("export fill: {e}"))?;
    let memory = instance
        .get_memory(&*store, "memory")
        .ok_or("the guest exports no memory")?;

    if store.data().log_calls != 1 {
        return Err(format!(
            "the start function should log once, logged {} times",
            store.data().log_calls
        ));
    }

    let cost = Mark::now();
    let check = crc32
        .call(&mut *store, CHECK_INPUT)
        .map_err(|e| format!("crc32 trapped: {e}"))?;
    cost.report("call crc32 over 9 bytes (first call: translates it)");
    semihosting::println!("crc32(\"123456789\") = {check:#010x} (expected {CHECK_VALUE:#010x})");
    if check != CHECK_VALUE {
        return Err(format!(
            "crc32 check value {check:#010x} != {CHECK_VALUE:#010x}"
        ));
    }

    let (start, len) = WORK_AREA;
    let cost = Mark::now();
    fill.call(&mut *store, (start, len, FILL_SEED))
        .map_err(|e| format!("fill trapped: {e}"))?;
    cost.report("call fill over 12 KiB (first call: translates it)");
    let cost = Mark::now();
    let guest_crc = crc32
        .call(&mut *store, WORK_AREA)
        .map_err(|e| format!("crc32 trapped: {e}"))?;
    cost.report("call crc32 over 12 KiB");
    let work = &memory.data(&*store)[start as usize..(start + len) as usize];
    let native_crc = native_crc32(work);
    semihosting::println!(
        "crc32({len} pseudo-random bytes) = {guest_crc:#010x} (native {native_crc:#010x})"
    );
    if guest_crc != native_crc {
        return Err(format!(
            "crc32 of the work area {guest_crc:#010x} != {native_crc:#010x}"
        ));
    }
    Ok(())
}

/// Bitwise CRC-32 (reflected 0xEDB88320), written independently of the guest.
fn native_crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}
