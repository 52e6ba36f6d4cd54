//! Issue 11 through the public API: untrusted modules are bounded under
//! `Config::new()` with no further setup (a counting global allocator, so
//! this is its own test binary, proves nothing large is allocated); an
//! engine mismatch is an error, not a panic; `?` composes across the calls;
//! the compiled `Module` keeps the JS API's import and export order.

mod common;

use std::convert::Infallible;

use common::counting_alloc::{CountingAlloc, measure};
use wasmstream::std_io::FromStd;
use wasmstream::wasmi::{ExternType, Store};
use wasmstream::{
    Config, Error, ExternKind, Imports, Instantiated, LimitExceeded, ResourceLimits, TypeError,
    compile_streaming, instantiate, instantiate_streaming, validate,
};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// The 15-byte module of the issue: one memory of 65536 pages, 4 GiB.
const FOUR_GIB: &str = "(module (memory 65536))";

#[test]
fn a_4_gib_memory_is_refused_under_the_defaults_without_allocating_it() {
    let wasm = wat::parse_str(FOUR_GIB).unwrap();
    assert_eq!(wasm.len(), 15);
    let engine = Config::new().engine();
    let imports = Imports::new(&engine);

    // Streaming, and compile-then-instantiate; no limiter installed.
    let mut store = Store::new(&engine, ());
    let (result, heap) = measure(|| {
        instantiate_streaming(&mut store, &wasm[..], &imports).map(|done| done.instance)
    });
    assert!(
        heap.largest < 64 * 1024,
        "allocated {} bytes at once",
        heap.largest
    );
    let Err(Error::Runtime(error)) = result else {
        panic!("expected a RuntimeError, got {result:?}");
    };
    assert_eq!(error.limit_exceeded(), Some(LimitExceeded::MemoryBytes));
    assert_eq!(
        error.to_string(),
        "runtime error: resource limit exceeded: memory 0 starts at 4294967296 bytes, \
         over the limit of 262144 bytes (Config::max_memory_bytes)"
    );

    let module = compile_streaming(&engine, &wasm[..]).unwrap();
    let (result, heap) = measure(|| instantiate::<_, Infallible>(&mut store, &module, &imports));
    assert!(
        heap.largest < 64 * 1024,
        "allocated {} bytes at once",
        heap.largest
    );
    assert!(
        matches!(result, Err(Error::Runtime(e)) if e.limit_exceeded() == Some(LimitExceeded::MemoryBytes))
    );
}

#[test]
fn declared_tables_and_counts_are_refused_under_the_defaults() {
    let engine = Config::new().engine();
    let imports = Imports::new(&engine);
    let mut store = Store::new(&engine, ());
    let cases = [
        (
            "(module (table 100000 funcref))",
            LimitExceeded::TableElements,
            "table 0 starts at 100000 elements, over the limit of 1024 elements (Config::max_table_elements)",
        ),
        (
            "(module (memory 0) (memory 0) (memory 0) (memory 0) (memory 0))",
            LimitExceeded::Memories,
            "the module defines 5 memories, over the limit of 4 (Config::max_memories)",
        ),
    ];
    for (wat, limit, message) in cases {
        let wasm = wat::parse_str(wat).unwrap();
        let result = instantiate_streaming(&mut store, &wasm[..], &imports);
        let Err(Error::Runtime(error)) = result else {
            panic!("{wat}: expected a RuntimeError, got {result:?}");
        };
        assert_eq!(error.limit_exceeded(), Some(limit), "{wat}");
        assert!(error.to_string().ends_with(message), "{wat}: {error}");
    }
}

#[test]
fn the_host_preset_admits_what_a_host_needs() {
    let engine = Config::new().resource_limits(ResourceLimits::HOST).engine();
    let mut store = Store::new(&engine, ());
    let wasm = wat::parse_str("(module (memory 32) (table 100000 funcref))").unwrap();
    instantiate_streaming(&mut store, &wasm[..], &Imports::new(&engine))
        .expect("2 MiB fits a host");
    let wasm = wat::parse_str(FOUR_GIB).unwrap();
    let result = instantiate_streaming(&mut store, &wasm[..], &Imports::new(&engine));
    assert!(
        matches!(result, Err(Error::Runtime(_))),
        "4 GiB is over the host's 1 GiB"
    );
}

