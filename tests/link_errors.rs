//! One test per LinkError reason (and the TypeError for a missing
//! namespace): the structured fields and the one-line message.

use std::convert::Infallible;

use wasmstream::wasmi::{
    Func, FuncType, Global, Memory, MemoryType, Mutability, Nullable, Ref, RefType, Store, Table,
    TableType, Val, ValType,
};
use wasmstream::{
    Config, Engine, Error, ExternKind, Imports, IndexType, LinkError, LinkErrorReason, TypeError,
    compile_streaming, instantiate, instantiate_streaming,
};

/// Streams `wat`'s module into `instantiate_streaming` with the import
/// object `define` fills, and returns the error.
fn instantiate_error(
    engine: &Engine,
    wat: &str,
    define: impl FnOnce(&mut Store<()>, &mut Imports<()>),
) -> Error<Infallible> {
    let wasm = wat::parse_str(wat).expect("test module parses");
    let mut store = Store::new(engine, ());
    let mut imports = Imports::new(engine);
    define(&mut store, &mut imports);
    match instantiate_streaming(&mut store, &wasm[..], &imports) {
        Ok(_) => panic!("instantiation succeeded, expected an error"),
        Err(error) => error,
    }
}

fn link_error(wat: &str, define: impl FnOnce(&mut Store<()>, &mut Imports<()>)) -> LinkError {
    match instantiate_error(&Config::new().engine(), wat, define) {
        Error::Link(error) => error,
        other => panic!("expected a LinkError, got: {other}"),
    }
}

#[test]
fn missing_namespace_is_a_type_error() {
    let error = instantiate_error(
        &Config::new().engine(),
        r#"(module (import "my_namespace" "imported_func" (func (param i32))))"#,
        |_, imports| {
            imports.func_wrap("other", "imported_func", |_: i32| {});
        },
    );
    let Error::Type(error) = error else {
        panic!("expected a TypeError, got: {error}");
    };
    assert_eq!(
        error,
        TypeError::MissingNamespace {
            index: 0,
            module: "my_namespace".into(),
            name: "imported_func".into(),
        }
    );
    assert_eq!(
        error.to_string(),
        r#"type error: import #0 "my_namespace" "imported_func": module is not an object or function (no namespace "my_namespace" in the import object)"#
    );
}

#[test]
fn missing_name() {
    let error = link_error(
        r#"(module (import "my_namespace" "imported_func" (func (param i32))))"#,
        |_, imports| {
            imports.func_wrap("my_namespace", "other_func", |_: i32| {});
        },
    );
    assert_eq!(error.index, 0);
    assert_eq!(error.module, "my_namespace");
    assert_eq!(error.name, "imported_func");
    assert_eq!(
        error.reason,
        LinkErrorReason::MissingName {
            wanted: ExternKind::Func
        }
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "my_namespace" "imported_func": function import requires a callable, but namespace "my_namespace" has no "imported_func""#
    );
}

#[test]
fn wrong_kind() {
    let error = link_error(r#"(module (import "env" "f" (func)))"#, |store, imports| {
        let memory = Memory::new(&mut *store, MemoryType::new(1, None)).unwrap();
        imports.define("env", "f", memory);
    });
    assert_eq!(
        error.reason,
        LinkErrorReason::WrongKind {
            wanted: ExternKind::Func,
            provided: ExternKind::Memory
        }
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "f": function import requires a callable, provided a memory"#
    );
}

#[test]
fn host_function_where_a_global_is_wanted() {
    let error = link_error(
        r#"(module (import "env" "g" (global i32)))"#,
        |_, imports| {
            imports.func_wrap("env", "g", || 0i32);
        },
    );
    assert_eq!(
        error.reason,
        LinkErrorReason::WrongKind {
            wanted: ExternKind::Global,
            provided: ExternKind::Func
        }
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "g": global import requires a global, provided a function"#
    );
}

