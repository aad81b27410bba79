// The names, limits and wire rules the store's processes agree on.
import { timingSafeEqual, createHash } from 'node:crypto';

/** etcd prefix of the store's membership (see ../shared/membership.mjs). */
export const PREFIX = '/ringroute/kv/';
/** Every key is stored on this many distinct nodes (the owner first). */
export const REPLICAS = 2;
/** A killed node's registration expires this many seconds after its last keep-alive. */
export const LEASE_SECONDS = 2;
/** A registration away this long (with etcd up) is a dead node. */
export const GRACE_MS = 5_000;
export const VNODES = 160;
/** Values are strings of at most this many UTF-8 bytes; keys at most MAX_KEY_BYTES. */
export const MAX_VALUE_BYTES = 64 * 1024;
export const MAX_KEY_BYTES = 1024;
/** Bodies nest at most this deep (a merge batch: {entries: [[key, {n, w, value}]]}). */
export const MAX_BODY_DEPTH = 4;
/** Entries per copy batch, and the largest batch body. */
export const BATCH_ENTRIES = 256;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Internal requests (proxy or client library to node, admin) carry the shared secret here. */
export const SECRET_HEADER = 'x-ringroute-secret';

/** The shared secret from KV_SECRET; internal listeners refuse to start without one. */
export function secretFromEnv() {
  const secret = process.env.KV_SECRET ?? '';
  if (Buffer.byteLength(secret) < 16) {
    console.error('KV_SECRET must hold a shared secret of at least 16 bytes');
    process.exit(2);
  }
  return secret;
}

const digest = (s) => createHash('sha256').update(String(s ?? '')).digest();
/** Constant-time comparison of a presented secret with the expected one. */
export function secretMatches(presented, secret) {
  return timingSafeEqual(digest(presented), digest(secret));
}

/**
 * Versions order the writes of one key: `{ n, w }`, a number (milliseconds * 1024 plus a
 * counter, raised past any version a holder reports) and the writer's id to break ties.
 * An entry is `{ n, w, value }`; value null is a tombstone (a delete).
 */
export function compareVersions(a, b) {
  if (a.n !== b.n) return a.n < b.n ? -1 : 1;
  return a.w < b.w ? -1 : a.w > b.w ? 1 : 0;
}

/** Checks an entry from the wire: { n: safe integer >= 0, w: string, value: string | null }. */
export function validEntry(e) {
  return typeof e === 'object' && e !== null && Number.isSafeInteger(e.n) && e.n >= 0 &&
    typeof e.w === 'string' && e.w.length > 0 && e.w.length <= 64 &&
    (e.value === null || (typeof e.value === 'string' && Buffer.byteLength(e.value) <= MAX_VALUE_BYTES)) &&
    Object.keys(e).length === 3;
}
