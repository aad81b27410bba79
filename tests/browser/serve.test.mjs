// The demo's server (web-demo/serve.mjs, what `./run demo` runs) answers every request,
// hostile ones included, and keeps serving afterwards. Requests go over raw sockets so
// nothing normalises them first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { serveDemo } from '../support/demo-server.mjs';

let server;
before(async () => { server = await serveDemo(); });
after(async () => { await server?.stop(); });

/** Sends `raw` bytes and resolves to the status code of the answer (or 0 if none). */
function request(raw) {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer to ${JSON.stringify(raw.slice(0, 60))}`)); }, 5_000);
    socket.on('data', (d) => { out += d; });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Number(out.match(/^HTTP\/1\.[01] (\d{3})/)?.[1] ?? 0));
    });
    socket.write(raw);
  });
}
const get = (path, method = 'GET') => request(`${method} ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);

test('malformed requests get 4xx and the server keeps serving', async () => {
  const hostile = [
    ['/%E0%A4%A', 400], ['/%', 400], ['/%zz', 400], ['/%ff%fe', 400], ['/index.html%00', 400],
    // Traversal: the URL parser resolves plain and %2e dots (404 inside the root); an
    // escaped slash survives it and is caught by the root check (403).
    ['/../../etc/passwd', 404], ['/%2e%2e/%2e%2e/etc/passwd', 404], ['/..%2f..%2fetc%2fpasswd', 403],
    ['/nope.js', 404],
  ];
  for (const [path, status] of hostile) {
    assert.equal(await get(path), status, path);
    assert.equal(await get('/'), 200, `still serving after ${path}`);
  }
  assert.equal(await get('/', 'DELETE'), 405);
  assert.equal(await request('NOT HTTP AT ALL\r\n\r\n'), 400);
  assert.equal(await request(`GET / HTTP/1.1\r\nx: ${'a'.repeat(70_000)}\r\n\r\n`), 431);
  assert.equal(await get('/index.html', 'HEAD'), 200);
  assert.equal(await get('/web_demo_bg.wasm'), 200);
});
