"""GraphiQL for browsers, served with its scripts and styles by the gateway.

The assets under ``gateway/static/graphiql`` are vendored (see the README
there), so the page works offline and loads nothing from another host.
"""

from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"

DEFAULT_QUERY = """\
# Press Ctrl-Enter to run the query.
{
  customers(first: 5) {
    nodes {
      id
      email
      subscriptions(first: 3) {
        nodes {
          id
          status
        }
      }
    }
  }
}
"""

_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>Stripe GraphQL Gateway</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{static}/graphiql.min.css">
<link rel="stylesheet" href="{static}/page.css">
</head>
<body>
<div id="graphiql" data-endpoint="{endpoint}" data-default-query="{query}"></div>
<script src="{static}/react.production.min.js"></script>
<script src="{static}/react-dom.production.min.js"></script>
<script src="{static}/graphiql.min.js"></script>
<script src="{static}/init.js"></script>
</body>
</html>
"""


def graphiql_html(
    endpoint: str = "/graphql",
    static_prefix: str = "/static/graphiql",
    default_query: str = DEFAULT_QUERY,
) -> str:
    """Return the GraphiQL page that sends its queries to ``endpoint``.

    ``static_prefix`` is where ``static_app()``'s ``graphiql`` folder is
    served. A ``?query=`` parameter in the page's URL preloads that query.
    """
    static = static_prefix.rstrip("/")

    return _PAGE.format(
        csp=escape(_content_security_policy(endpoint, static)),
        static=escape(static),
        endpoint=escape(endpoint),
        query=escape(default_query),
    )


def static_app() -> StaticFiles:
    """Serve ``gateway/static``; the app mounts it at ``/static``."""
    return StaticFiles(directory=STATIC_DIR)


def _content_security_policy(endpoint: str, static: str) -> str:
    # The page itself pins what it may load, so that a stray URL in a
    # vendored bundle can never reach another host.
    scripts = _source(static)
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts}",
            f"style-src {scripts} 'unsafe-inline'",
            f"font-src {scripts} data:",
            f"img-src {scripts} data:",
            f"connect-src {_source(endpoint)}",
        ]
    )


def _source(url: str) -> str:
    """The CSP source for ``url``: its origin when absolute, else 'self'."""
    parts = urlsplit(url)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return "'self'"
