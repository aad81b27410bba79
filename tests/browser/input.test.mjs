// Bounded input: refused values get a short visible message and change nothing; long
// input neither widens the page nor hides the dismiss button; keys are shown exactly as
// they are routed; a hostile link is refused with a message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/chromium.mjs';
import { serveDemo } from '../support/demo-server.mjs';
import { openDemo, membership, text } from '../support/demo-page.mjs';
import { reference, ringOf } from '../support/demo-reference.mjs';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([serveDemo(), launchChromium()]); });
after(async () => { await browser?.close(); await server?.stop(); });

/** The refusal beside control `at` (its data-for) says `pattern`, briefly, and is announced. */
async function refusedWith(page, pattern, at) {
  const slot = page.locator(`.feedback.refused[data-for=${at}]`);
  await slot.waitFor();
  const notice = await slot.locator('.text').getAttribute('title');
  assert.match(notice, pattern);
  assert.ok(notice.length < 200, `a ${notice.length}-character notice`);
  assert.equal(await page.locator('[data-testid=alert]').textContent(), notice, 'announced');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no overflow');
  const dismiss = await slot.evaluate((el) => {
    el.scrollIntoView({ block: 'nearest' });
    const b = el.querySelector('.dismiss').getBoundingClientRect();
    return document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2)?.classList.contains('dismiss');
  });
  assert.ok(dismiss, 'the dismiss button can be reached');
  await slot.locator('.dismiss').click();
  await page.waitForSelector('.feedback.refused', { state: 'detached' });
}

test('bad weights, keys and ids are refused with a short message; nothing changes', async () => {
  const { page, errors, close } = await openDemo(browser, server.url, { width: 390, height: 844 });
  const was = await membership(page);
  const weight = page.locator('li[data-server="srv-0"] input[type=text]');
  for (const bad of ['0', 'abc', '-2', '1e9', '1e-300', '0.01', '9'.repeat(40)]) {
    await weight.fill(bad);
    await weight.press('Enter');
    await refusedWith(page, /weight/, 'load');
  }
  await page.fill('#key', '');
  await page.click('#lookup');
  await refusedWith(page, /type a key/, 'lookup');
  await page.locator('#from').evaluate((el) => { el.value = 'x'.repeat(100_000); });
  await page.fill('#to', 'user-1');
  await page.click('#send');
  await refusedWith(page, /no user "x{10,}"… \(100000 bytes\)/, 'message');
  assert.equal(await page.locator('#from').getAttribute('maxlength'), '24');
  assert.equal(await page.locator('#key').getAttribute('maxlength'), '256');
  const now = await membership(page);
  assert.deepEqual(now.servers, was.servers);
  await weight.fill('0.0625');
  await weight.press('Enter');
  await page.waitForFunction(() => /weight 1 → 0.0625/.test(document.querySelector('[data-testid=what]').textContent));
  assert.deepEqual(errors, []);
  await close();
});

test('keys are shown exactly as they are routed', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  const m = await membership(page);
  const ring = ringOf(m);
  for (const key of [' user-7 ', 'user-7', 'tab\there', 'ключ', '🦀']) {
    await page.fill('#key', key);
    await page.click('#lookup');
    await page.waitForFunction((k) => document.querySelector('[data-testid=key]')?.textContent === JSON.stringify(k).replace(/\\t/g, '\\t'), key);
    const answer = await text(page, '[data-testid=lookup]');
    assert.match(answer, new RegExp(`hashes to position ${ring.position(key)} `), key);
    assert.deepEqual(await page.locator('[data-testid=lookup] .replicas .chip').allInnerTexts(), ring.getN(key, 2), key);
  }
  // Replica rank labels never overlap, even for replicas whose points are close.
  await page.selectOption('#replicas', '3');
  for (let i = 0; i < 40; i++) {
    await page.fill('#key', `user-${i}`);
    await page.click('#lookup');
    await page.waitForFunction((k) => document.querySelector('[data-testid=key]')?.textContent === `"${k}"`, `user-${i}`);
    const boxes = await page.evaluate(() => [...document.querySelectorAll('.replica text')].map((t) => t.getBoundingClientRect().toJSON()));
    assert.equal(boxes.length, 3);
    for (let a = 0; a < 3; a++) for (let b = a + 1; b < 3; b++) {
      const [p, q] = [boxes[a], boxes[b]];
      const apart = p.right <= q.left || q.right <= p.left || p.bottom <= q.top || q.bottom <= p.top;
      assert.ok(apart, `user-${i}: labels #${a + 1} and #${b + 1} overlap`);
    }
  }
  ring.free();
  assert.deepEqual(errors, []);
  await close();
});

test('a message hops A -> Server(A) -> Server(B) -> B', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  const { owners } = reference(await membership(page));
  await page.fill('#from', 'user-3');
  await page.fill('#to', 'user-150');
  await page.click('#send');
  const chips = await page.locator('[data-testid=message] .chip').allInnerTexts();
  const [a, b] = [owners.get('user-3'), owners.get('user-150')];
  assert.deepEqual(chips, a === b ? [a] : [a, b]);
  assert.equal(await page.locator('.message-overlay .stop').count(), 4);
  assert.deepEqual(errors, []);
  await close();
});

test('a hostile link is refused with a message and the first load is shown', async () => {
  for (const hash of ['v=16&s=1:1e-300:0', 'v=16&s=0:1:0&u=99999999', 'v=16&s=0:1:0&k=%E0%A4%A', 'x'.repeat(5000)]) {
    const { page, errors, close } = await openDemo(browser, server.url, { hash });
    await refusedWith(page, /could not be restored/, 'link');
    assert.equal((await membership(page)).servers.length, 4);
    assert.deepEqual(errors, []);
    await close();
  }
});
