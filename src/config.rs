//! [`Config`] → [`Engine`]: Wasm features, limits and compilation mode in one place.

use core::fmt;
use core::ops::Deref;

use wasmparser::WasmFeatures;

/// How much work is done before a module is ready to run.
///
/// Whatever the mode, every function body is *validated* while the stream
/// arrives, so an invalid module is always rejected by `feed`, never later.
#[derive(Debug, Default, Copy, Clone, PartialEq, Eq)]
pub enum CompilationMode {
    /// Translate every function to wasmi bytecode at [`finish`]: slower to
    /// load, no translation pause at the first call of a function.
    ///
    /// [`finish`]: crate::StreamingCompiler::finish
    Eager,
    /// Translate a function on its first call (wasmi's `LazyTranslation`):
    /// [`finish`] only stages what wasmi needs, so the work left after the
    /// last byte is small.
    ///
    /// [`finish`]: crate::StreamingCompiler::finish
    #[default]
    Lazy,
}

/// Size limits checked while a module streams in.
///
/// Declared sizes are compared with these limits *before* anything is
/// reserved, so a hostile header cannot make the compiler allocate.
/// The defaults suit a microcontroller; raise them for a host.
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest module accepted, in bytes, counting every byte of the stream
    /// (custom sections included). Default: 1 MiB.
    pub max_module_bytes: u32,
    /// Largest single section, in bytes (its payload, without the id and size
    /// fields). Default: 1 MiB.
    pub max_section_bytes: u32,
    /// Largest function body, in bytes. Default: 128 KiB, which is also
    /// wasmparser's own ceiling for a function body.
    pub max_function_body_bytes: u32,
}

impl Limits {
    /// The defaults, for a microcontroller.
    pub const DEFAULT: Limits = Limits {
        max_module_bytes: 1024 * 1024,
        max_section_bytes: 1024 * 1024,
        max_function_body_bytes: 128 * 1024,
    };

    /// Limits for a host: modules and sections up to 256 MiB.
    pub const HOST: Limits = Limits {
        max_module_bytes: 256 * 1024 * 1024,
        max_section_bytes: 256 * 1024 * 1024,
        max_function_body_bytes: 128 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The configuration of an [`Engine`]: the single place where the enabled
/// Wasm features, the streaming limits and the compilation mode are set.
///
/// Every feature switch sets both the wasmi configuration and the feature
/// set this crate validates with, so the two can never disagree (which is
/// what makes skipping wasmi's second validation sound).
///
/// ```
/// use wasmstream::{CompilationMode, Config, Limits};
///
/// let engine = Config::new()
///     .limits(Limits { max_module_bytes: 64 * 1024, ..Limits::DEFAULT })
///     .compilation_mode(CompilationMode::Eager)
///     .wasm_tail_call(false)
///     .engine();
/// assert_eq!(engine.limits().max_module_bytes, 64 * 1024);
/// ```
#[derive(Clone)]
pub struct Config {
    wasmi: wasmi::Config,
    features: WasmFeatures,
    limits: Limits,
    mode: CompilationMode,
    keep_custom_sections: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("features", &self.features)
            .field("limits", &self.limits)
            .field("mode", &self.mode)
            .field("keep_custom_sections", &self.keep_custom_sections)
            .finish_non_exhaustive()
    }
}

/// Generates a builder that switches one Wasm feature on both sides.
macro_rules! feature_switch {
    ($(#[$doc:meta])* $name:ident, $flag:ident) => {
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, enable: bool) -> Self {
            self.wasmi.$name(enable);
            self.features.set(WasmFeatures::$flag, enable);
            self
        }
    };
}

impl Config {
    /// The default configuration: the Wasm 2.0 feature set plus tail calls
    /// and extended constant expressions (wasmi's defaults), [`Limits::DEFAULT`],
    /// [`CompilationMode::Lazy`], custom sections skipped.
    #[must_use]
    pub fn new() -> Self {
        let mut config = Config {
            wasmi: wasmi::Config::default(),
            features: WasmFeatures::empty(),
            limits: Limits::DEFAULT,
            mode: CompilationMode::Lazy,
            keep_custom_sections: false,
        };
        // Set every switch explicitly on both sides: wasmi's defaults depend
        // on its crate features, which another crate in the build may enable.
        config = config
            .wasm_mutable_global(true)
            .wasm_sign_extension(true)
            .wasm_saturating_float_to_int(true)
            .wasm_multi_value(true)
            .wasm_multi_memory(true)
            .wasm_bulk_memory(true)
            .wasm_reference_types(true)
            .wasm_tail_call(true)
            .wasm_extended_const(true)
            .wasm_custom_page_sizes(false)
            .wasm_wide_arithmetic(false)
            .floats(true);
        #[cfg(feature = "memory64")]
        {
            config = config.wasm_memory64(true);
        }
        #[cfg(feature = "simd")]
        {
            config = config.wasm_simd(true).wasm_relaxed_simd(true);
        }
        config
            .compilation_mode(CompilationMode::Lazy)
            .keep_custom_sections(false)
    }

