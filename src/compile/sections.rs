//! The sections of a module as they stream in: their headers, and their
//! contents a parse unit at a time (a whole section, the code section's
//! count and bodies, the data section's segment headers), each parsed and
//! validated once it is complete.

use alloc::format;
use alloc::string::String;

use wasmparser::{
    BinaryReaderError, Chunk, FuncValidatorAllocations, Payload, ValidPayload, Validator,
};

use super::body_validation::validate_body;
use super::custom_skip::CustomSkip;
use super::data_scan::DataScan;
use super::leb::LebU32;
use super::streaming::{
    CODE_SECTION, CUSTOM_SECTION, CodeField, Contents, DATA_SECTION, LAST_SECTION_ID, MAX_LEB_U32,
    Stage, StreamingCompiler, new_section_header, section_name,
};
use crate::error::{CompileError, StreamingError};
use crate::staging::Staging;

impl<S: Staging> StreamingCompiler<S> {
    pub(super) fn feed_section_header(&mut self, byte: u8) -> Result<usize, StreamingError> {
        let offset = self.received;
        if offset >= u64::from(self.limits.max_module_bytes) {
            return Err(CompileError::new(
                offset,
                format!(
                    "module goes on past the limit of {} bytes (Limits::max_module_bytes)",
                    self.limits.max_module_bytes
                ),
            )
            .into());
        }
        let Stage::SectionHeader { bytes, len, size } = &mut self.stage else {
            // `feed_inner` calls this in this stage only.
            unreachable!();
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
            if let Contents::Code(_) | Contents::Data(_) = contents {
                // These stream through (the unit holds a body or segment
                // headers at a time), so tell the sink what is coming; the
                // size was judged against the limits above. A section held
                // whole is staged when it has arrived, as it is written.
                self.staging
                    .reserve(header_len as u64 + u64::from(declared))?;
            }
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

    pub(super) fn feed_section(&mut self, bytes: &[u8]) -> Result<usize, StreamingError> {
        let Stage::Section { left, contents, .. } = &mut self.stage else {
            // `feed_inner` calls this in this stage only.
            unreachable!();
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
            // Only `end_section` leaves the stage, below.
            unreachable!();
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
                    "function body is {size} bytes, over the limit of {} bytes (Limits::max_function_body_bytes)",
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
    pub(super) fn end_section(&mut self) -> Result<(), StreamingError> {
        let end = self.received;
        let stage = core::mem::replace(&mut self.stage, new_section_header());
        let Stage::Section { id, contents, .. } = stage else {
            // Called when a section's last byte has been received.
            unreachable!();
        };
        self.last_section = Some(id);
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
    pub(super) fn parse_unit(
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
}

pub(super) fn out_of_memory(offset: u64) -> CompileError {
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

/// Feeds one payload to the validator; validates a function body in full.
pub(super) fn validate_payload(
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
        let result = validate_body(&mut func_validator, &body);
        *allocations = Some(func_validator.into_allocations());
        result.map_err(|e| binary_error(&e, to_stream, Some(index)))?;
    }
    Ok(())
}

pub(super) fn binary_error(
    error: &BinaryReaderError,
    to_stream: &dyn Fn(usize) -> u64,
    func: Option<u32>,
) -> CompileError {
    let offset = to_stream(error.offset());
    match func {
        Some(index) => CompileError::new(offset, format!("function {index}: {}", error.message())),
        None => CompileError::new(offset, String::from(error.message())),
    }
}
