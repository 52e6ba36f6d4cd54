//! Progress, abort and the `Interrupted` bound through the streaming calls
//! (`CompileOptions::progress` / `abort`), blocking and async.

mod common;

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use common::readers::ScriptedReader;
use embedded_io::ErrorKind;
use wasmstream::control::{MAX_INTERRUPTED_IN_A_ROW, ProgressEvent, Section};
use wasmstream::wasmi::Store;
use wasmstream::{
    CompileOptions, Config, Error, Imports, TypeError, compile_streaming, compile_streaming_with,
    compile_streaming_with_async, instantiate_streaming_with,
};

fn module() -> Vec<u8> {
    wat::parse_str(
        r#"(module
            (import "env" "hit" (func $hit))
            (@custom "note" (after import) "between the import and function sections")
            (memory 1)
            (func $start (call $hit))
            (func (export "seven") (result i32) i32.const 7)
            (start $start)
            (data (i32.const 0) "some data bytes"))"#,
    )
    .unwrap()
}

/// The section every byte of `wasm` belongs to, worked out independently
/// of the compiler: the 8-byte header, then id, LEB128 size and contents.
fn section_of_each_byte(wasm: &[u8]) -> Vec<Section> {
    let mut map = vec![Section::Header; 8];
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        let (mut size, mut shift, mut leb) = (0usize, 0, 1);
        while wasm[at + leb] & 0x80 != 0 {
            size |= usize::from(wasm[at + leb] & 0x7f) << shift;
            shift += 7;
            leb += 1;
        }
        size |= usize::from(wasm[at + leb]) << shift;
        let end = at + 1 + leb + size;
        map.resize(end, Section::from_id(id).unwrap());
        at = end;
    }
    map
}

#[test]
fn progress_counts_the_bytes_read_under_every_chunking() {
    let wasm = module();
    let engine = Config::new().engine();
    let sections = section_of_each_byte(&wasm);
    assert!(sections.contains(&Section::Custom) && sections.contains(&Section::Data));
    for read_size in 1..=wasm.len() {
        for size_hint in [None, Some(wasm.len() as u64)] {
            let mut reader = ScriptedReader::new(&wasm).read_sizes(&[read_size]);
            let mut events = Vec::new();
            let mut options =
                CompileOptions::new().progress(|event: ProgressEvent| events.push(event));
            if let Some(length) = size_hint {
                options = options.size_hint(length);
            }
            compile_streaming_with(&engine, &mut reader, options).unwrap();
            // At most once per read; here every read but the last (the
            // end of the stream, when the length is unknown) delivered bytes.
            let delivering_reads = reader.reads - usize::from(size_hint.is_none());
            assert_eq!(events.len(), delivering_reads, "reads of {read_size}");
            assert_eq!(events.last().unwrap().received, wasm.len() as u64);
            let mut before = 0;
            for event in &events {
                assert!(event.received > before, "reads of {read_size}: {events:?}");
                assert!(event.received - before <= read_size as u64);
                assert_eq!(event.total, size_hint);
                assert_eq!(
                    event.section,
                    sections[event.received as usize - 1],
                    "reads of {read_size}, after byte {}",
                    event.received
                );
                before = event.received;
            }
        }
    }
}

#[test]
fn progress_sections_come_in_module_order() {
    let wasm = module();
    let engine = Config::new().engine();
    let mut seen = Vec::new();
    let mut window = [];
    let options = CompileOptions::new()
        .window(&mut window)
        .progress(|event: ProgressEvent| {
            if seen.last() != Some(&event.section) {
                seen.push(event.section);
            }
        });
    compile_streaming_with(&engine, &wasm[..], options).unwrap();
    use Section::*;
    // The last custom section is the `name` section wat writes.
    assert_eq!(
        seen,
        [
            Header, Type, Import, Custom, Function, Memory, Export, Start, Code, Data, Custom
        ]
    );
}

#[test]
fn abort_after_every_read_reads_nothing_further() {
    let wasm = module();
    let engine = Config::new().engine();
    for read_size in [1, 2, 7, 30, wasm.len()] {
        let mut reader = ScriptedReader::new(&wasm).read_sizes(&[read_size]);
        compile_streaming(&engine, &mut reader).unwrap();
        let all_reads = reader.reads;
        for k in 0..all_reads {
            let mut reader = ScriptedReader::new(&wasm).read_sizes(&[read_size]);
            let mut checks = 0;
            let options = CompileOptions::new().abort(|| {
                checks += 1;
                checks > k
            });
            let error = compile_streaming_with(&engine, &mut reader, options).unwrap_err();
            assert!(
                matches!(error, Error::Abort),
                "reads of {read_size}, k {k}: {error}"
            );
            assert_eq!(error.to_string(), "AbortError: the caller aborted the load");
            assert_eq!(reader.reads, k, "reads of {read_size}");
        }
        // Never aborting: the abort condition is checked before every read.
        let mut reader = ScriptedReader::new(&wasm).read_sizes(&[read_size]);
        let checks = Cell::new(0);
        let options = CompileOptions::new().abort(|| {
            checks.set(checks.get() + 1);
            false
        });
        compile_streaming_with(&engine, &mut reader, options).unwrap();
        assert_eq!(checks.get(), all_reads);
    }
}

