//! [`LinkError`]: an import that the import object cannot satisfy.

use alloc::string::String;
use core::fmt;

use wasmi::{FuncType, Mutability, RefType, ValType};

/// The JS API's `LinkError`: an import is missing from its namespace, or the
/// value provided has the wrong kind or type.
///
/// The fields are data, so code can match on them; `Display` gives one line
/// in the style of V8, naming the import and what does not fit:
///
/// ```
/// use wasmstream::wasmi::{FuncType, ValType};
/// use wasmstream::{LinkError, LinkErrorReason};
///
/// let error = LinkError {
///     index: 1,
///     module: "env".into(),
///     name: "f".into(),
///     reason: LinkErrorReason::FuncType {
///         wanted: FuncType::new([ValType::I64], []),
///         provided: FuncType::new([ValType::I32], []),
///     },
/// };
/// assert_eq!(
///     error.to_string(),
///     r#"link error: import #1 "env" "f": imported function has type (i32) -> (), module wants (i64) -> ()"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError {
    /// The import's position in the module's import section (the JS API's
    /// numbering), for every call that reads imports.
    pub index: u32,
    /// The import's namespace (module name).
    pub module: String,
    /// The import's name within the namespace.
    pub name: String,
    /// What is wrong: what the module wants and what was provided.
    pub reason: LinkErrorReason,
}

/// Why an import could not be linked. `wanted` is what the module declares,
/// `provided` what the import object holds.
///
/// Memory and table sizes compare the *current* size of the provided memory
/// or table with the module's declared minimum, as the Wasm spec does.
///
/// ```
/// use wasmstream::wasmi::Store;
/// use wasmstream::{Config, Error, Imports, LinkErrorReason, instantiate_streaming};
///
/// let engine = Config::new().engine();
/// let mut store = Store::new(&engine, ());
/// let mut imports = Imports::new(&engine);
/// imports.func_wrap("env", "tick", |_: i64| {});
/// let wasm = wat::parse_str(r#"(module (import "env" "tick" (func (param i32))))"#)?;
/// match instantiate_streaming(&mut store, &wasm[..], &imports) {
///     Err(Error::Link(e)) => match e.reason {
///         LinkErrorReason::FuncType { wanted, provided } => {
///             assert_eq!((wanted.params().len(), provided.params().len()), (1, 1));
///         }
///         other => panic!("unexpected reason {other:?}"),
///     },
///     other => panic!("expected a LinkError, got {other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkErrorReason {
    /// The namespace exists but has no definition with this name.
    MissingName {
        /// The kind of item the module imports.
        wanted: ExternKind,
    },
    /// The definition is of another kind (for example a memory where the
    /// module imports a function).
    WrongKind {
        /// The kind the module imports.
        wanted: ExternKind,
        /// The kind provided.
        provided: ExternKind,
    },
    /// A function whose signature differs from the imported one.
    FuncType {
        /// The signature the module imports.
        wanted: FuncType,
        /// The signature of the provided function.
        provided: FuncType,
    },
    /// A global of another value type.
    GlobalType {
        /// The value type the module imports.
        wanted: ValType,
        /// The value type of the provided global.
        provided: ValType,
    },
    /// A global of the other mutability.
    GlobalMutability {
        /// The mutability the module imports.
        wanted: Mutability,
        /// The mutability of the provided global.
        provided: Mutability,
    },
    /// A memory smaller than the module's declared minimum.
    MemoryMinimum {
        /// The minimum the module declares, in pages.
        wanted: u64,
        /// The current size of the provided memory, in pages.
        provided: u64,
    },
    /// A memory that may grow beyond the module's declared maximum.
    MemoryMaximum {
        /// The maximum the module declares, in pages.
        wanted: u64,
        /// The maximum of the provided memory (`None`: unbounded).
        provided: Option<u64>,
    },
    /// A memory with the other index type (32- or 64-bit addresses).
    MemoryIndexType {
        /// The index type the module imports.
        wanted: IndexType,
        /// The index type of the provided memory.
        provided: IndexType,
    },
    /// A memory with another page size (custom-page-sizes proposal).
    MemoryPageSize {
        /// The page size the module imports, in bytes.
        wanted: u32,
        /// The page size of the provided memory, in bytes.
        provided: u32,
    },
    /// A table smaller than the module's declared minimum.
    TableMinimum {
        /// The minimum the module declares, in elements.
        wanted: u64,
        /// The current size of the provided table, in elements.
        provided: u64,
    },
    /// A table that may grow beyond the module's declared maximum.
    TableMaximum {
        /// The maximum the module declares, in elements.
        wanted: u64,
        /// The maximum of the provided table (`None`: unbounded).
        provided: Option<u64>,
    },
    /// A table with the other index type (32- or 64-bit indices).
    TableIndexType {
        /// The index type the module imports.
        wanted: IndexType,
        /// The index type of the provided table.
        provided: IndexType,
    },
    /// A table holding another reference type.
    TableElementType {
        /// The element type the module imports.
        wanted: RefType,
        /// The element type of the provided table.
        provided: RefType,
    },
}

