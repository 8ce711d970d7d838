"""Satisfaction surveys in the unifier, with the real broker: a close asks once per resolution
on the customer's last channel (buttons for chats, digits for SMS, a signed link for email);
answers by button, by digits and on the link's page become csat.answered.v1 (the latest
before expiry wins; late ones are kept and count for nothing; a redelivered one is one
answer) and never reopen the conversation; a resolve without survey asks nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from hotline import events as ev
from hotline import unified as un
from hotline.topics import CONVERSATIONS, REPLIES_EMAIL, REPLIES_SOCIAL
from tests.integration.unifier.harness import eventually, publish, read_unified, settings_for
from tests.integration.unifier.server import serving
from tests.integration.unifier.test_accounts_api import signed_in
from tests.integration.unifier.test_api import end_offsets, replies_since
from tests.unit.unifier.factory import ACCOUNTS, ident, message
from tests.workspace import create_agent
from unifier.entrypoints.app import create_app

WA = "+4915100000042"


class Desk:
    def __init__(
        self, app: FastAPI, client: httpx.AsyncClient, tenant: str, kafka: str, root: str
    ) -> None:
        self.app, self.client, self.tenant, self.kafka, self.root = app, client, tenant, kafka, root

    async def thread_of(self, handle: str) -> dict[str, Any]:
        async def found() -> bool:
            return bool(await self._find(handle))

        await eventually(found)
        found_thread = await self._find(handle)
        assert found_thread is not None
        return found_thread

    async def _find(self, handle: str) -> dict[str, Any] | None:
        for c in (await self.client.get("/conversations")).json():
            t: dict[str, Any] = (await self.client.get(f"/conversations/{c['thread_id']}")).json()
            if any(m["sender_handle"] == handle for m in t["messages"]):
                return t
        return None

    async def customer_messages(self) -> list[dict[str, Any]]:
        out = []
        for c in (await self.client.get("/conversations")).json():
            t = await self.thread(c["thread_id"])
            out += [m for m in t["messages"] if m["role"] == "customer"]
        return out

    async def thread(self, tid: str) -> dict[str, Any]:
        found: dict[str, Any] = (await self.client.get(f"/conversations/{tid}")).json()
        return found

    async def close(
        self, tid: str, topic: str, *, expected: bool = True, **params: str
    ) -> ev.ReplyRequested | None:
        """Close it; the survey request published on ``topic`` (None: none within a while)."""
        before = await end_offsets(self.kafka, topic)
        res = await self.client.post(f"/conversations/{tid}/close", params=params)
        assert res.status_code == 200, res.text
        asked: list[ev.ReplyRequested] = []

        async def published() -> bool:
            asked[:] = [
                r
                for r in await replies_since(self.kafka, before, self.tenant)
                if r.conversation_id == tid
            ]
            return bool(asked)

        try:
            await eventually(published, timeout=30 if expected else 4)
        except AssertionError:
            return None
        return asked[0]

    async def events(self, tag: str) -> list[Any]:
        found = await read_unified(self.kafka, CONVERSATIONS, self.tenant)
        return [e for e in found if un.unified_tag(e) == tag]


@pytest.fixture
async def desk(kafka: str, dsn: str) -> AsyncIterator[Desk]:
    tenant = "t" + uuid.uuid4().hex[:8]
    settings = settings_for(
        kafka,
        dsn,
        api_tokens={tenant: SecretStr("tok-" + tenant)},
        csat_channels={"sms": {"question": "Rate us!"}},
        csat_link_secret=SecretStr("survey-link-key-of-this-test-" + uuid.uuid4().hex),
        csat_public_url="https://help.example.test/",
    )
    app = create_app(settings)
    async with (
        serving(app) as base,
        httpx.AsyncClient(
            base_url=f"{base}/api/tenants/{tenant}",
            headers={"Authorization": f"Bearer tok-{tenant}"},
            timeout=60,  # a loaded shared machine
        ) as client,
    ):
        yield Desk(app, client, tenant, kafka, base)


def button(tenant: str, pmid: str, reply_id: str, at: timedelta | None = None) -> ev.Event:
    """The customer's WhatsApp button reply, as the edge publishes it (``at``: from now)."""
    base = message(pmid, "whatsapp", tenant=tenant, handle=WA, ids=[ident("wa_id", WA[1:])])
    fields = {f: getattr(base, f) for f in base.__struct_fields__ if f != "content"}
    if at is not None:
        fields["received_at"] = datetime.now(UTC) + at
    return ev.MessageReceived(**fields, content=ev.InteractiveContent(reply_id=reply_id, title="x"))


