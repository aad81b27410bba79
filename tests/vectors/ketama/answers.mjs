// The keys the ketama vectors cover and the checksum that sums up their owners: shared
// by the generator and by every test that replays the vectors.

export const keys = [
  ...Array.from({ length: 10000 }, (_, i) => `key:${i}`),
  ...Array.from({ length: 100 }, (_, i) => `ключ:${i}`),
];

/** FNV-1a 64 over the owner indices as little-endian u16: one number for 10,100 answers. */
export function checksum(owners) {
  let h = 0xcbf29ce484222325n;
  for (const o of owners) {
    for (const byte of [o & 0xff, o >> 8]) {
      h ^= BigInt(byte);
      h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
    }
  }
  return h.toString(16).padStart(16, '0');
}
