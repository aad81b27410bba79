// The demo end to end in headless Chromium: the counters and dots the page shows must
// be what ring-core computes for the same seed and membership. The reference answers
// come from the `ringroute` package (ring-core through wasm, proven equal to native by
// the golden vectors), never from the demo's own code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HashRing } from 'ringroute';
import { launchChromium } from '../support/chromium.mjs';
import { serveDemo } from '../support/demo-server.mjs';

const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
let server;
let browser;
let page;
const errors = [];

before(async () => {
  server = await serveDemo();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 960 } });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url);
  await page.waitForSelector('svg.ring circle.user');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** What the page says about its membership: config, servers (id, weight, colour, users). */
async function membership() {
  return page.evaluate(() => ({
    seed: Number(document.querySelector('main').dataset.seed),
    vnodes: Number(document.querySelector('main').dataset.vnodes),
    users: [...document.querySelectorAll('circle.user')].map((c) => c.dataset.user),
    servers: [...document.querySelectorAll('.servers li')].map((li) => ({
      id: li.dataset.server,
      weight: Number(li.querySelector('input').value),
      colour: li.dataset.colour,
      users: Number(li.dataset.users),
    })),
  }));
}

/** ring-core's owners for the users under the page's membership. */
function reference(m) {
  const ring = new HashRing({ vnodes: m.vnodes, seed: m.seed });
  for (const s of m.servers) ring.add(s.id, { weight: s.weight });
  const owners = new Map(m.users.map((u) => [u, ring.get(u)]));
  const ids = m.servers.map((s) => s.id).sort();
  const modulo = new Map(m.users.map((u) => [u, ids[ring.position(u) % ids.length]]));
  ring.free();
  return { owners, modulo };
}

function movedBetween(a, b, users) {
  return users.filter((u) => a.get(u) !== b.get(u)).length;
}

const text = (selector) => page.locator(selector).innerText();

/** Checks the counters after a change from `before` to the page's current membership. */
async function checkChange(beforeM) {
  const afterM = await membership();
  const [was, now] = [reference(beforeM), reference(afterM)];
  const users = beforeM.users;
  const moved = movedBetween(was.owners, now.owners, users);
  const pct = (k) => (100 * k / users.length).toFixed(1);
  assert.equal(await text('[data-testid=moved]'), `moved: ${moved} of ${users.length} (${pct(moved)}%)`);
  const modulo = movedBetween(was.modulo, now.modulo, users);
  assert.equal(await text('[data-testid=modulo]'), `modulo would move ${pct(modulo)}%`);
  return { afterM, now, moved, modulo };
}

/** Dots of each colour = the server's user count shown = ring-core's count. */
async function checkDots(m, owners) {
  for (const s of m.servers) {
    const expected = [...owners.values()].filter((o) => o === s.id).length;
    assert.equal(s.users, expected, `${s.id}: load panel`);
    const dots = await page.locator(`circle.user[fill="${s.colour}"]`).count();
    assert.equal(dots, expected, `${s.id}: dots coloured ${s.colour}`);
    const owned = await page.locator(`circle.user[data-owner="${s.id}"]`).count();
    assert.equal(owned, expected, `${s.id}: dots owned`);
  }
}

test('the first load draws ring-core routing', async () => {
  const m = await membership();
  assert.equal(m.users.length, 200);
  await checkDots(m, reference(m).owners);
});

test('a join moves what ring-core moves, and far less than modulo', async () => {
  await page.click('#add-1000');
  await page.waitForFunction(() => document.querySelectorAll('circle.user').length === 1200);
  const beforeM = await membership();
  await page.click('#add-server');
  await page.waitForSelector('[data-testid=moved]');
  const { afterM, now, moved, modulo } = await checkChange(beforeM);
  assert.equal(afterM.servers.length, beforeM.servers.length + 1);
  assert.ok(moved > 0 && moved < 0.35 * 1200, `moved ${moved}`);
  assert.ok(modulo > 2 * moved, `modulo ${modulo} vs ring ${moved}`);
  await page.waitForTimeout(1300); // the move animation
  await checkDots(afterM, now.owners);
});