#[test]
fn an_imported_memory_is_not_counted_as_allocated() {
    // The store's memory already exists; only the module's own are checked.
    let engine = Config::new().engine();
    let mut store = Store::new(&engine, ());
    let big =
        wasmstream::wasmi::Memory::new(&mut store, wasmstream::wasmi::MemoryType::new(8, None))
            .unwrap();
    let mut imports = Imports::new(&engine);
    imports.define("env", "memory", big);
    let wasm = wat::parse_str(r#"(module (import "env" "memory" (memory 8)))"#).unwrap();
    instantiate_streaming(&mut store, &wasm[..], &imports).expect("imported memory");
}

#[test]
fn an_engine_mismatch_is_a_type_error_not_a_panic() {
    let engine = Config::new().engine();
    let other = Config::new().engine();
    let wasm = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
    let module = compile_streaming(&engine, &wasm[..]).unwrap();

    // A store of another engine than the module.
    let mut foreign_store = Store::new(&other, ());
    let result = instantiate::<_, Infallible>(&mut foreign_store, &module, &Imports::new(&other));
    assert!(
        matches!(result, Err(Error::Type(TypeError::ModuleEngineMismatch))),
        "{result:?}"
    );
    let result = Imports::new(&other).resolve::<Infallible>(&mut foreign_store, &module);
    assert!(
        matches!(result, Err(Error::Type(TypeError::ModuleEngineMismatch))),
        "{result:?}"
    );

    // An import object of another engine than the store.
    let mut store = Store::new(&engine, ());
    let result = instantiate::<_, Infallible>(&mut store, &module, &Imports::new(&other));
    assert!(
        matches!(result, Err(Error::Type(TypeError::ImportsEngineMismatch))),
        "{result:?}"
    );
    let Err(error) = instantiate_streaming(&mut store, &wasm[..], &Imports::new(&other)) else {
        panic!("instantiated across engines");
    };
    assert!(matches!(
        error,
        Error::Type(TypeError::ImportsEngineMismatch)
    ));
    assert_eq!(
        error.to_string(),
        "type error: the import object belongs to another engine than the store"
    );
    // Nothing was read from the source.
    let mut reader = common::readers::ScriptedReader::new(&wasm);
    let _ = instantiate_streaming(&mut store, &mut reader, &Imports::new(&other));
    assert_eq!(reader.delivered(), 0);
}

/// `?` across compile_streaming over a std reader, instantiate and
/// instantiate_streaming, in one function returning the crate's error type.
fn compile_link_and_run(
    engine: &wasmstream::Engine,
    file: std::io::Cursor<Vec<u8>>,
    second: std::io::Cursor<Vec<u8>>,
) -> Result<i32, Error<std::io::Error>> {
    let module = compile_streaming(engine, FromStd::new(file))?;
    let mut store = Store::new(engine, ());
    let mut imports = Imports::new(engine);
    imports.func_wrap("env", "base", || 40);
    let instance = instantiate(&mut store, &module, &imports)?;
    imports.define_instance(&store, "first", instance);
    let Instantiated { instance, .. } =
        instantiate_streaming(&mut store, FromStd::new(second), &imports)?;
    validate(
        engine,
        FromStd::new(std::io::Cursor::new(b"\0asm\x01\0\0\0".to_vec())),
    )?;
    let run = instance
        .get_typed_func::<(), i32>(&store, "run")
        .map_err(wasmstream::RuntimeError::new)?;
    Ok(run
        .call(&mut store, ())
        .map_err(wasmstream::RuntimeError::new)?)
}

#[test]
fn errors_compose_with_question_marks() {
    let engine = Config::new().engine();
    let first = wat::parse_str(
        r#"(module (import "env" "base" (func $base (result i32)))
            (func (export "one") (result i32) (i32.add (call $base) (i32.const 1))))"#,
    )
    .unwrap();
    let second = wat::parse_str(
        r#"(module (import "first" "one" (func $one (result i32)))
            (func (export "run") (result i32) (i32.add (call $one) (i32.const 1))))"#,
    )
    .unwrap();
    let cursor = std::io::Cursor::new;
    assert_eq!(
        compile_link_and_run(&engine, cursor(first.clone()), cursor(second.clone())).unwrap(),
        42
    );
    // Each call's error comes through the same `?`.
    let error = compile_link_and_run(&engine, cursor(b"\0asm".to_vec()), cursor(second.clone()))
        .unwrap_err();
    assert!(matches!(error, Error::Compile(_)), "{error}");
    let unlinkable = wat::parse_str(r#"(module (import "first" "two" (func)))"#).unwrap();
    let error = compile_link_and_run(&engine, cursor(first), cursor(unlinkable)).unwrap_err();
    assert!(matches!(error, Error::Link(_)), "{error}");
}

