// Membership on etcd, in one module for both example systems (ws-cluster, kv-store):
// leases, polling, the membership document, fingerprint agreement and transitions.
//
// ---- API ------------------------------------------------------------------------------
//
//   connectEtcd(endpoint, { username, password }?) -> Etcd3
//       An etcd client with short deadlines on unary calls (so an outage fails fast) and
//       credentials from the arguments or from RINGROUTE_ETCD_USER / _PASSWORD.
//
//   parseMembership(textOrObject) -> Membership          throws MembershipError BAD_DOCUMENT
//       Validates a document completely (size, depth, fields, both rings built) before
//       anyone replaces a live ring with it. A Membership is immutable:
//         .epoch .step .steps .doc (plain object) .text (its JSON)
//         .ring (HashRing of .doc.membership)  .previous (HashRing | null, during a transition)
//         .servers  [{ id, address, weight }] of the ring      .address(id)  .has(id)
//         .incarnations          Map id -> incarnation of every server of the ring
//         .previousIncarnations  Map id -> incarnation of the previous ring's servers that
//                                still hold their data (absent: died or restarted), or null
//         .fingerprint           what routers report: epoch, ring fingerprints and step
//         .inTransition          previous !== null
//       Rings are never freed by this module (a router may still hold one across an await;
//       ringroute frees dropped rings through the garbage collector).
//
//   follow({ endpoint, auth?, prefix, log?, pollMs? }) -> Follower   (routers that are not members)
//       .current (Membership | null) .reachable .etcd (its client) .refresh()
//       .waitFor(epoch, { timeoutMs }) .close()
//       events: 'change' (next, previous)   'invalid' (error)   'etcd-down'   'etcd-up'   'client'
//       Reads `${prefix}membership` every pollMs (250 ms); the read is also the etcd health
//       probe. No etcd watches: etcd3's watch streams did not recover from an etcd restart
//       with auth on, and their reconnect timers outlive a closed client. Each follower
//       owns its etcd client (auth from the argument or RINGROUTE_ETCD_USER/_PASSWORD) and
//       replaces it while etcd stays unreachable: after 2 s, 4 s, then every 8 s ('client').
//       Only a valid document with a higher epoch replaces .current; a bad one is logged,
//       emitted as 'invalid' and ignored. While etcd is away .current stays as it was.
//
//   join({ endpoint, auth?, prefix, id, address, data?, leaseSeconds?, incarnation?, apply?, log?, pollMs? })
//       -> Member (a Follower that is also a member: ws server, kv node)
//       .id .incarnation (random per process unless given) .current .close({ revoke })
//       events: as Follower, plus 'registered' and 'lease-lost'
//       Keeps `${prefix}members/<id>` = { id, address, incarnation, data } alive under a
//       lease. A lost lease (etcd away longer than the lease) is re-granted and the key
//       re-put as soon as etcd answers again, forever; the member also reads its key back
//       every second and puts it again if it is gone (a lease that died without a word).
//       On every adopted document it first
//       awaits `apply(next, previous)`, then reports { epoch, fingerprint, incarnation }
//       under `${prefix}agree/<id>`: the coordinator moves on only after that report.
//
//   coordinate({ endpoint, auth?, prefix, graceMs?, log?, pollMs? }) -> Coordinator   (kv proxy, ws operator)
//       .current .members (Map id -> { id, address, incarnation, data }, read with each poll)
//       .dead (Set of ids)
//       .publish(draft) -> Membership    draft: { membership: { vnodes, seed, servers },
//            incarnations, previous?, previousIncarnations?, step?, steps? }; the epoch is
//            current + 1; validated like any document (never zero servers: the last member
//            is never dropped, code LAST_MEMBER); compare-and-swap against the document
//            this coordinator last read (code CONFLICT if someone else published).
//       .agreement(membership, { timeoutMs }) resolves once every registered member named
//            in it (ring and previous ring) reports its fingerprint with its current
//            incarnation; rejects with code NO_AGREEMENT naming the laggards.
//       .draft(servers, { previous, ... }) a draft from [{ id, address, incarnation }].
//       events: 'member' (registration, new or changed)   'restarted' ({ id, incarnation,
//            was })   'dead' ({ id, incarnation })   'change'   'etcd-down'   'etcd-up'
//       'dead' fires only after a registration stayed away for graceMs (5 s) counted from
//       the later of its disappearance and REJOIN_MS (10 s) after the last time etcd came
//       back: an etcd outage expires every lease, and members need time to notice etcd's
//       return and re-register (see REJOIN_MS).
//       'restarted' fires when a member registers with an incarnation other than the one
//       the document names: it restarted and is empty.
//
//   MembershipError: .code in BAD_DOCUMENT, LAST_MEMBER, CONFLICT, NO_AGREEMENT, TIMEOUT.
//
// ---- etcd layout under `prefix` (e.g. '/ringroute/kv/') -------------------------------
//   membership     the document (below)                     written by the coordinator
//   members/<id>   { id, address, incarnation, data }      leased by the member
//   agree/<id>     { epoch, fingerprint, incarnation }     leased by the member
//
// The document: { format: 1, epoch, membership: <ringroute snapshot>, incarnations: {id: inc},
//                 previous: <snapshot> | null, previousIncarnations: {id: inc} | null,
//                 step, steps }.  Every publish increases the epoch by one.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Etcd3 } from 'etcd3';
import { HashRing } from 'ringroute';

