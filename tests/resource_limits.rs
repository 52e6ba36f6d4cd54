//! Resource limits for untrusted modules, through the public API: the
//! store limits of `Config` (memory bytes, table elements, instance, memory
//! and table counts, growth), fuel for the start function and for calls,
//! and the largest module accepted. Each limit must hold and fail with a
//! clear one-line error of the right kind.

use embedded_io::{ErrorKind, ErrorType, Read};
use std::convert::Infallible;
use wasmstream::wasmi::{Memory, MemoryType, Store, StoreLimits, TrapCode};
use wasmstream::{
    CompilationMode, Config, Engine, Error, Imports, LimitExceeded, Limits, RuntimeError,
    compile_streaming, instantiate, instantiate_streaming,
};

const PAGE: usize = 64 * 1024;

/// Store data holding the engine's limiter.
struct Data {
    limits: StoreLimits,
}

/// A store whose limiter enforces `engine`'s resource limits.
fn limited_store(engine: &Engine) -> Store<Data> {
    let mut store = Store::new(
        engine,
        Data {
            limits: engine.store_limits(),
        },
    );
    store.limiter(|data| &mut data.limits);
    store
}

/// Streams `wat` into a fresh instance of `store`.
fn instantiate_wat<T: 'static>(
    store: &mut Store<T>,
    engine: &Engine,
    wat: &str,
) -> Result<wasmstream::Instance, Error<ErrorKind>> {
    let wasm = wat::parse_str(wat).expect("test module parses");
    instantiate_streaming(store, OneByte(&wasm), &Imports::new(engine)).map(|done| done.instance)
}

/// Hands out one byte per read.
struct OneByte<'a>(&'a [u8]);

impl ErrorType for OneByte<'_> {
    type Error = ErrorKind;
}

impl Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let n = buf.len().min(1).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// The RuntimeError of `result`, whose message must be one line, not a
/// Debug dump, and name `mentions`.
fn runtime_error<T, E: std::fmt::Debug + std::fmt::Display>(
    result: Result<T, Error<E>>,
    mentions: &str,
) -> RuntimeError {
    let error = match result {
        Err(Error::Runtime(error)) => error,
        Err(other) => panic!("expected a RuntimeError, got {other}"),
        Ok(_) => panic!("expected a RuntimeError, it instantiated"),
    };
    let message = error.to_string();
    assert!(message.starts_with("runtime error: "), "{message}");
    assert!(message.contains(mentions), "{message:?} names {mentions:?}");
    assert!(!message.contains('\n'), "{message:?} is one line");
    assert!(
        !message.contains("Error {") && !message.contains("kind:"),
        "{message:?} is no Debug dump"
    );
    error
}

#[test]
fn memory_bytes_cap_a_memory_at_instantiation() {
    let engine = Config::new().max_memory_bytes(2 * PAGE).engine();
    let mut store = limited_store(&engine);
    instantiate_wat(&mut store, &engine, "(module (memory 2))").expect("2 pages fit");
    let error = runtime_error(
        instantiate_wat(&mut store, &engine, "(module (memory 3))"),
        "Config::max_memory_bytes",
    );
    assert_eq!(error.limit_exceeded(), Some(LimitExceeded::MemoryBytes));
    assert_eq!(error.trap_code(), None);

    // The same through `instantiate` with a module compiled before.
    let wasm = wat::parse_str("(module (memory 3 10))").unwrap();
    let module = compile_streaming(&engine, &wasm[..]).unwrap();
    let error = runtime_error(
        instantiate::<_, Infallible>(&mut store, &module, &Imports::new(&engine)),
        "Config::max_memory_bytes",
    );
    assert_eq!(error.limit_exceeded(), Some(LimitExceeded::MemoryBytes));
}

#[test]
fn memory_bytes_cap_memory_grow() {
    let engine = Config::new().max_memory_bytes(3 * PAGE).engine();
    let mut store = limited_store(&engine);
    let instance = instantiate_wat(
        &mut store,
        &engine,
        r#"(module (memory (export "memory") 1)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )
    .unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let memory = instance.get_memory(&store, "memory").unwrap();
    assert_eq!(grow.call(&mut store, 3).unwrap(), -1, "4 pages: refused");
    assert_eq!(grow.call(&mut store, 2).unwrap(), 1, "3 pages: at the cap");
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1, "4 pages: refused");
    assert_eq!(memory.size(&store), 3);
    assert_eq!(memory.data(&store).len(), 3 * PAGE);
}

