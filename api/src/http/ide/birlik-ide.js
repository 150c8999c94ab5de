// Starts the vendored GraphiQL against this server: queries over HTTP POST to /graphql (same
// origin), subscriptions over a WebSocket to the same path on the same host. Served from the
// binary like the rest of the IDE, so the page's policy can refuse every inline script.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var endpoint = root.getAttribute('data-endpoint') || '/graphql';
  var socket = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + endpoint;
  // `#query=…` (the fragment never reaches the server) opens the IDE on that query.
  var shared = new URLSearchParams(location.hash.slice(1));
  document.body.style.margin = '0';
  root.style.height = '100vh';
  root.textContent = '';
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: socket }),
      query: shared.get('query') || undefined,
      variables: shared.get('variables') || undefined,
      defaultQuery:
        '# Birlik: the humanitarian aid API. Ctrl-Enter runs the query.\n' +
        '# Signed in? Put {"Authorization": "Bearer <access token>"} in Headers below.\n\n' +
        '{\n  reliefSummary {\n    collectedTonnes\n    deliveredTonnes\n    pendingTonnes\n    asOf\n  }\n}\n',
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
      // A pasted token stays in this tab only, never in the browser's storage.
      shouldPersistHeaders: false,
    })
  );
})();
