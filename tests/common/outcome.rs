//! Compiling bytes in a given chunking, and comparing outcomes between
//! chunkings and with `wasmi::Module::new`.

use std::fmt;

use wasmstream::wasmi::Module;
use wasmstream::{Engine, StreamingCompiler, StreamingError};

use super::rng::Rng;

/// What a module looks like from outside: its imports and exports (names and
/// `ExternType`s) and the custom sections wasmi kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub imports: Vec<String>,
    pub exports: Vec<String>,
    pub custom_sections: Vec<String>,
}

impl Shape {
    pub fn of(module: &Module) -> Shape {
        Shape {
            imports: module
                .imports()
                .map(|i| format!("{:?} {:?}: {:?}", i.module(), i.name(), i.ty()))
                .collect(),
            exports: module
                .exports()
                .map(|e| format!("{:?}: {:?}", e.name(), e.ty()))
                .collect(),
            custom_sections: module
                .custom_sections()
                .map(|c| format!("{:?} ({} bytes)", c.name(), c.data().len()))
                .collect(),
        }
    }
}

/// When the compiler reported an error: during the `feed` call that ended at
/// stream byte `delivered` (exclusive), or at `finish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportedAt {
    Feed { first: u64, delivered: u64 },
    Finish,
}

/// The result of compiling one byte sequence in one chunking.
#[derive(Debug, Clone)]
pub enum Outcome {
    Compiled(Shape),
    Rejected {
        error: StreamingError,
        at: ReportedAt,
    },
}

impl Outcome {
    pub fn is_compiled(&self) -> bool {
        matches!(self, Outcome::Compiled(_))
    }

    /// Same module shape, or same error (offset and message).
    pub fn same_result(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Compiled(a), Outcome::Compiled(b)) => a == b,
            (Outcome::Rejected { error: a, .. }, Outcome::Rejected { error: b, .. }) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Compiled(shape) => write!(f, "compiled: {shape:?}"),
            Outcome::Rejected { error, at } => write!(f, "{error} (reported {at:?})"),
        }
    }
}

/// Feeds `bytes` in chunks whose sizes `next_size` gives (clamped to at least
/// one byte and to what is left), then finishes.
pub fn compile_chunked(
    engine: &Engine,
    bytes: &[u8],
    mut next_size: impl FnMut() -> usize,
) -> Outcome {
    let mut compiler = StreamingCompiler::new(engine);
    let mut at = 0;
    while at < bytes.len() {
        let len = next_size().clamp(1, bytes.len() - at);
        if let Err(error) = compiler.feed(&bytes[at..at + len]) {
            // An error is sticky: feeding more returns it again.
            assert_eq!(
                compiler.feed(b"\0").err().as_ref(),
                Some(&error),
                "error not sticky"
            );
            return Outcome::Rejected {
                error,
                at: ReportedAt::Feed {
                    first: at as u64,
                    delivered: (at + len) as u64,
                },
            };
        }
        at += len;
        assert_eq!(
            compiler.consumed(),
            at as u64,
            "consumed() disagrees with bytes fed"
        );
    }
    match compiler.finish() {
        Ok(module) => Outcome::Compiled(Shape::of(module.wasmi())),
        Err(error) => Outcome::Rejected {
            error,
            at: ReportedAt::Finish,
        },
    }
}

pub fn compile_whole(engine: &Engine, bytes: &[u8]) -> Outcome {
    compile_chunked(engine, bytes, || usize::MAX)
}

pub fn compile_bytewise(engine: &Engine, bytes: &[u8]) -> Outcome {
    compile_chunked(engine, bytes, || 1)
}

/// Chunk sizes from `sizes`, cycled.
pub fn compile_pattern(engine: &Engine, bytes: &[u8], sizes: &[usize]) -> Outcome {
    let mut cycle = sizes.iter().copied().cycle();
    compile_chunked(engine, bytes, || cycle.next().unwrap_or(1))
}

/// Random chunk sizes from `seed`: mostly small, some 1-byte, some large.
pub fn compile_random(engine: &Engine, bytes: &[u8], seed: u64) -> Outcome {
    let mut rng = Rng::new(seed);
    compile_chunked(engine, bytes, || random_chunk_size(&mut rng))
}

pub fn random_chunk_size(rng: &mut Rng) -> usize {
    match rng.below(4) {
        0 => 1,
        1 => rng.between(1, 8),
        2 => rng.between(1, 100),
        _ => rng.between(1, 4096),
    }
}

/// wasmi's verdict on the whole byte sequence, under the engine's config.
pub fn wasmi_outcome(engine: &Engine, bytes: &[u8]) -> Result<Shape, String> {
    Module::new(engine, bytes)
        .map(|module| Shape::of(&module))
        .map_err(|e| e.to_string())
}

/// Panics unless `other` matches `bytewise` (the reference chunking): the
/// same result, and an error reported by the call that delivered the byte
/// the bytewise run found it at (fail fast in every chunking).
pub fn assert_same(name: &str, chunking: &str, bytewise: &Outcome, other: &Outcome) {
    assert!(
        bytewise.same_result(other),
        "{name}: 1-byte chunks and {chunking} disagree:\n  1-byte: {bytewise}\n  {chunking}: {other}"
    );
    if let (Outcome::Rejected { at: one, .. }, Outcome::Rejected { at: this, .. }) =
        (bytewise, other)
    {
        let consistent = match (one, this) {
            (ReportedAt::Finish, ReportedAt::Finish) => true,
            (
                ReportedAt::Feed {
                    delivered: proving, ..
                },
                ReportedAt::Feed { first, delivered },
            ) => *first < *proving && *proving <= *delivered,
            _ => false,
        };
        assert!(
            consistent,
            "{name}: error reported at a different point in {chunking} ({this:?}) than with 1-byte chunks ({one:?})"
        );
    }
}

/// The invariants for one byte sequence under one engine: whole, 1-byte and
/// `random_runs` random chunkings agree, and agree with `wasmi::Module::new`.
/// Returns the outcome.
pub fn check_agreement(name: &str, engine: &Engine, bytes: &[u8], random_runs: u64) -> Outcome {
    let bytewise = compile_bytewise(engine, bytes);
    assert_same(
        name,
        "whole input",
        &bytewise,
        &compile_whole(engine, bytes),
    );
    for seed in 0..random_runs {
        let chunked = compile_random(engine, bytes, seed);
        assert_same(
            name,
            &format!("random chunks (seed {seed})"),
            &bytewise,
            &chunked,
        );
    }
    assert_agrees_with_wasmi(name, engine, bytes, &bytewise);
    bytewise
}

pub fn assert_agrees_with_wasmi(name: &str, engine: &Engine, bytes: &[u8], ours: &Outcome) {
    match (ours, wasmi_outcome(engine, bytes)) {
        (Outcome::Compiled(shape), Ok(expected)) => assert_eq!(
            shape, &expected,
            "{name}: compiled, but imports/exports differ from wasmi::Module::new"
        ),
        (Outcome::Rejected { .. }, Err(_)) => {}
        (Outcome::Compiled(_), Err(e)) => {
            panic!("{name}: we accept it, wasmi::Module::new rejects it: {e}")
        }
        (Outcome::Rejected { error, .. }, Ok(_)) => {
            panic!("{name}: wasmi::Module::new accepts it, we reject it: {error}")
        }
    }
}
