//! The import object: [`Imports`], its [`Namespace`]s and their
//! [`Definition`]s, and the JS API's "read the imports" that resolves a
//! module's imports against them.

mod host_func;
mod name_map;
mod resolve;

use core::fmt;

use wasmi::{AsContext, Caller, Extern, Func, FuncType, Global, Instance, Memory, Table, Val};

pub use host_func::{HostFunc, IntoHostFunc, WithCaller};

use crate::config::Engine;
use name_map::NameMap;

/// One item of an import object: a store-independent host function, or a
/// function, memory, table or global that already lives in a store.
///
/// Items that live in a store may only be used with that store (wasmi
/// panics otherwise); host functions work with any store of the engine.
///
/// ```
/// use wasmstream::wasmi::{Memory, MemoryType, Store};
/// use wasmstream::{Config, Definition, HostFunc};
///
/// let engine = Config::new().engine();
/// let mut store = Store::new(&engine, ());
/// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
/// let items: [Definition<()>; 2] = [memory.into(), HostFunc::wrap(|x: i32| x + 1).into()];
/// assert!(matches!(items[1], Definition::Func(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub enum Definition<T> {
    /// A host function, made in the store at instantiation.
    Func(HostFunc<T>),
    /// An item living in one store.
    Extern(Extern),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Func(func) => Definition::Func(func.clone()),
            Definition::Extern(item) => Definition::Extern(*item),
        }
    }
}

impl<T> fmt::Debug for Definition<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Definition::Func(func) => f.debug_tuple("Func").field(func).finish(),
            Definition::Extern(item) => f.debug_tuple("Extern").field(item).finish(),
        }
    }
}

impl<T> From<HostFunc<T>> for Definition<T> {
    fn from(func: HostFunc<T>) -> Self {
        Definition::Func(func)
    }
}

impl<T> From<Extern> for Definition<T> {
    fn from(item: Extern) -> Self {
        Definition::Extern(item)
    }
}

impl<T> From<Func> for Definition<T> {
    fn from(func: Func) -> Self {
        Definition::Extern(Extern::Func(func))
    }
}

impl<T> From<Memory> for Definition<T> {
    fn from(memory: Memory) -> Self {
        Definition::Extern(Extern::Memory(memory))
    }
}

impl<T> From<Table> for Definition<T> {
    fn from(table: Table) -> Self {
        Definition::Extern(Extern::Table(table))
    }
}

impl<T> From<Global> for Definition<T> {
    fn from(global: Global) -> Self {
        Definition::Extern(Extern::Global(global))
    }
}

/// One namespace of an import object (the `env` in `{ env: { … } }`):
/// name → [`Definition`]. Defining a name again replaces it, as assigning a
/// property does in JS.
///
/// ```
/// use wasmstream::{Imports, Namespace};
///
/// let mut env = Namespace::<()>::new();
/// env.func_wrap("double", |x: i32| x * 2).func_wrap("negate", |x: i32| -x);
/// assert_eq!(env.len(), 2);
///
/// let mut imports = Imports::new(&wasmstream::Config::new().engine());
/// imports.define_namespace("env", env);
/// assert!(imports.get("env", "negate").is_some());
/// ```
pub struct Namespace<T> {
    items: NameMap<Definition<T>>,
}

impl<T> Default for Namespace<T> {
    fn default() -> Self {
        Namespace {
            items: NameMap::default(),
        }
    }
}

impl<T> Clone for Namespace<T> {
    fn clone(&self) -> Self {
        Namespace {
            items: self.items.clone(),
        }
    }
}

impl<T> fmt::Debug for Namespace<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.items.iter()).finish()
    }
}

impl<T> Namespace<T> {
    /// An empty namespace.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Defines `name`, replacing any earlier definition.
    pub fn define(&mut self, name: &str, item: impl Into<Definition<T>>) -> &mut Self {
        self.items.insert(name, item.into());
        self
    }

    /// The definition of `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Definition<T>> {
        self.items.get(name)
    }

    /// Removes `name`, returning its definition.
    pub fn remove(&mut self, name: &str) -> Option<Definition<T>> {
        self.items.remove(name)
    }

    /// How many names are defined.
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no name is defined.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The definitions, by name in byte order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Definition<T>)> {
        self.items.iter()
    }
}

impl<T: 'static> Namespace<T> {
    /// Defines `name` as a host function from a typed closure (see
    /// [`HostFunc::wrap`]).
    pub fn func_wrap<Params, Results>(
        &mut self,
        name: &str,
        func: impl IntoHostFunc<T, Params, Results>,
    ) -> &mut Self {
        self.define(name, HostFunc::wrap(func))
    }

    /// Defines `name` as a host function with an explicit signature (see
    /// [`HostFunc::new`]).
    pub fn func_new(
        &mut self,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), wasmi::Error>
        + Send
        + Sync
        + 'static,
    ) -> &mut Self {
        self.define(name, HostFunc::new(ty, func))
    }
}

