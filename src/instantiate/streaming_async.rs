//! The async twin of [`instantiate_streaming`](crate::instantiate_streaming),
//! for `embedded_io_async::Read` sources.

use wasmi::AsContextMut;

use super::{Instantiated, StreamingLink};
use crate::compile::{CompileOptions, DEFAULT_WINDOW_BYTES, stream_into_async};
use crate::error::Error;
use crate::link::Imports;
use crate::source::{AsyncSource, AsyncSourceError};
use crate::staging::Staging;

/// The async twin of [`instantiate_streaming`](crate::instantiate_streaming),
/// for `embedded_io_async::Read` sources (an embassy TCP socket, a DMA UART).
///
/// ```
/// use wasmstream::wasmi::Store;
/// use wasmstream::{Config, Imports, instantiate_streaming_async};
///
/// let engine = Config::new().engine();
/// let mut store = Store::new(&engine, ());
/// let mut imports = Imports::new(&engine);
/// imports.func_wrap("env", "answer", || 42i32);
/// let wasm = wat::parse_str(r#"(module
///     (import "env" "answer" (func $answer (result i32)))
///     (func (export "get") (result i32) (call $answer)))"#)?;
/// let instantiated =
///     embassy_futures::block_on(instantiate_streaming_async(&mut store, &wasm[..], &imports))?;
/// let get = instantiated.instance.get_typed_func::<(), i32>(&store, "get")?;
/// assert_eq!(get.call(&mut store, ())?, 42);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`instantiate_streaming`](crate::instantiate_streaming).
///
/// # Panics
///
/// As [`instantiate_streaming`](crate::instantiate_streaming).
pub async fn instantiate_streaming_async<T: 'static, S: AsyncSource>(
    store: impl AsContextMut<Data = T>,
    source: S,
    imports: &Imports<T>,
) -> Result<Instantiated, Error<AsyncSourceError<S>>> {
    instantiate_streaming_with_async(store, source, imports, CompileOptions::new()).await
}

/// The async twin of
/// [`instantiate_streaming_with`](crate::instantiate_streaming_with).
///
/// # Errors
///
/// As [`instantiate_streaming_with`](crate::instantiate_streaming_with).
///
/// # Panics
///
/// As [`instantiate_streaming`](crate::instantiate_streaming).
pub async fn instantiate_streaming_with_async<T: 'static, S: AsyncSource, U: Staging>(
    store: impl AsContextMut<Data = T>,
    source: S,
    imports: &Imports<T>,
    options: CompileOptions<'_, U>,
) -> Result<Instantiated, Error<AsyncSourceError<S>>> {
    let length = source.known_length();
    let (window, compiler, early_link_check) = options.into_parts(imports.engine(), length);
    let (mut link, mut compiler) =
        StreamingLink::new(store.as_context(), imports, compiler, early_link_check)?;
    let mut default_window = [0u8; DEFAULT_WINDOW_BYTES];
    let window = window.unwrap_or(&mut default_window);
    let mut body = source.into_checked_body()?;
    stream_into_async(
        &mut body,
        &mut compiler,
        window,
        S::read_error,
        |compiler| link.after_feed(compiler, store.as_context()),
    )
    .await?;
    link.finish(store, compiler)
}
