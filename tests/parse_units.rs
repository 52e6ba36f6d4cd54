//! One parse unit at a time: feeding in 1-byte chunks allocates exactly what
//! feeding the module whole allocates (nothing per chunk, nothing parsed
//! twice); data segment bytes are never held by the compiler; the synthetic
//! data section it validates reports exactly wasmparser's errors, at the
//! same offsets; staging failures and known lengths are reported as
//! documented. A counting global allocator, so its own test binary.

mod common;

use common::counting_alloc::{CountingAlloc, measure};
use common::judged::{assert_judged_alike, features};
use common::readers::Trickle;
use wasmstream::staging::{Staging, StagingError, Validated};
use wasmstream::{
    CompileOptions, Config, Engine, Error, Source, StreamingCompiler, StreamingError, TypeError,
    VecStaging, compile_streaming, compile_streaming_with,
};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Many sections, a data count section, a code section of 40 bodies, and a
/// data section with every kind of segment and a 40 KB segment.
fn module() -> Vec<u8> {
    let body = "i32.const 1 i32.const 2 i32.add drop ".repeat(50);
    let funcs: String = (0..40).map(|i| format!("(func $f{i} {body})")).collect();
    wat::parse_str(format!(
        r#"(module
            (type (func))
            (import "env" "g" (global $g i32))
            (table 2 funcref)
            (memory 1)
            (memory $m2 1)
            (global i32 (i32.const 0))
            {funcs}
            (export "f0" (func $f0))
            (elem (i32.const 0) $f0 $f1)
            (data (i32.const 0) "{big}")
            (data "passive")
            (data (memory $m2) (i32.const 8) "second memory")
            (data (global.get $g) "at g")
            (data (i32.add (i32.const 1) (i32.const 2)) "extended")
            (data (i32.const 0) "")
            (@custom "name-like" "kept or skipped"))"#,
        big = "x".repeat(40_000)
    ))
    .expect("valid WAT")
}

/// Feeds `wasm` (its length known) in `chunk`-byte pieces; returns the
/// heap use of the feeding alone and whether it compiled.
fn feed(engine: &Engine, wasm: &[u8], chunk: usize) -> (usize, usize) {
    let mut compiler = StreamingCompiler::new(engine).with_known_length(wasm.len() as u64);
    let ((), heap) = measure(|| {
        for piece in wasm.chunks(chunk) {
            compiler.feed(piece).expect("valid module");
        }
    });
    compiler.finish().expect("valid module");
    (heap.allocations, heap.peak)
}

#[test]
fn a_one_byte_feed_allocates_nothing_and_parses_nothing_twice() {
    let wasm = module();
    for keep in [false, true] {
        let engine = Config::new().keep_custom_sections(keep).engine();
        let (whole, _) = feed(&engine, &wasm, wasm.len());
        for chunk in [1, 2, 3, 7, 61, 4096] {
            let (allocations, _) = feed(&engine, &wasm, chunk);
            // The old compiler re-ran the parser per chunk inside the code
            // section, allocating an error per `NeedMoreData`: thousands.
            assert_eq!(
                allocations,
                whole,
                "{chunk}-byte feeds of {} bytes: {allocations} allocations, {whole} fed whole",
                wasm.len()
            );
        }
    }
}

/// The blocking driver over `wasm`, through `window`, with reads of at most
/// `read` bytes: the heap use of the whole load (the module dropped).
fn load(
    engine: &Engine,
    wasm: &[u8],
    window: usize,
    read: usize,
) -> common::counting_alloc::HeapUse {
    let mut window = vec![0u8; window];
    let reader = Trickle {
        data: wasm,
        at_most: read,
    };
    let options = CompileOptions::new()
        .window(&mut window)
        .size_hint(wasm.len() as u64);
    let (module, heap) = measure(|| compile_streaming_with(engine, reader, options));
    module.expect("valid module");
    heap
}

#[test]
fn small_reads_through_the_driver_allocate_as_whole_reads_do() {
    // Bodies read straight into the compiler's unit (1-byte reads, or a
    // window smaller than the body) take no more room than a body's own.
    // A fresh engine per load: wasmi's engine keeps growing arenas.
    let wasm = module();
    let whole = load(&Config::new().engine(), &wasm, wasm.len(), wasm.len());
    for (window, read) in [(0, 1), (1, 1), (64, 1), (4096, 1), (4096, 3), (16, 16)] {
        let heap = load(&Config::new().engine(), &wasm, window, read);
        assert_eq!(
            (heap.allocations, heap.peak),
            (whole.allocations, whole.peak),
            "window {window}, reads of at most {read}: {heap:?}, whole: {whole:?}"
        );
    }
}

