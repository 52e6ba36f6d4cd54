//! Integrity through the streaming calls (feature `integrity`): the digest
//! is taken over every byte read, under every chunking, and checked before
//! wasmi builds anything or a start function runs.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::readers::ScriptedReader;
use wasmstream::integrity::{Integrity, IntegrityCheck};
use wasmstream::wasmi::Store;
use wasmstream::{
    CompileOptions, Config, Engine, Error, Imports, TypeError, compile_streaming_with,
    compile_streaming_with_async, instantiate_streaming_with, instantiate_streaming_with_async,
};

/// A module with a custom section, code, data and a start function that
/// calls the host: whether it ran shows whether anything was instantiated.
fn module() -> Vec<u8> {
    wat::parse_str(
        r#"(module
            (import "env" "hit" (func $hit))
            (@custom "note" "a custom section the digest covers")
            (memory 1)
            (func $start (call $hit))
            (func (export "seven") (result i32) i32.const 7)
            (start $start)
            (data (i32.const 0) "some data bytes"))"#,
    )
    .unwrap()
}

fn digest_of(bytes: &[u8]) -> [u8; 32] {
    let mut check = IntegrityCheck::new(Integrity::from_digest([0; 32]));
    check.update(bytes);
    check.digest()
}

/// Standard padded base64, for SRI metadata.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn sri(bytes: &[u8]) -> String {
    format!("sha256-{}", base64(&digest_of(bytes)))
}

fn wrong_digest(bytes: &[u8]) -> [u8; 32] {
    let mut digest = digest_of(bytes);
    digest[31] ^= 1;
    digest
}

#[test]
fn the_test_base64_is_right() {
    // SHA-256("abc"), as in the integrity tests.
    assert_eq!(
        sri(b"abc"),
        "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
    );
}

#[test]
fn the_right_digest_compiles_under_every_chunking() {
    let wasm = module();
    let engine = Config::new().engine();
    for read_size in 1..=wasm.len() {
        let reader = ScriptedReader::new(&wasm).read_sizes(&[read_size]);
        let check = IntegrityCheck::new(Integrity::from_digest(digest_of(&wasm)));
        let options = CompileOptions::new().integrity(check);
        let module = compile_streaming_with(&engine, reader, options)
            .unwrap_or_else(|e| panic!("reads of {read_size}: {e}"));
        assert!(module.wasmi().get_export("seven").is_some());
    }
}

#[test]
fn a_wrong_digest_fails_under_every_chunking_naming_both() {
    let wasm = module();
    let engine = Config::new().engine();
    let expected = wrong_digest(&wasm);
    for read_size in 1..=wasm.len() {
        let mut reader = ScriptedReader::new(&wasm).read_sizes(&[read_size]);
        let options =
            CompileOptions::new().integrity(IntegrityCheck::new(Integrity::from_digest(expected)));
        let error = compile_streaming_with(&engine, &mut reader, options).unwrap_err();
        let Error::Type(TypeError::IntegrityMismatch {
            expected: wanted,
            actual,
        }) = &error
        else {
            panic!("reads of {read_size}: {error}");
        };
        assert_eq!(
            (wanted.as_slice(), *actual),
            (&[expected][..], digest_of(&wasm))
        );
        let message = error.to_string();
        assert!(message.contains(&sri(&wasm)), "{message}");
        assert!(
            message.contains(&format!("sha256-{}", base64(&expected))),
            "{message}"
        );
        // The whole module was read: the digest is over every byte.
        assert_eq!(reader.delivered(), wasm.len());
    }
}

#[test]
fn sri_metadata_through_the_options() {
    let wasm = module();
    let engine = Config::new().engine();
    let metadata = format!(
        "sha512-unknownalgorithm sha256-{} {}",
        base64(&[0; 32]),
        sri(&wasm)
    );
    let check = IntegrityCheck::new(Integrity::from_sri(&metadata).unwrap());
    let mut window = [0u8; 7];
    let options = CompileOptions::new().window(&mut window).integrity(check);
    assert!(compile_streaming_with(&engine, &wasm[..], options).is_ok());

    let check =
        IntegrityCheck::new(Integrity::from_sri(&format!("sha256-{}", base64(&[0; 32]))).unwrap());
    let error = compile_streaming_with(&engine, &wasm[..], CompileOptions::new().integrity(check))
        .unwrap_err();
    assert!(
        matches!(error, Error::Type(TypeError::IntegrityMismatch { .. })),
        "{error}"
    );
}

