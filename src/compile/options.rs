//! [`CompileOptions`]: how the streaming calls read, stage and link — the
//! JS API's `compileOptions`.

#[cfg(feature = "integrity")]
use alloc::boxed::Box;

use super::StreamingCompiler;
use super::read_controls::ReadControls;
use crate::config::Engine;
use crate::control::{Abort, NoAbort, NoProgress, Progress};
#[cfg(feature = "integrity")]
use crate::integrity::IntegrityCheck;
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
///   import section has arrived (instantiating only);
/// * `integrity` (feature `integrity`): the digest or
///   signature the module must have, checked before wasmi builds anything;
/// * [`progress`](Self::progress): a report after each read (default:
///   [`NoProgress`], which compiles to nothing);
/// * [`abort`](Self::abort): a condition checked before each read
///   (default: [`NoAbort`], which compiles to nothing).
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
pub struct CompileOptions<'w, S: Staging = VecStaging, P: Progress = NoProgress, A: Abort = NoAbort>
{
    window: Option<&'w mut [u8]>,
    size_hint: Option<u64>,
    staging: S,
    early_link_check: bool,
    progress: P,
    abort: A,
    /// Boxed: with its hash state and a decoded public key it is large, and
    /// options move by value through every load, checked or not.
    #[cfg(feature = "integrity")]
    integrity: Option<Box<IntegrityCheck>>,
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
            progress: NoProgress,
            abort: NoAbort,
            #[cfg(feature = "integrity")]
            integrity: None,
        }
    }
}

impl<'w, S: Staging, P: Progress, A: Abort> CompileOptions<'w, S, P, A> {
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
    pub fn staging<T: Staging>(self, staging: T) -> CompileOptions<'w, T, P, A> {
        CompileOptions {
            window: self.window,
            size_hint: self.size_hint,
            staging,
            early_link_check: self.early_link_check,
            progress: self.progress,
            abort: self.abort,
            #[cfg(feature = "integrity")]
            integrity: self.integrity,
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

    /// Checks the module against `check` — its SHA-256 against SRI metadata
    /// or a digest, and (feature `signature`) an Ed25519 signature of that
    /// digest. Every streamed byte is hashed as it is read, custom sections
    /// included; the check is made after the last byte and the module's own
    /// end checks, and **before** the staging is finished (a
    /// [`FlashStaging`](crate::FlashStaging) writes no install record) and
    /// before wasmi sees a byte. A failure is an [`Error::Type`](crate::Error::Type)
    /// ([`TypeError::IntegrityMismatch`](crate::TypeError::IntegrityMismatch)
    /// naming both digests, or
    /// [`TypeError::BadSignature`](crate::TypeError::BadSignature)), as the
    /// Fetch spec reports an integrity failure: nothing is built or run.
    /// The check is kept on the heap (one allocation, here), so that loads
    /// without one carry only a pointer's worth of it on the stack.
    ///
    /// ```
    /// use wasmstream::integrity::{Integrity, IntegrityCheck};
    /// use wasmstream::{CompileOptions, Config, Error, TypeError, compile_streaming_with};
    ///
    /// let engine = Config::new().engine();
    /// let wasm = b"\0asm\x01\0\0\0";
    /// // The SHA-256 of those 8 bytes, as SRI metadata.
    /// let sri = Integrity::from_sri("sha256-k6RLu5bHUSGOTADUeeTBQ1gSKjiazKFiBbHk0NxflHY=")?;
    /// let options = CompileOptions::new().integrity(IntegrityCheck::new(sri));
    /// assert!(compile_streaming_with(&engine, &wasm[..], options).is_ok());
    ///
    /// let wrong = IntegrityCheck::new(Integrity::from_digest([0; 32]));
    /// let options = CompileOptions::new().integrity(wrong);
    /// let error = compile_streaming_with(&engine, &wasm[..], options).unwrap_err();
    /// assert!(matches!(error, Error::Type(TypeError::IntegrityMismatch { .. })), "{error}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "integrity")]
    pub fn integrity(mut self, check: IntegrityCheck) -> Self {
        self.integrity = Some(Box::new(check));
        self
    }

    /// Reports progress to `progress` (any `FnMut(ProgressEvent)`): at most
    /// once per read that delivered bytes, after the compiler took them,
    /// with the bytes received so far, the module's length if known (a size
    /// hint, a `Content-Length`), and the section the last byte belongs to.
    ///
    /// ```
    /// use wasmstream::control::{ProgressEvent, Section};
    /// use wasmstream::{CompileOptions, Config, compile_streaming_with};
    ///
    /// let engine = Config::new().engine();
    /// let wasm = wat::parse_str(r#"(module (func (export "f")))"#)?;
    /// let mut events = Vec::new();
    /// let mut window = [0u8; 4];
    /// let options = CompileOptions::new()
    ///     .window(&mut window)
    ///     .size_hint(wasm.len() as u64)
    ///     .progress(|event: ProgressEvent| events.push(event));
    /// compile_streaming_with(&engine, &wasm[..], options)?;
    /// let last = events.last().unwrap();
    /// assert_eq!((last.received, last.total), (wasm.len() as u64, Some(wasm.len() as u64)));
    /// assert_eq!(events[0].section, Section::Header);
    /// assert_eq!(last.section, Section::Code);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn progress<Q: Progress>(self, progress: Q) -> CompileOptions<'w, S, Q, A> {
        CompileOptions {
            window: self.window,
            size_hint: self.size_hint,
            staging: self.staging,
            early_link_check: self.early_link_check,
            progress,
            abort: self.abort,
            #[cfg(feature = "integrity")]
            integrity: self.integrity,
        }
    }

