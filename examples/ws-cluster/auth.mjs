// Who a client is, decided once at the WebSocket upgrade, never taken from a frame.
//
// An authenticator is `(req) => user id` (sync or async) that throws AuthError to refuse.
// The default verifies an HMAC token that the application's login service issues:
//   v1.<base64url(user)>.<expires, unix seconds>.<base64url(HMAC-SHA256(secret, the rest))>
// passed as `?token=` (browsers cannot set headers on a WebSocket) or `Authorization:
// Bearer`. Replace it with `--authenticator FILE`, a module whose default export is an
// authenticator (for example one that checks a session cookie or a JWT).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { validUser } from './protocol.mjs';

export class AuthError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
    this.code = status === 403 ? 'FORBIDDEN' : 'UNAUTHORIZED';
  }
}

const sign = (secret, text) => createHmac('sha256', secret).update(text).digest('base64url');

/** A token for `user`, valid `ttlSeconds` (what a login service would hand out). */
export function issueToken(secret, user, ttlSeconds = 3600, now = Date.now()) {
  if (!validUser(user)) throw new TypeError('user ids are 1 to 256 bytes of text');
  const body = `v1.${Buffer.from(user).toString('base64url')}.${Math.floor(now / 1000) + ttlSeconds}`;
  return `${body}.${sign(secret, body)}`;
}

/** The user a token names, if its signature holds and it has not expired. */
export function verifyToken(secret, token, now = Date.now()) {
  if (typeof token !== 'string' || token.length > 1024) throw new AuthError(401, 'no token');
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') throw new AuthError(401, 'malformed token');
  const expected = Buffer.from(sign(secret, parts.slice(0, 3).join('.')));
  const given = Buffer.from(parts[3]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AuthError(401, 'bad token signature');
  if (!(Number(parts[2]) * 1000 > now)) throw new AuthError(401, 'token expired');
  const user = Buffer.from(parts[1], 'base64url').toString('utf8');
  if (!validUser(user)) throw new AuthError(401, 'bad user in token');
  return user;
}

/** The default authenticator: an HMAC token in `?token=` or `Authorization: Bearer`. */
export function hmacAuthenticator(secret) {
  if (!secret || secret.length < 16) throw new Error('the token secret must be at least 16 characters');
  return (req) => {
    const url = new URL(req.url, 'http://x');
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return verifyToken(secret, url.searchParams.get('token') ?? bearer);
  };
}

/**
 * Browsers send `Origin` on every WebSocket; a page from another site must not open one
 * with the user's cookies or tokens. Requests without Origin come from non-browser
 * programs, which Origin cannot constrain anyway.
 */
export function checkOrigin(req, allowed) {
  const origin = req.headers.origin;
  if (origin !== undefined && !allowed.includes(origin)) throw new AuthError(403, `origin ${origin} is not allowed`);
}

/** Compares a presented shared secret with ours in constant time. */
export function sameSecret(presented, secret) {
  if (typeof presented !== 'string') return false;
  const [a, b] = [sign('compare', presented), sign('compare', secret)].map((s) => Buffer.from(s));
  return timingSafeEqual(a, b);
}
