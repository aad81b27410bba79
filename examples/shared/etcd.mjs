// Starts a throwaway single-member etcd (Debian's etcd-server) on free loopback ports
// with a temporary data directory, and stops it again. The examples and their tests
// both use it, so nothing depends on an etcd already running.
//
// With `{ auth: true }` it turns etcd's authentication on before anyone else connects:
// a `root` user (needed by etcd to enable auth, used for nothing else) and a user for
// the examples whose role may read and write only under /ringroute/. Why: the
// membership document decides which process owns every key or user; whoever can write
// it can redirect traffic or empty the ring. The passwords are random per start and
// travel to child processes in the environment (see credentialsEnv), never on argv.
//
// `kill()` and `start()` stop and restart the same etcd on the same ports and data
// directory, so tests can stage an outage that ends with the data intact; `pause()` and
// `resume()` hang it (SIGSTOP, SIGCONT): connections stay open and calls time out.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';

/** The role and prefix the examples' etcd user is limited to. */
export const EXAMPLES_ROLE = 'ringroute-examples';
export const EXAMPLES_PREFIX = '/ringroute/';

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

/** Environment variables that hand etcd credentials to a child process. */
export function credentialsEnv(auth) {
  return auth ? { RINGROUTE_ETCD_USER: auth.username, RINGROUTE_ETCD_PASSWORD: auth.password } : {};
}

/**
 * Starts etcd; resolves to `{ endpoint, auth, env, stop(), kill(), start(), pause(), resume() }` once it
 * answers /health. `auth` is `{ username, password }` of the examples' user (or null),
 * `env` the variables that pass it to child processes.
 */
export async function startEtcd({ timeoutMs = 15_000, auth = false } = {}) {
  const [client, peer] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'ringroute-etcd-'));
  const endpoint = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  let child = null;
  let exited = true;
  let stderr = '';

  async function start() {
    if (!exited) return;
    child = spawn('etcd', [
      '--name', 'examples', '--data-dir', dir,
      '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `examples=${peerUrl}`,
      '--logger', 'zap', '--log-level', 'error',
      // The passwords are random 144-bit tokens, so bcrypt's work factor buys nothing;
      // at the default (10) every client's login after an outage costs etcd ~50 ms of CPU.
      '--bcrypt-cost', '4',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    exited = false;
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
      if (process.env.RINGROUTE_DEBUG_ETCD) process.stderr.write(`etcd: ${d}`);
    });
    child.once('exit', () => { exited = true; });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !exited) {
      try {
        const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1_000) });
        // With auth on, /health answers 200 with health "true" as well.
        if (res.ok && (await res.json()).health === 'true') return;
      } catch { /* not listening yet */ }
      await sleep(100);
    }
    await kill();
    throw new Error(`etcd did not become healthy (is etcd-server installed?): ${stderr}`);
  }

  /** Stops the process (SIGKILL: no goodbye), keeping the data directory. */
  async function kill(signal = 'SIGKILL') {
    if (exited) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await gone;
  }

  /** Hangs the process (SIGSTOP): it keeps its sockets and answers nothing. */
  const pause = () => { if (!exited) child.kill('SIGSTOP'); };
  const resume = () => { if (!exited) child.kill('SIGCONT'); };

  const stop = async () => {
    resume(); // a stopped process would not act on SIGTERM
    await kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };

  await start();
  let credentials = null;
  if (auth) {
    try {
      credentials = await enableAuth(endpoint);
    } catch (e) {
      await stop();
      throw e;
    }
  }
  return { endpoint, auth: credentials, env: credentialsEnv(credentials), stop, kill, start, pause, resume };
}

/** Creates root and the examples' user and role, then enables auth. */
async function enableAuth(endpoint) {
  const password = () => randomBytes(18).toString('base64url');
  const admin = new Etcd3({ hosts: endpoint });
  try {
    const rootPassword = password();
    await admin.user('root').create(rootPassword);
    await admin.role('root').create();
    await admin.user('root').addRole('root');
    const role = await admin.role(EXAMPLES_ROLE).create();
    await role.grant({ permission: 'Readwrite', range: admin.range({ prefix: EXAMPLES_PREFIX }) });
    const examples = { username: 'ringroute-examples', password: password() };
    await admin.user(examples.username).create(examples.password);
    await admin.user(examples.username).addRole(EXAMPLES_ROLE);
    await admin.auth.authEnable();
    return examples;
  } finally {
    admin.close();
  }
}

/** The live leased keys under `prefix`, as a Map from the rest of the key to its value. */
export async function leased(etcd, prefix) {
  const kvs = await etcd.getAll().prefix(prefix).strings();
  return new Map(Object.entries(kvs).map(([k, v]) => [k.slice(prefix.length), v]));
}
