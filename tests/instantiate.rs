//! `instantiate` and `instantiate_streaming` through the public API: the MDN
//! example, reuse of modules and import objects, and instantiation traps.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use embedded_io::{ErrorKind, ErrorType, Read};
use wasmstream::wasmi::{
    Caller, Func, Memory, MemoryType, Ref, RefType, Store, Table, TableType, TrapCode,
};
use wasmstream::{
    Config, Error, Imports, Instantiated, Response, compile_streaming, instantiate,
    instantiate_streaming,
};

/// Hands out at most `chunk` bytes per read, like a slow peripheral.
struct Chunked<'a> {
    bytes: &'a [u8],
    chunk: usize,
}

impl ErrorType for Chunked<'_> {
    type Error = ErrorKind;
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let n = buf.len().min(self.chunk).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// MDN's `simple.wasm`: imports `my_namespace.imported_func(i32)`, exports
/// `exported_func`, which calls it with 42.
const SIMPLE_WAT: &str = r#"(module
    (func $i (import "my_namespace" "imported_func") (param i32))
    (func (export "exported_func")
        i32.const 42
        call $i))"#;

#[test]
fn mdn_instantiate_streaming_example() {
    let wasm = wat::parse_str(SIMPLE_WAT).unwrap();
    let engine = Config::new().engine();
    let received = Arc::new(AtomicI32::new(0));
    let mut imports = Imports::new(&engine);
    let sink = Arc::clone(&received);
    imports.func_wrap("my_namespace", "imported_func", move |arg: i32| {
        sink.store(arg, Ordering::SeqCst);
    });

    let mut store = Store::new(&engine, ());
    let source = Response::ok_wasm(Chunked {
        bytes: &wasm,
        chunk: 3,
    });
    let Instantiated { module, instance } =
        instantiate_streaming(&mut store, source, &imports).unwrap();
    assert!(module.wasmi().get_export("exported_func").is_some());
    instance
        .get_typed_func::<(), ()>(&store, "exported_func")
        .unwrap()
        .call(&mut store, ())
        .unwrap();
    assert_eq!(received.load(Ordering::SeqCst), 42);
}

#[test]
fn a_module_instantiates_twice_with_separate_state() {
    let engine = Config::new().engine();
    let wasm = wat::parse_str(
        r#"(module
            (global $count (mut i32) (i32.const 0))
            (func (export "bump") (result i32)
                (global.set $count (i32.add (global.get $count) (i32.const 1)))
                (global.get $count)))"#,
    )
    .unwrap();
    let module = compile_streaming(&engine, &wasm[..]).unwrap();
    let imports = Imports::new(&engine);
    let mut store = Store::new(&engine, ());
    let first = instantiate::<_, Infallible>(&mut store, &module, &imports).unwrap();
    let second = instantiate::<_, Infallible>(&mut store, &module, &imports).unwrap();
    let bump_first = first.get_typed_func::<(), i32>(&store, "bump").unwrap();
    let bump_second = second.get_typed_func::<(), i32>(&store, "bump").unwrap();
    assert_eq!(bump_first.call(&mut store, ()).unwrap(), 1);
    assert_eq!(bump_first.call(&mut store, ()).unwrap(), 2);
    assert_eq!(bump_second.call(&mut store, ()).unwrap(), 1);
}

#[test]
fn one_import_object_serves_two_stores() {
    let engine = Config::new().engine();
    let wasm = wat::parse_str(SIMPLE_WAT).unwrap();
    let module = compile_streaming(&engine, &wasm[..]).unwrap();
    let mut imports = Imports::<Vec<i32>>::new(&engine);
    imports.func_wrap(
        "my_namespace",
        "imported_func",
        |mut caller: Caller<'_, Vec<i32>>, arg: i32| caller.data_mut().push(arg),
    );
    let mut stores = [
        Store::new(&engine, Vec::new()),
        Store::new(&engine, Vec::new()),
    ];
    for (calls, store) in stores.iter_mut().enumerate() {
        let instance = instantiate::<_, Infallible>(&mut *store, &module, &imports).unwrap();
        let run = instance
            .get_typed_func::<(), ()>(&*store, "exported_func")
            .unwrap();
        for _ in 0..=calls {
            run.call(&mut *store, ()).unwrap();
        }
    }
    assert_eq!(stores[0].data(), &[42]);
    assert_eq!(stores[1].data(), &[42, 42]);
}

