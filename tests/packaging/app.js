// A browser app as a user writes it: bundled by esbuild, the wasm emitted as a file.
import init, { HashRing } from 'ringroute';
import wasmUrl from 'ringroute/ringroute_bg.wasm';

window.replay = async (doc) => {
  await init({ module_or_path: wasmUrl });
  const ring = new HashRing(doc.config);
  for (const n of doc.nodes) ring.add(n.id, { weight: n.weight });
  const keys = doc.lookups.filter((l) => 'key' in l).map((l) => l.key);
  return { fingerprint: ring.fingerprint, owners: keys.map((k) => ring.get(k) ?? null), many: ring.getMany(keys).map((o) => o ?? null) };
};
