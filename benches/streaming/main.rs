//! Measures `compile_streaming` against "read it all, then `Module::new`":
//! CPU time, the work left after the last byte, and peak heap.
//!
//! Run with `cargo bench -p wasmstream --bench streaming` (release; about a minute).
//! The figures and how to read them are in `docs/performance.md` and
//! `docs/memory.md`.

mod counting_alloc;
mod func_gen;
mod module_gen;
#[cfg(feature = "flash")]
mod nor_flash;
mod rng;
mod smith;

use std::hint::black_box;
use std::time::Duration;

use counting_alloc::{CountingAlloc, Peak, Probe};
use module_gen::{Generated, Shape};
use wasmstream::wasmi;
use wasmstream::wasmi::Module;
use wasmstream::{
    CompilationMode, CompileOptions, Config, Engine, Limits, StreamingCompiler,
    compile_streaming_with,
};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// The read window of the streaming driver and the chunk of the read-all loop.
const WINDOW: usize = 4096;

/// The module: about 1.3 MB, nearly all of it code.
const SHAPE: Shape = Shape {
    seed: 0x5eed_0f0b_5e55_ed00,
    functions: 2800,
    data_bytes: 96 * 1024,
};
/// DWARF bytes of the debug variant, as a multiple of the plain module.
const DEBUG_FACTOR: usize = 3;
/// Debug-section sizes (multiples of the plain module) for the memory sweep.
const DEBUG_SWEEP: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 3.0];

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not,
    // and gets a quick check that the harness still works instead.
    if !std::env::args().any(|arg| arg == "--bench") {
        smoke_test();
        return;
    }
    let iterations: usize = std::env::var("WASMSTREAM_BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(51);
    let generated = module_gen::generate(SHAPE);
    let plain = generated.plain.clone();
    let debug = generated.with_debug(SHAPE.seed ^ 0xdeb, DEBUG_FACTOR * plain.len());
    describe(&generated, &debug);
    let only = std::env::var("WASMSTREAM_BENCH_ONLY").ok();
    if let Ok(what) = std::env::var("WASMSTREAM_BENCH_PROFILE") {
        profile(&what, iterations, &plain);
        return;
    }
    // `WASMSTREAM_BENCH_ONLY=staging`: the peak-heap table by staging only.
    if only.as_deref() == Some("staging") {
        staging_table(&plain);
        return;
    }

    println!(
        "\n## (a) CPU time: compile_streaming (4 KiB window) ÷ read-all (4 KiB chunks) + Module::new\n"
    );
    println!("median thread CPU time of {iterations} interleaved runs, fresh engine per run\n");
    println!("| mode | module | streaming | read-all + Module::new | ratio (target ≤ 1.10) |");
    println!("|---|---|---:|---:|---:|");
    for mode in [CompilationMode::Lazy, CompilationMode::Eager] {
        for (name, bytes) in [("plain", &plain), ("+debug", &debug)] {
            let (streamed, baseline) = compare(
                iterations,
                mode,
                |engine| stream(engine, bytes),
                |engine| read_all_then_compile(engine, bytes),
            );
            println!(
                "| {mode:?} | {name} | {} | {} | **{:.3}** |",
                ms(streamed),
                ms(baseline),
                ratio(streamed, baseline)
            );
        }
    }

    bytewise_table(iterations, &plain);
    staging_table(&plain);
    // `WASMSTREAM_BENCH_ONLY=issue8`: the CPU and staging tables only.
    if only.as_deref() == Some("issue8") {
        return;
    }

    println!("\n## (b) finish() alone ÷ eager Module::new (plain module)\n");
    println!(
        "| mode of finish() | finish() | eager Module::new | ratio (target ≤ 0.05 for Lazy) |"
    );
    println!("|---|---:|---:|---:|");
    for mode in [CompilationMode::Lazy, CompilationMode::Eager] {
        let (finished, eager) = compare_finish(iterations, mode, &plain);
        println!(
            "| {mode:?} | {} | {} | **{:.3}** |",
            ms(finished),
            ms(eager),
            ratio(finished, eager)
        );
    }

    println!("\n## (c) peak heap: compile_streaming ÷ read-all + Module::new (same Config)\n");
    println!(
        "peak = most heap bytes live at once during the call; 'moving' counts a growing realloc as old + new block (alloc-copy-free allocators), 'in place' as its growth only\n"
    );
    println!(
        "| mode | module | streaming peak | read-all grown peak | ratio (target: ≤ 0.50 +debug, ≤ 1.00 plain) | read-all pre-sized peak | ratio vs pre-sized |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for mode in [CompilationMode::Lazy, CompilationMode::Eager] {
        for (name, bytes) in [("plain", &plain), ("+debug", &debug)] {
            let row = memory_row(mode, bytes);
            println!(
                "| {mode:?} | {name} | {} | {} | **{:.3}** (in place: {:.3}) | {} | {:.3} |",
                kib(row.streaming.moving),
                kib(row.grown.moving),
                row.streaming.moving as f64 / row.grown.moving as f64,
                row.streaming.in_place as f64 / row.grown.in_place as f64,
                kib(row.presized.moving),
                row.streaming.moving as f64 / row.presized.moving as f64,
            );
        }
    }

    println!("\n### Debug-section size sweep (Lazy, 'moving' accounting)\n");
    println!(
        "| DWARF bytes | module bytes | streaming peak | read-all grown peak | ratio | vs pre-sized |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for factor in DEBUG_SWEEP {
        let dwarf = (factor * plain.len() as f64) as usize;
        let bytes = generated.with_debug(SHAPE.seed ^ 0xdeb, dwarf);
        let row = memory_row(CompilationMode::Lazy, &bytes);
        println!(
            "| {} ({factor}x) | {} | {} | {} | {:.3} | {:.3} |",
            kib(dwarf),
            kib(bytes.len()),
            kib(row.streaming.moving),
            kib(row.grown.moving),
            row.streaming.moving as f64 / row.grown.moving as f64,
            row.streaming.moving as f64 / row.presized.moving as f64,
        );
    }

    println!("\n## Peak-heap breakdown, bytes (for docs/memory.md)\n");
    let mut columns = Vec::new();
    let mut header = String::from("| term |");
    for mode in [CompilationMode::Lazy, CompilationMode::Eager] {
        for (name, bytes) in [("plain", &plain), ("+debug", &debug)] {
            header += &format!(" {mode:?} {name} |");
            columns.push(breakdown(mode, bytes));
        }
    }
    println!("{header}\n|---|---:|---:|---:|---:|");
    for (row, (term, _)) in columns[0].iter().enumerate() {
        let cells: String = columns.iter().map(|c| format!(" {} |", c[row].1)).collect();
        println!("| {term} |{cells}");
    }
}