#[test]
fn growth_beyond_a_cap_traps_when_asked() {
    let engine = Config::new()
        .max_memory_bytes(PAGE)
        .max_table_elements(4)
        .trap_on_grow_failure(true)
        .engine();
    let mut store = limited_store(&engine);
    let instance = instantiate_wat(
        &mut store,
        &engine,
        r#"(module (memory 1) (table 4 funcref)
            (func (export "grow_memory") (result i32) (memory.grow (i32.const 1)))
            (func (export "grow_table") (result i32) (table.grow (ref.null func) (i32.const 1))))"#,
    )
    .unwrap();
    for name in ["grow_memory", "grow_table"] {
        let grow = instance.get_typed_func::<(), i32>(&store, name).unwrap();
        let trap = grow.call(&mut store, ()).unwrap_err();
        assert_eq!(
            trap.as_trap_code(),
            Some(TrapCode::GrowthOperationLimited),
            "{name}"
        );
    }
    // In a start function, it is a RuntimeError naming the switch.
    let error = runtime_error(
        instantiate_wat(
            &mut store,
            &engine,
            "(module (memory 1) (func $grow (drop (memory.grow (i32.const 1)))) (start $grow))",
        ),
        "Config::trap_on_grow_failure",
    );
    assert_eq!(error.limit_exceeded(), Some(LimitExceeded::Growth));
}

#[test]
fn table_elements_cap_a_table_at_instantiation_and_on_grow() {
    let engine = Config::new().max_table_elements(10).engine();
    let mut store = limited_store(&engine);
    let error = runtime_error(
        instantiate_wat(&mut store, &engine, "(module (table 11 funcref))"),
        "Config::max_table_elements",
    );
    assert_eq!(error.limit_exceeded(), Some(LimitExceeded::TableElements));

    let instance = instantiate_wat(
        &mut store,
        &engine,
        r#"(module (table (export "table") 8 funcref)
            (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))"#,
    )
    .unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(
        grow.call(&mut store, 3).unwrap(),
        -1,
        "11 elements: refused"
    );
    assert_eq!(
        grow.call(&mut store, 2).unwrap(),
        8,
        "10 elements: at the cap"
    );
    let table = instance.get_table(&store, "table").unwrap();
    assert_eq!(table.size(&store), 10);
}

#[test]
fn instances_are_counted_per_store() {
    let engine = Config::new().max_instances(2).engine();
    let wasm = wat::parse_str("(module)").unwrap();
    let module = compile_streaming(&engine, &wasm[..]).unwrap();
    let imports = Imports::new(&engine);
    let mut store = limited_store(&engine);
    instantiate::<_, Infallible>(&mut store, &module, &imports).expect("first instance");
    instantiate::<_, Infallible>(&mut store, &module, &imports).expect("second instance");
    let error = runtime_error(
        instantiate::<_, Infallible>(&mut store, &module, &imports),
        "Config::max_instances",
    );
    assert_eq!(error.limit_exceeded(), Some(LimitExceeded::Instances));
    // Another store has its own count.
    let mut other = limited_store(&engine);
    instantiate::<_, Infallible>(&mut other, &module, &imports).expect("a new store");
}

#[test]
fn memories_are_counted_per_store() {
    let engine = Config::new().max_memories(2).engine();
    let mut store = limited_store(&engine);
    let error = runtime_error(
        instantiate_wat(
            &mut store,
            &engine,
            "(module (memory 0) (memory 0) (memory 0))",
        ),
        "Config::max_memories",
    );
    assert_eq!(error.limit_exceeded(), Some(LimitExceeded::Memories));

    let mut store = limited_store(&engine);
    instantiate_wat(&mut store, &engine, "(module (memory 0) (memory 0))").expect("two memories");
    let error = runtime_error(
        instantiate_wat(&mut store, &engine, "(module (memory 0))"),
        "Config::max_memories",
    );
    assert_eq!(error.limit_exceeded(), Some(LimitExceeded::Memories));
}

