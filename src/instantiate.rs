//! [`instantiate`] and [`instantiate_streaming`]: the JS API's
//! `WebAssembly.instantiate(module, importObject)` and
//! `WebAssembly.instantiateStreaming(source, importObject)`.

use alloc::vec::Vec;
use core::convert::Infallible;

use wasmi::errors::{ErrorKind, InstantiationError};
use wasmi::{AsContextMut, Instance, Module, TrapCode};

use crate::compile::{DEFAULT_WINDOW_BYTES, StreamingCompiler, drive};
use crate::error::{Error, RuntimeError};
use crate::link::Imports;
use crate::link_error::ExternKind;
use crate::source::{Source, SourceError};

/// What [`instantiate_streaming`] returns: the compiled module and its first
/// instance (the JS API's `WebAssemblyInstantiatedSource`). The module can be
/// instantiated again with [`instantiate`].
#[derive(Debug)]
pub struct Instantiated {
    /// The compiled module.
    pub module: Module,
    /// The instance, its start function run.
    pub instance: Instance,
}

/// How [`instantiate_streaming_with`] reads and when it links.
///
/// ```
/// use wasmstream::InstantiateOptions;
///
/// let mut window = [0u8; 256];
/// let options = InstantiateOptions::new().window(&mut window).early_link_check(true);
/// # drop(options);
/// ```
#[derive(Debug, Default)]
pub struct InstantiateOptions<'w> {
    window: Option<&'w mut [u8]>,
    early_link_check: bool,
}

impl<'w> InstantiateOptions<'w> {
    /// The defaults: a [`DEFAULT_WINDOW_BYTES`] window on the stack, no early
    /// link check.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads through `window` (an empty window reads one byte at a time).
    #[must_use]
    pub fn window(mut self, window: &'w mut [u8]) -> Self {
        self.window = Some(window);
        self
    }

    /// Checks the imports as soon as the import section has arrived and
    /// stops reading at once on a missing namespace (`Error::Type`) or an
    /// import that cannot link (`Error::Link`), so a module that can never
    /// run is not downloaded to its end.
    ///
    /// Off by default: the JS API reports a `CompileError` anywhere in the
    /// module before any `LinkError`, and with the check on a module that is
    /// both unlinkable and invalid further on reports the `LinkError`.
    #[must_use]
    pub fn early_link_check(mut self, enable: bool) -> Self {
        self.early_link_check = enable;
        self
    }
}

/// The JS API's `WebAssembly.instantiate(module, importObject)`: reads the
/// imports of `module` from `imports`, then instantiates it in `store` and
/// runs its start function. A module can be instantiated any number of
/// times, in one store or many.
///
/// Import numbering: a `wasmi::Module` keeps its imports grouped by kind, so
/// `instantiate` reads them, and numbers them in errors, in that order —
/// functions, tables, memories, globals, each in module order. Where a
/// module mixes kinds, this differs from the import section's order, which
/// [`instantiate_streaming`] (having seen the import section) uses, as the
/// JS API does.
///
/// ```
/// use wasmstream::wasmi::Store;
/// use wasmstream::{Config, Imports, compile_streaming, instantiate};
///
/// let engine = Config::new().engine();
/// let wasm = wat::parse_str(r#"(module
///     (import "env" "base" (func $base (result i32)))
///     (func (export "next") (result i32) (i32.add (call $base) (i32.const 1))))"#)?;
/// let module = compile_streaming(&engine, &wasm[..])?;
/// let mut imports = Imports::new(&engine);
/// imports.func_wrap("env", "base", || 41);
///
/// let mut store = Store::new(&engine, ());
/// let instance = instantiate(&mut store, &module, &imports)?;
/// let next = instance.get_typed_func::<(), i32>(&store, "next")?;
/// assert_eq!(next.call(&mut store, ())?, 42);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::Type`] if an import's namespace is missing, [`Error::Link`] if
/// an import is missing or of the wrong kind or type (the first failing
/// import, in module order), [`Error::Runtime`] if an active segment is out
/// of bounds or the start function traps (segments written before stay
/// written).
///
/// # Panics
///
/// If `module` was compiled for another engine than `store`'s, or a
/// definition in `imports` lives in another store (wasmi's rules).
pub fn instantiate<T: 'static>(
    store: impl AsContextMut<Data = T>,
    module: &Module,
    imports: &Imports<T>,
) -> Result<Instance, Error<Infallible>> {
    instantiate_module(store, module, imports, None)
}

