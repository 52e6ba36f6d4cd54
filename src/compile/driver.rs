//! The blocking driver: read into a fixed window, feed, repeat.

use embedded_io::{ErrorKind, Read};

use super::{CompileOptions, StreamingCompiler};
use crate::config::Engine;
use crate::error::Error;
use crate::instantiate::Module;
use crate::source::{Source, SourceError};
use crate::staging::Staging;

/// Bytes of stack the default read window takes.
pub const DEFAULT_WINDOW_BYTES: usize = 1024;

/// The JS API's `WebAssembly.compileStreaming`: checks the source (status,
/// `Content-Type`), then reads and compiles the module while it arrives.
///
/// `source` is any [`embedded_io::Read`] or a [`Response`](crate::Response).
/// Reads go through a fixed window of [`DEFAULT_WINDOW_BYTES`] on the stack,
/// the module is staged in a [`VecStaging`](crate::VecStaging), and a length
/// the source knows ([`Source::known_length`]) is honoured; use
/// [`compile_streaming_with`] to choose otherwise.
///
/// ```
/// let engine = wasmstream::Config::new().engine();
/// let wasm = wat::parse_str(r#"(module (func (export "answer") (result i32) i32.const 42))"#)?;
/// let module = wasmstream::compile_streaming(&engine, &wasm[..])?;
/// assert!(module.wasmi().get_export("answer").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::Type`] for a bad source, [`Error::Compile`] for a bad module
/// (including an empty or truncated stream, or one shorter than its known
/// length), [`Error::Staging`] if the staging sink fails, [`Error::Io`] with
/// the reader's error unchanged. Reading stops at the first error of any
/// kind.
pub fn compile_streaming<S: Source>(
    engine: &Engine,
    source: S,
) -> Result<Module, Error<SourceError<S>>> {
    compile_streaming_with(engine, source, CompileOptions::new())
}

/// [`compile_streaming`] with a chosen read window, size hint and staging
/// (see [`CompileOptions`]).
///
/// # Errors
///
/// As [`compile_streaming`].
///
/// ```
/// use wasmstream::{CompileOptions, Config, compile_streaming_with};
///
/// let engine = Config::new().engine();
/// let wasm = wat::parse_str(r#"(module (func (export "f")))"#)?;
/// let mut window = [0u8; 16];
/// let module = compile_streaming_with(&engine, &wasm[..], CompileOptions::new().window(&mut window))?;
/// assert!(module.wasmi().get_export("f").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compile_streaming_with<S: Source, T: Staging>(
    engine: &Engine,
    source: S,
    options: CompileOptions<'_, T>,
) -> Result<Module, Error<SourceError<S>>> {
    let length = source.known_length();
    let mut body = source.into_checked_body()?;
    let (window, mut compiler, _) = options.into_parts(engine, length);
    let mut default_window = [0u8; DEFAULT_WINDOW_BYTES];
    let window = window.unwrap_or(&mut default_window);
    stream_into(&mut body, &mut compiler, window, S::read_error, |_| Ok(()))?;
    Ok(compiler.finish()?)
}

/// The read loop every blocking driver runs: reads `body` through `window`
/// into `compiler` until the stream ends, calling `after_feed` after each
/// read that delivered bytes (instantiation checks imports there); a failed
/// read is reported as the source's `read_error` says.
pub(crate) fn stream_into<R: Read, T: Staging>(
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
        let result = body.read(&mut window[..want]);
        if !feed_read(compiler, &window[..want], result, read_error)? {
            return Ok(());
        }
        after_feed(compiler)?;
    }
}

/// The caller's window, or a one-byte one if it is empty.
pub(crate) fn usable_window<'a>(window: &'a mut [u8], one_byte: &'a mut [u8; 1]) -> &'a mut [u8] {
    if window.is_empty() { one_byte } else { window }
}

/// Feeds the outcome of one read into `window` to the compiler; `Ok(false)`
/// at the end of the stream. A reader that reports
/// more bytes than the window holds is taken to have filled the window.
/// Drivers read at most `compiler.wanted()` bytes, so a bad stream is
/// rejected before more of it is read; `Interrupted` is retried.
#[inline]
pub(crate) fn feed_read<E: embedded_io::Error, T: Staging>(
    compiler: &mut StreamingCompiler<T>,
    window: &[u8],
    result: Result<usize, E>,
    read_error: fn(E) -> Error<E>,
) -> Result<bool, Error<E>> {
    match result {
        Ok(0) => Ok(false),
        Ok(read) => {
            let bytes = &window[..read.min(window.len())];
            if !compiler.feed_within_field(bytes) {
                compiler.feed(bytes)?;
            }
            Ok(true)
        }
        Err(e) if e.kind() == ErrorKind::Interrupted => Ok(true),
        Err(e) => Err(read_error(e)),
    }
}