/// Streams a small generated module (with DWARF) and checks that it gives
/// the module `wasmi::Module::new` gives, in both modes.
fn smoke_test() {
    let generated = module_gen::generate(Shape {
        functions: 120,
        data_bytes: 4096,
        ..SHAPE
    });
    let debug = generated.with_debug(1, 64 * 1024);
    for mode in [CompilationMode::Lazy, CompilationMode::Eager] {
        let engine = engine(mode);
        let streamed = stream(&engine, &debug);
        let read = read_all_then_compile(&engine, &debug);
        let names = |module: &Module| -> Vec<String> {
            module.exports().map(|e| e.name().to_string()).collect()
        };
        assert_eq!(names(&streamed), names(&read), "{mode:?}");
        assert_eq!(streamed.imports().len(), read.imports().len(), "{mode:?}");
        assert!(names(&streamed).len() > 3, "{mode:?}");
    }
    println!(
        "streaming bench: smoke test ok (measure with `cargo bench -p wasmstream --bench streaming`)"
    );
}

fn describe(generated: &Generated, debug: &[u8]) {
    let plain = &generated.plain;
    println!("# wasmstream streaming benchmark\n");
    println!(
        "module: {} functions, {} bytes ({} bytes of code section, {} bytes of data); \
         +debug variant: {} bytes ({} bytes of DWARF custom sections after the data section)",
        SHAPE.functions,
        plain.len(),
        generated.code_section_bytes,
        SHAPE.data_bytes,
        debug.len(),
        debug.len() - plain.len()
    );
    for bytes in [plain.as_slice(), debug] {
        // Both variants must be valid for wasmi's own validator.
        let engine = engine(CompilationMode::Lazy);
        wasmi::Module::new(&engine, bytes).expect("the generated module is valid");
    }
}

