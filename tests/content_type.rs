//! The Web API's `Response` checks, case by case, through `compile_streaming`:
//! Content-Type first (missing, then not `application/wasm` after trimming
//! HTTP tabs and spaces, compared ASCII-case-insensitively, no parameters),
//! then the status (200–299). A failing check reads no byte of the body; an
//! empty body with good headers is a CompileError.

mod common;

use common::readers::ScriptedReader;
use wasmstream::{Config, Error, Response, TypeError, compile_streaming};

const WASM: &[u8] = b"\0asm\x01\0\0\0";

/// Runs `compile_streaming` on a response over a valid (empty) module and
/// returns the result, checking that a TypeError read none of the body.
fn check(
    status: u16,
    content_type: Option<&[u8]>,
) -> Result<(), Error<common::readers::ReadFault>> {
    let engine = Config::new().engine();
    let mut body = ScriptedReader::new(WASM);
    let result = compile_streaming(&engine, Response::new(status, content_type, &mut body));
    if let Err(Error::Type(_)) = &result {
        assert_eq!(body.reads, 0, "the body was read despite a TypeError");
    }
    result.map(|_| ())
}

fn assert_ok(status: u16, content_type: &[u8]) {
    let result = check(status, Some(content_type));
    assert!(
        result.is_ok(),
        "status {status}, Content-Type {:?}: {result:?}",
        String::from_utf8_lossy(content_type)
    );
}

fn assert_type_error(status: u16, content_type: Option<&[u8]>, expected: TypeError) {
    match check(status, content_type) {
        Err(Error::Type(error)) => assert_eq!(error, expected),
        other => panic!(
            "status {status}, Content-Type {content_type:?}: got {other:?}, expected {expected:?}"
        ),
    }
}

fn wrong(found: &str) -> TypeError {
    TypeError::WrongContentType {
        found: found.to_string(),
    }
}

#[test]
fn a_missing_content_type_is_a_type_error() {
    assert_type_error(200, None, TypeError::MissingContentType);
}

#[test]
fn the_exact_type_is_accepted() {
    assert_ok(200, b"application/wasm");
}

#[test]
fn http_tabs_and_spaces_around_the_value_are_stripped() {
    for value in [
        &b" application/wasm"[..],
        b"application/wasm ",
        b"\tapplication/wasm",
        b"application/wasm\t",
        b" \t \tapplication/wasm\t \t ",
    ] {
        assert_ok(200, value);
    }
    // Trimming happens before the length matters.
    let mut padded = vec![b' '; 300];
    padded.extend_from_slice(b"application/wasm");
    padded.extend_from_slice(&[b'\t'; 300]);
    assert_ok(200, &padded);
}

#[test]
fn the_comparison_ignores_ascii_case() {
    for value in [
        &b"APPLICATION/WASM"[..],
        b"Application/Wasm",
        b"aPpLiCaTiOn/WaSm",
    ] {
        assert_ok(200, value);
    }
}

#[test]
fn non_ascii_case_folding_is_not_applied() {
    // U+212A KELVIN SIGN lowercases to 'k' in Unicode, but only ASCII case
    // is ignored; and 'ſ' (U+017F) uppercases to 'S'. Neither may match.
    assert_type_error(
        200,
        Some("application/wasm\u{212a}".as_bytes()),
        wrong("application/wasm\u{212a}"),
    );
    assert_type_error(
        200,
        Some("applicatıon/wasm".as_bytes()),
        wrong("applicatıon/wasm"),
    );
}

#[test]
fn parameters_are_not_allowed() {
    for value in [
        "application/wasm;",
        "application/wasm; charset=utf-8",
        "application/wasm;charset=binary",
        "application/wasm ;",
        "application/wasm, application/wasm",
    ] {
        assert_type_error(200, Some(value.as_bytes()), wrong(value));
    }
}

#[test]
fn other_whitespace_is_not_stripped() {
    for value in [
        "application/wasm\r",
        "application/wasm\n",
        "\r\napplication/wasm",
        "application/wasm\u{b}",
        "application/wasm\u{c}",
        "\u{a0}application/wasm",
        "application/wasm\u{a0}",
        "application/ wasm",
    ] {
        assert_type_error(200, Some(value.as_bytes()), wrong(value));
    }
}

