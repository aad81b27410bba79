// Small HTTP helpers shared by the examples' servers: JSON bodies with size and depth
// limits, JSON answers, and errors that say what was wrong without taking the server down.
import { boundedJson } from './membership.mjs';

/** An error the client caused: answered with `status` and `{ error, code }`. */
export class HttpError extends Error {
  constructor(status, message, extra = {}) {
    super(message);
    this.status = status;
    this.extra = extra;
  }
}

/** After answering a request early (413), drain at most this much of its body, then close. */
const DRAIN_BYTES = 1024 * 1024;

/** Reads a JSON body of at most `limit` bytes and `depth` levels of nesting. */
export async function readJson(req, limit, depth = 4) {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new HttpError(413, `request body over the limit of ${limit} bytes`);
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `request body over the limit of ${limit} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return boundedJson(text, { maxBytes: limit, maxDepth: depth, what: 'the body' });
  } catch (e) {
    throw new HttpError(400, `malformed JSON: ${e.message}`);
  }
}

export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Wraps a request handler: HttpErrors become their status, anything else a 500. A
 * request whose body was not read to the end is answered with `connection: close`;
 * the rest of its body is drained (up to 1 MiB) so the client reads the answer rather
 * than a reset, and then the socket closes.
 */
export function handle(fn) {
  return async (req, res) => {
    try {
      await fn(req, res);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) console.error(`${req.method} ${req.url?.slice(0, 200)}: ${e.stack ?? e}`);
      if (res.headersSent) return void res.destroy();
      const unread = !req.complete;
      sendJson(res, status, { error: e.message, ...(e.extra ?? {}) }, unread ? { connection: 'close' } : {});
      if (unread) {
        const { socket } = req;
        let drained = 0;
        req.on('data', (c) => { drained += c.length; if (drained > DRAIN_BYTES) socket?.destroy(); });
        req.on('error', () => {});
        req.resume();
        setTimeout(() => socket?.destroy(), 5_000).unref();
      }
    }
  };
}

/** A URL path segment decoded; malformed percent-encoding is a 400, not a 500. */
export function decodeSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the path');
  }
}

/** Parses `--name value` pairs from argv. */
export function flags(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) throw new Error(`expected --flag value, got ${argv[i]}`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}
