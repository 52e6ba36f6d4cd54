//! The `Config` for the Wasm 2.0 spec suite, shared by the spec test binaries.

use wasmstream::{Config, ResourceLimits};

/// Wasm 2.0 exactly: the proposals wasmi enables by default beyond 2.0 are
/// off, since some 2.0 `assert_invalid` cases (two memories) become valid.
/// The host's resource limits: the suite instantiates large tables.
pub fn wasm2_config() -> Config {
    let config = Config::new()
        .resource_limits(ResourceLimits::HOST)
        .wasm_tail_call(false)
        .wasm_extended_const(false)
        .wasm_multi_memory(false);
    #[cfg(feature = "memory64")]
    let config = config.wasm_memory64(false);
    #[cfg(feature = "simd")]
    let config = config.wasm_simd(false).wasm_relaxed_simd(false);
    config
}
