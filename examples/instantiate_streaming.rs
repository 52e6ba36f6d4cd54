//! MDN's `WebAssembly.instantiateStreaming()` example, in Rust:
//!
//! ```js
//! const importObject = {
//!   my_namespace: { imported_func: (arg) => console.log(arg) },
//! };
//! WebAssembly.instantiateStreaming(fetch("simple.wasm"), importObject).then(
//!   (obj) => obj.instance.exports.exported_func(),
//! );
//! ```
//!
//! The module is MDN's `simple.wasm`; it arrives through a reader that hands
//! out a few bytes at a time, as a network socket or a UART would, and is
//! compiled while it arrives. Run it with
//! `cargo run --example instantiate_streaming`; it prints `42`.

use embedded_io::{ErrorType, Read};
use wasmstream::wasmi::Store;
use wasmstream::{Config, Imports, Instantiated, Response, instantiate_streaming};

/// MDN's `simple.wat`.
const SIMPLE_WAT: &str = r#"
(module
  (func $i (import "my_namespace" "imported_func") (param i32))
  (func (export "exported_func")
    i32.const 42
    call $i))
"#;

/// A body that arrives in chunks of at most `chunk` bytes.
struct Trickle<'a> {
    bytes: &'a [u8],
    chunk: usize,
    reads: usize,
}

impl ErrorType for Trickle<'_> {
    type Error = core::convert::Infallible;
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(self.chunk).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        self.reads += usize::from(n > 0);
        Ok(n)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wasm = wat::parse_str(SIMPLE_WAT)?;

    let engine = Config::new().engine();
    let mut store = Store::new(&engine, ());

    // const importObject = { my_namespace: { imported_func: (arg) => console.log(arg) } };
    let mut imports = Imports::new(&engine);
    imports.func_wrap("my_namespace", "imported_func", |arg: i32| {
        println!("{arg}");
    });

    // fetch("simple.wasm"): a 200 response with Content-Type application/wasm.
    let mut body = Trickle {
        bytes: &wasm,
        chunk: 4,
        reads: 0,
    };
    let response = Response::new(200, Some(b"application/wasm"), &mut body);

    let Instantiated { module, instance } = instantiate_streaming(&mut store, response, &imports)?;
    eprintln!(
        "compiled {} bytes from {} reads; exports: {}",
        wasm.len(),
        body.reads,
        module
            .exports()
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
            .join(", ")
    );

    // obj.instance.exports.exported_func();
    let exported_func = instance.get_typed_func::<(), ()>(&store, "exported_func")?;
    exported_func.call(&mut store, ())?;
    Ok(())
}
