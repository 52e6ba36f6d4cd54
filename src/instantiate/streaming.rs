//! The blocking [`instantiate_streaming`]: read into a fixed window, feed,
//! link, repeat.

use wasmi::AsContextMut;

use super::{Instantiated, StreamingLink};
use crate::compile::{CompileOptions, DEFAULT_WINDOW_BYTES, DriverParts, stream_into};
use crate::control::{Abort, Progress};
use crate::error::Error;
use crate::link::Imports;
use crate::source::{Source, SourceError};
use crate::staging::Staging;

/// The JS API's `WebAssembly.instantiateStreaming(source, importObject)`:
/// compiles the module while it arrives (as
/// [`compile_streaming`](crate::compile_streaming), with `imports`' engine),
/// then instantiates it in `store` as [`instantiate`](crate::instantiate) does.
///
/// This is the MDN example, in Rust:
///
/// ```
/// use wasmstream::wasmi::Store;
/// use wasmstream::{Config, Imports, Instantiated, instantiate_streaming};
///
/// let engine = Config::new().engine();
/// let mut store = Store::new(&engine, ());
/// let mut imports = Imports::new(&engine);
/// imports.func_wrap("my_namespace", "imported_func", |arg: i32| println!("{arg}"));
///
/// let wasm = wat::parse_str(r#"(module
///     (import "my_namespace" "imported_func" (func $imported_func (param i32)))
///     (func (export "exported_func") (call $imported_func (i32.const 42))))"#)?;
/// let Instantiated { instance, .. } = instantiate_streaming(&mut store, &wasm[..], &imports)?;
/// instance.get_typed_func::<(), ()>(&store, "exported_func")?.call(&mut store, ())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// In the JS API's order: [`Error::Type`] for a bad source,
/// [`Error::Compile`] for a bad module, then the errors of [`instantiate`](crate::instantiate)
/// (a store of another engine than `imports` is a TypeError, checked before reading);
/// [`Error::Io`] if the reader fails. Reading stops at the first error.
///
/// # Panics
///
/// As [`instantiate`](crate::instantiate): only if a definition in `imports`
/// lives in another store. A store of another engine than `imports` is
/// [`TypeError::ImportsEngineMismatch`](crate::TypeError::ImportsEngineMismatch).
pub fn instantiate_streaming<T: 'static, S: Source>(
    store: impl AsContextMut<Data = T>,
    source: S,
    imports: &Imports<T>,
) -> Result<Instantiated, Error<SourceError<S>>> {
    instantiate_streaming_with(store, source, imports, CompileOptions::new())
}

/// [`instantiate_streaming`] with a chosen read window, size hint, staging
/// and, if asked, the early link check (see [`CompileOptions`]).
///
/// ```
/// use wasmstream::wasmi::Store;
/// use wasmstream::{CompileOptions, Config, Error, Imports, instantiate_streaming_with};
///
/// let engine = Config::new().engine();
/// let mut store = Store::new(&engine, ());
/// let imports = Imports::new(&engine); // no "env" namespace
/// let wasm = wat::parse_str(r#"(module (import "env" "f" (func)) (func (export "g")))"#)?;
///
/// let options = CompileOptions::new().early_link_check(true);
/// let error = instantiate_streaming_with(&mut store, &wasm[..], &imports, options).unwrap_err();
/// assert!(matches!(error, Error::Type(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`instantiate_streaming`]; with the early link check, a Type or Link
/// error is reported as soon as the import section has arrived.
///
/// # Panics
///
/// As [`instantiate_streaming`].
pub fn instantiate_streaming_with<T: 'static, S: Source, U: Staging, P: Progress, A: Abort>(
    store: impl AsContextMut<Data = T>,
    source: S,
    imports: &Imports<T>,
    options: CompileOptions<'_, U, P, A>,
) -> Result<Instantiated, Error<SourceError<S>>> {
    let length = source.known_length();
    let DriverParts {
        window,
        compiler,
        early_link_check,
        mut controls,
    } = options.into_parts(imports.engine(), length);
    let (mut link, mut compiler) =
        StreamingLink::new(store.as_context(), imports, compiler, early_link_check)?;
    let mut default_window = [0u8; DEFAULT_WINDOW_BYTES];
    let window = window.unwrap_or(&mut default_window);
    let mut body = source.into_checked_body()?;
    stream_into(
        &mut body,
        &mut compiler,
        window,
        &mut controls,
        S::read_error,
        &mut |compiler| link.after_feed(compiler, store.as_context()),
    )?;
    link.finish(store, compiler, || controls.verify())
}
