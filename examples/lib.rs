//! wasmstream's host examples (this library is empty): run one from the
//! repository root with `cargo run --example instantiate_streaming`,
//! `compile_streaming` or `errors`.
