// The cells of the packaging matrix: each installs the packed tarball into a fresh
// project, uses the package there as a user would, with no plugin, loader flag, import
// of the .wasm or URL passed by hand, and returns the reports its runs printed.
// Bundlers and runtimes come from tests/node_modules; `ringroute` resolves from the
// project's own node_modules (the projects live under the OS temp dir, away from tests/).
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { doc } from './replay.mjs';
import { app, emitStdout, emitWindow, emitWorker, parseStdout } from './apps.mjs';
import { exec, modulePath, nodeBinary, nodeMajors, project, staticServer, tool } from './support.mjs';

const both = ['main', 'full'];

// The documented portable snippet, with top-level await, as it reads in the README.
const portable = `import init, { HashRing, ready } from 'ringroute';
import initFull, { Ketama, ready as readyFull } from 'ringroute/full';
await ready;
await init();
await readyFull;
await initFull();
const ring = new HashRing({ vnodes: 160 });
ring.add('ws-0');
ring.add('ws-1');
const ketama = new Ketama();
ketama.add('10.0.0.1', 11211);
if (!['ws-0', 'ws-1'].includes(ring.get('user:42')) || ketama.get('user:42') !== '10.0.0.1:11211') throw new Error('wrong answers');
`;

/** Copies a server bundle's output away from node_modules, as it is deployed. */
function deploy(dir, out) {
  const to = `${dir}-deployed`;
  cpSync(join(dir, out), to, { recursive: true });
  return to;
}

