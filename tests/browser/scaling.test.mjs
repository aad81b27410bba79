// A gradual scaling event, watched through the page's own events: a MutationObserver
// records every batch the page shows, so the test sees each real batch exactly once
// (no polling, no sleeps), then checks the end state against ring-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/chromium.mjs';
import { serveDemo } from '../support/demo-server.mjs';
import { openDemo, membership, settle, users, dots } from '../support/demo-page.mjs';
import { reference, movedBetween } from '../support/demo-reference.mjs';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([serveDemo(), launchChromium()]); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a gradual join shows every batch in order with dual delivery, then completes', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  await page.click('#add-1000');
  await users(page, 1200);
  await page.check('#gradual');
  const was = await membership(page);
  // Record each batch as the page renders it: its number, users cut over and pending.
  // The dots are child components: read them on the next frame after the batch line
  // changes, once the whole render has landed.
  await page.evaluate(() => {
    window.batches = [];
    let seen = null;
    const record = () => {
      const el = document.querySelector('[data-testid=scaling]');
      const step = el?.dataset.step ?? 'done';
      if (step === seen) return;
      seen = step;
      const marked = (m) => window.ringrouteDots().dots.filter((d) => d.class.split(' ').includes(m)).length;
      window.batches.push({ step, dual: marked('dual'), pending: marked('pending') });
    };
    new MutationObserver(record).observe(document.querySelector('.results'), { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await page.click('#add-server');
  await page.waitForSelector('[data-testid=scaling]');
  await page.waitForSelector('[data-testid=scaling]', { state: 'detached', timeout: 20_000 });
  await page.waitForFunction(() => window.batches.at(-1)?.step === 'done');
  const batches = await page.evaluate(() => window.batches);
  assert.deepEqual(batches.map((b) => b.step), ['0', '1', '2', '3', '4', '5', 'done'], JSON.stringify(batches));
  const now = await membership(page);
  const [a, b] = [reference(was), reference(now)];
  const moved = movedBetween(a.owners, b.owners, was.users);
  // Batch 0: every moving user pending; then users move from pending to dual delivery;
  // after batch 5 all are dual until completion, when both marks go.
  assert.equal(batches[0].pending, moved);
  assert.equal(batches[0].dual, 0);
  for (let i = 1; i < 6; i++) {
    assert.equal(batches[i].dual + batches[i].pending, moved, `batch ${i}`);
    assert.ok(batches[i].dual >= batches[i - 1].dual, `batch ${i} cut over fewer`);
  }
  assert.equal(batches[5].dual, moved);
  assert.deepEqual([batches[6].dual, batches[6].pending], [0, 0]);
  await settle(page);
  const shown = await dots(page);
  for (const s of now.servers) {
    const owned = [...b.owners.values()].filter((o) => o === s.id).length;
    assert.equal(shown.filter((d) => d.owner === s.id && d.fill === s.colour).length, owned, s.id);
  }
  assert.deepEqual(errors, []);
  await close();
});
