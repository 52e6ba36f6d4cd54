//! Whether the compiler judges a module exactly as wasmparser does.

use wasmstream::staging::{Staging, StagingError, Validated};
use wasmstream::{Engine, StreamingCompiler, StreamingError};

/// The feature set the compiler validates with, as `Validated` reports it.
pub fn features(engine: &Engine) -> wasmparser::WasmFeatures {
    struct Record(Vec<u8>, u64);
    // SAFETY: `finish` returns exactly the bytes written.
    unsafe impl Staging for Record {
        fn begin(&mut self, _: Option<u64>) -> Result<(), StagingError> {
            Ok(())
        }
        fn write(&mut self, bytes: &[u8]) -> Result<(), StagingError> {
            self.0.extend_from_slice(bytes);
            Ok(())
        }
        fn finish(&mut self, validated: Validated) -> Result<&[u8], StagingError> {
            self.1 = validated.features;
            Ok(&self.0)
        }
    }
    let mut compiler = StreamingCompiler::with_staging(engine, Record(Vec::new(), 0));
    compiler.feed(b"\0asm\x01\0\0\0").unwrap();
    let (_, record) = compiler.finish_with_staging().unwrap();
    wasmparser::WasmFeatures::from_bits_truncate(record.1 as u32)
}

/// wasmparser's verdict on `wasm`: the first error's offset and message.
pub fn wasmparser_verdict(
    wasm: &[u8],
    features: wasmparser::WasmFeatures,
) -> Option<(u64, String)> {
    wasmparser::Validator::new_with_features(features)
        .validate_all(wasm)
        .err()
        .map(|e| (e.offset() as u64, e.message().to_string()))
}

/// The compiler's verdict on `wasm` fed in `chunk`-byte pieces, with the
/// `function N: ` the compiler puts before an error in a function body
/// left off, so that it reads as wasmparser's.
pub fn streamed_verdict(engine: &Engine, wasm: &[u8], chunk: usize) -> Option<(u64, String)> {
    let mut compiler = StreamingCompiler::new(engine);
    let result = wasm
        .chunks(chunk)
        .try_for_each(|piece| compiler.feed(piece))
        .and_then(|()| compiler.finish().map(drop));
    result.err().map(|e| match e {
        StreamingError::Compile(e) => {
            let message = e.message();
            let unprefixed = message
                .strip_prefix("function ")
                .and_then(|rest| rest.split_once(": "))
                .filter(|(index, _)| index.bytes().all(|b| b.is_ascii_digit()))
                .map_or(message, |(_, rest)| rest);
            (e.offset(), unprefixed.to_string())
        }
        other => panic!("not a compile error: {other}"),
    })
}

/// Whether the two verdicts agree; wasmi's own limits may reject what
/// wasmparser accepts.
pub fn agree(wasmparser: &Option<(u64, String)>, ours: &Option<(u64, String)>) -> bool {
    match (wasmparser, ours) {
        (None, None) => true,
        (Some(expected), Some(ours)) => expected == ours,
        (None, Some((_, message))) => message.starts_with("wasmi rejected"),
        (Some(_), None) => false,
    }
}

/// Feeds `wasm` whole and one byte at a time and panics, naming `what`,
/// unless both verdicts agree with wasmparser's. Returns wasmparser's.
pub fn assert_judged_alike(
    engine: &Engine,
    wasm: &[u8],
    features: wasmparser::WasmFeatures,
    what: &str,
) -> Option<(u64, String)> {
    let expected = wasmparser_verdict(wasm, features);
    for chunk in [1, wasm.len()] {
        let ours = streamed_verdict(engine, wasm, chunk);
        assert!(
            agree(&expected, &ours),
            "{what}, {chunk}-byte feeds: wasmparser {expected:?}, ours {ours:?}"
        );
    }
    expected
}
