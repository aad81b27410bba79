// `ringroute/full` for browsers and bundlers: `await init()` (or `initSync`) before use.
import * as ringroute from '../dist/web/ringroute_full.js';
import { withFastPaths } from '../fast.js';

withFastPaths(ringroute);

export * from '../dist/web/ringroute_full.js';
export { default } from '../dist/web/ringroute_full.js';
