// Results appear beside the control that caused them: for every kind of control, its
// result (or refusal) is in the line next to it (on its row or at most 120 CSS px above
// or below, in its panel or just after it) and the same words are in the live region.
// Each kind on its own page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/chromium.mjs';
import { serveDemo } from '../support/demo-server.mjs';
import { openDemo } from '../support/demo-page.mjs';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([serveDemo(), launchChromium()]); });
after(async () => { await browser?.close(); await server?.stop(); });

/** Vertical gap in CSS px between two boxes (0 when they share a line). */
const gap = (a, b) => Math.max(0, a.y - (b.y + b.height), b.y - (a.y + a.height));

/**
 * Runs `act` (which uses `control`), then checks the line `data-for=at` beside it: its
 * kind (done or refused), its words, its distance from the control and its announcement.
 */
async function besideIt(page, { control, at, act, says, kind = 'done' }) {
  await act();
  const slot = page.locator(`.feedback.${kind}[data-for=${at}]`);
  await slot.waitFor();
  await page.waitForFunction(([at, kind]) => {
    const t = document.querySelector(`.feedback.${kind}[data-for=${at}] .text`)?.title;
    return t && t !== '' && document.querySelector(`[data-testid=${kind === 'done' ? 'announce' : 'alert'}]`).textContent === t;
  }, [at, kind]);
  const words = await slot.locator('.text').getAttribute('title');
  assert.match(words, says);
  const near = await page.locator(control).first().evaluate((el, at) => {
    const slot = document.querySelector(`.feedback[data-for=${at}]`);
    slot.scrollIntoView({ block: 'center' });
    const [a, b] = [el, slot].map((e) => e.getBoundingClientRect().toJSON());
    const panel = el.closest('.panel');
    const together = panel.contains(slot) || panel.nextElementSibling === slot;
    return { a, b, together };
  }, at);
  assert.ok(near.together, `${at}: not in ${control}'s panel`);
  assert.ok(gap(near.a, near.b) <= 120, `${at}: ${gap(near.a, near.b).toFixed(0)} px from ${control}`);
  // Exactly one line speaks for this result: the others show their hints or nothing.
  assert.equal(await page.locator(`.feedback.${kind}`).count(), 1);
}

const kinds = [
  { name: 'add server', control: '#add-server', at: 'servers', act: (p) => p.click('#add-server'), says: /^srv-4 joined: \d+ of 200 users moved \(\d+\.\d%\), expected \d+\.\d%\.$/ },
  { name: 'remove server, with undo beside', control: 'ul.servers', at: 'load', act: (p) => p.click('button[aria-label="remove srv-1"]'), says: /^srv-1 left: .* Undo is available for srv-1\.$/,
    then: async (p) => {
      // Undo takes the removed row's place, between srv-0 and srv-2: nothing below moved.
      const rows = await p.evaluate(() => [...document.querySelectorAll('ul.servers li')]
        .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
        .map((li) => li.dataset.server ?? (li.querySelector('#undo') ? 'undo' : '?')));
      assert.deepEqual(rows, ['srv-0', 'undo', 'srv-2', 'srv-3']);
    } },
  { name: 'weight', control: 'li[data-server="srv-1"] input[type=text]', at: 'load',
    act: async (p) => { const w = p.locator('li[data-server="srv-1"] input[type=text]'); await w.fill('2'); await w.press('Enter'); }, says: /^srv-1 weight 1 → 2: \d+ of 200 users moved/ },
  { name: 'weight refused', control: 'li[data-server="srv-0"] input[type=text]', at: 'load', kind: 'refused',
    act: async (p) => { const w = p.locator('li[data-server="srv-0"] input[type=text]'); await w.fill('abc'); await w.press('Enter'); }, says: /weight "abc" is not a number/ },
  { name: 'down', control: 'li[data-server="srv-1"] input[type=checkbox]', at: 'load', act: (p) => p.check('li[data-server="srv-1"] input[type=checkbox]'), says: /^srv-1 is down: \d+ users continue on a replica, 0 lose their state\.$/ },
  { name: 'algorithm', control: '#algorithm', at: 'load', act: (p) => p.selectOption('#algorithm', 'ketama'), says: /^Users placed by ketama: the busiest server holds \d\.\d\d × its fair share\.$/ },
  { name: 'virtual nodes', control: '#vnodes', at: 'vnodes', act: (p) => p.locator('#vnodes').fill('32'), says: /^virtual nodes 16 → 32: / },
  { name: 'users', control: '#add-100', at: 'users', act: (p) => p.click('#add-100'), says: /^\+100 users: 300 in all\.$/ },
  { name: 'clear users', control: '#clear-users', at: 'users', act: (p) => p.click('#clear-users'), says: /^Every user removed\.$/ },
  { name: 'gradual', control: '#gradual', at: 'mode', act: (p) => p.check('#gradual'), says: /cut over in batches/ },
  { name: 'one marker', control: '#one-marker', at: 'mode', act: (p) => p.check('#one-marker'), says: /^One marker per server/ },
  { name: 'replicas', control: '#replicas', at: 'replicas', act: (p) => p.selectOption('#replicas', '3'), says: /^3 replicas per key/ },
  { name: 'hot spot', control: '#hot', at: 'hot', act: (p) => p.check('#hot'), says: /^\+300 sessions, all on srv-0's arcs\.$/ },
  { name: 'bounded loads', control: '#bounded', at: 'bounded', act: (p) => p.check('#bounded'), says: /^Cap 1\.25 × fair share: \d+ users spilled clockwise\.$/ },
  { name: 'reset', control: '#reset', at: 'reset', act: async (p) => { await p.click('#add-server'); await p.click('#reset'); }, says: /^Back to the first load\.$/ },
  { name: 'lookup', control: '#lookup', at: 'lookup', act: async (p) => { await p.fill('#key', 'user-42'); await p.click('#lookup'); }, says: /^"user-42" belongs to srv-\d\.$/ },
  { name: 'lookup refused', control: '#lookup', at: 'lookup', kind: 'refused', act: (p) => p.click('#lookup'), says: /type a key/ },
  { name: 'message', control: '#send', at: 'message', act: async (p) => { await p.fill('#from', 'user-3'); await p.fill('#to', 'user-150'); await p.click('#send'); }, says: /^user-3 → srv-\d → srv-\d → user-150\.$/ },
  { name: 'message refused', control: '#send', at: 'message', kind: 'refused', act: async (p) => { await p.fill('#from', 'nobody'); await p.fill('#to', 'user-1'); await p.click('#send'); }, says: /no user "nobody"/ },
  { name: 'story', control: '#story-next', at: 'story', act: async (p) => { await p.click('#story-start'); await p.click('#story-next'); }, says: /^Story step 2: A server joins/ },
];

for (const k of kinds) {
  test(`${k.name}: the result is beside its control and announced`, async () => {
    const { page, errors, close } = await openDemo(browser, server.url, { width: 1280, height: 800 });
    await besideIt(page, { ...k, act: () => k.act(page) });
    await k.then?.(page);
    assert.deepEqual(errors, []);
    await close();
  });
}

test('on a phone too: a refused weight and a join are beside their controls', async () => {
  for (const k of kinds.filter((k) => ['weight refused', 'add server', 'lookup'].includes(k.name))) {
    const { page, errors, close } = await openDemo(browser, server.url, { width: 390, height: 844 });
    await besideIt(page, { ...k, act: () => k.act(page) });
    assert.deepEqual(errors, []);
    await close();
  }
});
