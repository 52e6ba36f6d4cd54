//! The checks the fuzz targets run, shared with the `plain` runner.
//!
//! Every input decides an engine `Config` and a chunk pattern from its first
//! bytes. The module bytes are fed to `StreamingCompiler` whole and in the
//! pattern's chunks, and streamed through `compile_streaming` one byte per
//! read; all three must give the same outcome, and `wasmi::Module::new`
//! under the same config must accept exactly when they do, with the same
//! imports and exports. Any disagreement panics, which the fuzzer reports.

use arbitrary::{Arbitrary, Unstructured};
use wasmstream::wasmi::Module;
use wasmstream::{CompilationMode, Config, Engine, StreamingCompiler, StreamingError};

/// Imports, exports and kept custom sections, as comparable text.
#[derive(Debug, PartialEq, Eq)]
pub struct Shape(Vec<String>);

impl Shape {
    fn of(module: &Module) -> Shape {
        let imports = module
            .imports()
            .map(|i| format!("import {:?} {:?}: {:?}", i.module(), i.name(), i.ty()));
        let exports = module
            .exports()
            .map(|e| format!("export {:?}: {:?}", e.name(), e.ty()));
        let custom = module
            .custom_sections()
            .map(|c| format!("custom {:?} {}", c.name(), c.data().len()));
        Shape(imports.chain(exports).chain(custom).collect())
    }
}

/// How the input asks for the engine and the chunking to be set up.
#[derive(Debug, Arbitrary)]
struct Setup {
    eager: bool,
    keep_custom_sections: bool,
    /// Each bit switches one Wasm feature off (most inputs keep them all).
    features_off: u16,
    chunk_sizes: Vec<u8>,
}

impl Setup {
    fn engine(&self) -> Engine {
        let off =
            |bit: u16| self.features_off & 0xf000 == 0xf000 && self.features_off & (1 << bit) != 0;
        // wasmi 2.0.0's eager translator panics on some valid modules (see
        // docs/reliability.md); eager mode is fuzzed only when asked for.
        let mode = if self.eager && cfg!(feature = "eager") {
            CompilationMode::Eager
        } else {
            CompilationMode::Lazy
        };
        Config::new()
            .compilation_mode(mode)
            .keep_custom_sections(self.keep_custom_sections)
            .wasm_mutable_global(!off(0))
            .wasm_sign_extension(!off(1))
            .wasm_saturating_float_to_int(!off(2))
            .wasm_multi_value(!off(3))
            .wasm_multi_memory(!off(4))
            .wasm_bulk_memory(!off(5))
            .wasm_reference_types(!off(6))
            .wasm_tail_call(!off(7))
            .wasm_extended_const(!off(8))
            .floats(!off(9))
            .engine()
    }

    /// Chunk sizes, cycled: small ones often, up to 8 KiB.
    fn chunk_size(&self, index: usize) -> usize {
        if self.chunk_sizes.is_empty() {
            return 1;
        }
        match self.chunk_sizes[index % self.chunk_sizes.len()] {
            size @ 0..=127 => usize::from(size) + 1,
            size => usize::from(size - 127) * 64,
        }
    }
}

fn feed_in_chunks(engine: &Engine, bytes: &[u8], setup: &Setup) -> Result<Shape, StreamingError> {
    let mut compiler = StreamingCompiler::new(engine);
    let (mut at, mut index) = (0, 0);
    while at < bytes.len() {
        let len = setup.chunk_size(index).min(bytes.len() - at);
        compiler.feed(&bytes[at..at + len])?;
        at += len;
        index += 1;
    }
    compiler.finish().map(|module| Shape::of(&module))
}

fn feed_whole(engine: &Engine, bytes: &[u8]) -> Result<Shape, StreamingError> {
    let mut compiler = StreamingCompiler::new(engine);
    compiler.feed(bytes)?;
    compiler.finish().map(|module| Shape::of(&module))
}

/// One byte per read, through the blocking driver.
struct OneByteReader<'a>(&'a [u8]);

impl embedded_io::ErrorType for OneByteReader<'_> {
    type Error = core::convert::Infallible;
}

impl embedded_io::Read for OneByteReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let Some((&first, rest)) = self.0.split_first() else {
            return Ok(0);
        };
        if buf.is_empty() {
            return Ok(0);
        }
        buf[0] = first;
        self.0 = rest;
        Ok(1)
    }
}

/// Panics unless every way of compiling `bytes` agrees with the others and
/// with wasmi. Returns whether the module compiled.
fn check_module(engine: &Engine, bytes: &[u8], setup: &Setup) -> bool {
    let chunked = feed_in_chunks(engine, bytes, setup);
    let whole = feed_whole(engine, bytes);
    assert_eq!(chunked, whole, "chunked and whole feeding disagree");
    let streamed = match wasmstream::compile_streaming(engine, OneByteReader(bytes)) {
        Ok(module) => Ok(Shape::of(&module)),
        Err(wasmstream::Error::Compile(e)) => Err(e.into()),
        Err(other) => panic!("compile_streaming failed with a non-compile error: {other}"),
    };
    assert_eq!(streamed, whole, "1-byte reads and whole feeding disagree");
    match (whole, Module::new(engine, bytes)) {
        (Ok(ours), Ok(theirs)) => {
            assert_eq!(
                ours,
                Shape::of(&theirs),
                "imports/exports differ from wasmi"
            );
            true
        }
        (Err(_), Err(_)) => false,
        (Ok(_), Err(e)) => panic!("we accept, wasmi::Module::new rejects: {e}"),
        (Err(e), Ok(_)) => panic!("wasmi::Module::new accepts, we reject: {e}"),
    }
}

/// Raw bytes: a setup, then the module bytes, optionally behind a valid
/// preamble so that most inputs reach the sections.
pub fn check_raw_bytes(data: &[u8]) {
    let mut input = Unstructured::new(data);
    let Ok(setup) = Setup::arbitrary(&mut input) else {
        return;
    };
    let Ok(add_preamble) = bool::arbitrary(&mut input) else {
        return;
    };
    let rest = input.take_rest();
    let mut bytes = Vec::with_capacity(rest.len() + 8);
    if add_preamble {
        bytes.extend_from_slice(b"\0asm\x01\0\0\0");
    }
    bytes.extend_from_slice(rest);
    check_module(&setup.engine(), &bytes, &setup);
}

/// The wasm-smith configuration for one input: its own choices, minus the
/// proposals wasmi 2 lacks.
fn smith_config(input: &mut Unstructured<'_>) -> arbitrary::Result<wasm_smith::Config> {
    let mut config = wasm_smith::Config::arbitrary(input)?;
    config.gc_enabled = false;
    config.exceptions_enabled = false;
    config.threads_enabled = false;
    config.shared_everything_threads_enabled = false;
    config.wide_arithmetic_enabled = false;
    config.custom_page_sizes_enabled = false;
    config.custom_descriptors_enabled = false;
    config.compact_imports_enabled = false;
    config.simd_enabled &= cfg!(feature = "simd");
    config.relaxed_simd_enabled &= cfg!(feature = "simd");
    config.memory64_enabled &= cfg!(feature = "memory64");
    Ok(config)
}

/// A wasm-smith module built from the input, checked like raw bytes.
pub fn check_smith_module(data: &[u8]) {
    let mut input = Unstructured::new(data);
    let Ok(setup) = Setup::arbitrary(&mut input) else {
        return;
    };
    let Ok(config) = smith_config(&mut input) else {
        return;
    };
    let Ok(module) = wasm_smith::Module::new(config, &mut input) else {
        return;
    };
    check_module(&setup.engine(), &module.to_bytes(), &setup);
}
