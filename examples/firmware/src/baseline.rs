//! The comparison point: what a firmware does without wasmstream. It reads
//! the whole module into RAM through the same 64-byte reader, then calls bare
//! `wasmi::Module::new` on the slice and links with `wasmi::Linker`. Nothing
//! of wasmstream's own code is linked (only its `wasmi` re-export is named),
//! so the flash difference between the two builds is wasmstream's cost.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use embedded_io::Read;
use wasmstream::wasmi::{self, CompilationMode, Instance, Linker, Module, Store};

use crate::flash::FlashReader;
use crate::guest::{self, Host};
use crate::kernels::Framed;
use crate::uart::Uart;

/// The engine type this loader works with.
pub type Engine = wasmi::Engine;

/// What this firmware shows as the way it loads modules.
pub const NAME: &str = "read all, then wasmi::Module::new (baseline)";

/// The same engine settings as the wasmstream build, set on wasmi directly.
#[inline(never)]
pub fn engine() -> Engine {
    let mut config = wasmi::Config::default();
    config
        .wasm_custom_page_sizes(true)
        .set_min_stack_height(1024)
        .set_max_stack_height(8 * 1024)
        .set_max_recursion_depth(64)
        .enforced_limits(wasmi::EnforcedLimits::strict())
        .ignore_custom_sections(true)
        .compilation_mode(CompilationMode::LazyTranslation);
    Engine::new(&config)
}

/// Reads the whole module into a `Vec`, then compiles it.
fn read_and_compile(engine: &Engine, reader: &mut FlashReader) -> Result<Module, String> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 64];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(never) => match never {},
        }
    }
    Module::new(engine, &bytes).map_err(|e| e.to_string())
}

/// Reads and compiles the module, links `env.log`, instantiates, runs the
/// start function.
#[inline(never)]
pub fn load(
    engine: &Engine,
    store: &mut Store<Host>,
    reader: &mut FlashReader,
) -> Result<(Module, Instance), String> {
    let module = read_and_compile(engine, reader)?;
    let mut linker = Linker::new(engine);
    linker
        .func_wrap("env", "log", guest::log)
        .map_err(|e| e.to_string())?;
    let instance = linker
        .instantiate_and_start(store, &module)
        .map_err(|e| format!("instantiate: {e}"))?;
    Ok((module, instance))
}

/// Reads the module again and links it with an `env.log` of the wrong
/// signature; returns wasmi's message. Linking must fail.
#[inline(never)]
pub fn link_error(engine: &Engine, reader: &mut FlashReader) -> Result<String, String> {
    let module = read_and_compile(engine, reader)?;
    let mut store = guest::new_store(engine);
    let mut linker = Linker::<Host>::new(engine);
    linker
        .func_wrap("env", "log", |_: u32| {})
        .map_err(|e| e.to_string())?;
    match linker.instantiate_and_start(&mut store, &module) {
        Ok(_) => Err("linking a wrong env.log succeeded".into()),
        Err(e) => Ok(format!("{e} (after {} bytes)", reader.position())),
    }
}

/// The big guest the bare-wasmi way: the whole module into a `Vec` of the
/// announced length, one UART byte per read, then `Module::new`, link (no
/// imports) and instantiate. Returns what happened, for the log.
#[inline(never)]
pub fn receive_kernels(
    engine: &Engine,
    store: &mut Store<Host>,
    uart: &mut Uart,
) -> Result<(Module, Instance, &'static str), String> {
    let mut framed = Framed::receive(uart);
    let mut bytes = Vec::with_capacity(framed.length());
    let mut byte = [0u8; 1];
    loop {
        match framed.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => bytes.push(byte[0]),
            Err(never) => match never {},
        }
    }
    let module = Module::new(engine, &bytes).map_err(|e| e.to_string())?;
    drop(bytes);
    let instance = Linker::<Host>::new(engine)
        .instantiate_and_start(store, &module)
        .map_err(|e| format!("instantiate: {e}"))?;
    Ok((
        module,
        instance,
        "read all from the UART, then wasmi::Module::new",
    ))
}
