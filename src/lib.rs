//! # wasmstream
//!
//! The WebAssembly JS API's streaming calls — `compileStreaming` and
//! `instantiateStreaming` — for firmware and host-side tests, on wasmi 2.x.
//!
//! Module bytes come through an [`embedded_io::Read`] (an SD card, a UART, a
//! socket, flash) or a [`Response`] that also carries an HTTP status and
//! `Content-Type`. The module is parsed and validated while it arrives, by a
//! sans-IO [`StreamingCompiler`]; a bad module is rejected at the byte that
//! proves it, with that byte's offset. Failures use the JS API's error kinds
//! (see [`Error`]).
//!
//! ```
//! use wasmstream::{Config, compile_streaming};
//!
//! let engine = Config::new().engine();
//! let wasm = wat::parse_str(r#"(module (func (export "add") (param i32 i32) (result i32)
//!     local.get 0 local.get 1 i32.add))"#)?;
//! // Any embedded_io::Read works; a byte slice is the simplest.
//! let module = compile_streaming(&engine, &wasm[..])?;
//! assert!(module.wasmi().get_export("add").is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`instantiate_streaming`] compiles and instantiates in one call, linking
//! the module's imports against an import object, [`Imports`], as the JS
//! API's "read the imports" does; a missing or mismatched import is a
//! [`LinkError`] that names it (`import #1 "env" "f": imported function has
//! type (i32) -> (), module wants (i64) -> ()`).
//!
//! ## Integrity, signatures, progress and abort
//!
//! The `integrity` module (features `integrity`, `signature`) checks the SHA-256 of
//! every streamed byte against SRI metadata or a digest, and an Ed25519
//! signature of that digest, before wasmi builds anything; a failure is a
//! [`TypeError`]. [`control`] has the progress callback, the abort condition
//! ([`Error::Abort`], the JS `AbortError`) and the bounded retry of
//! interrupted reads that the drivers use.
//!
//! ## Memory
//!
//! Peak RAM is the read window (fixed, chosen by the caller), one parse
//! unit (a section header, one section, one function body — never a data
//! segment's bytes), the staged module (every section but skipped custom
//! sections, in the [`Staging`] sink: the heap by default) and wasmi's
//! module. See `docs/memory.md` in the repository.
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `std` | yes | [`std_io::FromStd`] to read `std::io::Read` values; std error impls in wasmi |
//! | `async` | yes | the `_async` twins over `embedded_io_async::Read` |
//! | `memory64` | no | the memory64 proposal, in wasmi and in `Config` |
//! | `simd` | no | the SIMD and relaxed-SIMD proposals, in wasmi and in `Config` |
//! | `portable-dispatch` | no | wasmi's loop dispatch on every target (forced on RISC-V) |
//! | `indirect-dispatch` | no | wasmi's compact bytecode: less RAM per function, slower |
//! | `defmt` | no | `defmt::Format` for every error type |
//! | `http` | yes | `http::HttpResponse`: HTTP/1.1 responses (head by `httparse`, `Content-Length`, chunked) as sources |
//! | `reqwless` | no | `http::from_reqwless`: a reqwless response as an async source |
//! | `flash` | no | `FlashStaging` (NOR flash via embedded-storage) and `load_installed` |
//! | `integrity` | no | `CompileOptions::integrity`: SHA-256 over every byte, checked against SRI or a digest |
//! | `signature` | no | Ed25519 signatures of the module's SHA-256 (implies `integrity`) |
//! | `wasmi-validate` | yes | wasmi's own validator; wasmstream never needs it (firmware leaves it off) |
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod compile;
mod config;
pub mod control;
mod error;
mod instantiate;
#[cfg(feature = "integrity")]
pub mod integrity;
pub mod link;
mod source;
pub mod staging;

pub use compile::{
    CompileOptions, DEFAULT_WINDOW_BYTES, ImportDeclaration, StreamingCompiler, compile_streaming,
    compile_streaming_with, validate,
};
#[cfg(feature = "async")]
pub use compile::{compile_streaming_async, compile_streaming_with_async, validate_async};
pub use config::{CompilationMode, Config, Engine, Limits, ResourceLimits};
pub use error::{
    CompileError, Error, LimitExceeded, LinkError, LinkErrorReason, RuntimeError, StreamingError,
    TypeError,
};
pub use error::{ExternKind, IndexType};
pub use instantiate::{
    Instantiated, Module, ModuleImports, instantiate, instantiate_streaming,
    instantiate_streaming_with,
};
#[cfg(feature = "async")]
pub use instantiate::{instantiate_streaming_async, instantiate_streaming_with_async};
pub use link::{Definition, HostFunc, Imports, IntoHostFunc, Namespace};
#[cfg(feature = "http")]
pub use source::http;
#[cfg(feature = "async")]
pub use source::{AsyncSource, AsyncSourceError};
pub use source::{Response, Source, SourceError};
#[cfg(feature = "flash")]
pub use staging::{FlashStaging, load_installed};
pub use staging::{Staging, StagingError, VecStaging};
/// wasmi, re-exported: `Store`, `Func`, `Val`, `Instance` …
pub use wasmi;
pub use wasmi::Instance;

/// Reading from `std::io::Read` values (a `File`, a `TcpStream`).
///
/// ```no_run
/// use wasmstream::std_io::FromStd;
///
/// let engine = wasmstream::Config::new().engine();
/// let file = std::fs::File::open("module.wasm")?;
/// let module = wasmstream::compile_streaming(&engine, FromStd::new(file))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "std")]
pub mod std_io {
    pub use embedded_io_adapters::std::FromStd;
}

/// The README's code, compiled and run as doctests.
#[cfg(all(doctest, feature = "std"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
