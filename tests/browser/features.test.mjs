// Failures with replicas, the hot spot under bounded loads, and the algorithm switch,
// each against ring-core through the `ringroute` package (`ringroute/full` for
// BoundedLoads and Ketama).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedLoads, Ketama } from 'ringroute/full';
import { launchChromium } from '../support/chromium.mjs';
import { serveDemo } from '../support/demo-server.mjs';
import { createHash } from 'node:crypto';
import { openDemo, membership, users, text, settle, dotsWith, dots, painted } from '../support/demo-page.mjs';
import { reference, ringOf } from '../support/demo-reference.mjs';
import { HashRing as FullRing } from 'ringroute/full';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([serveDemo(), launchChromium()]); });
after(async () => { await browser?.close(); await server?.stop(); });

test('a down server: its users continue on their replica within the replication factor', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  await page.click('#add-1000');
  await users(page, 1200);
  const m = await membership(page);
  const ring = ringOf(m);
  const colour = new Map(m.servers.map((s) => [s.id, s.colour]));
  await page.check('li[data-server="srv-1"] input[type=checkbox]');
  for (const rf of [2, 3, 1]) {
    await page.selectOption('#replicas', String(rf));
    await page.waitForFunction((rf) => document.querySelector('#replicas').value === String(rf), rf);
    let kept = 0;
    let lost = 0;
    const expectedFill = new Map();
    for (const u of m.users) {
      const list = ring.getN(u, rf);
      if (list[0] !== 'srv-1') continue;
      const up = list.find((id) => id !== 'srv-1');
      if (up) { kept++; expectedFill.set(u, colour.get(up)); } else lost++;
    }
    const failover = page.locator('[data-testid=failover]');
    assert.equal(Number(await failover.getAttribute('data-kept')), kept, `rf ${rf}: kept`);
    assert.equal(Number(await failover.getAttribute('data-lost')), lost, `rf ${rf}: lost`);
    const replicas = new Map((await dotsWith(page, 'replica')).map((d) => [d.user, d.fill]));
    assert.deepEqual(replicas, expectedFill, `rf ${rf}: replica dots in the replica's colour`);
    assert.equal((await dotsWith(page, 'lost')).length, lost);
  }
  await page.uncheck('li[data-server="srv-1"] input[type=checkbox]');
  await page.waitForSelector('[data-testid=failover]', { state: 'detached' });
  assert.equal((await dotsWith(page, 'replica')).length + (await dotsWith(page, 'lost')).length, 0);
  ring.free();
  assert.deepEqual(errors, []);
  await close();
});

test('the hot spot overloads one server; bounded loads cap it as ring-core does', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  await page.click('#add-1000');
  await users(page, 1200);
  await page.check('#hot');
  await page.waitForFunction(() => window.ringrouteDots().dots.some((d) => d.hot));
  const m = await membership(page);
  assert.equal(m.hot.length, 300);
  const keys = [...m.users, ...m.hot];
  const { owners } = reference(m);
  assert.ok(m.hot.every((k) => owners.get(k) === 'srv-0'), 'every hot session lands on srv-0');
  const fair = keys.length / m.servers.length;
  assert.ok(m.servers[0].users > 1.4 * fair, `srv-0 holds ${m.servers[0].users}, fair ${fair}`);
  await page.check('#bounded');
  for (const cap of ['1.25', '1.1']) {
    await page.locator('#cap').fill(cap);
    await page.waitForFunction((c) => document.querySelector('[data-testid=cap]').textContent.startsWith(Number(c).toFixed(2)), cap);
    const ring = new FullRing({ vnodes: m.vnodes, seed: m.seed });
    for (const s of m.servers) ring.add(s.id, { weight: s.weight });
    const loads = new BoundedLoads(Number(cap));
    const assigned = keys.map((k) => loads.assign(ring, k));
    const shown = await membership(page);
    for (const s of shown.servers) {
      assert.equal(s.users, loads.load(s.id), `cap ${cap}: ${s.id}`);
      assert.ok(s.users <= Math.ceil(Number(cap) * keys.length / m.servers.length), `cap ${cap}: ${s.id} over the cap`);
    }
    const spilled = assigned.filter((o, i) => o !== owners.get(keys[i])).length;
    assert.equal(Number(await page.locator('[data-testid=bounded]').getAttribute('data-spilled')), spilled);
    assert.equal((await dotsWith(page, 'spilled')).length, spilled);
    loads.free();
    ring.free();
  }
  assert.deepEqual(errors, []);
  await close();
});

