"""Canned responses' placeholders: a fixed set, one pass, hostile values stay inert text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from unifier.domain.labels import BadLabel, normalise
from unifier.domain.placeholders import render, values_for
from unifier.domain.snoozing import BadSnooze, local_until, preset_until, zone

VALUES = values_for("María José Díaz", "Ana", "c-1")


def test_known_placeholders_are_substituted_with_or_without_spaces() -> None:
    body = "Hi {{contact.first_name}} ({{ contact.name }}), {{agent.name}} on #{{conversation.id}}"
    out = render(body, VALUES)
    assert out.text == "Hi María (María José Díaz), Ana on #c-1"
    assert out.unknown == ()


def test_unknown_placeholders_stay_visible_and_are_reported_once() -> None:
    out = render("{{contact.email}} {{ agent.name }} {{contact.email}} {{x}}", VALUES)
    assert out.text == "{{contact.email}} Ana {{contact.email}} {{x}}"
    assert out.unknown == ("{{contact.email}}", "{{x}}")


@pytest.mark.parametrize(
    "hostile",
    [
        "{{agent.name}}",  # a value is never read again
        "{{ 7*7 }}",
        "{% for x in range(9) %}x{% endfor %}",
        "<script>alert(1)</script>",
        "{{ ''.__class__.__mro__ }}",
        "\u202egnp.exe",
    ],
)
def test_hostile_values_are_inserted_as_written(hostile: str) -> None:
    out = render("Dear {{contact.name}}!", values_for(hostile, "Ana", "c-1"))
    assert out.text == f"Dear {hostile}!"


@pytest.mark.parametrize(
    "body",
    ["{{ 7*7 }}", "{% if 1 %}yes{% endif %}", "{{ config }}", "{{ agent.name.__class__ }}"],
)
def test_tenant_text_is_never_a_template(body: str) -> None:
    out = render(body, VALUES)
    assert out.text == body  # nothing evaluated, nothing looked up


def test_first_name_of_an_empty_name() -> None:
    assert render("Hi {{contact.first_name}}", values_for("", "Ana", "c")).text == "Hi "


@pytest.mark.parametrize(
    ("given", "name"),
    [("  Billing  Issue ", "billing-issue"), ("VIP", "vip"), ("ＶＩＰ", "vip"), ("ärger", "ärger")],
)
def test_label_names_are_normalised(given: str, name: str) -> None:
    assert normalise(given) == name


@pytest.mark.parametrize("bad", ["", "  ", "a" * 41, "rtl\u202e", "bell\x07"])
def test_bad_label_names_are_refused(bad: str) -> None:
    with pytest.raises(BadLabel):
        normalise(bad)


def test_snooze_presets_in_the_agents_zone() -> None:
    now = datetime(2026, 12, 9, 22, 30, tzinfo=UTC)  # a Wednesday; already Thursday in Tokyo
    berlin, tokyo = zone("Europe/Berlin"), zone("Asia/Tokyo")
    assert preset_until("1h", now, berlin) == datetime(2026, 12, 9, 23, 30, tzinfo=UTC)
    assert preset_until("tomorrow", now, berlin) == datetime(2026, 12, 10, 8, 0, tzinfo=UTC)
    assert preset_until("tomorrow", now, tokyo) == datetime(2026, 12, 11, 0, 0, tzinfo=UTC)
    assert preset_until("next_week", now, berlin) == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    assert local_until("2026-12-24T09:30", berlin) == datetime(2026, 12, 24, 8, 30, tzinfo=UTC)
    for bad in (lambda: zone("Mars/Base"), lambda: preset_until("later", now, berlin)):
        with pytest.raises(BadSnooze):
            bad()
    with pytest.raises(BadSnooze):
        local_until("soon", berlin)
