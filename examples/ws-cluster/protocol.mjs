// What the cluster's processes agree on: etcd keys, limits and ring parameters.
//
// etcd holds one document under CLUSTER:
//   { epoch, membership, previous, step, steps }
// `membership` and `previous` are ringroute snapshots. While `previous` is set a scaling
// event runs: every server routes with Transition(previous, membership, epoch) at step
// `step` of `steps`. Each server writes what it routes with under AGREE + its id, so the
// operator advances only once every router holds the same fingerprint.

export const CLUSTER = '/ringroute/ws/cluster';
export const ALIVE = '/ringroute/ws/alive/';
export const AGREE = '/ringroute/ws/agree/';
/** A killed server's alive key expires this long after its last keep-alive. */
export const LEASE_SECONDS = 2;
/** The largest frame a client may send, in bytes. */
export const MAX_FRAME_BYTES = 16 * 1024;
/** The longest user id, in UTF-8 bytes. */
export const MAX_USER_BYTES = 256;
/** Undeliverable messages wait this long for their user to (re)connect. */
export const MAILBOX_MS = 15_000;
export const VNODES = 160;

/** Close codes a server uses, so clients know why. */
export const CLOSE = { REDIRECT: 4300, RECONNECT: 4301, BAD_REQUEST: 4400, REPLACED: 4409 };

/** What a router reports under AGREE: its ring's fingerprint, and the step during an event. */
export function routingFingerprint(ringFingerprint, doc) {
  return `${ringFingerprint}${doc.previous ? `@${doc.step}/${doc.steps}` : ''}`;
}
