//! [`StreamingCompiler`]: the sans-IO state machine that turns module bytes,
//! fed in chunks of any size, into a [`Module`].

use alloc::format;

use wasmparser::{Chunk, FuncValidatorAllocations, Parser, Payload, Validator, WasmFeatures};

use super::custom_skip::CustomSkip;
use super::data_scan::DataScan;
use super::imports::ImportRecorder;
use super::leb::LebU32;
use super::sections::{binary_error, validate_payload};
use super::unit::Unit;
use crate::config::{Engine, Limits};
use crate::control::Section;
use crate::error::{CompileError, Error, StreamingError};
use crate::instantiate::Module;
use crate::staging::{Staging, Validated, VecStaging};

pub(super) const MAGIC: [u8; 4] = *b"\0asm";
pub(super) const HEADER_LEN: u64 = 8;
pub(super) const CUSTOM_SECTION: u8 = 0;
pub(super) const CODE_SECTION: u8 = 10;
pub(super) const DATA_SECTION: u8 = 11;
/// The highest section id of a core module (13, the tag section).
pub(super) const LAST_SECTION_ID: u8 = 13;
/// A section id and the longest LEB128 `u32` size.
pub(super) const MAX_SECTION_HEADER: usize = 6;
/// The longest LEB128 `u32` (a count or a body size).
pub(super) const MAX_LEB_U32: usize = 5;

/// Where the next byte of the stream belongs.
#[derive(Debug)]
pub(super) enum Stage {
    /// The 8-byte preamble: `\0asm` and the version.
    Preamble,
    /// A section's id and size field; `len` bytes of it are in `bytes`.
    SectionHeader {
        bytes: [u8; MAX_SECTION_HEADER],
        len: usize,
        size: LebU32,
    },
    /// A section's contents, `left` bytes to go.
    Section {
        id: u8,
        left: u32,
        contents: Contents,
    },
}

/// How a section's contents are handled.
#[derive(Debug)]
pub(super) enum Contents {
    /// Kept whole in the unit, parsed once its last byte has arrived.
    Whole,
    /// A custom section skipped as it streams past (not staged).
    Skip(CustomSkip),
    /// The code section: its count, then one function body at a time.
    Code(CodeField),
    /// The data section: segment headers kept, data bytes only staged.
    Data(DataScan),
}

/// The field of the code section the next byte belongs to.
#[derive(Debug, Clone, Copy)]
pub(super) enum CodeField {
    /// The function count.
    Count(LebU32),
    /// A body's size field, which starts at stream offset `start`.
    BodySize { size: LebU32, start: u64 },
    /// A body's bytes: `left` to go.
    Body { left: u32 },
}

