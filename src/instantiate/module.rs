//! [`Module`]: the JS API's `WebAssembly.Module` — a wasmi module that still
//! knows what the module's sections said: the import and export order (the
//! JS API's numbering) and the sizes it declares for its memories and tables.

use core::iter::Skip;

use wasmi::{ExternType, ImportType, ModuleImportsIter};

use crate::compile::ModuleShape;
use crate::config::ResourceLimits;
use crate::error::RuntimeError;
use crate::error::link_error::ExternKind;

/// A compiled module: what [`compile_streaming`](crate::compile_streaming)
/// and [`StreamingCompiler::finish`](crate::StreamingCompiler::finish)
/// return, the JS API's `WebAssembly.Module`.
///
/// It wraps a [`wasmi::Module`] (reachable with [`wasmi`](Self::wasmi) for
/// everything else) and remembers what wasmi's module forgets: the order of
/// the import section (wasmi groups imports by kind), so that
/// [`instantiate`](crate::instantiate) numbers and checks imports exactly as
/// the JS API does, and the order of the export section. It also keeps the
/// initial sizes the module declares for its own memories and tables, which
/// `instantiate` holds against the engine's
/// [`ResourceLimits`] before wasmi allocates anything.
///
/// RAM beyond wasmi's module: one byte per import, the export names once
/// more (plus 16 bytes each on 64-bit targets, 8 on 32-bit) and 32 bytes
/// for the declared memory and table sizes. Clones share wasmi's module and copy the rest.
///
/// ```
/// use wasmstream::wasmi::ExternType;
/// use wasmstream::{Config, compile_streaming};
///
/// let engine = Config::new().engine();
/// let wasm = wat::parse_str(r#"(module
///     (import "env" "g" (global i32))
///     (import "env" "f" (func))
///     (func (export "run"))
///     (memory (export "mem") 1))"#)?;
/// let module = compile_streaming(&engine, &wasm[..])?;
/// // WebAssembly.Module.imports(module): in the import section's order.
/// let imports: Vec<_> = module.imports().map(|i| (i.module(), i.name())).collect();
/// assert_eq!(imports, [("env", "g"), ("env", "f")]);
/// // WebAssembly.Module.exports(module): in the export section's order.
/// let exports: Vec<_> = module.exports().map(|(name, _)| name).collect();
/// assert_eq!(exports, ["run", "mem"]);
/// // Everything else is wasmi's.
/// assert!(matches!(module.wasmi().get_export("mem"), Some(ExternType::Memory(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Module {
    wasmi: wasmi::Module,
    shape: ModuleShape,
}

impl Module {
    /// Wraps wasmi's module of the bytes `shape` was recorded from.
    pub(crate) fn new(wasmi: wasmi::Module, shape: ModuleShape) -> Self {
        Module { wasmi, shape }
    }

