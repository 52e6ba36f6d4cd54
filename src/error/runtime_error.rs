//! [`RuntimeError`]: a trap or a broken resource limit while instantiating.

use core::fmt;

use wasmi::TrapCode;
use wasmi::errors::{ErrorKind, InstantiationError, MemoryError, TableError};

use super::link_error::ExternKind;
use crate::compile::Declared;

/// The JS API's `RuntimeError`: a trap while instantiating (the start
/// function trapped, or an active segment was out of bounds), or a resource
/// limit the instantiation broke (see [`limit_exceeded`](Self::limit_exceeded)).
/// Segments written before the trap stay written.
///
/// ```
/// use wasmstream::wasmi::{Store, TrapCode};
/// use wasmstream::{Config, Error, Imports, instantiate_streaming};
///
/// let engine = Config::new().engine();
/// let mut store = Store::new(&engine, ());
/// let wasm = wat::parse_str("(module (func $boom unreachable) (start $boom))")?;
/// match instantiate_streaming(&mut store, &wasm[..], &Imports::new(&engine)) {
///     Err(Error::Runtime(e)) => {
///         assert_eq!(e.trap_code(), Some(TrapCode::UnreachableCodeReached));
///         assert_eq!(e.limit_exceeded(), None);
///     }
///     other => panic!("expected a RuntimeError, got {other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct RuntimeError {
    error: wasmi::Error,
    /// Set when this crate refused a declared size before wasmi saw it.
    over_limit: Option<OverLimit>,
}

/// What a module declared against the limit it broke, for the message.
#[derive(Debug, Clone, Copy)]
struct OverLimit {
    /// The memory or table index; `None` for a count.
    index: Option<u32>,
    wanted: u64,
    limit: u64,
}

/// The resource limit an instantiation broke: one of the store's
/// [`ResourceLimits`](crate::ResourceLimits) (which hold in a store whose
/// limiter is [`Engine::store_limits`](crate::Engine::store_limits)), or
/// the store's fuel.
///
/// ```
/// use wasmstream::LimitExceeded;
///
/// assert!(LimitExceeded::MemoryBytes.to_string().contains("Config::max_memory_bytes"));
/// ```
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitExceeded {
    /// A linear memory larger than the limiter allows
    /// ([`Config::max_memory_bytes`](crate::Config::max_memory_bytes)).
    MemoryBytes,
    /// A table larger than the limiter allows
    /// ([`Config::max_table_elements`](crate::Config::max_table_elements)).
    TableElements,
    /// One instance more than the store may hold
    /// ([`Config::max_instances`](crate::Config::max_instances)).
    Instances,
    /// More linear memories than the store may hold
    /// ([`Config::max_memories`](crate::Config::max_memories)).
    Memories,
    /// More tables than the store may hold
    /// ([`Config::max_tables`](crate::Config::max_tables)).
    Tables,
    /// The start function grew a memory or table beyond a limit, with
    /// [`Config::trap_on_grow_failure`](crate::Config::trap_on_grow_failure) on.
    Growth,
    /// The store's fuel ran out ([`Config::consume_fuel`](crate::Config::consume_fuel),
    /// [`Store::set_fuel`](wasmi::Store::set_fuel)).
    Fuel,
}

impl LimitExceeded {
    /// What ran over, for the message `resource limit exceeded: …`. Short
    /// on purpose: these strings are in every firmware that prints a
    /// RuntimeError.
    fn what(self) -> &'static str {
        match self {
            LimitExceeded::MemoryBytes => "memory size",
            LimitExceeded::TableElements => "table size",
            LimitExceeded::Instances => "instances",
            LimitExceeded::Memories => "memories",
            LimitExceeded::Tables => "tables",
            LimitExceeded::Growth => "memory or table growth",
            LimitExceeded::Fuel => "out of fuel",
        }
    }

    /// The `Config` builder that sets this limit.
    fn setter(self) -> &'static str {
        match self {
            LimitExceeded::MemoryBytes => "Config::max_memory_bytes",
            LimitExceeded::TableElements => "Config::max_table_elements",
            LimitExceeded::Instances => "Config::max_instances",
            LimitExceeded::Memories => "Config::max_memories",
            LimitExceeded::Tables => "Config::max_tables",
            LimitExceeded::Growth => "Config::trap_on_grow_failure",
            LimitExceeded::Fuel => "Config::consume_fuel",
        }
    }
}

