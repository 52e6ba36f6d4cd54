//! `FlashStaging` and installed modules, through the public API, over a NOR
//! flash double that enforces NOR's rules (tests/common/nor_flash.rs):
//! round trips on several flash geometries, erase-ahead, a region too small,
//! flash errors at every operation, a power cut at every operation of an
//! install, and every way a region can fail to hold an installed module.

#[path = "common/nor_flash.rs"]
mod nor_flash;

use embedded_storage::nor_flash::{NorFlash, NorFlashErrorKind, ReadNorFlash};
use nor_flash::{FlashOp, NorFlashDouble};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use wasmstream::staging::{
    FlashOperation, FlashStaging, InstallError, RECORD_BYTES, Staging, StagingError, Validated,
    load_installed,
};
use wasmstream::wasmi::{self, Store};
use wasmstream::{Config, Engine, Imports, Module, instantiate};

/// A valid module exporting `name` (returns `value`), with `filler` bytes
/// of data so it spans several flash pages.
fn module(name: &str, value: i32, filler: usize) -> Vec<u8> {
    let data = "w".repeat(filler);
    wat::parse_str(format!(
        r#"(module
             (memory 1)
             (func (export "{name}") (result i32) i32.const {value})
             (data (i32.const 0) "{data}"))"#
    ))
    .unwrap()
}

/// Streams `wasm` into `staging` in `chunk`-byte writes, as the compiler
/// does; validates it with wasmi first, so `Validated` is honest.
fn stage<'s, F: NorFlash>(
    engine: &Engine,
    staging: &'s mut FlashStaging<F>,
    wasm: &[u8],
    chunk: usize,
    hint: bool,
) -> Result<&'s [u8], StagingError> {
    wasmi::Module::new(engine, wasm).expect("test modules are valid");
    staging.begin(hint.then_some(wasm.len() as u64))?;
    for piece in wasm.chunks(chunk) {
        staging.write(piece)?;
    }
    // SAFETY: `Module::new` above validated exactly these bytes with `engine`.
    staging.finish(unsafe { Validated::new_unchecked(engine, wasm.len() as u64) })
}

/// Calls the installed module's export `name`.
fn call(engine: &Engine, module: &Module, name: &str) -> i32 {
    let mut store = Store::new(engine, ());
    let instance =
        instantiate::<_, std::convert::Infallible>(&mut store, module, &Imports::new(engine))
            .unwrap();
    let f = instance.get_typed_func::<(), i32>(&store, name).unwrap();
    f.call(&mut store, ()).unwrap()
}

/// A staging sink over flash bytes `address..address + len` of `flash`.
fn staging<const W: usize, const E: usize>(
    flash: &NorFlashDouble<W, E>,
    address: u32,
    len: u32,
) -> FlashStaging<NorFlashDouble<W, E>> {
    // SAFETY: the double's memory at `address` is the region's view; only
    // the returned sink writes it (tests write elsewhere, or after it is done).
    unsafe { FlashStaging::new(flash.clone(), address, len, flash.view(address as usize)) }.unwrap()
}

fn round_trip<const W: usize, const E: usize>() {
    let engine = Config::new().engine();
    let wasm = module("f", 7, 9000);
    for chunk in [1, 3, W + 1, 1000, wasm.len()] {
        for hint in [false, true] {
            let flash = NorFlashDouble::<W, E>::new(64 * 1024);
            // The region starts one page in and ends well before the flash does.
            let (address, len) = (E as u32, (16 * 1024).max(4 * E) as u32);
            let mut staging = staging(&flash, address, len);
            let staged = stage(&engine, &mut staging, &wasm, chunk, hint).unwrap();
            assert_eq!(staged, &wasm[..], "W={W} E={E} chunk={chunk}");
            assert_eq!(
                staged.as_ptr(),
                flash.view(address as usize + RECORD_BYTES),
                "the staged slice is the memory-mapped view"
            );
            let module = load_installed(&engine, staging.region()).unwrap();
            assert_eq!(call(&engine, &module, "f"), 7);
            // Nothing outside the region was touched.
            for op in flash.log() {
                let (from, to) = match op {
                    FlashOp::Erase { from, to } => (from, to),
                    FlashOp::Write { offset, len } => (offset, offset + len),
                };
                assert!(
                    from >= address && to <= address + len,
                    "{op:?} outside the region"
                );
            }
        }
    }
}

