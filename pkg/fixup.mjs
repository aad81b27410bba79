// Turns wasm-bindgen's `--target web` output for one build into the package's modules
// (run by build.sh; every edit below must match exactly once, or the build stops):
//
//   dist/<build>/bindings.js   the generated bindings: UTF-8 from ../../src/text.js (jsdom
//                              has no TextEncoder), and no default wasm URL
//   dist/<build>/wasm.js       the wasm as printable text (../../src/wasm-text.js), the
//                              copy the JS entries embed
//   dist/<build>/index.js      ESM entry: instantiates synchronously at import
//   dist/<build>/index.cjs     the same as one CommonJS file (Node `require`, Jest, CJS bundles)
//   dist/<build>/node.mjs      Node `import`: re-exports index.cjs, so `require` and
//                              `import` share one instance
//   dist/<build>/worker.js     workerd: the runtime compiles the .wasm, no bytes in JS
//   dist/<build>/*.d.ts ...    a declaration file beside every entry, in its module kind
//
//   node pkg/fixup.mjs <build> <wasm-bindgen out dir> <out-name> <esbuild binary>
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWasm, encodeWasm } from './src/wasm-text.js';

const [build, generated, outName, esbuild] = process.argv.slice(2);
const dist = join(import.meta.dirname, 'dist', build);
mkdirSync(dist, { recursive: true });

/** `text` with `from` replaced by `to`, which must occur exactly once. */
function replaceOnce(text, from, to, what) {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + from.length) >= 0) {
    throw new Error(`fixup (${build}): expected exactly one ${what}`);
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}

// --- the bindings -----------------------------------------------------------------
let bindings = readFileSync(join(generated, `${outName}.js`), 'utf8');
bindings = `import { TextDecoder, TextEncoder } from '../../src/text.js';\n${bindings}`;
// Only initSync is used: the async loader and its default URL (which bundlers would
// follow to a file that is not there) go.
const asyncStart = bindings.indexOf('async function __wbg_load(');
const asyncEnd = bindings.indexOf('function initSync(');
if (asyncStart < 0 || asyncEnd < asyncStart) throw new Error(`fixup (${build}): no async loader found`);
bindings = bindings.slice(0, asyncStart) + bindings.slice(asyncEnd);
const initStart = bindings.indexOf('let __wbg_init_promise;');
if (initStart < 0) throw new Error(`fixup (${build}): no async init found`);
bindings = bindings.slice(0, initStart);
bindings += 'export { initSync };\n';
if (bindings.includes('import.meta')) throw new Error(`fixup (${build}): import.meta left in the bindings`);
const classes = [...bindings.matchAll(/^export class (\w+)/gm)].map((m) => m[1]);
const functions = [...bindings.matchAll(/^export function (\w+)/gm)].map((m) => m[1]);
const api = [...classes, ...functions].sort();
writeFileSync(join(dist, 'bindings.js'), bindings);

// --- the wasm, raw (workerd) and as text (everything else) -------------------------
const wasm = readFileSync(join(generated, `${outName}_bg.wasm`));
copyFileSync(join(generated, `${outName}_bg.wasm`), join(dist, 'ringroute.wasm'));
const encoded = encodeWasm(wasm);
if (!Buffer.from(decodeWasm(encoded)).equals(wasm)) throw new Error(`fixup (${build}): wasm text does not round-trip`);
writeFileSync(
  join(dist, 'wasm.js'),
  `// ${wasm.length} bytes of wasm as text: see src/wasm-text.js.
export default {
  length: ${encoded.length},
  order: [${encoded.order.join(',')}],
  text: '${encoded.text}',
};
`,
);

// --- entries ------------------------------------------------------------------------
const names = `[${api.map((n) => `'${n}'`).join(', ')}]`;
const exportList = `export const { ${api.join(', ')} } = api;`;
const entry = (imports, instantiate) => `${imports}
import * as bindings from './bindings.js';
import { publicApi } from '../../src/api.js';

${instantiate}
const api = publicApi(bindings, ${names});
${exportList}
/** Resolved: the module is ready as soon as it is imported. */
export const ready = Promise.resolve();
/** Harmless everywhere: the module is ready at import; returns \`ready\`. */
export default function init() {
  return ready;
}
`;
writeFileSync(
  join(dist, 'index.js'),
  `// ringroute: the wasm is embedded and compiled synchronously at import.
${entry(
    "import wasm from './wasm.js';\nimport { decodeWasm } from '../../src/wasm-text.js';",
    'bindings.initSync({ module: decodeWasm(wasm) });',
  )}`,
);
writeFileSync(
  join(dist, 'worker.js'),
  `// ringroute for workerd (Cloudflare Workers): the runtime hands over the wasm compiled.
${entry("import compiled from './ringroute.wasm';", 'bindings.initSync({ module: compiled });')}`,
);
// One CommonJS file each, for \`require\` (no dependency on the ESM files at run time).
for (const name of ['index']) {
  execFileSync(esbuild, [
    join(dist, `${name}.js`), '--bundle', '--format=cjs', '--platform=neutral',
    '--keep-names', '--log-level=warning', `--outfile=${join(dist, `${name}.cjs`)}`,
  ]);
}
writeFileSync(
  join(dist, 'node.mjs'),
  `// Node \`import\`: the CommonJS build, so \`import\` and \`require\` share one instance.
import cjs from './index.cjs';

export const { ${api.join(', ')}, ready } = cjs;
export default cjs.default;
`,
);

// --- declarations -----------------------------------------------------------------
let types = readFileSync(join(generated, `${outName}.d.ts`), 'utf8');
types = types.slice(0, types.indexOf('export type InitInput'));
// wasm-bindgen cannot mark a parameter optional once its type is overridden.
for (const [from, to] of [
  ['constructor(options: RingOptions)', 'constructor(options?: RingOptions)'],
  ['add(id: string, options: NodeOptions)', 'add(id: string, options?: NodeOptions)'],
  ['constructor(prev: HashRing, next: HashRing, epoch: number)', 'constructor(prev: HashRing, next: HashRing, epoch?: number)'],
  ...(build === 'full' ? [
    ['add(host: string, port: number, options: KetamaOptions)', 'add(host: string, port: number, options?: KetamaOptions)'],
    ['cap(ring: HashRing, node: string, items: number)', 'cap(ring: HashRing, node: string, items?: number)'],
  ] : []),
]) {
  types = replaceOnce(types, from, to, `declaration ${from}`);
}
if (/\bany\b/.test(types.replace(/\/\*[\s\S]*?\*\//g, ''))) {
  throw new Error(`fixup (${build}): a public signature says \`any\``);
}
// \`[Symbol.dispose]()\` needs the symbol declared: TypeScript's esnext.disposable lib and
// @types/node both declare it, in the same words; a project with neither gets it here.
const disposable = `declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
`;
const readyTypes = `/** Resolves once the module is usable (at once wherever it loads synchronously). */
export declare const ready: Promise<void>;
`;
const embedded = `${types}${disposable}${readyTypes}/** Harmless everywhere: the module is ready at import; returns \`ready\`. */
export default function init(): Promise<void>;
`;
for (const [file, text] of [
  ['index.d.ts', embedded], ['index.d.cts', embedded], ['node.d.mts', embedded],
  ['worker.d.ts', embedded],
]) {
  writeFileSync(join(dist, file), `// Generated by pkg/fixup.mjs from wasm-bindgen's declarations.\n${text}`);
}
