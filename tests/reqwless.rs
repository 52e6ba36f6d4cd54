//! `http::from_reqwless` through reqwless's own `HttpClient`, over a small
//! std TCP connector, against loopback servers: a chunked body, a
//! Content-Length body, a truncated body, a refused response.

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};

use common::loopback::{AsyncStream, Server, chunked, drip, ok_head};
use embedded_nal_async::{AddrType, Dns, TcpConnect};
use reqwless::client::HttpClient;
use reqwless::request::Method;
use wasmstream::http::{BodyError, from_reqwless};
use wasmstream::wasmi::Store;
use wasmstream::{Config, Error, Imports, TypeError, instantiate_streaming_async};

/// Connects with std's blocking `TcpStream` (fine under `block_on`).
struct StdTcp;

impl TcpConnect for StdTcp {
    type Error = std::io::Error;
    type Connection<'a> = AsyncStream;

    async fn connect(&self, remote: SocketAddr) -> Result<AsyncStream, std::io::Error> {
        assert!(remote.ip().is_loopback(), "tests stay on loopback");
        let stream = TcpStream::connect(remote)?;
        stream.set_read_timeout(Some(common::loopback::TIMEOUT))?;
        Ok(AsyncStream(stream))
    }
}

/// Resolves every name to 127.0.0.1.
struct Loopback;

impl Dns for Loopback {
    type Error = std::io::Error;

    async fn get_host_by_name(&self, _: &str, _: AddrType) -> Result<IpAddr, std::io::Error> {
        Ok(IpAddr::V4(Ipv4Addr::LOCALHOST))
    }

    async fn get_host_by_address(&self, _: IpAddr, _: &mut [u8]) -> Result<usize, std::io::Error> {
        Err(std::io::ErrorKind::Unsupported.into())
    }
}

const SIMPLE_WAT: &str = r#"(module
  (func $i (import "my_namespace" "imported_func") (param i32))
  (func (export "exported_func") i32.const 42 call $i))"#;

/// GETs /simple.wasm from a server sending `response`, instantiates it and
/// calls `exported_func`; returns what the import received.
fn fetch(response: Vec<u8>) -> Result<i32, Error<BodyError<reqwless::Error>>> {
    let server = Server::start(drip(&response, 7, std::time::Duration::ZERO), true);
    let url = format!("http://localhost:{}/simple.wasm", server.addr.port());
    let result = embassy_futures::block_on(async {
        let engine = Config::new().engine();
        let mut store = Store::new(&engine, 0);
        let mut imports = Imports::new(&engine);
        imports.func_wrap(
            "my_namespace",
            "imported_func",
            |mut caller: wasmstream::wasmi::Caller<'_, i32>, arg: i32| *caller.data_mut() = arg,
        );
        let mut client = HttpClient::new(&StdTcp, &Loopback);
        let mut request = client.request(Method::GET, &url).await.unwrap();
        let mut head = [0u8; 1024];
        let response = request.send(&mut head).await.unwrap();
        let instantiated =
            instantiate_streaming_async(&mut store, from_reqwless(response), &imports).await?;
        let exported = instantiated
            .instance
            .get_typed_func::<(), ()>(&store, "exported_func")
            .unwrap();
        exported.call(&mut store, ()).unwrap();
        Ok(*store.data())
    });
    let request = server.join();
    assert!(request.starts_with(b"GET /simple.wasm HTTP/1.1\r\n"));
    result
}

#[test]
fn chunked_and_content_length_bodies_run() {
    let wasm = wat::parse_str(SIMPLE_WAT).unwrap();
    let mut chunked_response = ok_head("Transfer-Encoding: chunked\r\n");
    chunked_response.extend(chunked(&wasm, 5, "", ""));
    assert_eq!(fetch(chunked_response).unwrap(), 42);

    let mut sized = ok_head(&format!("Content-Length: {}\r\n", wasm.len()));
    sized.extend_from_slice(&wasm);
    assert_eq!(fetch(sized).unwrap(), 42);
}

#[test]
fn a_short_body_and_a_refused_response_are_type_errors() {
    let wasm = wat::parse_str(SIMPLE_WAT).unwrap();
    let mut short = ok_head(&format!("Content-Length: {}\r\n", wasm.len()));
    short.extend_from_slice(&wasm[..30]);
    let Err(Error::Type(error)) = fetch(short) else {
        panic!("expected a TypeError")
    };
    assert_eq!(
        error,
        TypeError::BodyTooShort {
            expected: wasm.len() as u64,
            received: 30
        }
    );

    let repeated =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/wasm\r\nContent-Type: text/plain\r\n\r\n";
    let Err(Error::Type(error)) = fetch(repeated.to_vec()) else {
        panic!("expected a TypeError")
    };
    assert_eq!(
        error.to_string(),
        r#"type error: response Content-Type is "application/wasm, text/plain", expected "application/wasm""#
    );

    let redirect = b"HTTP/1.1 302 Found\r\nLocation: /v2/simple.wasm\r\nContent-Length: 0\r\n\r\n";
    let Err(Error::Type(error)) = fetch(redirect.to_vec()) else {
        panic!("expected a TypeError")
    };
    assert_eq!(
        error,
        TypeError::Redirect {
            status: 302,
            location: Some("/v2/simple.wasm".into())
        }
    );
}
