// Starts GraphiQL from the settings that gateway/graphiql.py writes as data
// attributes on #graphiql. It lives in a file, not inline, so that the page
// runs under a Content-Security-Policy of script-src 'self'.
(function () {
  "use strict";

  var root = document.getElementById("graphiql");
  var params = new URLSearchParams(window.location.search);
  var fetcher = GraphiQL.createFetcher({ url: root.dataset.endpoint });

  // A ?query= link replaces the editor's contents; without one, GraphiQL
  // shows the last query from local storage, or else the default.
  var props = {
    fetcher: fetcher,
    defaultQuery: root.dataset.defaultQuery,
  };
  if (params.has("query")) {
    props.query = params.get("query");
  }

  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