/// Compiles a WebAssembly module from bytes fed in chunks of any size,
/// validating each section and each function body as soon as it is complete.
///
/// It performs no I/O: [`feed`](Self::feed) it bytes, then
/// [`finish`](Self::finish) it. An error is returned by the very `feed` call
/// that delivers the byte proving it, with that byte's offset in the stream;
/// after an error every call returns the same error.
///
/// Every byte that wasmi will see (all but skipped custom sections) goes to
/// the [`Staging`] sink `S` as it arrives — by default a [`VecStaging`] on
/// the heap. The compiler itself holds in RAM only the unit it is parsing: a
/// section header, one whole section other than code and data (bounded by
/// [`Limits::max_section_bytes`]), one function body (bounded by
/// [`Limits::max_function_body_bytes`]), or the data section's segment
/// headers (its segment bytes are only staged). Each unit is parsed once,
/// when its last byte has arrived. Its buffer keeps its room from one unit
/// to the next, so feeding allocates only when a unit is larger than any
/// before it, however small the fed chunks are.
///
/// ```
/// use wasmstream::{Config, StreamingCompiler};
///
/// let engine = Config::new().engine();
/// let wasm = wat::parse_str(r#"(module (func (export "f") (result i32) i32.const 7))"#)?;
/// let mut compiler = StreamingCompiler::new(&engine);
/// for chunk in wasm.chunks(3) {
///     compiler.feed(chunk)?;
/// }
/// assert_eq!(compiler.consumed(), wasm.len() as u64);
/// let module = compiler.finish()?;
/// assert!(module.wasmi().get_export("f").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct StreamingCompiler<S: Staging = VecStaging> {
    /// Only what compiling needs of the [`Engine`]: a smaller compiler to
    /// move around, and less code on small targets.
    pub(super) engine: wasmi::Engine,
    pub(super) keep_custom_sections: bool,
    pub(super) limits: Limits,
    pub(super) stage: Stage,
    pub(super) staging: S,
    /// Whether `staging.begin` has been called.
    pub(super) begun: bool,
    /// The module's length, when known: reserves the staging once, and a
    /// stream of another length is an error.
    pub(super) known_length: Option<u64>,
    pub(super) unit: Unit,
    /// The parser offset of the unit's first byte (the parser's position).
    pub(super) unit_base: u64,
    /// How many of the unit's bytes have been staged. Units are staged when
    /// they have parsed: one write per unit, however small the fed chunks.
    pub(super) unit_staged: usize,
    /// The feature set the validator uses.
    pub(super) features: WasmFeatures,
    /// Stream bytes received.
    pub(super) received: u64,
    /// Bytes written to the staging sink.
    pub(super) staged: u64,
    /// Stream offset minus parser offset: the bytes the parser never saw
    /// (skipped custom sections, data segment bytes).
    pub(super) shift: u64,
    /// Function bodies the parser has yet to return.
    pub(super) bodies_left: u32,
    /// The parser still expects function bodies after the code section
    /// ended (an invalid module): later sections are parsed whole.
    pub(super) bodies_missing: bool,
    pub(super) parser: Parser,
    pub(super) validator: Validator,
    pub(super) func_allocations: Option<FuncValidatorAllocations>,
    pub(super) failed: Option<StreamingError>,
    /// The module's shape (import and export order, declared sizes) and,
    /// when asked for, its import declarations (see `imports.rs`).
    pub(super) imports: Option<ImportRecorder>,
    /// The id of the last section whose last byte has arrived, for
    /// [`section`](Self::section) between sections.
    pub(super) last_section: Option<u8>,
}

impl<S: Staging> core::fmt::Debug for StreamingCompiler<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StreamingCompiler")
            .field("received", &self.received)
            .field("staged", &self.staged)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl StreamingCompiler {
    /// A compiler for `engine` staging into a [`VecStaging`], validating with
    /// the Wasm features its [`Config`](crate::Config) set on wasmi and
    /// enforcing its [`Limits`].
    ///
    /// ```
    /// use wasmstream::{Config, StreamingCompiler};
    ///
    /// let compiler = StreamingCompiler::new(&Config::new().engine());
    /// assert_eq!(compiler.consumed(), 0);
    /// assert_eq!(compiler.wanted(), 4); // the magic bytes `\0asm`
    /// ```
    #[must_use]
    pub fn new(engine: &Engine) -> Self {
        StreamingCompiler::with_staging(engine, VecStaging::new())
    }
}