#[test]
fn installs_and_loads_on_every_flash_geometry() {
    round_trip::<1, 256>(); // pages smaller than the record
    round_trip::<4, 4096>();
    round_trip::<8, 2048>();
    round_trip::<32, 8192>();
    round_trip::<256, 4096>();
}

#[test]
fn erases_each_page_just_before_its_first_write() {
    let engine = Config::new().engine();
    let wasm = module("f", 1, 20_000);
    let flash = NorFlashDouble::<4, 4096>::new(64 * 1024);
    let mut staging = staging(&flash, 0, 64 * 1024);
    stage(&engine, &mut staging, &wasm, 512, true).unwrap();
    let log = flash.log();
    // First the record's page, alone: the old install is gone.
    assert_eq!(log[0], FlashOp::Erase { from: 0, to: 4096 });
    // Then every erase is of the next page, and the very next operation
    // writes into it: never the whole region up front.
    let mut erased_to = 4096;
    for (i, op) in log.iter().enumerate().skip(1) {
        if let FlashOp::Erase { from, to } = *op {
            assert_eq!((from, to), (erased_to, erased_to + 4096), "op {i}");
            erased_to = to;
            assert!(
                matches!(log[i + 1], FlashOp::Write { offset, .. } if offset >= from && offset < to),
                "op {i} erases a page the next write does not need"
            );
        }
    }
    let pages_needed = (RECORD_BYTES + wasm.len()).div_ceil(4096) as u32;
    assert_eq!(
        erased_to,
        pages_needed * 4096,
        "exactly the pages the module needs"
    );
}

#[test]
fn the_flash_double_enforces_nor_rules() {
    let mut flash = NorFlashDouble::<4, 4096>::new(2 * 4096);
    // Misaligned or partial-unit writes and erases.
    assert_eq!(flash.write(2, &[0; 4]), Err(NorFlashErrorKind::NotAligned));
    assert_eq!(flash.write(0, &[0; 3]), Err(NorFlashErrorKind::NotAligned));
    assert_eq!(flash.erase(0, 100), Err(NorFlashErrorKind::NotAligned));
    // Out of bounds.
    assert_eq!(
        flash.write(2 * 4096, &[0; 4]),
        Err(NorFlashErrorKind::OutOfBounds)
    );
    assert_eq!(
        flash.erase(0, 3 * 4096),
        Err(NorFlashErrorKind::OutOfBounds)
    );
    // A word is written once per erase, even with bits only cleared.
    flash.write(8, &[0xF0; 4]).unwrap();
    assert_eq!(flash.write(8, &[0x00; 4]), Err(NorFlashErrorKind::Other));
    assert_eq!(
        flash.write(4, &[0; 8]),
        Err(NorFlashErrorKind::Other),
        "overlapping"
    );
    assert_eq!(
        flash.bytes(4, 12),
        [0xFF, 0xFF, 0xFF, 0xFF, 0xF0, 0xF0, 0xF0, 0xF0]
    );
    // Erase makes it writable again, all ones.
    flash.erase(0, 4096).unwrap();
    assert_eq!(flash.bytes(8, 12), [0xFF; 4]);
    flash.write(8, &[0x12; 4]).unwrap();
    let mut read = [0; 4];
    flash.read(8, &mut read).unwrap();
    assert_eq!(read, [0x12; 4]);
}

