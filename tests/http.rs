//! `http::HttpResponse` against loopback servers, through the public API:
//! Content-Length and chunked bodies, truncation at every byte, the
//! Content-Type and status checks, interim responses, redirects, slow
//! servers, and every malformed-head error, each with its one-line message.
//! A refused response reads no byte of its body; a body reads no byte past
//! its end.

mod common;

use std::cell::Cell;
use std::time::Duration;

use common::loopback::{AsyncStream, Counting, Piece, Server, chunked, drip, ok_head, piece};
use wasmstream::http::{BodyError, HttpResponse};
use wasmstream::wasmi::Store;
use wasmstream::{
    Config, Error, Imports, TypeError, compile_streaming, instantiate_streaming,
    instantiate_streaming_async,
};

const SIMPLE_WAT: &str = r#"(module
  (func $i (import "my_namespace" "imported_func") (param i32))
  (func (export "exported_func") i32.const 42 call $i))"#;

/// Bytes the server sends after the response: a test fails if they are read.
const NEXT: &[u8] = b"NEXT RESPONSE";

fn simple_wasm() -> Vec<u8> {
    wat::parse_str(SIMPLE_WAT).unwrap()
}

type HttpError = Error<BodyError<std::io::Error>>;

/// Serves `pieces`, instantiates MDN's simple.wasm from the response, calls
/// `exported_func`; returns what the import received (or the error) and the
/// bytes the client read from the socket.
fn fetch_and_run(pieces: Vec<Piece>, head_buffer: usize) -> (Result<i32, HttpError>, usize) {
    let server = Server::start(pieces, false);
    let mut reader = Counting {
        stream: server.connect(common::loopback::TIMEOUT),
        delivered: 0,
    };
    let result = run(&mut reader, head_buffer);
    drop(reader.stream.shutdown(std::net::Shutdown::Both));
    server.join();
    (result, reader.delivered)
}

fn run(reader: &mut Counting, head_buffer: usize) -> Result<i32, HttpError> {
    let mut head = vec![0u8; head_buffer];
    let response = HttpResponse::read(reader, &mut head).map_err(|e| match e {
        Error::Type(e) => Error::Type(e),
        Error::Io(e) => Error::Io(BodyError::Transport(e)),
        other => panic!("unexpected {other}"),
    })?;
    let engine = Config::new().engine();
    let mut store = Store::new(&engine, Cell::new(0));
    let mut imports = Imports::new(&engine);
    imports.func_wrap(
        "my_namespace",
        "imported_func",
        |caller: wasmstream::wasmi::Caller<'_, Cell<i32>>, arg: i32| caller.data().set(arg),
    );
    let instantiated = instantiate_streaming(&mut store, response, &imports)?;
    let exported = instantiated
        .instance
        .get_typed_func::<(), ()>(&store, "exported_func")
        .unwrap();
    exported.call(&mut store, ()).unwrap();
    Ok(store.data().get())
}

fn type_error(result: Result<i32, HttpError>) -> TypeError {
    match result {
        Err(Error::Type(e)) => {
            assert!(!e.to_string().contains('\n'), "{e}");
            e
        }
        other => panic!("expected a TypeError, got {other:?}"),
    }
}

#[test]
fn content_length_body_runs_and_nothing_past_it_is_read() {
    let wasm = simple_wasm();
    let head = ok_head(&format!("Content-Length: {}\r\n", wasm.len()));
    let pieces = vec![piece(head.clone()), piece(wasm.clone()), piece(NEXT)];
    let (result, delivered) = fetch_and_run(pieces, 256);
    assert_eq!(result.unwrap(), 42);
    assert_eq!(delivered, head.len() + wasm.len());
}

#[test]
fn chunked_bodies_with_one_byte_chunks_extensions_and_trailers_run() {
    let wasm = simple_wasm();
    let cases = [
        (1, "", ""),
        (
            1,
            ";name=\"quoted value\";flag",
            "X-Checksum: abc\r\nX-Other: 1\r\n",
        ),
        (7, " ;a=b", ""),
        (wasm.len(), "", "Expires: never\r\n"),
    ];
    for (size, extension, trailers) in cases {
        let head = ok_head("Transfer-Encoding: chunked\r\n");
        let body = chunked(&wasm, size, extension, trailers);
        // Small writes, as a real server flushing each chunk.
        let mut pieces = vec![piece(head.clone())];
        pieces.extend(drip(&body, 3, Duration::ZERO));
        pieces.push(piece(NEXT));
        let (result, delivered) = fetch_and_run(pieces, 256);
        assert_eq!(result.unwrap(), 42, "chunks of {size} {extension:?}");
        assert_eq!(delivered, head.len() + body.len(), "chunks of {size}");
    }
}

