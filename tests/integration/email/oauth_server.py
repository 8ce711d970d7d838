"""A local OAuth 2.0 server for the XOAUTH2 tests, on 127.0.0.1 in a thread.

``POST /token``: the refresh_token grant (RFC 6749 §6) for the poller. ``POST /introspect``:
token introspection (RFC 7662, ``token=`` form field) for Dovecot's oauth2 passdb, answering
``{"active": true, "email": <user>}`` for a live token and ``{"active": false}`` otherwise.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class OAuthState:
    client_id: str = "hotline-test-client"
    client_secret: str = "client-secret-0123"
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token -> user
    access_tokens: dict[str, tuple[str, float]] = field(default_factory=dict)  # -> user, expiry
    expires_in: int = 3600
    grants: list[dict[str, str]] = field(default_factory=list)  # every /token request's form
    introspected: list[str] = field(default_factory=list)  # every token Dovecot asked about
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh_token_for(self, user: str) -> str:
        token = "rt-" + secrets.token_urlsafe(16)
        self.refresh_tokens[token] = user
        return token

    def expire_all(self) -> None:
        """Every issued access token stops working (the client does not know)."""
        with self.lock:
            self.access_tokens = {t: (u, 0.0) for t, (u, _) in self.access_tokens.items()}

    def grant(self, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        with self.lock:
            self.grants.append(form)
            if (form.get("client_id"), form.get("client_secret")) != (
                self.client_id,
                self.client_secret,
            ):
                return 401, {"error": "invalid_client"}
            user = self.refresh_tokens.get(form.get("refresh_token", ""))
            if form.get("grant_type") != "refresh_token" or user is None:
                return 400, {"error": "invalid_grant", "error_description": "bad refresh token"}
            token = "at-" + secrets.token_urlsafe(24)
            self.access_tokens[token] = (user, time.time() + self.expires_in)
            return 200, {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.expires_in,
            }

    def introspect(self, token: str) -> dict[str, object]:
        with self.lock:
            self.introspected.append(token)
            user, expiry = self.access_tokens.get(token, ("", 0.0))
            if not user or expiry < time.time():
                return {"active": False}
            return {"active": True, "email": user}


def handler_for(state: OAuthState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path == "/token":
                status, answer = state.grant(form)
            elif self.path == "/introspect":
                status, answer = 200, state.introspect(form.get("token", ""))
            else:
                status, answer = 404, {"error": "not_found"}
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests read the state instead."""

    return Handler


@contextmanager
def oauth_server() -> Iterator[tuple[str, OAuthState]]:
    """Yields the base URL (``http://127.0.0.1:<port>``) and the server's state."""
    state = OAuthState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
