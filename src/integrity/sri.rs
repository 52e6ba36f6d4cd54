//! [`Integrity`]: the SHA-256 digests a module may have, from Subresource
//! Integrity metadata or given as raw bytes.

use alloc::string::String;
use core::fmt;

use crate::error::TypeError;

/// How many `sha256-…` alternatives [`Integrity::from_sri`] keeps: enough for
/// a release and its predecessor or two, without an allocation.
///
/// ```
/// assert_eq!(wasmstream::integrity::MAX_SRI_ALTERNATIVES, 4);
/// ```
pub const MAX_SRI_ALTERNATIVES: usize = 4;

/// A SHA-256 digest, 32 bytes.
///
/// ```
/// let digest: wasmstream::integrity::Digest = [0; 32];
/// assert_eq!(digest.len(), 32);
/// ```
pub type Digest = [u8; 32];

/// The SHA-256 digests a module is allowed to have: it passes when its digest
/// is any one of them.
///
/// Built from SRI metadata ([`from_sri`](Integrity::from_sri), the
/// `integrity` option of `fetch()`) or from a raw digest
/// ([`from_digest`](Integrity::from_digest)). An `Integrity` always holds at
/// least one digest: metadata with nothing checkable in it is refused rather
/// than taken as "no check" (see [`from_sri`](Integrity::from_sri)).
///
/// ```
/// use wasmstream::integrity::Integrity;
///
/// // SHA-256 of the empty string.
/// let integrity = Integrity::from_sri("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")?;
/// assert_eq!(integrity.digests()[0][..4], [0xe3, 0xb0, 0xc4, 0x42]);
/// assert_eq!(Integrity::from_digest(integrity.digests()[0]), integrity);
/// # Ok::<(), wasmstream::TypeError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Integrity {
    digests: heapless::Vec<Digest, MAX_SRI_ALTERNATIVES>,
}

impl Integrity {
    /// The module must have exactly this SHA-256 digest.
    ///
    /// ```
    /// use wasmstream::integrity::Integrity;
    ///
    /// let integrity = Integrity::from_digest([7; 32]);
    /// assert!(integrity.matches(&[7; 32]));
    /// assert!(!integrity.matches(&[8; 32]));
    /// ```
    #[must_use]
    pub fn from_digest(digest: Digest) -> Self {
        let mut digests = heapless::Vec::new();
        // Cannot fail: the vector is empty and holds at least one.
        let _ = digests.push(digest);
        Integrity { digests }
    }

    /// Parses SRI metadata as the SRI spec's "parse metadata" does: tokens
    /// separated by ASCII whitespace, each `algorithm-base64value`, options
    /// after a `?` stripped. Tokens of other algorithms (`sha384-…`,
    /// `sha512-…`, `md5-…`) and malformed tokens are ignored; the algorithm
    /// name is matched ASCII case-insensitively. A `sha256` value must be the
    /// padded standard base64 of 32 bytes (44 characters ending in `=`), the
    /// form the SRI spec compares against; any other value can never match a
    /// digest and is ignored like a malformed token.
    ///
    /// The module passes if its digest is any of the `sha256` values (the SRI
    /// rule for several values of one algorithm). A browser supporting SHA-384
    /// would check only the "strongest" algorithm present; wasmstream supports
    /// only SHA-256, so it checks the `sha256` values and ignores stronger
    /// ones, which is still a full check: passing needs a SHA-256 the
    /// publisher listed.
    ///
    /// # Errors
    ///
    /// [`TypeError::IntegrityMetadata`] when no `sha256` value is usable
    /// (empty metadata, only other algorithms, only malformed values), or
    /// [`TypeError::TooManyDigests`] past [`MAX_SRI_ALTERNATIVES`]. SRI would
    /// load such a resource unchecked; a firmware that asked for a check and
    /// mistyped its metadata would then run an unchecked module, so
    /// wasmstream refuses instead. To load without a check, do not ask for one.
    ///
    /// ```
    /// use wasmstream::TypeError;
    /// use wasmstream::integrity::Integrity;
    ///
    /// let empty = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    /// let other = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    /// let both = Integrity::from_sri(&format!("md5-xyz {empty}?ct=wasm\n{other}"))?;
    /// assert_eq!(both.digests().len(), 2);
    ///
    /// let error = Integrity::from_sri("sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb");
    /// assert!(matches!(error, Err(TypeError::IntegrityMetadata { .. })));
    /// # Ok::<(), TypeError>(())
    /// ```
    pub fn from_sri(metadata: &str) -> Result<Self, TypeError> {
        let mut digests = heapless::Vec::new();
        for token in metadata.split(|c: char| c.is_ascii_whitespace()) {
            let expression = token.split('?').next().unwrap_or("");
            let mut parts = expression.split('-');
            let algorithm = parts.next().unwrap_or("");
            let value = parts.next().unwrap_or("");
            if !algorithm.eq_ignore_ascii_case("sha256") {
                continue;
            }
            let Some(digest) = decode_base64_digest(value) else {
                continue;
            };
            if !digests.contains(&digest) && digests.push(digest).is_err() {
                return Err(TypeError::TooManyDigests {
                    limit: MAX_SRI_ALTERNATIVES,
                });
            }
        }
        if digests.is_empty() {
            return Err(TypeError::IntegrityMetadata {
                metadata: truncated(metadata),
            });
        }
        Ok(Integrity { digests })
    }

