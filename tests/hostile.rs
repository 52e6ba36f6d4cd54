//! Hostile sizes: sections, function bodies, local counts, vector counts,
//! tables and memories that declare enormous sizes. Each gives a clean
//! CompileError or a clean module (exactly as `wasmi::Module::new` decides),
//! never a panic, and never an allocation anywhere near the declared size:
//! a counting global allocator (so this is its own test binary) measures the
//! peak heap of every compile.

mod common;

use common::counting_alloc::{CountingAlloc, HeapUse, measure};
use common::outcome::wasmi_outcome;
use common::readers::ScriptedReader;
use wasmstream::{
    CompileOptions, Config, Engine, Error, Limits, compile_streaming, compile_streaming_with,
};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Heap a compile of a tiny module may take: the validator's tables, the
/// staged bytes, wasmi's module.
const SMALL: usize = 16 * 1024;

/// Limits that let every declared size through to the module-size check.
const NO_LIMITS: Limits = Limits {
    max_module_bytes: u32::MAX,
    max_section_bytes: u32::MAX,
    max_function_body_bytes: u32::MAX,
};

fn engines() -> Vec<(&'static str, Engine)> {
    vec![
        ("default limits", Config::new().engine()),
        ("host limits", Config::new().limits(Limits::HOST).engine()),
        ("no limits", Config::new().limits(NO_LIMITS).engine()),
    ]
}

