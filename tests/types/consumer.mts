// A strict TypeScript consumer of the Node entry: this must type-check with tsc --noEmit.
import { HashRing, Transition, type Move, type Route, type Snapshot } from 'ringroute';

const ring = new HashRing({ vnodes: 160, seed: 0 });
ring.add('ws-server-0', { weight: 2, data: { address: 'ws://10.0.0.5:8080' } });
ring.add('ws-server-1');
const owner: string | undefined = ring.get('user:42');
const bytesOwner: string | undefined = ring.get(new TextEncoder().encode('user:42'));
const replicas: string[] = ring.getN('user:42', 3);
const many: Array<string | undefined> = ring.getMany(['a', 'b']);
const removed: boolean = ring.remove('ws-server-1');
const size: number = ring.size;
const fingerprint: string = ring.fingerprint;
const shares: number[] = ring.shares().map((s) => s.share);
const doc: Snapshot = ring.toJSON();
const back: HashRing = HashRing.fromJSON(doc);
const next = new HashRing({ vnodes: 160 });
next.add('ws-server-0');
next.add('ws-server-2');
const moves: Move[] = ring.diff(next).moves();
const t = new Transition(ring, next, 1);
t.setStep(1, 4);
const route: Route | undefined = t.route('user:42');
const previous: string | undefined = route?.previous;
// @ts-expect-error: keys are strings or byte arrays
ring.get(42);
// @ts-expect-error: weights are numbers
ring.add('x', { weight: 'heavy' });
void [owner, bytesOwner, replicas, many, removed, size, fingerprint, shares, back, moves, previous];
ring.free();