/// The four kinds of importable items.
///
/// ```
/// use wasmstream::ExternKind;
///
/// assert_eq!(ExternKind::Memory.to_string(), "memory");
/// ```
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub enum ExternKind {
    /// A function.
    Func,
    /// A table.
    Table,
    /// A linear memory.
    Memory,
    /// A global.
    Global,
}

impl ExternKind {
    /// The kind of a wasmi extern type.
    #[must_use]
    pub fn of_type(ty: &wasmi::ExternType) -> Self {
        match ty {
            wasmi::ExternType::Func(_) => ExternKind::Func,
            wasmi::ExternType::Table(_) => ExternKind::Table,
            wasmi::ExternType::Memory(_) => ExternKind::Memory,
            wasmi::ExternType::Global(_) => ExternKind::Global,
        }
    }

    /// The kind of a wasmi extern value.
    #[must_use]
    pub fn of_extern(item: &wasmi::Extern) -> Self {
        match item {
            wasmi::Extern::Func(_) => ExternKind::Func,
            wasmi::Extern::Table(_) => ExternKind::Table,
            wasmi::Extern::Memory(_) => ExternKind::Memory,
            wasmi::Extern::Global(_) => ExternKind::Global,
        }
    }

    /// What an import of this kind requires, in V8's words.
    fn requirement(self) -> &'static str {
        match self {
            ExternKind::Func => "function import requires a callable",
            ExternKind::Table => "table import requires a table",
            ExternKind::Memory => "memory import requires a memory",
            ExternKind::Global => "global import requires a global",
        }
    }
}

impl fmt::Display for ExternKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExternKind::Func => "function",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
        })
    }
}

/// The index type of a memory or table: 32-bit, or 64-bit (memory64 proposal).
///
/// ```
/// use wasmstream::IndexType;
///
/// assert_eq!(IndexType::I64.to_string(), "i64");
/// ```
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub enum IndexType {
    /// Addressed with `i32`.
    I32,
    /// Addressed with `i64`.
    I64,
}

impl IndexType {
    pub(crate) fn from_is_64(is_64: bool) -> Self {
        if is_64 {
            IndexType::I64
        } else {
            IndexType::I32
        }
    }
}

