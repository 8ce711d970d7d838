"""Settings: nested secrets (per workspace, per site) must not be placeholders outside dev."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from chat_gateway.settings import ChatSettings

REAL = {"signing_secret": "8f2c1e9a7b", "bot_token": "xoxb-123-456"}


@pytest.mark.parametrize(
    ("workspaces", "sites"),
    [
        ({"T1": {**REAL, "signing_secret": "dev-secret"}}, {}),
        ({"T1": {**REAL, "bot_token": "change-me"}}, {}),
        ({"T1": {**REAL, "app_token": "placeholder"}}, {}),
        ({}, {"demo": {"secret": "test-site"}}),
    ],
)
def test_placeholders_refused_in_prod(
    workspaces: dict[str, object], sites: dict[str, object]
) -> None:
    with pytest.raises(ValidationError):
        ChatSettings(env="prod", slack_workspaces=workspaces, widget_sites=sites)


def test_placeholders_allowed_in_dev_and_real_ones_in_prod() -> None:
    ChatSettings(env="dev", slack_workspaces={"T1": {**REAL, "signing_secret": "dev-x"}})
    s = ChatSettings(
        env="prod",
        slack_workspaces={"T1": REAL},
        widget_sites={"demo": {"secret": "s3cr3t-9", "tenant": "acme"}},
    )
    assert s.slack_workspaces["T1"].bot_token.get_secret_value() == "xoxb-123-456"
    assert "xoxb" not in repr(s)  # secrets stay hidden in logs and reprs


def test_dicts_come_from_json_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_SLACK_WORKSPACES", json.dumps({"T9": REAL}))
    monkeypatch.setenv("HOTLINE_WIDGET_SITES", json.dumps({"shop": {"secret": "abc-123"}}))
    monkeypatch.setenv("HOTLINE_SLACK_MODE", "socket")
    s = ChatSettings()
    assert list(s.slack_workspaces) == ["T9"] and s.widget_sites["shop"].tenant is None
    assert s.slack_mode == "socket"


def test_dev_gets_a_demo_site_prod_does_not() -> None:
    assert list(ChatSettings(env="dev").widget_sites) == ["demo"]
    assert ChatSettings(env="prod").widget_sites == {}
    assert list(ChatSettings(env="dev", widget_sites={"shop": {"secret": "x1"}}).widget_sites) == [
        "shop"
    ]


def test_kafka_ack_wait_fits_slacks_three_second_window() -> None:
    assert ChatSettings().ack_timeout < 3.0
