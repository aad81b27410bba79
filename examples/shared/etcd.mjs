// Starts a throwaway single-member etcd (Debian's etcd-server) on free loopback ports
// with a temporary data directory, and stops it again. The examples and their tests
// both use it, so nothing depends on an etcd already running.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts etcd; resolves to `{ endpoint, stop() }` once it answers /health. */
export async function startEtcd({ timeoutMs = 15_000 } = {}) {
  const [client, peer] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'ringroute-etcd-'));
  const endpoint = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const child = spawn('etcd', [
    '--name', 'examples', '--data-dir', dir,
    '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `examples=${peerUrl}`,
    '--logger', 'zap', '--log-level', 'error',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  let exited = false;
  child.once('exit', () => { exited = true; });
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const res = await fetch(`${endpoint}/health`);
      if (res.ok && (await res.json()).health === 'true') return { endpoint, stop };
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  await stop();
  throw new Error(`etcd did not become healthy (is etcd-server installed?): ${stderr}`);
}

/** The live leased keys under `prefix`, as a Map from the rest of the key to its value. */
export async function leased(etcd, prefix) {
  const kvs = await etcd.getAll().prefix(prefix).strings();
  return new Map(Object.entries(kvs).map(([k, v]) => [k.slice(prefix.length), v]));
}
