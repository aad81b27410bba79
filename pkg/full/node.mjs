// `ringroute/full` for Node `import`: the CommonJS build, loaded synchronously.
import { createRequire } from 'node:module';

const ringroute = createRequire(import.meta.url)('./node.cjs');

export const { HashRing, Plan, Transition, BoundedLoads, Ketama } = ringroute;
export default ringroute;
