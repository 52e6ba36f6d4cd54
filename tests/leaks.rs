//! Nothing leaks: after any failure (a read error at any byte, an early end,
//! a compile error) and after a module is dropped, every byte the compiler
//! allocated is freed. A counting global allocator, so its own test binary.
//!
//! One thing outlives a dropped module by wasmi's design: a wasmi `Engine`
//! keeps the compiled-function entries of every module it built until the
//! engine itself is dropped. Successful compiles are therefore checked
//! against what `wasmi::Module::new` leaves in the same engine (no more), and
//! with a fresh engine per module (nothing).

mod common;

use common::corpus::{fixtures, mutated_modules};
use common::counting_alloc::{CountingAlloc, measure};
use common::readers::ScriptedReader;
use embedded_io::ErrorKind;
use wasmstream::wasmi::Module;
use wasmstream::{Config, Error, StreamingCompiler, compile_streaming};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// A summary without heap data, so that measuring it counts no result.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    Compiled,
    Io,
    Compile(u64),
    Other,
}

fn summarize<E>(result: Result<wasmstream::Module, Error<E>>) -> Ended {
    match result {
        Ok(_) => Ended::Compiled,
        Err(Error::Io(_)) => Ended::Io,
        Err(Error::Compile(e)) => Ended::Compile(e.offset()),
        Err(_) => Ended::Other,
    }
}

#[test]
fn a_read_error_at_any_byte_frees_everything() {
    let engine = Config::new().engine();
    for case in fixtures().iter().filter(|c| !c.name.starts_with("broken_")) {
        for k in 0..=case.bytes.len() {
            let (ended, heap) = measure(|| {
                let reader = ScriptedReader::new(&case.bytes).fail_at(k, ErrorKind::Other);
                summarize(compile_streaming(&engine, reader))
            });
            assert_eq!(ended, Ended::Io, "{} failing at {k}", case.name);
            assert_eq!(
                heap.net, 0,
                "{}: {} bytes leaked after a read error at byte {k}",
                case.name, heap.net
            );
            assert!(heap.peak > 0 || k == 0, "the compiler allocated nothing?");
        }
    }
}

#[test]
fn an_early_end_frees_everything() {
    let engine = Config::new().engine();
    for case in fixtures().iter().filter(|c| !c.name.starts_with("broken_")) {
        for end in 0..case.bytes.len() {
            let (ended, heap) = measure(|| {
                let reader = ScriptedReader::new(&case.bytes)
                    .end_at(end)
                    .read_sizes(&[3]);
                summarize(compile_streaming(&engine, reader))
            });
            assert!(
                matches!(ended, Ended::Compile(_) | Ended::Compiled),
                "{ended:?}"
            );
            assert_freed(
                &case.bytes[..end],
                &ended,
                heap.net,
                &format!("{} ended at byte {end}", case.name),
            );
        }
    }
}

#[test]
fn compile_errors_free_everything() {
    let engine = Config::new().engine();
    let mut rejected = 0;
    for case in mutated_modules(99, 300) {
        let (ended, heap) = measure(|| summarize(compile_streaming(&engine, &case.bytes[..])));
        assert_freed(&case.bytes, &ended, heap.net, &case.name);
        if matches!(ended, Ended::Compile(_)) {
            rejected += 1;
        }
    }
    assert!(rejected > 200, "only {rejected} of 300 mutations rejected");
}

#[test]
fn a_compiler_dropped_midway_frees_everything() {
    let engine = Config::new().engine();
    for case in fixtures() {
        for cut in [1, 9, case.bytes.len() / 2, case.bytes.len()] {
            let (_, heap) = measure(|| {
                let mut compiler = StreamingCompiler::new(&engine);
                let _ = compiler.feed(&case.bytes[..cut.min(case.bytes.len())]);
                drop(compiler);
            });
            assert_eq!(heap.net, 0, "{}: {} bytes leaked", case.name, heap.net);
        }
    }
}

/// An error must free everything. A compiled (and dropped) module may leave
/// entries in the engine (see the module docs), so it is compiled again with
/// an engine of its own, and module and engine must free everything.
fn assert_freed(bytes: &[u8], ended: &Ended, net: isize, name: &str) {
    if *ended == Ended::Compiled {
        let config = Config::new();
        let (_, alone) = measure(|| {
            let engine = config.engine();
            compile_streaming(&engine, bytes).map(drop).is_ok()
        });
        assert_eq!(
            alone.net, 0,
            "{name}: {} bytes held after module and engine were dropped",
            alone.net
        );
    } else {
        assert_eq!(net, 0, "{name}: {net} bytes leaked after {ended:?}");
    }
}

#[test]
fn a_dropped_module_and_engine_free_everything() {
    let config = Config::new();
    for case in fixtures().iter().filter(|c| !c.name.starts_with("broken_")) {
        let (ended, heap) = measure(|| {
            let engine = config.engine();
            summarize(compile_streaming(&engine, &case.bytes[..]))
        });
        assert_eq!(ended, Ended::Compiled, "{}", case.name);
        assert_eq!(
            heap.net, 0,
            "{}: {} bytes held after module and engine were dropped",
            case.name, heap.net
        );
    }
}

#[test]
fn a_shared_engine_keeps_no_more_than_wasmi_module_new_does() {
    const ROUNDS: usize = 100;
    for case in fixtures().iter().filter(|c| !c.name.starts_with("broken_")) {
        let ours_engine = Config::new().engine();
        let wasmi_engine = Config::new().engine();
        let (_, ours) = measure(|| {
            for _ in 0..ROUNDS {
                compile_streaming(&ours_engine, &case.bytes[..]).expect("valid fixture");
            }
        });
        let (_, wasmi) = measure(|| {
            for _ in 0..ROUNDS {
                Module::new(&wasmi_engine, &case.bytes).expect("valid fixture");
            }
        });
        // The engines' arenas grow in steps, so allow one step of slack.
        assert!(
            ours.net <= wasmi.net + 64 * 1024,
            "{}: {ROUNDS} compiles left {} bytes in the engine, wasmi::Module::new {}",
            case.name,
            ours.net,
            wasmi.net
        );
    }
}
