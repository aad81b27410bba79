// Edge-worker entry (workerd, Cloudflare Workers): the runtime hands over the wasm as a
// compiled module, so instantiation is synchronous and the exports are ready at once.
import wasmModule from './dist/web/ringroute_bg.wasm';
import { initSync } from './web.js';

initSync({ module: wasmModule });

export * from './web.js';
