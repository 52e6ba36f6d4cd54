//! Loading with wasmstream: `instantiate_streaming` validates and stages the
//! module while it streams from flash, 64 bytes at a time (it is never whole
//! in RAM), then links it against an import object and instantiates it.

use alloc::format;
use alloc::string::{String, ToString};

#[cfg(feature = "signature")]
use wasmstream::TypeError;
use wasmstream::staging::InstallError;
use wasmstream::wasmi::{self, Instance, Module, Store};
use wasmstream::{
    CompilationMode, CompileOptions, Config, Error, FlashStaging, Imports, Instantiated, Limits,
    compile_streaming_with, instantiate, instantiate_streaming_with, load_installed,
};

use crate::flash::FlashReader;
use crate::guest::{self, Host};
use crate::kernels::Framed;
use crate::nor_flash::{QemuNorFlash, REGION_BYTES};
#[cfg(feature = "signature")]
use crate::signing;
use crate::uart::Uart;

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
            max_module_bytes: 128 * 1024,
            max_section_bytes: 96 * 1024,
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
    // With `http`, the module arrives as a chunked HTTP/1.1 response.
    #[cfg(feature = "http")]
    let mut head = [0u8; 128];
    #[cfg(feature = "http")]
    let reader = {
        *reader = FlashReader::new(guest::GUEST_HTTP);
        wasmstream::http::HttpResponse::read(reader, &mut head).map_err(|e| e.to_string())?
    };
    #[cfg(feature = "reqwless-client")]
    return load_with_reqwless(engine, store, reader, options);
    #[cfg(not(feature = "reqwless-client"))]
    let Instantiated { module, instance } =
        instantiate_streaming_with(store, reader, &imports(engine), options)
            .map_err(|e| e.to_string())?;
    #[cfg(not(feature = "reqwless-client"))]
    Ok((module.into_wasmi(), instance))
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

/// The module as a chunked HTTP/1.1 response read by reqwless's
/// `Response::read`, then streamed by the async driver — through
/// `wasmstream::http::from_reqwless` (feature `reqwless`) or a hand-written
/// `Response` (feature `reqwless-manual`).
#[cfg(feature = "reqwless-client")]
fn load_with_reqwless(
    engine: &Engine,
    store: &mut Store<Host>,
    reader: &mut FlashReader,
    options: InstantiateOptions<'_>,
) -> Result<(Module, Instance), String> {
    *reader = FlashReader::new(guest::GUEST_HTTP);
    embassy_futures::block_on(async {
        let mut head = [0u8; 256];
        let method = reqwless::request::Method::GET;
        let response = reqwless::response::Response::read(reader, method, &mut head)
            .await
            .map_err(|e| e.to_string())?;
        #[cfg(feature = "reqwless")]
        let source = wasmstream::http::from_reqwless(response);
        #[cfg(not(feature = "reqwless"))]
        let source = {
            let status = response.status.0;
            let is_wasm = response.headers().any(|(name, value)| {
                name.eq_ignore_ascii_case("content-type") && value == b"application/wasm"
            });
            let content_type: Option<&[u8]> = if is_wasm {
                Some(b"application/wasm")
            } else {
                None
            };
            wasmstream::Response::new(status, content_type, response.body().reader())
        };
        let Instantiated { module, instance } =
            wasmstream::instantiate_streaming_with_async(store, source, &imports(engine), options)
                .await
                .map_err(|e| e.to_string())?;
        Ok((module.into_wasmi(), instance))
    })
}

/// The installed region as the CPU reads it.
///
/// # Safety
///
/// Nothing may write the region while the slice lives.
unsafe fn installed_region<'a>() -> &'a [u8] {
    // SAFETY: the region is mapped memory of REGION_BYTES bytes; the caller
    // keeps writers away.
    unsafe { core::slice::from_raw_parts(QemuNorFlash::view(), REGION_BYTES as usize) }
}

