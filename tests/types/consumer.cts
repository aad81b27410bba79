// A CommonJS TypeScript consumer (.cts): `import` compiles to `require('ringroute')`.
import init, { HashRing, ready, type Snapshot } from 'ringroute';
import { BoundedLoads, Ketama } from 'ringroute/full';

const ring = new HashRing({ vnodes: 160 });
ring.add('a');
const owner: string | undefined = ring.get('k');
const doc: Snapshot = ring.toJSON();
const loads = new BoundedLoads(1.25);
const assigned: string | undefined = loads.assign(ring, 'conn:1');
const ketama = new Ketama();
ketama.add('10.0.0.1', 11211);
const pending: Promise<void> = ready.then(() => init());
// @ts-expect-error: keys are strings or byte arrays
ring.get(42);
void [owner, doc, assigned, pending];
