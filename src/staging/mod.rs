//! Staging: where the validated module bytes wait for wasmi.
//!
//! The [`StreamingCompiler`](crate::StreamingCompiler) passes every byte it
//! has validated (every byte of the stream but skipped custom sections, in
//! stream order) to a [`Staging`] sink. When the whole module has validated,
//! [`Staging::finish`] yields the staged bytes as one contiguous slice, from
//! which wasmi builds its module.

mod error;
mod vec;

pub use error::StagingError;
pub use vec::VecStaging;

/// What a staging sink is told when the module has validated.
///
/// ```
/// use wasmstream::staging::Validated;
///
/// let validated = Validated { staged_bytes: 8, features: 0 };
/// assert_eq!(validated.staged_bytes, 8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validated {
    /// How many bytes were staged (the sum of every `write`).
    pub staged_bytes: u64,
    /// The Wasm feature set the module was validated under, as
    /// `wasmparser::WasmFeatures` bits. An installed module records it, so
    /// it is never loaded into an engine with a different feature set.
    pub features: u64,
}

/// A sink for validated module bytes.
///
/// Calls come in this order: [`begin`](Self::begin) once, before the first
/// byte, any number of [`write`](Self::write)s as the bytes arrive (before
/// the module is known to be valid), then [`finish`](Self::finish) once if,
/// and only if, the whole module validated. An error from any of them stops
/// the stream; the compiler reports it as
/// [`Error::Staging`](crate::Error::Staging).
///
/// # Safety
///
/// The compiler hands the slice [`finish`](Self::finish) returns to
/// `wasmi::Module::new_unchecked`, which is undefined behaviour on bytes
/// that were not validated. An implementation must therefore guarantee that
/// the slice is exactly the bytes passed to `write`, all of them, in order,
/// and that they stay unchanged while the slice is borrowed.
///
/// ```
/// use wasmstream::staging::{Staging, StagingError, Validated, VecStaging};
///
/// let mut staging = VecStaging::new();
/// staging.begin(Some(8))?;
/// staging.write(b"\0asm")?;
/// staging.write(&[1, 0, 0, 0])?;
/// let bytes = staging.finish(Validated { staged_bytes: 8, features: 0 })?;
/// assert_eq!(bytes, b"\0asm\x01\0\0\0");
/// # Ok::<(), StagingError>(())
/// ```
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

    /// Appends the next validated bytes.
    ///
    /// # Errors
    ///
    /// [`StagingError`] when the sink is full or its storage fails; it names
    /// the offset at which it failed.
    fn write(&mut self, bytes: &[u8]) -> Result<(), StagingError>;

    /// Called once the whole module has validated: completes the staged
    /// copy and yields it as one contiguous slice, exactly the bytes
    /// written, in order (see the trait's safety section). `validated` says
    /// how many bytes that is and under which feature set they validated.
    ///
    /// # Errors
    ///
    /// [`StagingError`] when the sink cannot complete its copy.
    fn finish(&mut self, validated: Validated) -> Result<&[u8], StagingError>;
}
