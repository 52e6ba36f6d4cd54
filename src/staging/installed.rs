//! Installed modules: the install record [`FlashStaging`](super::FlashStaging)
//! writes last, and [`load_installed`], which reopens the module at boot
//! without validating it again.
//!
//! # The region's layout
//!
//! ```text
//! region byte   0 ..  88   record body (little-endian):
//!                 0.. 4      format version (INSTALL_FORMAT_VERSION)
//!                 4.. 8      zero
//!                 8..16      module length in bytes
//!                16..24      Wasm feature bits the module was validated under
//!                24..56      SHA-256 of the module bytes
//!                56..88      SHA-256 of bytes 0..56 (the body's own check)
//! region byte 256 .. 264   magic "wsinstal", written last of all
//! region byte 512 ..       the module bytes (RECORD_BYTES = 512)
//! ```
//!
//! The body and the magic sit at fixed offsets, whatever the flash's write
//! unit (a power of two up to [`MAX_WRITE_SIZE`](super::MAX_WRITE_SIZE) =
//! 256), so the loader needs only the region's bytes. Body and magic are in
//! different write units, so the magic is its own, final write.
//!
//! # Why a torn install never looks installed
//!
//! An install erases the record's page(s) first (in `begin`), then writes the
//! module, reads it back, writes the body, and writes the magic last. Power
//! lost at any point leaves:
//!
//! * before or during that first erase: the old install (a partially erased
//!   page may keep the old magic; then its body check or the module digest
//!   fails if anything under them changed, or the old install is intact);
//! * after the erase, before the magic: no magic — `NoRecord`;
//! * during the magic's write: a magic with some bits still 1 — `NoRecord`
//!   (a cell that reads as programmed is programmed);
//! * after the magic: a complete record, written only after the module was
//!   validated and read back with the right SHA-256.
//!
//! Nothing is ever written over a record without erasing it first (NOR
//! cannot), and the magic is written only after the body's write returned,
//! so a magic that reads right vouches for a complete body; the body's own
//! SHA-256 catches a body changed by anything else.

use core::fmt;

use sha2::{Digest, Sha256};

use crate::Engine;
use crate::compile::ImportRecorder;
use crate::instantiate::Module;

/// Bytes at the start of a flash region that hold the install record; the
/// module bytes follow them.
///
/// ```
/// assert_eq!(wasmstream::staging::RECORD_BYTES, 512);
/// ```
pub const RECORD_BYTES: usize = 512;

/// The install record's format version. It also fixes what the recorded Wasm
/// feature bits mean (those of wasmparser 0.228, the version this crate
/// pins); a record of another version is refused.
///
/// ```
/// assert_eq!(wasmstream::staging::INSTALL_FORMAT_VERSION, 1);
/// ```
pub const INSTALL_FORMAT_VERSION: u32 = 1;

/// Where the magic sits: its own write unit, after the body's.
pub(super) const MAGIC_AT: usize = 256;
pub(super) const MAGIC: [u8; 8] = *b"wsinstal";
/// The record body's length; its own check covers bytes `..BODY_CHECKED`.
pub(super) const BODY_BYTES: usize = 88;
const BODY_CHECKED: usize = 56;

/// What an install record says about the module after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Record {
    pub(super) length: u64,
    pub(super) features: u64,
    pub(super) digest: [u8; 32],
}

impl Record {
    /// The record body, as it is written at region byte 0.
    pub(super) fn body(&self) -> [u8; BODY_BYTES] {
        let mut body = [0; BODY_BYTES];
        body[0..4].copy_from_slice(&INSTALL_FORMAT_VERSION.to_le_bytes());
        body[8..16].copy_from_slice(&self.length.to_le_bytes());
        body[16..24].copy_from_slice(&self.features.to_le_bytes());
        body[24..56].copy_from_slice(&self.digest);
        let check = Sha256::digest(&body[..BODY_CHECKED]);
        body[BODY_CHECKED..].copy_from_slice(&check);
        body
    }

