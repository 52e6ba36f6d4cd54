//! [`TypeError`]: the source is not a usable response, or an import
//! namespace is missing.

use alloc::string::String;
use core::fmt;

/// The JS API's `TypeError`: the source is not a usable response, or an
/// import namespace is missing from the import object.
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
