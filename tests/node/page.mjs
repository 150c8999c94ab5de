// The situation page in headless Chromium, without JavaScript, with every request off 127.0.0.1
// blocked: at 360 and 1280 px it loads nothing from elsewhere, does not scroll sideways at 360,
// shows the figures the Rust test read from GraphQL, weighs under 60 KB on the wire, and leaves
// full-page screenshots (and one of the first screen) in the artifacts folder.
// Usage: node page.mjs <page url> <out dir> <expected JSON: { figures: {id: value}, regions: {code: [collected, received]} }>
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open } from './browser.mjs';

const [url, outDir, expectedJson] = process.argv.slice(2);
const expected = JSON.parse(expectedJson);
const report = {};

function check(ok, message) {
  if (!ok) throw new Error(message);
}

for (const width of [360, 1280]) {
  const { browser, page, blocked, requests } = await open(width, { javaScript: false });
  try {
    let transferred = 0;
    const responses = [];
    page.on('response', (r) => responses.push(r));
    const main = await page.goto(url, { waitUntil: 'load' });
    check(main && main.status() === 200, `${url} answered ${main && main.status()}`);
    for (const r of responses) {
      const sizes = await r.request().sizes();
      transferred += sizes.responseBodySize + sizes.responseHeadersSize;
    }
    check(blocked.length === 0, `requests left the server: ${blocked.join(', ')}`);
    check(transferred < 60 * 1024, `${transferred} bytes transferred at ${width} px`);

    const seen = await page.evaluate(() => {
      const figures = {};
      for (const el of document.querySelectorAll('dd[id][data-value]')) {
        figures[el.id] = el.getAttribute('data-value');
      }
      const regions = {};
      for (const tr of document.querySelectorAll('#regions tr[data-region]')) {
        regions[tr.dataset.region] = [tr.dataset.collectedTonnes, tr.dataset.receivedTonnes];
      }
      const phone = document.getElementById('contactCenterPhone');
      return {
        figures,
        regions,
        phone: phone && phone.textContent,
        phoneHref: phone && phone.getAttribute('href'),
        lang: document.documentElement.lang,
        scrollWidth: document.documentElement.scrollWidth,
        charts: document.querySelectorAll('svg rect').length,
        captions: document.querySelectorAll('table > caption').length,
        tables: document.querySelectorAll('table').length,
        scripts: document.querySelectorAll('script').length,
      };
    });
    for (const [id, value] of Object.entries(expected.figures)) {
      check(seen.figures[id] === value, `#${id}: page ${seen.figures[id]}, GraphQL ${value}`);
    }
    for (const [code, pair] of Object.entries(expected.regions)) {
      const row = seen.regions[code];
      check(row && row[0] === pair[0] && row[1] === pair[1],
        `region ${code}: page ${row}, GraphQL ${pair}`);
    }
    check(seen.phone === expected.phone, `phone ${seen.phone}`);
    check(seen.phoneHref === `tel:${expected.phone.replaceAll(' ', '')}`, `tel link ${seen.phoneHref}`);
    check(seen.scripts === 0, 'a script on the page');
    check(seen.charts > 0, 'no chart drawn');
    check(seen.captions === seen.tables, `${seen.tables} tables, ${seen.captions} captions`);
    if (width === 360) {
      check(seen.scrollWidth <= 360, `the page scrolls sideways at 360 px: ${seen.scrollWidth}`);
    }
    const shot = join(outDir, `situation-${width}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    // The first screen alone, small enough for the README (docs/situation-page.png).
    await page.screenshot({ path: join(outDir, `situation-${width}-screen.png`) });
    report[width] = { transferred, scrollWidth: seen.scrollWidth, requests: requests.length, shot, lang: seen.lang };
  } finally {
    await browser.close();
  }
}
writeFileSync(join(outDir, 'situation-page.json'), JSON.stringify(report, null, 2));
console.log(JSON.stringify(report));
