//! [`ResourceLimits`]: what the instances in one store may allocate, for
//! running untrusted modules; enforced by wasmi's [`StoreLimits`].

use wasmi::{StoreLimits, StoreLimitsBuilder};

use super::Config;

/// Caps on what the instances in one store may allocate: the size of each
/// linear memory and table, and how many instances, memories and tables the
/// store holds.
///
/// [`Config::new`](crate::Config::new) carries [`ResourceLimits::DEFAULT`],
/// sized for a microcontroller, so an untrusted module is bounded without
/// further setup; [`ResourceLimits::HOST`] is the preset for a host.
///
/// Two places enforce them:
///
/// * **Always**, at [`instantiate`](crate::instantiate) and
///   [`instantiate_streaming`](crate::instantiate_streaming): the initial
///   size of every memory and table the module defines, and how many
///   memories and tables it defines, are held against these limits
///   *before* wasmi allocates anything, whether or not the store has a
///   limiter. A module that declares too much fails with
///   [`Error::Runtime`] naming the limit (see
///   [`RuntimeError::limit_exceeded`]).
/// * **With a limiter only**: growth (`memory.grow`, `table.grow`, the host
///   growing a memory or table), the store-wide count of instances,
///   memories and tables, and memories or tables the host creates. Put
///   [`Engine::store_limits`] into the store's data and install it with
///   [`Store::limiter`](wasmi::Store::limiter); then growth beyond a limit
///   returns -1, or traps with
///   [`trap_on_grow_failure`](Self::trap_on_grow_failure). **Without a
///   limiter, growth is bounded only by the module's declared maximum
///   (4 GiB for a 32-bit memory without one) and by the heap.**
///
/// ```
/// use wasmstream::wasmi::{Store, StoreLimits};
/// use wasmstream::{Config, Error, Imports, LimitExceeded, ResourceLimits, instantiate_streaming};
///
/// let limits = ResourceLimits { max_memory_bytes: Some(64 * 1024), ..ResourceLimits::DEFAULT };
/// let engine = Config::new().resource_limits(limits).engine();
///
/// struct Data { limits: StoreLimits }
/// let mut store = Store::new(&engine, Data { limits: engine.store_limits() });
/// store.limiter(|data| &mut data.limits); // bounds growth too
///
/// let imports = Imports::new(&engine);
/// let wasm = wat::parse_str("(module (memory 2))")?; // 128 KiB
/// match instantiate_streaming(&mut store, &wasm[..], &imports) {
///     Err(Error::Runtime(e)) => assert_eq!(e.limit_exceeded(), Some(LimitExceeded::MemoryBytes)),
///     other => panic!("expected a RuntimeError, got {other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`Engine::store_limits`]: crate::Engine::store_limits
/// [`Error::Runtime`]: crate::Error::Runtime
/// [`RuntimeError::limit_exceeded`]: crate::RuntimeError::limit_exceeded
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub struct ResourceLimits {
    /// Largest linear memory, in bytes, each memory at its creation and
    /// (with a limiter) after every `memory.grow`. `None`: no cap beyond the
    /// memory's own maximum. Default: 256 KiB (4 Wasm pages).
    pub max_memory_bytes: Option<usize>,
    /// Largest table, in elements, each table at its creation and (with a
    /// limiter) after every `table.grow`. `None`: no cap beyond the table's
    /// own maximum. Default: 1024.
    pub max_table_elements: Option<usize>,
    /// Most instances the store holds (with a limiter). Default: 16.
    pub max_instances: usize,
    /// Most linear memories a module defines, and (with a limiter) the
    /// store holds, imported ones included. Default: 4.
    pub max_memories: usize,
    /// Most tables a module defines, and (with a limiter) the store holds,
    /// imported ones included. Default: 16.
    pub max_tables: usize,
    /// Whether `memory.grow` and `table.grow` beyond a limit trap (with
    /// [`TrapCode::GrowthOperationLimited`](wasmi::TrapCode::GrowthOperationLimited))
    /// instead of returning -1 as the Wasm spec has them.
    pub trap_on_grow_failure: bool,
}

