//! The blocking driver: read into a fixed window, feed, repeat.

use embedded_io::Read;

use super::body_room::{RoomEnd, RoomRun, reads_into_room, room_to_open};
use super::options::DriverParts;
use super::read_controls::ReadControls;
use super::{CompileOptions, StreamingCompiler};
use crate::config::Engine;
use crate::control::{Abort, Progress};
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
/// the reader's error unchanged, [`TypeError::ReadInterrupted`](crate::TypeError::ReadInterrupted)
/// after [`MAX_INTERRUPTED_IN_A_ROW`](crate::control::MAX_INTERRUPTED_IN_A_ROW)
/// interrupted reads in a row. With [`CompileOptions`]: [`Error::Abort`]
/// once the abort condition is true, and an [`Error::Type`] for an
/// integrity or signature failure. Reading stops at the first error of any
/// kind.
pub fn compile_streaming<S: Source>(
    engine: &Engine,
    source: S,
) -> Result<Module, Error<SourceError<S>>> {
    compile_streaming_with(engine, source, CompileOptions::new())
}

/// [`compile_streaming`] with a chosen read window, size hint, staging,
/// integrity check, progress report and abort condition (see
/// [`CompileOptions`]).
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
pub fn compile_streaming_with<S: Source, T: Staging, P: Progress, A: Abort>(
    engine: &Engine,
    source: S,
    options: CompileOptions<'_, T, P, A>,
) -> Result<Module, Error<SourceError<S>>> {
    let length = source.known_length();
    let mut body = source.into_checked_body()?;
    let DriverParts {
        window,
        mut compiler,
        mut controls,
        ..
    } = options.into_parts(engine, length);
    let mut default_window = [0u8; DEFAULT_WINDOW_BYTES];
    let window = window.unwrap_or(&mut default_window);
    stream_into(
        &mut body,
        &mut compiler,
        window,
        &mut controls,
        S::read_error,
        &mut |_| Ok(()),
    )?;
    compiler.finish_verified(|| controls.verify())
}

/// The read loop every blocking driver runs: reads `body` through `window`
/// into `compiler` until the stream ends, calling `after_feed` after each
/// window read that delivered bytes (instantiation checks imports there); a
/// failed read is reported as the source's `read_error` says.
///
/// Before each read the abort condition is checked; each read's result
/// goes through the bounded retry of interrupted reads; its bytes go to the
/// digest, then the compiler, then one progress report (see
/// [`ReadControls`]). Inside a function body, while reads are small (see
/// `body_room.rs`), they land straight in the compiler's unit, at most a
/// window's length each, with the same checks.
///
/// `body` and `after_feed` are trait objects so that a firmware with several
/// kinds of source carries one copy of this loop per read error type, not one
/// per source and driver (about 0.6 KB of flash each). A read through the
/// trait object is an indirect call, which costs what a direct one does for
/// a reader of real I/O (such reads are not inlined anyway).
pub(crate) fn stream_into<E: embedded_io::Error, T: Staging, P: Progress, A: Abort>(
    body: &mut dyn Read<Error = E>,
    compiler: &mut StreamingCompiler<T>,
    window: &mut [u8],
    controls: &mut ReadControls<P, A>,
    read_error: fn(E) -> Error<E>,
    after_feed: &mut AfterFeed<'_, T, E>,
) -> Result<(), Error<E>> {
    let mut one_byte = [0u8; 1];
    let window = usable_window(window, &mut one_byte);
    let mut short = false;
    loop {
        let want = compiler.wanted().min(window.len());
        if want == 0 {
            // A known length has been received: nothing past it is read.
            return Ok(());
        }
        controls.check_abort()?;
        let room = compiler.body_room();
        let result = if reads_into_room(room, window.len(), short) {
            // Nothing an import check looks at changes inside a body, so
            // these reads skip `after_feed`.
            let start = compiler.consumed();
            let room = room_to_open(room, window.len());
            let into = compiler.open_body_room(room);
            let (received, rest) =
                read_into_room(body, into, window.len(), &mut short, controls, start);
            compiler.close_body_room(room, received);
            match rest {
                RoomEnd::Done => continue,
                RoomEnd::Aborted => return Err(Error::Abort),
                RoomEnd::Read(result) => result,
            }
        } else {
            body.read(&mut window[..want])
        };
        // A read into the room that delivered bytes was taken there: what
        // reaches here from it is an error, an interruption or the end.
        match controls.read_outcome(result, compiler.consumed(), read_error)? {
            None => continue,
            Some(0) => return Ok(()),
            Some(read) => {
                short = read < want;
                controls.feed(compiler, filled(window, want, read))?;
            }
        }
        after_feed(compiler)?;
    }
}

/// What a driver does after each window read that delivered bytes.
pub(crate) type AfterFeed<'a, T, E> = dyn FnMut(&StreamingCompiler<T>) -> Result<(), Error<E>> + 'a;

/// Reads into `room` (see [`RoomRun`]) until the run ends; returns the
/// bytes received and how it ended.
fn read_into_room<E: embedded_io::Error, P: Progress, A: Abort>(
    body: &mut dyn Read<Error = E>,
    room: &mut [u8],
    max_read: usize,
    short: &mut bool,
    controls: &mut ReadControls<P, A>,
    start: u64,
) -> (usize, RoomEnd<E>) {
    let mut run = RoomRun::new(room, max_read, *short, start);
    let end = loop {
        let result = body.read(run.slot());
        if let Some(end) = run.took(result, controls) {
            break end;
        }
    };
    let (received, last_short) = run.ended();
    *short = last_short;
    (received, end)
}

/// The caller's window, or a one-byte one if it is empty.
pub(crate) fn usable_window<'a>(window: &'a mut [u8], one_byte: &'a mut [u8; 1]) -> &'a mut [u8] {
    if window.is_empty() { one_byte } else { window }
}

/// The bytes one read of `window[..want]` delivered. A reader that reports
/// more bytes than it was given room for is taken to have filled it.
#[inline]
pub(crate) fn filled(window: &[u8], want: usize, read: usize) -> &[u8] {
    &window[..read.min(want)]
}
