//! Integrity (feature `integrity`) through the public API: SHA-256 over the
//! stream under any chunking, checked against SRI metadata or a raw digest.

use proptest::prelude::*;
use wasmstream::TypeError;
use wasmstream::integrity::{Integrity, IntegrityCheck, MAX_SRI_ALTERNATIVES};

/// SHA-256 of the empty string and of "abc" (FIPS 180-2 examples).
const EMPTY_SRI: &str = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
const EMPTY: [u8; 32] = hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
const ABC_SRI: &str = "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";
const ABC: [u8; 32] = hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

const fn hex(text: &str) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            _ => c - b'a' + 10,
        }
    }
    let text = text.as_bytes();
    let mut out = [0; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(text[2 * i]) << 4 | nibble(text[2 * i + 1]);
        i += 1;
    }
    out
}

fn digest_of(bytes: &[u8]) -> [u8; 32] {
    let mut check = IntegrityCheck::new(Integrity::from_digest([0; 32]));
    check.update(bytes);
    check.digest()
}

/// A module with a custom section in the middle, so every byte counts.
fn module() -> Vec<u8> {
    let mut wasm = wat::parse_str(
        r#"(module (func (export "add") (param i32 i32) (result i32)
            local.get 0 local.get 1 i32.add) (memory 1) (data (i32.const 0) "hello"))"#,
    )
    .unwrap();
    // A custom section "note" after the header: id 0, size 5, name "note" (len 4).
    let custom = [0u8, 5, 4, b'n', b'o', b't', b'e'];
    wasm.splice(8..8, custom);
    wasm
}

#[test]
fn digests_match_the_known_values() {
    assert_eq!(digest_of(b""), EMPTY);
    assert_eq!(digest_of(b"abc"), ABC);
    assert_eq!(Integrity::from_sri(EMPTY_SRI).unwrap().digests(), [EMPTY]);
    assert_eq!(Integrity::from_sri(ABC_SRI).unwrap().digests(), [ABC]);
}

#[test]
fn the_right_digest_passes_and_is_returned() {
    let mut check = IntegrityCheck::new(Integrity::from_sri(ABC_SRI).unwrap());
    check.update(b"ab");
    check.update(b"");
    check.update(b"c");
    assert_eq!(check.check(), Ok(ABC));
}

#[test]
fn a_wrong_digest_fails_naming_both() {
    let mut check = IntegrityCheck::new(Integrity::from_sri(EMPTY_SRI).unwrap());
    check.update(b"abc");
    let error = check.check().unwrap_err();
    assert_eq!(
        error,
        TypeError::IntegrityMismatch {
            expected: vec![EMPTY],
            actual: ABC
        }
    );
    assert_eq!(
        error.to_string(),
        format!(
            "type error: integrity check failed: the module's digest is {ABC_SRI}, expected {EMPTY_SRI}"
        )
    );
}

#[test]
fn a_custom_section_byte_counts() {
    let wasm = module();
    let digest = digest_of(&wasm);
    let mut changed = wasm.clone();
    changed[14] ^= 1; // inside the custom section's name
    let mut check = IntegrityCheck::new(Integrity::from_digest(digest));
    check.update(&changed);
    assert!(matches!(
        check.check(),
        Err(TypeError::IntegrityMismatch { actual, .. }) if actual == digest_of(&changed)
    ));
}

proptest! {
    /// Chunking independence: every split gives the same digest and verdict.
    #[test]
    fn every_chunking_gives_the_same_digest(cuts in proptest::collection::vec(0usize..200, 0..12)) {
        let wasm = module();
        let whole = digest_of(&wasm);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (wasm.len() + 1)).collect();
        cuts.sort_unstable();
        let feed = |expected: Integrity| {
            let mut check = IntegrityCheck::new(expected);
            let mut start = 0;
            for &cut in cuts.iter().chain([wasm.len()].iter()) {
                check.update(&wasm[start..cut]);
                start = cut;
            }
            check.check()
        };
        prop_assert_eq!(feed(Integrity::from_digest(whole)), Ok(whole));
        let wrong = feed(Integrity::from_digest(EMPTY));
        prop_assert_eq!(wrong, Err(TypeError::IntegrityMismatch { expected: vec![EMPTY], actual: whole }));
    }
}

#[test]
fn any_alternative_passes_and_the_message_lists_them() {
    let both = Integrity::from_sri(&format!("{EMPTY_SRI} {ABC_SRI}")).unwrap();
    assert_eq!(both.digests(), [EMPTY, ABC]);
    assert_eq!(both.check(&ABC), Ok(()));
    assert_eq!(both.check(&EMPTY), Ok(()));
    let error = both.check(&[0; 32]).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "type error: integrity check failed: the module's digest is \
             sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=, expected one of {EMPTY_SRI}, {ABC_SRI}"
        )
    );
}

#[test]
fn sri_alternatives_are_separated_by_any_ascii_whitespace() {
    let metadata = format!("\t {EMPTY_SRI}\n\r\x0c{ABC_SRI}  ");
    assert_eq!(
        Integrity::from_sri(&metadata).unwrap().digests(),
        [EMPTY, ABC]
    );
}