#[test]
fn a_custom_section_byte_changes_the_digest() {
    let wasm = module();
    let mut changed = wasm.clone();
    let at = changed.windows(6).position(|w| w == b"custom").unwrap();
    changed[at] = b'C';
    let engine = Config::new().engine();
    // The changed module is valid by itself...
    assert!(compile_streaming_with(&engine, &changed[..], CompileOptions::new()).is_ok());
    // ...but not the one the digest promised.
    let check = IntegrityCheck::new(Integrity::from_digest(digest_of(&wasm)));
    let error = compile_streaming_with(
        &engine,
        &changed[..],
        CompileOptions::new().integrity(check),
    )
    .unwrap_err();
    assert!(
        matches!(error, Error::Type(TypeError::IntegrityMismatch { .. })),
        "{error}"
    );
}

#[test]
fn a_compile_error_comes_before_the_integrity_check() {
    // Truncated: the module's own end check fails first, as the compiler
    // sees it; the integrity check is never reached.
    let wasm = module();
    let cut = &wasm[..wasm.len() - 3];
    let engine = Config::new().engine();
    let check = IntegrityCheck::new(Integrity::from_digest(digest_of(&wasm)));
    let error =
        compile_streaming_with(&engine, cut, CompileOptions::new().integrity(check)).unwrap_err();
    assert!(matches!(error, Error::Compile(_)), "{error}");
}

fn counting_imports(engine: &Engine, ran: &Arc<AtomicUsize>) -> Imports<()> {
    let mut imports = Imports::new(engine);
    let ran = Arc::clone(ran);
    imports.func_wrap("env", "hit", move || {
        ran.fetch_add(1, Ordering::SeqCst);
    });
    imports
}

#[test]
fn instantiating_with_a_wrong_digest_runs_nothing() {
    let wasm = module();
    let engine = Config::new().engine();
    let mut store = Store::new(&engine, ());
    let ran = Arc::new(AtomicUsize::new(0));
    let imports = counting_imports(&engine, &ran);
    for read_size in [1, 5, 64, wasm.len()] {
        let reader = ScriptedReader::new(&wasm).read_sizes(&[read_size]);
        let check = IntegrityCheck::new(Integrity::from_digest(wrong_digest(&wasm)));
        let options = CompileOptions::new().integrity(check);
        let error = instantiate_streaming_with(&mut store, reader, &imports, options).unwrap_err();
        assert!(
            matches!(error, Error::Type(TypeError::IntegrityMismatch { .. })),
            "{error}"
        );
        assert_eq!(ran.load(Ordering::SeqCst), 0, "the start function ran");
    }
    let check = IntegrityCheck::new(Integrity::from_digest(digest_of(&wasm)));
    let options = CompileOptions::new().integrity(check);
    let instantiated =
        instantiate_streaming_with(&mut store, &wasm[..], &imports, options).unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    let seven = instantiated
        .instance
        .get_typed_func::<(), i32>(&store, "seven")
        .unwrap();
    assert_eq!(seven.call(&mut store, ()).unwrap(), 7);
}

#[test]
fn the_async_drivers_check_the_digest_too() {
    let wasm = module();
    let engine = Config::new().engine();
    let check = IntegrityCheck::new(Integrity::from_digest(digest_of(&wasm)));
    let options = CompileOptions::new().integrity(check);
    assert!(
        embassy_futures::block_on(compile_streaming_with_async(&engine, &wasm[..], options))
            .is_ok()
    );

    let check = IntegrityCheck::new(Integrity::from_digest(wrong_digest(&wasm)));
    let options = CompileOptions::new().integrity(check);
    let error =
        embassy_futures::block_on(compile_streaming_with_async(&engine, &wasm[..], options))
            .unwrap_err();
    assert!(
        matches!(error, Error::Type(TypeError::IntegrityMismatch { .. })),
        "{error}"
    );

    let mut store = Store::new(&engine, ());
    let ran = Arc::new(AtomicUsize::new(0));
    let imports = counting_imports(&engine, &ran);
    let check = IntegrityCheck::new(Integrity::from_digest(wrong_digest(&wasm)));
    let options = CompileOptions::new().integrity(check);
    let error = embassy_futures::block_on(instantiate_streaming_with_async(
        &mut store,
        &wasm[..],
        &imports,
        options,
    ))
    .unwrap_err();
    assert!(
        matches!(error, Error::Type(TypeError::IntegrityMismatch { .. })),
        "{error}"
    );
    assert_eq!(ran.load(Ordering::SeqCst), 0, "the start function ran");

    let check = IntegrityCheck::new(Integrity::from_digest(digest_of(&wasm)));
    let options = CompileOptions::new().integrity(check);
    embassy_futures::block_on(instantiate_streaming_with_async(
        &mut store,
        &wasm[..],
        &imports,
        options,
    ))
    .unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 1);
}