/// The JS API's `WebAssembly.instantiateStreaming(source, importObject)`:
/// compiles the module while it arrives (as
/// [`compile_streaming`](crate::compile_streaming), with `imports`' engine),
/// then instantiates it in `store` as [`instantiate`] does.
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
/// [`Error::Compile`] for a bad module, then the errors of [`instantiate`];
/// [`Error::Io`] if the reader fails. Reading stops at the first error.
///
/// # Panics
///
/// If `store` belongs to another engine than `imports`, or as
/// [`instantiate`].
pub fn instantiate_streaming<T: 'static, S: Source>(
    store: impl AsContextMut<Data = T>,
    source: S,
    imports: &Imports<T>,
) -> Result<Instantiated, Error<SourceError<S>>> {
    instantiate_streaming_with(store, source, imports, InstantiateOptions::new())
}

/// [`instantiate_streaming`] with a chosen read window and, if asked, the
/// early link check (see [`InstantiateOptions`]).
///
/// ```
/// use wasmstream::wasmi::Store;
/// use wasmstream::{Config, Error, Imports, InstantiateOptions, instantiate_streaming_with};
///
/// let engine = Config::new().engine();
/// let mut store = Store::new(&engine, ());
/// let imports = Imports::new(&engine); // no "env" namespace
/// let wasm = wat::parse_str(r#"(module (import "env" "f" (func)) (func (export "g")))"#)?;
///
/// let options = InstantiateOptions::new().early_link_check(true);
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
pub fn instantiate_streaming_with<T: 'static, S: Source>(
    mut store: impl AsContextMut<Data = T>,
    source: S,
    imports: &Imports<T>,
    options: InstantiateOptions<'_>,
) -> Result<Instantiated, Error<SourceError<S>>> {
    assert!(
        wasmi::Engine::same(store.as_context().engine(), imports.engine()),
        "instantiate_streaming: the store and the import object belong to different engines"
    );
    let mut default_window = [0u8; DEFAULT_WINDOW_BYTES];
    let window = options.window.unwrap_or(&mut default_window);
    let mut compiler = StreamingCompiler::new(imports.engine()).with_import_kinds();
    if options.early_link_check {
        compiler = compiler.with_import_declarations();
    }
    // wasmi's module forgets the import section's order; keep it to number
    // imports as the JS API does.
    let mut module_order: Option<Vec<ExternKind>> = None;
    let module = drive(compiler, source, window, |compiler| {
        if module_order.is_none()
            && let Some(kinds) = compiler.import_kinds()
        {
            module_order = Some(kinds.to_vec());
            if let Some(declarations) = compiler.import_declarations() {
                imports.check_declarations(store.as_context(), declarations)?;
            }
        }
        Ok(())
    })?;
    let instance = instantiate_module(&mut store, &module, imports, module_order.as_deref())?;
    Ok(Instantiated { module, instance })
}

fn instantiate_module<T: 'static, E>(
    mut store: impl AsContextMut<Data = T>,
    module: &Module,
    imports: &Imports<T>,
    module_order: Option<&[ExternKind]>,
) -> Result<Instance, Error<E>> {
    assert!(
        wasmi::Engine::same(store.as_context().engine(), module.engine()),
        "instantiate: the module was compiled for another engine than the store's"
    );
    let externs = imports.resolve_module(&mut store, module, module_order)?;
    Instance::new(&mut store, module, &externs).map_err(|e| Error::Runtime(runtime_error(e)))
}

/// Instantiation failures after linking are the JS API's RuntimeError. An
/// element segment out of bounds is reported by wasmi as an instantiation
/// error; it is the trap `TableOutOfBounds`, as for a data segment.
fn runtime_error(error: wasmi::Error) -> RuntimeError {
    if let ErrorKind::Instantiation(InstantiationError::ElementSegmentDoesNotFit { .. }) =
        error.kind()
    {
        return RuntimeError::new(wasmi::Error::from(TrapCode::TableOutOfBounds));
    }
    RuntimeError::new(error)
}
