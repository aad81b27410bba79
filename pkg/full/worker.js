// `ringroute/full` for edge workers (workerd): the wasm arrives compiled.
import wasmModule from '../dist/web/ringroute_full_bg.wasm';
import { initSync } from './web.js';

initSync({ module: wasmModule });

export * from './web.js';
