// A strict TypeScript consumer of the browser entry: `init` first, then the classes.
import init, { HashRing, initSync } from 'ringroute/web';

await init();
const ring = new HashRing();
ring.add('a');
const owner: string | undefined = ring.get('k');
void [owner, initSync];
