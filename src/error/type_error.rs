//! [`TypeError`]: the source is not a usable response (its status, its
//! `Content-Type`, its HTTP framing), an import namespace is missing, or the
//! module failed its integrity or signature check.

use alloc::string::String;
#[cfg(feature = "integrity")]
use alloc::vec::Vec;
use core::fmt;

/// The JS API's `TypeError`: the source is not a usable response, an import
/// namespace is missing from the import object, or the bytes failed as the
/// Fetch spec's network errors do (integrity, signature, a reader that keeps
/// being interrupted).
///
/// The variants about HTTP heads, redirects and chunked bodies exist with
/// the `http` feature, so a firmware without it carries none of their
/// messages.
///
/// ```
/// use wasmstream::{Response, TypeError};
///
/// let error = Response::new(200, None, &b""[..]).check().unwrap_err();
/// assert_eq!(error, TypeError::MissingContentType);
/// assert_eq!(
///     error.to_string(),
///     r#"type error: response has no Content-Type, expected "application/wasm""#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TypeError {
    /// The response has no `Content-Type` header.
    MissingContentType,
    /// The `Content-Type` is not `application/wasm`; `found` is the header
    /// value as received (lossily decoded, truncated to 64 bytes).
    WrongContentType {
        /// The header value as received.
        found: String,
    },
    /// The HTTP status is outside 200–299.
    BadStatus {
        /// The status code received.
        status: u16,
    },
    /// The module imports from a namespace the import object does not have.
    MissingNamespace {
        /// The import's position in the module's import section (the JS API's
        /// numbering), for every call that reads imports.
        index: u32,
        /// The missing namespace.
        module: String,
        /// The name imported from it.
        name: String,
    },
    /// The HTTP response head (status line and headers) does not fit the
    /// buffer it is read into.
    #[cfg(feature = "http")]
    HeadTooLarge {
        /// The buffer's size in bytes.
        capacity: usize,
    },
    /// The stream ended before the HTTP response head was complete.
    #[cfg(feature = "http")]
    HeadIncomplete {
        /// Bytes of the head received.
        received: usize,
    },
    /// The stream does not start with an HTTP/1.x status line.
    #[cfg(feature = "http")]
    BadStatusLine {
        /// The start of what came instead (at most 40 bytes, lossily decoded).
        line: String,
    },
    /// A malformed HTTP header line.
    #[cfg(feature = "http")]
    BadHeader {
        /// Offset of the line in the response head.
        offset: usize,
        /// The line (at most 40 bytes, lossily decoded).
        line: String,
    },
    /// A byte outside ASCII in an HTTP header line.
    #[cfg(feature = "http")]
    NonAsciiHeader {
        /// Offset of the byte in the response head.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// The HTTP response has more header lines than the parser holds.
    #[cfg(feature = "http")]
    TooManyHeaders {
        /// The most header lines accepted.
        max: usize,
    },
    /// A `Content-Length` that is not one decimal length (or several that differ).
    #[cfg(feature = "http")]
    BadContentLength {
        /// The header value as received.
        found: String,
    },
    /// A `Transfer-Encoding` other than `chunked`.
    #[cfg(feature = "http")]
    UnsupportedTransferEncoding {
        /// The header value as received.
        found: String,
    },
    /// A redirect (status 301, 302, 303, 307 or 308), which is not followed.
    #[cfg(feature = "http")]
    Redirect {
        /// The status code received.
        status: u16,
        /// The `Location` header value, if there was one.
        location: Option<String>,
    },
    /// The body ended before its known length (`Content-Length`): the Fetch
    /// spec's network error.
    BodyTooShort {
        /// The body's length as announced.
        expected: u64,
        /// The bytes received before the stream ended.
        received: u64,
    },
    /// A `Transfer-Encoding: chunked` body that breaks the chunked framing.
    #[cfg(feature = "http")]
    BadChunkedBody {
        /// Offset of the offending byte in the body as transferred (chunk
        /// framing included), counted from the end of the head.
        offset: u64,
        /// What is wrong there.
        problem: &'static str,
    },
    /// The reader returned `Interrupted` `retries` times in a row at stream
    /// offset `offset`: it is not going to make progress.
    ReadInterrupted {
        /// The stream offset the reads were for.
        offset: u64,
        /// How many reads in a row were interrupted.
        retries: u32,
    },
    /// SRI metadata with no `sha256` value wasmstream can check (empty,
    /// other algorithms only, or malformed values). SRI would skip the check;
    /// wasmstream refuses. `metadata` is the text given (at most 64 bytes).
    #[cfg(feature = "integrity")]
    IntegrityMetadata {
        /// The metadata as given, truncated to 64 bytes.
        metadata: String,
    },
    /// SRI metadata with more distinct `sha256` values than
    /// [`MAX_SRI_ALTERNATIVES`](crate::integrity::MAX_SRI_ALTERNATIVES).
    #[cfg(feature = "integrity")]
    TooManyDigests {
        /// The most distinct values kept.
        limit: usize,
    },
    /// The module's SHA-256 is none of the expected digests: the Fetch
    /// spec's integrity failure.
    #[cfg(feature = "integrity")]
    IntegrityMismatch {
        /// The digests the module could have had.
        expected: Vec<[u8; 32]>,
        /// The module's digest.
        actual: [u8; 32],
    },
    /// The Ed25519 public key is not a point of the curve.
    #[cfg(feature = "signature")]
    BadPublicKey {
        /// The key's bytes.
        key: [u8; 32],
    },
    /// The signature is not 64 bytes (0 when it is missing).
    #[cfg(feature = "signature")]
    SignatureLength {
        /// The length received.
        found: usize,
    },
    /// The Ed25519 signature does not verify: not `key`'s signature of the
    /// module's `digest` (wrong key, other module, corrupted signature).
    #[cfg(feature = "signature")]
    BadSignature {
        /// The module's SHA-256, the signed message.
        digest: [u8; 32],
        /// The public key checked against.
        key: [u8; 32],
    },
    /// The module was compiled for another engine than the store's (the
    /// JS API's TypeError for an argument that is not a module of this
    /// agent).
    ModuleEngineMismatch,
    /// The import object belongs to another engine than the store (the JS
    /// API's TypeError for an unusable `importObject`).
    ImportsEngineMismatch,
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeError::MissingContentType => f.write_str(
                "type error: response has no Content-Type, expected \"application/wasm\"",
            ),
            TypeError::WrongContentType { found } => write!(
                f,
                "type error: response Content-Type is {found:?}, expected \"application/wasm\""
            ),
            TypeError::BadStatus { status } => write!(
                f,
                "type error: response status {status} is not ok (expected 200-299)"
            ),
            TypeError::MissingNamespace {
                index,
                module,
                name,
            } => write!(
                f,
                "type error: import #{index} {module:?} {name:?}: module is not an object or function (no namespace {module:?} in the import object)"
            ),
            #[cfg(feature = "http")]
            TypeError::HeadTooLarge { capacity } => write!(
                f,
                "type error: HTTP response head is larger than its {capacity}-byte buffer"
            ),
            #[cfg(feature = "http")]
            TypeError::HeadIncomplete { received } => write!(
                f,
                "type error: stream ended after {received} bytes, inside the HTTP response head"
            ),
            #[cfg(feature = "http")]
            TypeError::BadStatusLine { line } => write!(
                f,
                "type error: not an HTTP/1.x status line at byte 0: {line:?}"
            ),
            #[cfg(feature = "http")]
            TypeError::BadHeader { offset, line } => write!(
                f,
                "type error: malformed HTTP header line at byte {offset}: {line:?}"
            ),
            #[cfg(feature = "http")]
            TypeError::NonAsciiHeader { offset, byte } => write!(
                f,
                "type error: non-ASCII byte 0x{byte:02x} in an HTTP header at byte {offset}"
            ),
            #[cfg(feature = "http")]
            TypeError::TooManyHeaders { max } => write!(
                f,
                "type error: HTTP response has more than {max} header lines"
            ),
            #[cfg(feature = "http")]
            TypeError::BadContentLength { found } => write!(
                f,
                "type error: HTTP Content-Length {found:?} is not one decimal length"
            ),
            #[cfg(feature = "http")]
            TypeError::UnsupportedTransferEncoding { found } => write!(
                f,
                "type error: HTTP Transfer-Encoding {found:?} is not supported (only \"chunked\")"
            ),
            #[cfg(feature = "http")]
            TypeError::Redirect {
                status,
                location: Some(location),
            } => write!(
                f,
                "type error: response status {status} redirects to {location:?}; redirects are not followed"
            ),
            #[cfg(feature = "http")]
            TypeError::Redirect {
                status,
                location: None,
            } => write!(
                f,
                "type error: response status {status} is a redirect without a Location; redirects are not followed"
            ),
            TypeError::BodyTooShort { expected, received } => write!(
                f,
                "type error: response body ended after {received} bytes, expected {expected}"
            ),
            #[cfg(feature = "http")]
            TypeError::BadChunkedBody { offset, problem } => write!(
                f,
                "type error: malformed chunked body at byte {offset} of the body: {problem}"
            ),
            TypeError::ReadInterrupted { offset, retries } => write!(
                f,
                "type error: network error at byte {offset}: the read was interrupted {retries} times in a row"
            ),
            #[cfg(feature = "integrity")]
            TypeError::IntegrityMetadata { metadata } => write!(
                f,
                "type error: integrity metadata {metadata:?} has no usable sha256-<base64> value (only sha256 is supported; the value is the padded base64 of 32 bytes)"
            ),
            #[cfg(feature = "integrity")]
            TypeError::TooManyDigests { limit } => write!(
                f,
                "type error: integrity metadata lists more than {limit} distinct sha256 values, the most wasmstream checks"
            ),
            #[cfg(feature = "integrity")]
            TypeError::IntegrityMismatch { expected, actual } => {
                write!(
                    f,
                    "type error: integrity check failed: the module's digest is {}, expected ",
                    crate::integrity::Sri(actual)
                )?;
                if expected.len() > 1 {
                    f.write_str("one of ")?;
                }
                crate::integrity::write_sri_list(f, expected)
            }
            #[cfg(feature = "signature")]
            TypeError::BadPublicKey { key } => write!(
                f,
                "type error: public key {} is not a valid Ed25519 key",
                crate::integrity::Key(key)
            ),
            #[cfg(feature = "signature")]
            TypeError::SignatureLength { found } => write!(
                f,
                "type error: signature is {found} bytes, an Ed25519 signature is 64"
            ),
            #[cfg(feature = "signature")]
            TypeError::BadSignature { digest, key } => write!(
                f,
                "type error: signature check failed: the signature is not public key {}'s Ed25519 signature of the module's digest {}",
                crate::integrity::Key(key),
                crate::integrity::Sri(digest)
            ),
            TypeError::ModuleEngineMismatch => f.write_str(
                "type error: the module was compiled for another engine than the store's",
            ),
            TypeError::ImportsEngineMismatch => f.write_str(
                "type error: the import object belongs to another engine than the store",
            ),
        }
    }
}

impl core::error::Error for TypeError {}
