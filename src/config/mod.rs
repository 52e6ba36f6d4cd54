//! [`Config`] → [`Engine`]: Wasm features, limits and compilation mode in one place.

mod engine;
mod limits;
mod resource_limits;

use core::fmt;

use wasmparser::WasmFeatures;

pub use engine::Engine;
pub use limits::Limits;
pub use resource_limits::ResourceLimits;

/// How much work is done before a module is ready to run.
///
/// Whatever the mode, every function body is *validated* while the stream
/// arrives, so an invalid module is always rejected by `feed`, never later.
///
/// ```
/// use wasmstream::{CompilationMode, Config};
///
/// assert_eq!(CompilationMode::default(), CompilationMode::Lazy);
/// let engine = Config::new().compilation_mode(CompilationMode::Eager).engine();
/// assert_eq!(engine.compilation_mode(), CompilationMode::Eager);
/// ```
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

/// The configuration of an [`Engine`]: the single place where the enabled
/// Wasm features, the streaming limits, the compilation mode and the
/// [resource limits](ResourceLimits) of untrusted modules are set.
///
/// Every feature switch sets the feature set this crate validates with and,
/// with the `wasmi-validate` crate feature (default), wasmi's own, so that
/// `wasmi::Module::new(engine.wasmi(), …)` validates under the same set.
/// wasmi gets only bytes this crate validated (`Module::new_unchecked`); its
/// parser then reads them with wasmi's feature set, or without
/// `wasmi-validate` with wasmparser's default set. Both read every module
/// this crate can validate exactly as it does: the only proposals that
/// change how bytes are read (multi-memory, memory64, reference types) are
/// on in both whenever this crate can enable them.
/// One caveat: if another crate in the build enables wasmi's own `simd` or
/// `memory64` crate features while ours are off, wasmi allows those
/// proposals and we do not, so such modules are rejected.
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
    resource_limits: ResourceLimits,
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
            .field("resource_limits", &self.resource_limits)
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
            #[cfg(feature = "wasmi-validate")]
            self.wasmi.$name(enable);
            self.features.set(WasmFeatures::$flag, enable);
            self
        }
    };
}