@pytest.mark.parametrize("dsn", ["postgresql"], indirect=True)
async def test_whatsapp_buttons_last_answer_wins_late_kept_and_reopen_asks_again(
    desk: Desk,
) -> None:
    t = desk.tenant
    wa = [ident("wa_id", WA[1:])]
    await publish(desk.kafka, [message("w1", "whatsapp", tenant=t, handle=WA, ids=wa)])
    tid = (await desk.thread_of(WA))["thread_id"]
    asked = await desk.close(tid, REPLIES_SOCIAL)
    assert asked is not None and asked.survey is not None
    survey = asked.survey
    assert asked.recipient == WA and asked.channel.account_id == ACCOUNTS["whatsapp"]
    assert survey.scale == 3 and [c.title for c in survey.choices] == [
        "😞 Poor",
        "😐 OK",
        "😀 Great",
    ]
    assert survey.link is None and asked.content == ev.TextContent(text=survey.question)

    great, poor = survey.choices[2].reply_id, survey.choices[0].reply_id
    first = button(t, "w2", great)
    await publish(desk.kafka, [first, first, button(t, "w3", poor)])  # one redelivered

    async def answered_twice() -> bool:
        return len(await desk.events("csat.answered.v1")) == 2

    await eventually(answered_twice)
    a1, a2 = await desk.events("csat.answered.v1")
    assert (a1.score, a1.revision, a2.score, a2.revision) == (3, 1, 1, 2)
    assert a1.agent == a2.agent == "token:config" and a1.cycle == 1 and not a2.late
    thread = await desk.thread(tid)
    assert thread["open"] is False  # answers never reopen
    assert [m["provider_message_id"] for m in thread["messages"] if m["role"] == "customer"] == [
        "w1"
    ]
    [row] = thread["surveys"]
    assert (row["score"], row["answers"], row["late_answers"]) == (1, 2, 0)
    [req] = await desk.events("csat.requested.v1")
    assert (req.survey_id, req.cycle, req.scale) == (survey.survey_id, 1, 3)

    late = button(t, "w4", great, at=timedelta(days=10))
    await publish(desk.kafka, [late])

    async def late_kept() -> bool:
        return bool((await desk.thread(tid))["surveys"][0]["late_answers"] == 1)

    await eventually(late_kept)
    assert (await desk.thread(tid))["surveys"][0]["score"] == 1
    assert [e.late for e in await desk.events("csat.answered.v1")] == [False, False, True]

    assert (await desk.client.post(f"/conversations/{tid}/reopen")).status_code == 200
    again = await desk.close(tid, REPLIES_SOCIAL)
    assert again is not None and again.survey is not None
    assert again.survey.survey_id != survey.survey_id
    second, first_row = (await desk.thread(tid))["surveys"]
    assert (second["cycle"], first_row["cycle"]) == (2, 1)
    assert first_row["expires_at"] <= second["asked_at"]  # the earlier one ended
    assert (second["state"], first_row["state"]) == ("open", "answered")


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_sms_digits_answer_other_text_reopens_and_skip_asks_nothing(desk: Desk) -> None:
    t, phone = desk.tenant, "+4915100000077"
    await publish(desk.kafka, [message("s1", "sms", tenant=t, handle=phone)])
    tid = (await desk.thread_of(phone))["thread_id"]
    asked = await desk.close(tid, REPLIES_SOCIAL)
    assert asked is not None and asked.survey is not None
    assert asked.content == ev.TextContent(text="Rate us! Reply with a number from 1 to 5 (best).")
    await publish(
        desk.kafka,
        [
            message("s2", "sms", tenant=t, handle=phone, text=" 9 "),  # off the scale: a message
            message("s3", "sms", tenant=t, handle=phone, text="4"),
        ],
    )

    async def answered() -> bool:
        return bool((await desk.thread(tid))["surveys"][0]["score"] == 4)

    await eventually(answered)
    texts = [m["text"] for m in await desk.customer_messages()]
    assert texts.count(" 9 ") == 1 and "4" not in texts  # "9" is no score: she wrote again
    [row] = (await desk.thread(tid))["surveys"]
    assert (row["score"], row["answers"]) == (4, 1)
    assert (await desk.client.post(f"/conversations/{tid}/reopen")).status_code == 200
    assert await desk.close(tid, REPLIES_SOCIAL, expected=False, survey="false") is None
    assert len((await desk.thread(tid))["surveys"]) == 1
    await inbox_turns_surveys_off(desk, tid)


