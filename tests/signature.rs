//! Ed25519 signatures over the module's SHA-256 (feature `signature`),
//! through the public API; signatures are made by an independent
//! implementation (ed25519-dalek).

use ed25519_dalek::{Signer, SigningKey};
use wasmstream::TypeError;
use wasmstream::integrity::{Integrity, IntegrityCheck, PublicKey, Signature};

/// RFC 8032 section 7.1, TEST 1: secret key and its public key.
const SECRET: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];
const PUBLIC: [u8; 32] = [
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
];
/// The order of the group, little-endian: 2^252 + 27742317777372353535851937790883648493.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

const MODULE: &[u8] = b"\0asm\x01\0\0\0\x00\x05\x04note";

fn digest_of(bytes: &[u8]) -> [u8; 32] {
    let mut check = IntegrityCheck::new(Integrity::from_digest([0; 32]));
    check.update(bytes);
    check.digest()
}

fn sign(secret: &[u8; 32], digest: &[u8; 32]) -> [u8; 64] {
    SigningKey::from_bytes(secret).sign(digest).to_bytes()
}

fn key() -> PublicKey {
    PublicKey::from_bytes(&PUBLIC).unwrap()
}

/// Streams `MODULE` in `chunk`-byte pieces through a signature check.
fn check_signed(key: PublicKey, signature: Signature, chunk: usize) -> Result<[u8; 32], TypeError> {
    let mut check = IntegrityCheck::signed(key, signature);
    for piece in MODULE.chunks(chunk) {
        check.update(piece);
    }
    check.check()
}

#[test]
fn the_rfc_8032_public_key_is_the_secret_keys() {
    assert_eq!(
        SigningKey::from_bytes(&SECRET).verifying_key().to_bytes(),
        PUBLIC
    );
    assert_eq!(key().to_bytes(), PUBLIC);
}

#[test]
fn a_valid_signature_passes_under_every_chunking() {
    let digest = digest_of(MODULE);
    let signature = Signature::from_bytes(&sign(&SECRET, &digest));
    for chunk in 1..=MODULE.len() {
        assert_eq!(
            check_signed(key(), signature.clone(), chunk),
            Ok(digest),
            "chunk {chunk}"
        );
    }
    assert_eq!(key().verify(&digest, &signature), Ok(()));
}

#[test]
fn a_signature_with_an_integrity_digest_needs_both() {
    let digest = digest_of(MODULE);
    let signature = Signature::from_bytes(&sign(&SECRET, &digest));
    let mut both = IntegrityCheck::new(Integrity::from_digest(digest))
        .with_signature(key(), signature.clone());
    both.update(MODULE);
    assert_eq!(both.check(), Ok(digest));

    // The digest is compared first: a wrong one is an integrity failure.
    let mut wrong_digest =
        IntegrityCheck::new(Integrity::from_digest([1; 32])).with_signature(key(), signature);
    wrong_digest.update(MODULE);
    assert!(matches!(
        wrong_digest.check(),
        Err(TypeError::IntegrityMismatch { .. })
    ));

    let bad = Signature::from_bytes(&[0; 64]);
    let mut wrong_signature =
        IntegrityCheck::new(Integrity::from_digest(digest)).with_signature(key(), bad);
    wrong_signature.update(MODULE);
    assert!(matches!(
        wrong_signature.check(),
        Err(TypeError::BadSignature { .. })
    ));
}

#[test]
fn an_invalid_signature_fails_naming_digest_and_key() {
    let digest = digest_of(MODULE);
    let good = sign(&SECRET, &digest);
    for bit in [0, 7, 100, 255, 256, 300, 511] {
        let mut bytes = good;
        bytes[bit / 8] ^= 1 << (bit % 8);
        let error = check_signed(key(), Signature::from_bytes(&bytes), 5).unwrap_err();
        assert_eq!(
            error,
            TypeError::BadSignature {
                digest,
                key: PUBLIC
            },
            "bit {bit}"
        );
    }
    let error = check_signed(key(), Signature::from_bytes(&[0; 64]), 5).unwrap_err();
    let digest_sri = wasmstream::integrity::Integrity::from_digest(digest);
    let digest_sri = format!("{digest_sri:?}");
    let digest_sri = &digest_sri["Integrity(".len()..digest_sri.len() - 1];
    assert_eq!(
        error.to_string(),
        format!(
            "type error: signature check failed: the signature is not public key \
             d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a's Ed25519 \
             signature of the module's digest {digest_sri}"
        )
    );
}