/// A sink that keeps nothing: what the compiler itself holds is all that is
/// on the heap while feeding.
#[derive(Default)]
struct Discard {
    written: u64,
}

// SAFETY: `finish` never returns a slice.
unsafe impl Staging for Discard {
    fn begin(&mut self, _size_hint: Option<u64>) -> Result<(), StagingError> {
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), StagingError> {
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn finish(&mut self, _validated: Validated) -> Result<&[u8], StagingError> {
        Err(StagingError::Full {
            offset: self.written,
            capacity: 0,
        })
    }
}

#[test]
fn data_segment_bytes_are_never_held_by_the_compiler() {
    let engine = Config::new().engine();
    let small = wat::parse_str(r#"(module (memory 1) (data (i32.const 0) "x"))"#).unwrap();
    let large = wat::parse_str(format!(
        r#"(module (memory 4) (data (i32.const 0) "{}") (data "{}"))"#,
        "x".repeat(100_000),
        "y".repeat(100_000)
    ))
    .unwrap();
    let mut peaks = Vec::new();
    for wasm in [&small, &large] {
        let mut compiler = StreamingCompiler::with_staging(&engine, Discard::default());
        let ((), heap) = measure(|| {
            for piece in wasm.chunks(100) {
                compiler.feed(piece).expect("valid module");
            }
        });
        peaks.push(heap.peak);
        // The sink got every byte, and its failure is the compiler's.
        let error = compiler.finish().unwrap_err();
        assert!(
            matches!(error, StreamingError::Staging(StagingError::Full { offset, .. }) if offset == wasm.len() as u64)
        );
    }
    assert!(
        peaks[1] <= peaks[0] + 512,
        "feeding 200 KB of segments peaked at {} bytes, 1 byte at {}",
        peaks[1],
        peaks[0]
    );
}

/// Where the data section of `wasm` starts and ends.
fn data_section(wasm: &[u8]) -> std::ops::Range<usize> {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::DataSection(reader)) = payload {
            return reader.range();
        }
    }
    panic!("no data section")
}

/// Every single-byte change of the data section's contents is judged as
/// wasmparser judges the real bytes: the same error, at the same offset, or
/// no error — though the compiler validates segment headers without their
/// data, through its offset map and its verbatim fallback.
#[test]
fn the_data_section_is_judged_exactly_as_wasmparser_judges_it() {
    let engine = Config::new().engine();
    let features = features(&engine);
    let base = wat::parse_str(
        r#"(module
            (import "env" "g" (global $g i32))
            (memory 1) (memory $m2 1)
            (data (i32.const 0) "abcdefgh")
            (data "passive!")
            (data (memory $m2) (i32.const 8) "second")
            (data (global.get $g) "at g")
            (data (i32.sub (i32.const 9) (i32.const 2)) "ext")
            (data (i32.const 0) ""))"#,
    )
    .unwrap();
    let range = data_section(&base);
    let mut checked = 0;
    for at in range.clone() {
        for value in [
            0x00, 0x01, 0x02, 0x03, 0x0b, 0x23, 0x41, 0x42, 0x6a, 0x7f, 0x80, 0xfd, 0xff,
        ] {
            let mut wasm = base.clone();
            if wasm[at] == value {
                continue;
            }
            wasm[at] = value;
            assert_judged_alike(
                &engine,
                &wasm,
                features,
                &format!("byte {at} set to {value:#04x}"),
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked} mutations");
}

/// A sink with room for `capacity` bytes.
struct Small {
    bytes: Vec<u8>,
    capacity: u64,
}

// SAFETY: `finish` returns exactly the bytes written.
unsafe impl Staging for Small {
    fn begin(&mut self, size_hint: Option<u64>) -> Result<(), StagingError> {
        match size_hint {
            Some(size) if size > self.capacity => Err(StagingError::Full {
                offset: self.capacity,
                capacity: self.capacity,
            }),
            _ => Ok(()),
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), StagingError> {
        if self.bytes.len() as u64 + bytes.len() as u64 > self.capacity {
            return Err(StagingError::Full {
                offset: self.capacity,
                capacity: self.capacity,
            });
        }
        self.bytes.extend_from_slice(bytes);
        Ok(())
    }

    fn finish(&mut self, _validated: Validated) -> Result<&[u8], StagingError> {
        Ok(&self.bytes)
    }
}

#[test]
fn a_full_staging_sink_is_a_staging_error() {
    let engine = Config::new().engine();
    let wasm = module();
    let small = || Small {
        bytes: Vec::new(),
        capacity: 1000,
    };
    // Found while streaming.
    let options = CompileOptions::new().staging(small());
    let Err(Error::Staging(error)) = compile_streaming_with(&engine, &wasm[..], options) else {
        panic!("a module over the sink's capacity must fail");
    };
    assert_eq!(error.offset(), 1000);
    assert_eq!(
        error.to_string(),
        "staging error at byte 1000: the module does not fit in the staging area of 1000 bytes"
    );
    // Found before a byte is written, when the length is known.
    let options = CompileOptions::new()
        .staging(small())
        .size_hint(wasm.len() as u64);
    let Err(Error::Staging(_)) = compile_streaming_with(&engine, &wasm[..], options) else {
        panic!("a known length over the sink's capacity must fail");
    };
    // A module that fits compiles.
    let tiny = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
    let options = CompileOptions::new().staging(small());
    let module = compile_streaming_with(&engine, &tiny[..], options).unwrap();
    assert!(module.wasmi().get_export("f").is_some());
}

/// The end of every section of `wasm`.
fn section_ends(wasm: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            wasmparser::Payload::CodeSectionStart { range, .. } => ends.push(range.end),
            payload => {
                if let Some((_, range)) = payload.as_section() {
                    ends.push(range.end);
                }
            }
        }
    }
    ends
}

