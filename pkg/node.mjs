// Node ESM entry: the CommonJS build loads its wasm synchronously, so `import` is ready
// to use at once, exactly like `require`, and shares its classes.
import { createRequire } from 'node:module';

const ringroute = createRequire(import.meta.url)('./node.cjs');

export const { HashRing, Plan, Transition } = ringroute;
export default ringroute;