impl<T, N: AsRef<str>, D: Into<Definition<T>>> FromIterator<(N, D)> for Namespace<T> {
    fn from_iter<I: IntoIterator<Item = (N, D)>>(iter: I) -> Self {
        let mut namespace = Namespace::new();
        for (name, item) in iter {
            namespace.define(name.as_ref(), item);
        }
        namespace
    }
}

/// The import object: namespace → name → [`Definition`], what the JS API
/// passes as `importObject`.
///
/// Host functions are kept independent of any store, so one `Imports`
/// instantiates modules in many stores of its engine. Resolution follows
/// the JS API's "read the imports", in module import order: a missing
/// namespace is a [`TypeError`](crate::TypeError), a missing name or an item
/// of the wrong kind or type a [`LinkError`](crate::LinkError); the first
/// failing import is reported.
///
/// The engine is the one modules are compiled with by
/// [`instantiate_streaming`](crate::instantiate_streaming) (a wasmi store
/// does not reveal its engine's Wasm features), as with wasmi's `Linker`.
///
/// ```
/// use wasmstream::wasmi::{Memory, MemoryType, Store};
/// use wasmstream::{Config, Imports, instantiate};
///
/// let engine = Config::new().engine();
/// let mut store = Store::new(&engine, ());
/// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
///
/// let mut imports = Imports::new(&engine);
/// imports
///     .func_wrap("env", "log", |x: i32| println!("log {x}"))
///     .define("env", "memory", memory);
///
/// let wasm = wat::parse_str(r#"(module
///     (import "env" "log" (func $log (param i32)))
///     (import "env" "memory" (memory 1))
///     (func (export "run") (call $log (i32.const 7))))"#)?;
/// let module = wasmstream::compile_streaming(&engine, &wasm[..])?;
/// let instance = instantiate::<_, core::convert::Infallible>(&mut store, &module, &imports)?;
/// instance.get_typed_func::<(), ()>(&store, "run")?.call(&mut store, ())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Imports<T> {
    engine: Engine,
    namespaces: NameMap<Namespace<T>>,
}

impl<T> Clone for Imports<T> {
    fn clone(&self) -> Self {
        Imports {
            engine: self.engine.clone(),
            namespaces: self.namespaces.clone(),
        }
    }
}

impl<T> fmt::Debug for Imports<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.namespaces.iter()).finish()
    }
}

impl<T> Imports<T> {
    /// An empty import object for modules of `engine`.
    #[must_use]
    pub fn new(engine: &Engine) -> Self {
        Imports {
            engine: engine.clone(),
            namespaces: NameMap::default(),
        }
    }

    /// The engine modules are compiled with.
    #[must_use]
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Defines `module`.`name`, replacing any earlier definition and
    /// creating the namespace if needed.
    pub fn define(
        &mut self,
        module: &str,
        name: &str,
        item: impl Into<Definition<T>>,
    ) -> &mut Self {
        self.namespace_mut(module).define(name, item);
        self
    }

    /// Sets the whole namespace `module` at once, replacing any earlier one.
    pub fn define_namespace(&mut self, module: &str, namespace: Namespace<T>) -> &mut Self {
        self.namespaces.insert(module, namespace);
        self
    }

    /// Sets namespace `module` to every export of `instance`, replacing any
    /// earlier namespace (what the spec tests' `register` does). The exports
    /// live in the instance's store.
    ///
    /// # Panics
    ///
    /// If `store` does not own `instance` (wasmi's rule).
    pub fn define_instance(
        &mut self,
        store: impl AsContext<Data = T>,
        module: &str,
        instance: Instance,
    ) -> &mut Self {
        let namespace = instance
            .exports(store.as_context())
            .map(|export| (export.name(), export.into_extern()))
            .collect();
        self.define_namespace(module, namespace)
    }

    /// The namespace `module`, created empty if missing.
    pub fn namespace_mut(&mut self, module: &str) -> &mut Namespace<T> {
        self.namespaces.get_or_insert_default(module)
    }

    /// The namespace `module`.
    #[must_use]
    pub fn namespace(&self, module: &str) -> Option<&Namespace<T>> {
        self.namespaces.get(module)
    }

    /// The definition of `module`.`name`.
    #[must_use]
    pub fn get(&self, module: &str, name: &str) -> Option<&Definition<T>> {
        self.namespace(module)?.get(name)
    }

    /// Removes the namespace `module`, returning it.
    pub fn remove_namespace(&mut self, module: &str) -> Option<Namespace<T>> {
        self.namespaces.remove(module)
    }

    /// The namespaces, by name in byte order.
    pub fn namespaces(&self) -> impl Iterator<Item = (&str, &Namespace<T>)> {
        self.namespaces.iter()
    }
}

impl<T: 'static> Imports<T> {
    /// Defines `module`.`name` as a host function from a typed closure (see
    /// [`HostFunc::wrap`]).
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoHostFunc<T, Params, Results>,
    ) -> &mut Self {
        self.define(module, name, HostFunc::wrap(func))
    }

    /// Defines `module`.`name` as a host function with an explicit signature
    /// (see [`HostFunc::new`]).
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), wasmi::Error>
        + Send
        + Sync
        + 'static,
    ) -> &mut Self {
        self.define(module, name, HostFunc::new(ty, func))
    }
}