/// The big guest, the wasmstream way. At every boot after the first, the
/// installed module is loaded from flash with `load_installed` (record and
/// SHA-256 checked, not validated again). At the first boot (no install
/// record) it is received over the UART, one byte per read, and streamed
/// into flash through `FlashStaging`: validated while it arrives, never
/// whole in RAM, installed when it has validated. Then it is instantiated
/// (no imports). Returns what happened, for the log.
#[inline(never)]
pub fn receive_kernels(
    engine: &Engine,
    store: &mut Store<Host>,
    uart: &mut Uart,
) -> Result<(Module, Instance, &'static str), String> {
    // SAFETY: nothing writes the region while `load_installed` reads it.
    let installed = load_installed(engine, unsafe { installed_region() });
    let (module, how) = match installed {
        Ok(module) => (
            module,
            "loaded the installed module from flash without validating",
        ),
        Err(InstallError::NoRecord) => {
            #[cfg(feature = "signature")]
            refuse_tampered_signature(engine)?;
            let mut framed = Framed::receive(uart);
            let length = framed.length();
            let mut flash = QemuNorFlash::take();
            // SAFETY: the view is the region's memory, read at its address;
            // reads see every completed write (it is RAM); only this staging
            // writes it while it lives, and no slice of it is alive.
            let staging =
                unsafe { FlashStaging::new(&mut flash, 0, REGION_BYTES, QemuNorFlash::view()) }
                    .map_err(|e| e.to_string())?;
            let mut window = [0u8; 1];
            let options = CompileOptions::new()
                .window(&mut window)
                .size_hint(length as u64)
                .staging(staging);
            // Installed only if the signature verifies, checked after the
            // last byte and before the install record is written.
            #[cfg(feature = "signature")]
            let options = options.integrity(signing::kernels_check()?);
            let module =
                compile_streaming_with(engine, &mut framed, options).map_err(|e| e.to_string())?;
            #[cfg(feature = "signature")]
            semihosting::println!(
                "signature: verified (Ed25519 over {}) before installing",
                signing::KERNELS_SRI
            );
            let (erases, writes) = flash.operations();
            semihosting::println!(
                "flash: installed {length} bytes with {erases} page erases and {writes} writes"
            );
            (
                module,
                "streamed from the UART into flash, validated, installed",
            )
        }
        Err(other) => return Err(format!("installed module refused: {other}")),
    };
    let instance = instantiate(&mut *store, &module, &Imports::new(engine))
        .map_err(|e: Error<core::convert::Infallible>| e.to_string())?;
    Ok((module.into_wasmi(), instance, how))
}

/// At the first boot, before the big guest arrives: streams the CRC-32 guest
/// from flash into the empty install region with a tampered signature. It
/// must be refused with `BadSignature` after its last byte, and nothing may
/// be installed (`load_installed` still finds no record), so the big guest
/// is then installed into the same region as if nothing had happened.
#[cfg(feature = "signature")]
#[inline(never)]
fn refuse_tampered_signature(engine: &Engine) -> Result<(), String> {
    let mut flash = QemuNorFlash::take();
    // SAFETY: as in `receive_kernels`: only this staging writes the region
    // while it lives, and no slice of it is alive.
    let staging = unsafe { FlashStaging::new(&mut flash, 0, REGION_BYTES, QemuNorFlash::view()) }
        .map_err(|e| e.to_string())?;
    let mut window = [0u8; WINDOW_BYTES];
    let options = CompileOptions::new()
        .window(&mut window)
        .staging(staging)
        .integrity(signing::tampered_crc32_check()?);
    let mut reader = FlashReader::new(guest::GUEST);
    let message = match compile_streaming_with(engine, &mut reader, options) {
        Err(Error::Type(e @ TypeError::BadSignature { .. })) => e.to_string(),
        Err(other) => return Err(format!("expected a bad signature, got: {other}")),
        Ok(_) => return Err("a tampered signature was accepted".into()),
    };
    semihosting::println!(
        "signature: tampered signature refused (expected) after {} bytes: {message}",
        reader.position()
    );
    // SAFETY: the staging is gone; nothing writes the region while this reads it.
    match load_installed(engine, unsafe { installed_region() }) {
        Err(InstallError::NoRecord) => {
            semihosting::println!("signature: nothing installed after the refusal");
            Ok(())
        }
        Err(other) => Err(format!("after the refusal, load_installed: {other}")),
        Ok(_) => Err("the refused module was installed".into()),
    }
}
