//! A wasm-smith module + a chunk pattern: accepted or rejected exactly as
//! `wasmi::Module::new` does, with the same imports and exports, in every
//! chunking.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wasmstream_fuzz::check_smith_module(data);
});
