//! A minimal no_std image per variant (one Cargo feature each) that checks a
//! digest or an Ed25519 signature, so `size -A` shows what the check costs in
//! flash over the `none` baseline. See docs/embedded.md ("Integrity and
//! signature: flash") for the figures and `measure.sh` for the commands.
//!
//! Every variant reads the same constants through `black_box` and writes its
//! answer to a volatile static, so nothing is folded away at compile time.
#![no_std]
#![no_main]

extern crate alloc;

use core::hint::black_box;
use core::mem::MaybeUninit;
use core::ptr::addr_of_mut;

// The runtimes' crates provide the critical section the allocator uses.
#[cfg(target_arch = "arm")]
use cortex_m as _;
#[cfg(target_arch = "arm")]
use cortex_m_rt::entry;
#[cfg(target_arch = "riscv32")]
use riscv as _;
#[cfg(target_arch = "riscv32")]
use riscv_rt::entry;

#[global_allocator]
static HEAP: embedded_alloc::LlffHeap = embedded_alloc::LlffHeap::empty();
static mut HEAP_MEMORY: [MaybeUninit<u8>; 1024] = [MaybeUninit::uninit(); 1024];

/// Stands in for the streamed module.
static MODULE: &[u8] = b"\0asm\x01\0\0\0 this stands in for a streamed module, 64 bytes.";
/// SHA-256 of `MODULE`, and an Ed25519 signature of that digest (the test
/// key of RFC 8032 section 7.1, TEST 1).
static DIGEST: [u8; 32] = [0; 32];
static PUBLIC_KEY: [u8; 32] = [
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
];
static SIGNATURE: [u8; 64] = [0x5a; 64];

static mut RESULT: u32 = 0;

#[entry]
fn main() -> ! {
    // SAFETY: runs once, before anything allocates.
    unsafe { HEAP.init(addr_of_mut!(HEAP_MEMORY) as usize, 1024) };
    let module = black_box(MODULE);
    let digest = black_box(&DIGEST);
    let key = black_box(&PUBLIC_KEY);
    let signature = black_box(&SIGNATURE);
    // Every variant allocates, so the allocator's code is in the baseline
    // too (a wasmstream firmware always has one) and not counted as the
    // check's cost.
    let boxed = black_box(alloc::boxed::Box::new(black_box(0u32)));
    let result = check(module, digest, key, signature).wrapping_add(*boxed);
    // SAFETY: a plain volatile store to a static nobody else touches.
    unsafe { addr_of_mut!(RESULT).write_volatile(result) };
    loop {
        core::hint::spin_loop();
    }
}

#[cfg(feature = "none")]
fn check(module: &[u8], digest: &[u8; 32], key: &[u8; 32], signature: &[u8; 64]) -> u32 {
    let bytes = module.iter().chain(digest).chain(key).chain(signature);
    bytes.fold(0u32, |sum, &b| sum.wrapping_add(u32::from(b)))
}

#[cfg(all(feature = "integrity", not(feature = "signature")))]
fn check(module: &[u8], digest: &[u8; 32], key: &[u8; 32], signature: &[u8; 64]) -> u32 {
    use wasmstream::integrity::{Integrity, IntegrityCheck};
    let mut check = IntegrityCheck::new(Integrity::from_digest(*digest));
    check.update(module);
    let other = key
        .iter()
        .chain(signature)
        .fold(0u32, |s, &b| s.wrapping_add(u32::from(b)));
    u32::from(check.check().is_ok()) + other
}

#[cfg(feature = "signature")]
fn check(module: &[u8], digest: &[u8; 32], key: &[u8; 32], signature: &[u8; 64]) -> u32 {
    use wasmstream::integrity::{Integrity, IntegrityCheck, PublicKey, Signature};
    let Ok(key) = PublicKey::from_bytes(key) else {
        return 2;
    };
    let mut check = IntegrityCheck::new(Integrity::from_digest(*digest))
        .with_signature(key, Signature::from_bytes(signature));
    check.update(module);
    u32::from(check.check().is_ok())
}

#[cfg(feature = "salty")]
fn check(module: &[u8], digest: &[u8; 32], key: &[u8; 32], signature: &[u8; 64]) -> u32 {
    let _ = module;
    let Ok(key) = salty::PublicKey::try_from(key) else {
        return 2;
    };
    u32::from(
        key.verify(digest, &salty::Signature::from(signature))
            .is_ok(),
    )
}

#[cfg(feature = "ed25519-compact")]
fn check(module: &[u8], digest: &[u8; 32], key: &[u8; 32], signature: &[u8; 64]) -> u32 {
    let _ = module;
    let key = ed25519_compact::PublicKey::new(*key);
    let signature = ed25519_compact::Signature::new(*signature);
    u32::from(key.verify(digest, &signature).is_ok())
}

#[cfg(feature = "ed25519-dalek")]
fn check(module: &[u8], digest: &[u8; 32], key: &[u8; 32], signature: &[u8; 64]) -> u32 {
    let _ = module;
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(key) else {
        return 2;
    };
    let signature = ed25519_dalek::Signature::from_bytes(signature);
    u32::from(key.verify_strict(digest, &signature).is_ok())
}

#[cfg(feature = "ed25519-dalek-3")]
fn check(module: &[u8], digest: &[u8; 32], key: &[u8; 32], signature: &[u8; 64]) -> u32 {
    let _ = module;
    let Ok(key) = ed25519_dalek_3::VerifyingKey::from_bytes(key) else {
        return 2;
    };
    let signature = ed25519_dalek_3::Signature::from_bytes(signature);
    u32::from(key.verify_strict(digest, &signature).is_ok())
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
