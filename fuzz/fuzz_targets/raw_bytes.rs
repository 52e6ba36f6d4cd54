//! Raw bytes + a chunk pattern: no panic, the same outcome in every chunking,
//! and the same verdict as `wasmi::Module::new`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wasmstream_fuzz::check_raw_bytes(data);
});