/// Repeats one side only, for `perf record` or `valgrind --tool=callgrind`.
fn profile(what: &str, iterations: usize, bytes: &[u8]) {
    let (mode, streaming) = match what {
        "stream-lazy" => (CompilationMode::Lazy, true),
        "stream-eager" => (CompilationMode::Eager, true),
        "baseline-lazy" => (CompilationMode::Lazy, false),
        "baseline-eager" => (CompilationMode::Eager, false),
        "stream-bytewise-lazy" => {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                total += timed(CompilationMode::Lazy, |engine| {
                    stream_with(engine, bytes, 0, false)
                });
            }
            println!("{what}: {} per run", ms(total / iterations as u32));
            return;
        }
        _ => panic!(
            "WASMSTREAM_BENCH_PROFILE: stream-lazy|stream-eager|baseline-lazy|baseline-eager|stream-bytewise-lazy"
        ),
    };
    let mut total = Duration::ZERO;
    for _ in 0..iterations {
        total += if streaming {
            timed(mode, |engine| stream(engine, bytes))
        } else {
            timed(mode, |engine| read_all_then_compile(engine, bytes))
        };
    }
    println!("{what}: {} per run", ms(total / iterations as u32));
}

fn engine(mode: CompilationMode) -> Engine {
    Config::new()
        .limits(Limits::HOST)
        .compilation_mode(mode)
        .engine()
}

/// CPU with 1-byte reads (a UART): streaming ÷ read-all + `Module::new`.
fn bytewise_table(iterations: usize, plain: &[u8]) {
    println!(
        "\n## (a1) CPU time with 1-byte reads: compile_streaming (empty window) ÷ read-all (1-byte reads) + Module::new\n"
    );
    println!("median thread CPU time of {iterations} interleaved runs, fresh engine per run\n");
    println!(
        "| mode | module | streaming, 1-byte reads | read-all, 1-byte reads + Module::new | ratio (target ≤ 1.10) |"
    );
    println!("|---|---|---:|---:|---:|");
    for mode in [CompilationMode::Lazy, CompilationMode::Eager] {
        let (streamed, baseline) = compare(
            iterations,
            mode,
            |engine| stream_with(engine, plain, 0, false),
            |engine| read_all_bytewise_then_compile(engine, plain),
        );
        println!(
            "| {mode:?} | plain | {} | {} | **{:.3}** |",
            ms(streamed),
            ms(baseline),
            ratio(streamed, baseline)
        );
    }
}

/// The streaming side: the blocking driver over an in-memory reader.
#[inline(never)]
fn stream(engine: &Engine, bytes: &[u8]) -> Module {
    stream_with(engine, bytes, WINDOW, false)
}

/// The blocking driver through a `window`-byte window (0: 1-byte reads),
/// with the module's length as a size hint if `hint`.
#[inline(never)]
fn stream_with(engine: &Engine, bytes: &[u8], window: usize, hint: bool) -> Module {
    let mut window = vec![0u8; window];
    let mut options = CompileOptions::new().window(&mut window);
    if hint {
        options = options.size_hint(bytes.len() as u64);
    }
    compile_streaming_with(engine, black_box(bytes), options)
        .expect("streaming compiles the module")
        .into_wasmi()
}

/// Read-all with 1-byte reads (a UART without a driver buffer), then wasmi.
#[inline(never)]
fn read_all_bytewise_then_compile(engine: &Engine, bytes: &[u8]) -> Module {
    let mut reader = black_box(bytes);
    let mut all = Vec::new();
    let mut byte = [0u8; 1];
    while embedded_io::Read::read(&mut reader, &mut byte).expect("in memory") == 1 {
        all.push(byte[0]);
    }
    wasmi::Module::new(engine, &all).expect("wasmi compiles the module")
}

