//! A deterministic generator of large Wasm modules shaped like rustc's
//! output: a shadow stack in a mutable global, thousands of functions with
//! locals of every type, loops, branches, `br_table`, memory loads and stores
//! at static offsets, direct and indirect calls, i64 and f64 arithmetic,
//! conversions and bulk-memory copies, a data section after the code section,
//! and (optionally) DWARF custom sections after the data section, where rustc
//! puts them.

use wasm_encoder::{
    CodeSection, ConstExpr, CustomSection, DataSection, ElementSection, Elements, EntityType,
    ExportKind, ExportSection, FunctionSection, GlobalSection, GlobalType, ImportSection,
    MemorySection, MemoryType, Module, RefType, TableSection, TableType, TypeSection, ValType,
};

use crate::func_gen::FuncGen;
use crate::rng::Rng;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Seed of the generator; the same shape always gives the same bytes.
    pub seed: u64,
    /// Defined functions.
    pub functions: u32,
    /// Bytes of active data segments.
    pub data_bytes: usize,
}

/// The generated module, with and without DWARF sections.
pub struct Generated {
    /// The module without custom sections.
    pub plain: Vec<u8>,
    /// Bytes of the code section (id, size field and contents).
    pub code_section_bytes: usize,
}

impl Generated {
    /// `plain` followed by rustc-style DWARF custom sections totalling about
    /// `debug_bytes` (contents are filler: only their size matters here).
    pub fn with_debug(&self, seed: u64, debug_bytes: usize) -> Vec<u8> {
        // Shares of a rustc `debug = true` build's DWARF, in percent.
        const SECTIONS: [(&str, usize); 6] = [
            (".debug_abbrev", 1),
            (".debug_info", 38),
            (".debug_ranges", 6),
            (".debug_str", 25),
            (".debug_line", 22),
            (".debug_loc", 8),
        ];
        let mut rng = Rng::new(seed);
        let mut module = Module::new();
        for (name, percent) in SECTIONS {
            let data: Vec<u8> = (0..debug_bytes * percent / 100)
                .map(|_| rng.next() as u8)
                .collect();
            module.section(&CustomSection {
                name: name.into(),
                data: data.into(),
            });
        }
        let custom = module.finish();
        // Drop the second module's preamble; sections simply concatenate.
        let mut bytes = self.plain.clone();
        bytes.extend_from_slice(&custom[8..]);
        bytes
    }
}

/// Function signatures, by type index.
pub const SIGNATURES: &[(&[ValType], &[ValType])] = &[
    (&[], &[]),
    (&[ValType::I32], &[]),
    (&[ValType::I32, ValType::I32], &[ValType::I32]),
    (&[ValType::I32, ValType::I64], &[ValType::I64]),
    (&[ValType::I32, ValType::F64], &[ValType::F64]),
    (&[ValType::I32, ValType::I32, ValType::I32], &[]),
    (&[ValType::I64, ValType::I64], &[ValType::I64]),
    (&[ValType::F64, ValType::F64], &[ValType::F64]),
    (&[ValType::I32], &[ValType::I32]),
    (
        &[ValType::I32, ValType::I32, ValType::I32, ValType::I32],
        &[ValType::I32],
    ),
    (&[ValType::I32, ValType::I32], &[ValType::I32, ValType::I32]),
    (&[], &[ValType::I64]),
];

/// Host imports: (module, name, type index).
const IMPORTS: &[(&str, &str, u32)] = &[
    ("wasi_snapshot_preview1", "fd_write", 9),
    ("wasi_snapshot_preview1", "proc_exit", 1),
    ("env", "write", 5),
    ("env", "now", 11),
    ("env", "log_f64", 4),
    ("env", "random", 8),
];

/// The global holding the shadow-stack pointer.
pub const STACK_POINTER: u32 = 0;
/// Where rustc puts static data: above a 1 MiB shadow stack.
const DATA_START: usize = 1 << 20;
const PAGE: usize = 65536;
/// Every `TABLE_STRIDE`-th function is reachable through the table.
const TABLE_STRIDE: u32 = 8;

