//! [`StreamingCompiler`]: the sans-IO state machine that turns module bytes,
//! fed in chunks of any size, into a wasmi [`Module`].

use alloc::format;

use wasmi::Module;
use wasmparser::{
    BinaryReaderError, Chunk, FuncValidatorAllocations, Parser, Payload, ValidPayload, Validator,
    WasmFeatures,
};

use super::custom_skip::CustomSkip;
use super::data_scan::DataScan;
use super::leb::LebU32;
use super::unit::Unit;
use crate::config::{Engine, Limits};
use crate::error::{CompileError, StreamingError};
use crate::staging::{Staging, Validated, VecStaging};

const MAGIC: [u8; 4] = *b"\0asm";
const HEADER_LEN: u64 = 8;
const CUSTOM_SECTION: u8 = 0;
const CODE_SECTION: u8 = 10;
const DATA_SECTION: u8 = 11;
/// The highest section id of a core module (13, the tag section).
const LAST_SECTION_ID: u8 = 13;
/// A section id and the longest LEB128 `u32` size.
const MAX_SECTION_HEADER: usize = 6;
/// The longest LEB128 `u32` (a count or a body size).
const MAX_LEB_U32: usize = 5;

/// Where the next byte of the stream belongs.
#[derive(Debug)]
enum Stage {
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
enum Contents {
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
enum CodeField {
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
/// assert!(module.get_export("f").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct StreamingCompiler<S: Staging = VecStaging> {
    /// Only what compiling needs of the [`Engine`]: a smaller compiler to
    /// move around, and less code on small targets.
    engine: wasmi::Engine,
    keep_custom_sections: bool,
    limits: Limits,
    stage: Stage,
    staging: S,
    /// Whether `staging.begin` has been called.
    begun: bool,
    /// The module's length, when known: reserves the staging once, and a
    /// stream of another length is an error.
    known_length: Option<u64>,
    unit: Unit,
    /// The parser offset of the unit's first byte (the parser's position).
    unit_base: u64,
    /// How many of the unit's bytes have been staged. Units are staged when
    /// they have parsed: one write per unit, however small the fed chunks.
    unit_staged: usize,
    /// The feature set the validator uses.
    features: WasmFeatures,
    /// Stream bytes received.
    received: u64,
    /// Bytes written to the staging sink.
    staged: u64,
    /// Stream offset minus parser offset: the bytes the parser never saw
    /// (skipped custom sections, data segment bytes).
    shift: u64,
    /// Function bodies the parser has yet to return.
    bodies_left: u32,
    /// The parser still expects function bodies after the code section
    /// ended (an invalid module): later sections are parsed whole.
    bodies_missing: bool,
    parser: Parser,
    validator: Validator,
    func_allocations: Option<FuncValidatorAllocations>,
    failed: Option<StreamingError>,
    /// Import declarations, recorded only when asked for (see `imports.rs`).
    pub(super) imports: Option<super::imports::ImportRecorder>,
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
            imports: None,
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
                        "the module's known length of {length} bytes exceeds the limit of {} bytes",
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
    fn stage(&mut self, bytes: &[u8]) -> Result<(), StreamingError> {
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
                StreamingError::Compile(e) => {
                    CompileError::new(e.offset().max(MAGIC.len() as u64), e.message()).into()
                }
                other => other,
            })?;
            self.stage = new_section_header();
        }
        Ok(take)
    }

    fn feed_section_header(&mut self, byte: u8) -> Result<usize, StreamingError> {
        let offset = self.received;
        if offset >= u64::from(self.limits.max_module_bytes) {
            return Err(CompileError::new(
                offset,
                format!(
                    "module exceeds the limit of {} bytes",
                    self.limits.max_module_bytes
                ),
            )
            .into());
        }
        let Stage::SectionHeader { bytes, len, size } = &mut self.stage else {
            unreachable!("feed_section_header outside a section header");
        };
        if *len == 0 && byte > LAST_SECTION_ID {
            // No section has this id: the id byte alone proves it.
            return Err(CompileError::new(offset, "malformed section id").into());
        }
        bytes[*len] = byte;
        *len += 1;
        self.received += 1;
        if *len == 1 {
            return Ok(1);
        }
        let Some(declared) = size
            .push(byte)
            .map_err(|msg| CompileError::new(offset, msg))?
        else {
            return Ok(1);
        };
        let (header, header_len, id) = (*bytes, *len, bytes[0]);
        let header = &header[..header_len];
        let section_start = offset + 1 - header_len as u64;
        self.check_section_size(id, section_start, declared)?;
        let contents = if id == CUSTOM_SECTION && !self.keep_custom_sections {
            Contents::Skip(CustomSkip::new())
        } else if self.bodies_missing {
            // The parser is still inside the code section: let it judge
            // these bytes whole.
            Contents::Whole
        } else if id == CODE_SECTION {
            Contents::Code(CodeField::Count(LebU32::default()))
        } else if id == DATA_SECTION {
            Contents::Data(DataScan::new(header_len))
        } else {
            Contents::Whole
        };
        if let Contents::Skip(_) = contents {
            self.shift += header_len as u64;
        } else {
            let room = match contents {
                Contents::Whole => header_len + declared as usize,
                _ => header_len + MAX_LEB_U32,
            };
            // A heap too small for the unit is an error, not an abort.
            self.unit
                .reserve_total(room)
                .and_then(|()| self.unit.extend(header))
                .map_err(|()| {
                    CompileError::new(
                        section_start,
                        "out of memory: cannot reserve room for this section",
                    )
                })?;
            if let Contents::Data(_) = contents {
                // The data section's unit is synthetic: its real bytes are
                // staged as they arrive.
                self.stage(header)?;
                self.unit_staged = self.unit.len();
            }
        }
        self.stage = Stage::Section {
            id,
            left: declared,
            contents,
        };
        if declared == 0 {
            self.end_section()?;
        }
        Ok(1)
    }

    fn check_section_size(&self, id: u8, start: u64, declared: u32) -> Result<(), CompileError> {
        let (over, limit) = if declared > self.limits.max_section_bytes {
            ("section", self.limits.max_section_bytes)
        } else if self.received + u64::from(declared) > u64::from(self.limits.max_module_bytes) {
            ("module", self.limits.max_module_bytes)
        } else {
            return Ok(());
        };
        Err(CompileError::new(
            start,
            format!(
                "{} section declares {declared} bytes, over the {over} limit of {limit} bytes",
                section_name(id)
            ),
        ))
    }

    fn feed_section(&mut self, bytes: &[u8]) -> Result<usize, StreamingError> {
        let Stage::Section { left, contents, .. } = &mut self.stage else {
            unreachable!("feed_section outside a section");
        };
        let section_left = *left;
        let take = bytes.len().min(section_left as usize);
        let chunk = &bytes[..take];
        let offset = self.received;
        match contents {
            Contents::Skip(skip) => {
                skip.advance(chunk, section_left)
                    .map_err(|(msg, at)| CompileError::new(offset + at as u64, msg))?;
                self.shift += take as u64;
            }
            Contents::Whole => {
                self.unit
                    .extend(chunk)
                    .map_err(|()| out_of_memory(offset))?;
            }
            Contents::Data(scan) => {
                scan.advance(chunk, section_left, &mut self.unit)
                    .map_err(|()| out_of_memory(offset))?;
            }
            Contents::Code(field) => {
                let mut field = *field;
                let result = self.feed_code(&mut field, chunk, section_left);
                if let Stage::Section {
                    contents: Contents::Code(slot),
                    ..
                } = &mut self.stage
                {
                    *slot = field;
                }
                result?;
            }
        }
        if let Stage::Section {
            contents: Contents::Data(_),
            ..
        } = self.stage
        {
            self.stage(chunk)?;
            self.unit_staged = self.unit.len();
        }
        self.received += take as u64;
        let Stage::Section { left, .. } = &mut self.stage else {
            unreachable!("still in the section");
        };
        *left -= take as u32;
        if *left == 0 {
            self.end_section()?;
        }
        Ok(take)
    }

    /// The code section, a field at a time: the count, then each body's
    /// size and bytes. A unit is parsed as soon as it is complete.
    fn feed_code(
        &mut self,
        field: &mut CodeField,
        chunk: &[u8],
        section_left: u32,
    ) -> Result<(), StreamingError> {
        let mut at = 0;
        while at < chunk.len() {
            let offset = self.received + at as u64;
            // Section bytes after the current one.
            let after = section_left as usize - at - 1;
            match field {
                CodeField::Count(leb) | CodeField::BodySize { size: leb, .. } => {
                    let byte = chunk[at];
                    self.unit
                        .extend(&[byte])
                        .map_err(|()| out_of_memory(offset))?;
                    at += 1;
                    match leb.push(byte) {
                        Ok(None) => {}
                        // Malformed: the parser names it as it always does.
                        Err(msg) => {
                            self.parse_unit(None, None)?;
                            return Err(CompileError::new(offset, msg).into());
                        }
                        Ok(Some(size)) => {
                            if let CodeField::BodySize { start, .. } = *field {
                                self.start_body(start, size, after)?;
                                *field = CodeField::Body { left: size };
                                if size > 0 {
                                    continue;
                                }
                            }
                            self.parse_unit(None, None)?;
                            *field = self.next_code_field(offset + 1, after)?;
                        }
                    }
                }
                CodeField::Body { left } => {
                    let take = (*left as usize).min(chunk.len() - at);
                    self.unit
                        .extend(&chunk[at..at + take])
                        .map_err(|()| out_of_memory(offset))?;
                    *left -= take as u32;
                    at += take;
                    if *left == 0 {
                        self.parse_unit(None, None)?;
                        let after = section_left as usize - at;
                        *field = self.next_code_field(self.received + at as u64, after)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// A body of `size` bytes whose size field starts at stream offset
    /// `start`, with `after` section bytes to come: judged against the limit
    /// before its bytes are waited for, and given room for what the section
    /// can still hold of it.
    fn start_body(&mut self, start: u64, size: u32, after: usize) -> Result<(), CompileError> {
        if size > self.limits.max_function_body_bytes {
            return Err(CompileError::new(
                start,
                format!(
                    "function body declares {size} bytes, over the limit of {} bytes",
                    self.limits.max_function_body_bytes
                ),
            ));
        }
        let total = self.unit.len() + (size as usize).min(after);
        self.unit.reserve_total(total).map_err(|()| {
            CompileError::new(
                start,
                "out of memory: cannot reserve room for this function body",
            )
        })
    }

    /// After a complete code-section unit, at stream offset `offset` with
    /// `after` section bytes to come: the next body's size field.
    fn next_code_field(&mut self, offset: u64, after: usize) -> Result<CodeField, StreamingError> {
        if self.bodies_left == 0 && after > 0 {
            // Bytes after the last body: the parser reports them.
            self.parse_empty()?;
        }
        self.unit
            .reserve_total(MAX_LEB_U32)
            .map_err(|()| out_of_memory(offset))?;
        Ok(CodeField::BodySize {
            size: LebU32::default(),
            start: offset,
        })
    }

    /// Called when the last byte of a section has been received.
    fn end_section(&mut self) -> Result<(), StreamingError> {
        let end = self.received;
        let stage = core::mem::replace(&mut self.stage, new_section_header());
        let Stage::Section { id, contents, .. } = stage else {
            unreachable!("end_section outside a section");
        };
        match contents {
            Contents::Skip(skip) => {
                if !skip.may_end() {
                    return Err(CompileError::new(
                        end,
                        format!("unexpected end of {} section", section_name(id)),
                    )
                    .into());
                }
            }
            Contents::Whole => self.parse_unit(None, Some(end))?,
            Contents::Code(_) => {
                if self.unit.len() > 0 {
                    // A field cut short by the section's end.
                    self.parse_unit(None, Some(end))?;
                }
                self.bodies_missing = self.bodies_left > 0;
                self.bodies_left = 0;
            }
            Contents::Data(mut scan) => {
                scan.end(&mut self.unit).map_err(|()| out_of_memory(end))?;
                // The synthetic section's size, in as many bytes as the
                // real one's, so the contents start at the same offset.
                let width = scan.header_len - 1;
                let size = (self.unit.len() - 1 - width) as u32;
                write_padded_leb(&mut self.unit.bytes_mut()[1..=width], size);
                self.parse_unit(Some(&scan), Some(end))?;
                self.shift += scan.elided();
            }
        }
        Ok(())
    }

    /// Parses and validates the unit, which starts at the parser's position.
    ///
    /// `data`: the unit is a synthetic data section, whose offsets `data`
    /// maps back. `section_end`: the section has ended (its end offset), so
    /// a unit the parser finds incomplete is an error.
    fn parse_unit(
        &mut self,
        data: Option<&DataScan>,
        section_end: Option<u64>,
    ) -> Result<(), StreamingError> {
        let base = self.unit_base;
        let shift = self.shift;
        let to_stream = |offset: usize| -> u64 {
            let elided = data.map_or(0, |scan| {
                scan.elided_before((offset as u64).saturating_sub(base) as usize)
            });
            offset as u64 + shift + elided
        };
        let mut parsed = 0;
        while parsed < self.unit.len() {
            let chunk = self.parser.parse(&self.unit.bytes()[parsed..], false);
            let (consumed, payload) = match chunk.map_err(|e| binary_error(&e, &to_stream, None))? {
                Chunk::NeedMoreData(_) => break,
                Chunk::Parsed { consumed, payload } => (consumed, payload),
            };
            match payload {
                Payload::CodeSectionStart { count, .. } => self.bodies_left = count,
                Payload::CodeSectionEntry(_) => {
                    self.bodies_left = self.bodies_left.saturating_sub(1)
                }
                _ => {}
            }
            validate_payload(
                &mut self.validator,
                &mut self.func_allocations,
                &payload,
                &to_stream,
            )?;
            if let Some(imports) = &mut self.imports {
                imports.observe(&payload);
            }
            parsed += consumed;
        }
        let incomplete = parsed < self.unit.len();
        if data.is_none() && self.unit_staged < self.unit.len() {
            // The unit's bytes are the stream's (a data section's unit is
            // synthetic; its bytes were staged as they arrived).
            let unit = core::mem::take(&mut self.unit);
            let staged = self.stage(&unit.bytes()[self.unit_staged..]);
            self.unit = unit;
            staged?;
        }
        self.unit.consume(parsed);
        self.unit_staged = self.unit.len();
        self.unit_base += parsed as u64;
        match section_end {
            // wasmparser wants more than the section declared: a count or
            // a body overruns the section.
            Some(end) if incomplete => Err(CompileError::new(
                end,
                "section size mismatch: unexpected end of section",
            )
            .into()),
            _ => Ok(()),
        }
    }

    /// Runs the parser on no bytes: in the code section after its last
    /// body, this is how it reports trailing bytes.
    fn parse_empty(&mut self) -> Result<(), CompileError> {
        let shift = self.shift;
        match self.parser.parse(&[], false) {
            Err(e) => Err(binary_error(&e, &|o| o as u64 + shift, None)),
            Ok(_) => Ok(()),
        }
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
        let StreamingCompiler {
            engine,
            mut staging,
            staged,
            features,
            unit,
            parser,
            validator,
            func_allocations,
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
        let module = unsafe { Module::new_unchecked(&engine, bytes) };
        let module = module
            .map_err(|e| CompileError::new(end, format!("wasmi rejected the module: {e}")))?;
        Ok((module, staging))
    }
}

fn out_of_memory(offset: u64) -> CompileError {
    CompileError::new(offset, "out of memory")
}

/// `value` as an LEB128 exactly `out.len()` bytes long (padded with
/// continuation bytes); the value must fit.
fn write_padded_leb(out: &mut [u8], value: u32) {
    let width = out.len();
    for (i, byte) in out.iter_mut().enumerate() {
        let bits = ((u64::from(value) >> (7 * i)) & 0x7f) as u8;
        *byte = if i + 1 < width { bits | 0x80 } else { bits };
    }
}

fn new_section_header() -> Stage {
    Stage::SectionHeader {
        bytes: [0; MAX_SECTION_HEADER],
        len: 0,
        size: LebU32::default(),
    }
}

/// Feeds one payload to the validator; validates a function body in full.
fn validate_payload(
    validator: &mut Validator,
    allocations: &mut Option<FuncValidatorAllocations>,
    payload: &Payload<'_>,
    to_stream: &dyn Fn(usize) -> u64,
) -> Result<(), CompileError> {
    let valid = validator
        .payload(payload)
        .map_err(|e| binary_error(&e, to_stream, None))?;
    if let ValidPayload::Func(func, body) = valid {
        let index = func.index;
        let mut func_validator = func.into_validator(allocations.take().unwrap_or_default());
        let result = func_validator.validate(&body);
        *allocations = Some(func_validator.into_allocations());
        result.map_err(|e| binary_error(&e, to_stream, Some(index)))?;
    }
    Ok(())
}

fn binary_error(
    error: &BinaryReaderError,
    to_stream: &dyn Fn(usize) -> u64,
    func: Option<u32>,
) -> CompileError {
    let offset = to_stream(error.offset());
    match func {
        Some(index) => CompileError::new(offset, format!("function {index}: {}", error.message())),
        None => CompileError::new(offset, error.message()),
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