async def inbox_turns_surveys_off(desk: Desk, tid: str) -> None:
    """The SMS line's own settings (its channel account) win over the channel kind's."""
    line = {"kind": "sms", "account_id": ACCOUNTS.get("sms", "acct"), "name": "SMS line"}
    bad = await desk.client.post(
        "/channel-accounts", json=line | {"settings": {"csat": {"scale": 7}}}
    )
    assert bad.status_code == 422 and "settings.csat" in bad.text, bad.text
    off = line | {"settings": {"csat": {"enabled": False}}}
    assert (await desk.client.post("/channel-accounts", json=off)).status_code == 201
    assert (await desk.client.post(f"/conversations/{tid}/reopen")).status_code == 200
    assert await desk.close(tid, REPLIES_SOCIAL, expected=False) is None
    assert len((await desk.thread(tid))["surveys"]) == 1


@pytest.mark.parametrize("dsn", ["sqlite"], indirect=True)
async def test_email_link_page_answers_with_a_comment_and_refuses_bad_links(desk: Desk) -> None:
    t = desk.tenant
    await publish(desk.kafka, [message("e1", tenant=t, ids=[ident("email", "alice@example.test")])])
    tid = (await desk.thread_of("alice@example.test"))["thread_id"]
    asked = await desk.close(tid, REPLIES_EMAIL)
    assert asked is not None and asked.survey is not None and asked.survey.link
    public = asked.survey.link
    assert public.startswith("https://help.example.test/csat/")
    link = desk.root + public.removeprefix("https://help.example.test")
    assert isinstance(asked.content, ev.EmailContent) and public in asked.content.text
    assert asked.content.subject == "Re: Help"
    async with httpx.AsyncClient(timeout=10) as web:
        page = await web.get(link)
        assert page.status_code == 200 and 'name="score"' in page.text
        nonce = re.search(r'name="nonce" value="([^"]+)"', page.text)
        assert nonce is not None
        form = {"nonce": nonce.group(1), "score": "5", "comment": "<b>quick</b> thanks"}
        for _ in range(2):  # a resubmitted form is one answer
            done = await web.post(link, data=form)
            assert done.status_code == 200 and "Thank you" in done.text
        bad = await web.post(link, data={"nonce": "n2", "score": "6"})
        forged = await web.get(link[:-3] + "abc")
        other = await web.get(link.rsplit("/", 1)[0] + "/not-a-token")
    assert bad.status_code == 422 and forged.status_code == 404 and other.status_code == 404
    [row] = (await desk.thread(tid))["surveys"]
    assert (row["score"], row["comment"], row["answers"]) == (5, "<b>quick</b> thanks", 1)
    [answer] = await desk.events("csat.answered.v1")
    assert answer.comment == "<b>quick</b> thanks" and answer.channel.kind == "email"
    await workspace_shows_it_inert_and_resolves_without_survey(desk, tid)


async def workspace_shows_it_inert_and_resolves_without_survey(desk: Desk, tid: str) -> None:
    ana = await create_agent(desk.app, desk.tenant)
    async with httpx.AsyncClient(base_url=desk.root, timeout=10) as web:
        csrf = await signed_in(web, ana)
        page = (await web.get(f"/inbox/conversations/{tid}")).text
        assert 'class="item survey"' in page and 'data-state="answered"' in page
        assert 'Rated <span class="survey-score">5</span> of 5' in page
        assert "&lt;b&gt;quick&lt;/b&gt; thanks" in page and "<b>quick</b>" not in page
        actions = f"/inbox/conversations/{tid}/actions"
        pane = {"HX-Request": "true"}
        assert "Resolve without survey" not in (await web.get(actions, headers=pane)).text
        assert (await desk.client.post(f"/conversations/{tid}/reopen")).status_code == 200
        assert "Resolve without survey" in (await web.get(actions, headers=pane)).text
        quiet = await web.post(
            f"/inbox/conversations/{tid}/actions/close",
            data={"survey": "0"},
            headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
        )
        assert quiet.status_code == 200, quiet.text
    thread = await desk.thread(tid)
    assert thread["open"] is False and len(thread["surveys"]) == 1
