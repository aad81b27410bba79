// The names and limits the store's processes agree on.

/** etcd key holding the membership: a ringroute snapshot ({ epoch, vnodes, seed, servers }). */
export const MEMBERSHIP = '/ringroute/kv/membership';
/** etcd prefix of the nodes' liveness keys, each held by a lease. */
export const ALIVE = '/ringroute/kv/alive/';
/** A killed node's key expires this many seconds after its last keep-alive. */
export const LEASE_SECONDS = 2;
/** Values are strings of at most this many UTF-8 bytes. */
export const MAX_VALUE_BYTES = 64 * 1024;
/** Every key is stored on this many distinct nodes (the owner first). */
export const REPLICAS = 2;
/** Ring parameters, published with the membership. */
export const VNODES = 160;
