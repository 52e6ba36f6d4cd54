//! [`ModuleShape`]: what a compiled `wasmi::Module` forgets and the JS API
//! needs — the import section's order, the export section's order — and
//! the sizes the module declares for its own memories and tables, so they
//! can be held against the resource limits before wasmi allocates them.

use alloc::boxed::Box;

use wasmparser::Payload;

use crate::error::link_error::ExternKind;

/// Recorded from validated payloads while the module streams in.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModuleShape {
    /// The kind of each import, in import-section order.
    pub(crate) import_kinds: Box<[ExternKind]>,
    /// The export names, in export-section order.
    pub(crate) export_names: Box<[Box<str>]>,
    /// The memories the module defines (imported ones not counted): how
    /// many, and the largest.
    pub(crate) memories: Declared,
    /// The tables the module defines (imported ones not counted): how many,
    /// and the largest.
    pub(crate) tables: Declared,
}

/// The memories (or tables) a module defines: how many, and the index and
/// initial size of the largest (bytes for a memory, elements for a table;
/// `u64::MAX` if the byte count overflows). Enough to hold them against the
/// limits without a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Declared {
    pub(crate) count: u32,
    pub(crate) largest_index: u32,
    pub(crate) largest: u64,
}

impl Declared {
    fn add(&mut self, index: u32, initial: u64) {
        if self.count == 0 || initial > self.largest {
            self.largest_index = index;
            self.largest = initial;
        }
        self.count = self.count.saturating_add(1);
    }
}

impl ModuleShape {
    /// Looks at one payload the validator has accepted. Valid payloads
    /// only, so the readers do not fail; an item that did is left out.
    pub(crate) fn observe(&mut self, payload: &Payload<'_>) {
        match payload {
            Payload::ImportSection(reader) => {
                self.import_kinds = reader
                    .clone()
                    .into_iter()
                    .filter_map(|import| import.ok().and_then(|import| kind(import.ty)))
                    .collect();
            }
            Payload::MemorySection(reader) => {
                let first = self.imported(ExternKind::Memory);
                for (memory, index) in reader.clone().into_iter().flatten().zip(first..) {
                    let bytes = memory_bytes(memory.initial, memory.page_size_log2);
                    self.memories.add(index, bytes);
                }
            }
            Payload::TableSection(reader) => {
                let first = self.imported(ExternKind::Table);
                for (table, index) in reader.clone().into_iter().flatten().zip(first..) {
                    self.tables.add(index, table.ty.initial);
                }
            }
            Payload::ExportSection(reader) => {
                self.export_names = reader
                    .clone()
                    .into_iter()
                    .filter_map(|export| export.ok().map(|export| export.name.into()))
                    .collect();
            }
            _ => {}
        }
    }

    /// How many imports of `kind` precede the module's own items of it.
    fn imported(&self, kind: ExternKind) -> u32 {
        let count = self.import_kinds.iter().filter(|&&k| k == kind).count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }
}

/// `pages` pages of `2^page_size_log2` bytes (64 KiB by default) in bytes,
/// `u64::MAX` if that overflows.
fn memory_bytes(pages: u64, page_size_log2: Option<u32>) -> u64 {
    let log2 = page_size_log2.unwrap_or(16);
    pages.saturating_mul(1u64.checked_shl(log2).unwrap_or(u64::MAX))
}

pub(crate) fn kind(ty: wasmparser::TypeRef) -> Option<ExternKind> {
    match ty {
        wasmparser::TypeRef::Func(_) => Some(ExternKind::Func),
        wasmparser::TypeRef::Table(_) => Some(ExternKind::Table),
        wasmparser::TypeRef::Memory(_) => Some(ExternKind::Memory),
        wasmparser::TypeRef::Global(_) => Some(ExternKind::Global),
        wasmparser::TypeRef::Tag(_) => None,
    }
}