#[test]
fn a_region_too_small_is_refused_before_anything_is_written_past_it() {
    let engine = Config::new().engine();
    let small = module("a", 1, 100);
    let big = module("b", 2, 9000);
    let flash = NorFlashDouble::<4, 4096>::new(4 * 4096);
    // A neighbour after the region, which must never change.
    let mut neighbour = flash.clone();
    neighbour.write(2 * 4096, b"NEXT").unwrap();
    let mut staging = staging(&flash, 0, 2 * 4096);
    stage(&engine, &mut staging, &small, 64, true).unwrap();
    let capacity = 2 * 4096 - RECORD_BYTES as u64;
    assert_eq!(staging.capacity(), capacity);

    // With a size hint: refused by `begin`, which changes nothing, so the
    // old install stays.
    let before = flash.operations();
    let error = stage(&engine, &mut staging, &big, 64, true).unwrap_err();
    assert_eq!(
        error,
        StagingError::Full {
            offset: capacity,
            capacity
        }
    );
    assert_eq!(flash.operations(), before, "no flash operation");
    let module = load_installed(&engine, staging.region()).unwrap();
    assert_eq!(call(&engine, &module, "a"), 1);

    // Without one: refused by the write that would pass the end.
    let error = stage(&engine, &mut staging, &big, 64, false).unwrap_err();
    assert_eq!(
        error,
        StagingError::Full {
            offset: capacity,
            capacity
        }
    );
    assert_eq!(
        error.to_string(),
        format!(
            "staging error at byte {capacity}: the module does not fit in the staging area of {capacity} bytes"
        )
    );
    assert_eq!(flash.bytes(2 * 4096, 2 * 4096 + 4), b"NEXT");
    assert!(flash.log().iter().all(|op| match *op {
        FlashOp::Erase { to, .. } => to <= 2 * 4096,
        FlashOp::Write { offset, len } => offset + len <= 2 * 4096 || offset == 2 * 4096,
    }));
    // The stream stopped: the old install is gone (begin erased it), nothing is installed.
    assert!(matches!(
        load_installed(&engine, staging.region()),
        Err(InstallError::NoRecord)
    ));
    // And the sink keeps refusing until the next `begin`.
    assert_eq!(staging.write(b"more").unwrap_err(), error);
}

#[test]
fn a_flash_error_at_any_operation_stops_the_stream_and_names_the_offset() {
    let engine = Config::new().engine();
    let wasm = module("f", 3, 9000);
    let total = {
        let flash = NorFlashDouble::<8, 2048>::new(32 * 1024);
        stage(
            &engine,
            &mut staging(&flash, 4096, 16 * 1024),
            &wasm,
            700,
            false,
        )
        .unwrap();
        flash.operations()
    };
    for n in 0..total {
        let flash = NorFlashDouble::<8, 2048>::new(32 * 1024);
        flash.fail_operation(n);
        let mut staging = staging(&flash, 4096, 16 * 1024);
        let error = stage(&engine, &mut staging, &wasm, 700, false).unwrap_err();
        let failed = flash.log()[n];
        let StagingError::Flash {
            operation,
            address,
            kind,
            offset,
        } = error.clone()
        else {
            panic!("op {n}: {error}");
        };
        assert_eq!(kind, NorFlashErrorKind::Other);
        match failed {
            FlashOp::Erase { from, .. } => {
                assert_eq!(
                    (operation, address),
                    (FlashOperation::Erase, from),
                    "op {n}"
                );
            }
            FlashOp::Write { offset: at, .. } => {
                assert_eq!(address, at, "op {n}");
                let record = at < 4096 + RECORD_BYTES as u32;
                let expected = if record {
                    FlashOperation::WriteRecord
                } else {
                    FlashOperation::Write
                };
                assert_eq!(operation, expected, "op {n}");
            }
        }
        assert!(offset <= wasm.len() as u64);
        assert!(
            error
                .to_string()
                .contains(&format!("at flash offset {address:#x}")),
            "{error}"
        );
        // The stream stopped at the failure: no operation after it.
        assert_eq!(flash.operations(), n + 1, "op {n}");
        assert_eq!(staging.write(b"x").unwrap_err(), error);
        let load = load_installed(&engine, staging.region());
        assert!(
            matches!(load, Err(InstallError::NoRecord)),
            "op {n}: {load:?}"
        );
    }
}

