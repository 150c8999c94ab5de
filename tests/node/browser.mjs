// Headless Chromium (Debian's package) driven by playwright-core, for the page and IDE tests.
// Every request to anywhere but 127.0.0.1 is blocked and recorded, so a test can assert that
// nothing the page loads comes from elsewhere.
import { chromium } from 'playwright-core';

/** Opens Chromium; returns { browser, page, blocked, requests } for a viewport `width` px wide. */
export async function open(width, { height = 800, javaScript = true } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({
    viewport: { width, height },
    javaScriptEnabled: javaScript,
  });
  const blocked = [];
  const requests = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    requests.push(url.href);
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1') {
      return route.continue();
    }
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  return { browser, context, page, blocked, requests };
}
