"""Headers that keep hostile customer content inert in the agent's browser.

Every response gets ``nosniff``, no referrer, no framing by others, no opener across origins
and no use by other sites' pages; HTML gets a Content-Security-Policy with scripts from our
origin only (no inline script, no eval, no inline event handler, no plugin, no ``<base>``), so
markup that slipped through escaping could still not run. Any other response gets a policy
that allows nothing and sandboxes it, should a browser ever render it as a document.
Routes that need another policy set their own (the sanitized HTML mail for its iframe, the
attachments); the middleware only fills in what a response did not set.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "frame-src 'self'",  # the sanitized HTML mail, in <iframe sandbox>
        "worker-src 'none'",
        "manifest-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
NOT_HTML_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"
# FastAPI's API reference (/docs, /redoc) shows only our own OpenAPI document, with its
# assets from FastAPI's default CDN and an inline start-up script: no customer content.
DOCS = ("/docs", "/docs/oauth2-redirect", "/redoc")
CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {CDN}; "
    f"style-src 'self' 'unsafe-inline' {CDN}; img-src 'self' data: https://fastapi.tiangolo.com; "
    "frame-ancestors 'none'"
)
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def secure_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in ALWAYS.items():
            response.headers.setdefault(name, value)
        html = response.headers.get("content-type", "").startswith("text/html")
        policy = DOCS_CSP if request.url.path in DOCS else CSP if html else NOT_HTML_CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