const LIMIT_EXCEEDED: &str = "resource limit exceeded: ";

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{LIMIT_EXCEEDED}{} ({})", self.what(), self.setter())
    }
}

impl RuntimeError {
    /// Wraps wasmi's error.
    ///
    /// ```
    /// use wasmstream::RuntimeError;
    /// use wasmstream::wasmi::{Error, TrapCode};
    ///
    /// let error = RuntimeError::new(Error::from(TrapCode::IntegerDivisionByZero));
    /// assert_eq!(error.to_string(), "runtime error: integer divide by zero");
    /// ```
    #[must_use]
    pub fn new(error: wasmi::Error) -> Self {
        RuntimeError {
            error,
            over_limit: None,
        }
    }

    /// The module defines `count` memories or tables, more than `limit`.
    pub(crate) fn too_many(kind: ExternKind, count: u32, limit: usize) -> Self {
        let error = match kind {
            ExternKind::Memory => InstantiationError::TooManyMemories,
            _ => InstantiationError::TooManyTables,
        };
        RuntimeError {
            error: wasmi::Error::from(error),
            over_limit: Some(OverLimit {
                index: None,
                wanted: u64::from(count),
                limit: limit as u64,
            }),
        }
    }

    /// The largest of the `declared` memories or tables starts with more
    /// bytes or elements than `limit`.
    pub(crate) fn too_large(kind: ExternKind, declared: &Declared, limit: usize) -> Self {
        let error = match kind {
            ExternKind::Memory => InstantiationError::FailedToInstantiateMemory(
                MemoryError::ResourceLimiterDeniedAllocation,
            ),
            _ => InstantiationError::FailedToInstantiateTable(
                TableError::ResourceLimiterDeniedAllocation,
            ),
        };
        RuntimeError {
            error: wasmi::Error::from(error),
            over_limit: Some(OverLimit {
                index: Some(declared.largest_index),
                wanted: declared.largest,
                limit: limit as u64,
            }),
        }
    }

    /// The trap code, when the error is a Wasm trap (running out of fuel is
    /// [`TrapCode::OutOfFuel`]).
    ///
    /// ```
    /// use wasmstream::RuntimeError;
    /// use wasmstream::wasmi::{Error, TrapCode};
    ///
    /// let error = RuntimeError::new(Error::from(TrapCode::MemoryOutOfBounds));
    /// assert_eq!(error.trap_code(), Some(TrapCode::MemoryOutOfBounds));
    /// ```
    #[must_use]
    pub fn trap_code(&self) -> Option<TrapCode> {
        self.error.as_trap_code()
    }

    /// The resource limit broken, when that is the error.
    ///
    /// ```
    /// use wasmstream::wasmi::{Error, TrapCode};
    /// use wasmstream::{LimitExceeded, RuntimeError};
    ///
    /// let error = RuntimeError::new(Error::from(TrapCode::OutOfFuel));
    /// assert_eq!(error.limit_exceeded(), Some(LimitExceeded::Fuel));
    /// ```
    #[must_use]
    pub fn limit_exceeded(&self) -> Option<LimitExceeded> {
        use InstantiationError::{
            FailedToInstantiateMemory, FailedToInstantiateTable, TooManyInstances, TooManyMemories,
            TooManyTables,
        };
        let limit = match self.error.kind() {
            ErrorKind::Instantiation(FailedToInstantiateMemory(
                MemoryError::ResourceLimiterDeniedAllocation,
            )) => LimitExceeded::MemoryBytes,
            ErrorKind::Instantiation(FailedToInstantiateTable(
                TableError::ResourceLimiterDeniedAllocation,
            )) => LimitExceeded::TableElements,
            ErrorKind::Instantiation(TooManyInstances) => LimitExceeded::Instances,
            ErrorKind::Instantiation(TooManyMemories) => LimitExceeded::Memories,
            ErrorKind::Instantiation(TooManyTables) => LimitExceeded::Tables,
            // `trap_code` also covers wasmi's other out-of-fuel errors, such
            // as running dry while a function is translated lazily.
            _ => match self.trap_code() {
                Some(TrapCode::OutOfFuel) => LimitExceeded::Fuel,
                Some(TrapCode::GrowthOperationLimited) => LimitExceeded::Growth,
                _ => return None,
            },
        };
        Some(limit)
    }

