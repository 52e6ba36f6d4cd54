//! [`validate`]: the JS API's `WebAssembly.validate`, over a stream.

use super::driver::{DEFAULT_WINDOW_BYTES, stream_into};
use super::{ReadControls, StreamingCompiler};
use crate::config::Engine;
use crate::error::Error;
use crate::source::{Source, SourceError};

/// The JS API's `WebAssembly.validate(bytes)`, over a stream: reads and
/// validates the module as [`compile_streaming`](crate::compile_streaming)
/// does, with the engine's Wasm features and [`Limits`](crate::Limits), but
/// builds no wasmi module, so nothing is left in the engine.
///
/// Where `WebAssembly.validate` answers `false`, this says why: the
/// [`CompileError`](crate::CompileError) with its byte offset. The staged
/// module is kept only until the end of the stream, as when compiling.
/// wasmi's own [`EnforcedLimits`](wasmi::EnforcedLimits), if configured,
/// are checked only when compiling.
///
/// ```
/// use wasmstream::{Config, Error, validate};
///
/// let engine = Config::new().engine();
/// let wasm = wat::parse_str(r#"(module (func (export "f") (result i32) i32.const 1))"#)?;
/// assert!(validate(&engine, &wasm[..]).is_ok());
/// // `i64.const` where an i32 is due: invalid, at the byte that proves it.
/// let invalid = b"\0asm\x01\0\0\0\x01\x05\x01\x60\0\x01\x7f\x03\x02\x01\0\x0a\x06\x01\x04\0\x42\0\x0b";
/// let Err(Error::Compile(error)) = validate(&engine, &invalid[..]) else { panic!() };
/// assert!(error.message().contains("type mismatch"), "{error}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`compile_streaming`](crate::compile_streaming): [`Error::Type`] for
/// a bad source, [`Error::Compile`] for a module that is not valid,
/// [`Error::Io`] if the reader fails.
pub fn validate<S: Source>(engine: &Engine, source: S) -> Result<(), Error<SourceError<S>>> {
    let mut window = [0u8; DEFAULT_WINDOW_BYTES];
    let mut body = source.into_checked_body()?;
    let mut compiler = StreamingCompiler::new(engine);
    let mut controls = ReadControls::none();
    stream_into(
        &mut body,
        &mut compiler,
        &mut window,
        &mut controls,
        S::read_error,
        &mut |_| Ok(()),
    )?;
    Ok(compiler.finish_validation()?)
}

/// The async twin of [`validate`].
///
/// ```
/// use wasmstream::{Config, validate_async};
///
/// let engine = Config::new().engine();
/// let wasm = wat::parse_str("(module (memory 1))")?;
/// assert!(embassy_futures::block_on(validate_async(&engine, &wasm[..])).is_ok());
/// assert!(embassy_futures::block_on(validate_async(&engine, &b"\0asm"[..])).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`validate`].
#[cfg(feature = "async")]
pub async fn validate_async<S: crate::source::AsyncSource>(
    engine: &Engine,
    source: S,
) -> Result<(), Error<crate::source::AsyncSourceError<S>>> {
    let mut window = [0u8; DEFAULT_WINDOW_BYTES];
    let mut body = source.into_checked_body()?;
    let mut compiler = StreamingCompiler::new(engine);
    super::driver_async::stream_into_async(
        &mut body,
        &mut compiler,
        &mut window,
        &mut ReadControls::none(),
        S::read_error,
        |_| Ok(()),
    )
    .await?;
    Ok(compiler.finish_validation()?)
}