#[test]
fn an_atomic_flag_set_from_the_progress_callback_aborts_the_next_read() {
    let wasm = module();
    let engine = Config::new().engine();
    let cancel = AtomicBool::new(false);
    let mut reader = ScriptedReader::new(&wasm).read_sizes(&[10]);
    let (mut events, mut cancelled_at) = (0, 0);
    let options = CompileOptions::new()
        .progress(|event: ProgressEvent| {
            events += 1;
            if event.received >= 20 && cancelled_at == 0 {
                cancelled_at = event.received;
                cancel.store(true, Ordering::Release);
            }
        })
        .abort(&cancel);
    let error = compile_streaming_with(&engine, &mut reader, options).unwrap_err();
    assert!(matches!(error, Error::Abort), "{error}");
    // Not one read after the flag was set.
    assert_eq!(
        (reader.reads, reader.delivered() as u64),
        (events, cancelled_at)
    );
    assert!(cancelled_at >= 20);
}

#[test]
fn an_aborted_instantiation_runs_nothing() {
    let wasm = module();
    let engine = Config::new().engine();
    let mut store = Store::new(&engine, ());
    let ran = Arc::new(AtomicUsize::new(0));
    let mut imports = Imports::new(&engine);
    let counter = Arc::clone(&ran);
    imports.func_wrap("env", "hit", move || {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let mut all_reads = 0;
    loop {
        let mut reader = ScriptedReader::new(&wasm).read_sizes(&[9]);
        let mut checks = 0;
        let options = CompileOptions::new().abort(|| {
            checks += 1;
            checks > all_reads
        });
        match instantiate_streaming_with(&mut store, &mut reader, &imports, options) {
            Err(Error::Abort) => {
                assert_eq!(reader.reads, all_reads);
                assert_eq!(ran.load(Ordering::SeqCst), 0);
                all_reads += 1;
            }
            Ok(_) => break,
            Err(error) => panic!("{error}"),
        }
    }
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    assert!(all_reads > wasm.len() / 9);
}

#[test]
fn the_async_driver_honours_the_abort_condition() {
    let wasm = module();
    let engine = Config::new().engine();
    for k in 0..4 {
        let mut reads = 0;
        let mut window = [0u8; 8];
        let options = CompileOptions::new().window(&mut window).abort(|| {
            reads += 1;
            reads > k
        });
        let result =
            embassy_futures::block_on(compile_streaming_with_async(&engine, &wasm[..], options));
        assert!(matches!(result, Err(Error::Abort)));
        assert_eq!(reads, k + 1);
    }
}

/// A reader that is always interrupted.
struct AlwaysInterrupted {
    reads: usize,
}

impl embedded_io::ErrorType for AlwaysInterrupted {
    type Error = ErrorKind;
}

impl embedded_io::Read for AlwaysInterrupted {
    fn read(&mut self, _: &mut [u8]) -> Result<usize, ErrorKind> {
        self.reads += 1;
        Err(ErrorKind::Interrupted)
    }
}

impl embedded_io_async::Read for AlwaysInterrupted {
    async fn read(&mut self, _: &mut [u8]) -> Result<usize, ErrorKind> {
        self.reads += 1;
        Err(ErrorKind::Interrupted)
    }
}

#[test]
fn a_reader_that_keeps_being_interrupted_is_given_up_on() {
    let engine = Config::new().engine();
    let mut reader = AlwaysInterrupted { reads: 0 };
    let error = compile_streaming(&engine, &mut reader).unwrap_err();
    let bound = MAX_INTERRUPTED_IN_A_ROW;
    assert!(
        matches!(error, Error::Type(TypeError::ReadInterrupted { offset: 0, retries }) if retries == bound + 1),
        "{error}"
    );
    assert_eq!(reader.reads, bound as usize + 1);
    assert!(
        error.to_string().contains("interrupted 33 times in a row"),
        "{error}"
    );
}

#[test]
fn interrupted_reads_in_between_are_retried() {
    // Every other read is interrupted: never many in a row.
    let wasm = module();
    let engine = Config::new().engine();
    let reader = ScriptedReader::new(&wasm)
        .read_sizes(&[3])
        .interrupt_every_read();
    assert!(compile_streaming_with(&engine, reader, CompileOptions::new()).is_ok());
}

#[test]
fn the_async_driver_yields_between_interrupted_reads() {
    let engine = Config::new().engine();
    let mut reader = AlwaysInterrupted { reads: 0 };
    let mut pending = 0;
    let error = {
        let mut future = pin!(compile_streaming_with_async(
            &engine,
            &mut reader,
            CompileOptions::new()
        ));
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            match future.as_mut().poll(&mut cx) {
                Poll::Pending => pending += 1,
                Poll::Ready(result) => break result.unwrap_err(),
            }
        }
    };
    assert!(
        matches!(
            error,
            Error::Type(TypeError::ReadInterrupted { offset: 0, .. })
        ),
        "{error}"
    );
    // One yield before each retry: as many as the bound allows.
    assert_eq!(pending, MAX_INTERRUPTED_IN_A_ROW);
    assert_eq!(reader.reads, MAX_INTERRUPTED_IN_A_ROW as usize + 1);
}