fn leb(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn section(id: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![id];
    out.extend(leb(payload.len() as u64));
    out.extend_from_slice(payload);
    out
}

fn module(sections: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    for s in sections {
        out.extend_from_slice(s);
    }
    out
}

/// `() -> ()`, one function of that type, and a code section holding `body`
/// (the body's bytes after its size field) with `body_size` as its size.
fn one_function(body_size: u64, body: &[u8]) -> Vec<u8> {
    let mut code = leb(1);
    code.extend(leb(body_size));
    code.extend_from_slice(body);
    module(&[
        section(1, &[1, 0x60, 0, 0]),
        section(3, &[1, 0]),
        section(10, &code),
    ])
}

/// Compiles in 1-byte reads and in whole reads; both must agree, and the
/// heap must stay under `bound`, and wasmi must agree. Returns the verdict.
fn compile_bounded(name: &str, engine: &Engine, bytes: &[u8], bound: usize) -> Result<(), String> {
    let mut verdicts = Vec::new();
    for read_sizes in [&[1usize][..], &[usize::MAX]] {
        let (verdict, heap): (Result<(), String>, HeapUse) = measure(|| {
            let reader = ScriptedReader::new(bytes).read_sizes(read_sizes);
            match compile_streaming(engine, reader) {
                Ok(_) => Ok(()),
                Err(Error::Compile(e)) => Err(e.to_string()),
                Err(other) => panic!("{name}: not a CompileError: {other:?}"),
            }
        });
        assert!(
            heap.peak <= bound && heap.largest <= bound,
            "{name}: peak heap {} bytes, largest allocation {} bytes (bound {bound})",
            heap.peak,
            heap.largest
        );
        verdicts.push(verdict);
    }
    assert_eq!(
        verdicts[0], verdicts[1],
        "{name}: 1-byte and whole reads disagree"
    );
    let verdict = verdicts.pop().unwrap();
    let wasmi = wasmi_outcome(engine, bytes);
    assert_eq!(
        verdict.is_ok(),
        wasmi.is_ok(),
        "{name}: we say {verdict:?}, wasmi::Module::new says {wasmi:?}"
    );
    verdict
}

fn assert_rejected(name: &str, engine: &Engine, bytes: &[u8], bound: usize) -> String {
    match compile_bounded(name, engine, bytes, bound) {
        Err(message) => message,
        Ok(()) => panic!("{name}: compiled, expected a CompileError"),
    }
}

#[test]
fn a_section_declaring_4_gib_is_rejected_without_allocating_it() {
    for (engine_name, engine) in engines() {
        for id in 0..=13u8 {
            let mut bytes = module(&[]);
            bytes.extend_from_slice(&[id, 0xff, 0xff, 0xff, 0xff, 0x0f]);
            bytes.extend_from_slice(&[0; 64]);
            let name = format!("section {id} of 4 GiB - 1 ({engine_name})");
            let message = assert_rejected(&name, &engine, &bytes, SMALL);
            assert!(
                message.starts_with("compile error at byte 8:"),
                "{name}: {message}"
            );
            assert!(message.contains("limit"), "{name}: {message}");
        }
        // 2^32 does not fit the u32 size field at all.
        let mut bytes = module(&[]);
        bytes.extend_from_slice(&[1, 0x80, 0x80, 0x80, 0x80, 0x10]);
        assert_rejected("section of 4 GiB", &engine, &bytes, SMALL);
    }
}

#[test]
fn a_section_reserves_no_more_than_the_limits_allow() {
    let limits = Limits {
        max_module_bytes: 2 * 1024 * 1024,
        max_section_bytes: 512 * 1024,
        max_function_body_bytes: 128 * 1024,
    };
    let engine = Config::new().limits(limits).engine();
    // A type section declaring exactly the section limit, then an early end.
    let mut bytes = module(&[]);
    bytes.push(1);
    bytes.extend(leb(512 * 1024));
    bytes.extend_from_slice(&[1, 0x60, 0, 0]);
    let message = assert_rejected(
        "truncated large section",
        &engine,
        &bytes,
        512 * 1024 + SMALL,
    );
    assert!(message.contains("needs"), "{message}");
    // One byte more is refused before anything is reserved.
    let mut bytes = module(&[]);
    bytes.push(1);
    bytes.extend(leb(512 * 1024 + 1));
    let message = assert_rejected("section over the limit", &engine, &bytes, SMALL);
    assert!(
        message.contains("over the limit of 524288 bytes (Limits::max_section_bytes)"),
        "{message}"
    );
}

#[test]
fn a_huge_function_body_is_rejected_when_its_size_arrives() {
    for (engine_name, engine) in engines() {
        for body_size in [u64::from(u32::MAX), 1 << 30, 128 * 1024 + 1] {
            let bytes = one_function(body_size, &[0, 0x0b]);
            let name = format!("function body of {body_size} bytes ({engine_name})");
            assert_rejected(&name, &engine, &bytes, SMALL);
        }
    }
    // With a section large enough to hold it, the body's declared size alone
    // is refused (before its bytes arrive). The code section's header lets
    // the default staging reserve the section and an eighth more (for the
    // data section after it): 1.125 times a size the limits allowed.
    let engine = Config::new().engine();
    let mut code = leb(1);
    code.extend(leb(128 * 1024 + 1));
    let mut bytes = module(&[section(1, &[1, 0x60, 0, 0]), section(3, &[1, 0])]);
    bytes.push(10);
    bytes.extend(leb(200 * 1024));
    bytes.extend_from_slice(&code);
    let message = assert_rejected(
        "body over the limit",
        &engine,
        &bytes,
        200 * 1024 * 9 / 8 + SMALL,
    );
    assert!(
        message.contains("function body is 131073 bytes"),
        "{message}"
    );
}

#[test]
fn huge_local_counts_are_clean_errors() {
    let cases: [(&str, Vec<u8>); 4] = [
        (
            "4 billion locals",
            [leb(1), leb(u64::from(u32::MAX)), vec![0x7f, 0x0b]].concat(),
        ),
        (
            "local counts overflowing u32",
            [
                leb(2),
                leb(0xffff_fff0),
                vec![0x7f],
                leb(0x20),
                vec![0x7e, 0x0b],
            ]
            .concat(),
        ),
        (
            "50 001 locals",
            [leb(1), leb(50_001), vec![0x7f, 0x0b]].concat(),
        ),
        (
            "4 billion local entries",
            [leb(u64::from(u32::MAX)), leb(1), vec![0x7f, 0x0b]].concat(),
        ),
    ];
    for (engine_name, engine) in engines() {
        for (what, body) in &cases {
            let bytes = one_function(body.len() as u64, body);
            assert_rejected(&format!("{what} ({engine_name})"), &engine, &bytes, SMALL);
        }
        // The most locals allowed compile, without allocating per local.
        let body = [leb(1), leb(50_000), vec![0x7f, 0x0b]].concat();
        let bytes = one_function(body.len() as u64, &body);
        let verdict = compile_bounded(
            &format!("50 000 locals ({engine_name})"),
            &engine,
            &bytes,
            // The validator keeps one byte per local: bounded by the 50 000 cap.
            SMALL + 64 * 1024,
        );
        assert!(verdict.is_ok(), "{verdict:?}");
    }
}

#[test]
fn huge_vector_counts_in_small_sections_are_clean_errors() {
    let huge = leb(u64::from(u32::MAX));
    for (engine_name, engine) in engines() {
        for id in [1u8, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12] {
            let payload = [huge.clone(), vec![0; 8]].concat();
            let bytes = module(&[section(id, &payload)]);
            let name = format!("section {id} counting 4 billion entries ({engine_name})");
            assert_rejected(&name, &engine, &bytes, SMALL);
        }
        // A data segment whose length runs far past its section.
        let segment = [vec![1, 0], vec![0x41, 0, 0x0b], huge.clone(), vec![0xaa; 4]].concat();
        let bytes = module(&[section(5, &[1, 0, 1]), section(11, &segment)]);
        assert_rejected(
            &format!("data segment of 4 GiB ({engine_name})"),
            &engine,
            &bytes,
            SMALL,
        );
        // An element segment claiming 4 billion functions.
        let segment = [vec![1, 0, 0x41, 0, 0x0b], huge.clone(), vec![0; 4]].concat();
        let bytes = module(&[section(4, &[1, 0x70, 0, 1]), section(9, &segment)]);
        assert_rejected(
            &format!("element segment of 4 billion ({engine_name})"),
            &engine,
            &bytes,
            SMALL,
        );
    }
}

#[test]
fn huge_tables_and_memories_are_judged_without_being_allocated() {
    let cases: &[(&str, bool)] = &[
        ("(module (table 4294967295 funcref))", true),
        ("(module (table 0 4294967295 externref))", true),
        (
            "(module (table 4294967295 4294967295 funcref) (table 4294967295 funcref))",
            true,
        ),
        (
            "(module (import \"env\" \"t\" (table 4294967295 funcref)))",
            true,
        ),
        ("(module (memory 65536))", true),
        ("(module (memory 0 65536))", true),
        ("(module (memory 65537))", false),
        ("(module (memory 0 65537))", false),
        ("(module (memory 4294967295))", false),
        ("(module (import \"env\" \"m\" (memory 65536 65536)))", true),
        ("(module (memory 2 1))", false),
        ("(module (table 2 1 funcref))", false),
    ];
    for (engine_name, engine) in engines() {
        for (wat, valid) in cases {
            let bytes = wat::parse_str(wat).expect("encodable");
            let verdict =
                compile_bounded(&format!("{wat} ({engine_name})"), &engine, &bytes, SMALL);
            assert_eq!(
                verdict.is_ok(),
                *valid,
                "{wat} ({engine_name}): {verdict:?}"
            );
        }
    }
}

/// A body over `max_function_body_bytes` that fits its section is rejected
/// at its size field whether it arrives in one chunk or many (the check once
/// ran only while the parser waited for more bytes).
#[test]
fn the_body_size_limit_holds_for_every_chunking() {
    let engine = Config::new().engine();
    let limit = engine.limits().max_function_body_bytes as usize;
    let nops = "nop ".repeat(limit + 100);
    let wasm = wat::parse_str(format!("(module (func {nops}))")).expect("valid WAT");
    let mut offsets = Vec::new();
    for chunk in [wasm.len(), 4096, 7, 1] {
        let mut compiler = wasmstream::StreamingCompiler::new(&engine);
        let error = wasm
            .chunks(chunk)
            .find_map(|piece| compiler.feed(piece).err())
            .unwrap_or_else(|| panic!("{chunk}-byte chunks: body over the limit accepted"));
        assert!(error.to_string().contains("function body is"), "{error}");
        offsets.push(error.offset());
    }
    assert!(
        offsets.windows(2).all(|w| w[0] == w[1]),
        "offsets differ: {offsets:?}"
    );
    let windowed = compile_streaming_with(
        &engine,
        &wasm[..],
        CompileOptions::new().window(&mut vec![0; 1 << 20]),
    );
    assert!(matches!(windowed, Err(Error::Compile(e)) if e.offset() == offsets[0]));
}
