//! Puts the target's `memory.x` where the runtime's `link.x` finds it, and
//! assembles the guest module from WAT so its bytes can live in flash.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target = env::var("TARGET").unwrap_or_default();

    // The core each target is run on, and that machine's memory map.
    let (core, memory) = match target.as_str() {
        "thumbv7em-none-eabihf" => ("Cortex-M4F", "memory/cortex-m.x"),
        "thumbv8m.main-none-eabihf" => ("Cortex-M33", "memory/cortex-m33.x"),
        "riscv32imac-unknown-none-elf" => ("RISC-V", "memory/riscv.x"),
        // Host builds (cargo check on the host) need no linker script.
        _ => ("host", ""),
    };
    println!("cargo:rustc-env=FIRMWARE_CORE={core}");
    println!("cargo:rustc-env=FIRMWARE_TARGET={target}");
    if !memory.is_empty() {
        fs::copy(memory, out.join("memory.x")).expect("copy memory.x");
        println!("cargo:rustc-link-search={}", out.display());
        println!("cargo:rerun-if-changed={memory}");
    }

    let guest = "guest/crc32.wat";
    let wasm = wat::parse_file(guest).unwrap_or_else(|e| panic!("{guest}: {e}"));
    fs::write(out.join("crc32.wasm"), &wasm).expect("write crc32.wasm");
    // The same module as a chunked HTTP/1.1 response (features `http`,
    // `reqwless*`); reqwless reads neither chunk extensions nor trailers.
    let (extension, trailer) = if env::var_os("CARGO_FEATURE_REQWLESS_CLIENT").is_some() {
        ("", "")
    } else {
        (";ext=1", "X-Trailer: 1\r\n")
    };
    let mut http = b"HTTP/1.1 200 OK\r\nContent-Type: application/wasm\r\n\
        Transfer-Encoding: chunked\r\n\r\n"
        .to_vec();
    for chunk in wasm.chunks(100) {
        http.extend_from_slice(format!("{:x}{extension}\r\n", chunk.len()).as_bytes());
        http.extend_from_slice(chunk);
        http.extend_from_slice(b"\r\n");
    }
    http.extend_from_slice(format!("0\r\n{trailer}\r\n").as_bytes());
    fs::write(out.join("crc32.http"), http).expect("write crc32.http");
    println!("cargo:rerun-if-changed={guest}");
    println!("cargo:rerun-if-changed=build.rs");
}
