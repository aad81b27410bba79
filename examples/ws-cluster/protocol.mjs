// What the cluster's processes agree on: etcd keys, limits, ring parameters, close codes.
//
// Membership lives in etcd under PREFIX, kept by the shared module
// (examples/shared/membership.mjs): the document (a ringroute snapshot whose addresses are
// the servers' client WebSocket URLs, their incarnations, and during a scaling event the
// previous ring and the cut-over step), each server's leased registration (its client
// address, incarnation and `data: { internal }`, the URL of its internal listener), and
// each server's report of the fingerprint it routes with.

export const PREFIX = '/ringroute/ws/';
/** A killed server's registration expires this long after its last keep-alive... */
export const LEASE_SECONDS = 2;
/** ...and the operator drops it this long after that (an etcd outage excluded). */
export const GRACE_MS = 3_000;
export const VNODES = 160;

// ---- limits: every one of them bounds memory or work per connection or per server ----

/** The largest frame a client may send, in bytes (larger: the socket is closed, 1009). */
export const MAX_FRAME_BYTES = 16 * 1024;
/** The deepest nesting of arrays and objects in any JSON this cluster parses. */
export const MAX_JSON_DEPTH = 32;
/** The longest user id and message id, in UTF-8 bytes. */
export const MAX_USER_BYTES = 256;
export const MAX_ID_BYTES = 64;
/** Undeliverable messages wait this long (from their first store) for their user. */
export const MAILBOX_MS = Number(process.env.WS_MAILBOX_MS ?? 15_000);
/** Messages waiting for one recipient on one server; a send beyond it is refused. */
export const MAX_MAILBOX_PER_USER = 500;
/** Message bytes one server holds in all its mailboxes; a store beyond it is refused. */
export const MAX_MAILBOX_BYTES = 64 * 1024 * 1024;
/** Messages written to a recipient and not yet acknowledged by it (delivery window). */
export const DELIVERY_WINDOW = 64;
/** Bytes queued on a socket the peer does not read; beyond it the socket is dropped. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A client's sends: a token bucket of RATE_BURST frames refilled at RATE_PER_SECOND. */
export const RATE_PER_SECOND = 100;
export const RATE_BURST = 200;
/** Sends of one connection not yet acknowledged; beyond it a send is refused. */
export const MAX_PENDING_ACKS = 256;
/** A socket that misses one ping interval's pong is dropped. */
export const HEARTBEAT_MS = Number(process.env.WS_HEARTBEAT_MS ?? 10_000);
/** Client connections one server accepts (each is a socket and some buffers). */
export const MAX_CONNECTIONS = Number(process.env.WS_MAX_CONNECTIONS ?? 10_000);
/** The largest internal (server to server) request body. */
export const MAX_INTERNAL_BYTES = 8 * 1024 * 1024;

/** Close codes a server uses, so clients know why. */
export const CLOSE = {
  TOO_BIG: 1009, // ws closes with it when a frame is over MAX_FRAME_BYTES
  POLICY: 1008, // rate, pending-ack or buffer limits broken repeatedly
  REDIRECT: 4300, RECONNECT: 4301, BAD_REQUEST: 4400, REPLACED: 4409,
};

/** A message's identity: recipient, authenticated sender, sender-chosen id. */
export const messageKey = (to, from, id) => JSON.stringify([to, from, id]);

export const byteLength = (s) => Buffer.byteLength(s, 'utf8');
export const validUser = (u) => typeof u === 'string' && u.length > 0 && byteLength(u) <= MAX_USER_BYTES;
export const validId = (i) => typeof i === 'string' && i.length > 0 && byteLength(i) <= MAX_ID_BYTES;
