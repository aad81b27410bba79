// A server's link to etcd: its leased alive key ({client, internal, incarnation}), the
// cluster document it follows, and the fingerprint it reports. Every etcd call is retried
// while etcd is away; the server keeps serving on the last document meanwhile.
import { Etcd3 } from 'etcd3';
import { AGREE, ALIVE, CLUSTER, LEASE_SECONDS } from './protocol.mjs';
import { parseJson } from './safe-json.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MAX_DOC_BYTES = 1024 * 1024;

export class Presence {
  #etcd;
  #id;
  #self;
  #onCluster;
  #log;
  #lease = null;
  #watcher = null;
  #stopped = false;
  #report = null;
  #reporting = false;

  constructor({ endpoint, id, self, onCluster, log }) {
    this.#etcd = new Etcd3({ hosts: endpoint });
    this.#id = id;
    this.#self = self;
    this.#onCluster = onCluster;
    this.#log = log;
  }

  /** Resolves once the current document is applied and the alive key is written. */
  async start() {
    this.#watcher = await this.#retry('watch', () => this.#etcd.watch().key(CLUSTER).create());
    this.#watcher.on('put', (kv) => this.#apply(kv.value));
    this.#watcher.on('error', (e) => this.#log(`watch: ${e.message}`));
    const current = await this.#retry('read', () => this.#etcd.get(CLUSTER).buffer());
    if (current) this.#apply(current);
    await this.#register();
  }

  #apply(value) {
    let doc;
    try {
      doc = parseJson(value, { maxBytes: MAX_DOC_BYTES });
    } catch (e) {
      this.#log(`ignoring a cluster document that is not JSON: ${e.message}`);
      return;
    }
    this.#onCluster(doc);
  }

  async #retry(what, fn) {
    for (let attempt = 0; !this.#stopped; attempt += 1) {
      try {
        return await fn();
      } catch (e) {
        if (attempt % 20 === 0) this.#log(`${what}: ${e.message}; retrying`);
        await sleep(250);
      }
    }
    return undefined;
  }

  /** Writes the alive key under a fresh lease, and again whenever the lease is lost. */
  async #register() {
    await this.#retry('register', async () => {
      const lease = this.#etcd.lease(LEASE_SECONDS);
      lease.on('lost', () => {
        if (this.#stopped || this.#lease !== lease) return;
        this.#log('alive lease lost; registering again');
        this.#lease = null;
        this.#register();
      });
      try {
        await lease.put(`${ALIVE}${this.#id}`).value(JSON.stringify(this.#self));
      } catch (e) {
        lease.revoke().catch(() => {});
        throw e;
      }
      this.#lease = lease;
    });
  }

  /** Reports what this router routes with; the latest report wins, retried until written. */
  report(value) {
    this.#report = value;
    if (this.#reporting) return;
    this.#reporting = true;
    (async () => {
      while (this.#report && !this.#stopped) {
        const v = this.#report;
        await this.#retry('report', () => this.#etcd.put(`${AGREE}${this.#id}`).value(JSON.stringify({ ...v, incarnation: this.#self.incarnation })));
        if (this.#report === v) this.#report = null;
      }
      this.#reporting = false;
    })();
  }

  async stop() {
    this.#stopped = true;
    await this.#lease?.revoke().catch(() => {});
    await this.#watcher?.cancel().catch(() => {});
    this.#etcd.close();
  }
}
