//! Whatever the reader and the window, the staging sink receives exactly the
//! module's bytes, in order, and the load reads no more than the window
//! allows. Function bodies are read straight into the compiler's unit when
//! the reads are small (a UART) or the body is larger than the window; this
//! proves that path changes nothing a caller can see, blocking and async.

mod common;

use common::corpus::smith_modules;
use common::readers::{ScriptedReader, Trickle};
use wasmstream::control::ProgressEvent;
use wasmstream::staging::{Staging, StagingError, Validated};
use wasmstream::{CompileOptions, Config, Engine, compile_streaming_with};

/// Bodies of 3 to about 9,000 bytes (some larger than every window below),
/// a data segment, and a custom section, which `engine()` stages.
fn module() -> Vec<u8> {
    let funcs: String = [1, 40, 300, 1500]
        .iter()
        .map(|&n| {
            let body = "i32.const 1 i32.const 2 i32.add drop ".repeat(n);
            format!("(func {body})")
        })
        .collect();
    wat::parse_str(format!(
        r#"(module (memory 1) {funcs} (func (export "f") (result i32) i32.const 7)
            (data (i32.const 0) "{}") (@custom "note" "kept"))"#,
        "d".repeat(5000)
    ))
    .expect("valid WAT")
}

fn engine() -> Engine {
    Config::new().keep_custom_sections(true).engine()
}

const WINDOWS: [usize; 5] = [0, 1, 5, 64, 4096];
const READ_SIZES: [&[usize]; 5] = [&[1], &[1, 2, 3], &[7, 1, 300], &[4096], &[]];

#[test]
fn the_sink_gets_every_byte_under_every_reader_and_window() {
    let engine = engine();
    let mut modules = vec![module()];
    modules.extend(smith_modules(0xb0d1, 12).into_iter().map(|case| case.bytes));
    for wasm in &modules {
        if wasmi::Module::new(engine.wasmi(), wasm).is_err() {
            continue;
        }
        for window_len in WINDOWS {
            for sizes in READ_SIZES {
                let what = format!("window {window_len}, reads {sizes:?}, {} bytes", wasm.len());
                let mut window = vec![0u8; window_len];
                let mut reader = ScriptedReader::new(wasm).read_sizes(sizes);
                let mut staged = Vec::new();
                let mut events = Vec::new();
                let options = CompileOptions::new()
                    .window(&mut window)
                    .staging(Tee {
                        bytes: Vec::new(),
                        out: &mut staged,
                    })
                    .progress(|event: ProgressEvent| events.push(event.received));
                compile_streaming_with(&engine, &mut reader, options)
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                assert!(staged == *wasm, "{what}: staged {} bytes", staged.len());
                assert!(
                    reader.largest_request <= window_len.max(1),
                    "{what}: a read of {} bytes",
                    reader.largest_request
                );
                // One report per read that delivered bytes (the last read
                // ends the stream), counting up to the module's length.
                assert_eq!(events.len(), reader.reads - 1, "{what}");
                assert!(events.windows(2).all(|w| w[0] < w[1]), "{what}");
                assert_eq!(events.last().copied(), Some(wasm.len() as u64), "{what}");
            }
        }
    }
}

/// A sink that keeps every byte written and, when finished, copies them to
/// `out` for the test to compare.
struct Tee<'a> {
    bytes: Vec<u8>,
    out: &'a mut Vec<u8>,
}

// SAFETY: `finish` returns exactly the bytes written, in order.
unsafe impl Staging for Tee<'_> {
    fn begin(&mut self, _size_hint: Option<u64>) -> Result<(), StagingError> {
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), StagingError> {
        self.bytes.extend_from_slice(bytes);
        Ok(())
    }

    fn finish(&mut self, _validated: Validated) -> Result<&[u8], StagingError> {
        self.out.clone_from(&self.bytes);
        Ok(&self.bytes)
    }
}

#[test]
fn the_async_driver_stages_the_same_bytes() {
    let engine = engine();
    let wasm = module();
    for window_len in WINDOWS {
        for at_most in [1, 3, 4096] {
            let mut window = vec![0u8; window_len];
            let mut copy = Vec::new();
            let options = CompileOptions::new().window(&mut window).staging(Tee {
                bytes: Vec::new(),
                out: &mut copy,
            });
            let reader = Trickle {
                data: &wasm,
                at_most,
            };
            embassy_futures::block_on(wasmstream::compile_streaming_with_async(
                &engine, reader, options,
            ))
            .expect("valid module");
            assert!(
                copy == wasm,
                "window {window_len}, reads of at most {at_most}"
            );
        }
    }
}
