//! The async twin of [`instantiate_streaming`](crate::instantiate_streaming),
//! for `embedded_io_async::Read` sources.

use wasmi::AsContextMut;

use super::{InstantiateOptions, Instantiated, StreamingLink};
use crate::compile::{DEFAULT_WINDOW_BYTES, stream_into_async};
use crate::error::Error;
use crate::link::Imports;
use crate::source::{AsyncSource, AsyncSourceError};

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
    instantiate_streaming_with_async(store, source, imports, InstantiateOptions::new()).await
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
pub async fn instantiate_streaming_with_async<T: 'static, S: AsyncSource>(
    store: impl AsContextMut<Data = T>,
    source: S,
    imports: &Imports<T>,
    options: InstantiateOptions<'_>,
) -> Result<Instantiated, Error<AsyncSourceError<S>>> {
    let mut default_window = [0u8; DEFAULT_WINDOW_BYTES];
    let window = options.window.unwrap_or(&mut default_window);
    let (mut link, mut compiler) =
        StreamingLink::new(store.as_context(), imports, options.early_link_check)?;
    if let Some(bytes) = options.module_size {
        compiler.reserve(bytes);
    }
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
