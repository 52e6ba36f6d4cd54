//! [`CompileOptions`]: how the streaming calls read, stage and link — the
//! JS API's `compileOptions`.

use super::StreamingCompiler;
use crate::config::Engine;
use crate::staging::{Staging, VecStaging};

/// How [`compile_streaming_with`](crate::compile_streaming_with) and
/// [`instantiate_streaming_with`](crate::instantiate_streaming_with) (and
/// their `_async` twins) read, stage and link: the JS API's
/// `compileOptions`, one builder method per choice.
///
/// * [`window`](Self::window): the read buffer (default: a
///   [`DEFAULT_WINDOW_BYTES`](crate::DEFAULT_WINDOW_BYTES) array on the stack);
/// * [`size_hint`](Self::size_hint): the module's length, when known;
/// * [`staging`](Self::staging): where the validated bytes wait for wasmi
///   (default: a [`VecStaging`] on the heap);
/// * [`early_link_check`](Self::early_link_check): link as soon as the
///   import section has arrived (instantiating only).
///
/// ```
/// use wasmstream::{CompileOptions, Config, compile_streaming_with};
///
/// let engine = Config::new().engine();
/// let wasm = wat::parse_str(r#"(module (func (export "f")))"#)?;
/// let mut window = [0u8; 64];
/// let options = CompileOptions::new().window(&mut window).size_hint(wasm.len() as u64);
/// let module = compile_streaming_with(&engine, &wasm[..], options)?;
/// assert!(module.wasmi().get_export("f").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct CompileOptions<'w, S: Staging = VecStaging> {
    window: Option<&'w mut [u8]>,
    size_hint: Option<u64>,
    staging: S,
    early_link_check: bool,
}

impl Default for CompileOptions<'_> {
    fn default() -> Self {
        CompileOptions::new()
    }
}

impl CompileOptions<'_> {
    /// The defaults: a [`DEFAULT_WINDOW_BYTES`](crate::DEFAULT_WINDOW_BYTES)
    /// window on the stack, the length the source knows (if any), a
    /// [`VecStaging`], no early link check.
    ///
    /// ```
    /// let options = wasmstream::CompileOptions::new();
    /// # drop(options);
    /// ```
    pub fn new() -> Self {
        CompileOptions {
            window: None,
            size_hint: None,
            staging: VecStaging::new(),
            early_link_check: false,
        }
    }
}

impl<'w, S: Staging> CompileOptions<'w, S> {
    /// Reads through `window` (for example a `static` buffer on a
    /// microcontroller, or a larger one on a host). An empty window reads
    /// one byte at a time.
    ///
    /// ```
    /// use wasmstream::{CompileOptions, Config, compile_streaming_with};
    ///
    /// let engine = Config::new().engine();
    /// let wasm = wat::parse_str(r#"(module (func (export "f")))"#)?;
    /// let one_byte_reads = CompileOptions::new().window(&mut []);
    /// assert!(compile_streaming_with(&engine, &wasm[..], one_byte_reads)?.wasmi().get_export("f").is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn window(mut self, window: &'w mut [u8]) -> Self {
        self.window = Some(window);
        self
    }

    /// The module's length in bytes (a file or flash image, a
    /// `Content-Length`), overriding what the source itself knows
    /// ([`Source::known_length`](crate::Source::known_length)).
    ///
    /// The staging reserves its room once, and the stream must be exactly
    /// this long: a stream that ends earlier — at a section boundary too —
    /// is an [`Error::Compile`](crate::Error::Compile) at the end of the
    /// stream naming both lengths (the module as delivered is truncated); a
    /// longer one is a compile error at the first byte past the length,
    /// which is never read. See
    /// [`StreamingCompiler::with_known_length`].
    ///
    /// ```
    /// use wasmstream::{CompileOptions, Config, Error, compile_streaming_with};
    ///
    /// let engine = Config::new().engine();
    /// let wasm = wat::parse_str("(module (memory 1) (data (i32.const 0) \"hi\"))")?;
    /// let options = CompileOptions::new().size_hint(wasm.len() as u64 + 10);
    /// let Err(Error::Compile(error)) = compile_streaming_with(&engine, &wasm[..], options) else {
    ///     panic!("a stream shorter than its length must fail");
    /// };
    /// assert_eq!(error.offset(), wasm.len() as u64);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn size_hint(mut self, bytes: u64) -> Self {
        self.size_hint = Some(bytes);
        self
    }

    /// Stages the validated bytes in `staging` instead of a [`VecStaging`]
    /// (for example in flash).
    ///
    /// ```
    /// use wasmstream::{CompileOptions, Config, VecStaging, compile_streaming_with};
    ///
    /// let engine = Config::new().engine();
    /// let options = CompileOptions::new().staging(VecStaging::new());
    /// let module = compile_streaming_with(&engine, &b"\0asm\x01\0\0\0"[..], options)?;
    /// assert_eq!(module.exports().count(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn staging<T: Staging>(self, staging: T) -> CompileOptions<'w, T> {
        CompileOptions {
            window: self.window,
            size_hint: self.size_hint,
            staging,
            early_link_check: self.early_link_check,
        }
    }

    /// When instantiating, checks the imports as soon as the import section
    /// has arrived and stops reading at once on a missing namespace
    /// (`Error::Type`) or an import that cannot link (`Error::Link`), so a
    /// module that can never run is not downloaded to its end. Compiling
    /// alone has no import object, and ignores it.
    ///
    /// Off by default: the JS API reports a `CompileError` anywhere in the
    /// module before any `LinkError`, and with the check on a module that is
    /// both unlinkable and invalid further on reports the `LinkError`.
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
    pub fn early_link_check(mut self, enable: bool) -> Self {
        self.early_link_check = enable;
        self
    }

    /// Splits the options into what a driver needs: the window (if chosen),
    /// a compiler for `engine` with the staging and the known length, and
    /// whether to link early.
    pub(crate) fn into_parts(
        self,
        engine: &Engine,
        source_length: Option<u64>,
    ) -> (Option<&'w mut [u8]>, StreamingCompiler<S>, bool) {
        let mut compiler = StreamingCompiler::with_staging(engine, self.staging);
        if let Some(length) = self.size_hint.or(source_length) {
            compiler = compiler.with_known_length(length);
        }
        (self.window, compiler, self.early_link_check)
    }
}