/** The JavaScript blocks of the installed package's README, each as a runnable file. */
function readmeSnippets(dir) {
  const readme = readFileSync(join(dir, 'node_modules', 'ringroute', 'README.md'), 'utf8');
  return [...readme.matchAll(/```(?:js|javascript|mjs|cjs)\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .filter((code) => /['"]ringroute(\/[\w/]+)?['"]/.test(code))
    .map((code, i) => ({ file: `readme-${i + 1}.${/\brequire\(/.test(code) ? 'cjs' : 'mjs'}`, code }));
}

/**
 * Runs the README's blocks of one module format, pasted unchanged, and the portable
 * snippet (ESM). A block with a `using` declaration runs only where the syntax exists
 * (`hasUsing`: Node 24+, Deno, Bun); the README must say so.
 */
async function runSnippets(dir, format, run, { hasUsing }) {
  const ext = format === 'cjs' ? '.cjs' : '.mjs';
  const all = readmeSnippets(dir).filter((s) => s.file.endsWith(ext));
  const runnable = all.filter((s) => hasUsing || !/^\s*(await\s+)?using\s+[\w$]+\s*=/m.test(s.code));
  const errors = [];
  for (const { file, code } of runnable) {
    writeFileSync(join(dir, file), code);
    await run(file).catch((e) => errors.push(`README snippet ${file}:\n${code}\n${e.message}`));
  }
  if (format === 'esm') {
    writeFileSync(join(dir, 'portable.mjs'), portable);
    await run('portable.mjs').catch((e) => errors.push(`the portable snippet:\n${portable}\n${e.message}`));
  }
  const waiting = all.length - runnable.length;
  return { errors, notes: `README ${format} snippets: ${runnable.length} run${waiting ? `, ${waiting} with \`using\` not on this version` : ''}` };
}

const nodeCells = nodeMajors.flatMap((major) => ['cjs', 'esm'].map((format) => ({
  name: `node${major}-${format}`,
  group: 'node',
  async run({ dir, tarball }) {
    const file = format === 'cjs' ? 'index.cjs' : 'index.mjs';
    await project(dir, tarball, { files: { [file]: app({ format, emit: emitStdout }) } });
    const node = await nodeBinary(major);
    const reports = [{ which: both, report: parseStdout((await exec(node, [file], { cwd: dir })).stdout) }];
    const snippets = await runSnippets(dir, format, (f) => exec(node, [f], { cwd: dir }), { hasUsing: major >= 24 });
    return { reports, ...snippets };
  },
})));

const denoEnv = { DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' };
// No permission flags: a package that needs one to load is not zero-configuration.
const runtimeCells = [
  ...['esm', 'cjs'].map((format) => ({
    name: `deno-${format}`,
    group: 'runtime',
    async run({ dir, tarball }) {
      const file = format === 'cjs' ? 'index.cjs' : 'index.mjs';
      await project(dir, tarball, { files: { [file]: app({ format, emit: emitStdout }) } });
      const { stdout } = await exec(tool('deno'), ['run', file], { cwd: dir, env: denoEnv });
      const snippets = await runSnippets(dir, format, (f) => exec(tool('deno'), ['run', f], { cwd: dir, env: denoEnv }), { hasUsing: true });
      return { reports: [{ which: both, report: parseStdout(stdout) }], ...snippets };
    },
  })),
  ...['esm', 'cjs'].map((format) => ({
    name: `bun-${format}`,
    group: 'runtime',
    async run({ dir, tarball }) {
      const file = format === 'cjs' ? 'index.cjs' : 'index.mjs';
      await project(dir, tarball, { files: { [file]: app({ format, emit: emitStdout }) } });
      const { stdout } = await exec(tool('bun'), [file], { cwd: dir });
      const snippets = await runSnippets(dir, format, (f) => exec(tool('bun'), [f], { cwd: dir }), { hasUsing: true });
      return { reports: [{ which: both, report: parseStdout(stdout) }], ...snippets };
    },
  })),
  {
    // Bundled by wrangler (`deploy --dry-run`) exactly as it would be uploaded, then run in workerd.
    name: 'workerd-wrangler',
    group: 'runtime',
    async run({ dir, tarball }) {
      await project(dir, tarball, {
        files: {
          'worker.mjs': app({ format: 'esm', emit: emitWorker }),
          'wrangler.toml': 'name = "cell"\nmain = "worker.mjs"\ncompatibility_date = "2026-07-01"\n',
        },
      });
      // wrangler needs Node 22 or later.
      await exec(await nodeBinary(22), [join(modulePath('wrangler'), 'bin', 'wrangler.js'), 'deploy', '--dry-run', '--outdir', 'dist'], {
        cwd: dir, env: { WRANGLER_SEND_METRICS: 'false', CI: '1', WRANGLER_LOG_PATH: join(dir, '.wrangler-logs') },
      });
      const out = join(dir, 'dist');
      const mf = new Miniflare({
        modules: true,
        scriptPath: join(out, 'worker.js'),
        modulesRoot: out,
        modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
        compatibilityDate: '2026-07-01',
      });
      try {
        const res = await mf.dispatchFetch('http://worker/');
        const text = await res.text();
        if (res.status !== 200) throw new Error(`worker answered ${res.status}: ${text.slice(0, 2000)}`);
        const uploaded = readdirSync(out).filter((f) => !f.endsWith('.map') && !f.endsWith('.md'));
        return { reports: [{ which: both, report: JSON.parse(text) }], notes: `uploaded: ${uploaded.join(', ')}` };
      } finally {
        await mf.dispose();
      }
    },
  },
];

const serverCells = [
  {
    name: 'esbuild-node-cjs',
    group: 'server bundle',
    async run({ dir, tarball }) {
      await project(dir, tarball, { files: { 'app.mjs': app({ format: 'esm', emit: emitStdout }) } });
      await exec(tool('esbuild'), ['app.mjs', '--bundle', '--platform=node', '--outfile=out/app.cjs', '--log-level=warning'], { cwd: dir });
      const { stdout } = await exec(process.execPath, ['app.cjs'], { cwd: deploy(dir, 'out') });
      return { reports: [{ which: both, report: parseStdout(stdout) }] };
    },
  },
  {
    name: 'esbuild-node-esm',
    group: 'server bundle',
    async run({ dir, tarball }) {
      await project(dir, tarball, { files: { 'app.mjs': app({ format: 'esm', emit: emitStdout }) } });
      await exec(tool('esbuild'), ['app.mjs', '--bundle', '--platform=node', '--format=esm', '--outfile=out/app.mjs', '--log-level=warning'], { cwd: dir });
      const { stdout } = await exec(process.execPath, ['app.mjs'], { cwd: deploy(dir, 'out') });
      return { reports: [{ which: both, report: parseStdout(stdout) }] };
    },
  },
  {
    name: 'webpack-node',
    group: 'server bundle',
    async run({ dir, tarball }) {
      await project(dir, tarball, {
        files: {
          'app.mjs': app({ format: 'esm', emit: emitStdout }),
          'webpack.config.cjs': `module.exports = { mode: 'production', target: 'node', entry: './app.mjs',
  output: { path: require('path').join(__dirname, 'out'), filename: 'app.js' } };\n`,
        },
      });
      await exec(tool('webpack'), ['--config', 'webpack.config.cjs', '--no-color'], { cwd: dir });
      const { stdout } = await exec(process.execPath, ['app.js'], { cwd: deploy(dir, 'out') });
      return { reports: [{ which: both, report: parseStdout(stdout) }] };
    },
  },
];

/**
 * Loads each page of a built site in Chromium; returns per page its report and the bytes
 * it downloaded. The vectors reach the page from the harness, not through the bundle.
 */
async function browse(browser, root, pages, docSource) {
  const server = await staticServer(root);
  const context = await browser.newContext();
  const results = [];
  try {
    for (const { name, path, expectFailure } of pages) {
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
      await page.addInitScript(`window.__ringrouteDoc = ${docSource};`);
      const start = server.log.length;
      const crashed = new Promise((resolve) => page.once('pageerror', resolve));
      await page.goto(`${server.url}/${path}`);
      // The result, or the first uncaught error (the app catches its own, so that one is the package's at import).
      const result = page.waitForFunction(() => window.__ringrouteResult !== undefined, null, { timeout: 30_000 })
        .then(() => page.evaluate(() => window.__ringrouteResult));
      const report = await Promise.race([result, crashed.then(() => undefined)]).catch((e) => {
        errors.push(e.message.split('\n')[0]);
      });
      if (report === undefined) {
        const requests = JSON.stringify(server.log.slice(start));
        if (!expectFailure) throw new Error(`${name} page gave no result: ${errors.join('; ') || 'no page errors'}; requests: ${requests}`);
        results.push({ name, errors, expectFailure });
        await page.close();
        continue;
      }
      const requests = server.log.slice(start);
      const failed = requests.filter((r) => r.status !== 200);
      if (failed.length) errors.push(`failed requests: ${JSON.stringify(failed)}`);
      const bytes = { raw: requests.reduce((s, r) => s + r.raw, 0), gzip: requests.reduce((s, r) => s + r.gzip, 0), files: requests.map((r) => r.path) };
      results.push({ name, report, bytes, errors, expectFailure });
      await page.close();
    }
  } finally {
    await context.close();
    await server.close();
  }
  return results;
}

function browserPagesFor(out, script, type) {
  for (const name of both) {
    writeFileSync(join(out, `${name}.html`), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>${name}</title><script${type === 'module' ? ' type="module"' : ''} src="./${script(name)}"></script>\n`);
  }
}

/** A browser cell: `build` bundles main.js and full.js into `out` and writes the pages. */
function browserCell(name, build, { notes, csp = false } = {}) {
  return {
    name,
    group: 'browser bundle',
    async run({ dir, tarball, browser }) {
      const files = {};
      for (const which of both) files[`${which}.js`] = app({ format: 'esm', which: [which], docSource: 'window.__ringrouteDoc', emit: emitWindow });
      await project(dir, tarball, { packageJson: { type: 'module' }, files });
      const out = await build(dir);
      const pages = both.map((n) => ({ name: n, path: `${n}.html` }));
      if (csp) {
        // The README's Content-Security-Policy: 'wasm-unsafe-eval' lets the wasm compile, and
        // without it the page cannot (so the requirement is real and this check can fail).
        pages.push({ name: 'main (CSP with wasm-unsafe-eval)', path: `main.html?csp=${encodeURIComponent("script-src 'self' 'wasm-unsafe-eval'")}` });
        pages.push({ name: 'main (CSP without wasm-unsafe-eval)', path: `main.html?csp=${encodeURIComponent("script-src 'self'")}`, expectFailure: true });
      }
      const loaded = await browse(await browser(), out, pages, JSON.stringify(doc));
      const errors = loaded.filter((p) => !p.expectFailure).flatMap((p) => p.errors.map((e) => `${p.name} page: ${e}`));
      const refused = loaded.find((p) => p.name.includes('without wasm-unsafe-eval'));
      if (refused && (refused.report || !refused.errors.some((e) => /WebAssembly|wasm/i.test(e)))) {
        errors.push(`the page without 'wasm-unsafe-eval' should fail to compile the wasm; it gave ${refused.report ? 'a result' : refused.errors.join('; ')}`);
      }
      return {
        reports: loaded.filter((p) => p.report).map((p) => ({ which: ['main', 'full'].filter((w) => p.name.startsWith(w)).slice(0, 1), report: p.report })),
        errors,
        sizes: Object.fromEntries(loaded.filter((p) => both.includes(p.name)).map((p) => [p.name, p.bytes])),
        notes: [notes, csp && `CSP: works with script-src 'self' 'wasm-unsafe-eval'; without: ${refused?.errors[0]?.slice(0, 140)}`].filter(Boolean).join('; ') || undefined,
      };
    },
  };
}

const browserCells = [
  browserCell('esbuild-iife', async (dir) => {
    await exec(tool('esbuild'), ['main.js', 'full.js', '--bundle', '--minify', '--outdir=dist', '--log-level=warning'], { cwd: dir });
    browserPagesFor(join(dir, 'dist'), (n) => `${n}.js`, 'classic');
    return join(dir, 'dist');
  }),
  browserCell('esbuild-esm', async (dir) => {
    await exec(tool('esbuild'), ['main.js', 'full.js', '--bundle', '--minify', '--format=esm', '--outdir=dist', '--log-level=warning'], { cwd: dir });
    browserPagesFor(join(dir, 'dist'), (n) => `${n}.js`, 'module');
    return join(dir, 'dist');
  }, { csp: true }),
  browserCell('rollup-node-resolve', async (dir) => {
    // Each entry built on its own, as an app has one: a config with node-resolve and nothing else.
    mkdirSync(join(dir, 'node_modules', '@rollup'));
    symlinkSync(modulePath('@rollup/plugin-node-resolve'), join(dir, 'node_modules', '@rollup', 'plugin-node-resolve'));
    writeFileSync(join(dir, 'rollup.config.mjs'), `import { nodeResolve } from '@rollup/plugin-node-resolve';
export default ['main', 'full'].map((name) => ({ input: name + '.js', output: { dir: 'dist', format: 'es' }, plugins: [nodeResolve()] }));\n`);
    await exec(tool('rollup'), ['-c', 'rollup.config.mjs', '--silent'], { cwd: dir });
    browserPagesFor(join(dir, 'dist'), (n) => `${n}.js`, 'module');
    return join(dir, 'dist');
  }, { notes: 'not minified: rollup minifies only with a plugin' }),
  browserCell('webpack', async (dir) => {
    writeFileSync(join(dir, 'webpack.config.cjs'), `module.exports = { mode: 'production', entry: { main: './main.js', full: './full.js' },
  output: { path: require('path').join(__dirname, 'dist') } };\n`);
    await exec(tool('webpack'), ['--config', 'webpack.config.cjs', '--no-color'], { cwd: dir });
    browserPagesFor(join(dir, 'dist'), (n) => `${n}.js`, 'classic');
    return join(dir, 'dist');
  }),
  browserCell('vite', async (dir) => {
    for (const n of both) writeFileSync(join(dir, `${n}.html`), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>${n}</title><script type="module" src="./${n}.js"></script>\n`);
    // Two pages in one build: vite's documented multi-page input, nothing else.
    writeFileSync(join(dir, 'vite.config.mjs'), "export default { logLevel: 'warn', build: { rollupOptions: { input: { main: 'main.html', full: 'full.html' } } } };\n");
    await exec(process.execPath, [join(modulePath('vite'), 'bin', 'vite.js'), 'build'], { cwd: dir });
    return join(dir, 'dist');
  }),
  browserCell('bun-build', async (dir) => {
    await exec(tool('bun'), ['build', './main.js', './full.js', '--target', 'browser', '--minify', '--outdir', 'dist'], { cwd: dir });
    browserPagesFor(join(dir, 'dist'), (n) => `${n}.js`, 'module');
    return join(dir, 'dist');
  }),
];

const jestCell = {
  name: 'jest-jsdom',
  group: 'test runner',
  async run({ dir, tarball }) {
    const emit = "test('ringroute under jest + jsdom', () => __done.then((r) => require('fs').writeFileSync(require('path').join(__dirname, 'result.json'), JSON.stringify(r))));";
    await project(dir, tarball, {
      packageJson: { jest: { testEnvironment: 'jsdom' } },
      files: { 'ringroute.test.js': app({ format: 'cjs', emit }) },
    });
    // jest-environment-jsdom as the project would have it in its node_modules.
    symlinkSync(modulePath('jest-environment-jsdom'), join(dir, 'node_modules', 'jest-environment-jsdom'));
    mkdirSync(join(dir, '.jest-cache'));
    await exec(process.execPath, [join(modulePath('jest'), 'bin', 'jest.js'), '--ci', '--rootDir', dir, '--cacheDirectory', join(dir, '.jest-cache')], { cwd: dir });
    return { reports: [{ which: both, report: JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) }] };
  },
};

export const cells = [...nodeCells, ...runtimeCells, ...serverCells, ...browserCells, jestCell];
