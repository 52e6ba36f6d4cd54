//! The streaming compiler and its I/O drivers.

mod custom_skip;
mod driver;
#[cfg(feature = "async")]
mod driver_async;
mod leb;
mod streaming;

pub use driver::{DEFAULT_WINDOW_BYTES, compile_streaming, compile_streaming_with_window};
#[cfg(feature = "async")]
pub use driver_async::{compile_streaming_async, compile_streaming_with_window_async};
pub use streaming::StreamingCompiler;
