//! The async driver, twin of the blocking one: read into a fixed window,
//! feed, repeat — with `embedded_io_async::Read`.

use embedded_io_async::Read;

use super::body_room::{RoomEnd, RoomRun, reads_into_room, room_to_open};
use super::driver::{DEFAULT_WINDOW_BYTES, filled, usable_window};
use super::options::DriverParts;
use super::read_controls::ReadControls;
use super::{CompileOptions, StreamingCompiler};
use crate::config::Engine;
use crate::control::{Abort, Progress, yield_now};
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
/// Dropping the future is the abort of async code (the role of the JS
/// API's `AbortSignal`): at any await point it stops reading and frees
/// everything the load holds; nothing is built. The
/// [`abort`](CompileOptions::abort) condition is checked before each read
/// as in the blocking driver.
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
pub async fn compile_streaming_with_async<S: AsyncSource, T: Staging, P: Progress, A: Abort>(
    engine: &Engine,
    source: S,
    options: CompileOptions<'_, T, P, A>,
) -> Result<Module, Error<AsyncSourceError<S>>> {
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
    stream_into_async(
        &mut body,
        &mut compiler,
        window,
        &mut controls,
        S::read_error,
        |_| Ok(()),
    )
    .await?;
    compiler.finish_verified(|| controls.verify())
}

/// The async twin of the blocking drivers' read loop. It checks the abort
/// condition before each read as they do, and yields to the executor before
/// retrying an interrupted read.
pub(crate) async fn stream_into_async<R: Read, T: Staging, P: Progress, A: Abort>(
    body: &mut R,
    compiler: &mut StreamingCompiler<T>,
    window: &mut [u8],
    controls: &mut ReadControls<P, A>,
    read_error: fn(R::Error) -> Error<R::Error>,
    mut after_feed: impl FnMut(&StreamingCompiler<T>) -> Result<(), Error<R::Error>>,
) -> Result<(), Error<R::Error>> {
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
            let start = compiler.consumed();
            let room = room_to_open(room, window.len());
            let into = compiler.open_body_room(room);
            let (received, rest) =
                read_into_room_async(body, into, window.len(), &mut short, controls, start).await;
            compiler.close_body_room(room, received);
            match rest {
                RoomEnd::Done => continue,
                RoomEnd::Aborted => return Err(Error::Abort),
                RoomEnd::Read(result) => result,
            }
        } else {
            body.read(&mut window[..want]).await
        };
        match controls.read_outcome(result, compiler.consumed(), read_error)? {
            None => {
                // `Interrupted` means "try again now": give other tasks a
                // turn first, so a reader that keeps saying it cannot
                // starve the executor.
                yield_now().await;
                continue;
            }
            Some(0) => return Ok(()),
            Some(read) => {
                short = read < want;
                controls.feed(compiler, filled(window, want, read))?;
            }
        }
        after_feed(compiler)?;
    }
}

/// The async twin of the blocking drivers' reads into a body room. A future
/// dropped at an `.await` here leaves the room open, which is harmless:
/// every load's future owns its compiler, and drops it too.
async fn read_into_room_async<R: Read, P: Progress, A: Abort>(
    body: &mut R,
    room: &mut [u8],
    max_read: usize,
    short: &mut bool,
    controls: &mut ReadControls<P, A>,
    start: u64,
) -> (usize, RoomEnd<R::Error>) {
    let mut run = RoomRun::new(room, max_read, *short, start);
    let end = loop {
        let result = body.read(run.slot()).await;
        if let Some(end) = run.took(result, controls) {
            break end;
        }
    };
    let (received, last_short) = run.ended();
    *short = last_short;
    (received, end)
}
