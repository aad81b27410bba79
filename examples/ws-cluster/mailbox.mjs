// One server's copies of messages not yet delivered, bounded per recipient and in bytes,
// with tombstones for delivered ones so a late copy is answered "delivered", not stored.
// Which servers must hold a message, and delivering it, are the server's business.
import { MAX_MAILBOX_BYTES, MAX_MAILBOX_PER_USER, messageKey } from './protocol.mjs';

export class Mailbox {
  #entries = new Map(); // key -> entry
  #byUser = new Map(); // recipient -> Set<key>
  #tombstones = new Map(); // key -> expires
  bytes = 0;

  get size() { return this.#entries.size; }

  get(key) { return this.#entries.get(key); }

  values() { return this.#entries.values(); }

  /** The entries waiting for `user`, oldest first. */
  *forUser(user) {
    for (const key of this.#byUser.get(user) ?? []) yield this.#entries.get(key);
  }

  /**
   * Stores a copy of `msg` ({to, from, id, body}) until `expires`. Answers 'stored',
   * 'exists', 'delivered' (a tombstone says so), 'expired' or 'full'; only 'stored' and
   * 'exists' mean this server holds it.
   */
  put(msg, expires, now = Date.now()) {
    const key = messageKey(msg.to, msg.from, msg.id);
    if (this.#tombstones.has(key)) return { status: 'delivered', key };
    if (this.#entries.has(key)) return { status: 'exists', key, entry: this.#entries.get(key) };
    if (!(expires > now)) return { status: 'expired', key };
    const bytes = key.length + JSON.stringify(msg.body ?? null).length;
    const box = this.#byUser.get(msg.to);
    if ((box?.size ?? 0) >= MAX_MAILBOX_PER_USER || this.bytes + bytes > MAX_MAILBOX_BYTES) return { status: 'full', key };
    const entry = {
      key, msg: { to: msg.to, from: msg.from, id: msg.id, body: msg.body }, expires, bytes, storedAt: now,
      holders: new Map(), // server id -> incarnation that confirmed holding a copy
      writtenTo: null, // the recipient socket it was last written to
    };
    this.#entries.set(key, entry);
    if (box) box.add(key);
    else this.#byUser.set(msg.to, new Set([key]));
    this.bytes += bytes;
    return { status: 'stored', key, entry };
  }

  /** Forgets a copy (handed over to its holders, or expired). */
  remove(key) {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    const box = this.#byUser.get(entry.msg.to);
    box.delete(key);
    if (box.size === 0) this.#byUser.delete(entry.msg.to);
    this.bytes -= entry.bytes;
    return entry;
  }

  /** The recipient has it: forget the copy and answer later copies with 'delivered'. */
  delivered(key, expires) {
    const entry = this.remove(key);
    this.#tombstones.set(key, entry?.expires ?? expires);
    return entry;
  }

  isDelivered(key) { return this.#tombstones.has(key); }

  /** Drops copies and tombstones past their expiry; returns how many copies expired. */
  expire(now = Date.now()) {
    let expired = 0;
    for (const entry of this.#entries.values()) {
      if (entry.expires <= now) {
        this.remove(entry.key);
        expired += 1;
      }
    }
    for (const [key, until] of this.#tombstones) if (until <= now) this.#tombstones.delete(key);
    return expired;
  }

  get tombstones() { return this.#tombstones.size; }

  /** The most messages waiting for one recipient. */
  get largest() {
    let n = 0;
    for (const box of this.#byUser.values()) n = Math.max(n, box.size);
    return n;
  }
}