/// Peak heap of the staging choices ÷ read-all into a pre-sized `Vec` +
/// `Module::new`, for the generated module and a wasm-smith module.
fn staging_table(plain: &[u8]) {
    let smith = smith::module(0x5eed, |bytes| {
        [CompilationMode::Lazy, CompilationMode::Eager]
            .into_iter()
            .all(|mode| wasmi::Module::new(&engine(mode), bytes).is_ok())
    });
    println!(
        "\n## (c1) peak heap by staging ÷ read-all into a pre-sized Vec + Module::new (same mode), 'moving' accounting\n"
    );
    println!(
        "wasm-smith module: {} bytes. VecStaging without a hint grows at the code and data section headers (an eighth more); with `CompileOptions::size_hint` it reserves once.\n",
        smith.len()
    );
    println!(
        "| module | mode | read-all pre-sized peak | VecStaging, no hint | ratio (target ≤ 1.00) | VecStaging, size hint | ratio (target ≤ 1.00) | FlashStaging (NOR double) | ratio (target ≤ 0.60 Lazy, ≤ 0.80 Eager) |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for (name, bytes) in [("generated", plain), ("wasm-smith", &smith[..])] {
        for mode in [CompilationMode::Lazy, CompilationMode::Eager] {
            let presized = peak(mode, |engine| read_presized_then_compile(engine, bytes));
            let grown = peak(mode, |engine| stream_with(engine, bytes, WINDOW, false));
            let hinted = peak(mode, |engine| stream_with(engine, bytes, WINDOW, true));
            let flash = match flash_staging_peak(mode, bytes) {
                Some(flash) => format!(
                    "{} | **{:.3}**",
                    kib(flash.moving),
                    flash.moving as f64 / presized.moving as f64
                ),
                None => "needs `--features flash` | –".to_string(),
            };
            println!(
                "| {name} | {mode:?} | {} | {} | **{:.3}** | {} | **{:.3}** | {flash} |",
                kib(presized.moving),
                kib(grown.moving),
                grown.moving as f64 / presized.moving as f64,
                kib(hinted.moving),
                hinted.moving as f64 / presized.moving as f64,
            );
        }
    }
    staging_sweep(16);
}

/// `VecStaging` without a size hint ÷ read-all pre-sized over more
/// wasm-smith modules (from seeds 1000, 2000, …): the worst ratio per mode.
fn staging_sweep(modules: usize) {
    let smiths: Vec<Vec<u8>> = (1..=modules as u64)
        .map(|i| {
            smith::module(i * 1000, |bytes| {
                [CompilationMode::Lazy, CompilationMode::Eager]
                    .into_iter()
                    .all(|mode| wasmi::Module::new(&engine(mode), bytes).is_ok())
            })
        })
        .collect();
    println!(
        "\n### VecStaging without a hint over {modules} more wasm-smith modules ({}–{} bytes)\n",
        smiths.iter().map(Vec::len).min().unwrap_or(0),
        smiths.iter().map(Vec::len).max().unwrap_or(0)
    );
    println!("| mode | worst ratio, no hint (target ≤ 1.00) | median | worst ratio, size hint |");
    println!("|---|---:|---:|---:|");
    for mode in [CompilationMode::Lazy, CompilationMode::Eager] {
        let (mut grown, mut hinted) = (Vec::new(), Vec::new());
        for bytes in &smiths {
            let presized =
                peak(mode, |engine| read_presized_then_compile(engine, bytes)).moving as f64;
            grown.push(
                peak(mode, |engine| stream_with(engine, bytes, WINDOW, false)).moving as f64
                    / presized,
            );
            hinted.push(
                peak(mode, |engine| stream_with(engine, bytes, WINDOW, true)).moving as f64
                    / presized,
            );
        }
        grown.sort_by(f64::total_cmp);
        hinted.sort_by(f64::total_cmp);
        println!(
            "| {mode:?} | **{:.3}** | {:.3} | {:.3} |",
            grown[grown.len() - 1],
            grown[grown.len() / 2],
            hinted[hinted.len() - 1]
        );
    }
}

/// Peak heap of `compile_streaming_with` staging into a `FlashStaging` over
/// an in-memory NOR flash whose storage is allocated before the probe
/// starts (a firmware's flash is not heap). `None` without feature `flash`.
#[cfg(feature = "flash")]
fn flash_staging_peak(mode: CompilationMode, bytes: &[u8]) -> Option<Peak> {
    use wasmstream::FlashStaging;
    let engine = engine(mode);
    // The install record's 512 bytes, the module, rounded up to pages.
    let region =
        (wasmstream::staging::RECORD_BYTES + bytes.len()).next_multiple_of(nor_flash::ERASE);
    let mut storage = nor_flash::Storage::new(region);
    let (flash, view) = storage.flash();
    // SAFETY: `view` is the memory `flash` writes, offset 0 is the region's
    // first byte, and only the staging writes it while `storage` lives.
    let staging = unsafe { FlashStaging::new(flash, 0, region as u32, view) }
        .expect("the region is page-aligned");
    let probe = Probe::start();
    // Counted as heap, as in `stream_with`.
    let mut window = vec![0u8; WINDOW];
    let options = CompileOptions::new()
        .window(&mut window)
        .size_hint(bytes.len() as u64)
        .staging(staging);
    let module = compile_streaming_with(&engine, black_box(bytes), options)
        .expect("streaming compiles the module");
    let peak = probe.stop();
    drop(module);
    drop(storage);
    Some(peak)
}

