//! [`StreamingCompiler`]: the sans-IO state machine that turns module bytes,
//! fed in chunks of any size, into a wasmi [`Module`].

use alloc::format;
use alloc::vec::Vec;

use wasmparser::{
    BinaryReaderError, Chunk, FuncValidatorAllocations, Parser, Payload, ValidPayload, Validator,
};

use super::custom_skip::CustomSkip;
use super::imports::ImportRecorder;
use super::leb::{LebU32, peek_u32};
use crate::config::{Engine, Limits};
use crate::error::CompileError;
use crate::instantiate::Module;

const MAGIC: [u8; 4] = *b"\0asm";
const HEADER_LEN: u64 = 8;
const CUSTOM_SECTION: u8 = 0;
const CODE_SECTION: u8 = 10;
/// The highest section id of a core module (13, the tag section).
const LAST_SECTION_ID: u8 = 13;
/// A section id and the longest LEB128 `u32` size.
const MAX_SECTION_HEADER: usize = 6;

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
        skip: Option<CustomSkip>,
    },
}

/// Compiles a WebAssembly module from bytes fed in chunks of any size,
/// validating each section and each function body as soon as it is complete.
///
/// It performs no I/O: [`feed`](Self::feed) it bytes, then
/// [`finish`](Self::finish) it. An error is returned by the very `feed` call
/// that delivers the byte proving it, with that byte's offset in the stream;
/// after an error every call returns the same error.
///
/// RAM: the staged module (every section but skipped custom sections,
/// reserved section by section from the declared sizes) and the validator's
/// state. Nothing is allocated per fed chunk.
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
pub struct StreamingCompiler {
    /// Only what compiling needs of the [`Engine`]: a smaller compiler to
    /// move around, and less code on small targets.
    engine: wasmi::Engine,
    keep_custom_sections: bool,
    limits: Limits,
    stage: Stage,
    /// The module as wasmi will see it: every byte but skipped custom sections.
    staged: Vec<u8>,
    /// How much of `staged` the parser has consumed.
    parsed: usize,
    /// Stream bytes received.
    received: u64,
    /// Stream bytes not staged; a staged offset plus this is a stream offset,
    /// because parsing never lags behind a skipped section.
    skipped: u64,
    /// Function bodies of the code section the parser has yet to return.
    bodies_left: u32,
    parser: Parser,
    validator: Validator,
    func_allocations: Option<FuncValidatorAllocations>,
    failed: Option<CompileError>,
    /// The module's shape (import and export order, declared sizes) and,
    /// when asked for, its import declarations (see `imports.rs`).
    pub(super) imports: Option<ImportRecorder>,
}

impl core::fmt::Debug for StreamingCompiler {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StreamingCompiler")
            .field("received", &self.received)
            .field("staged", &self.staged.len())
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl StreamingCompiler {
    /// A compiler for `engine`, validating with the Wasm features its
    /// [`Config`](crate::Config) set on wasmi and enforcing its [`Limits`].
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
        let features = engine.features();
        let mut parser = Parser::new(0);
        parser.set_features(features);
        StreamingCompiler {
            engine: engine.wasmi().clone(),
            keep_custom_sections: engine.keeps_custom_sections(),
            limits: engine.limits(),
            stage: Stage::Preamble,
            staged: Vec::new(),
            parsed: 0,
            received: 0,
            skipped: 0,
            bodies_left: 0,
            parser,
            validator: Validator::new_with_features(features),
            func_allocations: Some(FuncValidatorAllocations::default()),
            failed: None,
            imports: Some(ImportRecorder::kinds_only()),
        }
    }

