// A cluster on loopback for tests and run.mjs: etcd (with auth on), servers as real
// processes with their secrets, the operator, tokens for users, and each server's stats.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startEtcd } from '../shared/etcd.mjs';
import { startProcess } from '../shared/processes.mjs';
import { issueToken } from './auth.mjs';
import { callPeer } from './internal.mjs';
import { ChatClient } from './client.mjs';
import { Operator } from './operator.mjs';

const serverScript = fileURLToPath(new URL('./server.mjs', import.meta.url));

export class Cluster {
  clusterSecret = randomBytes(24).toString('base64url');
  tokenSecret = randomBytes(24).toString('base64url');
  servers = new Map(); // id -> process ({ info: { client, internal, incarnation }, stop })
  etcd = null;
  operator = null;

  /** Starts etcd, the operator and servers `ids`, and bootstraps membership with them. */
  static async start(ids, { env = {}, args = [] } = {}) {
    const c = new Cluster();
    c.env = env;
    c.args = args;
    // etcd auth on: whoever can write the membership document decides where every
    // user's messages go, so only the examples' user may touch /ringroute/.
    c.etcd = await startEtcd({ auth: true });
    c.operator = await Operator.start({ endpoint: c.etcd.endpoint, auth: c.etcd.auth });
    for (const id of ids) await c.startServer(id);
    await c.operator.bootstrap(ids);
    return c;
  }

  async startServer(id, extraArgs = [], env = {}) {
    const proc = await startProcess(serverScript, ['--id', id, '--port', '0', '--etcd', this.etcd.endpoint, ...this.args, ...extraArgs], {
      env: { ...this.env, ...env, ...this.etcd.env, WS_CLUSTER_SECRET: this.clusterSecret, WS_TOKEN_SECRET: this.tokenSecret },
    });
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

  /** A chat user whose seeds are the servers running now (as a load balancer would be). */
  user(name) { return new ChatClient(name, () => this.seeds(), { token: this.token(name) }); }

  /** The user names among `candidates` that server `id` owns under the current membership. */
  async ownedBy(id, count, prefix = 'u') {
    const { ring } = this.operator.current; // the Membership's ring: not ours to free
    const out = [];
    for (let i = 0; out.length < count && i < 100_000; i += 1) if (ring.get(`${prefix}-${i}`) === id) out.push(`${prefix}-${i}`);
    return out;
  }

  async stats(id, query = {}) {
    return callPeer(this.servers.get(id).info.internal, '/stats', query, this.clusterSecret, 10_000);
  }

  /**
   * Resolves once every running server routes with the operator's current membership and
   * reports every copy it stored before `since` (a crash) confirmed by all its holders:
   * two copies of every message again, so the cluster may take its next crash. The caller
   * knows the membership names no dead process (the operator dropped or republished it).
   */
  async restored({ since = Date.now(), timeoutMs = 20_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last = [];
    while (Date.now() < deadline) {
      const epoch = this.operator.current.epoch;
      last = await Promise.all([...this.servers.keys()].map((id) => this.stats(id, { storedBefore: since }).catch((e) => ({ id, error: e.message }))));
      if (last.every((s) => s.epoch === epoch && s.unreplicated === 0)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`copies not restored within ${timeoutMs} ms: ${last.map((s) => `${s.id} epoch ${s.epoch} unreplicated ${s.unreplicated ?? s.error}`).join(', ')}`);
  }

  async close() {
    await this.operator?.close().catch(() => {});
    await Promise.all([...this.servers.values()].map((s) => s.stop()));
    await this.etcd?.stop();
  }
}
