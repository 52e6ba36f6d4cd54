//! The streaming compiler and its I/O drivers.

mod custom_skip;
mod driver;
mod leb;
mod streaming;

pub use driver::{DEFAULT_WINDOW_BYTES, compile_streaming, compile_streaming_with_window};
pub use streaming::StreamingCompiler;
