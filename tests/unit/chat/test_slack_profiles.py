"""Slack senders' profiles (users.info, recorded) in the pure normalize: identifiers, levels,
display names, with and without a profile, in trusted and untrusted workspaces."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chat_gateway.slack.pipeline import Normalized, process, senders
from chat_gateway.slack.profile import Profile, profile_of
from hotline import events as ev
from tests.unit.chat.slack_fixtures import TEAM, WORKSPACES, load, signed_headers

API = Path(__file__).resolve().parents[2] / "fixtures" / "chat" / "slack_api"
NOW = 1_764_012_700
RECEIVED = datetime(2026, 11, 24, 19, 31, 40, tzinfo=UTC)
UNTRUSTED = {**WORKSPACES, TEAM: dataclasses.replace(WORKSPACES[TEAM], trusted=False)}


def recorded(user: str) -> Profile:
    return profile_of(json.loads((API / f"users.info.{user}.json").read_text())["user"])


ALICE, CAROL = recorded("U0ALICE"), recorded("U0NOMAIL")
BOB = Profile(real_name="Bob Acme", email="bob@acme.example")


def test_recorded_profiles_read_as_documented() -> None:
    assert (
        Profile(
            real_name="Alice Martin",
            display_name="alice",
            email="alice.martin@example.com",
            avatar_url="https://avatars.slack-edge.com/2025-11-02/ge3b51ca72de_72.png",
        )
        == ALICE
    )
    assert (CAROL.name, CAROL.email) == ("carol.k", None)  # empty real_name, no email scope


def events(name: str, profiles: dict[str, Profile], workspaces: object = WORKSPACES) -> ev.Event:
    body = load(name)
    out = process(signed_headers(body, NOW), body, workspaces, NOW, RECEIVED, profiles)  # type: ignore[arg-type]
    assert isinstance(out, Normalized) and len(out.events) == 1
    return out.events[0]


Row = tuple[str, str, str, bool, str | None]


def sender_of(e: ev.Event) -> ev.Sender:
    sender = getattr(e, "sender", None)
    assert isinstance(sender, ev.Sender)
    return sender


def summary(e: ev.Event) -> tuple[str | None, set[Row]]:
    sender = sender_of(e)
    idents: set[Row] = {
        (i.kind, i.value, i.source, i.verified, i.level) for i in sender.identifiers
    }
    return sender.display_name, idents


ALICE_USER = ("slack_user", "T0HOTLINE:U0ALICE", "provider", True, "provider_verified")
ALICE_TRUSTED = ("email", "alice.martin@example.com", "slack.profile", True, "provider_verified")
ALICE_CLAIMED = ("email", "alice.martin@example.com", "slack.profile", False, "unverified")
BOB_USER = ("slack_user", "T0ACMECORP:U0BOB", "slack.connect", True, "provider_verified")


@pytest.mark.parametrize(
    ("fixture", "profiles", "workspaces", "name", "identifiers"),
    [
        ("message", {"U0ALICE": ALICE}, WORKSPACES, "Alice Martin", {ALICE_USER, ALICE_TRUSTED}),
        ("message", {"U0ALICE": ALICE}, UNTRUSTED, "Alice Martin", {ALICE_USER, ALICE_CLAIMED}),
        ("message", {}, WORKSPACES, None, {ALICE_USER}),  # users.info failed: slack_user alone
        ("message", {"U0OTHER": ALICE}, WORKSPACES, None, {ALICE_USER}),  # someone else's
        ("message_changed", {"U0ALICE": ALICE}, WORKSPACES, "Alice Martin",
         {ALICE_USER, ALICE_TRUSTED}),
        ("message_deleted", {"U0ALICE": ALICE}, UNTRUSTED, "Alice Martin",
         {ALICE_USER, ALICE_CLAIMED}),
        ("reaction_added", {"U0ALICE": ALICE}, WORKSPACES, "Alice Martin",
         {ALICE_USER, ALICE_TRUSTED}),
        # no users.info answer, but the event carries the guest's names (user_profile)
        ("connect_external", {}, WORKSPACES, "Bob Acme", {BOB_USER}),
        # a Slack Connect guest: our workspace is trusted, theirs is not configured at all
        ("connect_external", {"U0BOB": BOB}, WORKSPACES, "Bob Acme",
         {BOB_USER, ("email", "bob@acme.example", "slack.profile", False, "unverified")}),
    ],
)  # fmt: skip
def test_identifiers_levels_and_display_name(
    fixture: str,
    profiles: dict[str, Profile],
    workspaces: object,
    name: str | None,
    identifiers: set[Row],
) -> None:
    assert summary(events(fixture, profiles, workspaces)) == (name, identifiers)


def test_profile_without_email_gives_a_name_and_no_email() -> None:
    body = load("message").replace(b'"user": "U0ALICE"', b'"user": "U0NOMAIL"')
    out = process(signed_headers(body, NOW), body, WORKSPACES, NOW, RECEIVED, {"U0NOMAIL": CAROL})
    assert isinstance(out, Normalized)
    assert summary(out.events[0]) == (
        "carol.k",
        {("slack_user", "T0HOTLINE:U0NOMAIL", "provider", True, "provider_verified")},
    )
    assert sender_of(out.events[0]).avatar_url == CAROL.avatar_url


def test_verified_matches_the_linking_levels() -> None:
    for workspaces in (WORKSPACES, UNTRUSTED):
        e = events("message", {"U0ALICE": ALICE}, workspaces)
        idents = sender_of(e).identifiers
        assert all(i.verified == (i.trust() in ev.LINKING_LEVELS) for i in idents)


def test_tenant_is_the_configured_one_for_every_workspace() -> None:
    body = load("message").replace(b'"team_id": "T0HOTLINE"', b'"team_id": "T0OTHER"')
    headers = signed_headers(body, NOW, secret="sig-other-9876543210")
    out = process(headers, body, WORKSPACES, NOW, RECEIVED)
    assert isinstance(out, Normalized)
    assert [(e.tenant, e.channel.account_id) for e in out.events] == [("globex", "T0OTHER")]


@pytest.mark.parametrize(
    ("fixture", "users"),
    [
        ("message", ["U0ALICE"]),
        ("reaction_added", ["U0ALICE"]),
        ("connect_external", ["U0BOB"]),
        ("bot_message", []),  # ignored events cost no users.info call
        ("channel_join", []),
    ],
)
def test_senders_worth_a_lookup(fixture: str, users: list[str]) -> None:
    body = load(fixture)
    out = process(signed_headers(body, NOW), body, WORKSPACES, NOW, RECEIVED)
    assert isinstance(out, Normalized) and senders(out) == users
