// Helpers for the demo's browser tests: a fresh page per test (tests share no page and
// no order) and what the page shows (the users' dots through the canvas's readout). ring-core's answers are in demo-reference.mjs.

/** A new page on the demo (optionally at a state fragment), with its errors collected. */
export async function openDemo(browser, url, { width = 1280, height = 800, hash = '' } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(hash ? `${url}#${hash}` : url);
  await painted(page);
  return { page, errors, close: () => context.close() };
}

/**
 * The users' dots as the page shows them: the canvas's readout (`ringrouteDots()`), one
 * record per user or hot session: { user, owner, fill, stroke, class, hot, x, y, lit }
 * (x, y in the ring's SVG units; class lists the marks: moved, pending, dual, replica,
 * lost, spilled). `dotsPainted` checks the canvas's pixels against it.
 */
export function dots(page) {
  return page.evaluate(() => window.ringrouteDots().dots);
}

/** Waits until the canvas has painted the latest dot list. */
export function painted(page) {
  return page.waitForFunction(() => {
    const c = document.querySelector('canvas.dots');
    return c && window.ringrouteDots && c.dataset.painted === String(window.ringrouteDots().version);
  });
}

/** Dots whose record has every mark in `marks` (e.g. ['replica']). */
export async function dotsWith(page, ...marks) {
  return (await dots(page)).filter((d) => marks.every((m) => d.class.split(' ').includes(m)));
}

/**
 * Checks the canvas against its readout: at the centre of every dot with no other dot
 * near, the canvas pixel has the dot's fill colour (lit) or a faint one (dimmed), or is
 * empty (a lost dot). Returns the mismatches.
 */
export async function dotsPainted(page) {
  await painted(page);
  return page.evaluate(() => {
    const all = window.ringrouteDots().dots;
    const canvas = document.querySelector('canvas.dots');
    const k = canvas.width / 660;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const hex = (i) => '#' + [0, 1, 2].map((j) => data[i + j].toString(16).padStart(2, '0')).join('');
    const bad = [];
    let checked = 0;
    for (const d of all) {
      if (all.some((o) => o !== d && Math.hypot(o.x - d.x, o.y - d.y) < 6)) continue; // largest radius 4.6 + half a stroke
      const i = (Math.floor(d.y * k) * canvas.width + Math.floor(d.x * k)) * 4;
      const [colour, alpha] = [hex(i), data[i + 3]];
      checked++;
      if (d.fill === null) { if (alpha > 40) bad.push(`${d.user}: lost but painted ${colour}`); continue; }
      if (d.lit && (colour !== d.fill || alpha !== 255)) bad.push(`${d.user}: ${colour}/${alpha}, readout ${d.fill}`);
      if (!d.lit && alpha > 60) bad.push(`${d.user}: dimmed but alpha ${alpha}`);
    }
    return { checked, bad };
  });
}

/**
 * Runs every CSS animation to its end and waits for the moved users' journey (a canvas
 * animation of 1.6 s) to end, so a picture no longer depends on timing.
 */
export async function settle(page) {
  await page.evaluate(() => document.getAnimations().forEach((a) => a.finish()));
  await page.waitForFunction(() => document.querySelector('canvas.travellers')?.dataset.moving !== '1');
}

/** Waits until the page shows `n` users. */
export function users(page, n) {
  return page.waitForFunction((n) => window.ringrouteDots().dots.filter((d) => !d.hot).length === n, n);
}

/** What the page says about its membership: config, servers, users (and hot sessions). */
export function membership(page) {
  // Dots are grouped by colour on the page: put keys back in creation order (user-N by N).
  const byNumber = (ids) => ids.sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]));
  return page.evaluate(() => ({
    seed: Number(document.querySelector('main').dataset.seed),
    vnodes: Number(document.querySelector('main').dataset.vnodes),
    users: window.ringrouteDots().dots.filter((d) => !d.hot).map((d) => d.user),
    hot: window.ringrouteDots().dots.filter((d) => d.hot).map((d) => d.user),
    servers: [...document.querySelectorAll('.servers li[data-server]')].map((li) => ({
      id: li.dataset.server,
      weight: Number(li.querySelector('input[type=text]').value),
      colour: li.dataset.colour,
      users: Number(li.dataset.users),
      down: li.querySelector('input[type=checkbox]').checked,
    })),
  })).then((m) => ({ ...m, users: byNumber(m.users), hot: byNumber(m.hot) }));
}

/** The text of the first element matching `selector`, whitespace collapsed. */
export async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();
}

/** Everything a visitor sees, as data: dots, figures, panels. Equal pictures, equal data. */
export function picture(page) {
  return page.evaluate(() => {
    const t = (s) => [...document.querySelectorAll(s)].map((e) => e.textContent.trim());
    return {
      // Sorted: the stacking of two dots with the same look is not part of the picture.
      dots: window.ringrouteDots().dots.map((d) => [d.user, d.owner, d.fill, d.class, d.stroke, d.x, d.y].join()).sort(),
      arcs: [...document.querySelectorAll('svg.ring .arcs path')].map((p) => p.getAttribute('d')),
      ticks: [...document.querySelectorAll('svg.ring .ticks, svg.ring .marker')].map((p) => p.outerHTML),
      overlay: (document.querySelector('svg.overlay')?.innerHTML ?? '').replace(/animation-delay:\d+ms/g, ''),
      results: t('.results .what, .results .figure, .results .status p'),
      rows: t('.servers li'),
      balance: t('.balance'),
      // The story panel without its result line: "Story step 2: …" reports the click that
      // got there, which a link does not repeat.
      story: t('.story h2, .story .story-title, .story .watch, .story button'),
      answers: t('.answer'),
      controls: [...document.querySelectorAll('.controls input, .controls select')].map((e) => `${e.id}=${e.type === 'checkbox' ? e.checked : e.value}`),
    };
  });
}

/** How many pixels differ between two PNG screenshots (decoded in `page`'s canvas). */
export function pixelsDiffering(page, pngA, pngB) {
  const urls = [pngA, pngB].map((b) => `data:image/png;base64,${b.toString('base64')}`);
  return page.evaluate(async (urls) => {
    const load = (src) => new Promise((ok, fail) => { const i = new Image(); i.onload = () => ok(i); i.onerror = fail; i.src = src; });
    const images = await Promise.all(urls.map(load));
    if (images[0].width !== images[1].width || images[0].height !== images[1].height) return { differing: Infinity, total: 0 };
    const [da, db] = images.map((img) => {
      const c = new OffscreenCanvas(img.width, img.height);
      const x = c.getContext('2d');
      x.drawImage(img, 0, 0);
      return x.getImageData(0, 0, img.width, img.height).data;
    });
    let differing = 0;
    for (let i = 0; i < da.length; i += 4) {
      if (da[i] !== db[i] || da[i + 1] !== db[i + 1] || da[i + 2] !== db[i + 2]) differing++;
    }
    return { differing, total: da.length / 4 };
  }, urls);
}
