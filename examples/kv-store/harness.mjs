// A store on loopback for the tests and run.mjs: etcd (auth on), storage nodes and the
// proxy as real processes, plus helpers that talk to them the way operators do.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { HashRing } from 'ringroute';
import { startEtcd } from '../shared/etcd.mjs';
import { follow } from '../shared/membership.mjs';
import { startProcess } from '../shared/processes.mjs';
import { PREFIX, REPLICAS, SECRET_HEADER } from './protocol.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startStore({ nodes: ids = ['kv-0', 'kv-1', 'kv-2'], proxyPort = '0', adminPort = '0' } = {}) {
  const etcd = await startEtcd({ auth: true });
  const secret = randomBytes(24).toString('base64url');
  const env = { ...etcd.env, KV_SECRET: secret };
  const nodes = new Map(); // id -> process
  const store = {
    etcd, secret, env, nodes, proxy: null,
    async startNode(id) {
      const p = await startProcess(here('./node.mjs'), ['--id', id, '--port', '0', '--etcd', etcd.endpoint], { env });
      nodes.set(id, p);
      return p;
    },
    async admin(method, path, body, { secret: s = secret, timeoutMs = 90_000 } = {}) {
      const res = await fetch(`${store.proxy.info.admin}${path}`, {
        method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        headers: s ? { [SECRET_HEADER]: s } : {}, signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: res.status, body: await res.json() };
    },
    async api(method, path, body, { timeoutMs = 30_000 } = {}) {
      const res = await fetch(`${store.proxy.info.proxy}${path}`, {
        method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: res.status, body: await res.json() };
    },
    /** The membership document as etcd holds it, read independently of the processes. */
    async membership() {
      // Through a follower: it replaces its etcd client after an outage (see membership.mjs).
      await store.follower.refresh();
      return store.follower.current?.doc ?? null;
    },
    /** Every node's entries, read directly: Map key -> [{ id, entry }]. */
    async placement(doc) {
      const where = new Map();
      for (const s of doc.membership.servers) {
        for (let from = 0; from !== null;) {
          const res = await fetch(`${s.address}/dump?from=${from}`, {
            headers: { [SECRET_HEADER]: secret, 'x-epoch': String(doc.epoch), 'x-incarnation': doc.incarnations[s.id] },
          });
          const page = await res.json();
          if (!res.ok) throw new Error(`dump of ${s.id}: ${page.error}`);
          for (const [k, entry] of page.entries) where.set(k, [...(where.get(k) ?? []), { id: s.id, entry }]);
          from = page.next;
        }
      }
      return where;
    },
    /** Waits for a stable membership for which `check(doc)` holds. */
    async stable(check = () => true, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const doc = await store.membership().catch(() => null);
        if (doc && !doc.previous && check(doc)) return doc;
        if (Date.now() > deadline) throw new Error(`no stable membership as wanted within ${timeoutMs} ms: ${JSON.stringify(doc)?.slice(0, 300)}`);
        await sleep(100);
      }
    },
    async stop() {
      await store.proxy?.stop();
      await Promise.all([...nodes.values()].map((n) => n.stop()));
      await store.follower.close();
      await etcd.stop();
    },
  };
  store.follower = await follow({ endpoint: etcd.endpoint, auth: etcd.auth, prefix: PREFIX, log: () => {} });
  for (const id of ids) await store.startNode(id);
  store.proxy = await startProcess(here('./proxy.mjs'), ['--port', proxyPort, '--admin-port', adminPort, '--etcd', etcd.endpoint], { env });
  for (const id of ids) {
    const r = await store.admin('POST', '/nodes', { id });
    if (r.status !== 200) throw new Error(`joining ${id}: ${JSON.stringify(r.body)}`);
  }
  return store;
}

/** Holders of each key by an independent ring built from the raw document. */
export function placementOf(doc, keys) {
  const ring = HashRing.fromJSON(doc.membership);
  return new Map(keys.map((k) => [k, ring.getN(k, REPLICAS)]));
}