impl fmt::Display for IndexType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IndexType::I32 => "i32",
            IndexType::I64 => "i64",
        })
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "link error: import #{} {:?} {:?}: ",
            self.index, self.module, self.name
        )?;
        match &self.reason {
            LinkErrorReason::MissingName { wanted } => write!(
                f,
                "{}, but namespace {:?} has no {:?}",
                wanted.requirement(),
                self.module,
                self.name
            ),
            LinkErrorReason::WrongKind { wanted, provided } => {
                write!(f, "{}, provided a {provided}", wanted.requirement())
            }
            LinkErrorReason::FuncType { wanted, provided } => write!(
                f,
                "imported function has type {}, module wants {}",
                WasmFuncType(provided),
                WasmFuncType(wanted)
            ),
            LinkErrorReason::GlobalType { wanted, provided } => write!(
                f,
                "imported global has type {}, module wants {}",
                WasmValType(*provided),
                WasmValType(*wanted)
            ),
            LinkErrorReason::GlobalMutability { wanted, provided } => write!(
                f,
                "imported global is {}, module wants {}",
                mutability_name(*provided),
                match wanted {
                    Mutability::Const => "an immutable global",
                    Mutability::Var => "a mutable global",
                }
            ),
            LinkErrorReason::MemoryMinimum { wanted, provided } => write!(
                f,
                "memory import needs at least {wanted} {}, provided memory has {provided}",
                plural(*wanted, "page", "pages")
            ),
            LinkErrorReason::MemoryMaximum { wanted, provided } => {
                write!(f, "memory import needs a maximum of at most {wanted} ")?;
                f.write_str(plural(*wanted, "page", "pages"))?;
                match provided {
                    Some(max) => write!(f, ", provided memory has maximum {max}"),
                    None => f.write_str(", provided memory has no maximum"),
                }
            }
            LinkErrorReason::MemoryIndexType { wanted, provided } => write!(
                f,
                "memory import needs an {wanted}-indexed memory, provided memory is {provided}-indexed"
            ),
            LinkErrorReason::MemoryPageSize { wanted, provided } => write!(
                f,
                "memory import needs pages of {wanted} {}, provided memory has pages of {provided}",
                plural(u64::from(*wanted), "byte", "bytes")
            ),
            LinkErrorReason::TableMinimum { wanted, provided } => write!(
                f,
                "table import needs at least {wanted} {}, provided table has {provided}",
                plural(*wanted, "element", "elements")
            ),
            LinkErrorReason::TableMaximum { wanted, provided } => {
                write!(f, "table import needs a maximum of at most {wanted} ")?;
                f.write_str(plural(*wanted, "element", "elements"))?;
                match provided {
                    Some(max) => write!(f, ", provided table has maximum {max}"),
                    None => f.write_str(", provided table has no maximum"),
                }
            }
            LinkErrorReason::TableIndexType { wanted, provided } => write!(
                f,
                "table import needs an {wanted}-indexed table, provided table is {provided}-indexed"
            ),
            LinkErrorReason::TableElementType { wanted, provided } => write!(
                f,
                "table import needs a table of {}, provided table holds {}",
                WasmRefType(*wanted),
                WasmRefType(*provided)
            ),
        }
    }
}

impl core::error::Error for LinkError {}

fn plural(count: u64, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

fn mutability_name(mutability: Mutability) -> &'static str {
    match mutability {
        Mutability::Const => "immutable",
        Mutability::Var => "mutable",
    }
}

/// A value type in the Wasm text format: `i32`, `funcref` …
pub(crate) struct WasmValType(pub(crate) ValType);

impl fmt::Display for WasmValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        })
    }
}

/// A reference type in the Wasm text format.
pub(crate) struct WasmRefType(pub(crate) RefType);

impl fmt::Display for WasmRefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            RefType::Func => "funcref",
            RefType::Extern => "externref",
        })
    }
}

/// A function signature as `(i32, i64) -> (f32)`.
pub(crate) struct WasmFuncType<'a>(pub(crate) &'a FuncType);

impl fmt::Display for WasmFuncType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_types(f, self.0.params())?;
        f.write_str(" -> ")?;
        write_types(f, self.0.results())
    }
}

fn write_types(f: &mut fmt::Formatter<'_>, types: &[ValType]) -> fmt::Result {
    f.write_str("(")?;
    for (i, ty) in types.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}", WasmValType(*ty))?;
    }
    f.write_str(")")
}
