//! Signatures through the streaming calls (feature `signature`): a module
//! whose SHA-256 is not signed by the firmware's key builds nothing and runs
//! nothing. Signatures are made by an independent implementation
//! (ed25519-dalek).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::readers::ScriptedReader;
use ed25519_dalek::{Signer, SigningKey};
use wasmstream::integrity::{Integrity, IntegrityCheck, PublicKey, Signature};
use wasmstream::wasmi::Store;
use wasmstream::{
    CompileOptions, Config, Error, Imports, TypeError, compile_streaming_with,
    compile_streaming_with_async, instantiate_streaming_with,
};

const SECRET: [u8; 32] = [7; 32];
const OTHER_SECRET: [u8; 32] = [8; 32];

fn module() -> Vec<u8> {
    wat::parse_str(
        r#"(module
            (import "env" "hit" (func $hit))
            (@custom "note" "signed too")
            (func $start (call $hit))
            (start $start)
            (func (export "seven") (result i32) i32.const 7))"#,
    )
    .unwrap()
}

fn digest_of(bytes: &[u8]) -> [u8; 32] {
    let mut check = IntegrityCheck::new(Integrity::from_digest([0; 32]));
    check.update(bytes);
    check.digest()
}

fn key_of(secret: &[u8; 32]) -> PublicKey {
    PublicKey::from_bytes(&SigningKey::from_bytes(secret).verifying_key().to_bytes()).unwrap()
}

fn signature(secret: &[u8; 32], bytes: &[u8]) -> Signature {
    Signature::from_bytes(
        &SigningKey::from_bytes(secret)
            .sign(&digest_of(bytes))
            .to_bytes(),
    )
}

/// Compiles `wasm` in reads of `read_size` with `check`.
fn compile(wasm: &[u8], read_size: usize, check: IntegrityCheck) -> Result<(), String> {
    let engine = Config::new().engine();
    let reader = ScriptedReader::new(wasm).read_sizes(&[read_size]);
    compile_streaming_with(&engine, reader, CompileOptions::new().integrity(check))
        .map(drop)
        .map_err(|e| e.to_string())
}

#[test]
fn a_valid_signature_compiles_under_every_chunking() {
    let wasm = module();
    for read_size in 1..=wasm.len() {
        let check = IntegrityCheck::signed(key_of(&SECRET), signature(&SECRET, &wasm));
        compile(&wasm, read_size, check).unwrap_or_else(|e| panic!("reads of {read_size}: {e}"));
    }
}

#[test]
fn an_invalid_signature_or_a_wrong_key_builds_nothing() {
    let wasm = module();
    let engine = Config::new().engine();
    let mut corrupted = signature(&SECRET, &wasm).to_bytes();
    corrupted[0] ^= 0x40;
    let cases = [
        (
            "corrupted",
            key_of(&SECRET),
            Signature::from_bytes(&corrupted),
        ),
        (
            "wrong key",
            key_of(&OTHER_SECRET),
            signature(&SECRET, &wasm),
        ),
        (
            "other module",
            key_of(&SECRET),
            signature(&SECRET, b"\0asm\x01\0\0\0"),
        ),
    ];
    for (case, key, signature) in cases {
        for read_size in [1, 3, wasm.len()] {
            let reader = ScriptedReader::new(&wasm).read_sizes(&[read_size]);
            let options = CompileOptions::new()
                .integrity(IntegrityCheck::signed(key.clone(), signature.clone()));
            let error = compile_streaming_with(&engine, reader, options).unwrap_err();
            let Error::Type(TypeError::BadSignature {
                digest,
                key: checked,
            }) = &error
            else {
                panic!("{case}: {error}");
            };
            assert_eq!(
                (*digest, *checked),
                (digest_of(&wasm), key.to_bytes()),
                "{case}"
            );
        }
    }
}

#[test]
fn a_truncated_signature_is_refused_before_loading() {
    let wasm = module();
    let bytes = signature(&SECRET, &wasm).to_bytes();
    assert!(matches!(
        Signature::from_slice(&bytes[..63]),
        Err(TypeError::SignatureLength { found: 63 })
    ));
    assert!(Signature::from_slice(&bytes).is_ok());
}

#[test]
fn digest_and_signature_together_both_count() {
    let wasm = module();
    let good = || IntegrityCheck::new(Integrity::from_digest(digest_of(&wasm)));
    compile(
        &wasm,
        5,
        good().with_signature(key_of(&SECRET), signature(&SECRET, &wasm)),
    )
    .unwrap();
    let error = compile(
        &wasm,
        5,
        good().with_signature(key_of(&OTHER_SECRET), signature(&SECRET, &wasm)),
    );
    assert!(error.unwrap_err().contains("signature check failed"));
}

#[test]
fn instantiating_with_a_bad_signature_runs_nothing() {
    let wasm = module();
    let engine = Config::new().engine();
    let mut store = Store::new(&engine, ());
    let ran = Arc::new(AtomicUsize::new(0));
    let mut imports = Imports::new(&engine);
    let counter = Arc::clone(&ran);
    imports.func_wrap("env", "hit", move || {
        counter.fetch_add(1, Ordering::SeqCst);
    });

    for (key, signature) in [
        (key_of(&OTHER_SECRET), signature(&SECRET, &wasm)),
        (key_of(&SECRET), signature(&OTHER_SECRET, &wasm)),
    ] {
        let options = CompileOptions::new().integrity(IntegrityCheck::signed(key, signature));
        let error =
            instantiate_streaming_with(&mut store, &wasm[..], &imports, options).unwrap_err();
        assert!(
            matches!(error, Error::Type(TypeError::BadSignature { .. })),
            "{error}"
        );
        assert_eq!(ran.load(Ordering::SeqCst), 0, "the start function ran");
    }

    let options = CompileOptions::new().integrity(IntegrityCheck::signed(
        key_of(&SECRET),
        signature(&SECRET, &wasm),
    ));
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
fn the_async_driver_checks_the_signature() {
    let wasm = module();
    let engine = Config::new().engine();
    let options = CompileOptions::new().integrity(IntegrityCheck::signed(
        key_of(&OTHER_SECRET),
        signature(&SECRET, &wasm),
    ));
    let error =
        embassy_futures::block_on(compile_streaming_with_async(&engine, &wasm[..], options))
            .unwrap_err();
    assert!(
        matches!(error, Error::Type(TypeError::BadSignature { .. })),
        "{error}"
    );
    let options = CompileOptions::new().integrity(IntegrityCheck::signed(
        key_of(&SECRET),
        signature(&SECRET, &wasm),
    ));
    assert!(
        embassy_futures::block_on(compile_streaming_with_async(&engine, &wasm[..], options))
            .is_ok()
    );
}
