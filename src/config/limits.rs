//! [`Limits`]: the size limits checked while a module streams in.

/// Size limits checked while a module streams in.
///
/// Declared sizes are compared with these limits *before* anything is
/// reserved, so a hostile header cannot make the compiler allocate.
/// The defaults suit a microcontroller; raise them for a host.
///
/// ```
/// use wasmstream::{Config, Error, Limits, compile_streaming};
///
/// let limits = Limits { max_function_body_bytes: 8, ..Limits::DEFAULT };
/// let engine = Config::new().limits(limits).engine();
/// let wasm = wat::parse_str("(module (func (drop (i64.const 0x7fffffffffffffff))))")?;
/// let Err(Error::Compile(error)) = compile_streaming(&engine, &wasm[..]) else { panic!() };
/// assert!(error.message().contains("limit"), "{error}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Copy, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest module accepted, in bytes, counting every byte of the stream
    /// (custom sections included). Default: 1 MiB.
    pub max_module_bytes: u32,
    /// Largest single section, in bytes (its payload, without the id and size
    /// fields). Default: 1 MiB.
    pub max_section_bytes: u32,
    /// Largest function body, in bytes. Default: 128 KiB. Checked as soon as
    /// a body's size field has arrived, however the bytes are chunked.
    pub max_function_body_bytes: u32,
}

impl Limits {
    /// The defaults, for a microcontroller.
    ///
    /// ```
    /// use wasmstream::Limits;
    ///
    /// assert_eq!(Limits::DEFAULT.max_module_bytes, 1024 * 1024);
    /// assert_eq!(Limits::default(), Limits::DEFAULT);
    /// ```
    pub const DEFAULT: Limits = Limits {
        max_module_bytes: 1024 * 1024,
        max_section_bytes: 1024 * 1024,
        max_function_body_bytes: 128 * 1024,
    };

    /// Limits for a host: modules and sections up to 256 MiB.
    ///
    /// ```
    /// use wasmstream::{Config, Limits};
    ///
    /// assert!(Limits::HOST.max_module_bytes > Limits::DEFAULT.max_module_bytes);
    /// let host_engine = Config::new().limits(Limits::HOST).engine();
    /// assert_eq!(host_engine.limits().max_section_bytes, 256 * 1024 * 1024);
    /// ```
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
