"""The API's Swagger UI and Redoc pages, served with their scripts from this app (no CDN): they work offline.

The assets come from the fastapi-offline package (a PyPI wheel bundling swagger-ui-dist and redoc's standalone
build); the pages are FastAPI's own, pointed at them."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/api-assets"


def assets_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).resolve().parent / "static"


def mount_api_docs(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Add /docs (Swagger UI) and /redoc to an app made with docs_url=None, redoc_url=None."""
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="api-assets")
    title = app.title + " API"

    @app.get(docs_url, include_in_schema=False)
    def swagger_ui():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=title,
                                   swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
                                   swagger_favicon_url="/favicon.ico")

    @app.get(redoc_url, include_in_schema=False)
    def redoc():
        return get_redoc_html(openapi_url=app.openapi_url, title=title, redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
                              redoc_favicon_url="/favicon.ico", with_google_fonts=False)
