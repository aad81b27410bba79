// The package's public classes and functions, built from the generated bindings: every
// class guarded against freed and wrong-class arguments (./guard.js), then HashRing's
// lookups on their fast paths (./fast.js). Each entry calls this once.
import { withFastPaths } from './fast.js';
import { guarded } from './guard.js';

/** The `names` of `bindings`, ready to export. */
export function publicApi(bindings, names) {
  return withFastPaths(guarded(bindings, names));
}
