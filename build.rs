//! Tells the library how it is optimised: `opt-level = "s"` or `"z"` (what
//! firmware builds use) sets `cfg(wasmstream_opt_size)`.
//!
//! Function bodies are validated by one of two loops with the same checks,
//! errors and offsets (`src/compile/body_validation.rs`): ours, which fat
//! LTO at `opt-level = 3` turns into the faster code, and wasmparser's own
//! `FuncValidator::validate`, which is the smaller one. Rust has no `cfg`
//! for the optimisation level; cargo gives it to build scripts as
//! `OPT_LEVEL`.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wasmstream_opt_size)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=OPT_LEVEL");
    let opt_level = std::env::var("OPT_LEVEL").unwrap_or_default();
    if opt_level == "s" || opt_level == "z" {
        println!("cargo::rustc-cfg=wasmstream_opt_size");
    }
}
