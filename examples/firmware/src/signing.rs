//! The signature check of the big guest (feature `signature`): the public
//! key the firmware holds and the detached signatures `build.rs` made with
//! its fixed test key, over each guest's SHA-256 digest.

use alloc::string::{String, ToString};

use wasmstream::integrity::{IntegrityCheck, PublicKey, Signature};

include!(concat!(env!("OUT_DIR"), "/signing.rs"));

/// The check the big guest must pass before it is installed: `build.rs`'s
/// signature of it, by the key the firmware holds.
pub fn kernels_check() -> Result<IntegrityCheck, String> {
    Ok(IntegrityCheck::signed(
        key()?,
        Signature::from_bytes(&KERNELS_SIGNATURE),
    ))
}

/// A check the CRC-32 guest must fail: its signature with one bit of `S`
/// flipped, the way a corrupted or forged signature arrives.
pub fn tampered_crc32_check() -> Result<IntegrityCheck, String> {
    let mut tampered = CRC32_SIGNATURE;
    tampered[40] ^= 0x01;
    Ok(IntegrityCheck::signed(
        key()?,
        Signature::from_bytes(&tampered),
    ))
}

fn key() -> Result<PublicKey, String> {
    PublicKey::from_bytes(&PUBLIC_KEY).map_err(|e| e.to_string())
}