    /// wasmi's module, for everything this type does not offer.
    ///
    /// ```
    /// let engine = wasmstream::Config::new().engine();
    /// let wasm = wat::parse_str(r#"(module (func (export "f")))"#)?;
    /// let module = wasmstream::compile_streaming(&engine, &wasm[..])?;
    /// assert!(module.wasmi().get_export("f").is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn wasmi(&self) -> &wasmi::Module {
        &self.wasmi
    }

    /// Unwraps wasmi's module (which numbers imports grouped by kind).
    ///
    /// ```
    /// let engine = wasmstream::Config::new().engine();
    /// let module = wasmstream::compile_streaming(&engine, &b"\0asm\x01\0\0\0"[..])?;
    /// let wasmi_module: wasmstream::wasmi::Module = module.into_wasmi();
    /// assert_eq!(wasmi_module.exports().count(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn into_wasmi(self) -> wasmi::Module {
        self.wasmi
    }

    /// The wasmi engine the module was compiled for.
    ///
    /// ```
    /// let engine = wasmstream::Config::new().engine();
    /// let module = wasmstream::compile_streaming(&engine, &b"\0asm\x01\0\0\0"[..])?;
    /// assert!(wasmstream::wasmi::Engine::same(module.engine(), engine.wasmi()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn engine(&self) -> &wasmi::Engine {
        self.wasmi.engine()
    }

    /// The JS API's `WebAssembly.Module.imports(module)`: every import, in
    /// the import section's order (the numbering of
    /// [`LinkError::index`](crate::LinkError::index)), with its full type.
    ///
    /// ```
    /// use wasmstream::ExternKind;
    ///
    /// let engine = wasmstream::Config::new().engine();
    /// let wasm = wat::parse_str(r#"(module
    ///     (import "a" "mem" (memory 1)) (import "b" "f" (func)) (import "c" "t" (table 1 funcref)))"#)?;
    /// let module = wasmstream::compile_streaming(&engine, &wasm[..])?;
    /// let kinds: Vec<_> = module.imports().map(|i| ExternKind::of_type(i.ty())).collect();
    /// assert_eq!(kinds, [ExternKind::Memory, ExternKind::Func, ExternKind::Table]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn imports(&self) -> ModuleImports<'_> {
        // wasmi lists functions, tables, memories, globals, each group in
        // section order: one cursor per group, at the group's start.
        let mut start = 0;
        let cursors = GROUPS.map(|kind| {
            let cursor = self.wasmi.imports().skip(start);
            start += self.count(kind);
            cursor
        });
        ModuleImports {
            kinds: self.shape.import_kinds.iter(),
            cursors,
        }
    }

    /// The JS API's `WebAssembly.Module.exports(module)`: every export's
    /// name and type, in the export section's order.
    ///
    /// ```
    /// use wasmstream::wasmi::ExternType;
    ///
    /// let engine = wasmstream::Config::new().engine();
    /// let wasm = wat::parse_str(r#"(module (global (export "z") i32 (i32.const 0)) (func (export "a")))"#)?;
    /// let module = wasmstream::compile_streaming(&engine, &wasm[..])?;
    /// let mut exports = module.exports();
    /// assert!(matches!(exports.next(), Some(("z", ExternType::Global(_)))));
    /// assert!(matches!(exports.next(), Some(("a", ExternType::Func(_)))));
    /// assert!(exports.next().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn exports(&self) -> impl Iterator<Item = (&str, ExternType)> + '_ {
        // Every recorded name is an export of this very module, so wasmi
        // finds each one.
        self.shape
            .export_names
            .iter()
            .filter_map(|name| Some((&**name, self.wasmi.get_export(name)?)))
    }

    /// The JS API's `WebAssembly.Module.customSections(module, name)`: the
    /// contents of every custom section called `name`, in module order.
    ///
    /// Custom sections are kept only with
    /// [`Config::keep_custom_sections`](crate::Config::keep_custom_sections);
    /// otherwise they stream past unstored and this yields nothing.
    ///
    /// ```
    /// use wasmstream::{Config, compile_streaming};
    ///
    /// // The empty module plus custom sections "note" = "hi" and "other" = "x".
    /// let wasm = b"\0asm\x01\0\0\0\0\x07\x04notehi\0\x07\x05otherx";
    /// let keep = Config::new().keep_custom_sections(true).engine();
    /// let module = compile_streaming(&keep, &wasm[..])?;
    /// assert_eq!(module.custom_sections("note").collect::<Vec<_>>(), [b"hi"]);
    /// let skipped = compile_streaming(&Config::new().engine(), &wasm[..])?;
    /// assert_eq!(skipped.custom_sections("note").count(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn custom_sections<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.wasmi
            .custom_sections()
            .filter(move |section| section.name() == name)
            .map(|section| section.data())
    }

    /// The kind of each import, in the import section's order.
    pub(crate) fn import_kinds(&self) -> &[ExternKind] {
        &self.shape.import_kinds
    }

    /// Holds the initial size of every memory and table the module defines,
    /// and how many it defines, against `limits`: what wasmi's resource
    /// limiter would refuse, refused before wasmi allocates it, whether or
    /// not the store has a limiter.
    pub(crate) fn check_declared(&self, limits: &ResourceLimits) -> Result<(), RuntimeError> {
        let shape = &self.shape;
        // A `usize` always fits in a `u64`.
        let (memories, tables) = (&shape.memories, &shape.tables);
        if memories.count as u64 > limits.max_memories as u64 {
            return Err(RuntimeError::too_many(
                ExternKind::Memory,
                memories.count,
                limits.max_memories,
            ));
        }
        if tables.count as u64 > limits.max_tables as u64 {
            return Err(RuntimeError::too_many(
                ExternKind::Table,
                tables.count,
                limits.max_tables,
            ));
        }
        if let Some(max) = limits.max_memory_bytes
            && memories.count > 0
            && memories.largest > max as u64
        {
            return Err(RuntimeError::too_large(ExternKind::Memory, memories, max));
        }
        if let Some(max) = limits.max_table_elements
            && tables.count > 0
            && tables.largest > max as u64
        {
            return Err(RuntimeError::too_large(ExternKind::Table, tables, max));
        }
        Ok(())
    }

    fn count(&self, kind: ExternKind) -> usize {
        self.shape
            .import_kinds
            .iter()
            .filter(|&&k| k == kind)
            .count()
    }
}

impl AsRef<wasmi::Module> for Module {
    fn as_ref(&self) -> &wasmi::Module {
        &self.wasmi
    }
}

impl From<Module> for wasmi::Module {
    fn from(module: Module) -> Self {
        module.wasmi
    }
}

/// wasmi's order of import groups.
const GROUPS: [ExternKind; 4] = [
    ExternKind::Func,
    ExternKind::Table,
    ExternKind::Memory,
    ExternKind::Global,
];

/// The imports of a [`Module`] in the import section's order (see
/// [`Module::imports`]).
#[derive(Debug)]
pub struct ModuleImports<'m> {
    kinds: core::slice::Iter<'m, ExternKind>,
    cursors: [Skip<ModuleImportsIter<'m>>; 4],
}

impl<'m> Iterator for ModuleImports<'m> {
    type Item = ImportType<'m>;

    fn next(&mut self) -> Option<ImportType<'m>> {
        let kind = *self.kinds.next()?;
        let group = GROUPS.iter().position(|&k| k == kind)?;
        self.cursors[group].next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.kinds.size_hint()
    }
}

impl ExactSizeIterator for ModuleImports<'_> {}