#[test]
fn a_stream_shorter_than_its_size_hint_fails_at_every_section_boundary() {
    let engine = Config::new().engine();
    let wasm = module();
    let ends = section_ends(&wasm);
    assert!(ends.len() > 10);
    for end in ends.into_iter().filter(|&end| end < wasm.len()) {
        let options = CompileOptions::new().size_hint(wasm.len() as u64);
        let Err(Error::Compile(error)) = compile_streaming_with(&engine, &wasm[..end], options)
        else {
            panic!("a stream cut at {end} was accepted");
        };
        assert_eq!(error.offset(), end as u64);
        assert_eq!(
            error.message(),
            format!(
                "the stream ended after {end} of {} bytes, its known length",
                wasm.len()
            )
        );
    }
}

#[test]
fn a_stream_longer_than_its_size_hint_is_not_read_past_it() {
    let engine = Config::new().engine();
    let wasm = module();
    let mut longer = wasm.clone();
    longer.extend_from_slice(&[0, 3, 1, b'x', 0]);
    let mut reader = &longer[..];
    let options = CompileOptions::new().size_hint(wasm.len() as u64);
    compile_streaming_with(&engine, &mut reader, options).expect("the first module compiles");
    assert_eq!(reader.len(), 5, "read past the known length");
    // Fed directly, the extra byte is an error at the length.
    let mut compiler = StreamingCompiler::new(&engine).with_known_length(wasm.len() as u64);
    let error = compiler.feed(&longer).unwrap_err();
    assert_eq!(error.offset(), wasm.len() as u64, "{error}");
}

/// A source that knows its length, as an HTTP response with a
/// `Content-Length` does.
struct Sized<'a>(&'a [u8], u64);

impl<'a> Source for Sized<'a> {
    type Body = &'a [u8];

    fn into_checked_body(self) -> Result<&'a [u8], TypeError> {
        Ok(self.0)
    }

    fn known_length(&self) -> Option<u64> {
        Some(self.1)
    }
}

#[test]
fn a_sources_known_length_is_honoured_and_reserves_the_staging_once() {
    let engine = Config::new().engine();
    let wasm = module();
    let cut = section_ends(&wasm)[3];
    let Err(Error::Compile(error)) =
        compile_streaming(&engine, Sized(&wasm[..cut], wasm.len() as u64))
    else {
        panic!("a body shorter than its known length was accepted");
    };
    assert_eq!(error.offset(), cut as u64);
    // The size hint wins over the source's length.
    let options = CompileOptions::new().size_hint(cut as u64);
    let result = compile_streaming_with(&engine, Sized(&wasm[..cut], wasm.len() as u64), options);
    assert!(!matches!(result, Err(Error::Compile(ref e)) if e.message().contains("known length")));
    // Reserved once: the staging's one allocation is the length.
    let (module, heap) = measure(|| compile_streaming(&engine, Sized(&wasm, wasm.len() as u64)));
    assert!(module.is_ok());
    assert!(heap.largest >= wasm.len(), "{heap:?}");
    let mut staging = VecStaging::new();
    let ((), heap) = measure(|| {
        staging.begin(Some(wasm.len() as u64)).unwrap();
        staging.write(&wasm).unwrap();
    });
    assert_eq!((heap.allocations, heap.largest), (1, wasm.len()));
}