#[test]
fn a_function_living_in_the_store_can_be_imported() {
    let engine = Config::new().engine();
    let wasm = wat::parse_str(SIMPLE_WAT).unwrap();
    let mut store = Store::new(&engine, 0);
    let func = Func::wrap(&mut store, |mut caller: Caller<'_, i32>, arg: i32| {
        *caller.data_mut() = arg;
    });
    let mut imports = Imports::new(&engine);
    imports.define("my_namespace", "imported_func", func);
    let Instantiated { instance, .. } =
        instantiate_streaming(&mut store, &wasm[..], &imports).unwrap();
    instance
        .get_typed_func::<(), ()>(&store, "exported_func")
        .unwrap()
        .call(&mut store, ())
        .unwrap();
    assert_eq!(*store.data(), 42);
}

#[test]
fn exports_of_one_instance_link_another() {
    let engine = Config::new().engine();
    let provider = wat::parse_str(
        r#"(module
            (memory (export "memory") 1)
            (func (export "seven") (result i32) i32.const 7))"#,
    )
    .unwrap();
    let user = wat::parse_str(
        r#"(module
            (import "lib" "memory" (memory 1))
            (import "lib" "seven" (func $seven (result i32)))
            (func (export "store_seven")
                (i32.store8 (i32.const 3) (call $seven))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut imports = Imports::new(&engine);
    let lib = instantiate_streaming(&mut store, &provider[..], &imports)
        .unwrap()
        .instance;
    imports.define_instance(&store, "lib", lib);
    let user = instantiate_streaming(&mut store, &user[..], &imports)
        .unwrap()
        .instance;
    user.get_typed_func::<(), ()>(&store, "store_seven")
        .unwrap()
        .call(&mut store, ())
        .unwrap();
    let memory = lib.get_memory(&store, "memory").unwrap();
    assert_eq!(memory.data(&store)[3], 7);
}

#[test]
fn a_trapping_start_function_is_a_runtime_error() {
    let engine = Config::new().engine();
    let wasm = wat::parse_str(r#"(module (func $start unreachable) (start $start))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let error = instantiate_streaming(&mut store, &wasm[..], &Imports::new(&engine)).unwrap_err();
    let Error::Runtime(error) = error else {
        panic!("expected a RuntimeError, got: {error}");
    };
    assert_eq!(error.trap_code(), Some(TrapCode::UnreachableCodeReached));
    assert!(error.to_string().starts_with("runtime error: "), "{error}");
}

#[test]
fn a_data_segment_out_of_bounds_keeps_the_earlier_segments() {
    let engine = Config::new().engine();
    let wasm = wat::parse_str(
        r#"(module
            (import "env" "memory" (memory 1))
            (data (i32.const 0) "early")
            (data (i32.const 65534) "too long"))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    let mut imports = Imports::new(&engine);
    imports.define("env", "memory", memory);
    let error = instantiate_streaming(&mut store, &wasm[..], &imports).unwrap_err();
    let Error::Runtime(error) = error else {
        panic!("expected a RuntimeError, got: {error}");
    };
    assert_eq!(error.trap_code(), Some(TrapCode::MemoryOutOfBounds));
    assert_eq!(&memory.data(&store)[..5], b"early");
    // The out-of-bounds segment wrote nothing.
    assert_eq!(&memory.data(&store)[65534..], &[0, 0]);
}

#[test]
fn an_element_segment_out_of_bounds_keeps_the_earlier_segments() {
    let engine = Config::new().engine();
    let wasm = wat::parse_str(
        r#"(module
            (import "env" "table" (table 2 funcref))
            (func $f)
            (elem (i32.const 0) $f)
            (elem (i32.const 1) $f $f))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let table = Table::new(
        &mut store,
        TableType::new(RefType::Func, 2, None),
        Ref::null(RefType::Func),
    )
    .unwrap();
    let mut imports = Imports::new(&engine);
    imports.define("env", "table", table);
    let error = instantiate_streaming(&mut store, &wasm[..], &imports).unwrap_err();
    let Error::Runtime(error) = error else {
        panic!("expected a RuntimeError, got: {error}");
    };
    assert_eq!(error.trap_code(), Some(TrapCode::TableOutOfBounds));
    assert!(!table.get(&store, 0).unwrap().is_null());
    assert!(table.get(&store, 1).unwrap().is_null());
}

#[test]
fn a_compile_error_wins_over_a_link_error_by_default() {
    let engine = Config::new().engine();
    let wasm = wat::parse_str(
        r#"(module
            (import "nowhere" "f" (func))
            (func (result i32) i64.const 0))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let error = instantiate_streaming(&mut store, &wasm[..], &Imports::new(&engine)).unwrap_err();
    assert!(matches!(error, Error::Compile(_)), "{error}");
}

#[test]
fn a_bad_response_is_a_type_error_before_linking() {
    let engine = Config::new().engine();
    let wasm = wat::parse_str(SIMPLE_WAT).unwrap();
    let mut store = Store::new(&engine, ());
    let source = Response::new(404, Some(b"application/wasm"), &wasm[..]);
    let error = instantiate_streaming(&mut store, source, &Imports::new(&engine)).unwrap_err();
    assert!(
        matches!(
            error,
            Error::Type(wasmstream::TypeError::BadStatus { status: 404 })
        ),
        "{error}"
    );
}

/// Fails after `ok` bytes.
struct Failing<'a> {
    bytes: &'a [u8],
    ok: usize,
}

impl ErrorType for Failing<'_> {
    type Error = ErrorKind;
}

