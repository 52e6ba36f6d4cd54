//! [`instantiate`] and [`instantiate_streaming`]: the JS API's
//! `WebAssembly.instantiate(module, importObject)` and
//! `WebAssembly.instantiateStreaming(source, importObject)`.

mod streaming;
#[cfg(feature = "async")]
mod streaming_async;

use alloc::vec::Vec;
use core::convert::Infallible;

use wasmi::errors::{ErrorKind, InstantiationError};
use wasmi::{AsContext, AsContextMut, Instance, Module, TrapCode};

pub use streaming::{instantiate_streaming, instantiate_streaming_with};
#[cfg(feature = "async")]
pub use streaming_async::{instantiate_streaming_async, instantiate_streaming_with_async};

use crate::compile::StreamingCompiler;
use crate::error::link_error::ExternKind;
use crate::error::{Error, RuntimeError};
use crate::link::Imports;
use crate::staging::Staging;

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
/// import in wasmi's order: functions, tables, memories, globals, see
/// above), [`Error::Runtime`] if an active segment is out
/// of bounds or the start function traps (segments written before stay
/// written), or if the instance breaks a limit of the store's resource
/// limiter or runs out of fuel ([`RuntimeError::limit_exceeded`]).
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

pub(crate) fn instantiate_module<T: 'static, E>(
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

/// What the streaming drivers do around the compiler: record the import
/// section's order (wasmi's module forgets it, and the JS API numbers
/// imports by it) and, if asked, check the imports as soon as they are
/// declared.
pub(crate) struct StreamingLink<'i, T> {
    imports: &'i Imports<T>,
    module_order: Option<Vec<ExternKind>>,
}

impl<'i, T: 'static> StreamingLink<'i, T> {
    /// Prepares `compiler` (built for `imports`' engine) to record what
    /// linking needs.
    ///
    /// # Panics
    ///
    /// If `store` belongs to another engine than `imports`.
    pub(crate) fn new<S: Staging>(
        store: impl AsContext<Data = T>,
        imports: &'i Imports<T>,
        compiler: StreamingCompiler<S>,
        early_link_check: bool,
    ) -> (Self, StreamingCompiler<S>) {
        assert!(
            wasmi::Engine::same(store.as_context().engine(), imports.engine()),
            "instantiate_streaming: the store and the import object belong to different engines"
        );
        let mut compiler = compiler.with_import_kinds();
        if early_link_check {
            compiler = compiler.with_import_declarations();
        }
        let link = StreamingLink {
            imports,
            module_order: None,
        };
        (link, compiler)
    }

    /// Called after each read: once the import section has arrived, keeps
    /// its order and runs the early link check if it was asked for.
    pub(crate) fn after_feed<E, S: Staging>(
        &mut self,
        compiler: &StreamingCompiler<S>,
        store: impl AsContext<Data = T>,
    ) -> Result<(), Error<E>> {
        if self.module_order.is_none()
            && let Some(kinds) = compiler.import_kinds()
        {
            self.module_order = Some(kinds.to_vec());
            if let Some(declarations) = compiler.import_declarations() {
                self.imports.check_declarations(store, declarations)?;
            }
        }
        Ok(())
    }

    /// Finishes compiling and instantiates.
    pub(crate) fn finish<E, S: Staging>(
        self,
        store: impl AsContextMut<Data = T>,
        compiler: StreamingCompiler<S>,
    ) -> Result<Instantiated, Error<E>> {
        let module = compiler.finish()?;
        let instance =
            instantiate_module(store, &module, self.imports, self.module_order.as_deref())?;
        Ok(Instantiated { module, instance })
    }
}
