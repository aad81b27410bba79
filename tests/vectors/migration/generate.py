"""Writes the migration vectors in this folder: plans, replica plans and transition
cut-over, from ../reference.py (SPEC.md in Python, independent of ring-core).

    python3 tests/vectors/migration/generate.py [--out DIR]
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from reference import Ring, cut_count, cut_order, diff, diff_replicas  # noqa: E402

GENERATOR = "tests/vectors/migration/generate.py from reference.py, an independent implementation of ring-core/SPEC.md"
STEPS = 4
REPLICAS = 2


def vector(name, description, old_cfg, new_cfg, old_nodes, new_nodes, epoch, keys):
    old = Ring(old_cfg[0], old_cfg[1], old_nodes)
    new = Ring(new_cfg[0], new_cfg[1], new_nodes)
    moves = diff(old, new)
    order = cut_order(moves, epoch, old_cfg[1])
    total = sum(m[1] - m[0] + 1 for m in moves)
    cuts = [cut_count(moves, order, total * k // STEPS) for k in range(STEPS + 1)]
    cut_rank = {i: r for r, i in enumerate(order)}
    lookups = []
    for key in keys:
        pos = old.position(key.encode())
        a, b = old.owner_at(pos), new.owner_at(pos)
        arc = next((i for i, m in enumerate(moves) if m[0] <= pos <= m[1]), None)
        routes = []
        for k in range(STEPS + 1):
            if arc is None:
                routes.append([b if b is not None else a, None])
            elif cut_rank[arc] < cuts[k]:
                routes.append([b, a])
            else:
                routes.append([a, None])
        lookups.append({"key": key, "position": pos, "old": a, "new": b, "routes": routes})
    return {
        "name": name,
        "description": description,
        "generated_by": GENERATOR,
        "old": {"config": {"vnodes": old_cfg[0], "seed": old_cfg[1]}, "nodes": old_nodes},
        "new": {"config": {"vnodes": new_cfg[0], "seed": new_cfg[1]}, "nodes": new_nodes},
        "epoch": epoch,
        "expect": {
            "moves": moves,
            "moved_length": total,
            "replicas": REPLICAS,
            "replica_changes": diff_replicas(old, new, REPLICAS),
            "cut_order": [moves[i][0] for i in order],
            "steps": STEPS,
            "cut_counts": cuts,
        },
        "lookups": lookups,
    }


def main():
    out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else HERE
    keys = [f"user:{i}" for i in range(300)]
    five = [{"id": f"ws-{i}", "weight": 1} for i in range(5)]
    files = {
        "join": vector("join", "Five equal nodes, one joins: arcs move only to it. 16 vnodes, seed 0, epoch 1.",
                       (16, 0), (16, 0), five, five + [{"id": "ws-5", "weight": 1}], 1, keys),
        "leave": vector("leave", "ws-2 of five leaves: only its arcs move. 16 vnodes, seed 0, epoch 2.",
                        (16, 0), (16, 0), five, [n for n in five if n["id"] != "ws-2"], 2, keys),
        "reweight-revnode": vector(
            "reweight-revnode",
            "Weights change and the vnodes per weight go from 8 to 12, seed 99, epoch 2^40.",
            (8, 99), (12, 99),
            [{"id": "a", "weight": 1}, {"id": "b", "weight": 2}, {"id": "c", "weight": 1}],
            [{"id": "a", "weight": 3}, {"id": "b", "weight": 0.5}, {"id": "c", "weight": 1}],
            1 << 40, keys),
        "swap-unicode": vector(
            "swap-unicode",
            "Two unicode nodes leave and one joins at once; 24 vnodes, seed 42, epoch 7.",
            (24, 42), (24, 42),
            [{"id": "ünï", "weight": 1}, {"id": "🚀", "weight": 1.5}, {"id": "節點", "weight": 1}, {"id": "z", "weight": 1}],
            [{"id": "z", "weight": 1}, {"id": "new-節點", "weight": 2}, {"id": "ünï", "weight": 1}],
            7, keys),
    }
    for name, doc in files.items():
        with open(os.path.join(out, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
            f.write("\n")
        print(f"wrote {name}.json: {len(doc['expect']['moves'])} moves, cut counts {doc['expect']['cut_counts']}")


if __name__ == "__main__":
    main()
