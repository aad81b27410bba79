// A cluster on loopback for tests and run.mjs: etcd, servers as real processes with their
// secrets, the operator, tokens for users, and each server's stats.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { HashRing } from 'ringroute';
import { startEtcd } from '../shared/etcd.mjs';
import { startProcess } from '../shared/processes.mjs';
import { issueToken } from './auth.mjs';
import { callPeer } from './internal.mjs';
import { ChatClient } from './client.mjs';
import { Operator } from './operator.mjs';

const serverScript = fileURLToPath(new URL('./server.mjs', import.meta.url));

/** Runs `fn` (which spawns synchronously) with `vars` added to the environment it inherits. */
function withEnv(vars, fn) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export class Cluster {
  clusterSecret = randomBytes(24).toString('base64url');
  tokenSecret = randomBytes(24).toString('base64url');
  servers = new Map(); // id -> process ({ info: { client, internal, incarnation }, stop })
  etcd = null;
  client = null;
  operator = null;

  /** Starts etcd, the operator and servers `ids`, and bootstraps membership with them. */
  static async start(ids, { env = {}, args = [] } = {}) {
    const c = new Cluster();
    c.env = env;
    c.args = args;
    c.etcd = await startEtcd();
    c.client = new Etcd3({ hosts: c.etcd.endpoint });
    c.operator = new Operator(c.client);
    for (const id of ids) await c.startServer(id);
    await c.operator.bootstrap(ids);
    await c.operator.watchMembers();
    return c;
  }

  async startServer(id, extraArgs = [], env = {}) {
    const started = withEnv({ ...this.env, ...env, WS_CLUSTER_SECRET: this.clusterSecret, WS_TOKEN_SECRET: this.tokenSecret },
      () => startProcess(serverScript, ['--id', id, '--port', '0', '--etcd', this.etcd.endpoint, ...this.args, ...extraArgs]));
    const proc = await started;
    this.servers.set(id, proc);
    return proc;
  }

  async stopServer(id, signal = 'SIGTERM') {
    const proc = this.servers.get(id);
    this.servers.delete(id);
    await proc?.stop(signal);
  }

  seeds() { return [...this.servers.values()].map((s) => s.info.client); }

  token(user, ttlSeconds = 3600) { return issueToken(this.tokenSecret, user, ttlSeconds); }

  user(name) { return new ChatClient(name, this.seeds(), { token: this.token(name) }); }

  /** The user names among `candidates` that server `id` owns under the current membership. */
  async ownedBy(id, count, prefix = 'u') {
    const doc = await this.operator.current();
    const ring = HashRing.fromJSON(doc.membership);
    const out = [];
    for (let i = 0; out.length < count && i < 100_000; i += 1) if (ring.get(`${prefix}-${i}`) === id) out.push(`${prefix}-${i}`);
    ring.free();
    return out;
  }

  async stats(id) {
    return callPeer(this.servers.get(id).info.internal, '/stats', {}, this.clusterSecret);
  }

  async close() {
    await this.operator?.close().catch(() => {});
    this.client?.close();
    await Promise.all([...this.servers.values()].map((s) => s.stop()));
    await this.etcd?.stop();
  }
}
