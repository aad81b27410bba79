// Layouts at 390×844 (phone), 1280×720 and 1440×900: no horizontal overflow, every
// control hittable (the element at its centre is the control itself) at any scroll
// position it can be reached at, the first change moves nothing on the page, and the
// load bars have width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/chromium.mjs';
import { serveDemo } from '../support/demo-server.mjs';
import { openDemo, settle } from '../support/demo-page.mjs';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([serveDemo(), launchChromium()]); });
after(async () => { await browser?.close(); await server?.stop(); });

/** Controls the element at whose centre is something else, after scrolling each into view. */
function unhittable(page) {
  return page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const controls = [...document.querySelectorAll('main button, main input, main select, main summary')]
      .filter((el) => el.getClientRects().length > 0 && !el.closest('.toast'));
    const bad = [];
    for (const el of controls) {
      for (const block of ['center', 'start', 'end']) {
        el.scrollIntoView({ block, inline: 'nearest' });
        await frame();
        const r = el.getBoundingClientRect();
        if (r.top < 0 || r.bottom > innerHeight) continue; // taller than the view at this alignment
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (hit !== el) {
          bad.push(`${el.id || el.getAttribute('aria-label') || el.outerHTML.slice(0, 60)} (${block}): covered by ${hit?.outerHTML.slice(0, 80)}`);
        }
      }
    }
    return { checked: controls.length, bad };
  });
}

const sizes = [['phone', 390, 844], ['laptop', 1280, 720], ['wide', 1440, 900]];

for (const [name, width, height] of sizes) {
  test(`${name} ${width}×${height}: nothing jumps, overflows or covers a control`, async () => {
    const { page, errors, close } = await openDemo(browser, server.url, { width, height });
    const where = () => page.evaluate(() => {
      scrollTo(0, 0);
      const top = (s) => Math.round(document.querySelector(s).getBoundingClientRect().top);
      return { ring: top('svg.ring'), controls: top('.controls'), load: top('.load'), results: top('.results') };
    });
    const first = await where();
    await page.click('#add-server');
    await page.waitForFunction(() => /joined/.test(document.querySelector('[data-testid=what]').textContent));
    assert.deepEqual(await where(), first, 'the first change moves nothing on the page');
    await page.click('#add-1000');
    await page.fill('#key', 'user-42');
    await page.click('#lookup');
    await page.click('#send-random');
    await settle(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.ok(overflow <= 0, `${overflow} px of horizontal overflow`);
    const { checked, bad } = await unhittable(page);
    assert.ok(checked >= 25, `only ${checked} controls found`);
    assert.deepEqual(bad, []);
    // Load bars have width, checkboxes sit on one line with their labels.
    const meters = await page.evaluate(() => [...document.querySelectorAll('.meter')].map((m) => m.getBoundingClientRect().width));
    assert.ok(meters.every((w) => w >= 30), `meter widths ${meters}`);
    const labels = await page.evaluate(() => [...document.querySelectorAll('label.check')].map((l) => l.getBoundingClientRect().height));
    assert.ok(labels.every((h) => h < 44), `checkbox labels wrap: ${labels}`);
    // The ring fits the viewport's width, and on wide screens its height too.
    const ring = await page.evaluate(() => document.querySelector('svg.ring').getBoundingClientRect().toJSON());
    assert.ok(ring.right <= width && ring.left >= 0, 'the ring fits across');
    if (width > 900) assert.ok(ring.height <= height, 'the ring fits down');
    // On a phone the ring scrolls with the page instead of sitting over the controls.
    if (width < 900) {
      assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.stage')).position), 'static');
    }
    assert.deepEqual(errors, []);
    await close();
  });
}
