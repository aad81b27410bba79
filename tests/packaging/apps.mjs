// The user apps of the matrix, written as a user would: named imports from `ringroute`
// and `ringroute/full` (or `require`), then the classes used at once, synchronously,
// right after the import; then the documented portable `ready` / `init()` awaited, which
// must be harmless. No top-level await, so the same app also bundles to an iife or CJS.
import { replay, doc } from './replay.mjs';

const entries = {
  main: { specifier: 'ringroute', names: ['HashRing', 'Transition'] },
  full: { specifier: 'ringroute/full', names: ['HashRing', 'Transition', 'Ketama', 'BoundedLoads'] },
};

function imports(format, which) {
  return which.map((name) => {
    const { specifier, names } = entries[name];
    const bindings = [...names, 'ready'].map((n) => `${n} as ${n}_${name}`).join(', ');
    if (format === 'esm') return `import init_${name}, { ${bindings} } from '${specifier}';`;
    const cjsBindings = ['default', ...names, 'ready'].map((n) => `${n}: ${n === 'default' ? 'init' : n}_${name}`).join(', ');
    return `const { ${cjsBindings} } = require('${specifier}');`;
  }).join('\n');
}

/**
 * An app that replays the vectors through `which` entries and hands its report to `emit`.
 * format: 'esm' | 'cjs'. docSource: an expression for the input (JSON inline by default).
 * emit: source of a statement using `__done`, a promise of the report that never rejects.
 */
export function app({ format, which = ['main', 'full'], docSource = JSON.stringify(doc), emit }) {
  const attempts = which.map((name) => {
    const lib = `{ ${entries[name].names.map((n) => `${n}: ${n}_${name}`).join(', ')} }`;
    return `report.${name} = attempt(${lib}, ready_${name}, init_${name});`;
  }).join('\n');
  return `${imports(format, which)}

const replay = ${replay.toString()};
const doc = ${docSource};
const report = {};
const text = (e) => String((e && e.stack) || e);
// Used synchronously, right after the import.
function attempt(lib, ready, init) {
  const entry = { api: { ready: typeof (ready && ready.then), init: typeof init } };
  try {
    entry.sync = replay(lib, doc);
  } catch (e) {
    entry.syncError = text(e);
  }
  entry.finish = function () {
    return Promise.resolve(ready)
      .then(() => {
        const again = init();
        entry.api.initReturns = typeof (again && again.then);
        return again;
      })
      .then(() => {
        if (entry.syncError) entry.afterReady = replay(lib, doc);
      })
      .catch((e) => { entry.asyncError = text(e); });
  };
  return entry;
}
${attempts}
const __done = Promise.all(Object.values(report).map((e) => e.finish()))
  .then(() => report, (e) => ({ fatal: text(e) }));
${emit}
`;
}

export const emitStdout = "__done.then((r) => console.log('@@RESULT ' + JSON.stringify(r)));";
export const emitWindow = '__done.then((r) => { window.__ringrouteResult = r; });';
export const emitWorker = 'export default { fetch: () => __done.then((r) => Response.json(r)) };';

/** The report printed by a process: the line after the marker. */
export function parseStdout(stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('@@RESULT '));
  if (!line) throw new Error(`no result line in output:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('@@RESULT '.length));
}
