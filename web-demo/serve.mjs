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

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  if (!file.startsWith(root) && `${file}${sep}` !== root) {
    res.writeHead(403).end('forbidden\n');
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
  }
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