#[test]
fn body_to_the_end_of_the_stream_without_framing() {
    let wasm = simple_wasm();
    let head = b"HTTP/1.0 200 OK\r\nContent-Type: application/wasm\r\n\r\n".to_vec();
    let (result, _) = fetch_and_run(vec![piece(head), piece(wasm)], 256);
    assert_eq!(result.unwrap(), 42);
}

#[test]
fn a_content_length_body_truncated_at_every_byte_is_a_type_error() {
    let wasm = simple_wasm();
    let head = ok_head(&format!("Content-Length: {}\r\n", wasm.len()));
    for cut in 0..wasm.len() {
        let pieces = vec![piece(head.clone()), piece(&wasm[..cut])];
        let (result, _) = fetch_and_run(pieces, 256);
        let error = type_error(result);
        let expected = wasm.len() as u64;
        assert_eq!(
            error,
            TypeError::BodyTooShort {
                expected,
                received: cut as u64
            }
        );
        assert_eq!(
            error.to_string(),
            format!("type error: response body ended after {cut} bytes, expected {expected}")
        );
    }
}

#[test]
fn a_chunked_body_truncated_at_every_byte_is_a_type_error() {
    let wasm = simple_wasm();
    let head = ok_head("Transfer-Encoding: chunked\r\n");
    let body = chunked(&wasm, 16, ";x=y", "T: 1\r\n");
    for cut in 0..body.len() {
        let pieces = vec![piece(head.clone()), piece(&body[..cut])];
        let (result, _) = fetch_and_run(pieces, 256);
        assert_eq!(
            type_error(result).to_string(),
            format!(
                "type error: malformed chunked body at byte {cut} of the body: the stream ended before the last chunk"
            )
        );
    }
}

#[test]
fn a_bad_chunk_size_is_a_type_error_at_its_offset() {
    let wasm = simple_wasm();
    let head = ok_head("Transfer-Encoding: chunked\r\n");
    let mut body = chunked(&wasm[..10], 10, "", "");
    body.truncate(body.len() - 5); // drop the last chunk
    let offset = body.len();
    body.extend_from_slice(b"zz\r\n");
    let (result, _) = fetch_and_run(vec![piece(head), piece(body)], 256);
    let error = type_error(result);
    assert_eq!(
        error,
        TypeError::BadChunkedBody {
            offset: offset as u64,
            problem: "chunk size is not hexadecimal"
        }
    );
    assert_eq!(
        error.to_string(),
        format!(
            "type error: malformed chunked body at byte {offset} of the body: chunk size is not hexadecimal"
        )
    );
}

/// A response refused by its head: the error, its message, and that not a
/// byte of the body (`NEXT`) was read.
fn refused(head: &str) -> (TypeError, String) {
    let head = head.as_bytes().to_vec();
    let (result, delivered) = fetch_and_run(vec![piece(head.clone()), piece(NEXT)], 256);
    let error = type_error(result);
    assert!(delivered <= head.len(), "{error}: read past the head");
    let message = error.to_string();
    (error, message)
}

#[test]
fn content_type_missing_wrong_or_repeated() {
    let (error, message) = refused("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n");
    assert_eq!(error, TypeError::MissingContentType);
    assert_eq!(
        message,
        r#"type error: response has no Content-Type, expected "application/wasm""#
    );

    let (_, message) = refused("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");
    assert_eq!(
        message,
        r#"type error: response Content-Type is "text/html", expected "application/wasm""#
    );

    // Fetch combines repeated lines: the combination is not a MIME type.
    let (_, message) = refused(
        "HTTP/1.1 200 OK\r\nContent-Type: application/wasm\r\ncontent-type:  application/wasm \r\n\r\n",
    );
    assert_eq!(
        message,
        r#"type error: response Content-Type is "application/wasm, application/wasm", expected "application/wasm""#
    );

    // A value too long to keep cannot trim down to an accepted one.
    let long = format!("application/wasm{}x", " ".repeat(100));
    let (error, _) = refused(&format!("HTTP/1.1 200 OK\r\nContent-Type: {long}\r\n\r\n"));
    assert!(matches!(error, TypeError::WrongContentType { .. }));
}