    /// Reads and checks the record at the start of `region`: magic, the
    /// body's own check, version, and that the module fits after it. Does
    /// not hash the module.
    pub(super) fn read(region: &[u8]) -> Result<Record, InstallError> {
        if region.len() < RECORD_BYTES {
            return Err(InstallError::RegionTooShort { len: region.len() });
        }
        if region[MAGIC_AT..MAGIC_AT + MAGIC.len()] != MAGIC {
            return Err(InstallError::NoRecord);
        }
        let body = &region[..BODY_BYTES];
        if Sha256::digest(&body[..BODY_CHECKED])[..] != body[BODY_CHECKED..] {
            return Err(InstallError::DamagedRecord);
        }
        let version = u32::from_le_bytes(body[0..4].try_into().unwrap_or_default());
        if version != INSTALL_FORMAT_VERSION {
            return Err(InstallError::UnsupportedVersion { found: version });
        }
        let record = Record {
            length: u64::from_le_bytes(body[8..16].try_into().unwrap_or_default()),
            features: u64::from_le_bytes(body[16..24].try_into().unwrap_or_default()),
            digest: body[24..56].try_into().unwrap_or_default(),
        };
        let available = (region.len() - RECORD_BYTES) as u64;
        if record.length > available {
            return Err(InstallError::Truncated {
                length: record.length,
                available,
            });
        }
        Ok(record)
    }
}

/// Why [`load_installed`] refused a region: nothing was handed to wasmi.
///
/// ```
/// use wasmstream::staging::InstallError;
///
/// assert_eq!(
///     InstallError::NoRecord.to_string(),
///     "install error: no installed module: the install record's magic at region byte 256 is \
///      missing (never installed, erased, or the install was cut short)"
/// );
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum InstallError {
    /// The region is shorter than the install record.
    RegionTooShort {
        /// The region's length.
        len: usize,
    },
    /// No magic: never installed, erased, or an install cut short.
    NoRecord,
    /// The magic is there but the record body fails its own SHA-256.
    DamagedRecord,
    /// A record of another format version.
    UnsupportedVersion {
        /// The version found.
        found: u32,
    },
    /// The record's module length passes the end of the region.
    Truncated {
        /// The module length the record gives.
        length: u64,
        /// The bytes the region has after the record.
        available: u64,
    },
    /// The module was validated under another Wasm feature set than the
    /// engine's.
    FeaturesDiffer {
        /// The feature bits the record gives.
        installed: u64,
        /// The engine's feature bits.
        engine: u64,
    },
    /// The module bytes do not have the SHA-256 the record gives.
    DigestMismatch {
        /// The module length the record gives.
        length: u64,
    },
    /// The module bytes do not parse at `offset`. Bytes that match the
    /// record's SHA-256 were validated before they were installed, so this
    /// means a bug, not a damaged flash; it is an error rather than a panic.
    Unparsable {
        /// The module byte where parsing failed.
        offset: u64,
    },
    /// wasmi could not build the (valid) module, for instance out of memory.
    Wasmi(wasmi::Error),
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("install error: ")?;
        match self {
            InstallError::RegionTooShort { len } => write!(
                f,
                "the region is {len} bytes, shorter than the {RECORD_BYTES}-byte install record"
            ),
            InstallError::NoRecord => write!(
                f,
                "no installed module: the install record's magic at region byte {MAGIC_AT} is \
                 missing (never installed, erased, or the install was cut short)"
            ),
            InstallError::DamagedRecord => write!(
                f,
                "the install record (region bytes 0..{BODY_BYTES}) is damaged: its own SHA-256 does not match"
            ),
            InstallError::UnsupportedVersion { found } => write!(
                f,
                "install record format version {found}, this build reads version {INSTALL_FORMAT_VERSION}"
            ),
            InstallError::Truncated { length, available } => write!(
                f,
                "the record gives a module of {length} bytes, the region holds {available} after the record"
            ),
            InstallError::FeaturesDiffer { installed, engine } => write!(
                f,
                "the module was validated with Wasm feature bits {installed:#x}, this engine has \
                 {engine:#x}; install it again with this engine"
            ),
            InstallError::DigestMismatch { length } => write!(
                f,
                "the {length} module bytes at region byte {RECORD_BYTES} do not have the SHA-256 of the install record"
            ),
            InstallError::Unparsable { offset } => write!(
                f,
                "the installed module does not parse at module byte {offset}"
            ),
            InstallError::Wasmi(e) => write!(f, "wasmi could not build the installed module: {e}"),
        }
    }
}

impl core::error::Error for InstallError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            InstallError::Wasmi(e) => Some(e),
            _ => None,
        }
    }
}