    /// Reserves room for `module_bytes` staged bytes in one allocation, for a
    /// caller that knows the module's size (a file or flash image length, a
    /// `Content-Length`) and that it has no large custom sections.
    ///
    /// Without it the staging buffer is reserved section by section from the
    /// declared sizes, so starting a new section may move the bytes staged so
    /// far once (a `realloc`); with it, no section ever moves them. The
    /// request is capped at [`Limits::max_module_bytes`], and ignored once
    /// bytes have been fed.
    ///
    /// ```
    /// use wasmstream::{Config, StreamingCompiler};
    ///
    /// let wasm = wat::parse_str("(module (memory 1) (data (i32.const 0) \"hi\"))")?;
    /// let mut compiler = StreamingCompiler::new(&Config::new().engine());
    /// compiler.reserve(wasm.len());
    /// compiler.feed(&wasm)?;
    /// compiler.finish()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reserve(&mut self, module_bytes: usize) {
        if self.received == 0 {
            let capped = module_bytes.min(self.limits.max_module_bytes as usize);
            // Only a hint: without the room, sections reserve their own.
            let _ = self.staged.try_reserve_exact(capped);
        }
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
    /// section); `0` after an error. A driver that reads at most this much
    /// never reads past the byte that proves a module wrong by more than the
    /// current section. Feeding more is always allowed.
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
    pub fn wanted(&self) -> usize {
        if self.failed.is_some() {
            return 0;
        }
        match &self.stage {
            Stage::Preamble if self.received < 4 => 4 - self.received as usize,
            Stage::Preamble => (HEADER_LEN - self.received) as usize,
            // An id and at least one byte of size.
            Stage::SectionHeader { len: 0, .. } => 2,
            Stage::SectionHeader { .. } => 1,
            Stage::Section { left, .. } => (*left as usize).max(1),
        }
    }