impl ResourceLimits {
    /// For a microcontroller, the default of [`Config::new`](crate::Config::new):
    /// each memory up to 256 KiB, each table up to 1024 elements, at most 16
    /// instances, 4 memories and 16 tables; growth failures return -1.
    ///
    /// ```
    /// use wasmstream::{Config, ResourceLimits};
    ///
    /// assert_eq!(ResourceLimits::DEFAULT.max_memory_bytes, Some(256 * 1024));
    /// assert_eq!(Config::new().get_resource_limits(), ResourceLimits::DEFAULT);
    /// ```
    pub const DEFAULT: ResourceLimits = ResourceLimits {
        max_memory_bytes: Some(256 * 1024),
        max_table_elements: Some(1024),
        max_instances: 16,
        max_memories: 4,
        max_tables: 16,
        trap_on_grow_failure: false,
    };

    /// For a host: each memory up to 1 GiB, each table up to 16 Mi elements,
    /// at most 10 000 instances, memories and tables (wasmi's own counts).
    ///
    /// ```
    /// use wasmstream::{Config, ResourceLimits};
    ///
    /// let engine = Config::new().resource_limits(ResourceLimits::HOST).engine();
    /// assert_eq!(engine.resource_limits().max_memory_bytes, Some(1 << 30));
    /// ```
    pub const HOST: ResourceLimits = ResourceLimits {
        max_memory_bytes: Some(1 << 30),
        max_table_elements: Some(1 << 24),
        max_instances: 10_000,
        max_memories: 10_000,
        max_tables: 10_000,
        trap_on_grow_failure: false,
    };

    /// wasmi's limiter enforcing these limits, for a store's data.
    ///
    /// ```
    /// use wasmstream::ResourceLimits;
    ///
    /// let limits = ResourceLimits { max_instances: 1, ..ResourceLimits::DEFAULT };
    /// let store_limits = limits.store_limits();
    /// # drop(store_limits);
    /// ```
    #[must_use]
    pub fn store_limits(&self) -> StoreLimits {
        let mut builder = StoreLimitsBuilder::new()
            .instances(self.max_instances)
            .memories(self.max_memories)
            .tables(self.max_tables)
            .trap_on_grow_failure(self.trap_on_grow_failure);
        if let Some(bytes) = self.max_memory_bytes {
            builder = builder.memory_size(bytes);
        }
        if let Some(elements) = self.max_table_elements {
            builder = builder.table_elements(elements);
        }
        builder.build()
    }
}

impl Default for ResourceLimits {
    fn default() -> Self {
        ResourceLimits::DEFAULT
    }
}

/// The resource limits of untrusted modules: each builder sets one field of
/// [`ResourceLimits`], which [`Engine::store_limits`](crate::Engine::store_limits)
/// turns into wasmi's limiter for a store.
impl Config {
    /// All resource limits at once. Default: [`ResourceLimits::DEFAULT`].
    ///
    /// ```
    /// use wasmstream::{Config, ResourceLimits};
    ///
    /// let limits = ResourceLimits { max_tables: 1, ..ResourceLimits::DEFAULT };
    /// let engine = Config::new().resource_limits(limits).engine();
    /// assert_eq!(engine.resource_limits(), limits);
    /// ```
    #[must_use]
    pub fn resource_limits(mut self, limits: ResourceLimits) -> Self {
        self.resource_limits = limits;
        self
    }

    /// Caps every linear memory at `bytes` (64 KiB per Wasm page): at
    /// instantiation always, on `memory.grow` with the store's limiter (see
    /// [`ResourceLimits`]). Default: 256 KiB.
    ///
    /// ```
    /// use wasmstream::wasmi::{Store, StoreLimits};
    /// use wasmstream::{Config, Imports, instantiate_streaming};
    ///
    /// let engine = Config::new().max_memory_bytes(2 * 65536).engine();
    /// struct Data { limits: StoreLimits }
    /// let mut store = Store::new(&engine, Data { limits: engine.store_limits() });
    /// store.limiter(|data| &mut data.limits);
    ///
    /// let wasm = wat::parse_str(r#"(module (memory 1)
    ///     (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#)?;
    /// let done = instantiate_streaming(&mut store, &wasm[..], &Imports::new(&engine))?;
    /// let grow = done.instance.get_typed_func::<i32, i32>(&store, "grow")?;
    /// assert_eq!(grow.call(&mut store, 1)?, 1); // 2 pages: at the cap
    /// assert_eq!(grow.call(&mut store, 1)?, -1); // 3 pages: refused
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn max_memory_bytes(mut self, bytes: usize) -> Self {
        self.resource_limits.max_memory_bytes = Some(bytes);
        self
    }

