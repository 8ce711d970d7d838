"""Escalation named by the SLA policy, with the real broker and both databases: a customer mail
whose first response is overdue warns in the consumer's transaction, and the warning escalates
to the supervisor its policy names (not the team's); a policy without an escalation leaves it
to the team; each ``conversation.escalated.v1`` carries the policy, the clock and what named
the target; a policy naming an unknown team or agent is refused (422) and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from hotline import unified as un
from hotline.topics import CONVERSATIONS
from tests.integration.unifier.harness import eventually, publish, read_unified
from tests.integration.unifier.test_assignment import add_agents, api, assignees, signed, sql
from tests.integration.unifier.test_routing import API, mail
from unifier.store import assignment_rows as rows

__all__ = ["api"]
NAMED = {
    "name": "named",
    "first_response": "1h",
    "hours": "calendar",
    "escalation": {"supervisor": "lead"},
}
TEAMS_SAY = {"name": "plain", "first_response": "1h", "hours": "calendar"}


async def escalations(kafka: str, tenant: str, n: int) -> dict[str, un.ConversationEscalated]:
    found: list[un.ConversationEscalated] = []

    async def enough() -> bool:
        events = await read_unified(kafka, CONVERSATIONS, tenant)
        found[:] = [e for e in events if isinstance(e, un.ConversationEscalated)]
        return len(found) >= n

    await eventually(enough, timeout=15)
    assert len(found) == n
    return {e.conversation_id: e for e in found}


async def conversation_of(app: Any, tenant: str, n: int) -> set[str]:
    async def there() -> bool:
        return len(await assignees(app, tenant)) >= n

    await eventually(there)
    return set(await assignees(app, tenant))


@pytest.mark.parametrize("dsn", ["sqlite", "postgresql"], indirect=True)
async def test_the_policy_names_the_escalation(kafka: str, api: API) -> None:
    client, tenant, app = api
    await add_agents(app, tenant, 10, "ana", "sup", "lead")
    async with signed(client, app, tenant) as (admin, _):
        front: dict[str, Any] = {"name": "Front", "members": ["ana"]}
        front |= {"inboxes": [{"channel_kind": "email"}], "escalation": {"supervisor": "sup"}}
        assert (await admin.put("/teams/t1", json=front)).status_code == 200
    for bad, error in (
        ({"supervisor": "nobody"}, "unknown_agent"),
        ({"team_id": "t9"}, "unknown_team"),
        ({"queue": "t1"}, "bad_policy"),
    ):
        answer = await client.put("/sla/policies", json={"policies": [NAMED | {"escalation": bad}]})
        assert (answer.status_code, answer.json()["error"]) == (422, error), answer.text
        assert (await client.get("/sla/policies")).json() == []
    assert (await client.put("/sla/policies", json={"policies": [NAMED]})).status_code == 200
    assert (await client.get("/sla/policies")).json() == [NAMED]

    # the mail is weeks old: its first response warned (and breached) on arrival
    await publish(kafka, [mail(tenant, "c1", 1)])
    [first] = await conversation_of(app, tenant, 1)
    by = await escalations(kafka, tenant, 1)
    assert (by[first].supervisor, by[first].team_id, by[first].from_team_id) == ("lead", None, "t1")
    assert (by[first].policy, by[first].target, by[first].cycle, by[first].n) == (
        "named",
        "first_response",
        1,
        0,
    )
    assert by[first].named_by == "sla_policy"
    assert "target named by the SLA policy" in by[first].detail

    async def lead_has_it() -> bool:
        return (await assignees(app, tenant))[first] == "lead"

    await eventually(lead_has_it)

    # a new policy list without an escalation: a new conversation escalates as its team says
    assert (await client.put("/sla/policies", json={"policies": [TEAMS_SAY]})).status_code == 200
    await publish(kafka, [mail(tenant, "c2", 2)])
    [second] = await conversation_of(app, tenant, 2) - {first}
    by = await escalations(kafka, tenant, 2)
    assert (by[second].supervisor, by[second].policy, by[second].named_by) == (
        "sup",
        "plain",
        "team",
    )
    assert "target named by team t1" in by[second].detail
    log = await sql(app, lambda c: rows.activity_of(c, tenant, second))
    escalated = [a["detail"] for a in log if a["kind"] == "escalated"]
    assert [(d["supervisor"], d["named_by"]) for d in escalated] == [("sup", "team")]
