//! "Read the imports": resolving a module's imports against an [`Imports`],
//! in module import order, with the JS API's error kinds.

use alloc::string::ToString;
use alloc::vec::Vec;

use wasmi::{
    AsContext, AsContextMut, Extern, ExternType, FuncType, GlobalType, ImportType, MemoryType,
    StoreContext, TableType,
};

use super::{Definition, Imports};
use crate::compile::ImportDeclaration;
use crate::error::link_error::{ExternKind, IndexType, LinkError, LinkErrorReason};
use crate::error::{Error, TypeError};
use crate::instantiate::Module;

impl<T: 'static> Imports<T> {
    /// Reads the imports of `module`: resolves each import, in module import
    /// order, to an [`Extern`] in `store`, making host functions there. The
    /// result is what `wasmi::Instance::new` takes.
    ///
    /// "Module import order" is the import section's, as the JS API has it
    /// (the [`Module`] remembers it); the result is in wasmi's order
    /// (functions, tables, memories, globals).
    ///
    /// Like the other calls that read nothing, it is generic over the
    /// reader error `E` of the [`Error`] it returns, so `?` works in a
    /// function that also streams; where nothing fixes `E`, name it
    /// (`Error<Infallible>`).
    ///
    /// ```
    /// use core::convert::Infallible;
    /// use wasmstream::wasmi::{Instance, Store};
    /// use wasmstream::{Config, Error, Imports, TypeError};
    ///
    /// let engine = Config::new().engine();
    /// let mut store = Store::new(&engine, ());
    /// let wasm = wat::parse_str(r#"(module (import "env" "f" (func)))"#)?;
    /// let module = wasmstream::compile_streaming(&engine, &wasm[..])?;
    ///
    /// let imports = Imports::new(&engine);
    /// let error = imports.resolve::<Infallible>(&mut store, &module).unwrap_err();
    /// assert!(matches!(error, Error::Type(TypeError::MissingNamespace { index: 0, .. })));
    ///
    /// let mut imports = Imports::new(&engine);
    /// imports.func_wrap("env", "f", || {});
    /// let externs = imports.resolve::<Infallible>(&mut store, &module)?;
    /// let instance = Instance::new(&mut store, module.wasmi(), &externs)?;
    /// # drop(instance);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Type`] ([`TypeError::ModuleEngineMismatch`]) if `module` was
    /// compiled for another engine than `store`'s; then, for the first
    /// import that fails: [`Error::Type`] if its namespace is missing,
    /// [`Error::Link`] if its name is missing or the definition has the wrong
    /// kind or type.
    ///
    /// # Panics
    ///
    /// If a definition living in a store is used with another store (wasmi's
    /// rule: wasmi offers no way to ask which store owns an item).
    pub fn resolve<E>(
        &self,
        store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Vec<Extern>, Error<E>> {
        if !wasmi::Engine::same(store.as_context().engine(), module.engine()) {
            return Err(Error::Type(TypeError::ModuleEngineMismatch));
        }
        self.resolve_module(store, module)
    }

    /// Checks import declarations (from
    /// [`StreamingCompiler::import_declarations`](crate::StreamingCompiler::import_declarations))
    /// against this import object without making anything in `store`: the
    /// same errors [`resolve`](Self::resolve) would report, before the module
    /// exists.
    ///
    /// ```
    /// use wasmstream::wasmi::Store;
    /// use wasmstream::{Config, Error, Imports, StreamingCompiler};
    ///
    /// let engine = Config::new().engine();
    /// let store = Store::new(&engine, ());
    /// let mut imports = Imports::new(&engine);
    /// imports.func_wrap("env", "f", |_: i32| {});
    ///
    /// let wasm = wat::parse_str(r#"(module (import "env" "f" (func (param f64))) (func))"#)?;
    /// let mut compiler = StreamingCompiler::new(&engine).with_import_declarations();
    /// compiler.feed(&wasm)?; // a driver would check as soon as this is `Some`
    /// let declared = compiler.import_declarations().expect("import section arrived");
    /// let checked = imports.check::<core::convert::Infallible>(&store, declared);
    /// assert!(matches!(checked, Err(Error::Link(_))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`resolve`](Self::resolve).
    ///
    /// # Panics
    ///
    /// As [`resolve`](Self::resolve).
    pub fn check<E>(
        &self,
        store: impl AsContext<Data = T>,
        declarations: &[ImportDeclaration],
    ) -> Result<(), Error<E>> {
        self.check_declarations(store, declarations)
    }

    /// Resolves the imports of `module` in the import section's order. The
    /// result is in wasmi's order (functions, tables, memories, globals), as
    /// `Instance::new` wants it.
    pub(crate) fn resolve_module<E>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Vec<Extern>, Error<E>> {
        let imports: Vec<ImportType<'_>> = module.wasmi().imports().collect();
        // The recorded kinds always describe the module they were recorded
        // from; wasmi's order is the fallback should they not.
        let positions = wasmi_positions(module.import_kinds(), &imports)
            .unwrap_or_else(|| (0..imports.len()).collect());
        // Check every import before making any host function, so a failed
        // link leaves nothing behind in the store (wasmi never frees a Func).
        let mut items: Vec<Option<&Definition<T>>> = alloc::vec![None; imports.len()];
        for (index, &position) in positions.iter().enumerate() {
            let import = &imports[position];
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            items[position] = Some(self.read_import(
                store.as_context(),
                index,
                import.module(),
                import.name(),
                import.ty(),
            )?);
        }
        // Every position is filled: `positions` is a permutation.
        Ok(items
            .into_iter()
            .flatten()
            .map(|item| match item {
                Definition::Func(func) => Extern::Func(func.to_func(&mut store)),
                Definition::Extern(item) => *item,
            })
            .collect())
    }

    pub(crate) fn check_declarations<E>(
        &self,
        store: impl AsContext<Data = T>,
        declarations: &[ImportDeclaration],
    ) -> Result<(), Error<E>> {
        let store = store.as_context();
        for (index, import) in declarations.iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            self.read_import(store, index, import.module(), import.name(), import.ty())?;
        }
        Ok(())
    }

    /// Finds the definition of one import and checks its kind and type.
    fn read_import<E>(
        &self,
        store: StoreContext<'_, T>,
        index: u32,
        module: &str,
        name: &str,
        wanted: &ExternType,
    ) -> Result<&Definition<T>, Error<E>> {
        let Some(namespace) = self.namespace(module) else {
            return Err(Error::Type(TypeError::MissingNamespace {
                index,
                module: module.to_string(),
                name: name.to_string(),
            }));
        };
        let link_error = |reason| {
            Error::Link(LinkError {
                index,
                module: module.to_string(),
                name: name.to_string(),
                reason,
            })
        };
        let Some(item) = namespace.get(name) else {
            return Err(link_error(LinkErrorReason::MissingName {
                wanted: ExternKind::of_type(wanted),
            }));
        };
        match check_item(store, item, wanted) {
            Ok(()) => Ok(item),
            Err(reason) => Err(link_error(reason)),
        }
    }
}

