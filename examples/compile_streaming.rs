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

use std::sync::{Arc, Mutex};

use wasmstream::wasmi::Store;
use wasmstream::{Config, Imports, compile_streaming, instantiate};

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
    let engine = Config::new().engine();

    let source = Trickle {
        bytes: &wasm,
        max_read: 7,
    };
    let module = compile_streaming(&engine, source)?;
    println!("compiled {} bytes while streaming", wasm.len());

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
    let exported = instance.get_typed_func::<(), ()>(&store, "exported_func")?;
    exported.call(&mut store, ())?;

    assert_eq!(*received.lock().expect("log lock"), [42]);
    Ok(())
}