#[cfg(not(feature = "flash"))]
fn flash_staging_peak(_mode: CompilationMode, _bytes: &[u8]) -> Option<Peak> {
    None
}

/// What a user does without streaming: read the whole body into a `Vec`
/// grown 4 KiB at a time, then hand it to wasmi.
#[inline(never)]
fn read_all_then_compile(engine: &Engine, bytes: &[u8]) -> Module {
    let all = read_all(black_box(bytes), Vec::new());
    wasmi::Module::new(engine, &all).expect("wasmi compiles the module")
}

/// As [`read_all_then_compile`], with the `Vec` sized up front (the length
/// known, say, from `Content-Length`).
fn read_presized_then_compile(engine: &Engine, bytes: &[u8]) -> Module {
    let all = read_all(black_box(bytes), Vec::with_capacity(bytes.len()));
    wasmi::Module::new(engine, &all).expect("wasmi compiles the module")
}

fn read_all(mut reader: impl embedded_io::Read, mut all: Vec<u8>) -> Vec<u8> {
    let mut chunk = [0u8; WINDOW];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => return all,
            Ok(n) => all.extend_from_slice(&chunk[..n]),
            Err(e) => panic!("in-memory read failed: {e:?}"),
        }
    }
}

/// CPU time this thread has used.
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Runs `work` on a fresh engine; returns its CPU time. The result is
/// dropped outside the timed span.
fn timed<T>(mode: CompilationMode, work: impl FnOnce(&Engine) -> T) -> Duration {
    let engine = engine(mode);
    let start = thread_cpu_time();
    let result = work(&engine);
    let spent = thread_cpu_time() - start;
    drop(black_box(result));
    spent
}

/// Median CPU times of `a` and `b`, run alternately so drift hits both.
fn compare(
    iterations: usize,
    mode: CompilationMode,
    mut a: impl FnMut(&Engine) -> Module,
    mut b: impl FnMut(&Engine) -> Module,
) -> (Duration, Duration) {
    let (mut times_a, mut times_b) = (Vec::new(), Vec::new());
    for i in 0..iterations + 2 {
        let (ta, tb) = if i % 2 == 0 {
            let ta = timed(mode, &mut a);
            (ta, timed(mode, &mut b))
        } else {
            let tb = timed(mode, &mut b);
            (timed(mode, &mut a), tb)
        };
        // The first two runs warm caches and the allocator.
        if i >= 2 {
            times_a.push(ta);
            times_b.push(tb);
        }
    }
    (median(times_a), median(times_b))
}

/// Median CPU time of `finish()` alone (the stream fed beforehand, untimed)
/// and of an eager `wasmi::Module::new` of the same bytes.
fn compare_finish(iterations: usize, mode: CompilationMode, bytes: &[u8]) -> (Duration, Duration) {
    let (mut finished, mut eager) = (Vec::new(), Vec::new());
    for i in 0..iterations + 2 {
        let engine = engine(mode);
        let mut compiler = StreamingCompiler::new(&engine);
        for chunk in bytes.chunks(WINDOW) {
            compiler.feed(chunk).expect("valid module");
        }
        let start = thread_cpu_time();
        let module = compiler.finish().expect("valid module");
        let finish_time = thread_cpu_time() - start;
        drop(black_box(module));
        let eager_time = timed(CompilationMode::Eager, |engine| {
            wasmi::Module::new(engine, black_box(bytes)).expect("valid module")
        });
        if i >= 2 {
            finished.push(finish_time);
            eager.push(eager_time);
        }
    }
    (median(finished), median(eager))
}

struct MemoryRow {
    streaming: Peak,
    grown: Peak,
    presized: Peak,
}

