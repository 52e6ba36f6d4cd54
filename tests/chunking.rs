//! Chunking independence: whole, 1-byte and random chunkings of every module
//! of the corpus give the same outcome, and accept or reject exactly as
//! `wasmi::Module::new` does under the same `Config`.

mod common;

use std::sync::OnceLock;

use common::corpus::{Case, fixtures, mutated_modules, smith_modules};
use common::outcome::{Outcome, assert_same, check_agreement, compile_bytewise, compile_pattern};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use wasmstream::{CompilationMode, Config, Engine};

/// The engines every module is checked under: the default (lazy, custom
/// sections skipped), eager, and keeping custom sections (so they are
/// staged instead of skipped).
fn engines() -> Vec<(&'static str, Engine)> {
    vec![
        ("default", Config::new().engine()),
        (
            "eager",
            Config::new()
                .compilation_mode(CompilationMode::Eager)
                .engine(),
        ),
        (
            "keep custom sections",
            Config::new().keep_custom_sections(true).engine(),
        ),
    ]
}

#[test]
fn fixtures_give_the_same_outcome_in_every_chunking() {
    for (engine_name, engine) in engines() {
        for case in fixtures() {
            let name = format!("{} ({engine_name})", case.name);
            let outcome = check_agreement(&name, &engine, &case.bytes, 16);
            let broken = case.name.starts_with("broken_");
            assert_eq!(
                outcome.is_compiled(),
                !broken,
                "{name}: unexpected outcome {outcome}"
            );
        }
    }
}

#[test]
fn custom_sections_are_kept_only_when_asked() {
    let case = fixtures()
        .into_iter()
        .find(|c| c.name == "custom_sections.wat")
        .expect("fixture custom_sections.wat");
    let skipped = compile_bytewise(&Config::new().engine(), &case.bytes);
    let kept = compile_bytewise(
        &Config::new().keep_custom_sections(true).engine(),
        &case.bytes,
    );
    let (Outcome::Compiled(skipped), Outcome::Compiled(kept)) = (skipped, kept) else {
        panic!("custom_sections.wat must compile");
    };
    assert!(skipped.custom_sections.is_empty(), "{skipped:?}");
    assert_eq!(
        kept.custom_sections,
        [
            "\"first\" (22 bytes)",
            "\"naïve ☃\" (4 bytes)",
            "\"\" (10 bytes)",
            "\"producers\" (35 bytes)"
        ]
    );
    assert_eq!(skipped.exports, kept.exports);
}

#[test]
fn generated_modules_give_the_same_outcome_in_every_chunking() {
    let engine = Config::new().engine();
    let modules = smith_modules(1, 150);
    let mut compiled = 0;
    for case in &modules {
        if check_agreement(&case.name, &engine, &case.bytes, 4).is_compiled() {
            compiled += 1;
        }
    }
    // wasm-smith modules are valid and the feature sets match: wasmi and we
    // must accept (nearly) all of them, or the corpus proves little.
    assert!(
        compiled * 10 >= modules.len() * 9,
        "only {compiled} of {} generated modules compiled",
        modules.len()
    );
}

#[test]
fn mutated_modules_give_the_same_outcome_in_every_chunking() {
    let engine = Config::new().engine();
    let cases = mutated_modules(7, 2000);
    let rejected = cases
        .iter()
        .filter(|case| !check_agreement(&case.name, &engine, &case.bytes, 3).is_compiled())
        .count();
    assert!(
        rejected * 2 >= cases.len(),
        "only {rejected} of {} mutations were rejected: the mutator is too gentle",
        cases.len()
    );
}

/// Fixtures, generated modules and mutations, built once.
fn corpus() -> &'static [Case] {
    static CORPUS: OnceLock<Vec<Case>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut all = fixtures();
        all.extend(smith_modules(1000, 24));
        all.extend(mutated_modules(1000, 120));
        all
    })
}

/// 1-byte outcomes of the corpus, computed once, under the default engine.
fn bytewise_outcomes() -> &'static [Outcome] {
    static OUTCOMES: OnceLock<Vec<Outcome>> = OnceLock::new();
    OUTCOMES.get_or_init(|| {
        let engine = Config::new().engine();
        corpus()
            .iter()
            .map(|case| compile_bytewise(&engine, &case.bytes))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        rng_seed: RngSeed::Fixed(0x5eed),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any chunk-size pattern gives the 1-byte outcome.
    #[test]
    fn any_chunking_gives_the_bytewise_outcome(
        index in 0..corpus().len(),
        sizes in prop::collection::vec(1usize..300, 1..12),
    ) {
        let engine = Config::new().engine();
        let case = &corpus()[index];
        let outcome = compile_pattern(&engine, &case.bytes, &sizes);
        assert_same(&case.name, &format!("chunk sizes {sizes:?}"), &bytewise_outcomes()[index], &outcome);
    }
}
