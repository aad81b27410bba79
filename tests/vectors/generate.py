"""Writes the golden vectors in this folder from reference.py (SPEC.md, in Python).

    python3 tests/vectors/generate.py [--out DIR]

Every file is deterministic: running this again must leave git clean. The Rust, Node,
browser and edge tests all replay the same files.
"""

import json
import os
import random
import sys

from reference import Ring, murmur3_32

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = "tests/vectors/generate.py from reference.py, an independent implementation of ring-core/SPEC.md"


def key_entry(key):
    """A lookup key: text as "key", raw bytes (maybe not UTF-8) as "key_hex"."""
    if isinstance(key, str):
        return {"key": key}, key.encode("utf-8")
    return {"key_hex": key.hex()}, key


def vector(name, description, vnodes, seed, nodes, keys, successors_n, positions=(), points=False):
    ring = Ring(vnodes, seed, nodes)
    lookups = []
    for key in keys:
        entry, raw = key_entry(key)
        pos = ring.position(raw)
        entry.update(
            position=pos,
            owner=ring.owner_at(pos),
            successors=ring.successors(pos, successors_n),
            modulo=ring.modulo_owner(raw),
        )
        lookups.append(entry)
    doc = {
        "name": name,
        "description": description,
        "generated_by": GENERATOR,
        "config": {"vnodes": vnodes, "seed": seed},
        # Listed in insertion order, deliberately not sorted: routing must not care.
        "nodes": nodes,
        "expect": {
            "point_count": len(ring.positions),
            "fingerprint": format(ring.fingerprint(), "016x"),
            "owned": ring.owned(),
        },
        "successors_n": successors_n,
        "lookups": lookups,
        "positions": [{"position": p, "owner": ring.owner_at(p)} for p in positions],
    }
    if points:
        doc["expect"]["points"] = [[p, ring.nodes[r]["id"]] for p, r in zip(ring.positions, ring.owners)]
    return doc, ring


def find_collision(vnodes, seed):
    """Two ids, each with a point at the same position: a forced tie on the ring."""
    seen = {}
    n = 0
    while True:
        node_id = f"tie-{n}"
        for i in range(vnodes):
            pos = murmur3_32(node_id.encode() + i.to_bytes(4, "little"), seed)
            other = seen.get(pos)
            if other is not None and other[0] != node_id:
                return other[0], node_id, pos
            seen[pos] = (node_id, i)
        n += 1


def user_keys(count, prefix="user:"):
    return [f"{prefix}{i}" for i in range(count)]


def main():
    out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else HERE
    rng = random.Random(20261124)
    files = {}

    files["basic"] = vector(
        "basic",
        "Three equal nodes, 4 vnodes each, seed 0: small enough to check by hand; every point is listed.",
        4, 0,
        [{"id": "gamma", "weight": 1}, {"id": "alpha", "weight": 1}, {"id": "beta", "weight": 1}],
        user_keys(200) + ["", "a", "ab", "abc", "abcd", "abcde"],
        3,
        positions=[0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF],
        points=True,
    )[0]

    unicode_nodes = [
        {"id": "ws-server-0", "weight": 1},
        {"id": "ünïcödé-節點", "weight": 2.5},
        {"id": "🚀", "weight": 0.5},
        {"id": "with space", "weight": 1},
        {"id": "nul\u0000inside", "weight": 1},
        {"id": "tiny", "weight": 0.001},
        {"id": "Zeta", "weight": 3},
        {"id": "ws-server-10", "weight": 1.25},
    ]
    byte_keys = [bytes([0xFF, 0xFE, 0x00]), bytes([0xC3, 0x28]), bytes(range(0, 40)), b"\x00", bytes([0x80] * 7)]
    text_keys = ["用户:42", "ключ", "emoji:🎉", "e\u0301", "\u00e9", "a\u0000b", "x" * 300] + user_keys(300, "session/")
    files["weighted-unicode"] = vector(
        "weighted-unicode",
        "Unequal weights (one so small it keeps a single point), unicode and NUL in ids, "
        "text and non-UTF-8 byte keys; 160 vnodes per unit of weight, seed 42.",
        160, 42, unicode_nodes, text_keys + byte_keys, 4,
        positions=[0, 0xFFFFFFFF],
    )[0]

    a, b, tie = find_collision(8, 7)
    first, second = sorted([a, b], key=lambda s: s.encode())
    # Insert the id that sorts later first: a ring that breaks ties by insertion order fails.
    tie_nodes = [{"id": second, "weight": 1}, {"id": "bystander", "weight": 1}, {"id": first, "weight": 1}]
    probe = Ring(8, 7, tie_nodes)
    i = probe.positions.index(tie)
    prev = probe.positions[i - 1] if i else probe.positions[-1] - (1 << 32)
    arc_keys = []
    n = 0
    while len(arc_keys) < 20 and n < 2_000_000:
        k = f"k{n}"
        p = murmur3_32(k.encode(), 7)
        if prev < p <= tie or (prev < 0 and p > prev + (1 << 32)):
            arc_keys.append(k)
        n += 1
    files["collision"] = vector(
        "collision",
        f"Ids {first!r} and {second!r} each have a point at {tie} (8 vnodes, seed 7): the tie goes to the "
        f"id that sorts first. The first 20 keys are in the arc ending at the tie, so they belong to {first!r}.",
        8, 7, tie_nodes, arc_keys + user_keys(50), 3,
        positions=[tie - 1, tie, tie + 1],
        points=True,
    )[0]

    hundred = [{"id": f"node-{i}", "weight": 1} for i in range(100)]
    rng.shuffle(hundred)
    files["default-100"] = vector(
        "default-100",
        "100 equal nodes at the default config (1024 vnodes, seed 0), the benchmarks' setting.",
        1024, 0, hundred, user_keys(1000), 3,
    )[0]

    files["seed-max"] = vector(
        "seed-max",
        "Seed 2^32-1 and 64 vnodes over seven nodes of mixed weight.",
        64, 0xFFFFFFFF,
        [{"id": f"cache-{c}", "weight": w} for c, w in zip("gfedcba", [1, 2, 0.75, 1, 4, 1.5, 1])],
        user_keys(300, "obj/"), 7,
        positions=[0, 0xFFFFFFFF],
    )[0]

    files["single"] = vector(
        "single", "One node owns every key and the whole ring.",
        16, 0, [{"id": "only", "weight": 1}], user_keys(20), 3, positions=[0, 0xFFFFFFFF],
    )[0]

    files["empty"] = vector(
        "empty", "No nodes: every lookup answers nothing.",
        16, 0, [], user_keys(5), 3, positions=[0],
    )[0]

    for name, doc in files.items():
        with open(os.path.join(out, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
            f.write("\n")
        print(f"wrote {name}.json: {len(doc['lookups'])} lookups, fingerprint {doc['expect']['fingerprint']}")


if __name__ == "__main__":
    main()