impl Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        if self.ok == 0 {
            return Err(ErrorKind::BrokenPipe);
        }
        let n = buf.len().min(self.ok).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        self.ok -= n;
        Ok(n)
    }
}

#[test]
fn a_reader_error_comes_back_unchanged() {
    let engine = Config::new().engine();
    let wasm = wat::parse_str(SIMPLE_WAT).unwrap();
    let mut store = Store::new(&engine, ());
    let source = Failing {
        bytes: &wasm,
        ok: 10,
    };
    let error = instantiate_streaming(&mut store, source, &Imports::new(&engine)).unwrap_err();
    assert!(matches!(error, Error::Io(ErrorKind::BrokenPipe)), "{error}");
}

/// wasmi's own import checks (behind ours) print types with `Debug`; a
/// `RuntimeError` holding one names the import in one line instead.
#[test]
fn wasmi_import_mismatch_displays_in_one_line() {
    let engine = Config::new().engine();
    let wasm = wat::parse_str(
        r#"(module (import "env" "f" (func (param i32))) (import "env" "g" (global i32)))"#,
    )
    .expect("parses");
    let module = compile_streaming(&engine, &wasm[..]).expect("compiles");
    let mut store = Store::new(&engine, ());
    let func = Func::wrap(&mut store, |_: i64| {});
    let wrong_kind = Func::wrap(&mut store, || {});
    let right_func = Func::wrap(&mut store, |_: i32| {});
    for (externs, name) in [
        ([func.into(), wrong_kind.into()], "f"),
        ([right_func.into(), wrong_kind.into()], "g"),
    ] {
        let error = wasmstream::wasmi::Instance::new(&mut store, module.wasmi(), &externs)
            .expect_err("mismatched imports");
        let message = wasmstream::RuntimeError::new(error).to_string();
        assert_eq!(
            message,
            format!(r#"runtime error: import "env" "{name}" does not match the module's import"#)
        );
    }
}
