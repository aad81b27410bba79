// An edge worker as a user writes it, bundled by esbuild for workerd.
import { HashRing } from 'ringroute';

export default {
  async fetch(request) {
    const doc = await request.json();
    const ring = new HashRing(doc.config);
    for (const n of doc.nodes) ring.add(n.id, { weight: n.weight });
    return Response.json({ fingerprint: ring.fingerprint, owners: doc.keys.map((k) => ring.get(k) ?? null) });
  },
};
