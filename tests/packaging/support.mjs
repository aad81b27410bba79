// Plumbing for the packaging matrix: the packed tarball, fresh projects, child processes
// with bounded time, the Node majors from npm, and a static server that counts the bytes
// a browser downloads.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync, copyFileSync, statSync, existsSync } from 'node:fs';
import { join, dirname, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const testsDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const pkgDir = join(testsDir, '..', 'pkg');
export const tool = (name) => join(testsDir, 'node_modules', '.bin', name);
export const modulePath = (name) => join(testsDir, 'node_modules', name);

/** Runs a command; resolves { stdout, stderr }, rejects with the command and its output. */
export function exec(cmd, args, { cwd, env = {}, timeout = 180_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, {
      cwd, timeout, maxBuffer: 64 << 20, killSignal: 'SIGKILL',
      env: { ...process.env, NO_COLOR: '1', ...env },
    }, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout, stderr });
      const how = error.killed ? `killed after ${timeout} ms` : `exit ${error.code}`;
      const out = `${stderr}\n${stdout}`.replace(/\x1b\[[0-9;]*m/g, '').trim();
      reject(Object.assign(new Error(`\`${[cmd, ...args].join(' ')}\` (in ${cwd}) failed, ${how}:\n${out.slice(-4000)}`), { stdout, stderr }));
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** `npm pack` of pkg/ as it is (or RINGROUTE_TARBALL), into `dir`; returns the path. */
export async function packTarball(dir) {
  if (process.env.RINGROUTE_TARBALL) {
    const dest = join(dir, 'ringroute.tgz');
    copyFileSync(process.env.RINGROUTE_TARBALL, dest);
    return dest;
  }
  if (!existsSync(join(pkgDir, 'dist'))) throw new Error('pkg/dist is missing: build the package first (bash pkg/build.sh)');
  const { stdout } = await exec('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: pkgDir });
  return join(dir, stdout.trim().split('\n').pop());
}

/** A fresh project with the tarball installed into its own node_modules, and `files` written. */
export async function project(dir, tarball, { packageJson = {}, files = {} } = {}) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cell', private: true, version: '0.0.0', ...packageJson }, null, 2));
  await exec('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', tarball], { cwd: dir });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const nodeVersions = { 18: '18.20.8', 20: '20.20.2', 22: '22.23.3', 24: '24.21.0' };
const nodeBinaries = new Map();
/** The binary of a Node major from the npm `node` package (npx caches it). */
export async function nodeBinary(major) {
  if (!nodeBinaries.has(major)) {
    nodeBinaries.set(major, exec('npx', ['-y', '-p', `node@${nodeVersions[major]}`, 'node', '-p', 'process.execPath'], { cwd: testsDir })
      .then(({ stdout }) => stdout.trim()));
  }
  return nodeBinaries.get(major);
}
export const nodeMajors = Object.keys(nodeVersions).map(Number);

const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

/**
 * Serves `root` on 127.0.0.1 and logs every response: what a page downloads, raw and
 * gzipped (-9), HTML pages excluded (they are the harness's own).
 */
export async function staticServer(root) {
  const log = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = decodeURIComponent(url.pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    let body;
    try {
      if (!file.startsWith(root) || !statSync(file).isFile()) throw new Error('not a file');
      body = readFileSync(file);
    } catch {
      log.push({ path, status: 404, raw: 0, gzip: 0 });
      res.writeHead(404).end();
      return;
    }
    if (extname(file) !== '.html') log.push({ path, status: 200, raw: body.length, gzip: gzipSync(body, { level: 9 }).length });
    const headers = { 'content-type': types[extname(file)] ?? 'application/octet-stream' };
    // A page asked for with ?csp=<policy> is served under that Content-Security-Policy.
    if (extname(file) === '.html' && url.searchParams.has('csp')) headers['content-security-policy'] = url.searchParams.get('csp');
    res.writeHead(200, headers);
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, log, close: () => new Promise((r) => server.close(r)) };
}
