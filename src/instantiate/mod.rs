//! [`instantiate`] and [`instantiate_streaming`]: the JS API's
//! `WebAssembly.instantiate(module, importObject)` and
//! `WebAssembly.instantiateStreaming(source, importObject)`.

mod module;
mod streaming;
#[cfg(feature = "async")]
mod streaming_async;

use wasmi::errors::{ErrorKind, InstantiationError};
use wasmi::{AsContext, AsContextMut, Instance, TrapCode};

pub use module::{Module, ModuleImports};
pub use streaming::{instantiate_streaming, instantiate_streaming_with};
#[cfg(feature = "async")]
pub use streaming_async::{instantiate_streaming_async, instantiate_streaming_with_async};

use crate::compile::StreamingCompiler;
use crate::error::{Error, RuntimeError, TypeError};
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
/// imports of `module` from `imports`, in the import section's order as the
/// JS API does, then instantiates it in `store` and runs its start
/// function. A module can be instantiated any number of times, in one store
/// or many.
///
/// Before wasmi allocates anything, the initial size of every memory and
/// table the module defines, and how many it defines, are held against the
/// engine's [`ResourceLimits`](crate::ResourceLimits), whether or not the
/// store has a resource limiter; growth and the store-wide counts are
/// bounded only by a limiter (see [`ResourceLimits`](crate::ResourceLimits)).
///
/// `instantiate` reads nothing, so the reader error `E` of its [`Error`] is
/// the caller's choice: `?` works in a function that also calls
/// [`compile_streaming`](crate::compile_streaming) over a reader. Where
/// nothing fixes `E`, name it: `instantiate::<_, Infallible>(…)`.
///
/// ```
/// use core::convert::Infallible;
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
/// let instance = instantiate::<_, Infallible>(&mut store, &module, &imports)?;
/// let next = instance.get_typed_func::<(), i32>(&store, "next")?;
/// assert_eq!(next.call(&mut store, ())?, 42);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::Type`] if `module` was compiled for another engine than
/// `store`'s ([`TypeError::ModuleEngineMismatch`]) or `imports` belongs to
/// another engine ([`TypeError::ImportsEngineMismatch`]), or if an import's
/// namespace is missing; [`Error::Link`] if an import is missing or of the
/// wrong kind or type (the first failing import in the import section);
/// [`Error::Runtime`] if a memory or table the module defines starts larger
/// than the engine's limits allow, or the module defines more of them
/// ([`RuntimeError::limit_exceeded`]), if an active segment is out of bounds
/// or the start function traps (segments written before stay written), or
/// if the instance breaks a limit of the store's resource limiter or runs
/// out of fuel.
///
/// A TypeError, not a LinkError, for an engine mismatch: the JS API throws
/// a TypeError when an argument is not something the call accepts (a first
/// argument that is not a `WebAssembly.Module` of this agent, an
/// `importObject` that is not an object), before any import is read;
/// LinkError means one import did not match its declaration.
///
/// # Panics
///
/// If a definition in `imports` lives in another store than `store`
/// (wasmi's rule; wasmi offers no way to ask which store owns an item).
pub fn instantiate<T: 'static, E>(
    store: impl AsContextMut<Data = T>,
    module: &Module,
    imports: &Imports<T>,
) -> Result<Instance, Error<E>> {
    instantiate_module(store, module, imports)
}

pub(crate) fn instantiate_module<T: 'static, E>(
    mut store: impl AsContextMut<Data = T>,
    module: &Module,
    imports: &Imports<T>,
) -> Result<Instance, Error<E>> {
    check_engine(store.as_context(), imports)?;
    if !wasmi::Engine::same(store.as_context().engine(), module.engine()) {
        return Err(Error::Type(TypeError::ModuleEngineMismatch));
    }
    let externs = imports.resolve_module(&mut store, module)?;
    module.check_declared(&imports.engine().resource_limits())?;
    Instance::new(&mut store, module.wasmi(), &externs)
        .map_err(|e| Error::Runtime(runtime_error(e)))
}

/// `imports` must belong to `store`'s engine: modules are compiled with its
/// engine and its resource limits are the ones enforced.
fn check_engine<T, E>(
    store: impl AsContext<Data = T>,
    imports: &Imports<T>,
) -> Result<(), Error<E>> {
    if wasmi::Engine::same(store.as_context().engine(), imports.engine()) {
        Ok(())
    } else {
        Err(Error::Type(TypeError::ImportsEngineMismatch))
    }
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

/// What the streaming drivers do around the compiler: if asked, check the
/// imports as soon as they are declared.
pub(crate) struct StreamingLink<'i, T> {
    imports: &'i Imports<T>,
    checked: bool,
}

impl<'i, T: 'static> StreamingLink<'i, T> {
    /// Prepares `compiler` (built for `imports`' engine) to record what
    /// linking needs.
    ///
    /// # Errors
    ///
    /// [`TypeError::ImportsEngineMismatch`] if `store` belongs to another
    /// engine than `imports`.
    pub(crate) fn new<E, S: Staging>(
        store: impl AsContext<Data = T>,
        imports: &'i Imports<T>,
        compiler: StreamingCompiler<S>,
        early_link_check: bool,
    ) -> Result<(Self, StreamingCompiler<S>), Error<E>> {
        check_engine(store, imports)?;
        let mut compiler = compiler;
        if early_link_check {
            compiler = compiler.with_import_declarations();
        }
        let link = StreamingLink {
            imports,
            checked: false,
        };
        Ok((link, compiler))
    }

    /// Called after each read: once the import section has arrived, runs
    /// the early link check if it was asked for.
    pub(crate) fn after_feed<E, S: Staging>(
        &mut self,
        compiler: &StreamingCompiler<S>,
        store: impl AsContext<Data = T>,
    ) -> Result<(), Error<E>> {
        if !self.checked
            && let Some(declarations) = compiler.import_declarations()
        {
            self.checked = true;
            self.imports.check_declarations(store, declarations)?;
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
        let instance = instantiate_module(store, &module, self.imports)?;
        Ok(Instantiated { module, instance })
    }
}
