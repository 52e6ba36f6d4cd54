//! Puts the target's `memory.x` where the runtime's `link.x` finds it,
//! assembles the guest modules from WAT so their bytes can live in flash, and
//! signs them with a fixed test key (feature `signature`).

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
    // The Cortex-M33 build runs on mps2-an505, whose UART and RAM sit
    // elsewhere than mps2-an386's.
    println!("cargo::rustc-check-cfg=cfg(mps2_an505)");
    if target == "thumbv8m.main-none-eabihf" {
        println!("cargo:rustc-cfg=mps2_an505");
    }
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

    let (wat, expected) = kernels();
    let wasm = wat::parse_str(&wat).expect("the generated kernels module assembles");
    fs::write(out.join("kernels.wasm"), &wasm).expect("write kernels.wasm");
    // What the host sends over the UART: the length (4 bytes, little-endian),
    // then the module. A UART has no end of stream; the length is how the
    // firmware knows where the module ends.
    let mut framed = (wasm.len() as u32).to_le_bytes().to_vec();
    framed.extend_from_slice(&wasm);
    fs::write(out.join("kernels.uart"), framed).expect("write kernels.uart");
    let crc32 = fs::read(out.join("crc32.wasm")).expect("read crc32.wasm");
    fs::write(out.join("signing.rs"), signing(&wasm, &crc32)).expect("write signing.rs");
    let answers: Vec<String> = expected
        .iter()
        .map(|(k, x, y)| format!("({k}, {x:#010x}, {y:#010x})"))
        .collect();
    fs::write(
        out.join("kernels.rs"),
        format!(
            "/// (kernel, input, output) triples `build.rs` computed natively.\n\
             pub const KERNEL_ANSWERS: [(u32, u32, u32); {}] = [{}];\n\
             /// How many kernels the module holds.\n\
             pub const KERNELS: u32 = {KERNELS};\n",
            answers.len(),
            answers.join(", ")
        ),
    )
    .expect("write kernels.rs");
}

/// The test signer's secret key: RFC 8032's section 7.1 TEST 1 key, public
/// and fixed so every build signs the same way. A real firmware holds only
/// the public key of a secret kept off the build machine.
const TEST_SECRET_KEY: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];

/// The Rust source of `signing.rs`: the public key and the detached
/// Ed25519 signatures of the two guests' SHA-256 digests (what
/// `wasmstream::integrity` verifies), and the big guest's digest as SRI
/// metadata for the log.
fn signing(kernels: &[u8], crc32: &[u8]) -> String {
    use ed25519_dalek::{Signer, SigningKey};
    use sha2::{Digest, Sha256};

    let key = SigningKey::from_bytes(&TEST_SECRET_KEY);
    let sign = |module: &[u8]| -> ([u8; 32], [u8; 64]) {
        let digest: [u8; 32] = Sha256::digest(module).into();
        (digest, key.sign(&digest).to_bytes())
    };
    let (kernels_digest, kernels_signature) = sign(kernels);
    let (_, crc32_signature) = sign(crc32);
    format!(
        "/// The public key of `build.rs`'s test signer (RFC 8032 TEST 1).\n\
         pub const PUBLIC_KEY: [u8; 32] = {:?};\n\
         /// The big guest's signature: Ed25519 of its SHA-256 digest.\n\
         pub const KERNELS_SIGNATURE: [u8; 64] = {:?};\n\
         /// The big guest's SHA-256 digest as SRI metadata.\n\
         pub const KERNELS_SRI: &str = \"sha256-{}\";\n\
         /// The CRC-32 guest's signature: Ed25519 of its SHA-256 digest.\n\
         pub const CRC32_SIGNATURE: [u8; 64] = {:?};\n",
        key.verifying_key().to_bytes(),
        kernels_signature,
        base64(&kernels_digest),
        crc32_signature,
    )
}

/// Standard base64 with padding (RFC 4648), as SRI metadata writes a digest.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::new();
    for group in bytes.chunks(3) {
        let bits = group.iter().enumerate().fold(0u32, |bits, (i, &byte)| {
            bits | u32::from(byte) << (16 - 8 * i)
        });
        for i in 0..4 {
            if i <= group.len() {
                text.push(ALPHABET[(bits >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                text.push('=');
            }
        }
    }
    text
}

/// Functions in the generated module, and mixing rounds per function: a
/// 72,942-byte code section (a round is about 28 bytes of Wasm).
const KERNELS: u32 = 256;
const ROUNDS: u32 = 10;

/// The big guest the firmware receives over the UART: `KERNELS` functions,
/// each a different chain of multiply, add, xor and rotate rounds (constants
/// from a fixed pseudo-random sequence), reached through a table by the
/// export `run(kernel, x)`. Returns the WAT text and a few answers computed
/// here with the same arithmetic, which the firmware checks.
fn kernels() -> (String, Vec<(u32, u32, u32)>) {
    let mut state = 0x9E37_79B9u32;
    let mut next = move || {
        // xorshift32: fixed, so every build makes the same module.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    let mut wat = String::from("(module\n  (type $kernel (func (param i32) (result i32)))\n");
    let mut rounds_of = Vec::new();
    for k in 0..KERNELS {
        let mut rounds = Vec::new();
        wat.push_str(&format!("  (func $k{k} (type $kernel)\n"));
        for _ in 0..ROUNDS {
            let (mul, add, rot) = (next() | 1, next(), next() % 31 + 1);
            wat.push_str(&format!(
                "    (local.set 0 (i32.add (i32.mul (local.get 0) (i32.const {mul})) (i32.const {add})))\n\
                 \x20   (local.set 0 (i32.xor (local.get 0) (i32.rotl (local.get 0) (i32.const {rot}))))\n",
                mul = mul as i32,
                add = add as i32,
            ));
            rounds.push((mul, add, rot));
        }
        wat.push_str("    (local.get 0))\n");
        rounds_of.push(rounds);
    }
    wat.push_str(&format!(
        "  (table {KERNELS} {KERNELS} funcref)\n  (elem (i32.const 0)"
    ));
    for k in 0..KERNELS {
        wat.push_str(&format!(" $k{k}"));
    }
    wat.push_str(
        ")\n  (func (export \"run\") (param $kernel i32) (param $x i32) (result i32)\n\
         \x20   (call_indirect (type $kernel) (local.get $x) (local.get $kernel))))\n",
    );
    let run = |k: u32, mut x: u32| {
        for &(mul, add, rot) in &rounds_of[k as usize] {
            x = x.wrapping_mul(mul).wrapping_add(add);
            x ^= x.rotate_left(rot);
        }
        x
    };
    let expected = [0, 1, KERNELS / 2, KERNELS - 1]
        .iter()
        .map(|&k| (k, 0x1234_5678 ^ k, run(k, 0x1234_5678 ^ k)))
        .collect();
    (wat, expected)
}
