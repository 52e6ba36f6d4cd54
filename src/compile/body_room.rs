//! The body room: a driver reads a function body's bytes straight into the
//! unit where the body is assembled, instead of through its window and
//! [`StreamingCompiler::feed`]. Nothing about parsing changes — the body's
//! last byte still arrives through `feed`, which parses it — but a read
//! inside a body costs a few additions, with no copy and no dispatch on the
//! compiler's state: with 1-byte reads (a UART) that is most of the work.

use super::read_controls::ReadControls;
use super::streaming::{CodeField, Contents, Stage, StreamingCompiler};
use crate::control::{Abort, Progress};
use crate::staging::Staging;

/// The most room opened at once (zeroed, then filled), unless the window is
/// larger: a run of reads cut short by an interruption is reopened, and
/// must not zero the rest of a large body again each time.
pub(crate) const ROOM_STEP: usize = 1024;

impl<S: Staging> StreamingCompiler<S> {
    /// How many of the stream's next bytes may be read straight into
    /// [`open_body_room`](Self::open_body_room): the rest of the function
    /// body being received but its last byte, within the section and the
    /// known length; `0` outside a body or after an error.
    #[inline]
    pub(crate) fn body_room(&self) -> usize {
        if self.failed.is_some() {
            return 0;
        }
        let Stage::Section {
            left,
            contents: Contents::Code(CodeField::Body { left: body }),
            ..
        } = &self.stage
        else {
            return 0;
        };
        let mut room = (*body).min(*left) as usize;
        if let Some(length) = self.known_length {
            room = room.min(length.saturating_sub(self.received) as usize);
        }
        room.saturating_sub(1)
    }

    /// Opens `room` bytes (at most [`body_room`](Self::body_room)) after the
    /// body's bytes so far, for reads to fill in order; then
    /// [`close_body_room`](Self::close_body_room) must follow.
    #[inline]
    pub(crate) fn open_body_room(&mut self, room: usize) -> &mut [u8] {
        self.unit.open(room.min(self.body_room()))
    }

    /// Takes the first `filled` bytes of the `opened` room as received.
    #[inline]
    pub(crate) fn close_body_room(&mut self, opened: usize, filled: usize) {
        let filled = filled.min(opened);
        self.unit.close(opened, filled);
        if let Stage::Section {
            left,
            contents: Contents::Code(CodeField::Body { left: body }),
            ..
        } = &mut self.stage
        {
            *left -= filled as u32;
            *body -= filled as u32;
        }
        self.received += filled as u64;
    }
}

/// How much of a body room of `room` bytes a driver with a `window`-byte
/// window opens at once.
#[inline]
pub(crate) fn room_to_open(room: usize, window: usize) -> usize {
    room.min(window.max(ROOM_STEP))
}

/// Whether a driver should read into the body room rather than its window:
/// when the room can take a whole window, or the source delivers less than
/// it is asked for anyway (a UART, a socket between packets). Otherwise a
/// window read spanning the body's end and what follows needs fewer reads.
#[inline]
pub(crate) fn reads_into_room(room: usize, window: usize, last_read_short: bool) -> bool {
    room > 0 && (room >= window || last_read_short)
}

/// How a run of reads into a body room ended.
pub(crate) enum RoomEnd<E> {
    /// The room is full, or reads now go better through the window.
    Done,
    /// The caller aborted (checked before each read after the first).
    Aborted,
    /// A read delivered nothing: an error, an interruption or the end, for
    /// the window loop to judge.
    Read(Result<usize, E>),
}

/// One run of reads into a body room, from stream offset `start` (the
/// caller checked the abort condition): the sans-IO half of the drivers'
/// room loops, which only read into [`slot`](Self::slot) and hand the
/// result to [`took`](Self::took) until it says how the run ended.
pub(crate) struct RoomRun<'r> {
    room: &'r mut [u8],
    received: usize,
    want: usize,
    max_read: usize,
    short: bool,
    start: u64,
}

impl<'r> RoomRun<'r> {
    pub(crate) fn new(room: &'r mut [u8], max_read: usize, short: bool, start: u64) -> Self {
        RoomRun {
            room,
            received: 0,
            want: 0,
            max_read,
            short,
            start,
        }
    }

    /// Where the next read goes: at most a window of the room's rest.
    #[inline]
    pub(crate) fn slot(&mut self) -> &mut [u8] {
        // A 1-byte window (a UART without a buffer) is common enough to
        // spare its loop the arithmetic.
        self.want = if self.max_read == 1 {
            1
        } else {
            (self.room.len() - self.received).min(self.max_read)
        };
        &mut self.room[self.received..self.received + self.want]
    }

    /// Takes the result of the read into [`slot`](Self::slot): `None` to
    /// read again, or how the run ended.
    #[inline]
    pub(crate) fn took<E, P: Progress, A: Abort>(
        &mut self,
        result: Result<usize, E>,
        controls: &mut ReadControls<P, A>,
    ) -> Option<RoomEnd<E>> {
        match result {
            Ok(read) if read > 0 => {
                let read = read.min(self.want);
                self.short = read < self.want;
                let at = self.received;
                self.received += read;
                controls
                    .received_in_body(&self.room[at..at + read], self.start + self.received as u64);
            }
            other => return Some(RoomEnd::Read(other)),
        }
        if !reads_into_room(self.room.len() - self.received, self.max_read, self.short) {
            return Some(RoomEnd::Done);
        }
        if controls.aborted() {
            return Some(RoomEnd::Aborted);
        }
        None
    }

    /// The bytes received, and whether the last read was short.
    pub(crate) fn ended(self) -> (usize, bool) {
        (self.received, self.short)
    }
}