#[test]
fn the_module_keeps_the_js_import_and_export_order() {
    let engine = Config::new().keep_custom_sections(true).engine();
    let wasm = wat::parse_str(
        r#"(module
            (import "m" "g" (global i32))
            (import "m" "mem" (memory 1))
            (import "m" "f" (func))
            (import "m" "t" (table 1 funcref))
            (import "m" "h" (func (param i32)))
            (func (export "zeta"))
            (global (export "alpha") i32 (i32.const 1))
            (export "mid" (func 0)))"#,
    )
    .unwrap();
    let module = compile_streaming(&engine, &wasm[..]).unwrap();
    let imports: Vec<_> = module
        .imports()
        .map(|i| (i.name(), ExternKind::of_type(i.ty())))
        .collect();
    assert_eq!(
        imports,
        [
            ("g", ExternKind::Global),
            ("mem", ExternKind::Memory),
            ("f", ExternKind::Func),
            ("t", ExternKind::Table),
            ("h", ExternKind::Func),
        ]
    );
    assert_eq!(module.imports().len(), 5);
    // The function import `h` keeps its own type.
    let h = module.imports().nth(4).unwrap();
    assert!(matches!(h.ty(), ExternType::Func(ty) if ty.params().len() == 1));
    let exports: Vec<_> = module.exports().map(|(name, _)| name).collect();
    assert_eq!(exports, ["zeta", "alpha", "mid"]);
    // wasmi's module is still there, in its own order.
    let wasmi_first = module.wasmi().imports().next().unwrap();
    assert_eq!(wasmi_first.name(), "f");
}

#[test]
fn custom_sections_by_name() {
    let wasm = b"\0asm\x01\0\0\0\0\x07\x04notehi\0\x07\x05otherx\0\x06\x04note!";
    let keep = Config::new().keep_custom_sections(true).engine();
    let module = compile_streaming(&keep, &wasm[..]).unwrap();
    let notes: Vec<_> = module.custom_sections("note").collect();
    assert_eq!(notes, [&b"hi"[..], &b"!"[..]]);
    assert_eq!(module.custom_sections("none").count(), 0);
    let skip = Config::new().engine();
    let module = compile_streaming(&skip, &wasm[..]).unwrap();
    assert_eq!(module.custom_sections("note").count(), 0);
}

#[test]
fn validate_agrees_with_compile_and_builds_nothing() {
    let engine = Config::new().engine();
    let cases: [&[u8]; 4] = [
        b"\0asm\x01\0\0\0",
        b"\0asm\x01\0\0",
        b"",
        b"\0asm\x01\0\0\0\x01\x05\x01\x60\0\x01\x7f\x03\x02\x01\0\x0a\x06\x01\x04\0\x42\0\x0b",
    ];
    for bytes in cases {
        let validated = validate(&engine, bytes).map_err(|e| e.to_string());
        let compiled = compile_streaming(&engine, bytes)
            .map(drop)
            .map_err(|e| e.to_string());
        assert_eq!(validated, compiled, "{bytes:?}");
    }
    let wasm =
        wat::parse_str(r#"(module (func (export "f") (result i32) (i32.const 1)))"#).unwrap();
    // Validation leaves nothing behind (compiling leaves wasmi's module).
    let (result, heap) = measure(|| validate(&engine, &wasm[..]));
    result.unwrap();
    assert!(heap.net <= 0, "validate kept {} bytes", heap.net);
}
