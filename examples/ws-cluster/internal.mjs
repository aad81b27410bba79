// Server-to-server traffic: its own HTTP listener (never the client port), every request
// carrying the cluster's shared secret, JSON bodies parsed within size and depth limits.
// `Authorization: Bearer <secret>` is compared in constant time; on a real network put
// this listener on a private interface and behind TLS (the secret travels in clear here,
// which is acceptable on 127.0.0.1 only).
import { createServer } from 'node:http';
import { sameSecret } from './auth.mjs';
import { MAX_INTERNAL_BYTES } from './protocol.mjs';
import { parseJson } from './safe-json.mjs';

/** Starts the internal listener; `routes` maps a path to `async (body) => answer`. */
export function internalServer({ secret, port, routes, onBadRequest = () => {} }) {
  const server = createServer(async (req, res) => {
    const answer = (status, body) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: status === 200 ? 'keep-alive' : 'close' });
      res.end(text);
    };
    try {
      if (!sameSecret(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1], secret)) {
        onBadRequest('unauthenticated internal request');
        req.resume();
        return answer(401, { error: 'internal requests need the cluster secret' });
      }
      const route = req.method === 'POST' ? routes[new URL(req.url, 'http://x').pathname] : undefined;
      if (!route) {
        req.resume();
        return answer(404, { error: 'no such internal route' });
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > MAX_INTERNAL_BYTES) {
        onBadRequest('internal body over the limit');
        answer(413, { error: `body over ${MAX_INTERNAL_BYTES} bytes` });
        return req.destroy();
      }
      const chunks = [];
      let size = 0;
      for await (const chunk of req) {
        size += chunk.length;
        if (size > MAX_INTERNAL_BYTES) {
          onBadRequest('internal body over the limit');
          answer(413, { error: `body over ${MAX_INTERNAL_BYTES} bytes` });
          return req.destroy();
        }
        chunks.push(chunk);
      }
      const body = parseJson(Buffer.concat(chunks), { maxBytes: MAX_INTERNAL_BYTES });
      return answer(200, await route(body));
    } catch (e) {
      onBadRequest(e.message);
      if (!res.headersSent) answer(400, { error: e.message });
      else res.destroy();
    }
  });
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  return new Promise((resolve) => server.listen(Number(port), '127.0.0.1', () => resolve(server)));
}

/** POSTs `body` to a peer's internal `path`; resolves to its JSON answer or throws. */
export async function callPeer(baseUrl, path, body, secret, timeoutMs = 2_000) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${baseUrl}${path}: ${res.status} ${text.slice(0, 200)}`);
  return parseJson(text, { maxBytes: MAX_INTERNAL_BYTES });
}
