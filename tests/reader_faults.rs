//! Hostile readers: failures at every byte, `Interrupted` between every read,
//! early ends, one byte per read, endless streams. Whatever the reader does,
//! the driver returns the reader's own error, a CompileError naming the
//! offset, or the module, and never reads after an error or an end.

mod common;

use common::corpus::{Case, fixtures};
use common::outcome::{Outcome, Shape, compile_bytewise, wasmi_outcome};
use common::readers::{EndlessReader, ReadFault, ScriptedReader};
use embedded_io::ErrorKind;
use wasmstream::{
    CompileOptions, Config, Engine, Error, Limits, compile_streaming, compile_streaming_with,
};

fn fixture(name: &str) -> Case {
    fixtures()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("fixture {name}"))
}

/// Streams through `reader` and checks that it was never read after it
/// ended or failed.
fn stream(engine: &Engine, reader: &mut ScriptedReader<'_>) -> Result<Shape, Error<ReadFault>> {
    let result = compile_streaming(engine, &mut *reader).map(|module| Shape::of(module.wasmi()));
    assert_eq!(
        reader.reads_after_end, 0,
        "read again after an error or the end"
    );
    result
}

/// The sans-IO outcome, as the driver would report it.
fn expected(engine: &Engine, bytes: &[u8]) -> Result<Shape, String> {
    match compile_bytewise(engine, bytes) {
        Outcome::Compiled(shape) => Ok(shape),
        Outcome::Rejected { error, .. } => Err(error.to_string()),
    }
}

fn same(result: &Result<Shape, Error<ReadFault>>, expected: &Result<Shape, String>) -> bool {
    match (result, expected) {
        (Ok(a), Ok(b)) => a == b,
        (Err(Error::Compile(a)), Err(b)) => a.to_string() == *b,
        _ => false,
    }
}

#[test]
fn a_read_error_at_any_byte_comes_back_unchanged() {
    let engine = Config::new().engine();
    let kinds = [
        ErrorKind::Other,
        ErrorKind::ConnectionReset,
        ErrorKind::TimedOut,
        ErrorKind::InvalidData,
    ];
    for case in [fixture("many_sections.wat"), fixture("custom_sections.wat")] {
        for k in 0..=case.bytes.len() {
            for (i, read_sizes) in [&[usize::MAX][..], &[1], &[7, 2]].into_iter().enumerate() {
                let kind = kinds[(k + i) % kinds.len()];
                let mut reader = ScriptedReader::new(&case.bytes)
                    .read_sizes(read_sizes)
                    .fail_at(k, kind);
                match stream(&engine, &mut reader) {
                    Err(Error::Io(fault)) => {
                        assert_eq!(fault, ReadFault { kind, at: k }, "{}", case.name);
                    }
                    other => panic!("{}: failure at byte {k}: got {other:?}", case.name),
                }
                assert_eq!(reader.delivered(), k);
            }
        }
    }
}

#[test]
fn reading_stops_at_a_compile_error_before_a_later_read_error() {
    let engine = Config::new().engine();
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.extend_from_slice(&[0x01, 0x04, 0x01, 0x5f, 0x00, 0x00]); // bad type form
    bytes.extend_from_slice(&[0; 100]);
    let mut reader = ScriptedReader::new(&bytes).fail_at(20, ErrorKind::Other);
    match stream(&engine, &mut reader) {
        Err(Error::Compile(error)) => assert_eq!(error.offset(), 11, "{error}"),
        other => panic!("expected a CompileError, got {other:?}"),
    }
    assert!(
        reader.delivered() <= 14,
        "read {} bytes",
        reader.delivered()
    );
}

#[test]
fn interrupted_reads_are_retried() {
    let engine = Config::new().engine();
    for case in fixtures() {
        let want = expected(&engine, &case.bytes);
        for read_sizes in [&[usize::MAX][..], &[1], &[3, 1, 50]] {
            let mut reader = ScriptedReader::new(&case.bytes)
                .read_sizes(read_sizes)
                .interrupt_every_read();
            let result = stream(&engine, &mut reader);
            assert!(
                same(&result, &want),
                "{}: with Interrupted between reads got {result:?}, expected {want:?}",
                case.name
            );
            // Every data read was preceded by an Interrupted one.
            assert!(reader.reads >= 2, "{}: {} reads", case.name, reader.reads);
        }
    }
}

#[test]
fn a_premature_end_is_a_compile_error_at_that_offset() {
    let engine = Config::new().engine();
    for case in fixtures()
        .into_iter()
        .filter(|c| !c.name.starts_with("broken_"))
    {
        for end in 0..case.bytes.len() {
            let mut reader = ScriptedReader::new(&case.bytes).end_at(end);
            let result = stream(&engine, &mut reader);
            let prefix = &case.bytes[..end];
            match (&result, wasmi_outcome(&engine, prefix)) {
                // A cut at a section boundary can leave a valid module.
                (Ok(shape), Ok(wasmi_shape)) => assert_eq!(shape, &wasmi_shape),
                (Err(Error::Compile(error)), Err(_)) => {
                    assert_eq!(error.offset(), end as u64, "{}: {error}", case.name);
                    assert!(!error.message().is_empty());
                }
                (result, wasmi) => panic!(
                    "{}: stream ended at byte {end}: got {result:?}, wasmi says {wasmi:?}",
                    case.name
                ),
            }
        }
    }
}