    /// Feeds the next bytes of the stream.
    ///
    /// # Errors
    ///
    /// A [`CompileError`] as soon as the bytes so far prove the module
    /// malformed or invalid, or a declared size exceeds the [`Limits`].
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
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), CompileError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let result = self.feed_inner(bytes);
        if let Err(error) = &result {
            self.failed = Some(error.clone());
        }
        result
    }

    fn feed_inner(&mut self, mut bytes: &[u8]) -> Result<(), CompileError> {
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

    fn feed_preamble(&mut self, bytes: &[u8]) -> Result<usize, CompileError> {
        let take = bytes.len().min((HEADER_LEN - self.received) as usize);
        for (i, &byte) in bytes[..take].iter().enumerate() {
            let at = self.received as usize + i;
            // Check the magic byte by byte: a stream that is not Wasm fails at
            // its first wrong byte.
            if at < 4 && byte != MAGIC[at] {
                return Err(CompileError::new(
                    at as u64,
                    "magic header not detected: the stream does not start with \\0asm",
                ));
            }
        }
        if self.staged.try_reserve_exact(HEADER_LEN as usize).is_err() {
            return Err(CompileError::new(self.received, "out of memory"));
        }
        self.staged.extend_from_slice(&bytes[..take]);
        self.received += take as u64;
        if self.received == HEADER_LEN {
            // The version is wasmparser's to judge. It reports a bad version
            // at the module's first byte; the bytes that prove it are the
            // version field, so name that.
            self.parse_staged()
                .map_err(|e| CompileError::new(e.offset().max(MAGIC.len() as u64), e.message()))?;
            self.stage = new_section_header();
        }
        Ok(take)
    }

    fn feed_section_header(&mut self, byte: u8) -> Result<usize, CompileError> {
        let offset = self.received;
        if offset >= u64::from(self.limits.max_module_bytes) {
            return Err(CompileError::new(
                offset,
                format!(
                    "module goes on past the limit of {} bytes (Limits::max_module_bytes)",
                    self.limits.max_module_bytes
                ),
            ));
        }
        let Stage::SectionHeader { bytes, len, size } = &mut self.stage else {
            unreachable!("feed_section_header outside a section header");
        };
        if *len == 0 && byte > LAST_SECTION_ID {
            // No section has this id: the id byte alone proves it.
            return Err(CompileError::new(offset, "malformed section id"));
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
        let section_start = offset + 1 - header_len as u64;
        self.check_section_size(id, section_start, declared)?;
        let skip = id == CUSTOM_SECTION && !self.keep_custom_sections;
        if skip {
            self.skipped += header_len as u64;
        } else {
            // Reserve exactly this section, so its bytes never move while it
            // streams in. A heap too small for it is an error, not an abort.
            if self
                .staged
                .try_reserve_exact(header_len + declared as usize)
                .is_err()
            {
                return Err(CompileError::new(
                    section_start,
                    "out of memory: cannot reserve room for this section",
                ));
            }
            self.staged.extend_from_slice(&header[..header_len]);
        }
        self.stage = Stage::Section {
            id,
            left: declared,
            skip: skip.then(CustomSkip::new),
        };
        if declared == 0 {
            self.end_section(self.received)?;
        }
        Ok(1)
    }

    fn check_section_size(&self, id: u8, start: u64, declared: u32) -> Result<(), CompileError> {
        let name = section_name(id);
        let module_end = self.received + u64::from(declared);
        let message = if declared > self.limits.max_section_bytes {
            format!(
                "{name} section is {declared} bytes, over the limit of {} bytes (Limits::max_section_bytes)",
                self.limits.max_section_bytes
            )
        } else if module_end > u64::from(self.limits.max_module_bytes) {
            format!(
                "{name} section of {declared} bytes makes the module {module_end} bytes, over the limit of {} bytes (Limits::max_module_bytes)",
                self.limits.max_module_bytes
            )
        } else {
            return Ok(());
        };
        Err(CompileError::new(start, message))
    }

    fn feed_section(&mut self, bytes: &[u8]) -> Result<usize, CompileError> {
        let Stage::Section { id, left, skip } = &mut self.stage else {
            unreachable!("feed_section outside a section");
        };
        let in_code = *id == CODE_SECTION;
        let take = bytes.len().min(*left as usize);
        let chunk = &bytes[..take];
        if let Some(skip) = skip {
            let offset = self.received;
            skip.advance(chunk, *left)
                .map_err(|(msg, at)| CompileError::new(offset + at as u64, msg))?;
            self.skipped += take as u64;
        } else {
            self.staged.extend_from_slice(chunk);
        }
        *left -= take as u32;
        let done = *left == 0;
        self.received += take as u64;
        if done {
            self.end_section(self.received)?;
        } else if in_code {
            // Only the code section yields payloads before its last byte (a
            // function body at a time); wasmparser waits for the whole of
            // every other section, so parsing it per chunk would be wasted.
            self.parse_staged()?;
        }
        Ok(take)
    }

    /// Called when the last byte of a section has been received.
    fn end_section(&mut self, end: u64) -> Result<(), CompileError> {
        if let Stage::Section {
            id,
            skip: Some(skip),
            ..
        } = &self.stage
        {
            if !skip.may_end() {
                return Err(CompileError::new(
                    end,
                    format!("unexpected end of {} section", section_name(*id)),
                ));
            }
        } else {
            self.parse_staged()?;
            if self.parsed != self.staged.len() {
                // wasmparser wants more than the section declared: a count or
                // a body overruns the section.
                return Err(CompileError::new(
                    end,
                    "section size mismatch: unexpected end of section",
                ));
            }
            self.bodies_left = 0;
        }
        self.stage = new_section_header();
        Ok(())
    }

    /// Runs the parser and validator over the staged bytes not yet parsed.
    fn parse_staged(&mut self) -> Result<(), CompileError> {
        loop {
            // Before the parser sees a body: its size must be judged whether
            // the body arrives in one chunk or many.
            self.check_next_body_size()?;
            let data = &self.staged[self.parsed..];
            let chunk = self
                .parser
                .parse(data, false)
                .map_err(|e| binary_error(&e, self.skipped, None))?;
            let (consumed, payload) = match chunk {
                Chunk::NeedMoreData(_) => return Ok(()),
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
                self.skipped,
            )?;
            if let Some(imports) = &mut self.imports {
                imports.observe(&payload);
            }
            self.parsed += consumed;
        }
    }

    /// Rejects a function body whose declared size is over the limit as soon
    /// as its size field is complete, before its bytes are waited for.
    fn check_next_body_size(&self) -> Result<(), CompileError> {
        if self.bodies_left == 0 {
            return Ok(());
        }
        match peek_u32(&self.staged[self.parsed..]) {
            Some(size) if size > self.limits.max_function_body_bytes => Err(CompileError::new(
                self.parsed as u64 + self.skipped,
                format!(
                    "function body is {size} bytes, over the limit of {} bytes (Limits::max_function_body_bytes)",
                    self.limits.max_function_body_bytes
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Ends the stream and hands the validated module to wasmi.
    ///
    /// # Errors
    ///
    /// A [`CompileError`] if the stream ended early (empty, or inside the
    /// preamble, a section header or a section: the offset is the end of the
    /// stream), if the module is incomplete (function and code counts differ),
    /// or if wasmi rejects it (its `EnforcedLimits`, or a translation limit in
    /// eager mode).
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
    pub fn finish(mut self) -> Result<Module, CompileError> {
        self.check_end()?;
        self.into_module()
    }

    /// Ends the stream without building wasmi's module: the check of the
    /// JS API's `WebAssembly.validate`.
    pub(crate) fn finish_validation(mut self) -> Result<(), CompileError> {
        self.check_end()
    }

    /// Whether the stream ended at a section boundary and the module as a
    /// whole is valid.
    fn check_end(&mut self) -> Result<(), CompileError> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        let end = self.received;
        match &self.stage {
            Stage::Preamble if end == 0 => {
                return Err(CompileError::new(0, "empty stream: expected a Wasm module"));
            }
            Stage::Preamble => {
                return Err(CompileError::new(
                    end,
                    "unexpected end of stream in the module header",
                ));
            }
            Stage::SectionHeader { len: 0, .. } => {}
            Stage::SectionHeader { .. } => {
                return Err(CompileError::new(
                    end,
                    "unexpected end of stream in a section header",
                ));
            }
            Stage::Section { id, left, .. } => {
                return Err(CompileError::new(
                    end,
                    format!(
                        "unexpected end of stream: {} section needs {left} more bytes",
                        section_name(*id)
                    ),
                ));
            }
        }
        match self.parser.parse(&self.staged[self.parsed..], true) {
            Ok(Chunk::Parsed {
                payload: payload @ Payload::End(_),
                ..
            }) => validate_payload(
                &mut self.validator,
                &mut self.func_allocations,
                &payload,
                self.skipped,
            )?,
            Ok(_) => {
                return Err(CompileError::new(
                    end,
                    "unexpected data at the end of the module",
                ));
            }
            Err(e) => return Err(binary_error(&e, self.skipped, None)),
        }
        Ok(())
    }

    /// Hands the staged module, validated to its end, to wasmi.
    fn into_module(self) -> Result<Module, CompileError> {
        let end = self.received;
        let StreamingCompiler {
            engine,
            staged,
            parser,
            validator,
            func_allocations,
            imports,
            ..
        } = self;
        // Free the validator's state before wasmi builds its module: it
        // lowers the peak.
        drop((parser, validator, func_allocations));
        // SAFETY: `new_unchecked` requires bytes that are valid under the
        // engine's configuration. `staged` is exactly the byte sequence the
        // `Validator` above accepted, in order, from the version through
        // `End`: every section payload went through `Validator::payload`,
        // every function body through its `FuncValidator`, and
        // `Validator::end` succeeded. The validator was built with
        // `engine.features()`, which `Config` sets together with the very
        // same switches of the wasmi config this engine was built from (and
        // a switch `Config` cannot set stays off on our side), so our feature
        // set is a subset of wasmi's and wasmi's configuration allows every
        // feature the module uses.
        // `staged` is append-only and was never changed after validation.
        let module = unsafe { wasmi::Module::new_unchecked(&engine, &staged) };
        drop(staged);
        let shape = imports.map(ImportRecorder::into_shape).unwrap_or_default();
        module
            .map(|module| Module::new(module, shape))
            .map_err(|e| CompileError::new(end, format!("wasmi rejected the module: {e}")))
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
    skipped: u64,
) -> Result<(), CompileError> {
    let valid = validator
        .payload(payload)
        .map_err(|e| binary_error(&e, skipped, None))?;
    if let ValidPayload::Func(func, body) = valid {
        let index = func.index;
        let mut func_validator = func.into_validator(allocations.take().unwrap_or_default());
        let result = func_validator.validate(&body);
        *allocations = Some(func_validator.into_allocations());
        result.map_err(|e| binary_error(&e, skipped, Some(index)))?;
    }
    Ok(())
}

fn binary_error(error: &BinaryReaderError, skipped: u64, func: Option<u32>) -> CompileError {
    let offset = error.offset() as u64 + skipped;
    match func {
        Some(index) => CompileError::new(offset, format!("function {index}: {}", error.message())),
        None => CompileError::new(offset, error.message()),
    }
}

fn section_name(id: u8) -> &'static str {
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