test('a leave by its remove button moves exactly the leaver\'s users', async () => {
  const beforeM = await membership();
  const leaving = beforeM.servers[1];
  await page.click(`button[aria-label="remove ${leaving.id}"]`);
  const { afterM, now, moved } = await checkChange(beforeM);
  assert.equal(moved, leaving.users);
  assert.ok(!afterM.servers.some((s) => s.id === leaving.id));
  await checkDots(afterM, now.owners);
});

test('the key box shows the owner and replicas ring-core gives', async () => {
  const m = await membership();
  const ring = new HashRing({ vnodes: m.vnodes, seed: m.seed });
  for (const s of m.servers) ring.add(s.id, { weight: s.weight });
  for (const key of ['user-42', 'ключ', '🦀 crab']) {
    await page.fill('#key', key);
    await page.click('#lookup');
    const chips = await page.locator('[data-testid=lookup] .replicas .chip').allInnerTexts();
    assert.deepEqual(chips, ring.getN(key, 3), key);
    assert.equal(await page.locator('.replica').count(), 3);
  }
  ring.free();
});

test('a message hops A -> Server(A) -> Server(B) -> B', async () => {
  const m = await membership();
  const { owners } = reference(m);
  await page.fill('#from', 'user-3');
  await page.fill('#to', 'user-150');
  await page.click('#send');
  const chips = await page.locator('[data-testid=message] .chip').allInnerTexts();
  const [a, b] = [owners.get('user-3'), owners.get('user-150')];
  assert.deepEqual(chips, a === b ? [a] : [a, b]);
  assert.equal(await page.locator('.message-overlay .stop').count(), 4);
});

test('bad input gets a visible message and the app keeps working', async () => {
  const beforeM = await membership();
  const first = beforeM.servers[0].id;
  const weight = page.locator(`li[data-server="${first}"] input`);
  for (const bad of ['0', 'abc', '-2', '1e9']) {
    await weight.fill(bad);
    await weight.press('Enter');
    await page.waitForSelector('.notice');
    assert.match(await text('.notice'), /weight/);
  }
  await page.fill('#key', '');
  await page.click('#lookup');
  assert.match(await text('.notice'), /type a key/);
  await page.fill('#key', 'k'.repeat(300));
  await page.click('#lookup');
  assert.match(await text('.notice'), /at most 256 bytes/);
  const after = await membership();
  assert.deepEqual(after.servers.map((s) => [s.id, s.users]), beforeM.servers.map((s) => [s.id, s.users]));
  await weight.fill('2');
  await weight.press('Enter');
  await page.waitForFunction(() => !document.querySelector('.notice'));
  const m = await membership();
  assert.equal(m.servers[0].weight, 2);
  await checkDots(m, reference(m).owners);
});

test('a gradual scaling event shows dual delivery, cuts over in batches, then completes', async () => {
  await page.check('#gradual');
  const beforeM = await membership();
  await page.click('#add-server');
  await page.waitForSelector('.scaling');
  assert.ok(await page.locator('circle.user.pending').count() > 0, 'moving users wait on their old owner');
  await page.waitForSelector('circle.user.dual', { timeout: 5_000 });
  const steps = new Set();
  while (await page.locator('.scaling').count()) {
    steps.add(await page.locator('.scaling').getAttribute('data-step').catch(() => null));
    await page.waitForTimeout(250);
  }
  assert.ok(steps.size >= 4, `saw batches ${[...steps]}`);
  const { afterM, now } = await checkChange(beforeM);
  assert.equal(await page.locator('circle.user.dual, circle.user.pending').count(), 0);
  await page.waitForTimeout(1300);
  await checkDots(afterM, now.owners);
  await page.uncheck('#gradual');
});

test('the last server cannot leave, and the page raised no errors', async () => {
  for (;;) {
    const m = await membership();
    await page.click(`button[aria-label="remove ${m.servers[0].id}"]`);
    if (m.servers.length === 1) break;
  }
  assert.match(await text('.notice'), /last server/);
  const m = await membership();
  assert.equal(m.servers.length, 1);
  await checkDots(m, reference(m).owners);
  await page.click('#reset');
  await page.click('#add-1000');
  await page.click('#add-server');
  await page.fill('#key', 'user-42');
  await page.click('#lookup');
  await page.click('#send-random');
  await page.waitForTimeout(1600);
  mkdirSync(artifacts, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${artifacts}demo.png`, fullPage: true });
  assert.deepEqual(errors, []);
});
