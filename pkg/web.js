// Browser and bundler entry: `await init()` (or `initSync({ module })`) before use.
import * as ringroute from './dist/web/ringroute.js';
import { withFastPaths } from './fast.js';

withFastPaths(ringroute);

export * from './dist/web/ringroute.js';
export { default } from './dist/web/ringroute.js';
