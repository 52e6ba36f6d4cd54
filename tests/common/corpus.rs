//! The module corpus: `.wat` fixtures, wasm-smith modules from fixed seeds,
//! and invalid mutations of both.

use std::path::Path;

use arbitrary::Unstructured;

use super::rng::Rng;

/// A named module (its bytes may well be invalid).
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Every `tests/fixtures/*.wat`, encoded, sorted by name. Files named
/// `broken_*` encode to invalid modules.
pub fn fixtures() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut cases: Vec<Case> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("readable fixture entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wat"))
        .map(|path| Case {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            bytes: wat::parse_file(&path)
                .unwrap_or_else(|e| panic!("{} does not encode: {e}", path.display())),
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        cases.len() >= 10,
        "expected at least 10 fixtures in {}",
        dir.display()
    );
    cases
}

/// The wasm-smith configuration for modules this crate's default `Config`
/// accepts: Wasm 2.0 plus tail calls, extended constants and multi-memory
/// (plus memory64 / SIMD when the crate features are on), nothing wasmi 2
/// lacks (GC, exceptions, threads, wide arithmetic, custom page sizes).
pub fn smith_config(rng: &mut Rng) -> wasm_smith::Config {
    wasm_smith::Config {
        gc_enabled: false,
        exceptions_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        wide_arithmetic_enabled: false,
        custom_page_sizes_enabled: false,
        custom_descriptors_enabled: false,
        compact_imports_enabled: false,
        simd_enabled: cfg!(feature = "simd"),
        relaxed_simd_enabled: cfg!(feature = "simd"),
        memory64_enabled: cfg!(feature = "memory64"),
        tail_call_enabled: true,
        extended_const_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        multi_value_enabled: true,
        max_memories: 3,
        max_tables: 3,
        max_funcs: 40,
        max_instructions: 150,
        max_data_segments: 8,
        max_element_segments: 8,
        max_memory32_bytes: 1 << 20,
        // Non-minimal LEB128 sizes exercise section sizes split across chunks.
        min_uleb_size: rng.between(1, 5) as u8,
        min_funcs: rng.between(0, 12),
        min_exports: rng.between(0, 4),
        ..wasm_smith::Config::default()
    }
}

/// One wasm-smith module from `seed` (deterministic), or `None` when the
/// seed's random bytes run out before a module is complete.
pub fn smith_module(seed: u64) -> Option<Vec<u8>> {
    let mut rng = Rng::new(seed);
    let config = smith_config(&mut rng);
    let len = rng.between(1024, 32 * 1024);
    let data = rng.bytes(len);
    let mut input = Unstructured::new(&data);
    let module = wasm_smith::Module::new(config, &mut input).ok()?;
    Some(module.to_bytes())
}

/// `count` wasm-smith modules from seeds `first_seed..`.
pub fn smith_modules(first_seed: u64, count: usize) -> Vec<Case> {
    (first_seed..)
        .filter_map(|seed| {
            smith_module(seed).map(|bytes| Case {
                name: format!("wasm-smith seed {seed}"),
                bytes,
            })
        })
        .take(count)
        .collect()
}

/// `bytes` with one to four random edits: bit flips, byte overwrites,
/// insertions, deletions, truncation, a duplicated range, a bumped size field.
pub fn mutate(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..rng.between(1, 4) {
        if out.is_empty() {
            out.push(rng.next_u64() as u8);
            continue;
        }
        // Mostly past the preamble, where the interesting decisions are.
        let at = if out.len() > 8 && !rng.chance(10) {
            rng.between(8, out.len() - 1)
        } else {
            rng.below(out.len())
        };
        match rng.below(7) {
            0 => out[at] ^= 1 << rng.below(8),
            1 => out[at] = rng.next_u64() as u8,
            2 => out.insert(at, rng.next_u64() as u8),
            3 => {
                out.remove(at);
            }
            4 => out.truncate(at),
            5 => {
                let end = (at + rng.between(1, 16)).min(out.len());
                let copy = out[at..end].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, copy);
            }
            _ => {
                // Small values are what sizes, counts and indices look like.
                out[at] = out[at].wrapping_add(rng.between(1, 3) as u8);
            }
        }
    }
    out
}

/// `count` mutations of the fixtures and of wasm-smith modules, from `seed`.
pub fn mutated_modules(seed: u64, count: usize) -> Vec<Case> {
    let mut bases = fixtures();
    bases.extend(smith_modules(seed, 16));
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| {
            let base = &bases[rng.below(bases.len())];
            Case {
                name: format!("mutation {i} of {} (seed {seed})", base.name),
                bytes: mutate(&base.bytes, &mut rng),
            }
        })
        .collect()
}
