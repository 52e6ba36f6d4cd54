//! The streaming compiler and its I/O drivers.

mod custom_skip;
mod driver;
mod imports;
mod leb;
mod streaming;

pub(crate) use driver::drive;
pub use driver::{DEFAULT_WINDOW_BYTES, compile_streaming, compile_streaming_with_window};
pub use imports::ImportDeclaration;
pub use streaming::StreamingCompiler;
