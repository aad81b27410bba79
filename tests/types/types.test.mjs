// The package's types, checked on the packed tarball as users get it:
// - @arethetypeswrong/cli: every entry green in node10, node16 (CJS and ESM) and bundler;
// - publint --strict: nothing reported;
// - strict TypeScript consumers (no skipLibCheck) pass `tsc --noEmit` in node16, nodenext
//   and bundler resolution, with and without @types/node installed;
// - no `any`, written or implicit, in any declaration file of the package.
// RINGROUTE_TARBALL=<.tgz> checks a given tarball instead of packing pkg/.
import { test, suite, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { exec, modulePath, packTarball, project, tool } from '../packaging/support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
let work;
let tarball;
const projects = {};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ringroute-types-'));
  tarball = await packTarball(work);
  const consumers = readdirSync(here).filter((f) => /^consumer.*\.[cm]ts$/.test(f));
  await Promise.all(['without-node-types', 'with-node-types'].map(async (name) => {
    const dir = await project(join(work, name), tarball);
    for (const f of consumers) copyFileSync(join(here, f), join(dir, f));
    projects[name] = dir;
  }));
  // @types/node as the project would have it installed (and only in this project).
  mkdirSync(join(projects['with-node-types'], 'node_modules', '@types'));
  symlinkSync(modulePath('@types/node'), join(projects['with-node-types'], 'node_modules', '@types', 'node'));
});

after(() => {
  if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
});

test('@arethetypeswrong/cli: every entry resolves to types in node10, node16-cjs, node16-esm and bundler, no problems', async () => {
  // --no-definitely-typed: judge the package alone (and fetch nothing).
  // attw exits 1 on problems; its JSON is on stdout either way.
  const { stdout } = await exec(tool('attw'), [tarball, '--format', 'json', '--no-definitely-typed'], { cwd: work }).catch((e) => e);
  const { analysis } = JSON.parse(stdout);
  const entries = Object.keys(analysis.entrypoints);
  assert.ok(entries.includes('.') && entries.includes('./full'), `entries: ${entries}`);
  const missing = [];
  for (const [entry, { resolutions }] of Object.entries(analysis.entrypoints)) {
    if (entry === './package.json') continue;
    for (const kind of ['node10', 'node16-cjs', 'node16-esm', 'bundler']) {
      const file = resolutions[kind]?.resolution?.fileName;
      if (!file || !/\.d\.[cm]?ts$/.test(file)) missing.push(`${entry} ${kind}: ${file ?? 'no resolution'}`);
    }
  }
  if (analysis.problems.length || missing.length) {
    const table = await exec(tool('attw'), [tarball, '--format', 'table', '--no-definitely-typed', '--no-color', '--no-emoji'], { cwd: work }).catch((e) => e);
    assert.fail(`${table.stdout}\n${JSON.stringify({ problems: analysis.problems, missing }, null, 1)}`);
  }
});

test('publint --strict reports nothing on the tarball', async () => {
  const bytes = readFileSync(tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) },
    strict: true,
    level: 'suggestion',
  });
  assert.deepEqual(messages.map((m) => `${m.type} ${m.code}: ${formatMessage(m, pkg)}`), []);
});

const strict = {
  strict: true, noEmit: true, target: 'es2022', skipLibCheck: false, noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true, noImplicitOverride: true, noFallthroughCasesInSwitch: true,
};
const esmConsumers = ['consumer.mts', 'consumer-full.mts', 'consumer-ready.mts'];
// Each resolution with and without @types/node, default lib (DOM included) unless said.
const node16 = { module: 'node16', moduleResolution: 'node16' };
const nodenext = { module: 'nodenext', moduleResolution: 'nodenext' };
const bundler = { module: 'esnext', moduleResolution: 'bundler' };
const without = { project: 'without-node-types', types: [] };
const withNode = { project: 'with-node-types', types: ['node'] };
const configs = [
  { name: 'node16, without @types/node', ...without, options: node16, files: [...esmConsumers, 'consumer.cts'] },
  { name: 'node16, with @types/node', ...withNode, options: node16, files: [...esmConsumers, 'consumer.cts'] },
  { name: 'nodenext, without @types/node', ...without, options: nodenext, files: [...esmConsumers, 'consumer.cts'] },
  // A Node backend: lib esnext without the DOM, its globals (and Symbol.dispose) from @types/node.
  { name: 'nodenext, with @types/node, lib esnext without the DOM, `using`', ...withNode, options: { ...nodenext, lib: ['esnext'] }, files: [...esmConsumers, 'consumer.cts', 'consumer-using.mts'] },
  { name: 'bundler, without @types/node', ...without, options: bundler, files: esmConsumers },
  { name: 'bundler, with @types/node', ...withNode, options: bundler, files: esmConsumers },
  // A Cloudflare Worker project that resolves the `workerd` condition, as wrangler bundles it.
  { name: 'bundler with customConditions ["workerd"], without @types/node', ...without, options: { ...bundler, customConditions: ['workerd'] }, files: esmConsumers },
  // `using` needs Symbol.dispose and Disposable: here from lib esnext.
  { name: '`using`, bundler, lib esnext and the DOM, without @types/node', ...without, options: { ...bundler, lib: ['esnext', 'dom'] }, files: ['consumer-using.mts'] },
];

suite('tsc --noEmit, strict, no skipLibCheck', { concurrency: 2 }, () => {
  for (const [i, config] of configs.entries()) {
    test(config.name, async () => {
      const dir = projects[config.project];
      const file = `tsconfig-${i}.json`;
      writeFileSync(join(dir, file), JSON.stringify({ compilerOptions: { ...strict, ...config.options, types: config.types }, files: config.files }, null, 2));
      await exec(process.execPath, [join(modulePath('typescript'), 'bin', 'tsc'), '-p', file], { cwd: dir });
    });
  }
});

/** Every `any` a declaration file states or implies: the keyword, and untyped parameters, members and values. */
function anys(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const at = (node, what) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart());
    found.push(`${file}:${line + 1}: ${what}: ${node.getText().split('\n')[0].slice(0, 120)}`);
  };
  const visit = (node) => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) at(node, 'any');
    if (ts.isParameter(node) && !node.type && !ts.isArrowFunction(node.parent)) at(node, 'untyped parameter');
    if ((ts.isPropertySignature(node) || ts.isPropertyDeclaration(node) || ts.isVariableDeclaration(node)) && !node.type) at(node, 'untyped value');
    if ((ts.isMethodSignature(node) || ts.isMethodDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isGetAccessor(node)) && !node.type) at(node, 'no return type');
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('no `any` in the declaration files', () => {
  const root = join(projects['without-node-types'], 'node_modules', 'ringroute');
  const declarations = readdirSync(root, { recursive: true }).filter((f) => /\.d\.[cm]?ts$/.test(f));
  assert.ok(declarations.length > 0, 'no declaration files in the package');
  const found = declarations.flatMap((f) => anys(relative(root, join(root, f)), readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(found, []);
});