    /// Caps every table at `elements`: at instantiation always, on
    /// `table.grow` with the store's limiter (see [`ResourceLimits`]).
    /// Default: 1024.
    ///
    /// ```
    /// use wasmstream::wasmi::{Store, StoreLimits};
    /// use wasmstream::{Config, Error, Imports, LimitExceeded, instantiate_streaming};
    ///
    /// let engine = Config::new().max_table_elements(100).engine();
    /// struct Data { limits: StoreLimits }
    /// let mut store = Store::new(&engine, Data { limits: engine.store_limits() });
    /// store.limiter(|data| &mut data.limits);
    ///
    /// let wasm = wat::parse_str("(module (table 1000 funcref))")?;
    /// let error = instantiate_streaming(&mut store, &wasm[..], &Imports::new(&engine)).unwrap_err();
    /// assert!(matches!(error, Error::Runtime(e) if e.limit_exceeded() == Some(LimitExceeded::TableElements)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn max_table_elements(mut self, elements: usize) -> Self {
        self.resource_limits.max_table_elements = Some(elements);
        self
    }

    /// The most instances one store holds; enforced by the store's limiter
    /// only (see [`ResourceLimits`]). Default: 16.
    ///
    /// ```
    /// let engine = wasmstream::Config::new().max_instances(4).engine();
    /// assert_eq!(engine.resource_limits().max_instances, 4);
    /// ```
    #[must_use]
    pub fn max_instances(mut self, count: usize) -> Self {
        self.resource_limits.max_instances = count;
        self
    }

    /// The most linear memories a module defines (always checked) and one
    /// store holds (with the store's limiter). Default: 4.
    ///
    /// wasmi 2.0.0 checks this count with every memory of the module being
    /// instantiated, imported ones included, although an imported memory is
    /// already in the store: leave room for one more per imported memory.
    ///
    /// ```
    /// let engine = wasmstream::Config::new().max_memories(1).engine();
    /// assert_eq!(engine.resource_limits().max_memories, 1);
    /// ```
    #[must_use]
    pub fn max_memories(mut self, count: usize) -> Self {
        self.resource_limits.max_memories = count;
        self
    }

    /// The most tables a module defines (always checked) and one store
    /// holds (with the store's limiter). Default: 16.
    ///
    /// As with [`max_memories`](Self::max_memories), wasmi 2.0.0 counts an
    /// imported table once more when a module importing it is instantiated.
    ///
    /// ```
    /// let engine = wasmstream::Config::new().max_tables(2).engine();
    /// assert_eq!(engine.resource_limits().max_tables, 2);
    /// ```
    #[must_use]
    pub fn max_tables(mut self, count: usize) -> Self {
        self.resource_limits.max_tables = count;
        self
    }

    /// Whether `memory.grow` and `table.grow` beyond a limit trap instead
    /// of returning -1. Default: off (the Wasm spec's -1).
    ///
    /// ```
    /// use wasmstream::wasmi::{Store, StoreLimits, TrapCode};
    /// use wasmstream::{Config, Imports, instantiate_streaming};
    ///
    /// let engine = Config::new().max_memory_bytes(65536).trap_on_grow_failure(true).engine();
    /// struct Data { limits: StoreLimits }
    /// let mut store = Store::new(&engine, Data { limits: engine.store_limits() });
    /// store.limiter(|data| &mut data.limits);
    ///
    /// let wasm = wat::parse_str(r#"(module (memory 1)
    ///     (func (export "grow") (result i32) (memory.grow (i32.const 1))))"#)?;
    /// let done = instantiate_streaming(&mut store, &wasm[..], &Imports::new(&engine))?;
    /// let grow = done.instance.get_typed_func::<(), i32>(&store, "grow")?;
    /// let trap = grow.call(&mut store, ()).unwrap_err();
    /// assert_eq!(trap.as_trap_code(), Some(TrapCode::GrowthOperationLimited));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn trap_on_grow_failure(mut self, trap: bool) -> Self {
        self.resource_limits.trap_on_grow_failure = trap;
        self
    }

    /// The resource limits in force.
    ///
    /// ```
    /// let config = wasmstream::Config::new().max_memory_bytes(4096);
    /// assert_eq!(config.get_resource_limits().max_memory_bytes, Some(4096));
    /// ```
    #[must_use]
    pub fn get_resource_limits(&self) -> ResourceLimits {
        self.resource_limits
    }
}
