// Serves web-demo/dist on 127.0.0.1 with the right MIME types (application/wasm for
// streaming compilation). Usage: node web-demo/serve.mjs [port]; port 0 picks a free
// one; a busy port moves on to the next. Prints the URL; Ctrl-C stops it cleanly.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./dist/', import.meta.url));
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

// Any request that cannot name a file gets an answer, never an exception: a malformed
// escape (`/%E0%A4%A`), a NUL byte or a non-GET method must not stop the server.
async function answer(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  let path;
  try {
    path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request: malformed path\n');
    return;
  }
  if (path.includes('\0')) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request: NUL in path\n');
    return;
  }
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  if (!file.startsWith(root) && `${file}${sep}` !== root) {
    res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden\n');
    return;
  }
  let body;
  try {
    body = await readFile(file);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  res.writeHead(200, {
    'content-type': types[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

const server = createServer((req, res) => {
  answer(req, res).catch((err) => {
    // Last resort: whatever went wrong, this request fails and the server stays up.
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`internal error: ${err.message}\n`);
  });
});
// A client that sends garbage below HTTP (bad request line, huge headers) gets 400.
server.on('clientError', (err, socket) => {
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\n\r\n`);
  else socket.destroy();
});

const first = Number(process.argv[2] ?? process.env.PORT ?? 8080);
let port = first;
server.on('error', (err) => {
  if (err.code === 'EADDRINUSE' && port !== 0 && port < first + 20) {
    port += 1;
    server.listen(port, '127.0.0.1');
  } else {
    console.error(`cannot serve the demo: ${err.message}`);
    process.exit(1);
  }
});
server.on('listening', () => {
  console.log(`ringroute demo: http://127.0.0.1:${server.address().port}/  (Ctrl-C to stop)`);
});
server.listen(port, '127.0.0.1');

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    console.log('\nstopped');
  });
}