fn memory_row(mode: CompilationMode, bytes: &[u8]) -> MemoryRow {
    MemoryRow {
        streaming: peak(mode, |engine| stream(engine, bytes)),
        grown: peak(mode, |engine| read_all_then_compile(engine, bytes)),
        presized: peak(mode, |engine| read_presized_then_compile(engine, bytes)),
    }
}

/// Peak heap of `work` on a fresh engine (created before the probe starts).
fn peak(mode: CompilationMode, work: impl FnOnce(&Engine) -> Module) -> Peak {
    let engine = engine(mode);
    let probe = Probe::start();
    let module = work(&engine);
    let peak = probe.stop();
    drop(module);
    peak
}

/// Heap at each step of a streaming compile fed through a 4 KiB window,
/// and of the read-all baseline: (term, bytes) rows.
fn breakdown(mode: CompilationMode, bytes: &[u8]) -> Vec<(&'static str, i64)> {
    let engine = engine(mode);
    let probe = Probe::start();
    let mut compiler = StreamingCompiler::new(&engine);
    let mut window = [0u8; WINDOW];
    let mut reader = bytes;
    loop {
        let want = compiler.wanted().min(WINDOW);
        let n = embedded_io::Read::read(&mut reader, &mut window[..want]).expect("in memory");
        if n == 0 {
            break;
        }
        compiler.feed(&window[..n]).expect("valid module");
    }
    let after_feed = probe.live() as i64;
    let feed_peak = probe.peak_so_far();
    let module = compiler.finish().expect("valid module");
    let total = probe.stop();
    drop(module);
    let staged = staged_len(bytes) as i64;

    let engine = self::engine(mode);
    let probe = Probe::start();
    let all = read_all(bytes, Vec::new());
    let read_capacity = all.capacity() as i64;
    let module = wasmi::Module::new(&engine, &all).expect("valid module");
    drop(all);
    let baseline = probe.stop();
    drop(module);
    let presized = peak(mode, |engine| read_presized_then_compile(engine, bytes));

    vec![
        ("module bytes streamed", bytes.len() as i64),
        ("read window (stack, not heap)", WINDOW as i64),
        ("staged module bytes (stream minus custom sections)", staged),
        ("live heap after the last feed", after_feed),
        (
            "→ unit buffer + validator state + staging growth room (live − staged)",
            after_feed - staged,
        ),
        (
            "peak while feeding, moving realloc",
            feed_peak.moving as i64,
        ),
        (
            "peak while feeding, in-place realloc",
            feed_peak.in_place as i64,
        ),
        (
            "→ transient of the staging realloc (moving peak − live)",
            feed_peak.moving as i64 - after_feed,
        ),
        (
            "**peak overall (during finish), moving**",
            total.moving as i64,
        ),
        (
            "peak overall (during finish), in place",
            total.in_place as i64,
        ),
        ("wasmi module retained after finish", total.retained as i64),
        (
            "→ wasmi transient in finish (peak − staged − retained)",
            total.moving as i64 - staged - total.retained as i64,
        ),
        (
            "baseline: read-all Vec capacity (grown by 4 KiB reads)",
            read_capacity,
        ),
        (
            "**baseline: peak of read-all + Module::new, moving**",
            baseline.moving as i64,
        ),
        ("baseline: wasmi module retained", baseline.retained as i64),
        (
            "baseline: peak with a pre-sized Vec, moving",
            presized.moving as i64,
        ),
    ]
}

/// Bytes of `module` outside custom sections: what the compiler stages.
fn staged_len(module: &[u8]) -> usize {
    let mut staged = 8;
    let mut at = 8;
    while at < module.len() {
        let id = module[at];
        let (size, leb_len) = leb_u32(&module[at + 1..]);
        let section = 1 + leb_len + size as usize;
        if id != 0 {
            staged += section;
        }
        at += section;
    }
    staged
}

fn leb_u32(bytes: &[u8]) -> (u32, usize) {
    let mut value = 0u32;
    for (i, &byte) in bytes.iter().enumerate().take(5) {
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return (value, i + 1);
        }
    }
    panic!("malformed LEB128 in a generated module")
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn kib(bytes: usize) -> String {
    format!("{:.0} KiB", bytes as f64 / 1024.0)
}
