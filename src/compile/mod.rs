//! The streaming compiler and its I/O drivers.

mod custom_skip;
mod driver;
#[cfg(feature = "async")]
mod driver_async;
mod imports;
mod leb;
mod shape;
mod streaming;
mod validate;

pub(crate) use driver::stream_into;
pub use driver::{DEFAULT_WINDOW_BYTES, compile_streaming, compile_streaming_with_window};
#[cfg(feature = "async")]
pub(crate) use driver_async::stream_into_async;
#[cfg(feature = "async")]
pub use driver_async::{compile_streaming_async, compile_streaming_with_window_async};
pub use imports::ImportDeclaration;
#[cfg(feature = "flash")]
pub(crate) use imports::ImportRecorder;
pub(crate) use shape::{Declared, ModuleShape};
pub use streaming::StreamingCompiler;
pub use validate::validate;
#[cfg(feature = "async")]
pub use validate::validate_async;