export const FORMAT = 1;
/**
 * How long after etcd's return (as the coordinator saw it) a live member may still be
 * unregistered: each process notices the return on its own, through its own etcd client
 * (reconnects at most 1 s apart, a fresh client once /health answers, calls that give up
 * after 2.5 s), and a busy process polls late. Measured: 1.1 s after a 30 s outage. Before
 * the client fixes members came back 7-15 s late, and a 3 s grace counted from etcd's
 * return dropped live ones as dead in a 600 s chaos run.
 */
export const REJOIN_MS = 10_000;
/** The longest wait between replacing one's etcd client while etcd stays unreachable. */
const RENEWAL_MAX_MS = 8_000;
/** The largest document accepted, in bytes (about 2,000 servers). */
export const MAX_DOCUMENT_BYTES = 256 * 1024;
/** Deeper JSON than this is refused before it is looked at. */
const MAX_DEPTH = 6;
const MAX_ID_BYTES = 256;
const MAX_REGISTRATION_BYTES = 16 * 1024;

export class MembershipError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Rejects after `ms` if `promise` has not settled: no etcd call may stall a loop. */
function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`etcd did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
const defaultLog = (line) => console.error(line);

/**
 * An etcd client whose unary calls fail within 2 s, so an outage is noticed. Its own gRPC
 * connections (not the process-wide pool, where a replacement client would inherit a
 * wedged one), retried at most a second apart once etcd went away (gRPC's default backoff
 * grows to two minutes: clients stayed refused 14 s after etcd was back).
 */
export function connectEtcd(endpoint, auth = credentialsFromEnv()) {
  return new Etcd3({
    hosts: endpoint,
    auth: auth ?? undefined,
    grpcOptions: {
      'grpc.use_local_subchannel_pool': 1,
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 1_000,
    },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 2_000 }),
  });
}

function credentialsFromEnv() {
  const { RINGROUTE_ETCD_USER: username, RINGROUTE_ETCD_PASSWORD: password } = process.env;
  return username && password ? { username, password } : null;
}

/** The etcd keys of one system's membership. */
export function membershipKeys(prefix) {
  if (typeof prefix !== 'string' || !prefix.endsWith('/')) throw new TypeError('prefix must be a string ending in "/"');
  return { document: `${prefix}membership`, members: `${prefix}members/`, agree: `${prefix}agree/` };
}

// ---- the document -----------------------------------------------------------------------

/** Parses JSON of bounded size and depth; throws MembershipError. */
export function boundedJson(text, { maxBytes, maxDepth, what }) {
  if (typeof text !== 'string') throw new MembershipError('BAD_DOCUMENT', `${what} must be JSON text`);
  if (Buffer.byteLength(text) > maxBytes) throw new MembershipError('BAD_DOCUMENT', `${what} over ${maxBytes} bytes`);
  // Depth first, on the text: JSON.parse itself is iterative, but nothing after it is.
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i += 1; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth += 1;
      if (depth > maxDepth) throw new MembershipError('BAD_DOCUMENT', `${what} nested deeper than ${maxDepth}`);
    } else if (c === 125 || c === 93) depth -= 1;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MembershipError('BAD_DOCUMENT', `${what} is not JSON: ${e.message}`);
  }
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isWhole = (v, max = Number.MAX_SAFE_INTEGER) => Number.isSafeInteger(v) && v >= 0 && v <= max;

function incarnationMap(value, ring, field, { complete }) {
  if (!isObject(value)) throw new MembershipError('BAD_DOCUMENT', `${field} must be an object of incarnations`);
  const map = new Map();
  for (const [id, inc] of Object.entries(value)) {
    if (!ring.has(id)) throw new MembershipError('BAD_DOCUMENT', `${field}: ${JSON.stringify(id)} is not a server of its ring`);
    if (typeof inc !== 'string' || inc.length === 0 || inc.length > 128) {
      throw new MembershipError('BAD_DOCUMENT', `${field}.${id} must be a non-empty string of at most 128 characters`);
    }
    map.set(id, inc);
  }
  if (complete) {
    for (const id of ring.ids()) {
      if (!map.has(id)) throw new MembershipError('BAD_DOCUMENT', `${field} lacks server ${JSON.stringify(id)}`);
    }
  }
  return map;
}

function ringOf(snapshot, field) {
  if (!isObject(snapshot)) throw new MembershipError('BAD_DOCUMENT', `${field} must be a ringroute snapshot`);
  let ring;
  try {
    ring = HashRing.fromJSON(snapshot);
  } catch (e) {
    throw new MembershipError('BAD_DOCUMENT', `${field}: ${e.message}`);
  }
  if (ring.size === 0) {
    throw new MembershipError('LAST_MEMBER', `${field} has no servers: the last member is never dropped`);
  }
  return ring;
}

/** An immutable, validated membership document with its rings. */
export class Membership {
  constructor(doc, text) {
    if (!isObject(doc)) throw new MembershipError('BAD_DOCUMENT', 'the membership document must be an object');
    const allowed = ['format', 'epoch', 'membership', 'incarnations', 'previous', 'previousIncarnations', 'step', 'steps'];
    for (const k of Object.keys(doc)) {
      if (!allowed.includes(k)) throw new MembershipError('BAD_DOCUMENT', `unknown field ${JSON.stringify(k)}`);
    }
    if (doc.format !== FORMAT) throw new MembershipError('BAD_DOCUMENT', `format must be ${FORMAT}`);
    if (!isWhole(doc.epoch) || doc.epoch < 1) throw new MembershipError('BAD_DOCUMENT', 'epoch must be a whole number from 1');
    const steps = doc.steps ?? 0;
    const step = doc.step ?? 0;
    if (!isWhole(steps, 1_000) || !isWhole(step, steps)) {
      throw new MembershipError('BAD_DOCUMENT', 'step and steps must be whole numbers with 0 <= step <= steps <= 1000');
    }
    const ring = ringOf(doc.membership, 'membership');
    if (doc.membership.epoch !== undefined && doc.membership.epoch !== doc.epoch) {
      throw new MembershipError('BAD_DOCUMENT', 'membership.epoch must equal epoch');
    }
    const ids = new Set(doc.membership.servers.map((s) => String(s.id)));
    const fakeRing = (set) => ({ has: (id) => set.has(id), ids: () => set });
    for (const s of doc.membership.servers) {
      if (Buffer.byteLength(String(s.id)) > MAX_ID_BYTES) throw new MembershipError('BAD_DOCUMENT', 'server ids are at most 256 bytes');
    }
    this.incarnations = incarnationMap(doc.incarnations, fakeRing(ids), 'incarnations', { complete: true });
    this.previous = null;
    this.previousIncarnations = null;
    if (doc.previous !== null && doc.previous !== undefined) {
      this.previous = ringOf(doc.previous, 'previous');
      const previousIds = new Set(doc.previous.servers.map((s) => String(s.id)));
      this.previousIncarnations = incarnationMap(doc.previousIncarnations ?? {}, fakeRing(previousIds), 'previousIncarnations', { complete: false });
    } else if (doc.previousIncarnations !== null && doc.previousIncarnations !== undefined) {
      throw new MembershipError('BAD_DOCUMENT', 'previousIncarnations without previous');
    }
    this.doc = doc;
    this.text = text ?? JSON.stringify(doc);
    this.epoch = doc.epoch;
    this.step = step;
    this.steps = steps;
    this.ring = ring;
    this.servers = doc.membership.servers.map((s) => ({ id: String(s.id), address: s.address, weight: s.weight ?? 1 }));
    this.#addresses = new Map([...(doc.previous?.servers ?? []), ...doc.membership.servers].map((s) => [String(s.id), s.address]));
    this.fingerprint = `${this.epoch}:${ring.fingerprint}` +
      (this.previous ? `<${this.previous.fingerprint}@${step}/${steps}` : '');
    Object.freeze(this);
  }

  #addresses;

  get inTransition() { return this.previous !== null; }
  /** A server of the ring. */
  has(id) { return this.incarnations.has(id); }
  /** The address of a server of the ring or of the previous ring. */
  address(id) { return this.#addresses.get(id); }
  /** Ids of the ring's servers and of the previous ring's. */
  allIds() { return [...this.#addresses.keys()]; }
}

/** Validates a document (JSON text or an object); throws MembershipError. */
export function parseMembership(input) {
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    const text = input.toString();
    return new Membership(boundedJson(text, { maxBytes: MAX_DOCUMENT_BYTES, maxDepth: MAX_DEPTH, what: 'the membership document' }), text);
  }
  return parseMembership(JSON.stringify(input));
}

function parseRegistration(id, text) {
  const reg = boundedJson(text, { maxBytes: MAX_REGISTRATION_BYTES, maxDepth: MAX_DEPTH, what: `registration of ${id}` });
  if (!isObject(reg) || reg.id !== id || typeof reg.incarnation !== 'string' || !reg.incarnation ||
      (reg.address !== undefined && typeof reg.address !== 'string')) {
    throw new MembershipError('BAD_DOCUMENT', `registration of ${JSON.stringify(id)} must be { id, address, incarnation, data }`);
  }
  return { id, address: reg.address, incarnation: reg.incarnation, data: reg.data ?? null };
}

// ---- following the document ---------------------------------------------------------------

export class Follower extends EventEmitter {
  etcd;
  keys;
  /** The Membership routed by now, or null before the first document. */
  current = null;
  /** True while etcd answers. */
  reachable = true;
  /** Date.now() when etcd last came back after an outage (0: never away). */
  backSince = 0;
  log;
  #pollMs;
  #connect;
  #timer = null;
  #closed = false;
  #waiters = [];
  #queue = Promise.resolve();
  #lastOk = Date.now();
  #lastRenewal = Date.now();
  #health; // etcd's /health URL: answers without credentials
  #renewedOnHealth = false; // a client was replaced when /health came back, this outage
  #renewalDelay = 2_000;
  #polling = null;

  constructor({ endpoint, auth = credentialsFromEnv(), prefix, log = defaultLog, pollMs = 250 }) {
    super();
    if (typeof endpoint !== 'string') throw new TypeError('endpoint must be an etcd URL');
    this.#connect = () => connectEtcd(endpoint, auth);
    this.#health = `${endpoint.split(',')[0].replace(/\/+$/, '')}/health`;
    this.etcd = this.#connect();
    this.keys = membershipKeys(prefix);
    this.log = log;
    this.#pollMs = pollMs;
  }

  /**
   * A fresh etcd client. After an outage the old one's channels may stay wedged for
   * minutes (gRPC backoff, a half-open circuit breaker, a token etcd forgot on restart),
   * so followers start over with a new client instead of waiting for it.
   */
  async #renewClient() {
    if (this.#closed) return;
    this.#lastRenewal = Date.now();
    this.log(`etcd unanswered for ${((Date.now() - this.#lastOk) / 1000).toFixed(1)} s: replacing the etcd client`);
    const old = this.etcd;
    this.etcd = this.#connect();
    this.emit('client', this.etcd);
    try { old.close(); } catch { /* already closed */ }
  }

  /** True if etcd's /health answers healthy within a second. */
  async #healthy() {
    try {
      const res = await fetch(this.#health, { signal: AbortSignal.timeout(1_000) });
      return res.ok && (await res.json()).health === 'true';
    } catch {
      return false;
    }
  }

  async start() {
    await this.refresh();
    const tick = async () => {
      if (this.#closed) return;
      this.#polling = this.refresh();
      await this.#polling;
      if (!this.#closed) this.#timer = setTimeout(tick, this.#pollMs);
    };
    this.#timer = setTimeout(tick, this.#pollMs);
    return this;
  }

  /** Reads the document now; also tracks whether etcd answers. */
  async refresh() {
    let text;
    try {
      text = await withTimeout(this.etcd.get(this.keys.document).string(), 2_500);
    } catch (e) {
      this.#reachability(false, e);
      const now = Date.now();
      // A new client after 2 s of failures, then after 4, 8 and every 8 s: not faster,
      // or the logins of every process would keep a recovering etcd busy. And one more as
      // soon as etcd's /health answers (no login needed): a client made while etcd was
      // down stays refused for many seconds after etcd is back (gRPC reconnect backoff,
      // etcd3's circuit breaker), and every member would re-register late.
      if (now - this.#lastOk > 2_000 && now - this.#lastRenewal > this.#renewalDelay) {
        this.#renewalDelay = Math.min(this.#renewalDelay * 2, RENEWAL_MAX_MS);
        await this.#renewClient();
      } else if (now - this.#lastOk > 2_000 && !this.#renewedOnHealth && now - this.#lastRenewal > 1_000 && await this.#healthy()) {
        this.#renewedOnHealth = true;
        await this.#renewClient();
      }
      return false;
    }
    if (this.#closed) return false;
    this.#lastOk = Date.now();
    this.#renewedOnHealth = false;
    this.#renewalDelay = 2_000;
    this.#reachability(true);
    return text === null ? false : this.offer(text);
  }

  #reachability(ok, error) {
    if (ok === this.reachable) return;
    this.reachable = ok;
    if (ok) {
      this.backSince = Date.now();
      this.log(`etcd is back; routing on epoch ${this.current?.epoch ?? 0}`);
      this.emit('etcd-up');
    } else {
      this.log(`etcd unreachable (${error?.message ?? error}); routing on epoch ${this.current?.epoch ?? 0} until it is back`);
      this.emit('etcd-down');
    }
  }

  /**
   * Offers a document (JSON text). A valid one with a higher epoch replaces `current`;
   * a bad one is logged and ignored. Resolves to true if it was adopted.
   */
  offer(text) {
    let next;
    try {
      next = parseMembership(text);
    } catch (e) {
      if (!(e instanceof MembershipError)) throw e;
      const key = `${e.message}`;
      if (this.lastInvalid !== key) this.log(`ignoring a bad membership document: ${e.message}`);
      this.lastInvalid = key;
      this.emit('invalid', e);
      return Promise.resolve(false);
    }
    const run = this.#queue.then(() => this.#adopt(next));
    this.#queue = run.catch((e) => this.log(`applying epoch ${next.epoch}: ${e.stack ?? e}`));
    return run;
  }

  async #adopt(next) {
    if (this.#closed || (this.current && next.epoch <= this.current.epoch)) return false;
    const previous = this.current;
    this.current = next;
    await this.applied(next, previous);
    this.emit('change', next, previous);
    this.#waiters = this.#waiters.filter((w) => (w.epoch <= next.epoch ? (w.resolve(), false) : true));
    return true;
  }

  /** A hook for subclasses: runs before 'change' is emitted. */
  async applied() {}

  /** Resolves once `current` has epoch >= `epoch`. */
  waitFor(epoch, { timeoutMs = 10_000 } = {}) {
    if ((this.current?.epoch ?? 0) >= epoch) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { epoch, resolve: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new MembershipError('TIMEOUT', `epoch ${epoch} not seen within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  async close() {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#queue;
    await this.#polling;
    this.etcd.close();
  }
}

/** Follows a system's membership document (for routers that are not members). */
export async function follow(options) {
  return new Follower(options).start();
}

// ---- members: registration, lease, agreement -----------------------------------------------

export class Member extends Follower {
  id;
  incarnation;
  #address;
  #data;
  #leaseSeconds;
  #apply;
  #lease = null;
  #leaseClosed = false;
  #report = null;
  #regrant = null;
  #checked = 0; // when the registration was last read back

  constructor({ id, address, data = null, leaseSeconds = 2, incarnation = randomUUID(), apply, ...rest }) {
    super(rest);
    if (typeof id !== 'string' || !id || Buffer.byteLength(id) > MAX_ID_BYTES) throw new TypeError('id must be a string of 1 to 256 bytes');
    this.id = id;
    this.incarnation = incarnation;
    this.#address = address;
    this.#data = data;
    this.#leaseSeconds = leaseSeconds;
    this.#apply = apply ?? (async () => {});
  }

  async start() {
    // After an outage, or with a new etcd client, register again under a new lease: the
    // old lease may have expired in etcd while its keep-alive stream still looks open.
    const renew = () => {
      this.#lease?.close();
      this.#lease = null;
      this.#ensureRegistered();
    };
    this.on('client', renew);
    this.on('etcd-up', renew);
    await super.start();
    await this.#ensureRegistered();
    return this;
  }

  #ensureRegistered() {
    this.#regrant ??= this.#register().finally(() => { this.#regrant = null; });
    return this.#regrant;
  }

  /** Grants a lease and puts the registration (and the last report) under it; retried. */
  async #register() {
    for (let delay = 100; !this.#leaseClosed; delay = Math.min(delay * 2, 1_000)) {
      const client = this.etcd;
      const lease = client.lease(this.#leaseSeconds, { autoKeepAlive: true });
      lease.on('lost', () => this.#onLost(lease));
      try {
        await withTimeout(lease.put(`${this.keys.members}${this.id}`).value(JSON.stringify({
          id: this.id, address: this.#address, incarnation: this.incarnation, data: this.#data,
        })), 2_500);
        if (this.#report) await withTimeout(lease.put(`${this.keys.agree}${this.id}`).value(this.#report), 2_500);
        if (this.#leaseClosed) {
          await withTimeout(lease.revoke(), 2_500).catch(() => {});
          return;
        }
        // A lease made on a client that was replaced meanwhile is kept alive by nobody:
        // its keep-alives ride the closed client, silently. Register again on the new one.
        if (client !== this.etcd) throw new Error('the etcd client was replaced while registering');
        this.#lease?.close();
        this.#lease = lease;
        this.log(`${this.id} registered (incarnation ${this.incarnation})`);
        this.emit('registered');
        return;
      } catch {
        lease.close();
        await sleep(delay);
      }
    }
  }

  /**
   * Puts the registration back if etcd answers and it is gone (checked every second): a
   * lease can die without a word (its keep-alive stream stuck on a client that etcd's
   * hang or restart wedged), and then nothing else would notice while etcd is up.
   */
  async refresh() {
    const adopted = await super.refresh();
    if (this.reachable && !this.#leaseClosed && !this.#regrant && this.#lease && Date.now() - this.#checked >= 1_000) {
      this.#checked = Date.now();
      const lease = this.#lease;
      const text = await withTimeout(this.etcd.get(`${this.keys.members}${this.id}`).string(), 2_500).catch(() => undefined);
      if (text === null && lease === this.#lease && !this.#leaseClosed) {
        this.log(`${this.id}: registration gone while etcd is up; registering again`);
        lease.close();
        this.#lease = null;
        this.#ensureRegistered();
      }
    }
    return adopted;
  }

  #onLost(lease) {
    if (this.#leaseClosed || lease !== this.#lease) return;
    this.#lease = null;
    this.log(`${this.id}: lease lost (etcd away longer than ${this.#leaseSeconds} s); re-registering when it is back`);
    this.emit('lease-lost');
    this.#ensureRegistered();
  }

  async applied(next, previous) {
    await this.#apply(next, previous);
    this.#report = JSON.stringify({ epoch: next.epoch, fingerprint: next.fingerprint, incarnation: this.incarnation });
    // Reported under the lease, so a dead member's report goes with it. While etcd is
    // away the report waits: it is put again with the next registration.
    const lease = this.#lease;
    if (lease) await withTimeout(lease.put(`${this.keys.agree}${this.id}`).value(this.#report), 2_500).catch(() => {});
  }

  /** Stops following; `revoke` (default) removes the registration at once (a graceful leave). */
  async close({ revoke = true } = {}) {
    this.#leaseClosed = true;
    await this.#regrant;
    if (revoke) await withTimeout(this.#lease?.revoke() ?? Promise.resolve(), 2_500).catch(() => {});
    else this.#lease?.close();
    await super.close();
  }
}

/** Registers a member and follows the document, reporting each adopted one. */
export async function join(options) {
  return new Member(options).start();
}

// ---- the coordinator ----------------------------------------------------------------------------

export class Coordinator extends Follower {
  /** Live registrations: id -> { id, address, incarnation, data }. */
  members = new Map();
  /** Ids declared dead (registration away for graceMs with etcd up); cleared when they return. */
  dead = new Set();
  #graceMs;
  #missing = new Map(); // id -> { incarnation, since }
  #deathTimer = null;
  #closing = false;

  constructor({ graceMs = 5_000, ...rest }) {
    super(rest);
    this.#graceMs = graceMs;
  }

  async start() {
    await super.start();
    const tick = () => {
      if (this.#closing) return;
      this.#checkDeaths();
      this.#deathTimer = setTimeout(tick, 100);
    };
    tick();
    return this;
  }

  /** Reads every registration; called with every poll of the document. */
  async #readMembers() {
    let all;
    try {
      all = await withTimeout(this.etcd.getAll().prefix(this.keys.members).strings(), 2_500);
    } catch {
      return; // etcd away: registrations stay as last seen, deaths wait (see #checkDeaths)
    }
    const seen = new Set();
    for (const [key, value] of Object.entries(all)) {
      const id = key.slice(this.keys.members.length);
      seen.add(id);
      this.#registered(id, value);
    }
    for (const id of [...this.members.keys()]) if (!seen.has(id)) this.#unregistered(id);
  }

  async refresh() {
    const adopted = await super.refresh();
    if (this.reachable) await this.#readMembers();
    return adopted;
  }

  #registered(id, text) {
    let reg;
    try {
      reg = parseRegistration(id, text);
    } catch (e) {
      this.log(`ignoring registration of ${JSON.stringify(id)}: ${e.message}`);
      return;
    }
    const before = this.members.get(id);
    this.members.set(id, reg);
    this.#missing.delete(id);
    this.dead.delete(id);
    if (before?.incarnation === reg.incarnation && before.address === reg.address) return;
    this.emit('member', reg);
    const known = this.current?.incarnations.get(id) ?? this.current?.previousIncarnations?.get(id);
    if ((known !== undefined && known !== reg.incarnation) || (before && before.incarnation !== reg.incarnation)) {
      this.log(`${id} restarted: incarnation ${reg.incarnation}, was ${known ?? before.incarnation}`);
      this.emit('restarted', { id, incarnation: reg.incarnation, was: known ?? before.incarnation });
    }
  }

  #unregistered(id) {
    const before = this.members.get(id);
    if (!before) return;
    this.members.delete(id);
    this.#missing.set(id, { incarnation: before.incarnation, since: Date.now() });
  }

  #checkDeaths() {
    if (!this.reachable) return; // nobody can re-register while etcd is away
    const now = Date.now();
    for (const [id, { incarnation, since }] of this.#missing) {
      const from = Math.max(since, this.backSince ? this.backSince + REJOIN_MS : 0);
      if (now - from < this.#graceMs) continue;
      this.#missing.delete(id);
      this.dead.add(id);
      this.log(`${id} is dead: no registration for ${this.#graceMs} ms with etcd up (${REJOIN_MS} ms more after etcd's return)`);
      this.emit('dead', { id, incarnation });
    }
  }

  /** A draft of the ring of `servers` ([{ id, address, incarnation, weight? }]). */
  draft(servers, { vnodes, seed, previous = null, previousIncarnations = null, step = 0, steps = 0 } = {}) {
    const base = this.current?.doc.membership;
    return {
      membership: {
        vnodes: vnodes ?? base?.vnodes ?? 160,
        seed: seed ?? base?.seed ?? 0,
        servers: servers.map((s) => ({ id: s.id, address: s.address, weight: s.weight ?? 1 })),
      },
      incarnations: Object.fromEntries(servers.map((s) => [s.id, s.incarnation])),
      previous, previousIncarnations, step, steps,
    };
  }

  /** Publishes the next document (epoch + 1), validated, compare-and-swap. */
  async publish(draft) {
    await this.refresh();
    const now = this.current;
    const epoch = (now?.epoch ?? 0) + 1;
    const doc = {
      format: FORMAT,
      epoch,
      membership: { version: 1, ...draft.membership, epoch },
      incarnations: draft.incarnations,
      previous: draft.previous ? { ...draft.previous } : null,
      previousIncarnations: draft.previous ? draft.previousIncarnations ?? {} : null,
      step: draft.step ?? 0,
      steps: draft.steps ?? 0,
    };
    const next = parseMembership(doc); // throws before anything is written
    const key = this.keys.document;
    const txn = now
      ? this.etcd.if(key, 'Value', '==', now.text)
      : this.etcd.if(key, 'Create', '==', 0);
    const { succeeded } = await withTimeout(txn.then(this.etcd.put(key).value(next.text)).commit(), 2_500);
    if (!succeeded) {
      await this.refresh();
      throw new MembershipError('CONFLICT', `the membership moved on from epoch ${now?.epoch ?? 0} while publishing`);
    }
    await this.offer(next.text);
    return this.current.epoch === epoch ? this.current : next;
  }

  /** Resolves once every registered member named in `m` reports `m.fingerprint`. */
  async agreement(m, { timeoutMs = 10_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let lagging;
      try {
        const reports = await withTimeout(this.etcd.getAll().prefix(this.keys.agree).strings(), 2_500);
        lagging = m.allIds().filter((id) => {
          const reg = this.members.get(id);
          if (!reg) return false; // not registered: dead, or about to be found dead
          const text = reports[`${this.keys.agree}${id}`];
          if (!text) return true;
          try {
            const r = JSON.parse(text);
            return r.fingerprint !== m.fingerprint || r.incarnation !== reg.incarnation;
          } catch {
            return true;
          }
        });
      } catch (e) {
        lagging = [`(etcd: ${e.message})`];
      }
      if (lagging.length === 0) return;
      if (Date.now() > deadline) {
        throw new MembershipError('NO_AGREEMENT', `members ${lagging.join(', ')} do not report epoch ${m.epoch} (${m.fingerprint})`);
      }
      await sleep(50);
    }
  }

  async close() {
    this.#closing = true;
    clearTimeout(this.#deathTimer);
    await super.close();
  }
}

/** Follows the document and the registrations; publishes documents. */
export async function coordinate(options) {
  return new Coordinator(options).start();
}