    /// Checks `abort` (a `&AtomicBool`, any `FnMut() -> bool`) before each
    /// read of the blocking and async drivers; once it is true the load
    /// stops with [`Error::Abort`](crate::Error::Abort) and reads nothing
    /// further. In async code dropping the future aborts as well, at any
    /// await point, and frees everything the load held.
    ///
    /// ```
    /// use core::sync::atomic::{AtomicBool, Ordering};
    /// use wasmstream::{CompileOptions, Config, Error, compile_streaming_with};
    ///
    /// let engine = Config::new().engine();
    /// let wasm = wat::parse_str(r#"(module (func (export "f")))"#)?;
    /// let cancel = AtomicBool::new(true); // set by an interrupt handler, say
    /// let options = CompileOptions::new().abort(&cancel);
    /// let error = compile_streaming_with(&engine, &wasm[..], options).unwrap_err();
    /// assert!(matches!(error, Error::Abort));
    /// assert_eq!(error.to_string(), "AbortError: the caller aborted the load");
    /// # let _ = Ordering::Relaxed;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn abort<B: Abort>(self, abort: B) -> CompileOptions<'w, S, P, B> {
        CompileOptions {
            window: self.window,
            size_hint: self.size_hint,
            staging: self.staging,
            early_link_check: self.early_link_check,
            progress: self.progress,
            abort,
            #[cfg(feature = "integrity")]
            integrity: self.integrity,
        }
    }

    /// Splits the options into what a driver needs (see [`DriverParts`]).
    pub(crate) fn into_parts(
        self,
        engine: &Engine,
        source_length: Option<u64>,
    ) -> DriverParts<'w, S, P, A> {
        let mut compiler = StreamingCompiler::with_staging(engine, self.staging);
        let total = self.size_hint.or(source_length);
        if let Some(length) = total {
            compiler = compiler.with_known_length(length);
        }
        let controls = ReadControls::new(self.progress, self.abort, total);
        #[cfg(feature = "integrity")]
        let controls = controls.with_integrity(self.integrity);
        DriverParts {
            window: self.window,
            compiler,
            early_link_check: self.early_link_check,
            controls,
        }
    }
}

/// What a driver takes from [`CompileOptions`].
pub(crate) struct DriverParts<'w, S: Staging, P, A> {
    /// The caller's window, if one was chosen.
    pub(crate) window: Option<&'w mut [u8]>,
    /// A compiler with the staging and the known length.
    pub(crate) compiler: StreamingCompiler<S>,
    /// Whether to link as soon as the import section has arrived.
    pub(crate) early_link_check: bool,
    /// The controls of the read loop.
    pub(crate) controls: ReadControls<P, A>,
}
