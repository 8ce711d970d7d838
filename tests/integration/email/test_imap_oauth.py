"""XOAUTH2 against a real Dovecot whose oauth2 passdb asks a local OAuth server (started here)
to introspect our token: the poller gets an access token with the refresh_token grant, logs in
over IMAPS, fetches; the token is reused while it lives; a token the server no longer accepts
is replaced once; a refused refresh token is a clear error with no secret in the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from email_ingest.imap import ImapConfig
from email_ingest.imap_mailbox import OAuthSettings
from email_ingest.imap_oauth import TokenSource
from tests.integration.email.dovecot import Dovecot, message, running_dovecot
from tests.integration.email.imap_run import (
    logins,
    memory_poller,
    message_ids,
    polling,
    wait_until,
)
from tests.integration.email.oauth_server import OAuthState, oauth_server

pytestmark = pytest.mark.integration


@dataclass
class OAuthPeers:
    dovecot: Dovecot
    url: str
    state: OAuthState


@pytest.fixture(scope="module")
def peers() -> Iterator[OAuthPeers]:
    with (
        oauth_server() as (url, state),
        running_dovecot("email-oauth", tls=True, oauth_url=f"{url}/introspect") as dovecot,
    ):
        yield OAuthPeers(dovecot, url, state)


def token_source(peers: OAuthPeers, refresh_token: str) -> TokenSource:
    oauth = OAuthSettings(
        token_url=f"{peers.url}/token",
        client_id=peers.state.client_id,
        client_secret=SecretStr(peers.state.client_secret),
        refresh_token=SecretStr(refresh_token),
        scope="https://mail.google.com/",
    )
    return TokenSource(oauth, "test mailbox")


def config(peers: OAuthPeers, user: str, tokens: TokenSource, work: Path) -> ImapConfig:
    server = peers.dovecot
    return ImapConfig("127.0.0.1", server.tls_port, user, "", "kafka-not-asked",
                      work / "cp.json", security="imaps", ca_file=server.ca_file,
                      tokens=tokens, poll_s=0.5, timeout=10)  # fmt: skip


def grants_for(state: OAuthState, refresh_token: str) -> list[dict[str, str]]:
    return [g for g in state.grants if g.get("refresh_token") == refresh_token]


async def test_xoauth2_logs_in_with_a_refreshed_token_reuses_it_and_replaces_an_expired_one(
    peers: OAuthPeers,
) -> None:
    user = "olga@acme.test"
    work = Path(peers.dovecot.dir, "pollers", user)  # removed with the server
    refresh = peers.state.refresh_token_for(user)
    tokens = token_source(peers, refresh)
    ids = []
    for round_, (first, expire) in enumerate([(600, False), (610, False), (620, True)]):
        peers.dovecot.deliver(user, message(first), first)
        ids.append(f"<imap-{first}@example.test>")
        if expire:  # the server stops accepting the token our cache still holds
            peers.state.expire_all()
        poller, publisher = memory_poller(config(peers, user, tokens, work))
        async with polling(poller):
            # well under the 10 s command timeout: a refused token is answered, not timed out
            await wait_until(lambda p=publisher: len(p.published) == 1, 8)  # type: ignore[misc]
        assert message_ids(publisher) == ids[-1:]
        assert poller.sessions == 1 and poller.last_error is None, round_
    grants = grants_for(peers.state, refresh)
    assert len(grants) == 2  # the first login, then once after the expiry; never in between
    assert grants[0] == {
        "grant_type": "refresh_token",
        "refresh_token": refresh,
        "client_id": peers.state.client_id,
        "client_secret": peers.state.client_secret,
        "scope": "https://mail.google.com/",
    }
    seen = logins(peers.dovecot.dir, user)
    assert len(seen) == 3 and all("method=XOAUTH2" in s and ", TLS," in s for s in seen), seen
    asked = peers.state.introspected
    assert len(set(asked)) == 2 and len(asked) == 4  # token 1 ok, ok, refused; token 2 ok


async def test_a_refused_refresh_token_is_a_clear_error_and_no_secret_is_logged(
    peers: OAuthPeers, caplog: pytest.LogCaptureFixture
) -> None:
    user = "rita@acme.test"
    work = Path(peers.dovecot.dir, "pollers", user)  # removed with the server
    peers.dovecot.deliver(user, message(630), 630)
    bad_refresh = "rt-revoked-0123456789"
    poller, publisher = memory_poller(config(peers, user, token_source(peers, bad_refresh), work))
    with caplog.at_level(logging.DEBUG):
        async with polling(poller):
            await wait_until(lambda: poller.last_error is not None)
    assert poller.last_error is not None and poller.last_error.startswith("TokenError")
    assert "400 invalid_grant" in poller.last_error
    assert publisher.published == [] and logins(peers.dovecot.dir, user) == []
    logged = caplog.text + "".join(repr(r.__dict__) for r in caplog.records)
    assert bad_refresh not in logged and peers.state.client_secret not in logged
    assert "invalid_grant" in logged


async def test_no_access_token_reaches_the_logs_even_at_debug(
    peers: OAuthPeers, caplog: pytest.LogCaptureFixture
) -> None:
    user = "dora@acme.test"
    work = Path(peers.dovecot.dir, "pollers", user)  # removed with the server
    peers.dovecot.deliver(user, message(640), 640)
    refresh = peers.state.refresh_token_for(user)
    poller, publisher = memory_poller(config(peers, user, token_source(peers, refresh), work))
    with caplog.at_level(logging.DEBUG):
        async with polling(poller):
            await wait_until(lambda: len(publisher.published) == 1)
    issued = [t for t, (u, _) in peers.state.access_tokens.items() if u == user]
    logged = caplog.text + "".join(repr(r.__dict__) for r in caplog.records)
    assert issued and "Sending" in logged  # aioimaplib did log the commands it sent
    assert not any(t in logged for t in issued) and refresh not in logged


async def test_an_unreachable_token_endpoint_is_transient_not_a_configuration_error(
    peers: OAuthPeers, caplog: pytest.LogCaptureFixture
) -> None:
    user = "tess@acme.test"
    work = Path(peers.dovecot.dir, "pollers", user)  # removed with the server
    oauth = OAuthSettings(
        token_url="http://127.0.0.1:9/token",  # nothing listens
        client_id=peers.state.client_id,
        refresh_token=SecretStr(peers.state.refresh_token_for(user)),
    )
    poller, publisher = memory_poller(config(peers, user, TokenSource(oauth, user), work))
    with caplog.at_level(logging.WARNING, logger="email_ingest.imap"):
        async with polling(poller):
            await wait_until(lambda: poller.last_error is not None)
    assert poller.last_error is not None
    assert poller.last_error.startswith(
        "TokenUnavailable: tess@acme.test: token endpoint unreachable"
    )
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert publisher.published == [] and logins(peers.dovecot.dir, user) == []