/// Builds the module installed in `installed` — the memory-mapped view of a
/// flash region [`FlashStaging`](super::FlashStaging) staged a module into —
/// without validating it again.
///
/// It reads the install record, checks it (magic, its own SHA-256, format
/// version, length), checks that the engine's Wasm feature set is the one
/// the module was validated under, and that the module bytes have the
/// recorded SHA-256; only then does wasmi build the module, with
/// `Module::new_unchecked`.
///
/// **Why that is sound:** `new_unchecked` needs bytes valid under the
/// engine's configuration. A record is written only by
/// `FlashStaging::finish`, which needs a [`Validated`](super::Validated) —
/// made only by this crate's validator after it accepted every staged byte
/// (or by an `unsafe` promise), and passed on only with those bytes (the
/// contract of the `unsafe trait` [`Staging`](super::Staging)) — and which
/// first reads the staged bytes back and checks their SHA-256. The record gives that SHA-256 and the feature
/// bits the validator used. Bytes with that SHA-256 are those bytes (finding
/// others is a SHA-256 collision), and equal feature bits mean this engine's
/// validator would have decided the same; a torn install has no record (see
/// the module docs above). So the bytes handed to wasmi are bytes this crate
/// validated under exactly this engine's feature set. The resource limits of
/// [`Limits`](crate::Limits) are not re-checked: they bound the stream, and
/// it was bounded when it was installed.
///
/// The SHA-256 pass costs one read of the module; it is what makes skipping
/// validation safe.
///
/// # Errors
///
/// [`InstallError`] naming what is wrong: no record (never installed, or cut
/// short), a damaged record, another format version, another feature set, a
/// digest mismatch; or wasmi's own error.
///
/// ```
/// use wasmstream::Config;
/// use wasmstream::staging::{InstallError, load_installed};
///
/// let engine = Config::new().engine();
/// // An erased region (all 0xFF): nothing installed.
/// let region = [0xFF_u8; 4096];
/// let error = load_installed(&engine, &region).unwrap_err();
/// assert!(matches!(error, InstallError::NoRecord));
/// ```
///
/// An install and a load, over the in-memory NOR flash the tests use
/// (`tests/common/nor_flash.rs`):
///
/// ```
/// # mod nor_flash { include!("../../tests/common/nor_flash.rs"); }
/// # use nor_flash::NorFlashDouble;
/// use wasmstream::staging::{FlashStaging, InstallError, Staging, Validated, load_installed};
/// use wasmstream::Config;
///
/// let engine = Config::new().engine();
/// let wasm = wat::parse_str(r#"(module (func (export "f") (result i32) i32.const 7))"#)?;
/// let flash = NorFlashDouble::<4, 4096>::new(4 * 4096);
/// // SAFETY: the view of the whole device, which only `staging` writes.
/// let mut staging = unsafe { FlashStaging::new(flash.clone(), 0, 4 * 4096, flash.view(0)) }?;
/// staging.begin(None)?;
/// staging.write(&wasm)?;
/// wasmstream::wasmi::Module::new(&engine, &wasm)?;
/// // SAFETY: `Module::new` validated exactly these bytes under this engine.
/// staging.finish(unsafe { Validated::new_unchecked(&engine, wasm.len() as u64) })?;
///
/// // At the next boot:
/// let module = load_installed(&engine, staging.region())?;
/// assert!(module.wasmi().get_export("f").is_some());
/// // Under another feature set it is refused, not loaded.
/// let other = Config::new().wasm_multi_value(false).engine();
/// let error = load_installed(&other, staging.region()).unwrap_err();
/// assert!(matches!(error, InstallError::FeaturesDiffer { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_installed(engine: &Engine, installed: &[u8]) -> Result<Module, InstallError> {
    let record = Record::read(installed)?;
    let engine_features = super::feature_bits(engine);
    if record.features != engine_features {
        return Err(InstallError::FeaturesDiffer {
            installed: record.features,
            engine: engine_features,
        });
    }
    // `Record::read` checked that the length fits the region.
    let end = RECORD_BYTES + record.length as usize;
    let module = &installed[RECORD_BYTES..end];
    if Sha256::digest(module)[..] != record.digest {
        return Err(InstallError::DigestMismatch {
            length: record.length,
        });
    }
    let shape = shape_of(module)?;
    // SAFETY: `module` has the SHA-256 of bytes that this crate validated
    // under `engine_features`, this engine's feature set, and read back from
    // flash before it wrote the record (see "Why that is sound" above).
    let wasmi =
        unsafe { wasmi::Module::new_unchecked(engine, module) }.map_err(InstallError::Wasmi)?;
    Ok(Module::new(wasmi, shape))
}

/// What [`Module`] keeps of a module's sections (import and export order,
/// declared sizes), read again from its bytes: a parse, no validation.
fn shape_of(module: &[u8]) -> Result<crate::compile::ModuleShape, InstallError> {
    let mut recorder = ImportRecorder::kinds_only();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload.map_err(|e| InstallError::Unparsable {
            offset: e.offset() as u64,
        })?;
        recorder.observe(&payload);
    }
    Ok(recorder.into_shape())
}
