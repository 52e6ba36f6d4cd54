//! In async code dropping the future is the abort: a streaming call's
//! future dropped at any await point frees everything it allocated. A
//! counting global allocator, so its own test binary.

mod common;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

use common::counting_alloc::{CountingAlloc, measure};
use embedded_io::ErrorKind;
use wasmstream::wasmi::Store;
use wasmstream::{
    CompileOptions, Config, Imports, compile_streaming_with_async, instantiate_streaming_with_async,
};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Serves `data` in reads of at most `chunk` bytes, yielding to the
/// executor (one `Pending`) before each read, as a socket waiting for data.
struct YieldingReader<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl embedded_io::ErrorType for YieldingReader<'_> {
    type Error = ErrorKind;
}

impl embedded_io_async::Read for YieldingReader<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        wasmstream::control::yield_now().await;
        let n = buf.len().min(self.chunk).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn module() -> Vec<u8> {
    wat::parse_str(
        r#"(module
            (@custom "note" "skipped as it streams past")
            (memory 1)
            (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add)
            (func (export "g") (result i32) i32.const 2)
            (data (i32.const 0) "some data bytes"))"#,
    )
    .unwrap()
}

/// Polls `future` at most `polls` times; whether it finished.
fn poll_n<F: Future>(future: F, polls: usize) -> bool {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..polls {
        if future.as_mut().poll(&mut cx).is_ready() {
            return true;
        }
    }
    false
}

/// How many polls `make()`'s future takes to finish.
fn polls_to_finish<F: Future>(make: impl Fn() -> F) -> usize {
    (1..10_000)
        .find(|&n| poll_n(make(), n))
        .expect("the load never finished")
}

#[test]
fn dropping_a_compile_at_every_await_point_frees_everything() {
    let wasm = module();
    let engine = Config::new().engine();
    for chunk in [1, 5, 64] {
        let compile = || {
            let reader = YieldingReader { data: &wasm, chunk };
            compile_streaming_with_async(&engine, reader, CompileOptions::new())
        };
        let total = polls_to_finish(compile);
        assert!(
            total > wasm.len() / chunk,
            "chunks of {chunk}: {total} polls"
        );
        for polls in 0..total {
            let (finished, heap) = measure(|| poll_n(compile(), polls));
            assert!(!finished);
            assert_eq!(
                heap.net, 0,
                "chunks of {chunk}, dropped after {polls} polls"
            );
        }
    }
}

#[test]
fn dropping_an_instantiation_at_every_await_point_frees_everything() {
    let wasm = module();
    let engine = Config::new().engine();
    let mut store = Store::new(&engine, ());
    let imports = Imports::new(&engine);
    let total = polls_to_finish(|| {
        let reader = YieldingReader {
            data: &wasm,
            chunk: 7,
        };
        instantiate_streaming_with_async(
            Store::new(&engine, ()),
            reader,
            &imports,
            CompileOptions::new(),
        )
    });
    for polls in 0..total {
        let (finished, heap) = measure(|| {
            let reader = YieldingReader {
                data: &wasm,
                chunk: 7,
            };
            poll_n(
                instantiate_streaming_with_async(
                    &mut store,
                    reader,
                    &imports,
                    CompileOptions::new(),
                ),
                polls,
            )
        });
        assert!(!finished);
        assert_eq!(heap.net, 0, "dropped after {polls} polls");
    }
}