#[test]
fn func_signature() {
    let error = link_error(
        r#"(module
            (import "env" "ok" (func (param i64)))
            (import "env" "f" (func (param i64))))"#,
        |_, imports| {
            imports
                .func_wrap("env", "ok", |_: i64| {})
                .func_wrap("env", "f", |_: i32| {});
        },
    );
    assert_eq!(error.index, 1);
    assert_eq!(
        error.reason,
        LinkErrorReason::FuncType {
            wanted: FuncType::new([ValType::I64], []),
            provided: FuncType::new([ValType::I32], []),
        }
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #1 "env" "f": imported function has type (i32) -> (), module wants (i64) -> ()"#
    );
}

#[test]
fn func_signature_of_a_store_function_with_results() {
    let error = link_error(
        r#"(module (import "env" "f" (func (param i32 f64) (result i32 i64))))"#,
        |store, imports| {
            let func = Func::wrap(&mut *store, |a: i32, _: f32| (a, 0i64));
            imports.define("env", "f", func);
        },
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "f": imported function has type (i32, f32) -> (i32, i64), module wants (i32, f64) -> (i32, i64)"#
    );
}

#[test]
fn untyped_host_function_signature() {
    let error = link_error(
        r#"(module (import "env" "f" (func (result externref))))"#,
        |_, imports| {
            imports.func_new(
                "env",
                "f",
                FuncType::new([], [ValType::FuncRef]),
                |_, _, results| {
                    results[0] = Val::FuncRef(Nullable::Null);
                    Ok(())
                },
            );
        },
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "f": imported function has type () -> (funcref), module wants () -> (externref)"#
    );
}

#[test]
fn global_value_type() {
    let error = link_error(
        r#"(module (import "env" "g" (global i32)))"#,
        |store, imports| {
            let global = Global::new(&mut *store, Val::I64(1), Mutability::Const);
            imports.define("env", "g", global);
        },
    );
    assert_eq!(
        error.reason,
        LinkErrorReason::GlobalType {
            wanted: ValType::I32,
            provided: ValType::I64
        }
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "g": imported global has type i64, module wants i32"#
    );
}

#[test]
fn global_mutability() {
    let error = link_error(
        r#"(module (import "env" "g" (global (mut i32))))"#,
        |store, imports| {
            let global = Global::new(&mut *store, Val::I32(1), Mutability::Const);
            imports.define("env", "g", global);
        },
    );
    assert_eq!(
        error.reason,
        LinkErrorReason::GlobalMutability {
            wanted: Mutability::Var,
            provided: Mutability::Const
        }
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "g": imported global is immutable, module wants a mutable global"#
    );
    let error = link_error(
        r#"(module (import "env" "g" (global i32)))"#,
        |store, imports| {
            let global = Global::new(&mut *store, Val::I32(1), Mutability::Var);
            imports.define("env", "g", global);
        },
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "g": imported global is mutable, module wants an immutable global"#
    );
}

#[test]
fn memory_minimum() {
    let error = link_error(
        r#"(module
            (import "env" "f" (func))
            (import "env" "g" (global i32))
            (import "env" "memory" (memory 2)))"#,
        |store, imports| {
            let memory = Memory::new(&mut *store, MemoryType::new(1, None)).unwrap();
            let global = Global::new(&mut *store, Val::I32(0), Mutability::Const);
            imports
                .func_wrap("env", "f", || {})
                .define("env", "g", global)
                .define("env", "memory", memory);
        },
    );
    assert_eq!(error.index, 2, "{error}");
    assert_eq!(
        error.reason,
        LinkErrorReason::MemoryMinimum {
            wanted: 2,
            provided: 1
        }
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #2 "env" "memory": memory import needs at least 2 pages, provided memory has 1"#
    );
}