    feature_switch!(
        /// The mutable-global proposal (Wasm 2.0). Default: on.
        wasm_mutable_global, MUTABLE_GLOBAL
    );
    feature_switch!(
        /// The sign-extension operators (Wasm 2.0). Default: on.
        wasm_sign_extension, SIGN_EXTENSION
    );
    feature_switch!(
        /// Non-trapping float-to-int conversions (Wasm 2.0). Default: on.
        wasm_saturating_float_to_int, SATURATING_FLOAT_TO_INT
    );
    feature_switch!(
        /// Multi-value (Wasm 2.0). Default: on.
        wasm_multi_value, MULTI_VALUE
    );
    feature_switch!(
        /// Multi-memory. Default: on.
        wasm_multi_memory, MULTI_MEMORY
    );
    feature_switch!(
        /// Bulk memory operations (Wasm 2.0). Default: on.
        wasm_bulk_memory, BULK_MEMORY
    );
    feature_switch!(
        /// Tail calls. Default: on.
        wasm_tail_call, TAIL_CALL
    );
    feature_switch!(
        /// Extended constant expressions. Default: on.
        wasm_extended_const, EXTENDED_CONST
    );
    feature_switch!(
        /// Custom page sizes. Default: off.
        wasm_custom_page_sizes, CUSTOM_PAGE_SIZES
    );
    feature_switch!(
        /// Wide arithmetic. Default: off.
        wasm_wide_arithmetic, WIDE_ARITHMETIC
    );
    #[cfg(feature = "memory64")]
    feature_switch!(
        /// 64-bit memories and tables (crate feature `memory64`). Default: on.
        wasm_memory64, MEMORY64
    );
    #[cfg(feature = "simd")]
    feature_switch!(
        /// Fixed-width SIMD (crate feature `simd`). Default: on.
        wasm_simd, SIMD
    );
    #[cfg(feature = "simd")]
    feature_switch!(
        /// Relaxed SIMD (crate feature `simd`). Default: on.
        wasm_relaxed_simd, RELAXED_SIMD
    );

    /// Reference types (Wasm 2.0). Default: on.
    #[must_use]
    pub fn wasm_reference_types(mut self, enable: bool) -> Self {
        self.wasmi.wasm_reference_types(enable);
        // wasmi ties the GC type machinery to reference types; mirror it.
        self.features.set(WasmFeatures::REFERENCE_TYPES, enable);
        self.features.set(WasmFeatures::GC_TYPES, enable);
        self
    }

    /// `f32`/`f64` types and instructions. Default: on.
    #[must_use]
    pub fn floats(mut self, enable: bool) -> Self {
        self.wasmi.floats(enable);
        self.features.set(WasmFeatures::FLOATS, enable);
        self
    }