#[test]
fn other_types_are_type_errors() {
    for value in [
        "",
        " ",
        "application/octet-stream",
        "text/html",
        "application/wasm-module",
        "application/was",
        "wasm",
        "application/javascript",
    ] {
        let trimmed = value.trim_matches([' ', '\t']);
        assert_type_error(200, Some(value.as_bytes()), wrong(trimmed));
    }
}

#[test]
fn an_overlong_value_is_quoted_truncated() {
    let value = format!("application/wasm{}", "x".repeat(200));
    match check(200, Some(value.as_bytes())) {
        Err(Error::Type(TypeError::WrongContentType { found })) => {
            assert!(value.starts_with(&found), "{found}");
            assert!(found.len() <= 64, "quoted {} bytes", found.len());
        }
        other => panic!("got {other:?}"),
    }
}

#[test]
fn a_non_utf8_value_is_quoted_lossily() {
    match check(200, Some(b"application/\xffwasm")) {
        Err(Error::Type(error @ TypeError::WrongContentType { .. })) => {
            let message = error.to_string();
            assert!(message.contains("application/\u{fffd}wasm"), "{message}");
            assert!(!message.contains('\n'));
        }
        other => panic!("got {other:?}"),
    }
}

#[test]
fn ok_statuses_are_200_to_299() {
    for status in [200, 201, 204, 206, 250, 299] {
        assert_ok(status, b"application/wasm");
    }
}

#[test]
fn other_statuses_are_type_errors() {
    for status in [
        0,
        100,
        199,
        300,
        301,
        304,
        400,
        404,
        500,
        503,
        599,
        999,
        u16::MAX,
    ] {
        assert_type_error(
            status,
            Some(b"application/wasm"),
            TypeError::BadStatus { status },
        );
    }
}

#[test]
fn content_type_is_checked_before_status() {
    assert_type_error(404, None, TypeError::MissingContentType);
    assert_type_error(500, Some(b"text/html"), wrong("text/html"));
    assert_type_error(199, Some(b"application/wasm;"), wrong("application/wasm;"));
    assert_type_error(
        404,
        Some(b" Application/WASM "),
        TypeError::BadStatus { status: 404 },
    );
}

#[test]
fn an_empty_body_with_good_headers_is_a_compile_error() {
    let engine = Config::new().engine();
    let result = compile_streaming(
        &engine,
        Response::new(200, Some(b"application/wasm"), &b""[..]),
    );
    match result {
        Err(Error::Compile(error)) => {
            assert_eq!(error.offset(), 0);
            assert!(
                error.to_string().starts_with("compile error at byte 0:"),
                "{error}"
            );
        }
        other => panic!("expected a CompileError, got {other:?}"),
    }
}

#[test]
fn a_bad_body_with_good_headers_is_a_compile_error() {
    let engine = Config::new().engine();
    let result = compile_streaming(
        &engine,
        Response::new(299, Some(b"application/wasm"), &b"<html>"[..]),
    );
    assert!(matches!(result, Err(Error::Compile(_))), "{result:?}");
}

#[test]
fn a_bare_reader_is_an_ok_wasm_response() {
    let engine = Config::new().engine();
    assert!(compile_streaming(&engine, WASM).is_ok());
    assert!(compile_streaming(&engine, Response::ok_wasm(WASM)).is_ok());
}

#[test]
fn type_error_messages_are_one_readable_line() {
    let errors = [
        TypeError::MissingContentType,
        wrong("text/html; charset=\"x\"\r\n"),
        TypeError::BadStatus { status: 404 },
    ];
    for error in errors {
        let message = Error::<std::convert::Infallible>::Type(error.clone()).to_string();
        assert!(message.starts_with("type error: "), "{message}");
        assert!(
            !message.contains('\n') && !message.contains('\r'),
            "{message:?}"
        );
        assert!(
            !message.contains("TypeError {") && !message.contains("WrongContentType"),
            "{message}"
        );
    }
    let message = wrong("text/html").to_string();
    assert!(message.contains("\"text/html\""), "{message}");
    assert!(
        TypeError::BadStatus { status: 404 }
            .to_string()
            .contains("404")
    );
}
