//! Integrity with a `FlashStaging` (features `flash`, `integrity`): a module
//! whose digest is wrong leaves no install record, so it can never be
//! loaded at boot; the right digest installs it.

#[allow(dead_code)]
#[path = "common/nor_flash.rs"]
mod nor_flash;
#[allow(dead_code)]
#[path = "common/readers.rs"]
mod readers;

use nor_flash::NorFlashDouble;
use readers::ScriptedReader;
use wasmstream::integrity::{Integrity, IntegrityCheck};
use wasmstream::staging::{FlashStaging, InstallError, load_installed};
use wasmstream::{CompileOptions, Config, Error, TypeError, compile_streaming_with};

const ADDRESS: usize = 4096;
const LEN: usize = 16 * 1024;

fn module() -> Vec<u8> {
    wat::parse_str(
        r#"(module
            (memory 1)
            (func (export "f") (result i32) i32.const 7)
            (data (i32.const 0) "installed in flash"))"#,
    )
    .unwrap()
}

fn digest_of(bytes: &[u8]) -> [u8; 32] {
    let mut check = IntegrityCheck::new(Integrity::from_digest([0; 32]));
    check.update(bytes);
    check.digest()
}

fn staging(flash: &NorFlashDouble<4, 4096>) -> FlashStaging<NorFlashDouble<4, 4096>> {
    // SAFETY: the double's memory at ADDRESS is the region's view; only the
    // returned sink writes it while it lives.
    unsafe {
        FlashStaging::new(
            flash.clone(),
            ADDRESS as u32,
            LEN as u32,
            flash.view(ADDRESS),
        )
    }
    .unwrap()
}

#[test]
fn a_wrong_digest_writes_no_install_record() {
    let wasm = module();
    let engine = Config::new().engine();
    let flash = NorFlashDouble::<4, 4096>::new(64 * 1024);
    for read_size in [1, 16, wasm.len()] {
        let mut expected = digest_of(&wasm);
        expected[0] ^= 0x80;
        let reader = ScriptedReader::new(&wasm).read_sizes(&[read_size]);
        let options = CompileOptions::new()
            .staging(staging(&flash))
            .integrity(IntegrityCheck::new(Integrity::from_digest(expected)));
        let error = compile_streaming_with(&engine, reader, options).unwrap_err();
        assert!(
            matches!(error, Error::Type(TypeError::IntegrityMismatch { .. })),
            "{error}"
        );
        let region = flash.bytes(ADDRESS, ADDRESS + LEN);
        assert!(matches!(
            load_installed(&engine, &region),
            Err(InstallError::NoRecord)
        ));
    }

    let options = CompileOptions::new()
        .staging(staging(&flash))
        .integrity(IntegrityCheck::new(Integrity::from_digest(digest_of(
            &wasm,
        ))));
    compile_streaming_with(&engine, &wasm[..], options).unwrap();
    let region = flash.bytes(ADDRESS, ADDRESS + LEN);
    let module = load_installed(&engine, &region).unwrap();
    assert!(module.wasmi().get_export("f").is_some());
}
