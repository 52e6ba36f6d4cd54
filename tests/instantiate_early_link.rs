//! The opt-in early link check: reading stops at the end of the import
//! section when an import cannot link (a counting reader proves it).

use std::cell::Cell;

use embedded_io::{ErrorKind, ErrorType, Read};
use wasmparser::{Parser, Payload};
use wasmstream::wasmi::Store;
use wasmstream::{
    CompileOptions, Config, Error, Imports, LinkErrorReason, instantiate_streaming_with,
};

/// Counts the bytes it hands out, at most `chunk` per read.
struct Counting<'a> {
    bytes: &'a [u8],
    chunk: usize,
    read: &'a Cell<usize>,
}

impl ErrorType for Counting<'_> {
    type Error = ErrorKind;
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let n = buf.len().min(self.chunk).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        self.read.set(self.read.get() + n);
        Ok(n)
    }
}

/// A module whose import section is followed by a large code and data
/// section, as a real program's would be.
fn big_module() -> Vec<u8> {
    let body = "(drop (i32.add (local.get 0) (i32.const 1)))\n".repeat(400);
    wat::parse_str(format!(
        r#"(module
            (import "env" "log" (func $log (param i32)))
            (import "env" "memory" (memory 1))
            (func (export "run") (param i32) {body} (call $log (local.get 0)))
            (data (i32.const 0) "{}"))"#,
        "x".repeat(4000)
    ))
    .unwrap()
}

fn import_section_end(wasm: &[u8]) -> usize {
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::ImportSection(reader) = payload.unwrap() {
            return reader.range().end;
        }
    }
    panic!("the module has an import section");
}

fn run(
    wasm: &[u8],
    imports: &Imports<()>,
    early: bool,
    chunk: usize,
) -> (Result<(), Error<ErrorKind>>, usize) {
    let read = Cell::new(0);
    let source = Counting {
        bytes: wasm,
        chunk,
        read: &read,
    };
    let mut store = Store::new(imports.engine(), ());
    let options = CompileOptions::new().early_link_check(early);
    let result = instantiate_streaming_with(&mut store, source, imports, options).map(|_| ());
    (result, read.get())
}

#[test]
fn a_missing_namespace_stops_reading_at_the_end_of_the_import_section() {
    let wasm = big_module();
    let end = import_section_end(&wasm);
    assert!(
        end < wasm.len() / 4,
        "the test module is mostly code and data"
    );
    let imports = Imports::new(&Config::new().engine());
    for chunk in [1, 7, 64, 4096] {
        let (result, read) = run(&wasm, &imports, true, chunk);
        assert!(matches!(result, Err(Error::Type(_))), "{result:?}");
        assert_eq!(read, end, "chunk {chunk}");
    }
}

#[test]
fn a_link_error_stops_reading_at_the_end_of_the_import_section() {
    let wasm = big_module();
    let end = import_section_end(&wasm);
    let mut imports = Imports::new(&Config::new().engine());
    // Defines "env" (so no TypeError) with a wrongly typed "log".
    imports.func_wrap("env", "log", |_: i64| {});
    let (result, read) = run(&wasm, &imports, true, 64);
    let Err(Error::Link(error)) = result else {
        panic!("expected a LinkError, got {result:?}");
    };
    assert_eq!(error.index, 0);
    assert!(matches!(error.reason, LinkErrorReason::FuncType { .. }));
    assert_eq!(read, end);
}

#[test]
fn without_the_check_the_whole_module_is_read_first() {
    let wasm = big_module();
    let imports = Imports::new(&Config::new().engine());
    let (result, read) = run(&wasm, &imports, false, 64);
    assert!(matches!(result, Err(Error::Type(_))), "{result:?}");
    assert_eq!(read, wasm.len());
}

#[test]
fn a_module_that_links_is_read_to_the_end_and_instantiated() {
    let wasm = big_module();
    let engine = Config::new().engine();
    let mut store = Store::new(&engine, ());
    let memory =
        wasmstream::wasmi::Memory::new(&mut store, wasmstream::wasmi::MemoryType::new(1, None))
            .unwrap();
    let mut imports = Imports::new(&engine);
    imports
        .func_wrap("env", "log", |_: i32| {})
        .define("env", "memory", memory);
    let read = Cell::new(0);
    let source = Counting {
        bytes: &wasm,
        chunk: 64,
        read: &read,
    };
    let options = CompileOptions::new().early_link_check(true);
    let instantiated = instantiate_streaming_with(&mut store, source, &imports, options).unwrap();
    assert_eq!(read.get(), wasm.len());
    instantiated
        .instance
        .get_typed_func::<i32, ()>(&store, "run")
        .unwrap()
        .call(&mut store, 5)
        .unwrap();
    assert_eq!(memory.data(&store)[0], b'x');
}

#[test]
fn with_the_check_a_link_error_wins_over_a_later_compile_error() {
    let wasm = wat::parse_str(
        r#"(module
            (import "nowhere" "f" (func))
            (func (result i32) i64.const 0))"#,
    )
    .unwrap();
    let imports = Imports::new(&Config::new().engine());
    let (result, _) = run(&wasm, &imports, true, 1);
    assert!(matches!(result, Err(Error::Type(_))), "{result:?}");
    let (result, _) = run(&wasm, &imports, false, 1);
    assert!(matches!(result, Err(Error::Compile(_))), "{result:?}");
}
