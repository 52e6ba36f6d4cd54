//! The streaming compiler, its options and its I/O drivers.

mod body_room;
mod body_validation;
mod custom_skip;
mod data_scan;
mod driver;
#[cfg(feature = "async")]
mod driver_async;
mod imports;
mod leb;
mod options;
mod read_controls;
mod sections;
mod shape;
mod streaming;
mod unit;
mod validate;

pub(crate) use driver::stream_into;
pub use driver::{DEFAULT_WINDOW_BYTES, compile_streaming, compile_streaming_with};
#[cfg(feature = "async")]
pub(crate) use driver_async::stream_into_async;
#[cfg(feature = "async")]
pub use driver_async::{compile_streaming_async, compile_streaming_with_async};
pub use imports::ImportDeclaration;
#[cfg(feature = "flash")]
pub(crate) use imports::ImportRecorder;
pub use options::CompileOptions;
pub(crate) use options::DriverParts;
pub(crate) use read_controls::ReadControls;
pub(crate) use shape::{Declared, ModuleShape};
pub use streaming::StreamingCompiler;
pub use validate::validate;
#[cfg(feature = "async")]
pub use validate::validate_async;
