"""The routing admin form's text fields, read and written back."""

from __future__ import annotations

import pytest

from unifier.entrypoints.web.routing_forms import (
    RoutingForm,
    TeamForm,
    form_of,
    routing_of,
    team_form_of,
    team_routing_of,
)
from unifier.service.commands import CommandError


def test_a_form_reads_into_a_row_and_back() -> None:
    form = RoutingForm(
        languages="FR, de;it", categories="billing", channels="whatsapp email",
        limits="widget=3, email = 10", timezone="Europe/Paris",
        week="mon-fri 09:00-12:30 13:30-17:00\nsat 10:00-14:00\n\nfri 18:00-20:00",
    )  # fmt: skip
    row = routing_of("a1", form)
    assert row.skills == (["fr", "de", "it"], ["billing"], ["whatsapp", "email"])
    assert row.limits == {"widget": 3, "email": 10}
    assert row.hours is not None
    assert row.hours["week"]["mon"] == ["09:00-12:30", "13:30-17:00"]
    assert row.hours["week"]["fri"] == ["09:00-12:30", "13:30-17:00", "18:00-20:00"]
    assert "sun" not in row.hours["week"]
    back = form_of(row)
    assert (back.languages, back.limits) == ("fr, de, it", "email=10, widget=3")
    assert back.week.splitlines()[0] == "mon 09:00-12:30 13:30-17:00"
    assert routing_of("a1", back) == routing_of("a1", back)


def test_no_timezone_is_no_hours() -> None:
    assert routing_of("a1", RoutingForm(week="mon 09:00-17:00")).hours is None
    assert form_of(None) == RoutingForm()


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        (RoutingForm(limits="chat"), "bad_limit"),
        (RoutingForm(limits="chat=-1"), "bad_limit"),
        (RoutingForm(timezone="UTC", week="someday 09:00-17:00"), "bad_hours"),
        (RoutingForm(timezone="UTC", week="fri-xyz 09:00-17:00"), "bad_hours"),
    ],
)
def test_bad_fields_are_refused(form: RoutingForm, reason: str) -> None:
    with pytest.raises(CommandError) as caught:
        routing_of("a1", form)
    assert (caught.value.status, caught.value.reason) == (422, reason)


def test_a_team_form_reads_into_a_row_and_back() -> None:
    row = team_routing_of(
        "t1", TeamForm(languages="FR", channels="whatsapp, email", supervisor="a9")
    )
    assert row.requires == (["fr"], [], ["whatsapp", "email"])
    assert (row.escalate_team, row.escalate_agent) == (None, "a9")
    back = team_form_of(row)
    assert (back.languages, back.channels, back.escalate_team) == ("fr", "whatsapp, email", "")
    assert team_routing_of("t1", back) == row
    assert team_form_of(None) == TeamForm()
