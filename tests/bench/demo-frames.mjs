// Frame times of the web demo in headless Chromium with 32 servers and 1,000 users,
// during a leave and a join (each animates the moved users). A benchmark, not a test:
// it prints p50/p95 frame intervals and the demo's wasm size.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../support/chromium.mjs';
import { serveDemo } from '../support/demo-server.mjs';

const WINDOW_MS = 2_000;

const server = await serveDemo();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 960 } });
  await page.goto(server.url);
  await page.waitForSelector('svg.ring circle.user');
  while ((await page.locator('.servers li').count()) < 32) await page.click('#add-server');
  while ((await page.locator('circle.user').count()) < 1000) await page.click('#add-100');
  await page.waitForTimeout(1_500);

  // Records requestAnimationFrame intervals from just before `action` for WINDOW_MS.
  async function frames(action) {
    await page.evaluate(() => {
      window.__frames = [];
      let last = performance.now();
      const tick = (now) => {
        window.__frames.push(now - last);
        last = now;
        if (window.__recording) requestAnimationFrame(tick);
      };
      window.__recording = true;
      requestAnimationFrame(tick);
    });
    await action();
    await page.waitForTimeout(WINDOW_MS);
    return page.evaluate(() => { window.__recording = false; return window.__frames.slice(1); });
  }

  const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))];
  };
  const report = (what, xs) => {
    console.log(`${what.padEnd(34)} ${String(xs.length).padStart(4)} frames  p50 ${pct(xs, 0.5).toFixed(1)} ms  ` +
      `p95 ${pct(xs, 0.95).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms  ` +
      `dropped (> 25 ms) ${xs.filter((x) => x > 25).length}`);
  };

  const moved = () => page.locator('[data-testid=moved]').innerText();
  console.log('web demo, 32 servers, 1,000 users, headless Chromium (frame interval = time between rAF callbacks)');
  const leaving = await page.locator('.servers li').nth(5).getAttribute('data-server');
  const leave = await frames(() => page.click(`button[aria-label="remove ${leaving}"]`));
  report(`leave (${leaving}: ${await moved()})`, leave);
  const join = await frames(() => page.click('#add-server'));
  report(`join (${await moved()})`, join);
  report('both', [...leave, ...join]);

  const wasm = readFileSync(fileURLToPath(new URL('../../web-demo/dist/web_demo_bg.wasm', import.meta.url)));
  console.log(`demo wasm: ${wasm.length} bytes raw, ${gzipSync(wasm, { level: 9 }).length} gzip -9`);
} finally {
  await browser.close();
  await server.stop();
}
