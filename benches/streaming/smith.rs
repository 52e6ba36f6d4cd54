//! A wasm-smith module for the memory comparison: many small functions,
//! tables, memories and data segments, of the kinds the crate's default
//! `Config` accepts (the same switches as the test corpus).

use arbitrary::Unstructured;

use crate::rng::Rng;

/// The first module from `seed..` that wasmi accepts in both modes.
pub fn module(seed: u64, accepts: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    for seed in seed.. {
        let mut rng = Rng::new(seed);
        let data: Vec<u8> = (0..1 << 20).map(|_| rng.next() as u8).collect();
        let config = wasm_smith::Config {
            gc_enabled: false,
            exceptions_enabled: false,
            threads_enabled: false,
            shared_everything_threads_enabled: false,
            wide_arithmetic_enabled: false,
            custom_page_sizes_enabled: false,
            custom_descriptors_enabled: false,
            compact_imports_enabled: false,
            simd_enabled: false,
            relaxed_simd_enabled: false,
            memory64_enabled: false,
            tail_call_enabled: true,
            extended_const_enabled: true,
            bulk_memory_enabled: true,
            reference_types_enabled: true,
            multi_value_enabled: true,
            max_memories: 2,
            max_tables: 2,
            min_funcs: 200,
            max_funcs: 400,
            max_instructions: 400,
            max_data_segments: 16,
            max_element_segments: 8,
            max_memory32_bytes: 1 << 20,
            ..wasm_smith::Config::default()
        };
        let Ok(module) = wasm_smith::Module::new(config, &mut Unstructured::new(&data)) else {
            continue;
        };
        let bytes = module.to_bytes();
        if bytes.len() > 16 * 1024 && accepts(&bytes) {
            return bytes;
        }
    }
    unreachable!("seeds are endless")
}
