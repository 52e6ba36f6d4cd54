//! Runs the fuzz checks without libFuzzer, on any toolchain:
//!
//! ```text
//! cargo run --release --manifest-path fuzz/Cargo.toml --bin plain -- random 100000
//! cargo run --release --manifest-path fuzz/Cargo.toml --bin plain -- replay fuzz/artifacts/raw_bytes/*
//! ```
//!
//! `random N [SEED]` feeds N seeded pseudo-random inputs to both checks;
//! `replay FILE…` feeds each file (a corpus entry or a crash) to both.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("random") => {
            let count: u64 = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
            let seed: u64 = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1);
            let started = Instant::now();
            let mut state = seed;
            for case in 0..count {
                let len = (next(&mut state) % 4096) as usize;
                let data: Vec<u8> = (0..len).map(|_| next(&mut state) as u8).collect();
                let raw = std::panic::catch_unwind(|| wasmstream_fuzz::check_raw_bytes(&data));
                let smith = std::panic::catch_unwind(|| wasmstream_fuzz::check_smith_module(&data));
                if raw.is_err() || smith.is_err() {
                    let path = format!("plain-failure-{seed}-{case}");
                    std::fs::write(&path, &data).expect("write the failing input");
                    eprintln!("case {case} failed; input saved to {path}");
                    std::process::exit(1);
                }
            }
            println!(
                "{count} random inputs (seed {seed}) passed both checks in {:.1?}",
                started.elapsed()
            );
        }
        Some("replay") => {
            for path in &args[1..] {
                let data = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
                wasmstream_fuzz::check_raw_bytes(&data);
                wasmstream_fuzz::check_smith_module(&data);
                println!("{path}: ok");
            }
        }
        _ => {
            eprintln!("usage: plain random [COUNT [SEED]] | plain replay FILE...");
            std::process::exit(2);
        }
    }
}

/// SplitMix64.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
