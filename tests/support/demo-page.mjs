// Helpers for the demo's browser tests: a fresh page per test (tests share no page and
// no order) and what the page shows. ring-core's answers are in demo-reference.mjs.

/** A new page on the demo (optionally at a state fragment), with its errors collected. */
export async function openDemo(browser, url, { width = 1280, height = 800, hash = '' } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(hash ? `${url}#${hash}` : url);
  await page.waitForSelector('svg.ring circle.user');
  return { page, errors, close: () => context.close() };
}

/** Runs every CSS animation to its end, so a picture no longer depends on timing. */
export function settle(page) {
  return page.evaluate(() => document.getAnimations().forEach((a) => a.finish()));
}

/** Waits until the page shows `n` users. */
export function users(page, n) {
  return page.waitForFunction((n) => document.querySelectorAll('svg.ring circle.user:not(.hot)').length === n, n);
}

/** What the page says about its membership: config, servers, users (and hot sessions). */
export function membership(page) {
  // Dots are grouped by colour on the page: put keys back in creation order (user-N by N).
  const byNumber = (ids) => ids.sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]));
  return page.evaluate(() => ({
    seed: Number(document.querySelector('main').dataset.seed),
    vnodes: Number(document.querySelector('main').dataset.vnodes),
    users: [...document.querySelectorAll('svg.ring circle.user:not(.hot)')].map((c) => c.dataset.user),
    hot: [...document.querySelectorAll('svg.ring circle.user.hot')].map((c) => c.dataset.user),
    servers: [...document.querySelectorAll('.servers li')].map((li) => ({
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
      dots: [...document.querySelectorAll('svg.ring circle.user')].map((c) =>
        [c.dataset.user, c.getAttribute('fill'), c.getAttribute('class'), c.getAttribute('stroke'), c.getAttribute('cx')].join()).sort(),
      arcs: [...document.querySelectorAll('svg.ring .arcs path')].map((p) => p.getAttribute('d')),
      ticks: [...document.querySelectorAll('svg.ring .ticks, svg.ring .marker')].map((p) => p.outerHTML),
      overlay: document.querySelector('svg.overlay').innerHTML.replace(/animation-delay:\d+ms/g, ''),
      results: t('.results .what, .results .figure, .results .status p'),
      rows: t('.servers li'),
      balance: t('.balance'),
      story: t('.story'),
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
