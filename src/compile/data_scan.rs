//! Streaming the data section without holding its segment bytes: a small
//! incremental scanner finds each segment's header (flags, memory index,
//! offset expression) and its data length; the headers are kept verbatim,
//! the data bytes only go to the staging sink.
//!
//! wasmparser then validates a *synthetic* data section: the same bytes with
//! every segment's data cut to zero length (the length field keeps its byte
//! count, as a padded LEB128 zero). Everything the validator reads is the
//! original bytes, and an offset map turns its error offsets back into
//! stream offsets exactly. Anything the scanner does not recognise (another
//! segment kind, an opcode outside the usual offset expressions, a length
//! that overruns the section, bytes after the last segment) switches it to
//! keeping the rest of the section verbatim, so wasmparser judges the real
//! bytes there.

use alloc::vec::Vec;

use super::leb::LebU32;
use super::unit::Unit;

/// The longest signed LEB128 of an `i32.const` and an `i64.const`.
const MAX_S32: u8 = 5;
const MAX_S64: u8 = 10;
const MAX_U32: u8 = 5;

/// Where the next byte of the data section belongs.
#[derive(Debug, Clone, Copy)]
enum State {
    /// The segment count.
    Count(LebU32),
    /// A segment's flags.
    Flags(LebU32),
    /// An active segment's explicit memory index.
    MemoryIndex(LebU32),
    /// The next opcode of the offset expression.
    Opcode,
    /// An LEB128 immediate of the offset expression: at most `left` bytes.
    Immediate { left: u8 },
    /// The data length field.
    Length,
    /// Data bytes: `left` to go. Staged, not kept.
    Data { left: u32 },
    /// Every segment has been read.
    AfterSegments,
    /// Unrecognised: the rest of the section is kept as it is.
    Verbatim,
}

/// The data-section scanner. See the module docs.
#[derive(Debug)]
pub(crate) struct DataScan {
    /// The section header's length (id and size field).
    pub(crate) header_len: usize,
    state: State,
    segments_left: u32,
    /// The data length field being read, kept until it is known whether it
    /// goes into the unit as it is or as a zero.
    length: LebU32,
    length_bytes: [u8; 5],
    length_len: usize,
    /// Data bytes left out of the unit so far.
    elided: u64,
    /// `(unit position, bytes elided before it)`, one entry per segment
    /// whose data was left out, in unit order.
    map: Vec<(usize, u64)>,
}

impl DataScan {
    pub(crate) fn new(header_len: usize) -> Self {
        DataScan {
            header_len,
            state: State::Count(LebU32::default()),
            segments_left: 0,
            length: LebU32::default(),
            length_bytes: [0; 5],
            length_len: 0,
            elided: 0,
            map: Vec::new(),
        }
    }

    /// Consumes `bytes` of the section's contents, of which `section_left`
    /// bytes (including `bytes`) remain. Keeps what the validator must see in
    /// `unit`. `Err` when the unit cannot grow (out of memory).
    pub(crate) fn advance(
        &mut self,
        bytes: &[u8],
        section_left: u32,
        unit: &mut Unit,
    ) -> Result<(), ()> {
        let mut at = 0;
        while at < bytes.len() {
            if let State::Data { left } = &mut self.state {
                let take = (*left as usize).min(bytes.len() - at);
                *left -= take as u32;
                at += take;
                if *left == 0 {
                    self.end_segment();
                }
                continue;
            }
            if let State::Verbatim = self.state {
                // Byte by byte, so the unit grows alike however the stream
                // is chunked.
                for &byte in &bytes[at..] {
                    unit.push_growing(byte)?;
                }
                return Ok(());
            }
            // Bytes of the section after this one.
            let after = section_left as usize - at - 1;
            self.scan_byte(bytes[at], after, unit)?;
            at += 1;
        }
        Ok(())
    }

