"""Opening an IMAP session: implicit TLS (IMAPS), STARTTLS, or plaintext only when configured;
then LOGIN with a password or AUTHENTICATE XOAUTH2 with an OAuth access token.

Certificates are always verified (the system's CAs, or ``ca_file``) with the host name
checked. A TLS failure is a ``TlsError`` naming the host and the reason; nothing ever falls
back to plaintext. aioimaplib 2.0 has IMAPS (``ssl_context``) and XOAUTH2 but no STARTTLS, and
its XOAUTH2 waits for a timeout when the server answers with an error challenge, and logs the
SASL string at DEBUG: ``_Protocol`` adds STARTTLS and a scrubbed XOAUTH2 that answers the
challenge.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from base64 import b64encode
from pathlib import Path
from typing import Any

import aioimaplib
from aioimaplib.aioimaplib import AUTH, Command, IMAP4ClientProtocol, Response, change_state, quoted

from email_ingest.imap_oauth import TokenSource

_CAPABILITY = re.compile(rb"^\[?CAPABILITY ([^\]]*)")  # aioimaplib drops the [ ] of the code


class TlsError(Exception):
    """TLS could not be set up as configured (untrusted certificate, failed handshake, no
    STARTTLS on offer). The poller reports it as a configuration error."""


class AuthError(Exception):
    """The server refused our credentials."""


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """Verification on, host name checked; ``ca_file`` replaces the system's CAs."""
    try:
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (OSError, ValueError) as exc:  # missing, unreadable or not PEM
        raise TlsError(f"ca_file {ca_file} cannot be used: {exc}") from None


class _Protocol(IMAP4ClientProtocol):  # type: ignore[misc]
    transport: Any

    def _continuation(self, line: bytes) -> None:
        pending = self.pending_sync_command
        if pending is not None and pending.name == "AUTHENTICATE":
            # A challenge after our initial response is the server's error report (RFC 7628
            # §3.2.3; Google's XOAUTH2): answer empty so that it sends its tagged NO.
            pending.append_to_resp(line)
            self.transport.write(b"\r\n")
            return
        super()._continuation(line)

    async def starttls(self, context: ssl.SSLContext, hostname: str) -> Response:
        response = await self.execute(Command("STARTTLS", self.new_tag(), loop=self.loop))
        if response.result == "OK":
            self.transport = await self.loop.start_tls(
                self.transport, self, context, server_hostname=hostname
            )
            await self.capability()  # RFC 3501 §6.2.1: forget what was said before TLS
        return response

    def _authenticated(self, response: Response) -> None:
        """Logged in: the OK line may carry the post-login CAPABILITY list (MOVE, ...)."""
        if response.result != "OK":
            return
        self.state = AUTH
        for line in response.lines:
            found = _CAPABILITY.search(bytes(line))
            if found:
                self.capabilities |= set(found.group(1).decode(errors="replace").split())

    @change_state  # type: ignore[untyped-decorator]
    async def login(self, user: str, password: str) -> Response:
        secret = quoted(password)
        command = Command("LOGIN", self.new_tag(), user, secret, loop=self.loop)
        response = await self.execute(command, scrub=secret)
        self._authenticated(response)
        return response

    @change_state  # type: ignore[untyped-decorator]
    async def xoauth2(self, user: str, token: str) -> Response:
        sasl = b64encode(f"user={user}\x01auth=Bearer {token}\x01\x01".encode()).decode("ascii")
        command = Command("AUTHENTICATE", self.new_tag(), "XOAUTH2", sasl, loop=self.loop)
        response = await self.execute(command, scrub=sasl)
        self._authenticated(response)
        return response


class Client(aioimaplib.IMAP4):  # type: ignore[misc]
    protocol: _Protocol

    def create_client(
        self,
        host: str,
        port: int,
        loop: asyncio.AbstractEventLoop | None,
        conn_lost_cb: object = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        running = loop or asyncio.get_running_loop()
        self.protocol = _Protocol(running, conn_lost_cb)
        connecting = running.create_connection(lambda: self.protocol, host, port, ssl=ssl_context)
        self._client_task = running.create_task(connecting)

    async def starttls(self, context: ssl.SSLContext) -> Response:
        starting = self.protocol.starttls(context, self.host)
        return await asyncio.wait_for(starting, self.timeout)

    def close_transport(self) -> None:
        if self.protocol.transport is not None:
            self.protocol.transport.close()


async def connect(
    host: str, port: int, security: str, ca_file: Path | None, timeout: float
) -> Client:
    """A greeted session, inside TLS unless ``security == "plain"``."""
    if security not in ("imaps", "starttls", "plain"):  # never read a typo as plaintext
        raise TlsError(f"security must be imaps, starttls or plain, not {security!r}")
    context = None if security == "plain" else tls_context(ca_file)
    implicit = context if security == "imaps" else None
    client = Client(host=host, port=port, timeout=timeout, ssl_context=implicit)
    try:
        await client.wait_hello_from_server()
        if security == "starttls" and context is not None:
            await _starttls(client, context)
    except ssl.SSLError as exc:
        client.close_transport()
        raise _tls_error(exc, host, port, security) from None
    except BaseException:
        client.close_transport()
        raise
    return client


def _tls_error(exc: ssl.SSLError, host: str, port: int, security: str) -> TlsError:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TlsError(
            f"TLS certificate of {host}:{port} not trusted ({exc.verify_message}); "
            "if a private CA signed it, set ca_file to that CA"
        )
    return TlsError(
        f"TLS handshake with {host}:{port} failed ({exc.reason or exc}); "
        f"does port {port} speak security={security}?"
    )


async def _starttls(client: Client, context: ssl.SSLContext) -> None:
    if not client.has_capability("STARTTLS"):
        raise TlsError(
            f"{client.host}:{client.port} does not offer STARTTLS; not logging in without TLS"
        )
    answer = await client.starttls(context)
    if answer.result != "OK":
        raise TlsError(f"{client.host}:{client.port} refused STARTTLS: {answer.lines[-1:]!r}")


async def log_in(client: Client, user: str, password: str, tokens: TokenSource | None) -> None:
    """LOGIN, or XOAUTH2 with a cached token, then once more with a fresh one if refused."""
    if tokens is None:
        _authenticated(await client.login(user, password), "LOGIN", user)
        return
    if not client.has_capability("AUTH=XOAUTH2"):
        raise AuthError(f"{client.host}:{client.port} does not offer AUTH=XOAUTH2")
    answer = await client.xoauth2(user, await tokens.token())
    if answer.result != "OK":  # expired or revoked before its time: one fresh token
        tokens.invalidate()
        answer = await client.xoauth2(user, await tokens.token())
    _authenticated(answer, "XOAUTH2", user)


def _authenticated(answer: Response, how: str, user: str) -> None:
    if answer.result != "OK":
        said = bytes(answer.lines[-1]).decode(errors="replace") if answer.lines else ""
        raise AuthError(f"{how} as {user} refused: {answer.result} {said}")