test('the algorithm switch places the same users by ketama and modulo, with moved and balance', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  await page.click('#add-1000');
  await users(page, 1200);
  const was = await membership(page);
  await page.click('#add-server');
  await page.waitForFunction(() => /joined/.test(document.querySelector('[data-testid=what]').textContent));
  const m = await membership(page);
  const ketamaOf = (mm) => {
    const k = new Ketama();
    for (const s of mm.servers) k.add(s.id, 11211, { weight: Math.round(s.weight * 100) });
    return k;
  };
  const [k0, k1] = [ketamaOf(was), ketamaOf(m)];
  const host = (name) => name?.replace(/:11211$/, '');
  const movedK = m.users.filter((u) => k0.get(u) !== k1.get(u)).length;
  assert.match(await text(page, '[data-testid=ketama-count]'), new RegExp(`: ${movedK} of ${m.users.length} users`));
  const { modulo } = reference(m);
  const expected = {
    ketama: new Map(m.servers.map((s) => [s.id, m.users.filter((u) => host(k1.get(u)) === s.id).length])),
    modulo: new Map(m.servers.map((s) => [s.id, m.users.filter((u) => modulo.get(u) === s.id).length])),
  };
  for (const name of ['ketama', 'modulo']) {
    await page.selectOption('#algorithm', name);
    await page.waitForSelector(`[data-testid=balance-${name}].algo.chosen`);
    const shown = await membership(page);
    assert.deepEqual(new Map(shown.servers.map((s) => [s.id, s.users])), expected[name], name);
    const max = Math.max(...shown.servers.map((s) => s.users)) / (m.users.length / m.servers.length);
    assert.equal(await text(page, `[data-testid=balance-${name}]`), `${name} ${max.toFixed(2)}`);
  }
  k0.free();
  k1.free();
  await settle(page);
  assert.deepEqual(errors, []);
  await close();
});

/** Each arc segment of the drawn ring as [from, to) angles (radians clockwise from the top) and its colour. */
function arcSegments(page) {
  return page.evaluate(() => {
    const c = 330;
    const angle = (x, y) => (Math.atan2(x - c, c - y) + 2 * Math.PI) % (2 * Math.PI);
    const out = [];
    for (const p of document.querySelectorAll('svg.ring .arcs path')) {
      for (const seg of p.getAttribute('d').split('M').filter(Boolean)) {
        const n = seg.split(/[ A]/).filter(Boolean).map(Number);
        out.push({ from: angle(n[0], n[1]), to: angle(n.at(-2), n.at(-1)), colour: p.getAttribute('stroke') });
      }
    }
    return out;
  });
}

test('under ketama the ring drawn is ketama\'s: users at their MD5 hash, coloured by Ketama.get, inside their owner\'s arcs', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  await page.click('#add-1000');
  await users(page, 1200);
  await page.click('#add-server');
  await page.waitForFunction(() => /joined/.test(document.querySelector('[data-testid=what]').textContent));
  const m = await membership(page);
  const colour = new Map(m.servers.map((s) => [s.id, s.colour]));
  await page.selectOption('#algorithm', 'ketama');
  await page.waitForFunction(() => /ketama/.test(document.querySelector('[data-testid=ring-rule]').textContent));
  await painted(page);
  const k = new Ketama();
  for (const s of m.servers) k.add(s.id, 11211, { weight: Math.round(s.weight * 100) });
  const shown = await dots(page);
  const segments = await arcSegments(page);
  assert.ok(segments.length > m.servers.length, `${segments.length} arc segments`);
  const turn = 2 * Math.PI;
  let inside = 0;
  for (const d of shown) {
    const owner = k.get(d.user).replace(/:11211$/, '');
    assert.equal(d.owner, owner, `${d.user}: owner`);
    assert.equal(d.fill, colour.get(owner), `${d.user}: colour`);
    // Its place: ketama's hash, the first 4 bytes of MD5(id) little-endian.
    const position = createHash('md5').update(d.user).digest().readUInt32LE(0);
    const a = (Math.atan2(d.x - 330, 330 - d.y) + turn) % turn;
    const want = position / 2 ** 32 * turn;
    assert.ok(Math.min(Math.abs(a - want), turn - Math.abs(a - want)) < 1e-3, `${d.user}: at ${a}, ketama hash ${want}`);
    // The clockwise rule: the arc it sits in is its owner's.
    const seg = segments.find((s) => {
      const span = (s.to - s.from + turn) % turn;
      const off = (a - s.from + turn) % turn;
      return off > 1e-4 && off < span - 1e-4;
    });
    if (!seg) continue; // within a hair of a point
    inside++;
    assert.equal(seg.colour, d.fill, `${d.user}: in another server's arc`);
  }
  assert.ok(inside > 1100, `only ${inside} users checked against arcs`);
  // Modulo has no ring: the page says so, draws no arcs, and colours by hash % n.
  await page.selectOption('#algorithm', 'modulo');
  await page.waitForFunction(() => /no ring/.test(document.querySelector('[data-testid=ring-rule]').textContent));
  assert.equal(await page.locator('svg.ring .arcs path').count(), 0);
  const { modulo } = reference(m);
  for (const d of await dots(page)) assert.equal(d.owner, modulo.get(d.user), `${d.user}: modulo owner`);
  // Back on the ring: ringroute's owners again.
  await page.selectOption('#algorithm', 'ring');
  await page.waitForFunction(() => /clockwise/.test(document.querySelector('[data-testid=ring-rule]').textContent));
  const { owners } = reference(m);
  for (const d of await dots(page)) assert.equal(d.owner, owners.get(d.user), `${d.user}: ring owner`);
  k.free();
  assert.deepEqual(errors, []);
  await close();
});
