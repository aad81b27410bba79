"""An independent implementation of ring-core/SPEC.md, written from the spec alone.

It shares no code with the Rust crate: it is the reference the golden vectors are
generated from, and proof that the spec is precise enough to port. Slow, plain Python.
"""

import bisect
import struct

MASK = 0xFFFFFFFF


def murmur3_32(data: bytes, seed: int) -> int:
    """MurmurHash3 x86_32, transcribed from Austin Appleby's MurmurHash3.cpp."""
    c1, c2 = 0xCC9E2D51, 0x1B873593

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & MASK

    h = seed & MASK
    n = len(data)
    nblocks = n // 4
    for i in range(nblocks):
        (k,) = struct.unpack_from("<I", data, 4 * i)
        k = rotl((k * c1) & MASK, 15)
        h ^= (k * c2) & MASK
        h = (rotl(h, 13) * 5 + 0xE6546B64) & MASK
    tail = data[4 * nblocks:]
    if tail:
        k = int.from_bytes(tail, "little")
        k = rotl((k * c1) & MASK, 15)
        h ^= (k * c2) & MASK
    h ^= n & MASK
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & MASK
    h ^= h >> 16
    return h


def vnode_count(weight: float, vnodes: int) -> int:
    import math

    if not (math.isfinite(weight) and weight > 0):
        raise ValueError("invalid weight")
    c = math.floor(weight * vnodes + 0.5)
    if c > 1 << 20:
        raise ValueError("weight too large")
    return max(1, c)


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


class Ring:
    """SPEC.md sections 2 to 8: points, order, lookup, successors, arcs, fingerprint."""

    def __init__(self, vnodes: int, seed: int, nodes):
        self.vnodes, self.seed = vnodes, seed
        # Node order: ids sorted by their UTF-8 bytes.
        self.nodes = sorted(
            ({"id": n["id"], "weight": float(n["weight"])} for n in nodes),
            key=lambda n: n["id"].encode("utf-8"),
        )
        points = []
        for rank, node in enumerate(self.nodes):
            node["points"] = vnode_count(node["weight"], vnodes)
            idb = node["id"].encode("utf-8")
            for i in range(node["points"]):
                points.append((murmur3_32(idb + struct.pack("<I", i), seed), rank))
        points.sort()  # by position, then by the owner's rank
        self.positions = [p for p, _ in points]
        self.owners = [r for _, r in points]

    def position(self, key: bytes) -> int:
        return murmur3_32(key, self.seed)

    def point_at(self, position: int):
        if not self.positions:
            return None
        i = bisect.bisect_left(self.positions, position)
        return 0 if i == len(self.positions) else i

    def owner_at(self, position: int):
        i = self.point_at(position)
        return None if i is None else self.nodes[self.owners[i]]["id"]

    def successors(self, position: int, n: int):
        i = self.point_at(position)
        out, seen = [], set()
        if i is None:
            return out
        for step in range(len(self.positions)):
            rank = self.owners[(i + step) % len(self.positions)]
            if rank not in seen:
                seen.add(rank)
                out.append(self.nodes[rank]["id"])
                if len(out) == n:
                    break
        return out

    def owned(self):
        owned = [0] * len(self.nodes)
        if self.positions:
            prev = self.positions[-1] - (1 << 32)
            for p, r in zip(self.positions, self.owners):
                owned[r] += p - prev
                prev = p
        return {n["id"]: o for n, o in zip(self.nodes, owned)}

    def fingerprint(self) -> int:
        out = bytearray(b"ringroute/fingerprint/v1")
        out += struct.pack("<III", self.vnodes, self.seed, len(self.nodes))
        for n in self.nodes:
            idb = n["id"].encode("utf-8")
            out += struct.pack("<I", len(idb)) + idb
            out += struct.pack("<dI", n["weight"], n["points"])
        out += struct.pack("<I", len(self.positions))
        for p, r in zip(self.positions, self.owners):
            out += struct.pack("<II", p, r)
        return fnv1a64(bytes(out))

    def modulo_owner(self, key: bytes):
        if not self.nodes:
            return None
        return self.nodes[self.position(key) % len(self.nodes)]["id"]


# SPEC.md sections 10 and 11: migration plans and transition cut-over order.

def segments(old: Ring, new: Ring):
    """(first, last) arcs on which both rings' owning points are constant, in order."""
    cuts = sorted(set(old.positions) | set(new.positions))
    if not old.positions or not new.positions:
        return []
    out, first = [], 0
    for cut in cuts:
        out.append((first, cut))
        first = cut + 1
    if first <= MASK:
        out.append((first, MASK))
    return out


def diff(old: Ring, new: Ring):
    """Coalesced [first, last, from, to] arcs whose owner changes."""
    moves = []
    for first, last in segments(old, new):
        a, b = old.owner_at(last), new.owner_at(last)
        if a == b:
            continue
        if moves and moves[-1][2:] == [a, b] and moves[-1][1] + 1 == first:
            moves[-1][1] = last
        else:
            moves.append([first, last, a, b])
    return moves


def diff_replicas(old: Ring, new: Ring, n: int):
    """Coalesced [first, last, old list, new list] arcs whose n-replica list changes."""
    changes = []
    for first, last in segments(old, new):
        a, b = old.successors(last, n), new.successors(last, n)
        if a == b:
            continue
        if changes and changes[-1][2:] == [a, b] and changes[-1][1] + 1 == first:
            changes[-1][1] = last
        else:
            changes.append([first, last, a, b])
    return changes


def cut_order(moves, epoch: int, seed: int):
    """Indices of moves in cut-over order: by H(LE64(epoch) ‖ LE32(first), seed), then first."""
    keyed = [(murmur3_32(struct.pack("<QI", epoch, m[0]), seed), m[0], i) for i, m in enumerate(moves)]
    return [i for _, _, i in sorted(keyed)]


def cut_count(moves, order, threshold: int) -> int:
    """How many arcs, in cut-over order, fit under the threshold."""
    total, count = 0, 0
    for i in order:
        total += moves[i][1] - moves[i][0] + 1
        if total > threshold:
            break
        count += 1
    return count
