//! The async driver, twin of the blocking one: read into a fixed window,
//! feed, repeat — with `embedded_io_async::Read`.

use embedded_io_async::Read;

use super::driver::{DEFAULT_WINDOW_BYTES, feed_read, usable_window};
use super::{CompileOptions, StreamingCompiler};
use crate::config::Engine;
use crate::error::Error;
use crate::instantiate::Module;
use crate::source::{AsyncSource, AsyncSourceError};
use crate::staging::Staging;

/// The async twin of [`compile_streaming`](crate::compile_streaming), for
/// `embedded_io_async::Read` sources (an embassy TCP socket, a DMA UART).
///
/// ```
/// let engine = wasmstream::Config::new().engine();
/// let wasm = wat::parse_str(r#"(module (func (export "f")))"#)?;
/// let module = embassy_futures::block_on(wasmstream::compile_streaming_async(&engine, &wasm[..]))?;
/// assert!(module.wasmi().get_export("f").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`compile_streaming`](crate::compile_streaming).
pub async fn compile_streaming_async<S: AsyncSource>(
    engine: &Engine,
    source: S,
) -> Result<Module, Error<AsyncSourceError<S>>> {
    compile_streaming_with_async(engine, source, CompileOptions::new()).await
}

/// The async twin of
/// [`compile_streaming_with`](crate::compile_streaming_with).
///
/// # Errors
///
/// As [`compile_streaming`](crate::compile_streaming).
///
/// ```
/// use wasmstream::{CompileOptions, Config, compile_streaming_with_async};
///
/// let engine = Config::new().engine();
/// let wasm = wat::parse_str(r#"(module (func (export "f")))"#)?;
/// let mut window = [0u8; 16];
/// let options = CompileOptions::new().window(&mut window);
/// let module = embassy_futures::block_on(compile_streaming_with_async(&engine, &wasm[..], options))?;
/// assert!(module.wasmi().get_export("f").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn compile_streaming_with_async<S: AsyncSource, T: Staging>(
    engine: &Engine,
    source: S,
    options: CompileOptions<'_, T>,
) -> Result<Module, Error<AsyncSourceError<S>>> {
    let length = source.known_length();
    let mut body = source.into_checked_body()?;
    let (window, mut compiler, _) = options.into_parts(engine, length);
    let mut default_window = [0u8; DEFAULT_WINDOW_BYTES];
    let window = window.unwrap_or(&mut default_window);
    stream_into_async(&mut body, &mut compiler, window, S::read_error, |_| Ok(())).await?;
    Ok(compiler.finish()?)
}

/// The async twin of the blocking drivers' read loop.
pub(crate) async fn stream_into_async<R: Read, T: Staging>(
    body: &mut R,
    compiler: &mut StreamingCompiler<T>,
    window: &mut [u8],
    read_error: fn(R::Error) -> Error<R::Error>,
    mut after_feed: impl FnMut(&StreamingCompiler<T>) -> Result<(), Error<R::Error>>,
) -> Result<(), Error<R::Error>> {
    let mut one_byte = [0u8; 1];
    let window = usable_window(window, &mut one_byte);
    loop {
        let want = compiler.wanted().min(window.len());
        if want == 0 {
            // A known length has been received: nothing past it is read.
            return Ok(());
        }
        let result = body.read(&mut window[..want]).await;
        if !feed_read(compiler, &window[..want], result, read_error)? {
            return Ok(());
        }
        after_feed(compiler)?;
    }
}