    /// wasmi's error.
    ///
    /// ```
    /// use wasmstream::RuntimeError;
    /// use wasmstream::wasmi::{Error, TrapCode};
    ///
    /// let error = RuntimeError::new(Error::from(TrapCode::StackOverflow));
    /// assert_eq!(error.wasmi_error().as_trap_code(), Some(TrapCode::StackOverflow));
    /// ```
    #[must_use]
    pub fn wasmi_error(&self) -> &wasmi::Error {
        &self.error
    }

    /// Unwraps wasmi's error.
    ///
    /// ```
    /// use wasmstream::RuntimeError;
    /// use wasmstream::wasmi::{Error, TrapCode};
    ///
    /// let error = RuntimeError::new(Error::from(TrapCode::StackOverflow));
    /// assert_eq!(error.into_wasmi_error().as_trap_code(), Some(TrapCode::StackOverflow));
    /// ```
    #[must_use]
    pub fn into_wasmi_error(self) -> wasmi::Error {
        self.error
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // wasmi's words for a broken limit name its internals ("a resource
        // limiter denied to allocate", "calling a resumable function");
        // name the limit and where it is set instead.
        f.write_str("runtime error: ")?;
        if let (Some(over), Some(limit)) = (self.over_limit, self.limit_exceeded()) {
            f.write_str(LIMIT_EXCEEDED)?;
            return over.describe(limit, f);
        }
        if let Some(limit) = self.limit_exceeded() {
            return fmt::Display::fmt(&limit, f);
        }
        // wasmi's own import checks (a backstop behind `Imports`'s) print
        // the types with `Debug`; name the import instead.
        match mismatched_import(&self.error) {
            Some((module, name)) => write!(
                f,
                "import {module:?} {name:?} does not match the module's import"
            ),
            None => fmt::Display::fmt(&self.error, f),
        }
    }
}

impl OverLimit {
    /// What happened, then the builder that sets the limit.
    fn describe(self, limit: LimitExceeded, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let setter = limit.setter();
        let Some(index) = self.index else {
            // `what` is the plural: "memories", "tables".
            return write!(
                f,
                "the module defines {} {}, over the limit of {} ({setter})",
                self.wanted,
                limit.what(),
                self.limit
            );
        };
        let (noun, unit) = match limit {
            LimitExceeded::MemoryBytes => ("memory", "bytes"),
            _ => ("table", "elements"),
        };
        write!(
            f,
            "{noun} {index} starts at {} {unit}, over the limit of {} {unit} ({setter})",
            self.wanted, self.limit
        )
    }
}

/// The module and name of the import, when `error` is wasmi's import
/// mismatch.
fn mismatched_import(error: &wasmi::Error) -> Option<(&str, &str)> {
    use InstantiationError::{
        FuncTypeMismatch, GlobalTypeMismatch, ImportTypeMismatch, MemoryTypeMismatch,
        TableTypeMismatch,
    };
    let name = match error.kind() {
        ErrorKind::Instantiation(
            ImportTypeMismatch { name, .. }
            | FuncTypeMismatch { name, .. }
            | GlobalTypeMismatch { name, .. }
            | TableTypeMismatch { name, .. }
            | MemoryTypeMismatch { name, .. },
        ) => name,
        _ => return None,
    };
    Some((name.module(), name.name()))
}

impl core::error::Error for RuntimeError {}
