//! A loopback HTTP server for tests: 127.0.0.1 only, one connection, a
//! scripted response written in pieces, then it closes and its thread ends.
//! Also readers over the client's `TcpStream`: counting (blocking) and async.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a test waits for its server, at most.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// One write of the server, then an optional pause.
#[derive(Clone, Debug)]
pub struct Piece {
    pub bytes: Vec<u8>,
    pub pause: Duration,
}

/// `bytes` written at once.
pub fn piece(bytes: impl Into<Vec<u8>>) -> Piece {
    Piece {
        bytes: bytes.into(),
        pause: Duration::ZERO,
    }
}

/// `bytes` written `size` bytes at a time, `pause` after each write.
pub fn drip(bytes: &[u8], size: usize, pause: Duration) -> Vec<Piece> {
    bytes
        .chunks(size)
        .map(|chunk| Piece {
            bytes: chunk.to_vec(),
            pause,
        })
        .collect()
}

/// A server that accepted nothing yet.
pub struct Server {
    pub addr: SocketAddr,
    thread: JoinHandle<Vec<u8>>,
}

impl Server {
    /// Listens on 127.0.0.1; on its one connection it reads the request head
    /// (if `read_request`), writes `pieces`, and closes.
    pub fn start(pieces: Vec<Piece>, read_request: bool) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let thread = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            stream.set_read_timeout(Some(TIMEOUT)).unwrap();
            stream.set_write_timeout(Some(TIMEOUT)).unwrap();
            let request = if read_request {
                read_request_head(&mut stream)
            } else {
                Vec::new()
            };
            for piece in pieces {
                // The client may have given up (a test of early errors).
                if stream.write_all(&piece.bytes).is_err() {
                    break;
                }
                let _ = stream.flush();
                std::thread::sleep(piece.pause);
            }
            request
        });
        Server { addr, thread }
    }

    /// A connected client stream with read timeout `timeout`.
    pub fn connect(&self, timeout: Duration) -> TcpStream {
        let stream = TcpStream::connect(self.addr).expect("connect to loopback");
        stream.set_read_timeout(Some(timeout)).unwrap();
        stream
    }

    /// Waits for the server to finish; returns the request head it read.
    pub fn join(self) -> Vec<u8> {
        self.thread.join().expect("server thread")
    }
}

fn read_request_head(stream: &mut TcpStream) -> Vec<u8> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    head
}

/// A `200` head with `Content-Type: application/wasm` and `headers` added.
pub fn ok_head(headers: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\nContent-Type: application/wasm\r\n{headers}\r\n").into_bytes()
}

/// `body` in chunked framing, `size` bytes per chunk, each size line
/// carrying `extension`, the last chunk followed by `trailers`.
pub fn chunked(body: &[u8], size: usize, extension: &str, trailers: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in body.chunks(size) {
        out.extend_from_slice(format!("{:x}{extension}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("0{extension}\r\n{trailers}\r\n").as_bytes());
    out
}

/// A blocking reader over a `TcpStream` that counts the bytes it delivered.
pub struct Counting {
    pub stream: TcpStream,
    pub delivered: usize,
}

impl embedded_io::ErrorType for Counting {
    type Error = std::io::Error;
}

impl embedded_io::Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, std::io::Error> {
        let read = self.stream.read(buf)?;
        self.delivered += read;
        Ok(read)
    }
}

/// An async reader over a blocking `TcpStream` (for `embassy_futures::block_on`).
pub struct AsyncStream(pub TcpStream);

impl embedded_io::ErrorType for AsyncStream {
    type Error = std::io::Error;
}

impl embedded_io_async::Read for AsyncStream {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, std::io::Error> {
        self.0.read(buf)
    }
}

impl embedded_io_async::Write for AsyncStream {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, std::io::Error> {
        self.0.write(buf)
    }

    async fn flush(&mut self) -> Result<(), std::io::Error> {
        self.0.flush()
    }
}