/// wasmi 2.0.0 checks the count before instantiating with every memory of
/// the module, imported ones included, although an imported memory is
/// already in the store (docs/spec-suite.md). Pinned, so a change is seen.
#[test]
fn wasmi_counts_an_imported_memory_twice() {
    let engine = Config::new().max_memories(1).engine();
    let mut store = limited_store(&engine);
    let host_memory = Memory::new(&mut store, MemoryType::new(0, None)).unwrap();
    let mut imports = Imports::new(&engine);
    imports.define("env", "memory", host_memory);
    let wasm = wat::parse_str(r#"(module (import "env" "memory" (memory 0)))"#).unwrap();
    let module = compile_streaming(&engine, &wasm[..]).unwrap();
    let error = runtime_error(
        instantiate::<_, Infallible>(&mut store, &module, &imports),
        "Config::max_memories",
    );
    assert_eq!(error.limit_exceeded(), Some(LimitExceeded::Memories));
}

#[test]
fn tables_are_counted_per_store() {
    let engine = Config::new().max_tables(1).engine();
    let mut store = limited_store(&engine);
    instantiate_wat(&mut store, &engine, "(module (table 1 funcref))").expect("one table");
    let error = runtime_error(
        instantiate_wat(&mut store, &engine, "(module (table 1 funcref))"),
        "Config::max_tables",
    );
    assert_eq!(error.limit_exceeded(), Some(LimitExceeded::Tables));
}

#[test]
fn declared_sizes_hold_without_a_limiter_growth_only_with_one() {
    let engine = Config::new().max_memory_bytes(PAGE).engine();
    let mut unlimited = Store::new(&engine, ());
    let error = runtime_error(
        instantiate_wat(&mut unlimited, &engine, "(module (memory 2))"),
        "Config::max_memory_bytes",
    );
    assert_eq!(error.limit_exceeded(), Some(LimitExceeded::MemoryBytes));
    let mut limited = limited_store(&engine);
    assert!(instantiate_wat(&mut limited, &engine, "(module (memory 2))").is_err());

    // Growth: bounded by the limiter only.
    fn grow_once<T: 'static>(store: &mut Store<T>, engine: &Engine) -> i32 {
        let wasm = r#"(module (memory 1)
            (func (export "grow") (result i32) (memory.grow (i32.const 1))))"#;
        let instance = instantiate_wat(store, engine, wasm).expect("one page fits");
        let grow = instance.get_typed_func::<(), i32>(&*store, "grow").unwrap();
        grow.call(&mut *store, ()).unwrap()
    }
    assert_eq!(
        grow_once(&mut unlimited, &engine),
        1,
        "no limiter: growth is not bounded"
    );
    assert_eq!(
        grow_once(&mut limited, &engine),
        -1,
        "the limiter refuses the second page"
    );
}

const ENDLESS_START: &str = "(module (func $spin (loop (br 0))) (start $spin))";

#[test]
fn fuel_stops_an_endless_start_function() {
    for mode in [CompilationMode::Lazy, CompilationMode::Eager] {
        let engine = Config::new()
            .consume_fuel(true)
            .compilation_mode(mode)
            .engine();
        // Some fuel, and none at all (then wasmi stops before the first
        // instruction, with other words: the message must be the same).
        for fuel in [100_000, 0] {
            let mut store = Store::new(&engine, ());
            store.set_fuel(fuel).unwrap();
            let error = runtime_error(
                instantiate_wat(&mut store, &engine, ENDLESS_START),
                "out of fuel",
            );
            assert_eq!(error.limit_exceeded(), Some(LimitExceeded::Fuel));
            assert_eq!(error.trap_code(), Some(TrapCode::OutOfFuel));
            // Less left than the next instruction would cost.
            let left = store.get_fuel().unwrap();
            assert!(left < 10, "{mode:?}, fuel {fuel}: {left} left");
        }
    }
}

#[test]
fn fuel_is_a_budget_for_a_finite_start_function() {
    // The start function counts to 1000 and stores the count.
    const COUNTING_START: &str = r#"(module (memory (export "memory") 1)
        (func $count (local $i i32)
            (loop $next
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $next (i32.lt_u (local.get $i) (i32.const 1000))))
            (i32.store (i32.const 0) (local.get $i)))
        (start $count))"#;
    let engine = Config::new().consume_fuel(true).engine();
    let mut store = Store::new(&engine, ());
    store.set_fuel(1_000_000).unwrap();
    let instance = instantiate_wat(&mut store, &engine, COUNTING_START).unwrap();
    let used = 1_000_000 - store.get_fuel().unwrap();
    assert!(used >= 1000, "a loop of 1000 rounds used {used} fuel");
    let memory = instance.get_memory(&store, "memory").unwrap();
    assert_eq!(memory.data(&store)[..4], 1000u32.to_le_bytes());

    let mut store = Store::new(&engine, ());
    store.set_fuel(used / 2).unwrap();
    let error = runtime_error(
        instantiate_wat(&mut store, &engine, COUNTING_START),
        "out of fuel",
    );
    assert_eq!(error.limit_exceeded(), Some(LimitExceeded::Fuel));
}