/// For each import in module order, its position in wasmi's order, where
/// imports are grouped by kind (functions, tables, memories, globals), each
/// group in module order. `None` if `kinds` does not describe `imports`.
fn wasmi_positions(kinds: &[ExternKind], imports: &[ImportType<'_>]) -> Option<Vec<usize>> {
    const GROUPS: [ExternKind; 4] = [
        ExternKind::Func,
        ExternKind::Table,
        ExternKind::Memory,
        ExternKind::Global,
    ];
    let group = |kind: ExternKind| GROUPS.iter().position(|&k| k == kind).unwrap_or(0);
    let mut next = [0usize; 4];
    for import in imports {
        next[group(ExternKind::of_type(import.ty()))] += 1;
    }
    let mut counts = [0usize; 4];
    for &kind in kinds {
        counts[group(kind)] += 1;
    }
    if kinds.len() != imports.len() || counts != next {
        return None;
    }
    // `next[g]` becomes the wasmi position of the next import of group `g`.
    let mut start = 0;
    for slot in &mut next {
        let len = *slot;
        *slot = start;
        start += len;
    }
    Some(
        kinds
            .iter()
            .map(|&kind| {
                let slot = &mut next[group(kind)];
                *slot += 1;
                *slot - 1
            })
            .collect(),
    )
}

/// Whether `item` matches the imported type `wanted` (the Wasm spec's
/// import subtyping, with the current size of memories and tables).
fn check_item<T>(
    store: StoreContext<'_, T>,
    item: &Definition<T>,
    wanted: &ExternType,
) -> Result<(), LinkErrorReason> {
    let provided = match item {
        Definition::Func(func) => {
            return match wanted {
                ExternType::Func(wanted) => check_func(wanted, func.ty()),
                other => Err(LinkErrorReason::WrongKind {
                    wanted: ExternKind::of_type(other),
                    provided: ExternKind::Func,
                }),
            };
        }
        Definition::Extern(item) => item,
    };
    match (wanted, provided) {
        (ExternType::Func(wanted), Extern::Func(func)) => check_func(wanted, &func.ty(store)),
        (ExternType::Global(wanted), Extern::Global(global)) => {
            check_global(*wanted, global.ty(store))
        }
        (ExternType::Memory(wanted), Extern::Memory(memory)) => {
            check_memory(*wanted, memory.ty(store), memory.size(store))
        }
        (ExternType::Table(wanted), Extern::Table(table)) => {
            check_table(*wanted, table.ty(store), table.size(store))
        }
        (wanted, provided) => Err(LinkErrorReason::WrongKind {
            wanted: ExternKind::of_type(wanted),
            provided: ExternKind::of_extern(provided),
        }),
    }
}

fn check_func(wanted: &FuncType, provided: &FuncType) -> Result<(), LinkErrorReason> {
    if wanted == provided {
        return Ok(());
    }
    Err(LinkErrorReason::FuncType {
        wanted: wanted.clone(),
        provided: provided.clone(),
    })
}

fn check_global(wanted: GlobalType, provided: GlobalType) -> Result<(), LinkErrorReason> {
    if wanted.content() != provided.content() {
        return Err(LinkErrorReason::GlobalType {
            wanted: wanted.content(),
            provided: provided.content(),
        });
    }
    if wanted.mutability() != provided.mutability() {
        return Err(LinkErrorReason::GlobalMutability {
            wanted: wanted.mutability(),
            provided: provided.mutability(),
        });
    }
    Ok(())
}

fn check_memory(
    wanted: MemoryType,
    provided: MemoryType,
    current_pages: u64,
) -> Result<(), LinkErrorReason> {
    let (wanted_index, provided_index) = (
        IndexType::from_is_64(wanted.is_64()),
        IndexType::from_is_64(provided.is_64()),
    );
    if wanted_index != provided_index {
        return Err(LinkErrorReason::MemoryIndexType {
            wanted: wanted_index,
            provided: provided_index,
        });
    }
    let (wanted_page, provided_page) = (page_size(wanted), page_size(provided));
    if wanted_page != provided_page {
        return Err(LinkErrorReason::MemoryPageSize {
            wanted: wanted_page,
            provided: provided_page,
        });
    }
    if current_pages < wanted.minimum() {
        return Err(LinkErrorReason::MemoryMinimum {
            wanted: wanted.minimum(),
            provided: current_pages,
        });
    }
    match (wanted.maximum(), provided.maximum()) {
        (Some(wanted), provided) if provided.is_none_or(|max| max > wanted) => {
            Err(LinkErrorReason::MemoryMaximum { wanted, provided })
        }
        _ => Ok(()),
    }
}

fn check_table(
    wanted: TableType,
    provided: TableType,
    current_len: u64,
) -> Result<(), LinkErrorReason> {
    if wanted.element() != provided.element() {
        return Err(LinkErrorReason::TableElementType {
            wanted: wanted.element(),
            provided: provided.element(),
        });
    }
    let (wanted_index, provided_index) = (
        IndexType::from_is_64(wanted.is_64()),
        IndexType::from_is_64(provided.is_64()),
    );
    if wanted_index != provided_index {
        return Err(LinkErrorReason::TableIndexType {
            wanted: wanted_index,
            provided: provided_index,
        });
    }
    if current_len < wanted.minimum() {
        return Err(LinkErrorReason::TableMinimum {
            wanted: wanted.minimum(),
            provided: current_len,
        });
    }
    match (wanted.maximum(), provided.maximum()) {
        (Some(wanted), provided) if provided.is_none_or(|max| max > wanted) => {
            Err(LinkErrorReason::TableMaximum { wanted, provided })
        }
        _ => Ok(()),
    }
}

/// The page size of a memory type, in bytes.
///
/// wasmi keeps the page size private; a type is rebuilt with each page size
/// the custom-page-sizes proposal allows (64 KiB and 1 byte) and compared.
fn page_size(ty: MemoryType) -> u32 {
    for log2 in [0u8, 16] {
        let mut builder = MemoryType::builder();
        builder
            .memory64(ty.is_64())
            .min(ty.minimum())
            .max(ty.maximum())
            .page_size_log2(log2);
        if builder.build().ok() == Some(ty) {
            return 1 << log2;
        }
    }
    1 << 16
}
