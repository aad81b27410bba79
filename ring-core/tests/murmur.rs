//! ring-core's MurmurHash3 against the published reference values and against the
//! `murmur3` crate as an oracle.

use std::{fs, io::Cursor, path::PathBuf};

use proptest::prelude::*;
use ringroute::murmur3_32;

fn oracle(data: &[u8], seed: u32) -> u32 {
    murmur3::murmur3_32(&mut Cursor::new(data), seed).expect("in-memory read")
}

#[test]
fn matches_the_external_reference_file() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors/external/murmur3_x86_32.json");
    let doc: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 90);
    for case in cases {
        let hex = case["hex"].as_str().unwrap();
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        if let Some(text) = case.get("utf8").and_then(|t| t.as_str()) {
            assert_eq!(text.as_bytes(), bytes, "utf8 and hex disagree");
        }
        let seed = case["seed"].as_u64().unwrap() as u32;
        assert_eq!(
            u64::from(murmur3_32(&bytes, seed)),
            case["hash"].as_u64().unwrap(),
            "{hex} seed {seed}"
        );
    }
}

#[test]
fn matches_published_smhasher_values() {
    // Widely published MurmurHash3_x86_32 results (SMHasher / Wikipedia test set).
    assert_eq!(murmur3_32(b"", 0), 0);
    assert_eq!(murmur3_32(b"", 1), 0x514e_28b7);
    assert_eq!(murmur3_32(b"", 0xffff_ffff), 0x81f1_6f39);
    assert_eq!(murmur3_32(&[0xff, 0xff, 0xff, 0xff], 0), 0x7629_3b50);
    assert_eq!(murmur3_32(&[0x21, 0x43, 0x65, 0x87], 0), 0xf55b_516b);
    assert_eq!(
        murmur3_32(&[0x21, 0x43, 0x65, 0x87], 0x5082_edee),
        0x2362_f9de
    );
    assert_eq!(murmur3_32(&[0x21, 0x43, 0x65], 0), 0x7e4a_8634);
    assert_eq!(murmur3_32(&[0x21, 0x43], 0), 0xa0f7_b07a);
    assert_eq!(murmur3_32(&[0x21], 0), 0x7266_1cf4);
    assert_eq!(murmur3_32(b"Hello, world!", 1234), 0xfaf6_cdb3);
    assert_eq!(
        murmur3_32(b"The quick brown fox jumps over the lazy dog", 0x9747_b28c),
        0x2fa8_26cd
    );
}

/// 100,000 pseudo-random inputs of every length from 0 to 96 bytes, with random seeds.
#[test]
fn matches_the_murmur3_crate_on_100k_random_inputs() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut buf = Vec::with_capacity(96);
    for i in 0..100_000u32 {
        buf.clear();
        let len = (i % 97) as usize;
        buf.extend((0..len).map(|_| next() as u8));
        let seed = if i % 3 == 0 { 0 } else { next() as u32 };
        assert_eq!(
            murmur3_32(&buf, seed),
            oracle(&buf, seed),
            "input {buf:02x?} seed {seed}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]
    #[test]
    fn matches_the_murmur3_crate_on_arbitrary_input(data in proptest::collection::vec(any::<u8>(), 0..300), seed in any::<u32>()) {
        prop_assert_eq!(murmur3_32(&data, seed), oracle(&data, seed));
    }
}
