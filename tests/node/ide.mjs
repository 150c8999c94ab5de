// The GraphiQL IDE in headless Chromium with every request off 127.0.0.1 blocked: opens the IDE,
// puts a query in its editor, runs it with the IDE's own button and waits for the answer in the
// result pane; opens the schema's documentation (GraphiQL's introspection, under the server's
// limits); starts a subscription over the WebSocket; then pastes a Bearer token into the headers
// editor and asks who is signed in.
// Usage: node ide.mjs <server base url> <query> <expected text> <screenshot path> <access token>
// Prints one JSON object: the result pane's text for each operation, the documentation's first
// lines, the WebSockets opened, what was blocked, every request made, the Content-Security-Policy violations and page
// errors seen, and `failure` (null when every step passed). tests/e2e/ide.rs judges it.
import { open } from './browser.mjs';

const [base, query, expected, screenshot, token] = process.argv.slice(2);
if (!base || !query || !expected || !screenshot || !token) {
  console.error('usage: node ide.mjs <base url> <query> <expected text> <screenshot> <token>');
  process.exit(2);
}

const { browser, page, blocked, requests } = await open(1280);
const errors = [];
const sockets = [];
page.on('websocket', (socket) => sockets.push(socket.url()));
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => {
  if (m.type() === 'error') errors.push(m.text());
});
// Every refusal by the page's policy, recorded before any of the page's scripts runs.
await page.addInitScript(() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
  );
});

// GraphiQL 3's editors are CodeMirror 5 instances: text goes in through the editor's API (typing
// would meet its bracket auto-closing), as a paste would.
// GraphiQL parses the query a moment after an edit (debounced), and the parsed document is what
// tells its fetcher that an operation is a subscription: give it that moment, as a user's
// reaching for the button does.
const setEditor = async (selector, text) => {
  await page.evaluate(([s, t]) => document.querySelector(s).CodeMirror.setValue(t), [selector, text]);
  await page.waitForTimeout(500);
};
const response = () => page.evaluate(() => document.querySelector('.graphiql-response').innerText);
const runAndWaitFor = async (...wanted) => {
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    (want) => {
      const pane = document.querySelector('.graphiql-response');
      return pane && want.every((w) => pane.innerText.includes(w));
    },
    wanted,
    { timeout: 30000 },
  );
  return response();
};

const out = { result: null, docs: null, subscribed: null, signedIn: null, failure: null };
try {
  await page.goto(`${base}/graphql`, { waitUntil: 'load' });
  await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 30000 });
  await setEditor('.graphiql-query-editor .CodeMirror', query);
  out.result = await runAndWaitFor('"collectedTonnes"', expected);
  await page.screenshot({ path: screenshot });

  await page.click('[aria-label="Show Documentation Explorer"]');
  await page.waitForFunction(
    () => document.querySelector('.graphiql-doc-explorer')?.innerText.includes('query: Query'),
    null,
    { timeout: 30000 },
  );
  out.docs = (await page.innerText('.graphiql-doc-explorer')).slice(0, 200);

  // A subscription goes over the WebSocket of the same host (the policy's `connect-src 'self'`);
  // anonymous, it is refused there with a code.
  await setEditor('.graphiql-query-editor .CodeMirror', 'subscription { taskEvents { kind } }');
  out.subscribed = await runAndWaitFor('"UNAUTHENTICATED"', '"taskEvents"');

  // The headers tab is open from the start; its editor is the one not hidden.
  await setEditor(
    '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror',
    JSON.stringify({ Authorization: `Bearer ${token}` }),
  );
  await setEditor('.graphiql-query-editor .CodeMirror', '{ me { role } }');
  out.signedIn = await runAndWaitFor('"role"', 'MINISTRY');
} catch (e) {
  out.failure = String(e);
  out.pane = await response().catch(() => null);
  await page.screenshot({ path: screenshot });
}
const violations = await page.evaluate(() => window.__violations ?? []);
await browser.close();
console.log(JSON.stringify({ ...out, sockets, blocked, requests, violations, errors }));
