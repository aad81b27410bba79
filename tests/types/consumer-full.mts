// A strict TypeScript consumer of `ringroute/full`: the ring plus BoundedLoads and Ketama.
import { BoundedLoads, HashRing, Ketama, type KetamaServer } from 'ringroute/full';

const ring = new HashRing({ vnodes: 160 });
ring.add('a');
ring.add('b', { weight: 2 });
const loads = new BoundedLoads(1.25);
const owner: string | undefined = loads.assign(ring, 'conn:1');
const again: string | undefined = loads.owner(new TextEncoder().encode('conn:1'));
const released: boolean = loads.release(ring, 'conn:1');
const moved: number = loads.rebalance(ring);
const cap: number = loads.cap(ring, 'a');
const capFor: number = loads.cap(ring, 'a', 1000);
const load: number = loads.load('a');
const ketama = new Ketama();
ketama.add('10.0.0.1', 11211);
ketama.add('10.0.0.2', 11211, { weight: 2 });
const server: string | undefined = ketama.get('user:42');
const list: string[] = ketama.getN('user:42', 2);
ketama.addAll([{ host: '10.0.0.4', port: 11211 }, { host: '10.0.0.5', port: 11212, weight: 3 }]);
const servers: KetamaServer[] = ketama.servers();
const gone: boolean = ketama.remove('10.0.0.1', 11211);
// @ts-expect-error: ports are numbers
ketama.add('10.0.0.3', '11211');
// @ts-expect-error: a server for addAll needs a port
ketama.addAll([{ host: '10.0.0.6' }]);
// @ts-expect-error: the balance factor is a number
void new BoundedLoads('1.25');
void [owner, again, released, moved, cap, capFor, load, server, list, servers, gone, ketama.size, ketama.pointCount];
loads.free();
ketama.free();
ring.free();
