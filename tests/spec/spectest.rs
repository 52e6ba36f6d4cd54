//! The spec interpreter's `spectest` module, built as an `Imports` namespace.

use wasmstream::Imports;
use wasmstream::wasmi::{
    F32, F64, Global, Memory, MemoryType, Mutability, Ref, RefType, Store, Table, TableType, Val,
};

/// Defines the `spectest` namespace as the reference interpreter has it:
/// `print*` functions, the four `global_*` constants (666), a funcref
/// `table` of 10..20 elements and a `memory` of 1..2 pages.
pub fn define_spectest(store: &mut Store<()>, imports: &mut Imports<()>) {
    let table = Table::new(
        &mut *store,
        TableType::new(RefType::Func, 10, Some(20)),
        Ref::null(RefType::Func),
    )
    .expect("the spectest table fits any store");
    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2)))
        .expect("the spectest memory fits any store");
    let mut constant = |value: Val| Global::new(&mut *store, value, Mutability::Const);
    let global_i32 = constant(Val::I32(666));
    let global_i64 = constant(Val::I64(666));
    let global_f32 = constant(Val::F32(F32::from(666.6f32)));
    let global_f64 = constant(Val::F64(F64::from(666.6f64)));
    imports
        .func_wrap("spectest", "print", || {})
        .func_wrap("spectest", "print_i32", |_: i32| {})
        .func_wrap("spectest", "print_i64", |_: i64| {})
        .func_wrap("spectest", "print_f32", |_: f32| {})
        .func_wrap("spectest", "print_f64", |_: f64| {})
        .func_wrap("spectest", "print_i32_f32", |_: i32, _: f32| {})
        .func_wrap("spectest", "print_f64_f64", |_: f64, _: f64| {})
        .define("spectest", "global_i32", global_i32)
        .define("spectest", "global_i64", global_i64)
        .define("spectest", "global_f32", global_f32)
        .define("spectest", "global_f64", global_f64)
        .define("spectest", "table", table)
        .define("spectest", "memory", memory);
}
