//! Integrity (feature `integrity`) and signatures (feature `signature`):
//! SHA-256 over every streamed byte, checked against the digests a module may
//! have and, optionally, an Ed25519 signature of that digest — before wasmi
//! builds anything.
//!
//! This layer is sans-IO: a driver feeds [`IntegrityCheck::update`] every
//! byte it reads (custom sections included, in stream order) and calls
//! [`IntegrityCheck::check`] after the last one. A failure is a
//! [`TypeError`], as the Fetch spec reports an integrity failure (a network
//! error), and nothing may be compiled into wasmi or run.
//!
//! ```
//! use wasmstream::integrity::{Integrity, IntegrityCheck};
//!
//! let module = b"\0asm\x01\0\0\0";
//! let digest = {
//!     let mut check = IntegrityCheck::new(Integrity::from_digest([0; 32]));
//!     check.update(module);
//!     check.digest()
//! };
//! // Any chunking gives the same digest.
//! let mut check = IntegrityCheck::new(Integrity::from_digest(digest));
//! for chunk in module.chunks(3) {
//!     check.update(chunk);
//! }
//! assert_eq!(check.check()?, digest);
//! # Ok::<(), wasmstream::TypeError>(())
//! ```

#[cfg(feature = "signature")]
mod signature;
mod sri;

use sha2::{Digest as _, Sha256};

use crate::error::TypeError;
#[cfg(feature = "signature")]
pub use signature::{PublicKey, Signature};
pub use sri::{Digest, Integrity, MAX_SRI_ALTERNATIVES};

#[cfg(feature = "signature")]
pub(crate) use signature::Key;
pub(crate) use sri::{Sri, write_sri_list};

/// SHA-256 over a module as it streams, and what the digest must be: one of
/// an [`Integrity`]'s digests, an Ed25519 signature's message, or both.
///
/// Feed it every byte with [`update`](Self::update), then
/// [`check`](Self::check). The integrity digests are compared first, then
/// the signature is verified. It holds the hash state (about 100 bytes) and
/// what it checks against; it allocates only to report a mismatch.
///
/// ```
/// use wasmstream::TypeError;
/// use wasmstream::integrity::{Integrity, IntegrityCheck};
///
/// let expected = Integrity::from_sri("sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")?; // "abc"
/// let mut check = IntegrityCheck::new(expected.clone());
/// check.update(b"abd");
/// assert!(matches!(check.check(), Err(TypeError::IntegrityMismatch { .. })));
///
/// let mut check = IntegrityCheck::new(expected);
/// check.update(b"abc");
/// assert_eq!(check.check()?[0], 0xba);
/// # Ok::<(), TypeError>(())
/// ```
#[derive(Clone)]
pub struct IntegrityCheck {
    hasher: Sha256,
    expected: Option<Integrity>,
    #[cfg(feature = "signature")]
    signed_by: Option<(PublicKey, Signature)>,
}

impl IntegrityCheck {
    /// The module's digest must be one of `expected`'s.
    ///
    /// ```
    /// use wasmstream::integrity::{Integrity, IntegrityCheck};
    ///
    /// let check = IntegrityCheck::new(Integrity::from_digest([0; 32]));
    /// assert!(check.check().is_err()); // no bytes: the empty string's digest
    /// ```
    #[must_use]
    pub fn new(expected: Integrity) -> Self {
        IntegrityCheck {
            hasher: Sha256::new(),
            expected: Some(expected),
            #[cfg(feature = "signature")]
            signed_by: None,
        }
    }

    /// The module's digest must be what `key` signed in `signature`; no
    /// digest is given in advance.
    ///
    /// ```
    /// use wasmstream::integrity::{IntegrityCheck, PublicKey, Signature};
    ///
    /// let key = PublicKey::from_bytes(&[
    ///     0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    ///     0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
    /// ])?;
    /// let mut check = IntegrityCheck::signed(key, Signature::from_bytes(&[0; 64]));
    /// check.update(b"\0asm\x01\0\0\0");
    /// assert!(check.check().is_err()); // not a signature of this module
    /// # Ok::<(), wasmstream::TypeError>(())
    /// ```
    #[cfg(feature = "signature")]
    #[must_use]
    pub fn signed(key: PublicKey, signature: Signature) -> Self {
        IntegrityCheck {
            hasher: Sha256::new(),
            expected: None,
            signed_by: Some((key, signature)),
        }
    }

    /// Also requires `key`'s `signature` of the digest.
    ///
    /// ```
    /// use wasmstream::integrity::{Integrity, IntegrityCheck, PublicKey, Signature};
    ///
    /// let key = PublicKey::from_bytes(&[
    ///     0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    ///     0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
    /// ])?;
    /// let check = IntegrityCheck::new(Integrity::from_digest([0; 32]))
    ///     .with_signature(key, Signature::from_bytes(&[0; 64]));
    /// assert!(check.check().is_err());
    /// # Ok::<(), wasmstream::TypeError>(())
    /// ```
    #[cfg(feature = "signature")]
    #[must_use]
    pub fn with_signature(mut self, key: PublicKey, signature: Signature) -> Self {
        self.signed_by = Some((key, signature));
        self
    }

    /// Hashes the next bytes of the stream (every byte, custom sections
    /// included, in stream order).
    ///
    /// ```
    /// use wasmstream::integrity::{Integrity, IntegrityCheck};
    ///
    /// let mut whole = IntegrityCheck::new(Integrity::from_digest([0; 32]));
    /// whole.update(b"\0asm\x01\0\0\0");
    /// let mut split = IntegrityCheck::new(Integrity::from_digest([0; 32]));
    /// split.update(b"\0as");
    /// split.update(b"m\x01\0\0\0");
    /// assert_eq!(whole.digest(), split.digest());
    /// ```
    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
    }

    /// The SHA-256 of the bytes fed so far; the check is not made and more
    /// bytes may follow.
    ///
    /// ```
    /// use wasmstream::integrity::{Integrity, IntegrityCheck};
    ///
    /// let check = IntegrityCheck::new(Integrity::from_digest([0; 32]));
    /// // SHA-256 of the empty string.
    /// assert_eq!(check.digest()[..4], [0xe3, 0xb0, 0xc4, 0x42]);
    /// ```
    #[must_use]
    pub fn digest(&self) -> Digest {
        self.hasher.clone().finalize().into()
    }

    /// Finishes the digest and checks it; returns it when it passes.
    ///
    /// # Errors
    ///
    /// [`TypeError::IntegrityMismatch`] naming both digests when it is not
    /// one of the expected digests; with a signature,
    /// [`TypeError::BadSignature`] when the signature does not verify.
    ///
    /// ```
    /// use wasmstream::integrity::{Integrity, IntegrityCheck};
    ///
    /// let empty = [
    ///     0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    ///     0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
    /// ];
    /// assert_eq!(IntegrityCheck::new(Integrity::from_digest(empty)).check(), Ok(empty));
    /// ```
    pub fn check(self) -> Result<Digest, TypeError> {
        let digest: Digest = self.hasher.finalize().into();
        if let Some(expected) = &self.expected {
            expected.check(&digest)?;
        }
        #[cfg(feature = "signature")]
        if let Some((key, signature)) = &self.signed_by {
            key.verify(&digest, signature)?;
        }
        Ok(digest)
    }
}

impl core::fmt::Debug for IntegrityCheck {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut s = f.debug_struct("IntegrityCheck");
        s.field("expected", &self.expected);
        #[cfg(feature = "signature")]
        s.field("signed_by", &self.signed_by);
        s.finish_non_exhaustive()
    }
}
