//! [`LinkError`]: an import that the import object cannot satisfy.

use alloc::string::String;
use core::fmt;

/// The JS API's `LinkError`: an import is missing from its namespace, or the
/// value provided has the wrong kind or type.
///
/// The fields are data, so code can match on them; `Display` gives one line
/// in the style of V8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError {
    /// The import's position in the module's import section.
    pub index: u32,
    /// The import's namespace (module name).
    pub module: String,
    /// The import's name within the namespace.
    pub name: String,
    /// What is wrong.
    pub reason: LinkErrorReason,
}

/// Why an import could not be linked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkErrorReason {
    /// The namespace has no definition with this name.
    MissingName,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "link error: import #{} {:?} {:?}: ",
            self.index, self.module, self.name
        )?;
        match &self.reason {
            LinkErrorReason::MissingName => f.write_str("no such name in the import object"),
        }
    }
}

impl core::error::Error for LinkError {}