#[test]
fn empty_and_truncated_streams_say_so() {
    let engine = Config::new().engine();
    let cases: [(&[u8], &str); 4] = [
        (b"", "empty"),
        (b"\0as", "header"),
        (b"\0asm\x01\0\0\0\x01", "section header"),
        (
            b"\0asm\x01\0\0\0\x01\x05\x01\x60",
            "type section needs 3 more bytes",
        ),
    ];
    for (bytes, words) in cases {
        match stream(&engine, &mut ScriptedReader::new(bytes)) {
            Err(Error::Compile(error)) => {
                assert_eq!(error.offset(), bytes.len() as u64, "{error}");
                assert!(
                    error.message().contains(words),
                    "{error} should say {words:?}"
                );
            }
            other => panic!("{bytes:?}: expected a CompileError, got {other:?}"),
        }
    }
}

#[test]
fn one_byte_per_read_gives_the_same_module() {
    let engine = Config::new().engine();
    for case in fixtures() {
        let want = expected(&engine, &case.bytes);
        let mut reader = ScriptedReader::new(&case.bytes).read_sizes(&[1]);
        let result = stream(&engine, &mut reader);
        assert!(
            same(&result, &want),
            "{}: {result:?} vs {want:?}",
            case.name
        );
    }
}

#[test]
fn reads_never_exceed_the_window() {
    let engine = Config::new().engine();
    let case = fixture("control_flow.wat");
    for window in [0usize, 1, 2, 5, 64] {
        let mut reader = ScriptedReader::new(&case.bytes);
        let module = compile_streaming_with(
            &engine,
            &mut reader,
            CompileOptions::new().window(&mut vec![0; window]),
        );
        assert!(module.is_ok(), "window {window}: {module:?}");
        // An empty window reads one byte at a time.
        assert!(reader.largest_request <= window.max(1), "window {window}");
    }
}

/// A custom section of 1 byte (an empty name), repeated forever after a
/// valid preamble: every byte is well formed, and the stream never ends.
const PREAMBLE: &[u8] = b"\0asm\x01\0\0\0";
const EMPTY_CUSTOM_SECTION: &[u8] = &[0x00, 0x01, 0x00];

#[test]
fn an_endless_stream_stops_at_the_module_size_limit() {
    for max_module_bytes in [4096u32, 100_000, Limits::DEFAULT.max_module_bytes] {
        let limits = Limits {
            max_module_bytes,
            ..Limits::DEFAULT
        };
        let engine = Config::new().limits(limits).engine();
        let mut reader = EndlessReader::new(PREAMBLE, EMPTY_CUSTOM_SECTION);
        let Err(Error::Compile(error)) = compile_streaming(&engine, &mut reader) else {
            panic!("an endless stream must fail");
        };
        assert!(
            error
                .message()
                .contains(&format!("limit of {max_module_bytes} bytes")),
            "{error}"
        );
        assert!(error.offset() <= u64::from(max_module_bytes), "{error}");
        assert!(
            reader.delivered <= u64::from(max_module_bytes) + 8,
            "read {} bytes with a limit of {max_module_bytes}",
            reader.delivered
        );
    }
}

#[test]
fn an_endless_stream_of_large_sections_stops_at_the_module_size_limit() {
    // Custom sections of 60 000 bytes each: the limit is hit by a declared
    // size, before the section that would cross it is read.
    let mut section = vec![0x00, 0xe0, 0xd4, 0x03, 0x00];
    section.resize(5 + 60_000 - 1, 0xab);
    assert_eq!(section.len(), 1 + 3 + 60_000);
    let engine = Config::new()
        .limits(Limits {
            max_module_bytes: 200_000,
            ..Limits::DEFAULT
        })
        .engine();
    let mut reader = EndlessReader::new(PREAMBLE, &section);
    let Err(Error::Compile(error)) = compile_streaming(&engine, &mut reader) else {
        panic!("an endless stream must fail");
    };
    let fourth_section = 8 + 3 * section.len() as u64;
    assert_eq!(error.offset(), fourth_section, "{error}");
    assert!(error.message().contains("limit of 200000 bytes"), "{error}");
    assert_eq!(reader.delivered, fourth_section + 4);
}

/// A reader that reports more bytes than it was given room for does not make
/// the driver panic: it is taken to have filled the room.
#[test]
fn a_reader_over_reporting_its_reads_does_not_panic() {
    struct OverReporting<'a>(&'a [u8]);
    impl embedded_io::ErrorType for OverReporting<'_> {
        type Error = ErrorKind;
    }
    impl embedded_io::Read for OverReporting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(if n == 0 { 0 } else { n + 10 })
        }
    }
    let wasm = wat::parse_str(r#"(module (func (export "f") (result i32) i32.const 1))"#)
        .expect("valid WAT");
    let engine = Config::new().engine();
    let module = compile_streaming(&engine, OverReporting(&wasm)).expect("the bytes are intact");
    assert!(module.wasmi().get_export("f").is_some());
}