    /// When translation to wasmi bytecode happens; validation always happens
    /// while streaming. Default: [`CompilationMode::Lazy`].
    #[must_use]
    pub fn compilation_mode(mut self, mode: CompilationMode) -> Self {
        self.mode = mode;
        self.wasmi.compilation_mode(match mode {
            CompilationMode::Eager => wasmi::CompilationMode::Eager,
            // Never wasmi's `Lazy`: that mode accepts invalid function bodies
            // until they are called, which the JS API forbids.
            CompilationMode::Lazy => wasmi::CompilationMode::LazyTranslation,
        });
        self
    }

    /// Keep custom sections (buffered, and visible through
    /// `wasmi::Module::custom_sections`). Default: off, so custom sections are
    /// skipped as they stream past and cost no RAM.
    #[must_use]
    pub fn keep_custom_sections(mut self, keep: bool) -> Self {
        self.keep_custom_sections = keep;
        self.wasmi.ignore_custom_sections(!keep);
        self
    }

    /// The streaming size limits. Default: [`Limits::DEFAULT`].
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Count fuel while Wasm runs (see `wasmi::Store::set_fuel`). Default: off.
    #[must_use]
    pub fn consume_fuel(mut self, enable: bool) -> Self {
        self.wasmi.consume_fuel(enable);
        self
    }

    /// Deepest call nesting of Wasm functions before a stack-overflow trap.
    #[must_use]
    pub fn max_recursion_depth(mut self, depth: usize) -> Self {
        self.wasmi.set_max_recursion_depth(depth);
        self
    }

    /// Initial and maximum size of wasmi's value stack, in bytes. The maximum
    /// is the heap a running instance may take for its stack; the default
    /// (about 1 MiB) is too large for most microcontrollers. A `min_bytes`
    /// above `max_bytes` is lowered to `max_bytes`.
    ///
    /// ```
    /// let engine = wasmstream::Config::new().stack_heights(1024, 8 * 1024).engine();
    /// # drop(engine);
    /// ```
    #[must_use]
    pub fn stack_heights(mut self, min_bytes: usize, max_bytes: usize) -> Self {
        // wasmi panics when a new minimum exceeds the current maximum or a new
        // maximum undercuts the current minimum: go through a zero minimum.
        self.wasmi.set_min_stack_height(0);
        self.wasmi.set_max_stack_height(max_bytes);
        self.wasmi.set_min_stack_height(min_bytes.min(max_bytes));
        self
    }

    /// wasmi's own module-shape limits (functions, globals, tables …), checked
    /// when the staged module is handed to wasmi.
    #[must_use]
    pub fn enforced_limits(mut self, limits: wasmi::EnforcedLimits) -> Self {
        self.wasmi.enforced_limits(limits);
        self
    }

    /// Builds the [`Engine`] for this configuration.
    #[must_use]
    pub fn engine(&self) -> Engine {
        Engine {
            wasmi: wasmi::Engine::new(&self.wasmi),
            features: self.features,
            limits: self.limits,
            mode: self.mode,
            keep_custom_sections: self.keep_custom_sections,
        }
    }

    /// The streaming limits in force.
    #[must_use]
    pub fn get_limits(&self) -> Limits {
        self.limits
    }

    /// The compilation mode in force.
    #[must_use]
    pub fn get_compilation_mode(&self) -> CompilationMode {
        self.mode
    }
}

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
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// The wasmi engine.
    #[must_use]
    pub fn wasmi(&self) -> &wasmi::Engine {
        &self.wasmi
    }

    /// The streaming limits this engine's compilers enforce.
    #[must_use]
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The compilation mode.
    #[must_use]
    pub fn compilation_mode(&self) -> CompilationMode {
        self.mode
    }

    /// Whether custom sections are kept.
    #[must_use]
    pub fn keeps_custom_sections(&self) -> bool {
        self.keep_custom_sections
    }

    /// The exact feature set wasmi was configured with.
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