    /// The digests the module may have (at least one).
    ///
    /// ```
    /// use wasmstream::integrity::Integrity;
    ///
    /// assert_eq!(Integrity::from_digest([1; 32]).digests(), [[1; 32]]);
    /// ```
    #[must_use]
    pub fn digests(&self) -> &[Digest] {
        &self.digests
    }

    /// Whether `digest` is one of the allowed digests.
    #[must_use]
    pub fn matches(&self, digest: &Digest) -> bool {
        self.digests.contains(digest)
    }

    /// `Ok` when `actual` is allowed, otherwise the integrity failure the
    /// Fetch spec reports as a network error: [`TypeError::IntegrityMismatch`],
    /// which names both digests.
    ///
    /// ```
    /// use wasmstream::integrity::Integrity;
    ///
    /// let error = Integrity::from_digest([0; 32]).check(&[0xff; 32]).unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "type error: integrity check failed: the module's digest is \
    ///      sha256-//////////////////////////////////////////8=, expected \
    ///      sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    /// );
    /// ```
    pub fn check(&self, actual: &Digest) -> Result<(), TypeError> {
        if self.matches(actual) {
            return Ok(());
        }
        Err(TypeError::IntegrityMismatch {
            expected: self.digests.iter().copied().collect(),
            actual: *actual,
        })
    }
}

impl fmt::Debug for Integrity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Integrity(")?;
        write_sri_list(f, &self.digests)?;
        f.write_str(")")
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// 32 bytes are 43 base64 characters and one `=`: 42 characters carry six
/// bits each, the 43rd the last four bits and two zero bits.
const DIGEST_BASE64_LEN: usize = 44;

/// `sha256-<base64>` of `digest`, as SRI metadata writes it.
pub(crate) struct Sri<'a>(pub(crate) &'a Digest);

impl fmt::Display for Sri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [b'='; DIGEST_BASE64_LEN];
        let mut bits = 0u32;
        let mut pending = 0;
        let mut next = 0;
        for &byte in self.0 {
            bits = (bits << 8) | u32::from(byte);
            pending += 8;
            while pending >= 6 {
                pending -= 6;
                out[next] = BASE64[(bits >> pending) as usize & 63];
                next += 1;
            }
        }
        // The last four bits, padded with two zero bits.
        out[next] = BASE64[(bits << (6 - pending)) as usize & 63];
        // Only ASCII was written.
        let text = core::str::from_utf8(&out).map_err(|_| fmt::Error)?;
        write!(f, "sha256-{text}")
    }
}

/// `sha256-A, sha256-B, …`.
pub(crate) fn write_sri_list(f: &mut fmt::Formatter<'_>, digests: &[Digest]) -> fmt::Result {
    for (i, digest) in digests.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}", Sri(digest))?;
    }
    Ok(())
}

/// At most the first 64 bytes of `metadata` (cut at a character boundary),
/// for an error message that stays one readable line.
fn truncated(metadata: &str) -> String {
    let mut end = metadata.len().min(64);
    while !metadata.is_char_boundary(end) {
        end -= 1;
    }
    String::from(&metadata[..end])
}

/// The digest whose canonical padded base64 is `value`, or `None`.
fn decode_base64_digest(value: &str) -> Option<Digest> {
    let value = value.as_bytes();
    if value.len() != DIGEST_BASE64_LEN || value[DIGEST_BASE64_LEN - 1] != b'=' {
        return None;
    }
    let mut digest = [0u8; 32];
    let mut bits = 0u32;
    let mut pending = 0;
    let mut next = 0;
    for &c in &value[..DIGEST_BASE64_LEN - 1] {
        let sextet = BASE64.iter().position(|&b| b == c)? as u32;
        bits = (bits << 6) | sextet;
        pending += 6;
        if pending >= 8 {
            pending -= 8;
            digest[next] = (bits >> pending) as u8;
            next += 1;
        }
    }
    // Two bits are left over; a canonical encoding has them zero, so each
    // digest has exactly one spelling (the one SRI compares against).
    (bits & 0b11 == 0).then_some(digest)
}
