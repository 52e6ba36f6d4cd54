//! The module's import declarations, recorded while it streams in so that
//! imports can be checked before the module exists (the early link check).

use alloc::boxed::Box;
use alloc::vec::Vec;

use wasmi::{
    ExternType, FuncType, GlobalType, MemoryType, Mutability, RefType, TableType, ValType,
};
use wasmparser::{Payload, TypeRef};

use super::StreamingCompiler;
use super::shape::ModuleShape;
use crate::staging::Staging;

impl<S: Staging> StreamingCompiler<S> {
    /// Asks the compiler to record the module's import declarations, so
    /// they can be checked as soon as the import section has arrived (see
    /// [`import_declarations`](Self::import_declarations)).
    ///
    /// Costs the type section's function types from the type section to the
    /// import section, and the declarations until [`finish`](Self::finish).
    #[must_use]
    pub fn with_import_declarations(mut self) -> Self {
        let shape = self.imports.take().map(ImportRecorder::into_shape);
        self.imports = Some(ImportRecorder::full().with_shape(shape.unwrap_or_default()));
        self
    }

    /// The module's imports in order, once its import section has been
    /// validated; `None` before that, if the module has no import section,
    /// or if the compiler was not asked to record them
    /// ([`with_import_declarations`](Self::with_import_declarations)).
    #[must_use]
    pub fn import_declarations(&self) -> Option<&[ImportDeclaration]> {
        self.imports.as_ref()?.declarations()
    }
}

/// One import as the module's import section declares it, with its type in
/// wasmi's terms.
///
/// ```
/// use wasmstream::{Config, StreamingCompiler};
/// use wasmstream::wasmi::ExternType;
///
/// let engine = Config::new().engine();
/// let wasm = wat::parse_str(r#"(module (import "env" "memory" (memory 2)))"#)?;
/// let mut compiler = StreamingCompiler::new(&engine).with_import_declarations();
/// compiler.feed(&wasm)?;
/// let imports = compiler.import_declarations().expect("the import section has arrived");
/// assert_eq!((imports[0].module(), imports[0].name()), ("env", "memory"));
/// assert!(matches!(imports[0].ty(), ExternType::Memory(m) if m.minimum() == 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ImportDeclaration {
    module: Box<str>,
    name: Box<str>,
    ty: ExternType,
}

impl ImportDeclaration {
    /// The namespace imported from.
    #[must_use]
    pub fn module(&self) -> &str {
        &self.module
    }

    /// The name imported.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The imported type.
    #[must_use]
    pub fn ty(&self) -> &ExternType {
        &self.ty
    }
}

/// Watches validated payloads and keeps what it was asked for: always the
/// [`ModuleShape`] (the import and export order a `wasmi::Module` forgets,
/// and the declared memory and table sizes), and, for the early link check,
/// the full import declarations.
#[derive(Debug)]
pub(crate) struct ImportRecorder {
    full: bool,
    /// The type section's function types, kept only until the import section.
    types: Vec<Option<FuncType>>,
    shape: ModuleShape,
    declarations: Option<Vec<ImportDeclaration>>,
}

impl ImportRecorder {
    /// Records the module's shape only.
    pub(crate) fn kinds_only() -> Self {
        ImportRecorder {
            full: false,
            types: Vec::new(),
            shape: ModuleShape::default(),
            declarations: None,
        }
    }

    /// Records the shape and the full declarations.
    pub(crate) fn full() -> Self {
        ImportRecorder {
            full: true,
            ..Self::kinds_only()
        }
    }

    /// The declarations, once the import section has been parsed.
    pub(crate) fn declarations(&self) -> Option<&[ImportDeclaration]> {
        self.declarations.as_deref()
    }

    /// Continues recording into `shape`.
    fn with_shape(mut self, shape: ModuleShape) -> Self {
        self.shape = shape;
        self
    }

    /// What the compiled module keeps.
    pub(crate) fn into_shape(self) -> ModuleShape {
        self.shape
    }

    /// Looks at one payload the validator has accepted.
    pub(crate) fn observe(&mut self, payload: &Payload<'_>) {
        self.shape.observe(payload);
        match payload {
            Payload::TypeSection(reader) if self.full => {
                self.types = reader
                    .clone()
                    .into_iter_err_on_gc_types()
                    .map(|ty| ty.ok().and_then(|ty| func_type(&ty)))
                    .collect();
            }
            Payload::ImportSection(reader) => {
                if self.full {
                    self.declarations = reader
                        .clone()
                        .into_iter()
                        .map(|import| {
                            let import = import.ok()?;
                            Some(ImportDeclaration {
                                module: import.module.into(),
                                name: import.name.into(),
                                ty: self.extern_type(import.ty)?,
                            })
                        })
                        .collect();
                }
                self.types = Vec::new();
            }
            // Types are needed only by the import section, which comes next.
            Payload::Version { .. } | Payload::TypeSection(_) | Payload::CustomSection(_) => {}
            _ => self.types = Vec::new(),
        }
    }

    fn extern_type(&self, ty: TypeRef) -> Option<ExternType> {
        Some(match ty {
            TypeRef::Func(index) => {
                ExternType::Func(self.types.get(index as usize)?.as_ref()?.clone())
            }
            TypeRef::Table(table) => {
                let element = ref_type(table.element_type)?;
                let ty = if table.table64 {
                    table64(element, table.initial, table.maximum)?
                } else {
                    TableType::new(
                        element,
                        u32::try_from(table.initial).ok()?,
                        table.maximum.map(u32::try_from).transpose().ok()?,
                    )
                };
                ExternType::Table(ty)
            }
            TypeRef::Memory(memory) => {
                let mut builder = MemoryType::builder();
                builder
                    .memory64(memory.memory64)
                    .min(memory.initial)
                    .max(memory.maximum)
                    .page_size_log2(memory.page_size_log2.map_or(16, |log2| log2 as u8));
                ExternType::Memory(builder.build().ok()?)
            }
            TypeRef::Global(global) => ExternType::Global(GlobalType::new(
                val_type(global.content_type)?,
                if global.mutable {
                    Mutability::Var
                } else {
                    Mutability::Const
                },
            )),
            TypeRef::Tag(_) => return None,
        })
    }
}

#[cfg(feature = "memory64")]
fn table64(element: RefType, initial: u64, maximum: Option<u64>) -> Option<TableType> {
    Some(TableType::new64(element, initial, maximum))
}

#[cfg(not(feature = "memory64"))]
fn table64(_element: RefType, _initial: u64, _maximum: Option<u64>) -> Option<TableType> {
    None
}

fn func_type(ty: &wasmparser::FuncType) -> Option<FuncType> {
    let params = ty
        .params()
        .iter()
        .map(|ty| val_type(*ty))
        .collect::<Option<Vec<_>>>()?;
    let results = ty
        .results()
        .iter()
        .map(|ty| val_type(*ty))
        .collect::<Option<Vec<_>>>()?;
    Some(FuncType::new(params, results))
}

fn val_type(ty: wasmparser::ValType) -> Option<ValType> {
    Some(match ty {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        wasmparser::ValType::Ref(ty) => match ref_type(ty)? {
            RefType::Func => ValType::FuncRef,
            RefType::Extern => ValType::ExternRef,
        },
    })
}

fn ref_type(ty: wasmparser::RefType) -> Option<RefType> {
    if ty == wasmparser::RefType::FUNCREF {
        Some(RefType::Func)
    } else if ty == wasmparser::RefType::EXTERNREF {
        Some(RefType::Extern)
    } else {
        None
    }
}
