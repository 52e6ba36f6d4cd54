//! MDN's `WebAssembly.compileStreaming()` example, in Rust.
//!
//! ```js
//! const importObject = { my_namespace: { imported_func: (arg) => console.log(arg) } };
//! WebAssembly.compileStreaming(fetch("simple.wasm"))
//!   .then((module) => WebAssembly.instantiate(module, importObject))
//!   .then((instance) => instance.exports.exported_func());
//! ```
//!
//! The module arrives through a reader that hands out at most 7 bytes per
//! read, like a slow UART; it is compiled while it arrives.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use wasmstream::wasmi::Store;
use wasmstream::{Config, Error, Imports, RuntimeError, compile_streaming, instantiate};

/// The text of MDN's `simple.wasm`.
const SIMPLE_WAT: &str = r#"
(module
  (func $imported_func (import "my_namespace" "imported_func") (param i32))
  (func (export "exported_func")
    i32.const 42
    call $imported_func))
"#;

/// A reader that hands out at most `max_read` bytes per call.
struct Trickle<'a> {
    bytes: &'a [u8],
    max_read: usize,
}

impl embedded_io::ErrorType for Trickle<'_> {
    type Error = core::convert::Infallible;
}

impl embedded_io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(self.max_read).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wasm = wat::parse_str(SIMPLE_WAT)?;
    let source = Trickle {
        bytes: &wasm,
        max_read: 7,
    };
    let received = compile_then_instantiate(source)?;
    assert_eq!(received, [42]);
    Ok(())
}

/// compileStreaming, then instantiate, then a call: one function, one error
/// type, `?` throughout (the reader's error type is `Infallible` here; a
/// `std::io::Read` would make it `std::io::Error`).
fn compile_then_instantiate(source: Trickle<'_>) -> Result<Vec<i32>, Error<Infallible>> {
    let engine = Config::new().engine();
    let module = compile_streaming(&engine, source)?;
    println!(
        "compiled while streaming: {} imports",
        module.imports().len()
    );

    let received = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&received);
    // const importObject = { my_namespace: { imported_func: (arg) => console.log(arg) } };
    let mut imports = Imports::new(&engine);
    imports.func_wrap("my_namespace", "imported_func", move |arg: i32| {
        println!("imported_func received {arg}");
        log.lock().expect("log lock").push(arg);
    });
    let mut store = Store::new(&engine, ());
    let instance = instantiate(&mut store, &module, &imports)?;
    // A trap in a later call is wasmi's error; it is a RuntimeError too.
    let exported = instance
        .get_typed_func::<(), ()>(&store, "exported_func")
        .map_err(RuntimeError::new)?;
    exported.call(&mut store, ()).map_err(RuntimeError::new)?;

    let received = received.lock().expect("log lock").clone();
    Ok(received)
}
