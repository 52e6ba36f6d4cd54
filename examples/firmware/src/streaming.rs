//! Loading with wasmstream: the module is validated and staged while it
//! streams from flash, 64 bytes at a time; it is never whole in RAM.

use alloc::format;
use alloc::string::{String, ToString};

use wasmstream::wasmi::{self, Instance, Linker, Module, Store};
use wasmstream::{CompilationMode, Config, Limits, compile_streaming_with_window};

use crate::flash::FlashReader;
use crate::guest::{self, Host};

/// The engine type this loader works with.
pub type Engine = wasmstream::Engine;

/// What this firmware shows as the way it loads modules.
pub const NAME: &str = "wasmstream::compile_streaming_with_window";

/// A configuration for a microcontroller. Each setting is one a firmware
/// author should choose rather than inherit from a desktop default.
#[inline(never)]
pub fn engine() -> Engine {
    Config::new()
        // The guest uses 1-byte pages (16 KiB of memory instead of 64 KiB).
        .wasm_custom_page_sizes(true)
        // Reject any module bigger than the firmware is built to host, at
        // the byte whose declared size proves it, before reserving anything.
        .limits(Limits {
            max_module_bytes: 8 * 1024,
            max_section_bytes: 4 * 1024,
            max_function_body_bytes: 1024,
        })
        // wasmi's value stack: 1 KiB at first, never more than 8 KiB of heap
        // (the default maximum is about 1 MB). Deeper guests trap instead.
        .stack_heights(1024, 8 * 1024)
        .max_recursion_depth(64)
        // wasmi's own caps on functions, globals, segments, parameters.
        .enforced_limits(wasmi::EnforcedLimits::strict())
        // Translate a function to wasmi bytecode on its first call: unused
        // functions never cost RAM. Validation still happens while streaming.
        .compilation_mode(CompilationMode::Lazy)
        .engine()
}

/// Streams the module from `reader` through a 128-byte window on the stack.
#[inline(never)]
pub fn load(engine: &Engine, reader: &mut FlashReader) -> Result<Module, String> {
    let mut window = [0u8; 128];
    compile_streaming_with_window(engine, reader, &mut window).map_err(|e| e.to_string())
}

fn linker(engine: &Engine) -> Linker<Host> {
    let mut linker = Linker::new(engine);
    linker
        .func_wrap("env", "log", guest::log)
        .expect("a fresh linker has no env.log yet");
    linker
}

/// Links `env.log` and instantiates, running the start function.
#[inline(never)]
pub fn instantiate(engine: &Engine, module: &Module) -> Result<(Store<Host>, Instance), String> {
    let mut store = guest::new_store(engine);
    let instance = linker(engine)
        .instantiate_and_start(&mut store, module)
        .map_err(|e| format!("instantiate: {e}"))?;
    Ok((store, instance))
}

/// Instantiates with an `env.log` of the wrong signature and returns the
/// link error's message; linking must fail.
#[inline(never)]
pub fn link_error(engine: &Engine, module: &Module) -> Result<String, String> {
    let mut store = guest::new_store(engine);
    let mut linker = Linker::<Host>::new(engine);
    linker
        .func_wrap("env", "log", |_: u32| {})
        .expect("a fresh linker has no env.log yet");
    match linker.instantiate_and_start(&mut store, module) {
        Ok(_) => Err("linking a wrong env.log succeeded".into()),
        Err(e) => Ok(e.to_string()),
    }
}