/// Installs `a`, then installs `b` with power lost at each operation in
/// turn: after every cut the region holds no installed module (never
/// `new_unchecked` on torn bytes); with no cut it holds `b`.
fn power_cut_at_every_operation<const W: usize, const E: usize>() {
    let engine = Config::new().engine();
    let (a, b) = (module("a", 1, 3000), module("b", 2, 6000));
    let region = (12 * 1024).max(4 * E) as u32;
    let install_b_ops = {
        let flash = NorFlashDouble::<W, E>::new(32 * 1024);
        let mut staging = staging(&flash, 0, region);
        stage(&engine, &mut staging, &a, 500, false).unwrap();
        let before = flash.operations();
        stage(&engine, &mut staging, &b, 500, false).unwrap();
        flash.operations() - before
    };
    let mut seen = Vec::new();
    for k in 0..=install_b_ops {
        let flash = NorFlashDouble::<W, E>::new(32 * 1024);
        let mut staging = staging(&flash, 0, region);
        stage(&engine, &mut staging, &a, 500, false).unwrap();
        flash.cut_power_at(flash.operations() + k);
        let result = stage(&engine, &mut staging, &b, 500, false).map(<[u8]>::to_vec);
        flash.restore_power();
        // Reboot: a fresh sink over the same flash.
        drop(staging);
        let staging = self::staging(&flash, 0, region);
        match load_installed(&engine, staging.region()) {
            Ok(module) => {
                assert_eq!(
                    k, install_b_ops,
                    "W={W} E={E}: loaded after a cut at op {k}"
                );
                assert_eq!(result.unwrap(), b);
                assert_eq!(call(&engine, &module, "b"), 2);
            }
            Err(error) => {
                assert!(
                    k < install_b_ops,
                    "W={W} E={E}: the full install does not load: {error}"
                );
                assert!(result.is_err());
                assert!(
                    !matches!(error, InstallError::Wasmi(_)),
                    "wasmi saw torn bytes: {error}"
                );
                seen.push(error.to_string());
            }
        }
    }
    assert!(
        seen.iter().any(|e| e.contains("no installed module")),
        "{seen:?}"
    );
}

#[test]
fn a_power_cut_at_any_flash_operation_of_an_install_never_loads() {
    power_cut_at_every_operation::<4, 4096>();
    power_cut_at_every_operation::<1, 256>();
    power_cut_at_every_operation::<32, 1024>();
}

/// A region with `wasm` installed, and its flash.
fn installed(engine: &Engine, wasm: &[u8]) -> NorFlashDouble<4, 4096> {
    let flash = NorFlashDouble::<4, 4096>::new(8 * 4096);
    stage(engine, &mut staging(&flash, 0, 8 * 4096), wasm, 1000, true).unwrap();
    flash
}

#[test]
fn another_feature_set_is_refused() {
    let engine = Config::new().engine();
    let flash = installed(&engine, &module("f", 5, 100));
    let region = flash.bytes(0, 8 * 4096);
    let other = Config::new().wasm_multi_value(false).engine();
    let error = load_installed(&other, &region).unwrap_err();
    let InstallError::FeaturesDiffer {
        installed,
        engine: now,
    } = error
    else {
        panic!("{error}");
    };
    assert_ne!(installed, now);
    assert_eq!(
        error.to_string(),
        format!(
            "install error: the module was validated with Wasm feature bits {installed:#x}, this \
             engine has {now:#x}; install it again with this engine"
        )
    );
    // The same configuration loads it.
    let same = Config::new().engine();
    let module = load_installed(&same, &region).unwrap();
    assert_eq!(call(&same, &module, "f"), 5);
}

#[test]
fn a_changed_byte_anywhere_is_refused() {
    let engine = Config::new().engine();
    let wasm = module("f", 5, 5000);
    let flash = installed(&engine, &wasm);
    let end = RECORD_BYTES + wasm.len();
    let region = flash.bytes(0, 8 * 4096);
    let damaged = |at: usize| {
        let mut region = region.clone();
        region[at] ^= 0x01;
        load_installed(&engine, &region).unwrap_err()
    };
    for at in [RECORD_BYTES, RECORD_BYTES + 1000, end - 1] {
        let error = damaged(at);
        assert!(
            matches!(error, InstallError::DigestMismatch { length } if length == wasm.len() as u64)
        );
        assert_eq!(
            error.to_string(),
            format!(
                "install error: the {} module bytes at region byte 512 do not have the SHA-256 of the install record",
                wasm.len()
            )
        );
    }
    for at in [0, 8, 16, 24, 55, 56, 87] {
        assert!(
            matches!(damaged(at), InstallError::DamagedRecord),
            "record byte {at}"
        );
    }
    for at in 256..264 {
        assert!(
            matches!(damaged(at), InstallError::NoRecord),
            "magic byte {at}"
        );
    }
    // Bytes after the module are not the module's.
    load_installed(&engine, &{
        let mut region = region.clone();
        region[end] ^= 0x01;
        region
    })
    .unwrap();
    // A view too short for the record, or for the module.
    assert!(matches!(
        load_installed(&engine, &region[..100]),
        Err(InstallError::RegionTooShort { len: 100 })
    ));
    let error = load_installed(&engine, &region[..end - 1]).unwrap_err();
    assert!(
        matches!(error, InstallError::Truncated { length, available }
        if length == wasm.len() as u64 && available == wasm.len() as u64 - 1)
    );
    // An erased region.
    let error = load_installed(&engine, &[0xFF; 4096]).unwrap_err();
    assert!(matches!(error, InstallError::NoRecord));
}