#[test]
fn fuel_bounds_calls_and_can_be_refilled() {
    let engine = Config::new().consume_fuel(true).engine();
    let mut store = Store::new(&engine, ());
    store.set_fuel(10_000).unwrap();
    let instance = instantiate_wat(
        &mut store,
        &engine,
        r#"(module
            (func (export "spin") (loop (br 0)))
            (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let trap = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(trap.as_trap_code(), Some(TrapCode::OutOfFuel));
    assert_eq!(store.get_fuel().unwrap(), 0);

    let add = instance
        .get_typed_func::<(i32, i32), i32>(&store, "add")
        .unwrap();
    let trap = add.call(&mut store, (2, 3)).unwrap_err();
    assert_eq!(
        trap.as_trap_code(),
        Some(TrapCode::OutOfFuel),
        "no fuel left"
    );
    store.set_fuel(1_000).unwrap();
    assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5, "refilled");
    assert!(store.get_fuel().unwrap() < 1_000, "the call used fuel");
}

/// Counts the bytes a reader hands out.
struct Counting<'a> {
    bytes: &'a [u8],
    read: usize,
}

impl ErrorType for Counting<'_> {
    type Error = ErrorKind;
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let n = buf.len().min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        self.read += n;
        Ok(n)
    }
}

#[test]
fn max_module_bytes_caps_the_stream() {
    let wasm = wat::parse_str(
        r#"(module (memory 1)
            (func (export "f") (result i32) (i32.const 7))
            (data (i32.const 0) "a data segment that makes the module longer"))"#,
    )
    .unwrap();
    let limit = |bytes: usize| {
        Config::new()
            .limits(Limits {
                max_module_bytes: u32::try_from(bytes).unwrap(),
                ..Limits::DEFAULT
            })
            .engine()
    };
    compile_streaming(&limit(wasm.len()), &wasm[..]).expect("a module of exactly the limit");

    for over_by in [1, 10, wasm.len() - 9] {
        let engine = limit(wasm.len() - over_by);
        let mut reader = Counting {
            bytes: &wasm,
            read: 0,
        };
        let error = match compile_streaming(&engine, &mut reader) {
            Err(Error::Compile(error)) => error,
            Err(other) => panic!("expected a CompileError, got {other}"),
            Ok(_) => panic!("a module over the limit compiled"),
        };
        let limit_bytes = wasm.len() - over_by;
        assert!(
            error
                .message()
                .contains(&format!("limit of {limit_bytes} bytes")),
            "{error}"
        );
        assert!(error.offset() <= limit_bytes as u64, "{error}");
        // Reading stopped at the header of the section that would break
        // the limit (its id and size, at most 6 bytes), not at the end.
        assert!(
            reader.read <= limit_bytes + 6 && reader.read < wasm.len(),
            "read {} bytes",
            reader.read
        );

        let store = Store::new(&engine, ());
        let mut store = store;
        match instantiate_streaming(&mut store, &wasm[..], &Imports::new(&engine)) {
            Err(Error::Compile(e)) => assert_eq!(e, error),
            other => panic!("expected the same CompileError, got {other:?}"),
        }
    }
}

#[test]
fn zero_and_huge_limits_are_valid() {
    for value in [0, 1, usize::MAX] {
        let engine = Config::new()
            .max_memory_bytes(value)
            .max_table_elements(value)
            .max_instances(value)
            .max_memories(value)
            .max_tables(value)
            .engine();
        let mut store = limited_store(&engine);
        let result = instantiate_wat(&mut store, &engine, "(module)");
        if value == 0 {
            let error = runtime_error(result, "Config::max_instances");
            assert_eq!(error.limit_exceeded(), Some(LimitExceeded::Instances));
        } else {
            result.expect("an empty module needs one instance and nothing else");
        }
    }
}
