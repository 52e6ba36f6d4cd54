//! [`Engine`]: a wasmi engine with the settings of the [`Config`] that built it.

use core::fmt;
use core::ops::Deref;

use wasmparser::WasmFeatures;

use super::{CompilationMode, Config, Limits, ResourceLimits};

/// A wasmi [`wasmi::Engine`] together with the settings of the [`Config`]
/// that built it.
///
/// wasmi does not reveal which Wasm features an engine was configured with,
/// yet the streaming validator must use exactly those; so the engine carries
/// them. It dereferences to `wasmi::Engine`, so `Store::new(&engine, data)`
/// works as with wasmi. Clones share one wasmi engine.
///
/// ```
/// use wasmstream::{Config, wasmi::Store};
///
/// let engine = Config::new().engine();
/// let store = Store::new(&engine, ());
/// # drop(store);
/// ```
#[derive(Clone)]
pub struct Engine {
    wasmi: wasmi::Engine,
    features: WasmFeatures,
    limits: Limits,
    resource_limits: ResourceLimits,
    mode: CompilationMode,
    keep_custom_sections: bool,
}

impl Default for Engine {
    fn default() -> Self {
        Config::new().engine()
    }
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("features", &self.features)
            .field("limits", &self.limits)
            .field("resource_limits", &self.resource_limits)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl Engine {
    pub(super) fn new(config: &Config) -> Self {
        Engine {
            wasmi: wasmi::Engine::new(&config.wasmi),
            features: config.features,
            limits: config.limits,
            resource_limits: config.resource_limits,
            mode: config.mode,
            keep_custom_sections: config.keep_custom_sections,
        }
    }

    /// The wasmi engine.
    ///
    /// ```
    /// use wasmstream::Config;
    ///
    /// let engine = Config::new().engine();
    /// // The wasmi engine takes modules compiled by wasmi itself too (with the
    /// // default `wasmi-validate` feature, which gives wasmi its `Module::new`).
    /// let module = wasmstream::wasmi::Module::new(engine.wasmi(), &wat::parse_str("(module)")?)?;
    /// assert!(wasmstream::wasmi::Engine::same(module.engine(), engine.wasmi()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn wasmi(&self) -> &wasmi::Engine {
        &self.wasmi
    }

    /// The streaming limits this engine's compilers enforce.
    ///
    /// ```
    /// use wasmstream::{Config, Limits};
    ///
    /// assert_eq!(Config::new().engine().limits(), Limits::DEFAULT);
    /// assert_eq!(Config::new().limits(Limits::HOST).engine().limits(), Limits::HOST);
    /// ```
    #[must_use]
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The resource limits of this engine's [`Config`].
    ///
    /// ```
    /// let engine = wasmstream::Config::new().max_table_elements(64).engine();
    /// assert_eq!(engine.resource_limits().max_table_elements, Some(64));
    /// ```
    #[must_use]
    pub fn resource_limits(&self) -> ResourceLimits {
        self.resource_limits
    }

    /// wasmi's limiter for this engine's [`ResourceLimits`]: keep it in the
    /// store's data and install it with
    /// [`Store::limiter`](wasmi::Store::limiter), as the limits hold only in
    /// a store that has it. Each call gives a fresh limiter, for one store.
    ///
    /// ```
    /// use core::convert::Infallible;
    /// use wasmstream::wasmi::{Store, StoreLimits};
    /// use wasmstream::{Config, Error, Imports, LimitExceeded, compile_streaming, instantiate};
    ///
    /// let engine = Config::new().max_instances(1).engine();
    /// struct Data { limits: StoreLimits }
    /// let mut store = Store::new(&engine, Data { limits: engine.store_limits() });
    /// store.limiter(|data| &mut data.limits);
    ///
    /// let module = compile_streaming(&engine, &wat::parse_str("(module)")?[..])?;
    /// let imports = Imports::new(&engine);
    /// instantiate::<_, Infallible>(&mut store, &module, &imports)?;
    /// let error = instantiate::<_, Infallible>(&mut store, &module, &imports).unwrap_err();
    /// assert!(matches!(error, Error::Runtime(e) if e.limit_exceeded() == Some(LimitExceeded::Instances)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn store_limits(&self) -> wasmi::StoreLimits {
        self.resource_limits.store_limits()
    }

    /// The compilation mode.
    ///
    /// ```
    /// use wasmstream::{CompilationMode, Config};
    ///
    /// assert_eq!(Config::new().engine().compilation_mode(), CompilationMode::Lazy);
    /// ```
    #[must_use]
    pub fn compilation_mode(&self) -> CompilationMode {
        self.mode
    }

    /// Whether custom sections are kept.
    ///
    /// ```
    /// use wasmstream::Config;
    ///
    /// assert!(!Config::new().engine().keeps_custom_sections());
    /// assert!(Config::new().keep_custom_sections(true).engine().keeps_custom_sections());
    /// ```
    #[must_use]
    pub fn keeps_custom_sections(&self) -> bool {
        self.keep_custom_sections
    }

    /// The feature set the streaming validator uses: every switch `Config`
    /// set (on wasmi too with `wasmi-validate`).
    pub(crate) fn features(&self) -> WasmFeatures {
        self.features
    }
}

impl Deref for Engine {
    type Target = wasmi::Engine;

    fn deref(&self) -> &wasmi::Engine {
        &self.wasmi
    }
}

impl AsRef<wasmi::Engine> for Engine {
    fn as_ref(&self) -> &wasmi::Engine {
        &self.wasmi
    }
}