#[test]
fn sri_unknown_algorithms_are_ignored() {
    let metadata = format!(
        "md5-kAFQmDzST7DWlj99KOF/cg== sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb \
         sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg== \
         {ABC_SRI} sha1-qZk+NkcGgWq6PiVxeFDCbJzQ2J0= sha-256-x"
    );
    assert_eq!(Integrity::from_sri(&metadata).unwrap().digests(), [ABC]);
}

#[test]
fn sri_options_are_stripped() {
    let metadata = format!("{ABC_SRI}?ct=application/wasm {EMPTY_SRI}?a?b?");
    assert_eq!(
        Integrity::from_sri(&metadata).unwrap().digests(),
        [ABC, EMPTY]
    );
}

#[test]
fn sri_algorithm_names_are_case_insensitive() {
    let upper = ABC_SRI.replacen("sha256", "SHA256", 1);
    assert_eq!(Integrity::from_sri(&upper).unwrap().digests(), [ABC]);
}

#[test]
fn sri_malformed_values_are_ignored() {
    let value = &ABC_SRI["sha256-".len()..];
    let malformed = [
        String::from("sha256"),                        // no value
        String::from("sha256-"),                       // empty value
        format!("sha256-{}", &value[..43]),            // no padding
        format!("sha256-{value}="),                    // extra padding
        format!("sha256-{}==", &value[..42]),          // too short
        format!("sha256-A{value}"),                    // too long
        format!("sha256-{}!=", &value[..42]),          // not base64
        format!("sha256-{}_=", &value[..42]),          // base64url
        format!("sha256-{}-x", &value[..43]),          // '-' splits the value
        format!("sha256-{}b=", &value[..42]),          // non-zero spare bits
        format!("sha256-{}", value.replace('+', "-")), // base64url again
        format!("-{value}"),                           // no algorithm
    ];
    for token in &malformed {
        assert!(
            matches!(
                Integrity::from_sri(token),
                Err(TypeError::IntegrityMetadata { .. })
            ),
            "{token:?} should be ignored"
        );
        let with_good = format!("{token} {EMPTY_SRI}");
        assert_eq!(
            Integrity::from_sri(&with_good).unwrap().digests(),
            [EMPTY],
            "{token:?}"
        );
    }
    // The canonical spelling of the same digest parses.
    assert_eq!(
        Integrity::from_sri(&format!("sha256-{}Y=", &value[..42])).map(|_| ()),
        Ok(())
    );
}

#[test]
fn sri_without_a_usable_sha256_is_refused_not_skipped() {
    for metadata in ["", "   ", "sha384-abc", "md5-x?y", "sha256-tooshort="] {
        let error = Integrity::from_sri(metadata).unwrap_err();
        assert_eq!(
            error,
            TypeError::IntegrityMetadata {
                metadata: metadata.into()
            }
        );
    }
    assert_eq!(
        Integrity::from_sri("sha384-abc").unwrap_err().to_string(),
        "type error: integrity metadata \"sha384-abc\" has no usable sha256-<base64> value \
         (only sha256 is supported; the value is the padded base64 of 32 bytes)"
    );
    // The message quotes at most 64 bytes, cut at a character boundary.
    let long = format!("{}é{}", "x".repeat(63), "y".repeat(100));
    let Err(TypeError::IntegrityMetadata { metadata }) = Integrity::from_sri(&long) else {
        panic!()
    };
    assert_eq!(metadata, "x".repeat(63));
}

#[test]
fn sri_duplicates_count_once_and_the_alternatives_are_bounded() {
    let twice = format!("{ABC_SRI} {ABC_SRI}?x");
    assert_eq!(Integrity::from_sri(&twice).unwrap().digests(), [ABC]);

    let distinct: Vec<String> = (0..=MAX_SRI_ALTERNATIVES)
        .map(|i| {
            format!(
                "sha256-{}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                (b'A' + i as u8) as char
            )
        })
        .collect();
    let fits = distinct[..MAX_SRI_ALTERNATIVES].join(" ");
    assert_eq!(
        Integrity::from_sri(&fits).unwrap().digests().len(),
        MAX_SRI_ALTERNATIVES
    );
    let error = Integrity::from_sri(&distinct.join(" ")).unwrap_err();
    assert_eq!(
        error,
        TypeError::TooManyDigests {
            limit: MAX_SRI_ALTERNATIVES
        }
    );
    assert_eq!(
        error.to_string(),
        "type error: integrity metadata lists more than 4 distinct sha256 values, the most wasmstream checks"
    );
    // Duplicates of kept values do not count against the limit.
    let repeated = format!("{fits} {}", distinct[0]);
    assert_eq!(
        Integrity::from_sri(&repeated).unwrap().digests().len(),
        MAX_SRI_ALTERNATIVES
    );
}

#[test]
fn a_raw_digest_is_the_same_as_its_sri_form() {
    assert_eq!(
        Integrity::from_digest(ABC),
        Integrity::from_sri(ABC_SRI).unwrap()
    );
    assert_eq!(
        format!("{:?}", Integrity::from_digest(ABC)),
        format!("Integrity({ABC_SRI})")
    );
}

#[test]
fn digest_does_not_end_the_stream() {
    let mut check = IntegrityCheck::new(Integrity::from_digest(ABC));
    check.update(b"a");
    assert_eq!(check.digest(), digest_of(b"a"));
    check.update(b"bc");
    assert_eq!(check.check(), Ok(ABC));
}
