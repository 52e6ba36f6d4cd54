//! `defmt::Format` for every error type (feature `defmt`), so firmware that
//! logs with defmt prints the same one-line messages as `Display`.
//!
//! The messages are built on the device with `core::fmt` (through
//! [`defmt::Display2Format`]): they carry names and types that are only
//! known at run time, and the crate keeps one wording for both outputs.

use defmt::{Display2Format, Format, Formatter, write};

use crate::staging::StagingError;

use super::{
    CompileError, Error, ExternKind, IndexType, LimitExceeded, LinkError, RuntimeError, TypeError,
};

impl<E: Format> Format for Error<E> {
    fn format(&self, f: Formatter<'_>) {
        match self {
            Error::Type(e) => e.format(f),
            Error::Compile(e) => e.format(f),
            Error::Link(e) => e.format(f),
            Error::Runtime(e) => e.format(f),
            Error::Staging(e) => e.format(f),
            Error::Abort => write!(f, "AbortError: the caller aborted the load"),
            Error::Io(e) => write!(f, "read error: {}", e),
        }
    }
}

impl Format for TypeError {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{}", Display2Format(self));
    }
}

impl Format for CompileError {
    fn format(&self, f: Formatter<'_>) {
        write!(
            f,
            "compile error at byte {=u64}: {=str}",
            self.offset(),
            self.message()
        );
    }
}

impl Format for LinkError {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{}", Display2Format(self));
    }
}

impl Format for ExternKind {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{}", Display2Format(self));
    }
}

impl Format for IndexType {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{}", Display2Format(self));
    }
}

impl Format for RuntimeError {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{}", Display2Format(self));
    }
}

impl Format for LimitExceeded {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{}", Display2Format(self));
    }
}

impl Format for StagingError {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{}", Display2Format(self));
    }
}

#[cfg(feature = "flash")]
impl Format for crate::staging::InstallError {
    fn format(&self, f: Formatter<'_>) {
        write!(f, "{}", Display2Format(self));
    }
}