/// Generates a valid module of `shape`.
pub fn generate(shape: Shape) -> Generated {
    let mut rng = Rng::new(shape.seed);
    let imported = IMPORTS.len() as u32;

    let mut types = TypeSection::new();
    for (params, results) in SIGNATURES {
        types
            .ty()
            .function(params.iter().copied(), results.iter().copied());
    }
    let mut imports = ImportSection::new();
    for &(module, name, ty) in IMPORTS {
        imports.import(module, name, EntityType::Function(ty));
    }

    // Function 0 is `_start: () -> ()`; the others take random signatures,
    // weighted towards the i32-heavy ones rustc emits most.
    let signatures: Vec<u32> = (0..shape.functions)
        .map(|i| match (i, rng.below(100)) {
            (0, _) => 0,
            (_, 0..=29) => 2,
            (_, 30..=44) => 8,
            (_, 45..=54) => 1,
            (_, 55..=64) => 9,
            (_, 65..=72) => 5,
            (_, 73..=79) => 3,
            (_, 80..=85) => 4,
            (_, 86..=90) => 6,
            (_, 91..=95) => 7,
            (_, 96..=97) => 10,
            _ => 0,
        })
        .collect();
    let mut functions = FunctionSection::new();
    for &ty in &signatures {
        functions.function(ty);
    }

    let table_len = shape.functions.div_ceil(TABLE_STRIDE);
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        table64: false,
        minimum: u64::from(table_len) + 1,
        maximum: Some(u64::from(table_len) + 1),
        shared: false,
    });

    let pages = (DATA_START + shape.data_bytes).div_ceil(PAGE) as u64 + 1;
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: pages,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });

    let mut globals = GlobalSection::new();
    let data_end = (DATA_START + shape.data_bytes) as i32;
    for (mutable, value) in [
        (true, DATA_START as i32),
        (false, data_end),
        (false, data_end),
    ] {
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable,
                shared: false,
            },
            &ConstExpr::i32_const(value),
        );
    }

    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export("_start", ExportKind::Func, imported);
    for i in (1..shape.functions).step_by(97) {
        exports.export(&format!("export_{i}"), ExportKind::Func, imported + i);
    }
    exports.export("__data_end", ExportKind::Global, 1);
    exports.export("__heap_base", ExportKind::Global, 2);

    let table_funcs: Vec<u32> = (0..shape.functions)
        .step_by(TABLE_STRIDE as usize)
        .map(|i| imported + i)
        .collect();
    let mut elements = ElementSection::new();
    elements.active(
        None,
        &ConstExpr::i32_const(1),
        Elements::Functions(table_funcs.into()),
    );

    let mut code = CodeSection::new();
    // Every import, then every defined function, with its type: the callees.
    let mut callees: Vec<(u32, u32)> = IMPORTS
        .iter()
        .enumerate()
        .map(|(i, &(_, _, ty))| (i as u32, ty))
        .collect();
    for (i, &ty) in signatures.iter().enumerate() {
        let body = FuncGen::body(&mut rng, ty, &callees, table_len);
        code.function(&body);
        callees.push((imported + i as u32, ty));
    }

    let mut data = DataSection::new();
    let mut offset = DATA_START;
    while offset < DATA_START + shape.data_bytes {
        let len = (256 + rng.below(8192) as usize).min(DATA_START + shape.data_bytes - offset);
        let bytes: Vec<u8> = (0..len)
            .map(|_| match rng.below(4) {
                // Mostly text and small integers, like .rodata.
                0 | 1 => b'a' + rng.below(26) as u8,
                2 => 0,
                _ => rng.next() as u8,
            })
            .collect();
        data.active(0, &ConstExpr::i32_const(offset as i32), bytes);
        offset += len;
    }

    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&tables)
        .section(&memories)
        .section(&globals)
        .section(&exports)
        .section(&elements);
    let before_code = module.as_slice().len();
    module.section(&code);
    let code_section_bytes = module.as_slice().len() - before_code;
    module.section(&data);
    Generated {
        plain: module.finish(),
        code_section_bytes,
    }
}