#[test]
fn a_record_of_another_format_version_is_refused() {
    use sha2::{Digest, Sha256};
    let engine = Config::new().engine();
    let flash = installed(&engine, &module("f", 5, 100));
    let mut region = flash.bytes(0, 8 * 4096);
    // A well-formed record of version 2: its own check recomputed.
    region[0..4].copy_from_slice(&2u32.to_le_bytes());
    let check = Sha256::digest(&region[..56]);
    region[56..88].copy_from_slice(&check);
    let error = load_installed(&engine, &region).unwrap_err();
    assert!(matches!(
        error,
        InstallError::UnsupportedVersion { found: 2 }
    ));
    assert_eq!(
        error.to_string(),
        "install error: install record format version 2, this build reads version 1"
    );
}

/// A four-page region at `address` with `wasm` (validated by wasmi) written,
/// `finish` not called yet.
fn staged_not_finished(
    flash: &NorFlashDouble<4, 4096>,
    address: u32,
    wasm: &[u8],
) -> FlashStaging<NorFlashDouble<4, 4096>> {
    let mut staging = staging(flash, address, 4 * 4096);
    wasmi::Module::new(&Config::new().engine(), wasm).unwrap();
    staging.begin(None).unwrap();
    staging.write(wasm).unwrap();
    staging
}

#[test]
fn flash_that_reads_back_wrong_installs_nothing() {
    let engine = Config::new().engine();
    let wasm = module("f", 5, 3000);
    let flash = NorFlashDouble::<4, 4096>::new(8 * 4096);
    let mut staging = staged_not_finished(&flash, 4096, &wasm);
    // A cell that does not hold what was written.
    flash.corrupt(4096 + RECORD_BYTES + 100, 0x04);
    // SAFETY: `Module::new` validated these bytes with `engine`.
    let error = staging
        .finish(unsafe { Validated::new_unchecked(&engine, wasm.len() as u64) })
        .unwrap_err();
    assert_eq!(
        error,
        StagingError::ReadBack {
            offset: wasm.len() as u64,
            address: 4096 + RECORD_BYTES as u32
        }
    );
    assert!(
        error
            .to_string()
            .contains("does not read back what was written"),
        "{error}"
    );
    assert!(matches!(
        load_installed(&engine, staging.region()),
        Err(InstallError::NoRecord)
    ));
}

#[test]
fn finish_with_another_length_installs_nothing() {
    let engine = Config::new().engine();
    let wasm = module("f", 5, 100);
    let flash = NorFlashDouble::<4, 4096>::new(4 * 4096);
    let mut staging = staged_not_finished(&flash, 0, &wasm);
    let claimed = wasm.len() as u64 + 1;
    // SAFETY: never reaches wasmi: the sink refuses the length.
    let error = staging
        .finish(unsafe { Validated::new_unchecked(&engine, claimed) })
        .unwrap_err();
    assert_eq!(
        error,
        StagingError::LengthMismatch {
            offset: wasm.len() as u64,
            validated: claimed
        }
    );
    assert!(matches!(
        load_installed(&engine, staging.region()),
        Err(InstallError::NoRecord)
    ));

    // A second `finish` after a good one leaves the install alone.
    let staged = stage(&engine, &mut staging, &wasm, 10, true).unwrap().len() as u64;
    // SAFETY: never reaches wasmi: nothing is staged.
    let error = staging
        .finish(unsafe { Validated::new_unchecked(&engine, staged) })
        .unwrap_err();
    assert_eq!(
        error,
        StagingError::LengthMismatch {
            offset: 0,
            validated: staged
        }
    );
    let module = load_installed(&engine, staging.region()).unwrap();
    assert_eq!(call(&engine, &module, "f"), 5);
}

#[test]
fn a_new_stream_removes_the_old_install_at_begin() {
    let engine = Config::new().engine();
    let flash = NorFlashDouble::<4, 4096>::new(8 * 4096);
    let mut staging = staging(&flash, 0, 8 * 4096);
    stage(&engine, &mut staging, &module("a", 1, 100), 100, false).unwrap();
    staging.begin(None).unwrap();
    staging.write(&module("b", 2, 100)[..20]).unwrap();
    // Abandoned (a dropped connection): nothing is installed any more.
    assert!(matches!(
        load_installed(&engine, staging.region()),
        Err(InstallError::NoRecord)
    ));
    // And the sink stages the next module from scratch.
    stage(&engine, &mut staging, &module("b", 2, 100), 7, true).unwrap();
    let module = load_installed(&engine, staging.region()).unwrap();
    assert_eq!(call(&engine, &module, "b"), 2);
}

