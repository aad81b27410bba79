// Screenshots of the demo at the three sizes the issue names, for the README (docs/)
// and for looking at a change. Usage (from tests/): node support/demo-screenshots.mjs DIR
// With --readme, only the four pictures the README shows, under its names:
//   node support/demo-screenshots.mjs ../docs --readme
// Each picture is a state reached through the page's own controls or story links.
import { mkdirSync } from 'node:fs';
import { launchChromium } from './chromium.mjs';
import { serveDemo } from './demo-server.mjs';
import { settle } from './demo-page.mjs';

const out = process.argv[2] ?? 'browser/artifacts';
const readme = process.argv.includes('--readme');
// The README's names for the pictures it shows; the rest are for looking only.
const readmeNames = {
  'demo-wide.png': 'demo.png', 'demo-laptop.png': 'demo-1280x720.png',
  'demo-phone.png': 'demo-phone.png', 'demo-laptop-failover.png': 'demo-failover.png',
};
const shot = (page, name, options = {}) => {
  const file = readme ? readmeNames[name] : name;
  return file ? page.screenshot({ path: `${out}/${file}`, ...options }) : null;
};
mkdirSync(out, { recursive: true });
const sizes = [['phone', 390, 844], ['laptop', 1280, 720], ['wide', 1440, 900]];
const server = await serveDemo();
const browser = await launchChromium();
try {
  for (const [name, width, height] of sizes) {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
    await page.goto(server.url);
    await page.waitForSelector('canvas.dots[data-painted]');
    await page.click('#add-1000');
    await page.click('#add-server');
    await page.fill('#key', 'user-42');
    await page.click('#lookup');
    await settle(page);
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, `demo-${name}.png`);
    if (name === 'phone') await shot(page, `demo-${name}-full.png`, { fullPage: true });
    await page.click('#story-start');
    for (let i = 1; i < 7; i++) await page.click('#story-next');
    await settle(page);
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, `demo-${name}-failover.png`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
console.log(`screenshots in ${out}`);
