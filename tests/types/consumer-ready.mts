// The documented portable snippet, typed: `ready` and the default `init()` are promises.
import init, { HashRing, ready } from 'ringroute';
import initFull, { Ketama, ready as readyFull } from 'ringroute/full';

await ready;
const again: Promise<void> = init();
await again;
await Promise.all([readyFull, initFull()]);
const ring = new HashRing();
ring.add('a');
const owner: string | undefined = ring.get('k');
const ketama = new Ketama();
// @ts-expect-error: ready is a promise, not a function
ready();
void [owner, ketama];
