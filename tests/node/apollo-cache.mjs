// Apollo Client 4's normalized cache against a live Birlik server: runs one query through
// InMemoryCache (errorPolicy "all", as apps that show partial answers do), then reads it back.
// Usage: node apollo-cache.mjs <url of /graphql> <query> [access token]
// Prints one JSON object: what the network gave Apollo (`data`, the errors' `paths` and `codes`)
// and what `readQuery` returns from the cache afterwards (`cached`; null when Apollo cannot read
// the answer back, as with a missing key). The e2e test (tests/e2e/standards/apollo.rs) judges it.
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';

const [url, text, token] = process.argv.slice(2);
if (!url || !text) {
  console.error('usage: node apollo-cache.mjs <url> <query> [token]');
  process.exit(2);
}

const client = new ApolloClient({
  link: new HttpLink({
    uri: url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }),
  cache: new InMemoryCache(),
});
const query = gql(text);
const result = await client.query({ query, fetchPolicy: 'network-only', errorPolicy: 'all' });
const errors = result.error?.errors ?? [];
const cached = client.readQuery({ query });
console.log(
  JSON.stringify({
    data: result.data ?? null,
    paths: errors.map((e) => e.path ?? null),
    codes: errors.map((e) => e.extensions?.code ?? null),
    cached: cached ?? null,
  }),
);
