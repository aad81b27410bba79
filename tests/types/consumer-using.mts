// `using` frees a ring at the end of its scope (TypeScript 5.2+, lib esnext or @types/node).
import { HashRing, Transition } from 'ringroute';
import { Ketama } from 'ringroute/full';

export function owners(keys: string[]): Array<string | undefined> {
  using ring = new HashRing();
  ring.add('a');
  using next = new HashRing();
  next.add('b');
  using t = new Transition(ring, next, 1);
  using ketama = new Ketama();
  ketama.add('h', 1);
  return keys.map((k) => t.route(k)?.owner ?? ring.get(k) ?? ketama.get(k));
}
