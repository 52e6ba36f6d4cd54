//! Loading with wasmstream: `instantiate_streaming` validates and stages the
//! module while it streams from flash, 64 bytes at a time (it is never whole
//! in RAM), then links it against an import object and instantiates it.

use alloc::format;
use alloc::string::{String, ToString};

use wasmstream::wasmi::{self, Instance, Module, Store};
use wasmstream::{
    CompilationMode, CompileOptions, Config, Error, Imports, Instantiated, Limits,
    instantiate_streaming_with,
};

use crate::flash::FlashReader;
use crate::guest::{self, Host};

/// The engine type this loader works with.
pub type Engine = wasmstream::Engine;

/// What this firmware shows as the way it loads modules.
pub const NAME: &str = "wasmstream::instantiate_streaming_with";

/// Bytes of the read window, on the stack while loading. The reader hands
/// out at most 64 bytes anyway; a window larger than a read buys nothing.
const WINDOW_BYTES: usize = 64;

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

/// The import object `{ env: { log } }`.
fn imports(engine: &Engine) -> Imports<Host> {
    let mut imports = Imports::new(engine);
    imports.func_wrap("env", "log", guest::log);
    imports
}

/// Streams the module from `reader` into `store`: compile, link `env.log`,
/// instantiate, run the start function.
#[inline(never)]
pub fn load(
    engine: &Engine,
    store: &mut Store<Host>,
    reader: &mut FlashReader,
) -> Result<(Module, Instance), String> {
    let mut window = [0u8; WINDOW_BYTES];
    // The image's size is known, so the staged module is reserved once.
    let options = CompileOptions::new()
        .window(&mut window)
        .size_hint(reader.image_size() as u64);
    let Instantiated { module, instance } =
        instantiate_streaming_with(store, reader, &imports(engine), options)
            .map_err(|e| e.to_string())?;
    Ok((module, instance))
}

/// Streams the module again with an `env.log` of the wrong signature and
/// the early link check on; returns the link error's message and how many
/// bytes were read before it. Anything but a link error is a failure.
#[inline(never)]
pub fn link_error(engine: &Engine, reader: &mut FlashReader) -> Result<String, String> {
    let mut store = guest::new_store(engine);
    let mut wrong = Imports::new(engine);
    wrong.func_wrap("env", "log", |_: u32| {});
    let mut window = [0u8; WINDOW_BYTES];
    let options = CompileOptions::new()
        .window(&mut window)
        // Stop reading as soon as the import section proves the module
        // cannot link: on a slow link, the rest is never downloaded.
        .early_link_check(true);
    match instantiate_streaming_with(&mut store, &mut *reader, &wrong, options) {
        Err(Error::Link(e)) => Ok(format!("{e} (after {} bytes)", reader.position())),
        Err(other) => Err(format!("expected a link error, got: {other}")),
        Ok(_) => Err("linking a wrong env.log succeeded".into()),
    }
}
