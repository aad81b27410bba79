// Starts the demo's own server (web-demo/serve.mjs) on a free loopback port, exactly as
// `./run demo` does, and resolves to its URL and a stop function.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const serve = fileURLToPath(new URL('../../web-demo/serve.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../../web-demo/dist/web_demo_bg.wasm', import.meta.url));

export function serveDemo() {
  if (!existsSync(dist)) throw new Error('build the demo first: bash web-demo/build.sh');
  const child = spawn(process.execPath, [serve, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`demo server did not start: ${out}`)), 10_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = out.match(/http:\/\/127\.0\.0\.1:\d+\//)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve({
          url,
          stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGINT'); }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`demo server exited with ${code}: ${out}`)));
  });
}
