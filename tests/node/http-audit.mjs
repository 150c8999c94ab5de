// graphql-http's own audit of the GraphQL-over-HTTP spec, run against a live Birlik server.
// Usage: node http-audit.mjs <url of /graphql>
// Prints one JSON array: every audit's id, name ("MUST …", "SHOULD …", "MAY …") and result
// status ("ok", or "error"/"warn"/"notice" for a failed MUST/SHOULD/MAY) with its reason.
// The e2e test (tests/e2e/standards/http.rs) judges them.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node http-audit.mjs <url>');
  process.exit(2);
}

const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({
    id: audit.id,
    name: audit.name,
    status: result.status,
    reason: result.reason ?? null,
  });
}
console.log(JSON.stringify(results));
