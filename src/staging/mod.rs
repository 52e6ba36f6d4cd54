//! Staging: where the validated module bytes wait for wasmi.
//!
//! The [`StreamingCompiler`](crate::StreamingCompiler) passes every byte it
//! has validated (every byte of the stream but skipped custom sections, in
//! stream order) to a [`Staging`] sink. When the whole module has validated,
//! [`Staging::finish`] yields the staged bytes as one contiguous slice, from
//! which wasmi builds its module.

mod error;
#[cfg(feature = "flash")]
mod flash;
#[cfg(feature = "flash")]
mod installed;
mod vec;

#[cfg(feature = "flash")]
pub use error::FlashOperation;
pub use error::StagingError;
#[cfg(feature = "flash")]
pub use flash::{FlashStaging, MAX_WRITE_SIZE};
#[cfg(feature = "flash")]
pub use installed::{INSTALL_FORMAT_VERSION, InstallError, RECORD_BYTES, load_installed};
pub use vec::VecStaging;

/// What a staging sink is told when the module has validated: the proof that
/// the staged bytes are a valid module.
///
/// Only this crate makes one, after its validator accepted every staged
/// byte, so outside it the struct cannot be built with a literal
/// (`#[non_exhaustive]`). A sink may rely on that: `FlashStaging` (feature
/// `flash`) writes the install record that lets `load_installed` skip
/// validation at boot only when it is handed a `Validated`. Code that validated a module by
/// other means states it with the `unsafe` [`Validated::new_unchecked`].
///
/// ```
/// use wasmstream::Config;
/// use wasmstream::staging::Validated;
///
/// let engine = Config::new().engine();
/// // SAFETY: 8 bytes: the empty module, valid under every feature set.
/// let validated = unsafe { Validated::new_unchecked(&engine, 8) };
/// assert_eq!(validated.staged_bytes, 8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Validated {
    /// How many bytes were staged (the sum of every `write`).
    pub staged_bytes: u64,
    /// The Wasm feature set the module was validated under, as
    /// `wasmparser::WasmFeatures` bits. An installed module records it, so
    /// it is never loaded into an engine with a different feature set.
    pub features: u64,
}

impl Validated {
    /// States that the `staged_bytes` bytes staged are a module valid under
    /// `engine`'s Wasm feature set, without this crate having validated them.
    ///
    /// # Safety
    ///
    /// The bytes written to the sink, in order, must be a module valid under
    /// `engine`'s configuration — for instance bytes for which
    /// `wasmi::Module::new(&engine, bytes)` succeeded. A sink may hand them
    /// to `wasmi::Module::new_unchecked`, now or (with `FlashStaging`'s
    /// install record) at every later boot.
    ///
    /// ```
    /// use wasmstream::staging::{Staging, Validated, VecStaging};
    /// use wasmstream::Config;
    ///
    /// let engine = Config::new().engine();
    /// let wasm = wat::parse_str("(module (func (export \"f\")))")?;
    /// wasmstream::wasmi::Module::new(&engine, &wasm)?; // wasmi validated it
    /// let mut staging = VecStaging::new();
    /// staging.begin(Some(wasm.len() as u64))?;
    /// staging.write(&wasm)?;
    /// // SAFETY: `Module::new` above validated exactly these bytes with this engine.
    /// let validated = unsafe { Validated::new_unchecked(&engine, wasm.len() as u64) };
    /// assert_eq!(staging.finish(validated)?, &wasm[..]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub unsafe fn new_unchecked(engine: &crate::Engine, staged_bytes: u64) -> Self {
        Validated {
            staged_bytes,
            features: feature_bits(engine),
        }
    }
}

/// The engine's Wasm feature set as [`Validated::features`] and the install
/// record carry it: one encoding for writing and for checking.
pub(crate) fn feature_bits(engine: &crate::Engine) -> u64 {
    u64::from(engine.features().bits())
}

/// A sink for validated module bytes.
///
/// Calls come in this order: [`begin`](Self::begin) once, before the first
/// byte, any number of [`write`](Self::write)s as the bytes arrive (before
/// the module is known to be valid; [`reserve`](Self::reserve) before the
/// code and the data section), then [`finish`](Self::finish) once if,
/// and only if, the whole module validated. An error from any of them stops
/// the stream; the compiler reports it as
/// [`Error::Staging`](crate::Error::Staging).
///
/// ```
/// use wasmstream::staging::{Staging, StagingError, Validated, VecStaging};
///
/// let engine = wasmstream::Config::new().engine();
/// let mut staging = VecStaging::new();
/// staging.begin(Some(8))?;
/// staging.write(b"\0asm")?;
/// staging.write(&[1, 0, 0, 0])?;
/// // SAFETY: the empty module, valid under every feature set.
/// let bytes = staging.finish(unsafe { Validated::new_unchecked(&engine, 8) })?;
/// assert_eq!(bytes, b"\0asm\x01\0\0\0");
/// # Ok::<(), StagingError>(())
/// ```
///
/// # Safety
///
/// wasmi builds its module from the slice `finish` returns with
/// `Module::new_unchecked`, trusting that it is the validated module. So an
/// implementation must:
///
/// * return from `finish` exactly the bytes given to `write` since `begin`,
///   in order, and keep them unchanged while the slice lives;
/// * hand the [`Validated`] it is given to nothing but a sink holding
///   exactly those bytes (a wrapper may forward it, with every byte, to the
///   sink it wraps).
pub unsafe trait Staging {
    /// Called once, before the first write, with the module's size in bytes
    /// when the caller knows it (a size hint or a `Content-Length`): a sink
    /// can reserve its room once, or refuse a module that cannot fit before
    /// a byte of it is written.
    ///
    /// # Errors
    ///
    /// [`StagingError`] when the sink cannot hold a module of that size.
    fn begin(&mut self, size_hint: Option<u64>) -> Result<(), StagingError>;

    /// Called at the header of the code and the data section, before their
    /// contents: at least `additional` more bytes are coming (the header and
    /// the declared size, within the engine's `Limits`). Only a hint — the stream may end earlier or prove invalid —
    /// but it lets a sink that grows without a size hint grow once per
    /// section rather than as the bytes arrive, as [`VecStaging`] does. The
    /// default ignores it.
    ///
    /// ```
    /// use wasmstream::staging::{Staging, VecStaging};
    ///
    /// let mut staging = VecStaging::new();
    /// staging.begin(None)?;
    /// staging.reserve(100_000)?; // a code section's header
    /// staging.write(&[0; 100_000])?; // its bytes: no more growth
    /// # Ok::<(), wasmstream::staging::StagingError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`StagingError`] when the sink cannot make the room.
    fn reserve(&mut self, additional: u64) -> Result<(), StagingError> {
        let _ = additional;
        Ok(())
    }

    /// Appends the next validated bytes.
    ///
    /// # Errors
    ///
    /// [`StagingError`] when the sink is full or its storage fails; it names
    /// the offset at which it failed.
    fn write(&mut self, bytes: &[u8]) -> Result<(), StagingError>;

    /// Called once the whole module has validated — and passed every check
    /// asked for (integrity, signature): a sink may make it permanent, as
    /// `FlashStaging` does with its install record. Completes the staged
    /// copy and yields it as one contiguous slice, exactly the bytes
    /// written, in order (see the trait's safety section). `validated` says
    /// how many bytes that is and under which feature set they validated.
    ///
    /// # Errors
    ///
    /// [`StagingError`] when the sink cannot complete its copy.
    fn finish(&mut self, validated: Validated) -> Result<&[u8], StagingError>;
}
