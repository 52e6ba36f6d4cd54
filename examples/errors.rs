//! Each of wasmstream's error kinds once, with its message: what a firmware
//! developer sees when a module cannot be fetched, compiled, linked or
//! started, or when the connection drops.
//!
//! Run it with `cargo run --example errors`.

use core::fmt::Display;

use embedded_io::{ErrorKind, ErrorType, Read};
use wasmstream::wasmi::{Memory, MemoryType, Store};
use wasmstream::{Config, Error, Imports, Instantiated, Response, instantiate_streaming};

/// A reader whose connection drops after `ok` bytes.
struct Dropping<'a> {
    bytes: &'a [u8],
    ok: usize,
}

impl ErrorType for Dropping<'_> {
    type Error = ErrorKind;
}

impl Read for Dropping<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        if self.ok == 0 {
            return Err(ErrorKind::ConnectionReset);
        }
        let n = buf.len().min(self.ok).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        self.ok -= n;
        Ok(n)
    }
}

/// Prints the kind of error and its one-line message.
fn show<E: Display>(what: &str, result: Result<Instantiated, Error<E>>) {
    let error = match result {
        Ok(_) => {
            println!("{what}: instantiated, no error");
            return;
        }
        Err(error) => error,
    };
    let kind = match &error {
        Error::Type(_) => "TypeError",
        Error::Compile(_) => "CompileError",
        Error::Link(_) => "LinkError",
        Error::Runtime(_) => "RuntimeError",
        Error::Staging(_) => "StagingError",
        Error::Abort => "AbortError",
        Error::Io(_) => "Io",
    };
    println!("{kind:<13} {what}\n              {error}");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Config::new().engine();
    let mut store = Store::new(&engine, ());

    let mut imports = Imports::new(&engine);
    let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    imports
        .func_wrap("env", "log", |value: i32| println!("log: {value}"))
        .define("env", "memory", memory);

    let app = wat::parse_str(
        r#"(module
            (import "env" "log" (func $log (param i32)))
            (import "env" "memory" (memory 1))
            (func (export "run") (call $log (i32.const 1))))"#,
    )?;

    // TypeError: the server sent an HTML error page.
    let html = Response::new(200, Some(b"text/html; charset=utf-8"), &app[..]);
    show(
        "wrong Content-Type",
        instantiate_streaming(&mut store, html, &imports),
    );

    // CompileError: a function body that does not type-check.
    let invalid = wat::parse_str(r#"(module (func (result i32) i64.const 1))"#)?;
    show(
        "invalid module",
        instantiate_streaming(&mut store, &invalid[..], &imports),
    );

    // LinkError: the module wants a 2-page memory, the firmware offers 1.
    let greedy = wat::parse_str(r#"(module (import "env" "memory" (memory 2)))"#)?;
    show(
        "memory too small",
        instantiate_streaming(&mut store, &greedy[..], &imports),
    );

    // LinkError: the host function has another signature.
    let wrong_sig = wat::parse_str(r#"(module (import "env" "log" (func (param i64))))"#)?;
    show(
        "wrong signature",
        instantiate_streaming(&mut store, &wrong_sig[..], &imports),
    );

    // TypeError: the module imports from a namespace the firmware lacks.
    let wasi = wat::parse_str(
        r#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))))"#,
    )?;
    show(
        "missing namespace",
        instantiate_streaming(&mut store, &wasi[..], &imports),
    );

    // RuntimeError: the start function traps.
    let trapping = wat::parse_str(r#"(module (func $start unreachable) (start $start))"#)?;
    show(
        "start traps",
        instantiate_streaming(&mut store, &trapping[..], &imports),
    );

    // Io: the connection drops halfway.
    let dropping = Dropping {
        bytes: &app,
        ok: app.len() / 2,
    };
    show(
        "connection drops",
        instantiate_streaming(&mut store, dropping, &imports),
    );

    Ok(())
}