#[test]
fn unusable_regions_are_refused_with_the_reason() {
    let flash = NorFlashDouble::<4, 4096>::new(8 * 4096);
    let region = |address: u32, len: u32| {
        // SAFETY: never written: every call here is refused.
        unsafe { FlashStaging::new(flash.clone(), address, len, flash.view(0)) }.unwrap_err()
    };
    let cases = [
        (
            100,
            4096,
            "the region's offset and length must be multiples of the erase page",
        ),
        (
            0,
            5000,
            "the region's offset and length must be multiples of the erase page",
        ),
        (4096, 8 * 4096, "the region passes the end of the flash"),
        (
            u32::MAX - 4095,
            4096,
            "the region passes the end of the flash",
        ),
    ];
    for (address, len, reason) in cases {
        assert_eq!(
            region(address, len),
            StagingError::Region {
                address,
                len,
                reason
            }
        );
    }
    assert_eq!(
        region(4096, 8 * 4096).to_string(),
        "staging error: flash region of 32768 bytes at flash offset 0x1000: the region passes the end of the flash"
    );
    // Pages so small the region is all record.
    let tiny = NorFlashDouble::<4, 256>::new(4096);
    // SAFETY: refused, never written.
    let error = unsafe { FlashStaging::new(tiny.clone(), 0, 512, tiny.view(0)) }.unwrap_err();
    assert!(
        matches!(error, StagingError::Region { reason, .. } if reason.contains("larger than the 512-byte"))
    );
    // Write units this crate does not support.
    let odd = NorFlashDouble::<3, 3072>::new(3 * 3072);
    // SAFETY: refused, never written.
    let error = unsafe { FlashStaging::new(odd.clone(), 0, 3072, odd.view(0)) }.unwrap_err();
    assert!(
        matches!(error, StagingError::Region { reason, .. } if reason.contains("power of two"))
    );
    let wide = NorFlashDouble::<512, 4096>::new(2 * 4096);
    // SAFETY: refused, never written.
    let error = unsafe { FlashStaging::new(wide.clone(), 0, 4096, wide.view(0)) }.unwrap_err();
    assert!(matches!(error, StagingError::Region { reason, .. } if reason.contains("at most 256")));
}

/// The sink's RAM: the figure docs/flash.md quotes (64-bit host), reproduced
/// with `cargo test --features flash --test flash_staging -- --nocapture ram`.
#[test]
fn ram_of_the_sink_is_fixed_and_small() {
    let size = size_of::<FlashStaging<&mut NorFlashDouble<4, 4096>>>();
    println!("size_of::<FlashStaging<&mut F>>() = {size} bytes");
    // The 256-byte partial-unit buffer, SHA-256's state, a few counters.
    assert!(size <= 512, "{size}");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: RngSeed::Fixed(0xf1a5),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any split of the module into writes leaves the same flash contents,
    /// byte for byte, as one write of it all.
    #[test]
    fn any_chunking_leaves_the_same_flash_contents(
        sizes in prop::collection::vec(1usize..700, 1..20),
    ) {
        let engine = Config::new().engine();
        let wasm = module("f", 9, 5000);
        let contents = |sizes: &[usize]| {
            let flash = NorFlashDouble::<8, 1024>::new(16 * 1024);
            let mut staging = staging(&flash, 1024, 8 * 1024);
            wasmi::Module::new(&engine, &wasm).unwrap();
            staging.begin(None).unwrap();
            let mut rest = &wasm[..];
            for size in sizes.iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let (piece, tail) = rest.split_at((*size).min(rest.len()));
                staging.write(piece).unwrap();
                rest = tail;
            }
            // SAFETY: `Module::new` validated these bytes with `engine`.
            staging.finish(unsafe { Validated::new_unchecked(&engine, wasm.len() as u64) }).unwrap();
            flash.bytes(0, 16 * 1024)
        };
        prop_assert_eq!(contents(&sizes), contents(&[wasm.len()]));
    }
}
