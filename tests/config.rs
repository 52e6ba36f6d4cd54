//! `Config` builders never panic, whatever values they are given.

use wasmstream::Config;

#[test]
fn stack_heights_accept_any_pair() {
    for (min, max) in [
        (0, 0),
        (1024, 8 * 1024),
        (8 * 1024, 1024),
        (2_000_000, 4_000_000),
        (4_000_000, 2_000_000),
        (usize::MAX, usize::MAX),
    ] {
        let engine = Config::new().stack_heights(min, max).engine();
        drop(engine);
    }
}