#[test]
fn memory_minimum_counts_the_current_size() {
    let engine = Config::new().engine();
    let wasm = wat::parse_str(r#"(module (import "env" "memory" (memory 2)))"#).unwrap();
    let module = compile_streaming(&engine, &wasm[..]).unwrap();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    let mut imports = Imports::new(&engine);
    imports.define("env", "memory", memory);
    assert!(matches!(
        instantiate::<_, Infallible>(&mut store, &module, &imports),
        Err(Error::Link(_))
    ));
    memory.grow(&mut store, 1).unwrap();
    instantiate::<_, Infallible>(&mut store, &module, &imports)
        .expect("the grown memory is large enough");
}

#[test]
fn memory_maximum() {
    let error = link_error(
        r#"(module (import "env" "memory" (memory 1 4)))"#,
        |store, imports| {
            let memory = Memory::new(&mut *store, MemoryType::new(1, None)).unwrap();
            imports.define("env", "memory", memory);
        },
    );
    assert_eq!(
        error.reason,
        LinkErrorReason::MemoryMaximum {
            wanted: 4,
            provided: None
        }
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "memory": memory import needs a maximum of at most 4 pages, provided memory has no maximum"#
    );

    let error = link_error(
        r#"(module (import "env" "memory" (memory 1 4)))"#,
        |store, imports| {
            let memory = Memory::new(&mut *store, MemoryType::new(1, Some(8))).unwrap();
            imports.define("env", "memory", memory);
        },
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "memory": memory import needs a maximum of at most 4 pages, provided memory has maximum 8"#
    );
}

#[test]
fn memory_page_size() {
    let engine = Config::new().wasm_custom_page_sizes(true).engine();
    let error = instantiate_error(
        &engine,
        r#"(module (import "env" "memory" (memory 1 (pagesize 1))))"#,
        |store, imports| {
            let memory = Memory::new(&mut *store, MemoryType::new(1, None)).unwrap();
            imports.define("env", "memory", memory);
        },
    );
    let Error::Link(error) = error else {
        panic!("expected a LinkError, got: {error}");
    };
    assert_eq!(
        error.reason,
        LinkErrorReason::MemoryPageSize {
            wanted: 1,
            provided: 65536
        }
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "memory": memory import needs pages of 1 byte, provided memory has pages of 65536"#
    );
}

#[test]
fn memory_with_the_same_custom_page_size_links() {
    let engine = Config::new().wasm_custom_page_sizes(true).engine();
    let wasm =
        wat::parse_str(r#"(module (import "env" "memory" (memory 3 (pagesize 1))))"#).unwrap();
    let module = compile_streaming(&engine, &wasm[..]).unwrap();
    let mut store = Store::new(&engine, ());
    let mut ty = MemoryType::builder();
    ty.min(3).page_size_log2(0);
    let memory = Memory::new(&mut store, ty.build().unwrap()).unwrap();
    let mut imports = Imports::new(&engine);
    imports.define("env", "memory", memory);
    instantiate::<_, Infallible>(&mut store, &module, &imports).expect("page sizes agree");
}

#[test]
fn index_type_messages() {
    let memory = LinkError {
        index: 3,
        module: "env".into(),
        name: "memory".into(),
        reason: LinkErrorReason::MemoryIndexType {
            wanted: IndexType::I64,
            provided: IndexType::I32,
        },
    };
    assert_eq!(
        memory.to_string(),
        r#"link error: import #3 "env" "memory": memory import needs an i64-indexed memory, provided memory is i32-indexed"#
    );
    let table = LinkError {
        index: 0,
        module: "env".into(),
        name: "table".into(),
        reason: LinkErrorReason::TableIndexType {
            wanted: IndexType::I32,
            provided: IndexType::I64,
        },
    };
    assert_eq!(
        table.to_string(),
        r#"link error: import #0 "env" "table": table import needs an i32-indexed table, provided table is i64-indexed"#
    );
}

#[cfg(feature = "memory64")]
#[test]
fn memory_index_type() {
    let error = link_error(
        r#"(module (import "env" "memory" (memory i64 1)))"#,
        |store, imports| {
            let memory = Memory::new(&mut *store, MemoryType::new(1, None)).unwrap();
            imports.define("env", "memory", memory);
        },
    );
    assert_eq!(
        error.reason,
        LinkErrorReason::MemoryIndexType {
            wanted: IndexType::I64,
            provided: IndexType::I32
        }
    );
}

#[cfg(feature = "memory64")]
#[test]
fn table_index_type() {
    let error = link_error(
        r#"(module (import "env" "table" (table i64 1 funcref)))"#,
        |store, imports| {
            let table = Table::new(
                &mut *store,
                TableType::new(RefType::Func, 1, None),
                Ref::null(RefType::Func),
            )
            .unwrap();
            imports.define("env", "table", table);
        },
    );
    assert_eq!(
        error.reason,
        LinkErrorReason::TableIndexType {
            wanted: IndexType::I64,
            provided: IndexType::I32
        }
    );
}

fn new_table(store: &mut Store<()>, element: RefType, min: u32, max: Option<u32>) -> Table {
    Table::new(store, TableType::new(element, min, max), Ref::null(element)).unwrap()
}

#[test]
fn table_minimum() {
    let error = link_error(
        r#"(module (import "env" "table" (table 10 funcref)))"#,
        |store, imports| {
            let table = new_table(store, RefType::Func, 5, None);
            imports.define("env", "table", table);
        },
    );
    assert_eq!(
        error.reason,
        LinkErrorReason::TableMinimum {
            wanted: 10,
            provided: 5
        }
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "table": table import needs at least 10 elements, provided table has 5"#
    );
}

#[test]
fn table_maximum() {
    let error = link_error(
        r#"(module (import "env" "table" (table 1 20 funcref)))"#,
        |store, imports| {
            let table = new_table(store, RefType::Func, 1, Some(30));
            imports.define("env", "table", table);
        },
    );
    assert_eq!(
        error.reason,
        LinkErrorReason::TableMaximum {
            wanted: 20,
            provided: Some(30)
        }
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "table": table import needs a maximum of at most 20 elements, provided table has maximum 30"#
    );
}

#[test]
fn table_element_type() {
    let error = link_error(
        r#"(module (import "env" "table" (table 1 funcref)))"#,
        |store, imports| {
            let table = new_table(store, RefType::Extern, 1, None);
            imports.define("env", "table", table);
        },
    );
    assert_eq!(
        error.reason,
        LinkErrorReason::TableElementType {
            wanted: RefType::Func,
            provided: RefType::Extern
        }
    );
    assert_eq!(
        error.to_string(),
        r#"link error: import #0 "env" "table": table import needs a table of funcref, provided table holds externref"#
    );
}

#[test]
fn the_first_failing_import_in_module_order_is_reported() {
    // Import #1 has a missing name, #2 a missing namespace: #1 wins.
    let error = instantiate_error(
        &Config::new().engine(),
        r#"(module
            (import "env" "f" (func))
            (import "env" "missing" (func))
            (import "nowhere" "g" (func)))"#,
        |_, imports| {
            imports.func_wrap("env", "f", || {});
        },
    );
    let Error::Link(error) = error else {
        panic!("expected a LinkError, got: {error}");
    };
    assert_eq!((error.index, error.name.as_str()), (1, "missing"));
}

#[test]
fn messages_are_one_line_without_debug_dumps() {
    let error = link_error(
        r#"(module (import "env" "f" (func (param i32) (result f64))))"#,
        |_, imports| {
            imports.func_wrap("env", "f", |_: i64| 0f64);
        },
    );
    let message = error.to_string();
    assert!(!message.contains('\n'));
    for debug_marker in ["FuncType", "ValType", "{", "["] {
        assert!(!message.contains(debug_marker), "{message}");
    }
}

#[test]
fn instantiate_numbers_imports_as_the_js_api_does() {
    // wasmi groups imports by kind (functions, tables, memories, globals), so
    // a bare `wasmi::Module` would number the memory #1; the import section,
    // the JS API and both `instantiate` and `instantiate_streaming` have it
    // at #2.
    let engine = Config::new().engine();
    let wasm = wat::parse_str(
        r#"(module
            (import "env" "g" (global i32))
            (import "env" "f" (func))
            (import "env" "memory" (memory 2)))"#,
    )
    .unwrap();
    let module = compile_streaming(&engine, &wasm[..]).unwrap();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    let global = Global::new(&mut store, Val::I32(0), Mutability::Const);
    let mut imports = Imports::new(&engine);
    imports
        .func_wrap("env", "f", || {})
        .define("env", "g", global)
        .define("env", "memory", memory);
    let Err(Error::Link(error)) = instantiate::<_, Infallible>(&mut store, &module, &imports)
    else {
        panic!("expected a LinkError");
    };
    assert_eq!((error.index, error.name.as_str()), (2, "memory"));
    let Err(Error::Link(error)) = instantiate_streaming(&mut store, &wasm[..], &imports) else {
        panic!("expected a LinkError");
    };
    assert_eq!((error.index, error.name.as_str()), (2, "memory"));
}