impl Config {
    /// The default configuration: the Wasm 2.0 feature set plus tail calls
    /// and extended constant expressions (wasmi's defaults), [`Limits::DEFAULT`]
    /// and [`ResourceLimits::DEFAULT`] (both sized for a microcontroller: an
    /// untrusted module is bounded without further setup; raise them with
    /// [`Limits::HOST`] and [`ResourceLimits::HOST`] on a host),
    /// [`CompilationMode::Lazy`], custom sections skipped.
    ///
    /// ```
    /// use wasmstream::{CompilationMode, Config, Limits};
    ///
    /// let config = Config::new();
    /// assert_eq!(config.get_limits(), Limits::DEFAULT);
    /// assert_eq!(config.get_resource_limits(), wasmstream::ResourceLimits::DEFAULT);
    /// assert_eq!(config.get_compilation_mode(), CompilationMode::Lazy);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        let mut config = Config {
            wasmi: wasmi::Config::default(),
            features: WasmFeatures::empty(),
            limits: Limits::DEFAULT,
            resource_limits: ResourceLimits::DEFAULT,
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
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (global (export \"g\") (mut i32) (i32.const 0)))")?;
        /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
        /// let off = Config::new().wasm_mutable_global(false).engine();
        /// assert!(matches!(compile_streaming(&off, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_mutable_global, MUTABLE_GLOBAL
    );
    feature_switch!(
        /// The sign-extension operators (Wasm 2.0). Default: on.
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (func (result i32) (i32.extend8_s (i32.const 1))))")?;
        /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
        /// let off = Config::new().wasm_sign_extension(false).engine();
        /// assert!(matches!(compile_streaming(&off, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_sign_extension, SIGN_EXTENSION
    );
    feature_switch!(
        /// Non-trapping float-to-int conversions (Wasm 2.0). Default: on.
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (func (result i32) (i32.trunc_sat_f32_s (f32.const 1))))")?;
        /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
        /// let off = Config::new().wasm_saturating_float_to_int(false).engine();
        /// assert!(matches!(compile_streaming(&off, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_saturating_float_to_int, SATURATING_FLOAT_TO_INT
    );
    feature_switch!(
        /// Multi-value (Wasm 2.0). Default: on.
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (func (result i32 i32) (i32.const 1) (i32.const 2)))")?;
        /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
        /// let off = Config::new().wasm_multi_value(false).engine();
        /// assert!(matches!(compile_streaming(&off, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_multi_value, MULTI_VALUE
    );
    feature_switch!(
        /// Multi-memory. Default: on.
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (memory 1) (memory 1))")?;
        /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
        /// let off = Config::new().wasm_multi_memory(false).engine();
        /// assert!(matches!(compile_streaming(&off, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_multi_memory, MULTI_MEMORY
    );
    feature_switch!(
        /// Bulk memory operations (Wasm 2.0). Default: on.
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))")?;
        /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
        /// let off = Config::new().wasm_bulk_memory(false).engine();
        /// assert!(matches!(compile_streaming(&off, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_bulk_memory, BULK_MEMORY
    );
    feature_switch!(
        /// Tail calls. Default: on.
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (func $f (return_call $f)))")?;
        /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
        /// let off = Config::new().wasm_tail_call(false).engine();
        /// assert!(matches!(compile_streaming(&off, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_tail_call, TAIL_CALL
    );
    feature_switch!(
        /// Extended constant expressions. Default: on.
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (global i32 (i32.add (i32.const 1) (i32.const 2))))")?;
        /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
        /// let off = Config::new().wasm_extended_const(false).engine();
        /// assert!(matches!(compile_streaming(&off, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_extended_const, EXTENDED_CONST
    );
    feature_switch!(
        /// Custom page sizes. Default: off.
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (memory 1 (pagesize 1)))")?;
        /// let on = Config::new().wasm_custom_page_sizes(true).engine();
        /// assert!(compile_streaming(&on, &wasm[..]).is_ok());
        /// let default = Config::new().engine();
        /// assert!(matches!(compile_streaming(&default, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_custom_page_sizes, CUSTOM_PAGE_SIZES
    );
    feature_switch!(
        /// Wide arithmetic. Default: off.
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (func (param i64 i64 i64 i64) (result i64 i64) (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3))))")?;
        /// let on = Config::new().wasm_wide_arithmetic(true).engine();
        /// assert!(compile_streaming(&on, &wasm[..]).is_ok());
        /// let default = Config::new().engine();
        /// assert!(matches!(compile_streaming(&default, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_wide_arithmetic, WIDE_ARITHMETIC
    );
    #[cfg(feature = "memory64")]
    feature_switch!(
        /// 64-bit memories and tables (crate feature `memory64`). Default: on.
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (memory i64 1))")?;
        /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
        /// let off = Config::new().wasm_memory64(false).engine();
        /// assert!(matches!(compile_streaming(&off, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_memory64, MEMORY64
    );
    #[cfg(feature = "simd")]
    feature_switch!(
        /// Fixed-width SIMD (crate feature `simd`). Default: on.
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (func (result v128) (v128.const i32x4 0 0 0 0)))")?;
        /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
        /// let off = Config::new().wasm_simd(false).engine();
        /// assert!(matches!(compile_streaming(&off, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_simd, SIMD
    );
    #[cfg(feature = "simd")]
    feature_switch!(
        /// Relaxed SIMD (crate feature `simd`). Default: on.
        ///
        /// ```
        /// use wasmstream::{Config, Error, compile_streaming};
        ///
        /// let wasm = wat::parse_str("(module (func (param v128 v128) (result v128) (i8x16.relaxed_swizzle (local.get 0) (local.get 1))))")?;
        /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
        /// let off = Config::new().wasm_relaxed_simd(false).engine();
        /// assert!(matches!(compile_streaming(&off, &wasm[..]), Err(Error::Compile(_))));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        wasm_relaxed_simd, RELAXED_SIMD
    );

    /// Reference types (Wasm 2.0). Default: on.
    ///
    /// ```
    /// use wasmstream::{Config, Error, compile_streaming};
    ///
    /// let wasm = wat::parse_str("(module (func (drop (ref.null extern))))")?;
    /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
    /// let off = Config::new().wasm_reference_types(false).engine();
    /// assert!(matches!(compile_streaming(&off, &wasm[..]), Err(Error::Compile(_))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn wasm_reference_types(mut self, enable: bool) -> Self {
        #[cfg(feature = "wasmi-validate")]
        self.wasmi.wasm_reference_types(enable);
        // wasmi ties the GC type machinery to reference types; mirror it.
        self.features.set(WasmFeatures::REFERENCE_TYPES, enable);
        self.features.set(WasmFeatures::GC_TYPES, enable);
        self
    }

    /// `f32`/`f64` types and instructions. Default: on.
    ///
    /// ```
    /// use wasmstream::{Config, Error, compile_streaming};
    ///
    /// let wasm = wat::parse_str("(module (func (param f32)))")?;
    /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
    /// let integers_only = Config::new().floats(false).engine();
    /// assert!(matches!(compile_streaming(&integers_only, &wasm[..]), Err(Error::Compile(_))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn floats(mut self, enable: bool) -> Self {
        #[cfg(feature = "wasmi-validate")]
        self.wasmi.floats(enable);
        self.features.set(WasmFeatures::FLOATS, enable);
        self
    }

    /// When translation to wasmi bytecode happens; validation always happens
    /// while streaming. Default: [`CompilationMode::Lazy`].
    ///
    /// ```
    /// use wasmstream::{CompilationMode, Config, compile_streaming};
    ///
    /// let engine = Config::new().compilation_mode(CompilationMode::Eager).engine();
    /// assert_eq!(engine.compilation_mode(), CompilationMode::Eager);
    /// let module = compile_streaming(&engine, &wat::parse_str("(module (func))")?[..])?;
    /// assert_eq!(module.exports().count(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    /// [`Module::custom_sections`](crate::Module::custom_sections)). Default:
    /// off, so custom sections are skipped as they stream past and cost no RAM.
    ///
    /// ```
    /// use wasmstream::{Config, compile_streaming};
    ///
    /// // The empty module plus a custom section "note" holding "hi".
    /// let wasm = b"\0asm\x01\0\0\0\0\x07\x04notehi";
    /// let kept = compile_streaming(&Config::new().keep_custom_sections(true).engine(), &wasm[..])?;
    /// assert_eq!(kept.custom_sections("note").next(), Some(&b"hi"[..]));
    /// let skipped = compile_streaming(&Config::new().engine(), &wasm[..])?;
    /// assert_eq!(skipped.custom_sections("note").count(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn keep_custom_sections(mut self, keep: bool) -> Self {
        self.keep_custom_sections = keep;
        self.wasmi.ignore_custom_sections(!keep);
        self
    }

    /// The streaming size limits. Default: [`Limits::DEFAULT`].
    ///
    /// ```
    /// use wasmstream::{Config, Error, Limits, compile_streaming};
    ///
    /// let tiny = Limits { max_module_bytes: 16, ..Limits::DEFAULT };
    /// let engine = Config::new().limits(tiny).engine();
    /// let wasm = wat::parse_str("(module (memory 1) (func) (func))")?;
    /// assert!(wasm.len() > 16);
    /// assert!(matches!(compile_streaming(&engine, &wasm[..]), Err(Error::Compile(_))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Count fuel while Wasm runs, so the start function and every call
    /// stop when the store's fuel runs out. Default: off.
    ///
    /// A store starts with no fuel: give it some with
    /// [`Store::set_fuel`](wasmi::Store::set_fuel) before instantiating. A
    /// start function that runs out is an [`Error::Runtime`](crate::Error::Runtime)
    /// ("out of fuel", [`LimitExceeded::Fuel`](crate::LimitExceeded::Fuel));
    /// a call that runs out returns wasmi's
    /// [`TrapCode::OutOfFuel`](wasmi::TrapCode::OutOfFuel), and may be
    /// called again after a refill.
    ///
    /// ```
    /// use wasmstream::wasmi::{Store, TrapCode};
    /// use wasmstream::{Config, Error, Imports, LimitExceeded, instantiate_streaming};
    ///
    /// let engine = Config::new().consume_fuel(true).engine();
    /// let mut store = Store::new(&engine, ());
    /// store.set_fuel(10_000)?;
    ///
    /// let wasm = wat::parse_str("(module (func $spin (loop (br 0))) (start $spin))")?;
    /// match instantiate_streaming(&mut store, &wasm[..], &Imports::new(&engine)) {
    ///     Err(Error::Runtime(e)) => {
    ///         assert_eq!(e.limit_exceeded(), Some(LimitExceeded::Fuel));
    ///         assert!(e.to_string().contains("out of fuel"));
    ///     }
    ///     other => panic!("expected a RuntimeError, got {other:?}"),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn consume_fuel(mut self, enable: bool) -> Self {
        self.wasmi.consume_fuel(enable);
        self
    }

    /// Deepest call nesting of Wasm functions before a stack-overflow trap.
    ///
    /// ```
    /// use wasmstream::wasmi::{Store, TrapCode};
    /// use wasmstream::{Config, Imports, instantiate_streaming};
    ///
    /// let engine = Config::new().max_recursion_depth(16).engine();
    /// let mut store = Store::new(&engine, ());
    /// let wasm = wat::parse_str(r#"(module (func $down (export "down") (param i32)
    ///     (if (local.get 0) (then (call $down (i32.sub (local.get 0) (i32.const 1)))))))"#)?;
    /// let done = instantiate_streaming(&mut store, &wasm[..], &Imports::new(&engine))?;
    /// let down = done.instance.get_typed_func::<i32, ()>(&store, "down")?;
    /// assert!(down.call(&mut store, 8).is_ok());
    /// let trap = down.call(&mut store, 100).unwrap_err();
    /// assert_eq!(trap.as_trap_code(), Some(TrapCode::StackOverflow));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    /// use wasmstream::wasmi::{Store, TrapCode};
    /// use wasmstream::{Config, Imports, instantiate_streaming};
    ///
    /// let engine = Config::new().stack_heights(512, 2 * 1024).engine();
    /// let mut store = Store::new(&engine, ());
    /// let wasm = wat::parse_str(r#"(module (func $down (export "down") (param i32)
    ///     (if (local.get 0) (then (call $down (i32.sub (local.get 0) (i32.const 1)))))))"#)?;
    /// let done = instantiate_streaming(&mut store, &wasm[..], &Imports::new(&engine))?;
    /// let down = done.instance.get_typed_func::<i32, ()>(&store, "down")?;
    /// assert!(down.call(&mut store, 10).is_ok());
    /// // Fewer calls than the default recursion depth (1000), more than 2 KiB holds:
    /// let trap = down.call(&mut store, 500).unwrap_err();
    /// assert_eq!(trap.as_trap_code(), Some(TrapCode::StackOverflow));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
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
    ///
    /// ```
    /// use wasmstream::wasmi::EnforcedLimits;
    /// use wasmstream::{Config, Error, compile_streaming};
    ///
    /// let wasm = wat::parse_str("(module (memory 1) (memory 1))")?;
    /// assert!(compile_streaming(&Config::new().engine(), &wasm[..]).is_ok());
    /// let strict = Config::new().enforced_limits(EnforcedLimits::strict()).engine();
    /// assert!(matches!(compile_streaming(&strict, &wasm[..]), Err(Error::Compile(_))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn enforced_limits(mut self, limits: wasmi::EnforcedLimits) -> Self {
        self.wasmi.enforced_limits(limits);
        self
    }

    /// Builds the [`Engine`] for this configuration.
    ///
    /// ```
    /// use wasmstream::{Config, Limits};
    ///
    /// let config = Config::new().limits(Limits::HOST);
    /// let engine = config.engine();
    /// assert_eq!(engine.limits(), Limits::HOST);
    /// ```
    #[must_use]
    pub fn engine(&self) -> Engine {
        Engine::new(self)
    }

    /// The streaming limits in force.
    ///
    /// ```
    /// use wasmstream::{Config, Limits};
    ///
    /// assert_eq!(Config::new().limits(Limits::HOST).get_limits(), Limits::HOST);
    /// ```
    #[must_use]
    pub fn get_limits(&self) -> Limits {
        self.limits
    }

    /// The compilation mode in force.
    ///
    /// ```
    /// use wasmstream::{CompilationMode, Config};
    ///
    /// let config = Config::new().compilation_mode(CompilationMode::Eager);
    /// assert_eq!(config.get_compilation_mode(), CompilationMode::Eager);
    /// ```
    #[must_use]
    pub fn get_compilation_mode(&self) -> CompilationMode {
        self.mode
    }
}
