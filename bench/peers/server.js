// The benchmark's peer: PostGraphile v4 over the bench database, the way its documentation serves it
// from a library (one Node process), with the connection-filter (relations on) and aggregates plugins.
// Usage: node server.js <postgres url> <port>. Listens on 127.0.0.1 only.
const http = require("http");
const { postgraphile } = require("postgraphile");
const ConnectionFilterPlugin = require("postgraphile-plugin-connection-filter");
const PgAggregatesPlugin = require("@graphile/pg-aggregates").default;

const [url, port] = process.argv.slice(2);
// A pg pool config: the same 16 connections as Birlik's default pool.
const pool = { connectionString: url, max: Number(process.env.PEER_POOL_SIZE || 16) };
const middleware = postgraphile(pool, "public", {
  appendPlugins: [ConnectionFilterPlugin, PgAggregatesPlugin],
  graphileBuildOptions: { connectionFilterRelations: true },
  legacyRelations: "omit",
  disableDefaultMutations: true,
  disableQueryLog: true,
  retryOnInitFail: false,
  watchPg: false,
  graphiql: false,
  setofFunctionsContainNulls: false,
  extendedErrors: ["errcode"],
});
http.createServer(middleware).listen(Number(port), "127.0.0.1", () => {
  console.log(`postgraphile listening on 127.0.0.1:${port}`);
});
