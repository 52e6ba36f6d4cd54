//! Ed25519 signatures over a module's SHA-256 digest (feature `signature`):
//! [`PublicKey`] and [`Signature`].
//!
//! The signed message is the 32 bytes of the module's SHA-256 digest, so a
//! signer needs only the digest (`sha256sum`) and any Ed25519 tool; the
//! firmware verifies after the last byte without keeping the module.
//! Verification is [`salty`]'s, chosen for its flash cost on Cortex-M (see
//! `docs/embedded.md`), plus the RFC 8032 check that `S` is below the group
//! order, which salty leaves out (so no signature has a second, malleated form).

use core::fmt;

use crate::error::TypeError;
use crate::integrity::sri::Digest;

/// An Ed25519 public key the firmware holds, decoded once.
///
/// ```
/// use wasmstream::integrity::PublicKey;
///
/// // RFC 8032, section 7.1, TEST 1.
/// let key = PublicKey::from_bytes(&[
///     0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
///     0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
/// ])?;
/// assert_eq!(key.to_bytes()[0], 0xd7);
/// # Ok::<(), wasmstream::TypeError>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct PublicKey {
    key: salty::PublicKey,
    bytes: [u8; 32],
}

impl PublicKey {
    /// Decodes a 32-byte Ed25519 public key.
    ///
    /// # Errors
    ///
    /// [`TypeError::BadPublicKey`] when the bytes are not a point of the curve.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, TypeError> {
        match salty::PublicKey::try_from(bytes) {
            Ok(key) => Ok(PublicKey { key, bytes: *bytes }),
            Err(_) => Err(TypeError::BadPublicKey { key: *bytes }),
        }
    }

    /// The key's 32 bytes, as given (see the type's example).
    #[must_use]
    pub fn to_bytes(&self) -> [u8; 32] {
        self.bytes
    }

    /// `Ok` when `signature` is this key's signature of `digest`.
    ///
    /// # Errors
    ///
    /// [`TypeError::BadSignature`], naming the digest and the key, when it
    /// is not (wrong key, other module, corrupted signature).
    ///
    /// ```
    /// use wasmstream::TypeError;
    /// use wasmstream::integrity::{PublicKey, Signature};
    ///
    /// let key = PublicKey::from_bytes(&[
    ///     0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    ///     0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
    /// ])?;
    /// let forged = Signature::from_bytes(&[0; 64]);
    /// let error = key.verify(&[0; 32], &forged).unwrap_err();
    /// assert!(matches!(error, TypeError::BadSignature { .. }));
    /// # Ok::<(), TypeError>(())
    /// ```
    pub fn verify(&self, digest: &Digest, signature: &Signature) -> Result<(), TypeError> {
        let s = salty::Scalar::from(&signature.s());
        let verified = s.is_canonical()
            && self
                .key
                .verify(digest, &salty::Signature::from(&signature.bytes))
                .is_ok();
        if verified {
            Ok(())
        } else {
            Err(TypeError::BadSignature {
                digest: *digest,
                key: self.bytes,
            })
        }
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", Key(&self.bytes))
    }
}

/// A detached Ed25519 signature: 64 bytes, `R` then `S`.
///
/// ```
/// use wasmstream::TypeError;
/// use wasmstream::integrity::Signature;
///
/// let truncated = Signature::from_slice(&[0; 63]);
/// assert_eq!(truncated, Err(TypeError::SignatureLength { found: 63 }));
/// assert!(Signature::from_slice(&[0; 64]).is_ok());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    bytes: [u8; 64],
}

impl Signature {
    /// A signature from its 64 bytes. Whether it is valid is known only when
    /// it is verified.
    ///
    /// ```
    /// use wasmstream::integrity::Signature;
    ///
    /// assert_eq!(Signature::from_bytes(&[3; 64]).to_bytes(), [3; 64]);
    /// ```
    #[must_use]
    pub fn from_bytes(bytes: &[u8; 64]) -> Self {
        Signature { bytes: *bytes }
    }

    /// A signature from bytes received (a file, a header).
    ///
    /// # Errors
    ///
    /// [`TypeError::SignatureLength`] unless there are exactly 64 bytes; an
    /// empty slice is a missing signature.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, TypeError> {
        match <&[u8; 64]>::try_from(bytes) {
            Ok(bytes) => Ok(Signature::from_bytes(bytes)),
            Err(_) => Err(TypeError::SignatureLength { found: bytes.len() }),
        }
    }

    /// The signature's 64 bytes (see [`from_bytes`](Self::from_bytes)).
    #[must_use]
    pub fn to_bytes(&self) -> [u8; 64] {
        self.bytes
    }

    fn s(&self) -> [u8; 32] {
        let mut s = [0; 32];
        s.copy_from_slice(&self.bytes[32..]);
        s
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signature(")?;
        for byte in self.bytes {
            write!(f, "{byte:02x}")?;
        }
        f.write_str(")")
    }
}

/// A key in hex, as key files and `xxd -p` show it.
pub(crate) struct Key<'a>(pub(crate) &'a [u8; 32]);

impl fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}
