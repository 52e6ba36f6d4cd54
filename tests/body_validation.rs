//! Function bodies are judged exactly as wasmparser's own
//! `Validator::validate_all` judges them: the same first error, at the same
//! offset, or no error. The compiler validates bodies with its own operator
//! loop (for speed), so every kind of operator, every immediate and every
//! way a body can end is checked here against wasmparser, fed whole and one
//! byte at a time.

mod common;

use common::corpus::smith_module;
use common::judged::{agree, assert_judged_alike, features, streamed_verdict, wasmparser_verdict};
use common::rng::Rng;
use wasmstream::Config;

/// Bodies using every family of operator: control (with `br_table`, `if`,
/// `else`, `return`, tail calls), calls, locals and globals, loads and
/// stores of every width, the 0xFC prefix (saturating truncation, bulk
/// memory and tables), references, `select`, sign extension, conversions,
/// and — with the `simd` feature — a few SIMD operators.
fn module() -> Vec<u8> {
    let simd = if cfg!(feature = "simd") {
        r#"(func (param i32) (result i32)
             (v128.store (local.get 0) (i32x4.add (v128.load (local.get 0)) (v128.const i32x4 1 2 3 4)))
             (i32x4.extract_lane 2 (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
               (v128.load offset=16 (local.get 0)) (i32x4.splat (local.get 0)))))"#
    } else {
        ""
    };
    wat::parse_str(format!(
        r#"(module
            (type $bin (func (param i32 i32) (result i32)))
            (import "env" "host" (func $host (param i32) (result i32)))
            (global $sp (mut i32) (i32.const 65536))
            (global $k i64 (i64.const 7))
            (memory 1 2)
            (table $t 4 funcref)
            (elem $e (table $t) (i32.const 0) func $add $host)
            (data $d "data")
            (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))
            (func (param $n i32) (result i32) (local $i i32) (local $acc i64) (local f64 f32)
              (global.set $sp (i32.sub (global.get $sp) (i32.const 16)))
              (block $out
                (loop $again
                  (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
                  (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_s (local.get $i))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $again)))
              (block $a (block $b (block $c
                (br_table $a $b $c (local.get $n)))
                (drop (call $host (i32.const -129))))
                (drop (call_indirect $t (type $bin) (i32.const 1) (i32.const 2) (i32.const 0))))
              (if (result i32) (i32.eqz (local.get $n))
                (then (i32.wrap_i64 (local.tee $acc (i64.mul (local.get $acc) (global.get $k)))))
                (else (select (local.get $n) (i32.const 624485) (i32.lt_s (local.get $n) (i32.const 0))))))
            (func (param i32) (result i64)
              (i32.store8 offset=3 (local.get 0) (i32.const 255))
              (i32.store16 align=1 (local.get 0) (i32.load8_u (local.get 0)))
              (i64.store32 offset=8 (local.get 0) (i64.load16_s offset=2 (local.get 0)))
              (f64.store (local.get 0) (f64.promote_f32 (f32.load (local.get 0))))
              (drop (memory.grow (memory.size)))
              (i64.add (i64.load (local.get 0)) (i64.extend32_s (i64.const -2147483649))))
            (func (param f64) (result i32)
              (memory.copy (i32.const 0) (i32.const 8) (i32.const 4))
              (memory.fill (i32.const 0) (i32.const 0) (i32.const 4))
              (memory.init $d (i32.const 0) (i32.const 0) (i32.const 4))
              (data.drop $d)
              (table.copy (i32.const 0) (i32.const 1) (i32.const 1))
              (drop (table.grow $t (ref.null func) (i32.const 1)))
              (table.set $t (i32.const 2) (ref.func $add))
              (drop (ref.is_null (table.get $t (i32.const 2))))
              (drop (select (result funcref) (ref.null func) (ref.func $add) (i32.const 1)))
              (i32.add (i32.trunc_sat_f64_s (local.get 0))
                       (i32.extend8_s (i32.reinterpret_f32 (f32.demote_f64 (f64.sqrt (local.get 0)))))))
            (func (param i32 i32) (result i32)
              (if (local.get 0) (then (return (i32.const 1))))
              (return_call $add (local.get 0) (local.get 1)))
            {simd}
            (export "add" (func $add)))"#
    ))
    .expect("the test module is valid WAT")
}

/// The bytes of each function body of `wasm` (after its size field): a
/// change there leaves the sections and bodies framed as they were, so it
/// is judged by the body's validation alone.
fn body_bytes(wasm: &[u8]) -> Vec<usize> {
    wasmparser::Parser::new(0)
        .parse_all(wasm)
        .filter_map(|payload| match payload {
            Ok(wasmparser::Payload::CodeSectionEntry(body)) => Some(body.range()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn every_byte_change_in_the_bodies_is_judged_as_wasmparser_judges_it() {
    let engine = Config::new().engine();
    let features = features(&engine);
    let base = module();
    assert_eq!(wasmparser_verdict(&base, features), None);
    assert_eq!(streamed_verdict(&engine, &base, base.len()), None);
    let mut rejected = 0;
    let mut checked = 0;
    for at in body_bytes(&base) {
        for value in [
            0x00, 0x01, 0x02, 0x0b, 0x0c, 0x0e, 0x10, 0x11, 0x1c, 0x20, 0x23, 0x41, 0x7f, 0x80,
            0xd0, 0xfc, 0xfd, 0xff,
        ] {
            let mut wasm = base.clone();
            if wasm[at] == value {
                continue;
            }
            wasm[at] = value;
            let expected = assert_judged_alike(
                &engine,
                &wasm,
                features,
                &format!("byte {at} set to {value:#04x}"),
            );
            rejected += usize::from(expected.is_some());
            checked += 1;
        }
    }
    // Most changes make the module invalid; some (an index, a constant) do not.
    assert!(checked > 3000, "{checked} changes");
    assert!(
        rejected > checked / 2 && rejected < checked,
        "{rejected} of {checked} rejected"
    );
}

#[test]
fn edits_of_wasm_smith_bodies_are_judged_as_wasmparser_judges_them() {
    let engine = Config::new().engine();
    let features = features(&engine);
    let mut rng = Rng::new(0x00b0_d1e5);
    let mut judged = 0;
    for seed in 0..60 {
        let Some(base) = smith_module(seed) else {
            continue;
        };
        let bytes = body_bytes(&base);
        if bytes.is_empty() {
            continue;
        }
        for _ in 0..25 {
            let mut wasm = base.clone();
            for _ in 0..rng.between(1, 3) {
                let at = bytes[rng.below(bytes.len())];
                wasm[at] = if rng.chance(2) {
                    wasm[at] ^ (1 << rng.below(8))
                } else {
                    rng.next_u64() as u8
                };
            }
            let expected = wasmparser_verdict(&wasm, features);
            let chunk = rng.between(1, 64);
            let ours = streamed_verdict(&engine, &wasm, chunk);
            assert!(
                agree(&expected, &ours),
                "seed {seed}, {chunk}-byte feeds: wasmparser {expected:?}, ours {ours:?}"
            );
            judged += 1;
        }
    }
    assert!(judged > 500, "{judged} edited modules");
}
