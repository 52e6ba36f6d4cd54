//! Readers with scripted behaviour: short reads, `Interrupted`, a failure or
//! an early end at a chosen byte, endless streams; each counts what it gave.

use std::fmt;

use embedded_io::{ErrorKind, ErrorType, Read};

/// The error a [`ScriptedReader`] fails with: its kind and the stream
/// position it failed at, so a test can tell it is *that very* error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadFault {
    pub kind: ErrorKind,
    pub at: usize,
}

impl fmt::Display for ReadFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} at byte {}", self.kind, self.at)
    }
}

impl std::error::Error for ReadFault {}

impl embedded_io::Error for ReadFault {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

/// Serves `data` under a script.
#[derive(Debug, Clone)]
pub struct ScriptedReader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Largest read served, cycled; empty: as much as asked.
    read_sizes: Vec<usize>,
    next_size: usize,
    /// Return `Interrupted` before every read that would deliver data.
    interrupt: bool,
    interrupted_last: bool,
    /// Fail with this kind once `pos` reaches the position.
    fail_at: Option<(usize, ErrorKind)>,
    /// Return `Ok(0)` once `pos` reaches this position.
    end_at: Option<usize>,
    /// Calls to `read`, including `Interrupted` ones.
    pub reads: usize,
    /// Calls to `read` after it returned an error other than
    /// `Interrupted`, or after it returned `Ok(0)`.
    pub reads_after_end: usize,
    ended: bool,
    /// Largest buffer a caller offered.
    pub largest_request: usize,
}

impl<'a> ScriptedReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        ScriptedReader {
            data,
            pos: 0,
            read_sizes: Vec::new(),
            next_size: 0,
            interrupt: false,
            interrupted_last: false,
            fail_at: None,
            end_at: None,
            reads: 0,
            reads_after_end: 0,
            ended: false,
            largest_request: 0,
        }
    }

    /// Serve at most these many bytes per read, cycling.
    pub fn read_sizes(mut self, sizes: &[usize]) -> Self {
        self.read_sizes = sizes.to_vec();
        self
    }

    pub fn interrupt_every_read(mut self) -> Self {
        self.interrupt = true;
        self
    }

    pub fn fail_at(mut self, at: usize, kind: ErrorKind) -> Self {
        self.fail_at = Some((at, kind));
        self
    }

    pub fn end_at(mut self, at: usize) -> Self {
        self.end_at = Some(at);
        self
    }

    /// Bytes handed out so far.
    pub fn delivered(&self) -> usize {
        self.pos
    }
}

impl ErrorType for ScriptedReader<'_> {
    type Error = ReadFault;
}

impl Read for ScriptedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ReadFault> {
        self.reads += 1;
        self.largest_request = self.largest_request.max(buf.len());
        if self.ended {
            self.reads_after_end += 1;
        }
        if self.interrupt && !self.interrupted_last {
            self.interrupted_last = true;
            return Err(ReadFault {
                kind: ErrorKind::Interrupted,
                at: self.pos,
            });
        }
        self.interrupted_last = false;
        if let Some((at, kind)) = self.fail_at
            && self.pos >= at
        {
            self.ended = true;
            return Err(ReadFault { kind, at });
        }
        let mut end = self.data.len();
        if let Some(at) = self.end_at {
            end = end.min(at);
        }
        if let Some((at, _)) = self.fail_at {
            end = end.min(at);
        }
        let mut len = buf.len().min(end - self.pos);
        if !self.read_sizes.is_empty() {
            len = len.min(self.read_sizes[self.next_size % self.read_sizes.len()]);
            self.next_size += 1;
        }
        if len == 0 {
            self.ended = true;
        }
        buf[..len].copy_from_slice(&self.data[self.pos..self.pos + len]);
        self.pos += len;
        Ok(len)
    }
}

/// A stream that never ends: `head`, then `body` repeated forever.
#[derive(Debug, Clone)]
pub struct EndlessReader<'a> {
    head: &'a [u8],
    body: &'a [u8],
    pub delivered: u64,
}

impl<'a> EndlessReader<'a> {
    pub fn new(head: &'a [u8], body: &'a [u8]) -> Self {
        assert!(!body.is_empty());
        EndlessReader {
            head,
            body,
            delivered: 0,
        }
    }
}

impl ErrorType for EndlessReader<'_> {
    type Error = core::convert::Infallible;
}

impl Read for EndlessReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, core::convert::Infallible> {
        for byte in buf.iter_mut() {
            let at = self.delivered as usize;
            *byte = if at < self.head.len() {
                self.head[at]
            } else {
                self.body[(at - self.head.len()) % self.body.len()]
            };
            self.delivered += 1;
        }
        Ok(buf.len())
    }
}

/// Serves `data` in reads of at most `at_most` bytes, as a UART hands out
/// what has arrived; blocking and async.
#[derive(Debug, Clone)]
pub struct Trickle<'a> {
    pub data: &'a [u8],
    pub at_most: usize,
}

impl Trickle<'_> {
    fn serve(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.at_most).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        n
    }
}

impl ErrorType for Trickle<'_> {
    type Error = core::convert::Infallible;
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        Ok(self.serve(buf))
    }
}

impl embedded_io_async::Read for Trickle<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        Ok(self.serve(buf))
    }
}
