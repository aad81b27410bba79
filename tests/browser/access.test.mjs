// Keyboard, screen readers and contrast: the ring's ticks take no tab stops, a removal
// can be undone with focus on the Undo button, results are announced, and text,
// placeholders and server chips reach WCAG AA (4.5:1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/chromium.mjs';
import { serveDemo } from '../support/demo-server.mjs';
import { openDemo, membership, text, dots, dotsPainted } from '../support/demo-page.mjs';

let server;
let browser;
before(async () => { [server, browser] = await Promise.all([serveDemo(), launchChromium()]); });
after(async () => { await browser?.close(); await server?.stop(); });

test('tab order starts with the controls; nothing on the ring is a tab stop', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  assert.equal(await page.locator('svg [tabindex], svg a, svg button').count(), 0);
  const stops = [];
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    stops.push(await page.evaluate(() => document.activeElement.id || document.activeElement.tagName));
  }
  assert.deepEqual(stops.slice(0, 3), ['story-start', 'add-server', 'add-100']);
  assert.deepEqual(errors, []);
  await close();
});

test('a removal by keyboard can be undone, focus lands on Undo, and both are announced', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  const was = await membership(page);
  await page.focus('button[aria-label="remove srv-2"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'undo');
  assert.match(await page.locator('[data-testid=announce]').textContent(), /srv-2 left: \d+ of 200 users moved .*Undo is available for srv-2/);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /srv-2 joined/.test(document.querySelector('[data-testid=announce]').textContent));
  const now = await membership(page);
  assert.deepEqual(now.servers, was.servers, 'srv-2 is back with its colour and users');
  assert.equal(await page.locator('#undo').count(), 0);
  assert.deepEqual(errors, []);
  await close();
});

test('text, placeholders and chips reach WCAG AA contrast', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  await page.click('#add-server');
  await page.fill('#key', 'user-42');
  await page.click('#lookup');
  const failures = await page.evaluate(() => {
    const rgb = (c) => c.match(/[\d.]+/g).slice(0, 4).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length < 4 || c[3] > 0) return c;
      }
      return [14, 19, 32];
    };
    const bad = [];
    const leaves = [...document.querySelectorAll('main *')].filter((e) =>
      [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && e.getClientRects().length && !e.closest('svg'));
    for (const e of leaves) {
      const r = ratio(rgb(getComputedStyle(e).color), background(e));
      if (r < 4.5) bad.push(`${e.tagName}.${e.className} "${e.textContent.trim().slice(0, 30)}": ${r.toFixed(2)}`);
    }
    for (const input of document.querySelectorAll('input[placeholder]')) {
      const r = ratio(rgb(getComputedStyle(input, '::placeholder').color), background(input));
      if (r < 4.5) bad.push(`placeholder of #${input.id}: ${r.toFixed(2)}`);
    }
    return bad;
  });
  assert.deepEqual(failures, []);
  assert.deepEqual(errors, []);
  await close();
});

test('past eight servers, colours get a second cue and the page claims no more', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  for (let i = 0; i < 6; i++) await page.click('#add-server');
  await page.waitForFunction(() => document.querySelectorAll('.servers li').length === 10);
  const dashed = await page.evaluate(() => [...document.querySelectorAll('svg.ring .arcs path')]
    .map((p) => [Number(p.dataset.slot), p.getAttribute('stroke-dasharray')]));
  for (const [slot, dash] of dashed) assert.equal(dash !== null, slot >= 8, `slot ${slot}`);
  assert.equal(await page.locator('.servers .swatch.patterned').count(), 2);
  assert.match(await text(page, '.legend-note'), /hard to tell apart/);
  assert.doesNotMatch(await page.locator('main').innerText(), /distinguishable/);
  assert.deepEqual(errors, []);
  await close();
});

test('hovering or focusing a server highlights its arcs and users only, as painted', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  // Dots: the readout's "lit", checked against the canvas's pixels; arcs and ticks: opacity.
  const dimmed = async () => {
    const painted = await dotsPainted(page);
    assert.deepEqual(painted.bad, []);
    assert.ok(painted.checked > 50, `only ${painted.checked} dots checked`);
    const shown = await dots(page);
    const strokes = await page.evaluate(() => {
      const faded = (e) => {
        for (let x = e; x && x.tagName !== 'svg'; x = x.parentElement) if (getComputedStyle(x).opacity < 0.5) return true;
        return false;
      };
      return {
        arcs: [...document.querySelectorAll('svg.ring .arcs path')].filter((p) => !faded(p)).length,
        ticks: [...document.querySelectorAll('svg.ring .ticks')].filter((p) => !faded(p)).map((p) => p.dataset.server),
      };
    });
    return { lit: shown.filter((d) => d.lit).map((d) => d.owner), ...strokes };
  };
  assert.equal((await dimmed()).lit.length, 200, 'nothing dimmed at rest');
  await page.hover('li[data-server="srv-2"] .numbers');
  await page.waitForSelector('li[data-server="srv-2"].lit');
  let seen = await dimmed();
  assert.ok(seen.lit.length > 0 && seen.lit.every((o) => o === 'srv-2'), 'hover: only srv-2\'s users stay lit');
  assert.equal(seen.arcs, 1);
  assert.deepEqual(seen.ticks, ['srv-2']);
  await page.mouse.move(0, 0);
  await page.waitForFunction(() => !document.querySelector('li.lit'));
  await page.focus('li[data-server="srv-1"] input[type=text]');
  await page.waitForSelector('li[data-server="srv-1"].lit');
  seen = await dimmed();
  assert.ok(seen.lit.length > 0 && seen.lit.every((o) => o === 'srv-1'), 'focus: only srv-1\'s users stay lit');
  assert.deepEqual(errors, []);
  await close();
});

test('the canvas paints what its readout says, after a change with halos and a failure', async () => {
  const { page, errors, close } = await openDemo(browser, server.url);
  await page.click('#add-1000');
  await page.click('#add-server');
  await page.waitForFunction(() => /joined/.test(document.querySelector('[data-testid=what]').textContent));
  await page.check('li[data-server="srv-1"] input[type=checkbox]');
  await page.waitForSelector('[data-testid=failover]');
  await page.mouse.move(0, 0); // no hover highlight: every dot lit, so every colour is checked
  await page.waitForFunction(() => !document.querySelector('li.lit'));
  const shown = await dots(page);
  assert.ok(shown.every((d) => d.lit));
  const classes = new Set(shown.map((d) => d.class));
  assert.ok(classes.has('moved') && classes.has('replica'), [...classes].join('|'));
  const { checked, bad } = await dotsPainted(page);
  assert.ok(checked > 100, `only ${checked} isolated dots`);
  assert.deepEqual(bad, []);
  assert.deepEqual(errors, []);
  await close();
});
