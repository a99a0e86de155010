"""``GET /docs``: Swagger UI served by isales itself (works offline) and able to sign.

The Swagger UI files are vendored in ``static/swagger-ui/`` (see its VENDORED.md);
``static/signing.js`` signs "Try it out" requests with a key pasted into the page (kept
in the page only).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

_ASSETS = Path(__file__).with_name("static")

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <link rel="icon" href="data:,">
  <title>isales API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui/swagger-ui.css">
  <style>
    /* the signing bar: the same type and spacing as Swagger UI below it */
    #isales-key { font-family: sans-serif; font-size: 14px; color: #3b4151;
      display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px;
      padding: 12px 20px; background: #1b1b1b; color: #fff; }
    #isales-key label { display: flex; align-items: center; gap: 6px; font-weight: 600; }
    #isales-key input { width: 22em; max-width: 100%; padding: 6px 8px; border: 1px solid #888;
      border-radius: 4px; font: inherit; }
    #isales-key button { padding: 6px 14px; border: 0; border-radius: 4px; background: #49cc90;
      color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
    #isales-key [role=status] { padding: 2px 8px; border-radius: 10px; background: #444; }
    #isales-key small { flex-basis: 100%; color: #ccc; }
  </style>
</head>
<body>
  <form id="isales-key" autocomplete="off">
    <label>Access key <input name="accessKey" autocomplete="off"></label>
    <label>Secret key <input name="secretKey" type="password" autocomplete="off"></label>
    <button type="submit">Sign requests</button>
    <span id="isales-key-state" role="status">not signing</span>
    <small>The key stays in this page: it is not stored and only signatures are sent.</small>
  </form>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/signing.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    app.mount("/docs/assets", StaticFiles(directory=str(_ASSETS)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)