    fn scan_byte(&mut self, byte: u8, after: usize, unit: &mut Unit) -> Result<(), ()> {
        if let State::Length = self.state {
            self.length_bytes[self.length_len] = byte;
            self.length_len += 1;
            return match self.length.push(byte) {
                Ok(None) if self.length_len < 5 => Ok(()),
                Ok(Some(len)) if len > 0 && len as usize <= after => self.elide(len, unit),
                Ok(Some(0)) => {
                    self.keep_length(unit)?;
                    self.end_segment();
                    Ok(())
                }
                _ => {
                    self.keep_length(unit)?;
                    self.state = State::Verbatim;
                    Ok(())
                }
            };
        }
        unit.push_growing(byte)?;
        self.state = match self.state {
            State::Count(mut leb) => match leb.push(byte) {
                Ok(None) => State::Count(leb),
                Ok(Some(0)) => State::AfterSegments,
                Ok(Some(count)) => {
                    self.segments_left = count;
                    State::Flags(LebU32::default())
                }
                Err(_) => State::Verbatim,
            },
            State::Flags(mut leb) => match leb.push(byte) {
                Ok(None) => State::Flags(leb),
                // Active, memory 0: an offset expression follows.
                Ok(Some(0)) => State::Opcode,
                // Passive: the length follows.
                Ok(Some(1)) => self.start_length(),
                // Active with a memory index.
                Ok(Some(2)) => State::MemoryIndex(LebU32::default()),
                _ => State::Verbatim,
            },
            State::MemoryIndex(mut leb) => match leb.push(byte) {
                Ok(None) => State::MemoryIndex(leb),
                Ok(Some(_)) => State::Opcode,
                Err(_) => State::Verbatim,
            },
            State::Opcode => match byte {
                // end
                0x0b => self.start_length(),
                // i32.const, i64.const, global.get
                0x41 => State::Immediate { left: MAX_S32 },
                0x42 => State::Immediate { left: MAX_S64 },
                0x23 => State::Immediate { left: MAX_U32 },
                // i32.add/sub/mul, i64.add/sub/mul (extended-const)
                0x6a..=0x6c | 0x7c..=0x7e => State::Opcode,
                _ => State::Verbatim,
            },
            State::Immediate { left } => match (byte & 0x80 != 0, left) {
                (false, _) => State::Opcode,
                (true, 1) => State::Verbatim,
                (true, left) => State::Immediate { left: left - 1 },
            },
            State::AfterSegments => State::Verbatim,
            State::Length | State::Data { .. } | State::Verbatim => {
                // Handled before this match.
                unreachable!()
            }
        };
        Ok(())
    }

    fn start_length(&mut self) -> State {
        self.length = LebU32::default();
        self.length_len = 0;
        State::Length
    }

    /// The length field goes into the unit unchanged.
    fn keep_length(&mut self, unit: &mut Unit) -> Result<(), ()> {
        for &byte in &self.length_bytes[..self.length_len] {
            unit.push_growing(byte)?;
        }
        self.length_len = 0;
        Ok(())
    }

    /// The length field goes into the unit as a zero of the same width, and
    /// the `len` data bytes after it are left out.
    fn elide(&mut self, len: u32, unit: &mut Unit) -> Result<(), ()> {
        let width = self.length_len;
        for i in 0..width {
            unit.push_growing(if i + 1 < width { 0x80 } else { 0 })?;
        }
        self.length_len = 0;
        self.elided += u64::from(len);
        self.map.push((unit.len(), self.elided));
        self.state = State::Data { left: len };
        Ok(())
    }

    fn end_segment(&mut self) {
        self.segments_left = self.segments_left.saturating_sub(1);
        self.state = if self.segments_left == 0 {
            State::AfterSegments
        } else {
            State::Flags(LebU32::default())
        };
    }

    /// The section has ended: a length field cut short goes in as it is.
    pub(crate) fn end(&mut self, unit: &mut Unit) -> Result<(), ()> {
        if let State::Length = self.state {
            self.keep_length(unit)?;
        }
        Ok(())
    }

    /// Takes `n` data bytes if they do not complete the current segment's
    /// data; `false` (nothing taken) otherwise.
    #[inline]
    pub(crate) fn skip_within_data(&mut self, n: usize) -> bool {
        match &mut self.state {
            State::Data { left } if n < *left as usize => {
                *left -= n as u32;
                true
            }
            _ => false,
        }
    }

    /// Data bytes left out of the unit in total.
    pub(crate) fn elided(&self) -> u64 {
        self.elided
    }

    /// Data bytes left out of the unit before unit position `at`.
    pub(crate) fn elided_before(&self, at: usize) -> u64 {
        let entries = self.map.partition_point(|&(pos, _)| pos <= at);
        match entries {
            0 => 0,
            n => self.map[n - 1].1,
        }
    }
}
