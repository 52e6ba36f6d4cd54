//! Fail fast: a stream is rejected at the byte that proves it wrong, and the
//! driver does not read (much) further, measured with a counting reader.

mod common;

use std::ops::Range;

use common::outcome::{Outcome, ReportedAt, compile_bytewise};
use common::readers::ScriptedReader;
use wasmparser::{Parser, Payload};
use wasmstream::{
    CompileOptions, Config, Error, Limits, compile_streaming, compile_streaming_with,
};

/// Streams that are not Wasm, with the index of their first wrong byte.
const NOT_WASM: &[(&[u8], u64)] = &[
    (b"<!DOCTYPE html><html><body>404 Not Found</body></html>", 0),
    (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff", 0),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", 0),
    (b"\0ASM\x01\0\0\0\x01\x04\x01\x60\0\0", 1),
    (
        b"\0as\x6e\x01\0\0\0 and lots of bytes after the magic number",
        3,
    ),
    (b"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 1),
];

#[test]
fn a_wrong_magic_number_fails_within_the_first_four_bytes() {
    let engine = Config::new().engine();
    for &(stream, wrong_at) in NOT_WASM {
        for read_sizes in [&[usize::MAX][..], &[1], &[3, 1]] {
            let mut reader = ScriptedReader::new(stream).read_sizes(read_sizes);
            let result = compile_streaming(&engine, &mut reader);
            let Err(Error::Compile(error)) = result else {
                panic!("{stream:?}: expected a CompileError, got {result:?}");
            };
            assert_eq!(error.offset(), wrong_at, "{stream:?}: {error}");
            assert!(error.message().contains("magic"), "{error}");
            assert!(
                reader.delivered() <= 4,
                "{stream:?}: read {} bytes before rejecting a wrong magic number",
                reader.delivered()
            );
            if read_sizes == [1] {
                assert_eq!(reader.delivered() as u64, wrong_at + 1, "{stream:?}");
            }
            assert_eq!(reader.reads_after_end, 0);
        }
    }
}

#[test]
fn a_wrong_version_fails_after_eight_bytes() {
    let engine = Config::new().engine();
    let stream = b"\0asm\x02\0\0\0\x01\x04\x01\x60\0\0 and more bytes that are never read";
    let mut reader = ScriptedReader::new(stream);
    let result = compile_streaming(&engine, &mut reader);
    let Err(Error::Compile(error)) = result else {
        panic!("expected a CompileError, got {result:?}");
    };
    // The version field (bytes 4..8) proves it.
    assert_eq!(error.offset(), 4, "{error}");
    assert!(error.message().contains("version"), "{error}");
    assert_eq!(reader.delivered(), 8);
}

/// A valid module: a small type section, then a code section of more than
/// 100 KB whose first body is tiny and whose second is large.
fn module_with_large_code() -> Vec<u8> {
    let body = "(local.set 0 (i32.add (local.get 0) (i32.const 1)))\n".repeat(15_000);
    wat::parse_str(format!(
        "(module
            (func (export \"small\") (param i32) (result i32) (local.get 0))
            (func (export \"big\") (param i32) (result i32) {body} (local.get 0)))"
    ))
    .expect("valid wat")
}

/// Payload ranges of the type and code sections.
fn type_and_code_sections(wasm: &[u8]) -> (Range<usize>, Range<usize>) {
    let (mut types, mut code) = (None, None);
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.expect("valid module") {
            Payload::TypeSection(reader) => types = Some(reader.range()),
            Payload::CodeSectionStart { range, .. } => code = Some(range),
            _ => {}
        }
    }
    (types.expect("type section"), code.expect("code section"))
}

#[test]
fn an_invalid_type_section_fails_before_the_code_section_is_read() {
    let mut wasm = module_with_large_code();
    let (types, code) = type_and_code_sections(&wasm);
    assert!(
        code.len() > 100_000,
        "the code section should dwarf a read window"
    );
    // The first type's form byte: 0x60 (func) becomes 0x5f, which is no type.
    let form = types.start + 1;
    assert_eq!(wasm[form], 0x60);
    wasm[form] = 0x5f;
    let engine = Config::new().engine();

    let mut reader = ScriptedReader::new(&wasm);
    let result = compile_streaming(&engine, &mut reader);
    let Err(Error::Compile(error)) = result else {
        panic!("expected a CompileError, got {result:?}");
    };
    assert_eq!(error.offset(), form as u64, "{error}");
    assert!(
        reader.delivered() <= types.end,
        "read {} bytes; the type section ends at {} and the code section starts at {}",
        reader.delivered(),
        types.end,
        code.start
    );

    // Sans-IO: the feed call that delivers the last byte of the type section
    // (where the section can first be judged) returns the error.
    match compile_bytewise(&engine, &wasm) {
        Outcome::Rejected {
            at: ReportedAt::Feed { delivered, .. },
            ..
        } => assert!(
            delivered <= types.end as u64,
            "reported after byte {delivered}"
        ),
        other => panic!("expected an error from feed, got {other}"),
    }
}

#[test]
fn an_invalid_function_body_fails_before_the_next_body_is_read() {
    let mut wasm = module_with_large_code();
    let (_, code) = type_and_code_sections(&wasm);
    // code: [count 2][size 4][0 locals][local.get 0: 0x20 0x00][end] [big body]
    // `local.get 0` becomes `local.get 9`, an unknown local.
    let local_index = code.start + 4;
    assert_eq!(
        &wasm[code.start..code.start + 6],
        [2, 4, 0, 0x20, 0x00, 0x0b]
    );
    wasm[local_index] = 9;
    let engine = Config::new().engine();
    for window in [64usize, 1024, 4096] {
        let mut reader = ScriptedReader::new(&wasm);
        let result = compile_streaming_with(
            &engine,
            &mut reader,
            CompileOptions::new().window(&mut vec![0; window]),
        );
        let Err(Error::Compile(error)) = result else {
            panic!("expected a CompileError, got {result:?}");
        };
        // wasmparser names the instruction: `local.get` starts one byte earlier.
        assert_eq!(error.offset(), local_index as u64 - 1, "{error}");
        assert!(error.message().contains("function 0"), "{error}");
        // A body is judged as soon as it is complete: the driver has read at
        // most one window past it, not the 100 KB body that follows.
        let first_body_end = code.start + 6;
        assert!(
            reader.delivered() <= first_body_end + window,
            "window {window}: read {} bytes of {}",
            reader.delivered(),
            wasm.len()
        );
    }
}

#[test]
fn a_section_over_the_limit_fails_before_its_contents_are_read() {
    let limits = Limits {
        max_section_bytes: 1000,
        ..Limits::DEFAULT
    };
    let engine = Config::new().limits(limits).engine();
    let wasm = module_with_large_code();
    let (_, code) = type_and_code_sections(&wasm);
    let mut reader = ScriptedReader::new(&wasm);
    let result = compile_streaming(&engine, &mut reader);
    let Err(Error::Compile(error)) = result else {
        panic!("expected a CompileError, got {result:?}");
    };
    // The error names the section's first byte (its id) ...
    assert_eq!(error.offset(), code.start as u64 - 4, "{error}");
    assert!(error.message().contains("code section"), "{error}");
    assert!(error.message().contains("limit of 1000 bytes"), "{error}");
    // ... and is found as soon as the size field is complete.
    assert_eq!(reader.delivered(), code.start);
}

/// A section id no module has fails at the id byte, before its size or
/// contents are read.
#[test]
fn an_unknown_section_id_fails_at_its_id_byte() {
    let mut stream = b"\0asm\x01\0\0\0".to_vec();
    stream.extend_from_slice(&[42, 0x80, 0x80, 0x04]); // id 42, 65536 bytes
    stream.resize(stream.len() + 65_536, 0);
    let reader = ScriptedReader::new(&stream);
    let engine = Config::new().engine();
    let mut window = [0u8; 4096];
    let mut reader = reader;
    let result = compile_streaming_with(
        &engine,
        &mut reader,
        CompileOptions::new().window(&mut window),
    );
    match result {
        Err(Error::Compile(e)) => {
            assert_eq!(e.offset(), 8, "{e}");
            assert!(e.message().contains("section id"), "{e}");
        }
        other => panic!("expected a compile error, got {other:?}"),
    }
    assert!(
        reader.delivered() <= 10,
        "read {} bytes",
        reader.delivered()
    );
}
