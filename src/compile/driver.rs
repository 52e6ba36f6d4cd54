//! The blocking driver: read into a fixed window, feed, repeat.

use embedded_io::{Error as _, ErrorKind, Read};
use wasmi::Module;

use super::StreamingCompiler;
use crate::config::Engine;
use crate::error::Error;
use crate::source::{Source, SourceError};

/// Bytes of stack the default read window takes.
pub const DEFAULT_WINDOW_BYTES: usize = 1024;

/// The JS API's `WebAssembly.compileStreaming`: checks the source (status,
/// `Content-Type`), then reads and compiles the module while it arrives.
///
/// `source` is any [`embedded_io::Read`] or a [`Response`](crate::Response).
/// Reads go through a fixed window of [`DEFAULT_WINDOW_BYTES`] on the stack;
/// use [`compile_streaming_with_window`] to choose the window.
///
/// ```
/// let engine = wasmstream::Config::new().engine();
/// let wasm = wat::parse_str(r#"(module (func (export "answer") (result i32) i32.const 42))"#)?;
/// let module = wasmstream::compile_streaming(&engine, &wasm[..])?;
/// assert!(module.get_export("answer").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::Type`] for a bad source, [`Error::Compile`] for a bad module
/// (including an empty or truncated stream), [`Error::Io`] with the reader's
/// error unchanged. Reading stops at the first error of any kind.
pub fn compile_streaming<S: Source>(
    engine: &Engine,
    source: S,
) -> Result<Module, Error<SourceError<S>>> {
    let mut window = [0u8; DEFAULT_WINDOW_BYTES];
    compile_streaming_with_window(engine, source, &mut window)
}

/// [`compile_streaming`] reading through the caller's `window` (for example a
/// `static` buffer on a microcontroller, or a larger one on a host). An empty
/// window reads one byte at a time.
///
/// # Errors
///
/// As [`compile_streaming`].
pub fn compile_streaming_with_window<S: Source>(
    engine: &Engine,
    source: S,
    window: &mut [u8],
) -> Result<Module, Error<SourceError<S>>> {
    drive(StreamingCompiler::new(engine), source, window, |_| Ok(()))
}

/// The read loop shared by the drivers: checks the source, then reads and
/// feeds `compiler`; `after_feed` may stop reading with an error of its own.
pub(crate) fn drive<S: Source>(
    mut compiler: StreamingCompiler,
    source: S,
    window: &mut [u8],
    mut after_feed: impl FnMut(&StreamingCompiler) -> Result<(), Error<SourceError<S>>>,
) -> Result<Module, Error<SourceError<S>>> {
    let response = source.into_response();
    response.check()?;
    let mut body = response.into_body();
    let mut one_byte = [0u8; 1];
    let window = if window.is_empty() {
        &mut one_byte[..]
    } else {
        window
    };
    loop {
        // Never read past the point where the compiler can next decide: a
        // bad stream is rejected before more of it is read.
        let want = compiler.wanted().min(window.len());
        let read = match body.read(&mut window[..want]) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Io(e)),
        };
        compiler.feed(&window[..read])?;
        after_feed(&compiler)?;
    }
    Ok(compiler.finish()?)
}