#[test]
fn instantiate_reports_the_first_failing_import_in_section_order() {
    // The issue's case: a global, then a function, both unresolvable. The JS
    // API reports import #0, the global; wasmi's order would put `f` first.
    let engine = Config::new().engine();
    let wasm = wat::parse_str(r#"(module (import "m" "g" (global i32)) (import "m" "f" (func)))"#)
        .unwrap();
    let module = compile_streaming(&engine, &wasm[..]).unwrap();
    let mut store = Store::new(&engine, ());
    let mut imports = Imports::new(&engine);
    imports.namespace_mut("m");
    let Err(Error::Link(error)) = instantiate::<_, Infallible>(&mut store, &module, &imports)
    else {
        panic!("expected a LinkError");
    };
    assert_eq!((error.index, error.name.as_str()), (0, "g"));
    assert!(
        error
            .to_string()
            .starts_with(r#"link error: import #0 "m" "g""#),
        "{error}"
    );
    let names: Vec<_> = module.imports().map(|i| i.name()).collect();
    assert_eq!(names, ["g", "f"]);
}

#[test]
fn streaming_reads_imports_in_module_order() {
    // The global (#0) fails before the function (#1), although wasmi keeps
    // functions first.
    let error = link_error(
        r#"(module
            (import "env" "g" (global i32))
            (import "env" "f" (func)))"#,
        |_, imports| {
            imports.func_wrap("env", "g", || 0i32);
        },
    );
    assert_eq!((error.index, error.name.as_str()), (0, "g"));
}

/// A host function made in a store lives as long as the store; its closure
/// holds a clone of `witness`, so after the import object is dropped the
/// witness's count tells whether a function was made in `store`.
fn link_with_witness(
    wat: &str,
    witness: &std::sync::Arc<()>,
) -> (Store<()>, Result<(), Error<Infallible>>) {
    let engine = Config::new().engine();
    let module = compile_streaming(&engine, &wat::parse_str(wat).expect("parses")[..])
        .expect("test module compiles");
    let mut store = Store::new(&engine, ());
    let mut imports = Imports::new(&engine);
    let held = std::sync::Arc::clone(witness);
    imports.func_new("env", "f", FuncType::new([], []), move |_, _, _| {
        let _ = &held;
        Ok(())
    });
    let result = imports.resolve(&mut store, &module).map(drop);
    drop(imports);
    (store, result)
}

#[test]
fn failed_link_makes_no_host_function_in_the_store() {
    let witness = std::sync::Arc::new(());
    let (store, result) = link_with_witness(
        r#"(module (import "env" "f" (func)) (import "env" "missing" (func)))"#,
        &witness,
    );
    assert!(matches!(result, Err(Error::Link(_))));
    assert_eq!(
        std::sync::Arc::strong_count(&witness),
        1,
        "a Func was left in the store"
    );
    drop(store);

    // The witness does see a function the store keeps.
    let (store, result) = link_with_witness(r#"(module (import "env" "f" (func)))"#, &witness);
    assert!(result.is_ok());
    assert_eq!(std::sync::Arc::strong_count(&witness), 2);
    drop(store);
    assert_eq!(std::sync::Arc::strong_count(&witness), 1);
}