#[test]
fn statuses_204_301_404_500() {
    // 204 has no body whatever follows: an empty module is a CompileError.
    let head = "HTTP/1.1 204 No Content\r\nContent-Type: application/wasm\r\n\r\n";
    let (result, delivered) = fetch_and_run(vec![piece(head), piece(NEXT)], 256);
    let Err(Error::Compile(error)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(error.offset(), 0);
    assert_eq!(delivered, head.len());

    let (error, message) = refused(
        "HTTP/1.1 301 Moved Permanently\r\nContent-Type: text/html\r\nLocation: http://127.0.0.1/v2/simple.wasm\r\n\r\n",
    );
    assert!(matches!(error, TypeError::Redirect { status: 301, .. }));
    assert_eq!(
        message,
        r#"type error: response status 301 redirects to "http://127.0.0.1/v2/simple.wasm"; redirects are not followed"#
    );
    let (_, message) = refused("HTTP/1.1 307 Temporary Redirect\r\n\r\n");
    assert_eq!(
        message,
        "type error: response status 307 is a redirect without a Location; redirects are not followed"
    );

    for status in [404, 500] {
        let (error, message) = refused(&format!(
            "HTTP/1.1 {status} Oops\r\nContent-Type: application/wasm\r\nContent-Length: 13\r\n\r\n"
        ));
        assert_eq!(error, TypeError::BadStatus { status });
        assert_eq!(
            message,
            format!("type error: response status {status} is not ok (expected 200-299)")
        );
    }
}

#[test]
fn interim_100_continue_is_skipped() {
    let wasm = simple_wasm();
    let mut head =
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n".to_vec();
    head.extend(ok_head(&format!("Content-Length: {}\r\n", wasm.len())));
    // The buffer holds one head at a time, not all three.
    let (result, _) = fetch_and_run(vec![piece(head), piece(wasm)], 80);
    assert_eq!(result.unwrap(), 42);
}

#[test]
fn a_slow_drip_within_the_read_timeout_runs() {
    let wasm = simple_wasm();
    let mut response = ok_head("Transfer-Encoding: chunked\r\n");
    response.extend(chunked(&wasm, 5, "", ""));
    let (result, _) = fetch_and_run(drip(&response, 2, Duration::from_millis(1)), 256);
    assert_eq!(result.unwrap(), 42);
}

#[test]
fn a_stall_longer_than_the_read_timeout_is_the_transport_error() {
    let wasm = simple_wasm();
    let head = ok_head(&format!("Content-Length: {}\r\n", wasm.len()));
    let pieces = vec![
        piece(head),
        Piece {
            bytes: wasm[..10].to_vec(),
            pause: Duration::from_millis(1500),
        },
        piece(&wasm[10..]),
    ];
    let server = Server::start(pieces, false);
    let mut reader = Counting {
        stream: server.connect(Duration::from_millis(200)),
        delivered: 0,
    };
    let result = run(&mut reader, 256);
    let Err(Error::Io(BodyError::Transport(error))) = &result else {
        panic!("{result:?}")
    };
    assert!(
        matches!(
            error.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{error}"
    );
    assert!(result.unwrap_err().to_string().starts_with("read error: "));
    drop(reader);
    server.join();
}

#[test]
fn malformed_heads_say_what_is_wrong() {
    let (error, message) = refused(&format!(
        "HTTP/1.1 200 OK\r\nServer: {}\r\n\r\n",
        "x".repeat(300)
    ));
    assert_eq!(error, TypeError::HeadTooLarge { capacity: 256 });
    assert_eq!(
        message,
        "type error: HTTP response head is larger than its 256-byte buffer"
    );

    let (_, message) = refused("SSH-2.0-OpenSSH_9.2p1 Debian\r\n\r\n");
    assert_eq!(
        message,
        r#"type error: not an HTTP/1.x status line at byte 0: "SSH-2.0-OpenSSH_9.2p1 Debian""#
    );
    let (_, message) = refused("HTTP/1.1 2OO OK\r\n\r\n");
    assert_eq!(
        message,
        r#"type error: not an HTTP/1.x status line at byte 0: "HTTP/1.1 2OO OK""#
    );

    let (error, message) = refused("HTTP/1.1 200 OK\r\nX-Name: caf\u{e9}\r\n\r\n");
    assert_eq!(
        error,
        TypeError::NonAsciiHeader {
            offset: 28,
            byte: 0xc3
        }
    );
    assert_eq!(
        message,
        "type error: non-ASCII byte 0xc3 in an HTTP header at byte 28"
    );

    let (_, message) =
        refused("HTTP/1.1 200 OK\r\nContent-Type: application/wasm\r\nBad Header: 1\r\n\r\n");
    assert_eq!(
        message,
        r#"type error: malformed HTTP header line at byte 49: "Bad Header: 1""#
    );

    let many = "A: 1\r\n".repeat(33);
    let (_, message) = refused(&format!("HTTP/1.1 200 OK\r\n{many}\r\n"));
    assert_eq!(
        message,
        "type error: HTTP response has more than 32 header lines"
    );

    let (_, message) = refused("HTTP/1.1 200 OK\r\nContent-Length: 12, 13\r\n\r\n");
    assert_eq!(
        message,
        r#"type error: HTTP Content-Length "12, 13" is not one decimal length"#
    );
    let (_, message) = refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
    assert_eq!(
        message,
        r#"type error: HTTP Transfer-Encoding "gzip, chunked" is not supported (only "chunked")"#
    );

    let (result, _) = fetch_and_run(vec![piece("HTTP/1.1 200 OK\r\nServer: x")], 256);
    assert_eq!(
        type_error(result).to_string(),
        "type error: stream ended after 26 bytes, inside the HTTP response head"
    );
}

#[test]
fn async_source_decodes_chunks_and_reports_truncation() {
    let wasm = simple_wasm();
    let mut good = ok_head("Transfer-Encoding: chunked\r\n");
    good.extend(chunked(&wasm, 4, ";e", "T: x\r\n"));
    let mut short = ok_head(&format!("Content-Length: {}\r\n", wasm.len()));
    short.extend_from_slice(&wasm[..20]);

    let mut outcomes = Vec::new();
    for response in [good, short] {
        let server = Server::start(drip(&response, 5, Duration::ZERO), false);
        let stream = AsyncStream(server.connect(common::loopback::TIMEOUT));
        let outcome = embassy_futures::block_on(async move {
            let mut head = [0u8; 256];
            let response = HttpResponse::read_async(stream, &mut head).await.unwrap();
            let engine = Config::new().engine();
            let mut store = Store::new(&engine, ());
            let mut imports = Imports::new(&engine);
            imports.func_wrap("my_namespace", "imported_func", |_: i32| {});
            instantiate_streaming_async(&mut store, response, &imports)
                .await
                .map(|_| ())
        });
        server.join();
        outcomes.push(outcome);
    }
    assert!(outcomes[0].is_ok(), "{:?}", outcomes[0]);
    let Err(Error::Type(error)) = &outcomes[1] else {
        panic!("{:?}", outcomes[1])
    };
    assert_eq!(
        *error,
        TypeError::BodyTooShort {
            expected: wasm.len() as u64,
            received: 20
        }
    );
}

#[test]
fn compile_streaming_takes_an_http_response_too() {
    let wasm = simple_wasm();
    let mut response = ok_head(&format!("Content-Length: {}\r\n", wasm.len()));
    response.extend_from_slice(&wasm);
    let server = Server::start(vec![piece(response)], false);
    let stream = wasmstream::std_io::FromStd::new(server.connect(common::loopback::TIMEOUT));
    let response = HttpResponse::read(stream, &mut [0; 128]).unwrap();
    assert_eq!(response.content_length(), Some(wasm.len() as u64));
    let module = compile_streaming(&Config::new().engine(), response).unwrap();
    assert!(module.wasmi().get_export("exported_func").is_some());
    server.join();
}
