//! MDN's `WebAssembly.instantiateStreaming()` example over real HTTP:
//!
//! ```js
//! const importObject = {
//!   my_namespace: { imported_func: (arg) => console.log(arg) },
//! };
//! WebAssembly.instantiateStreaming(fetch("simple.wasm"), importObject).then(
//!   (obj) => obj.instance.exports.exported_func(),
//! );
//! ```
//!
//! The example starts an HTTP/1.1 server on 127.0.0.1 (one connection, then
//! it stops) that serves `simple.wasm` with `Content-Type: application/wasm`,
//! chunked, in small writes. The client sends `GET /simple.wasm` on a
//! `TcpStream`, reads the response head with `http::HttpResponse`, and
//! `instantiate_streaming` compiles the body while the chunks arrive. Run it
//! with `cargo run --example fetch`; it prints `42`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use wasmstream::http::HttpResponse;
use wasmstream::std_io::FromStd;
use wasmstream::wasmi::Store;
use wasmstream::{Config, Imports, Instantiated, instantiate_streaming};

/// MDN's `simple.wat`.
const SIMPLE_WAT: &str = r#"
(module
  (func $i (import "my_namespace" "imported_func") (param i32))
  (func (export "exported_func")
    i32.const 42
    call $i))
"#;

/// Bytes per chunk the server writes.
const CHUNK_BYTES: usize = 8;

/// Answers one `GET` on `listener` with `wasm`, chunked, then closes.
fn serve_once(listener: TcpListener, wasm: Vec<u8>) -> std::io::Result<()> {
    let (stream, _) = listener.accept()?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut request = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    request.read_line(&mut line)?;
    eprintln!("server: {}", line.trim_end());
    while line != "\r\n" && !line.is_empty() {
        line.clear();
        request.read_line(&mut line)?;
    }
    let mut stream = stream;
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/wasm\r\n\
          Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    )?;
    for chunk in wasm.chunks(CHUNK_BYTES) {
        write!(stream, "{:x}\r\n", chunk.len())?;
        stream.write_all(chunk)?;
        stream.write_all(b"\r\n")?;
        stream.flush()?;
    }
    stream.write_all(b"0\r\n\r\n")?;
    eprintln!(
        "server: sent {} bytes in {} chunks",
        wasm.len(),
        wasm.len().div_ceil(CHUNK_BYTES)
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let wasm = wat::parse_str(SIMPLE_WAT)?;
    let server = std::thread::spawn(move || serve_once(listener, wasm));

    let engine = Config::new().engine();
    let mut store = Store::new(&engine, ());
    // const importObject = { my_namespace: { imported_func: (arg) => console.log(arg) } };
    let mut imports = Imports::new(&engine);
    imports.func_wrap("my_namespace", "imported_func", |arg: i32| {
        println!("{arg}");
    });

    // fetch("simple.wasm")
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET /simple.wasm HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 512];
    let response = HttpResponse::read(FromStd::new(stream), &mut head)?;
    eprintln!(
        "client: status {}, Content-Type {:?}",
        response.status(),
        String::from_utf8_lossy(response.content_type().unwrap_or_default())
    );

    let Instantiated { instance, .. } = instantiate_streaming(&mut store, response, &imports)?;
    // obj.instance.exports.exported_func();
    let exported_func = instance.get_typed_func::<(), ()>(&store, "exported_func")?;
    exported_func.call(&mut store, ())?;

    server.join().expect("server thread")?;
    Ok(())
}
