//! Shadowed nodes: MurmurHash3 x86_32 is invertible block by block, so anyone who picks
//! node ids can craft a second id whose every virtual node lands on the first's points.
//! Ties go to the node earlier in id order, so the later one would own nothing. The ring
//! refuses any change after which a node owns nothing, and leaves itself unchanged.

use ringroute::{HashRing, RingConfig, RingError};

const C1: u32 = 0xcc9e_2d51;
const C2: u32 = 0x1b87_3593;

/// The multiplicative inverse of an odd number modulo 2^32 (Newton's iteration).
fn inverse(a: u32) -> u32 {
    let mut x = a;
    for _ in 0..5 {
        x = x.wrapping_mul(2u32.wrapping_sub(a.wrapping_mul(x)));
    }
    assert_eq!(a.wrapping_mul(x), 1);
    x
}

fn mix(k: u32) -> u32 {
    k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2)
}

fn unmix(x: u32) -> u32 {
    x.wrapping_mul(inverse(C2))
        .rotate_right(15)
        .wrapping_mul(inverse(C1))
}

/// MurmurHash3's state after one 4-byte block.
fn round(h: u32, block: [u8; 4]) -> u32 {
    (h ^ mix(u32::from_le_bytes(block)))
        .rotate_left(13)
        .wrapping_mul(5)
        .wrapping_add(0xe654_6b64)
}

/// Two distinct 8-byte ASCII ids whose hash states agree after their last byte under
/// `seed`: every label `id ‖ LE32(i)` then hashes alike, as the rest of the input (the
/// index block and the length) is the same.
fn colliding_ids(seed: u32) -> (String, String) {
    for b in b'!'..=b'~' {
        let (a1, b1) = (*b"node", [b'n', b'o', b'd', b]);
        if a1 == b1 {
            continue;
        }
        let (ha, hb) = (round(seed, a1), round(seed, b1));
        for n in 0..10_000u32 {
            let a2 = *format!("{:04}", n % 10_000)
                .as_bytes()
                .first_chunk::<4>()
                .unwrap();
            let b2 = unmix(ha ^ hb ^ mix(u32::from_le_bytes(a2))).to_le_bytes();
            if b2.iter().all(|c| (b'!'..=b'~').contains(c)) {
                assert_eq!(round(ha, a2), round(hb, b2));
                let a = String::from_utf8([a1, a2].concat()).unwrap();
                let b = String::from_utf8([b1, b2].concat()).unwrap();
                return (a, b);
            }
        }
    }
    unreachable!("about 1 in 55 candidates is printable")
}

fn config() -> RingConfig {
    RingConfig::new(160, 0).unwrap()
}

/// The pair, the one earlier in id order first.
fn pair() -> (String, String) {
    let (a, b) = colliding_ids(config().seed());
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

#[test]
fn the_crafted_ids_put_every_virtual_node_on_the_same_position() {
    let (first, second) = pair();
    assert_ne!(first, second);
    eprintln!("colliding ids: {first:?} and {second:?}");
    for i in 0..100_000 {
        assert_eq!(
            config().vnode_position(&first, i),
            config().vnode_position(&second, i)
        );
    }
    // Under another seed they are ordinary ids.
    let other = RingConfig::new(160, 1).unwrap();
    assert_ne!(
        other.vnode_position(&first, 0),
        other.vnode_position(&second, 0)
    );
    let ring = HashRing::from_nodes(other, [(&*first, 1.0, ()), (&*second, 1.0, ())]).unwrap();
    assert!(ring.shares().iter().all(|&(_, share)| share > 0.3));
}

/// `op` is refused with `ShadowedNode` and the ring is exactly as before.
fn refused(ring: &mut HashRing<()>, op: impl FnOnce(&mut HashRing<()>) -> Result<(), RingError>) {
    let before = (
        ring.fingerprint(),
        ring.version(),
        ring.len(),
        ring.point_count(),
    );
    assert_eq!(op(ring), Err(RingError::ShadowedNode));
    let after = (
        ring.fingerprint(),
        ring.version(),
        ring.len(),
        ring.point_count(),
    );
    assert_eq!(before, after, "a refusal changed the ring");
}

#[test]
fn a_node_that_would_own_nothing_is_refused() {
    let (first, second) = pair();
    let mut ring = HashRing::with_config(config());
    ring.add("bystander", ()).unwrap();
    ring.add(&first, ()).unwrap();
    // The later id loses every tie.
    refused(&mut ring, |r| r.add(&second, ()));
    // Whichever is added first: the earlier id would starve the later one.
    let mut other = HashRing::with_config(config());
    other.add(&second, ()).unwrap();
    refused(&mut other, |r| r.add(&first, ()));
    refused(&mut other, |r| {
        r.add_all([("x", 1.0, ()), (&*first, 2.0, ())])
    });
    // In one batch, too.
    let mut empty = HashRing::with_config(config());
    refused(&mut empty, |r| {
        r.add_all([(&*second, 1.0, ()), (&*first, 1.0, ())])
    });

    // More points than the earlier node: the extra ones win their positions.
    ring.add_weighted(&second, 2.0, ()).unwrap();
    let shares = ring.shares();
    assert!(shares.iter().all(|&(_, s)| s > 0.0), "{shares:?}");
    // Back to as many points as the earlier node: refused, weight 2 kept.
    refused(&mut ring, |r| r.set_weight(&second, 1.0));
    assert_eq!(ring.node(&second).unwrap().weight, 2.0);
    // The earlier node growing to cover them all: refused, weight 1 kept.
    refused(&mut ring, |r| r.set_weight(&first, 2.0));
    assert_eq!(ring.node(&first).unwrap().weight, 1.0);
    // Removing never starves anyone.
    assert!(ring.remove(&first).is_some());
    assert!(ring.shares().iter().all(|&(_, s)| s > 0.0));
}

#[cfg(feature = "serde")]
#[test]
fn a_document_with_a_shadowed_server_names_it() {
    let (first, second) = pair();
    let doc = serde_json::json!({"vnodes": 160, "servers": [
        {"id": "bystander"}, {"id": second}, {"id": first}]});
    // Parsing needs no hashing and accepts it; building the ring refuses it.
    let snap = ringroute::Snapshot::from_deserializer(doc).unwrap();
    let e = snap.to_ring().unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.error),
        ("servers[1].id", RingError::ShadowedNode)
    );
    assert_eq!(e.error.code(), "SHADOWED_NODE");
}