impl<S: Staging> StreamingCompiler<S> {
    /// A compiler for `engine` that passes the validated bytes to `staging`.
    ///
    /// ```
    /// use wasmstream::{Config, StreamingCompiler, VecStaging};
    ///
    /// let engine = Config::new().engine();
    /// let mut compiler = StreamingCompiler::with_staging(&engine, VecStaging::new());
    /// compiler.feed(b"\0asm\x01\0\0\0")?;
    /// let (module, staging) = compiler.finish_with_staging()?;
    /// assert_eq!(module.exports().count(), 0);
    /// # drop(staging);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_staging(engine: &Engine, staging: S) -> Self {
        let features = engine.features();
        let mut parser = Parser::new(0);
        parser.set_features(features);
        StreamingCompiler {
            engine: engine.wasmi().clone(),
            keep_custom_sections: engine.keeps_custom_sections(),
            limits: engine.limits(),
            stage: Stage::Preamble,
            staging,
            begun: false,
            known_length: None,
            unit: Unit::default(),
            unit_base: 0,
            unit_staged: 0,
            features,
            received: 0,
            staged: 0,
            shift: 0,
            bodies_left: 0,
            bodies_missing: false,
            parser,
            validator: Validator::new_with_features(features),
            func_allocations: Some(FuncValidatorAllocations::default()),
            failed: None,
            imports: Some(ImportRecorder::kinds_only()),
            last_section: None,
        }
    }

    /// Tells the compiler the stream's length in bytes (a file or flash
    /// image length, a `Content-Length`, a caller's size hint).
    ///
    /// The length is passed to [`Staging::begin`], so a [`VecStaging`]
    /// reserves its buffer once and never moves it. And the stream must be
    /// exactly that long: a stream that ends earlier — inside a section or
    /// at a section boundary — is a [`CompileError`] at the end of the
    /// stream that names both lengths (the module as delivered is truncated,
    /// and a truncated module is the JS API's `CompileError`), and a byte
    /// past the length is a `CompileError` at that byte. A length over
    /// [`Limits::max_module_bytes`] is a `CompileError` at byte 0, before
    /// anything is reserved. Ignored once bytes have been fed.
    ///
    /// ```
    /// use wasmstream::{Config, StreamingCompiler};
    ///
    /// let wasm = wat::parse_str("(module (memory 1) (data (i32.const 0) \"hi\"))")?;
    /// let engine = Config::new().engine();
    /// let mut compiler = StreamingCompiler::new(&engine).with_known_length(wasm.len() as u64);
    /// compiler.feed(&wasm)?;
    /// compiler.finish()?;
    ///
    /// // The same module cut at its last section boundary: valid by itself,
    /// // but shorter than announced.
    /// let cut = &wasm[..wasm.len() - 9];
    /// let mut compiler = StreamingCompiler::new(&engine).with_known_length(wasm.len() as u64);
    /// compiler.feed(cut)?;
    /// let error = compiler.finish().unwrap_err();
    /// assert!(error.to_string().contains(&format!("{} of {} bytes", cut.len(), wasm.len())), "{error}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_known_length(mut self, bytes: u64) -> Self {
        if self.received == 0 {
            self.known_length = Some(bytes);
        }
        self
    }

    /// Stream bytes consumed so far (every fed byte, unless an error stopped
    /// the compiler earlier).
    ///
    /// ```
    /// use wasmstream::{Config, StreamingCompiler};
    ///
    /// let mut compiler = StreamingCompiler::new(&Config::new().engine());
    /// compiler.feed(b"\0as")?;
    /// assert_eq!(compiler.consumed(), 3);
    /// assert!(compiler.feed(b"X").is_err());
    /// assert_eq!(compiler.consumed(), 3); // the wrong byte is not consumed
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn consumed(&self) -> u64 {
        self.received
    }

    /// How many bytes the compiler can take before it next has something to
    /// decide (the rest of the preamble, of a section header or of a
    /// section); `0` after an error, or once a known length
    /// ([`with_known_length`](Self::with_known_length)) has been received. A
    /// driver that reads at most this much never reads past the byte that
    /// proves a module wrong by more than the current section, nor past the
    /// known length. Feeding more is always allowed.
    ///
    /// ```
    /// use wasmstream::{Config, StreamingCompiler};
    ///
    /// let mut compiler = StreamingCompiler::new(&Config::new().engine());
    /// compiler.feed(b"\0asm")?;
    /// assert_eq!(compiler.wanted(), 4); // the version
    /// compiler.feed(&[1, 0, 0, 0])?;
    /// assert_eq!(compiler.wanted(), 2); // a section id and a size byte
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn wanted(&self) -> usize {
        if self.failed.is_some() {
            return 0;
        }
        let wanted = match &self.stage {
            Stage::Preamble if self.received < 4 => 4 - self.received as usize,
            Stage::Preamble => (HEADER_LEN - self.received) as usize,
            // An id and at least one byte of size.
            Stage::SectionHeader { len: 0, .. } => 2,
            Stage::SectionHeader { .. } => 1,
            Stage::Section { left, .. } => (*left as usize).max(1),
        };
        match self.known_length {
            Some(length) => wanted.min(length.saturating_sub(self.received) as usize),
            None => wanted,
        }
    }

    /// Feeds the next bytes of the stream.
    ///
    /// # Errors
    ///
    /// [`StreamingError::Compile`] as soon as the bytes so far prove the
    /// module malformed or invalid, or a declared size exceeds the
    /// [`Limits`]; [`StreamingError::Staging`] if the staging sink fails.
    ///
    /// ```
    /// use wasmstream::{Config, StreamingCompiler};
    ///
    /// let mut compiler = StreamingCompiler::new(&Config::new().engine());
    /// let error = compiler.feed(b"\0asX").unwrap_err();
    /// assert_eq!(error.offset(), 3);
    /// assert_eq!(compiler.feed(b"more"), Err(error)); // every later call fails alike
    /// assert_eq!(compiler.wanted(), 0);
    /// ```
    #[inline]
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), StreamingError> {
        if self.feed_within_field(bytes) {
            return Ok(());
        }
        self.feed_general(bytes)
    }

    #[inline(never)]
    fn feed_general(&mut self, bytes: &[u8]) -> Result<(), StreamingError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let result = self.feed_checked(bytes);
        if let Err(error) = &result {
            self.failed = Some(error.clone());
        }
        result
    }

    /// The common case of small reads, kept short enough to inline into a
    /// driver's read loop: bytes inside a function body or a data segment's
    /// data that do not complete it. `true` when the bytes were fed;
    /// `false` when they need the general path, or the sink failed (then
    /// `failed` holds the error). A `bool`, not a `Result`: a large return
    /// value per 1-byte read costs more than the rest of this path.
    #[inline(always)]
    pub(crate) fn feed_within_field(&mut self, bytes: &[u8]) -> bool {
        let n = bytes.len();
        if self.failed.is_some()
            || self
                .known_length
                .is_some_and(|length| self.received + n as u64 > length)
        {
            return false;
        }
        let Stage::Section { left, contents, .. } = &mut self.stage else {
            return false;
        };
        if n >= *left as usize {
            return false;
        }
        match contents {
            Contents::Code(CodeField::Body { left: body }) if n < *body as usize => {
                // Room for the whole body was reserved at its size field.
                if self.unit.extend(bytes).is_err() {
                    return false;
                }
                *body -= n as u32;
            }
            Contents::Data(scan) => {
                if !scan.skip_within_data(n) {
                    return false;
                }
                if let Err(error) = self.staging.write(bytes) {
                    self.failed = Some(error.into());
                    return false;
                }
                self.staged += n as u64;
            }
            _ => return false,
        }
        *left -= n as u32;
        self.received += n as u64;
        true
    }

    fn feed_checked(&mut self, bytes: &[u8]) -> Result<(), StreamingError> {
        if bytes.is_empty() {
            return Ok(());
        }
        if !self.begun {
            self.begun = true;
            if let Some(length) = self.known_length
                && length > u64::from(self.limits.max_module_bytes)
            {
                return Err(CompileError::new(
                    0,
                    format!(
                        "the module's known length of {length} bytes is over the limit of {} bytes (Limits::max_module_bytes)",
                        self.limits.max_module_bytes
                    ),
                )
                .into());
            }
            self.staging.begin(self.known_length)?;
        }
        if let Some(length) = self.known_length {
            let allowed = length.saturating_sub(self.received);
            if bytes.len() as u64 > allowed {
                self.feed_inner(&bytes[..allowed as usize])?;
                return Err(CompileError::new(
                    length,
                    format!("the stream continues past its known length of {length} bytes"),
                )
                .into());
            }
        }
        self.feed_inner(bytes)
    }

    fn feed_inner(&mut self, mut bytes: &[u8]) -> Result<(), StreamingError> {
        while !bytes.is_empty() {
            let used = match &mut self.stage {
                Stage::Preamble => self.feed_preamble(bytes)?,
                Stage::SectionHeader { .. } => self.feed_section_header(bytes[0])?,
                Stage::Section { .. } => self.feed_section(bytes)?,
            };
            bytes = &bytes[used..];
        }
        Ok(())
    }

    /// Passes validated-so-far bytes to the staging sink.
    pub(super) fn stage(&mut self, bytes: &[u8]) -> Result<(), StreamingError> {
        self.staging.write(bytes)?;
        self.staged += bytes.len() as u64;
        Ok(())
    }

    fn feed_preamble(&mut self, bytes: &[u8]) -> Result<usize, StreamingError> {
        let take = bytes.len().min((HEADER_LEN - self.received) as usize);
        for (i, &byte) in bytes[..take].iter().enumerate() {
            let at = self.received as usize + i;
            // Check the magic byte by byte: a stream that is not Wasm fails at
            // its first wrong byte.
            if at < 4 && byte != MAGIC[at] {
                return Err(CompileError::new(
                    at as u64,
                    "magic header not detected: the stream does not start with \\0asm",
                )
                .into());
            }
        }
        let chunk = &bytes[..take];
        self.unit
            .reserve_total(HEADER_LEN as usize)
            .and_then(|()| self.unit.extend(chunk))
            .map_err(|()| CompileError::new(self.received, "out of memory"))?;
        self.received += take as u64;
        if self.received == HEADER_LEN {
            // The version is wasmparser's to judge. It reports a bad version
            // at the module's first byte; the bytes that prove it are the
            // version field, so name that.
            self.parse_unit(None, None).map_err(|e| match e {
                StreamingError::Compile(e) => e.at_least_at(MAGIC.len() as u64).into(),
                other => other,
            })?;
            self.stage = new_section_header();
        }
        Ok(take)
    }

    /// Ends the stream, hands the staged bytes to wasmi, and drops the
    /// staging sink (a [`VecStaging`] frees its buffer).
    ///
    /// # Errors
    ///
    /// [`StreamingError::Compile`] if the stream ended early (empty,
    /// shorter than its known length, or inside the preamble, a section
    /// header or a section: the offset is the end of the stream), if the
    /// module is incomplete (function and code counts differ), or if wasmi
    /// rejects it (its `EnforcedLimits`, or a translation limit in eager
    /// mode); [`StreamingError::Staging`] if the sink cannot complete its
    /// copy.
    ///
    /// ```
    /// use wasmstream::{Config, StreamingCompiler};
    ///
    /// let engine = Config::new().engine();
    /// let mut compiler = StreamingCompiler::new(&engine);
    /// compiler.feed(b"\0asm\x01\0")?;
    /// assert_eq!(compiler.finish().unwrap_err().offset(), 6); // the end of the stream
    ///
    /// let mut compiler = StreamingCompiler::new(&engine);
    /// compiler.feed(b"\0asm\x01\0\0\0")?;
    /// assert_eq!(compiler.finish()?.exports().count(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish(self) -> Result<Module, StreamingError> {
        let (module, staging) = self.finish_with_staging()?;
        drop(staging);
        Ok(module)
    }

    /// As [`finish`](Self::finish), but gives the staging sink back (for
    /// example to record a flash install after the module has validated).
    ///
    /// # Errors
    ///
    /// As [`finish`](Self::finish).
    ///
    /// ```
    /// use wasmstream::{Config, StreamingCompiler};
    ///
    /// let mut compiler = StreamingCompiler::new(&Config::new().engine());
    /// compiler.feed(b"\0asm\x01\0\0\0")?;
    /// let (module, staging) = compiler.finish_with_staging()?;
    /// assert_eq!(module.exports().count(), 0);
    /// # drop(staging);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish_with_staging(mut self) -> Result<(Module, S), StreamingError> {
        self.check_end()?;
        self.into_module()
    }

    /// As [`finish`](Self::finish), with `verify` (the integrity and
    /// signature check) run after the end checks passed and before the
    /// staging is finished (a flash install record written) or wasmi sees a
    /// byte: when it fails, nothing is built.
    pub(crate) fn finish_verified<E>(
        mut self,
        verify: impl FnOnce() -> Result<(), Error<E>>,
    ) -> Result<Module, Error<E>> {
        self.check_end()?;
        verify()?;
        let (module, staging) = self.into_module()?;
        drop(staging);
        Ok(module)
    }

    /// The section the last byte received belongs to (the header before
    /// any section), for progress reports.
    #[inline]
    pub(crate) fn section(&self) -> Section {
        let id = match &self.stage {
            Stage::Preamble => None,
            Stage::SectionHeader { bytes, len, .. } if *len > 0 => Some(bytes[0]),
            Stage::SectionHeader { .. } => self.last_section,
            Stage::Section { id, .. } => Some(*id),
        };
        // An id the spec does not define is rejected at its header byte.
        id.and_then(Section::from_id).unwrap_or(Section::Header)
    }

    /// Ends the stream without building wasmi's module: the check of the
    /// JS API's `WebAssembly.validate`.
    pub(crate) fn finish_validation(mut self) -> Result<(), StreamingError> {
        self.check_end()
    }

    /// Whether the stream ended at a section boundary (and at its known
    /// length) and the module as a whole is valid.
    fn check_end(&mut self) -> Result<(), StreamingError> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        let end = self.received;
        if let Some(length) = self.known_length
            && end < length
            && end > 0
        {
            return Err(CompileError::new(
                end,
                format!("the stream ended after {end} of {length} bytes, its known length"),
            )
            .into());
        }
        match &self.stage {
            Stage::Preamble if end == 0 => {
                return Err(CompileError::new(0, "empty stream: expected a Wasm module").into());
            }
            Stage::Preamble => {
                return Err(CompileError::new(
                    end,
                    "unexpected end of stream in the module header",
                )
                .into());
            }
            Stage::SectionHeader { len: 0, .. } => {}
            Stage::SectionHeader { .. } => {
                return Err(
                    CompileError::new(end, "unexpected end of stream in a section header").into(),
                );
            }
            Stage::Section { id, left, .. } => {
                return Err(CompileError::new(
                    end,
                    format!(
                        "unexpected end of stream: {} section needs {left} more bytes",
                        section_name(*id)
                    ),
                )
                .into());
            }
        }
        let shift = self.shift;
        let to_stream = |offset: usize| offset as u64 + shift;
        match self.parser.parse(&[], true) {
            Ok(Chunk::Parsed {
                payload: payload @ Payload::End(_),
                ..
            }) => validate_payload(
                &mut self.validator,
                &mut self.func_allocations,
                &payload,
                &to_stream,
            )?,
            Ok(_) => {
                return Err(
                    CompileError::new(end, "unexpected data at the end of the module").into(),
                );
            }
            Err(e) => return Err(binary_error(&e, &to_stream, None).into()),
        }
        Ok(())
    }

    /// Hands the validated, staged module to wasmi.
    fn into_module(self) -> Result<(Module, S), StreamingError> {
        let end = self.received;
        let StreamingCompiler {
            engine,
            mut staging,
            staged,
            features,
            unit,
            parser,
            validator,
            func_allocations,
            imports,
            ..
        } = self;
        // Free the unit and the validator's state before wasmi builds its
        // module: it lowers the peak.
        drop((unit, parser, validator, func_allocations));
        let validated = Validated {
            staged_bytes: staged,
            features: u64::from(features.bits()),
        };
        let bytes = staging.finish(validated)?;
        // SAFETY: `new_unchecked` requires bytes that are valid under the
        // engine's configuration. `bytes` is, by the contract of the unsafe
        // trait `Staging`, exactly the bytes written to the sink, in order.
        // Those are every stream byte but skipped custom sections, and the
        // `Validator` above accepted exactly that sequence from the version
        // through `End`: every section payload went through
        // `Validator::payload` (the data section's with its segment bytes
        // cut to zero length — the validator never reads segment bytes, and
        // the headers it read are the staged ones, verbatim), every function
        // body through its `FuncValidator`, and `Validator::end` succeeded.
        // Skipped custom sections are not staged; wasmi ignores custom
        // sections. The validator was built with `engine.features()`, which
        // `Config` sets together with the very same switches of the wasmi
        // config this engine was built from (and a switch `Config` cannot set
        // stays off on our side), so our feature set is a subset of wasmi's
        // and wasmi's configuration allows every feature the module uses.
        let module = unsafe { wasmi::Module::new_unchecked(&engine, bytes) };
        let module = module
            .map_err(|e| CompileError::new(end, format!("wasmi rejected the module: {e}")))?;
        let shape = imports.map(ImportRecorder::into_shape).unwrap_or_default();
        Ok((Module::new(module, shape), staging))
    }
}

pub(super) fn new_section_header() -> Stage {
    Stage::SectionHeader {
        bytes: [0; MAX_SECTION_HEADER],
        len: 0,
        size: LebU32::default(),
    }
}

pub(super) fn section_name(id: u8) -> &'static str {
    match id {
        0 => "custom",
        1 => "type",
        2 => "import",
        3 => "function",
        4 => "table",
        5 => "memory",
        6 => "global",
        7 => "export",
        8 => "start",
        9 => "element",
        10 => "code",
        11 => "data",
        12 => "data count",
        13 => "tag",
        _ => "unknown",
    }
}