#[test]
fn a_signature_of_another_module_fails() {
    let other = sign(&SECRET, &digest_of(b"\0asm\x01\0\0\0"));
    let error = check_signed(key(), Signature::from_bytes(&other), 3).unwrap_err();
    assert!(matches!(error, TypeError::BadSignature { .. }));
}

#[test]
fn a_signature_by_another_key_fails() {
    let digest = digest_of(MODULE);
    let other_secret = [7u8; 32];
    let signature = Signature::from_bytes(&sign(&other_secret, &digest));
    // Valid for its own key …
    let other_key = SigningKey::from_bytes(&other_secret)
        .verifying_key()
        .to_bytes();
    assert_eq!(
        check_signed(
            PublicKey::from_bytes(&other_key).unwrap(),
            signature.clone(),
            4
        ),
        Ok(digest)
    );
    // … not for the firmware's.
    let error = check_signed(key(), signature, 4).unwrap_err();
    assert_eq!(
        error,
        TypeError::BadSignature {
            digest,
            key: PUBLIC
        }
    );
}

#[test]
fn a_truncated_or_missing_signature_is_refused() {
    let good = sign(&SECRET, &digest_of(MODULE));
    for len in [0, 1, 32, 63] {
        assert_eq!(
            Signature::from_slice(&good[..len]),
            Err(TypeError::SignatureLength { found: len })
        );
    }
    let mut long = good.to_vec();
    long.push(0);
    assert_eq!(
        Signature::from_slice(&long),
        Err(TypeError::SignatureLength { found: 65 })
    );
    assert_eq!(
        Signature::from_slice(&[]).unwrap_err().to_string(),
        "type error: signature is 0 bytes, an Ed25519 signature is 64"
    );
    let exact = Signature::from_slice(&good).unwrap();
    assert_eq!(exact.to_bytes(), good);
    assert_eq!(check_signed(key(), exact, 64), Ok(digest_of(MODULE)));
}

/// RFC 8032 requires S < L; S + L verifies under the curve equation alone,
/// so accepting it would give every signature a second, malleated form.
#[test]
fn a_non_canonical_s_is_refused() {
    let digest = digest_of(MODULE);
    let good = sign(&SECRET, &digest);
    let mut malleated = good;
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(good[32 + i]) + u16::from(L[i]) + carry;
        malleated[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    let error = check_signed(key(), Signature::from_bytes(&malleated), 8).unwrap_err();
    assert_eq!(
        error,
        TypeError::BadSignature {
            digest,
            key: PUBLIC
        }
    );
}

/// Keys that are not curve points are refused when built, as ed25519-dalek
/// refuses them.
#[test]
fn a_public_key_off_the_curve_is_refused() {
    let mut refused = Vec::new();
    for y in 2u8..40 {
        let mut bytes = [0u8; 32];
        bytes[0] = y;
        let dalek = ed25519_dalek::VerifyingKey::from_bytes(&bytes).is_ok();
        let ours = PublicKey::from_bytes(&bytes);
        assert_eq!(ours.is_ok(), dalek, "y = {y}");
        if let Err(error) = ours {
            assert_eq!(error, TypeError::BadPublicKey { key: bytes });
            refused.push(error);
        }
    }
    let Some(TypeError::BadPublicKey { key }) = refused.first() else {
        panic!("no candidate was off the curve")
    };
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        refused[0].to_string(),
        format!("type error: public key {hex} is not a valid Ed25519 key")
    );
}
