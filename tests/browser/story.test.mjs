// The guided story: each step (its own test, on its own pages) shows its "watch for"
// line and what that line promises, and its URL reproduces the picture exactly in a
// second page: the same dots, figures, panels, and the same pixels of the ring.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/chromium.mjs';
import { serveDemo } from '../support/demo-server.mjs';
import { openDemo, settle, picture, membership, text, pixelsDiffering, dots, dotsWith, painted } from '../support/demo-page.mjs';
import { reference } from '../support/demo-reference.mjs';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([serveDemo(), launchChromium()]); });
after(async () => { await browser?.close(); await server?.stop(); });

/** Waits for a running scaling event (if any) to complete. */
async function completed(page) {
  await page.waitForSelector('[data-testid=scaling]', { state: 'detached', timeout: 20_000 });
}

/** What each step's "watch for" line promises, checked on the page. */
const promises = {
  1: async (page) => {
    const m = await membership(page);
    assert.equal(m.servers.length, 1);
    assert.equal((await dots(page)).filter((d) => d.fill !== m.servers[0].colour).length, 0);
  },
  2: async (page) => {
    const ring = parseFloat(await text(page, '[data-testid=moved]'));
    const modulo = parseFloat(await text(page, '[data-testid=modulo]'));
    assert.ok(ring > 12 && ring < 28 && modulo > 70, `ring ${ring}% modulo ${modulo}%`);
  },
  3: async (page) => {
    assert.match(await text(page, '[data-testid=what]'), /virtual nodes 1 → 64/);
    const balance = parseFloat((await text(page, '[data-testid=balance-ring]')).split(' ')[1]);
    assert.ok(balance < 1.3, `max/fair at 64 vnodes ${balance}`);
  },
  4: async (page) => {
    assert.match(await text(page, '[data-testid=expected]'), /by weight alone 15\.0%/);
  },
  5: async (page) => {
    await page.waitForSelector('[data-testid=scaling]');
    assert.ok((await dotsWith(page, 'pending')).length + (await dotsWith(page, 'dual')).length > 0);
  },
  6: async (page) => {
    assert.equal(await page.locator('.message-overlay .stop').count(), 4);
    assert.match(await text(page, '[data-testid=message]'), /user-3 → .* user-150/s);
  },
  7: async (page) => {
    const failover = page.locator('[data-testid=failover]');
    assert.ok(Number(await failover.getAttribute('data-kept')) > 0);
    assert.equal(await failover.getAttribute('data-lost'), '0');
    await page.selectOption('#replicas', '1');
    await page.waitForFunction(() => document.querySelector('[data-testid=failover]').dataset.kept === '0');
    assert.ok(Number(await failover.getAttribute('data-lost')) > 0, 'replicas 1: they lose their state');
  },
};

for (let step = 1; step <= 7; step++) {
  test(`story step ${step}: its watch line holds, and its link reproduces the picture`, async () => {
    const a = await openDemo(browser, server.url, { width: 1280, height: 900 });
    await a.page.click('#story-start');
    for (let s = 2; s <= step; s++) {
      await a.page.click('#story-next');
      await a.page.waitForSelector(`.story[data-step="${s}"]`);
    }
    assert.ok((await text(a.page, '[data-testid=watch]')).length > 40);
    // The URL is written just after the change: wait for this step's.
    await a.page.waitForFunction((step) => new RegExp(`[#&]p=${step}(&|$)`).test(location.hash), step);
    const link = await a.page.evaluate(() => location.href);
    assert.match(link, new RegExp(`#.*p=${step}`));
    const b = await openDemo(browser, link, { width: 1280, height: 900 });
    await b.page.waitForSelector(`.story[data-step="${step}"]`);
    // A running scaling event keeps ticking in both pages: compare once both complete.
    if (step === 5) await Promise.all([completed(a.page), completed(b.page)]);
    await Promise.all([settle(a.page), settle(b.page), painted(a.page), painted(b.page)]);
    assert.deepEqual(await picture(b.page), await picture(a.page));
    // Pixels too: the canvas paints dots in one order (by colour, then creation), so the
    // two pages match; 0.5% allows for text antialiasing.
    const pa = await a.page.locator('.stage').screenshot({ animations: 'disabled' });
    const pb = await b.page.locator('.stage').screenshot({ animations: 'disabled' });
    const { differing, total } = await pixelsDiffering(a.page, pa, pb);
    assert.ok(differing <= total / 200, `${differing} of ${total} pixels differ`);
    if (step !== 5) await promises[step](a.page);
    else {
      // Step 5's promise is about the running event: check it on a fresh link load.
      const c = await openDemo(browser, link.replace(/&t=\d+/, ''), { width: 1280, height: 900 });
      await promises[5](c.page);
      await c.close();
    }
    // The picture is ring-core's routing.
    const m = await membership(b.page);
    const { owners } = reference(m);
    const shown = await dots(b.page);
    for (const s of m.servers) {
      const owned = [...owners.values()].filter((o) => o === s.id).length;
      assert.equal(shown.filter((d) => d.owner === s.id).length, owned, s.id);
    }
    assert.deepEqual([...a.errors, ...b.errors], []);
    await Promise.all([a.close(), b.close()]);
  });
}
