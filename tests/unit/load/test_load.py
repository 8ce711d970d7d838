"""The load generator's mix, payloads and the delivery verifier's rules (pure parts)."""

from __future__ import annotations

import asyncio
import gc
import itertools
import time
from pathlib import Path

import pytest

from chat_gateway.slack import verify as slack_verify
from hotline import events as ev
from hotline.channels import registered
from hotline_tools.load import payloads
from hotline_tools.load.generator import LoadRun, Record, Target, read_records, write_records
from hotline_tools.load.mix import RETRY_WINDOW, Mix, MixSettings, Send
from hotline_tools.load.verify import load_key, order_violations
from social_ingest.providers.meta.verify import signature_ok


def sends(n: int, **kw: object) -> list[Send]:
    mix = Mix(MixSettings(**kw))  # type: ignore[arg-type]
    return [mix.next() for _ in range(n)]


def test_mix_has_the_promised_shares() -> None:
    sent = sends(5000)
    retries = [s for s in sent if s.retry_of is not None]
    assert 0.17 < len(retries) / 5000 < 0.23
    for r in retries:  # a provider retry repeats an earlier message exactly
        original = sent[r.retry_of]  # type: ignore[index]
        assert original.retry_of is None, "a retry names the first send, not another retry"
        assert (r.channel, r.provider_id, r.text) == (
            original.channel,
            original.provider_id,
            original.text,
        )
    fresh = [s for s in sent if s.retry_of is None]
    assert {s.channel for s in fresh} == {"whatsapp", "slack", "email"}
    assert len({s.provider_id for s in fresh}) == len(fresh)
    assert any(s.reply_to for s in fresh) and any(s.attachment for s in fresh)


def test_mix_remembers_only_its_retry_window() -> None:
    mix = Mix(MixSettings())
    for _ in range(3 * RETRY_WINDOW):
        mix.next()
    assert len(mix.recent) == RETRY_WINDOW and mix.count == 3 * RETRY_WINDOW


def test_replies_stay_in_their_conversation() -> None:
    sent = sends(3000)
    by_id = {s.provider_id: s for s in sent if s.retry_of is None}
    for s in sent:
        if s.reply_to:
            parent = by_id[s.reply_to]
            assert (parent.channel, parent.customer) == (s.channel, s.customer)


def test_whatsapp_payload_is_signed_and_normalizes() -> None:
    send = next(s for s in sends(50) if s.channel == "whatsapp" and s.retry_of is None)
    req = payloads.whatsapp(send, "secret", int(time.time()))
    assert signature_ok(b"secret", req.body, req.headers["X-Hub-Signature-256"])
    assert not signature_ok(b"other", req.body, req.headers["X-Hub-Signature-256"])
    [event] = registered()["whatsapp"].normalize(req.body)
    assert isinstance(event, ev.MessageReceived)
    assert event.provider_message_id == send.provider_id
    assert load_key("whatsapp", event.provider_message_id) == ("whatsapp", send.provider_id)


def test_slack_payload_is_signed_and_normalizes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_TENANTS", '{"slack:TLOAD": "load"}')
    send = next(s for s in sends(50) if s.channel == "slack" and s.retry_of is None)
    now = int(time.time())
    req = payloads.slack(send, "sig-secret", now)
    headers = {k.lower(): v for k, v in req.headers.items()}  # as an ASGI server hands them
    teams = slack_verify.verify(headers, req.body, {"TLOAD": "sig-secret"}, now)
    assert teams == ["TLOAD"]
    [event] = registered()["slack"].normalize(req.body)
    assert isinstance(event, ev.MessageReceived) and event.tenant == "load"  # configured
    assert event.channel.account_id == "TLOAD"
    assert load_key("slack", event.provider_message_id) == ("slack", send.provider_id)


def test_email_payload_normalizes_with_a_verified_sender() -> None:
    send = next(s for s in sends(50) if s.channel == "email" and s.retry_of is None)
    [event] = registered()["email"].normalize(payloads.email(send))
    assert isinstance(event, ev.MessageReceived)
    assert load_key("email", event.provider_message_id) == ("email", send.provider_id.strip("<>"))


def rec(seq: int, due: float, acked: float | None) -> Record:
    return Record(seq, "whatsapp", f"wamid.{seq}", None, due, "200", acked, 1)


def test_order_violation_only_for_causally_ordered_messages() -> None:
    a, b, c = rec(1, 10.0, 10.5), rec(2, 11.0, 11.2), rec(3, 10.4, 10.9)  # c overlaps a
    keys = {f"m{r.seq}": load_key(r.channel, r.provider_id) for r in (a, b, c)}
    acked = {load_key(r.channel, r.provider_id): r for r in (a, b, c)}
    records = [a, b, c]
    assert order_violations([("t", "m1"), ("t", "m3"), ("t", "m2")], keys, acked, records) == []
    assert order_violations([("t", "m3"), ("t", "m1")], keys, acked, records) == []  # concurrent
    [violation] = order_violations([("t", "m2"), ("t", "m1")], keys, acked, records)
    assert "wamid.2 published before wamid.1" in violation
    # every message an earlier-published one was sent after, not only the adjacent one
    found = order_violations([("t", "m2"), ("t", "m3"), ("t", "m1")], keys, acked, records)
    assert [v.split(": ")[1] for v in found] == [
        "wamid.2 published before wamid.3, sent after its ack",
        "wamid.2 published before wamid.1, sent after its ack",
    ]


def test_email_replies_carry_the_whole_chain_root_first() -> None:
    sent = sends(3000, customers=100)
    deep = [s for s in sent if s.channel == "email" and s.thread_root not in (None, s.reply_to)]
    assert deep, "the mix must contain replies to replies"
    raw = payloads.email(deep[0]).decode()
    assert f"References: {deep[0].thread_root} {deep[0].reply_to}" in raw
    assert f"In-Reply-To: {deep[0].reply_to}" in raw


def test_records_are_outside_the_collector_and_round_trip(tmp_path: Path) -> None:
    failed = Record(1, "slack", "1790000000.000001", 0, 2.5, "503", None, 3, ("503", "503"))
    records = [rec(0, 1.0, 1.01), failed]
    assert not gc.is_tracked(records[0]), "a soak keeps millions: full collections skip them"
    path = tmp_path / "records.jsonl"
    write_records(records, path)
    assert read_records(path) == records
    assert records[0].ok and not failed.ok


class _Starts(LoadRun):
    """A run whose sends only note when they started (no network)."""

    started: list[tuple[float, float]]

    async def _deliver(self, pools: object, send: Send, record: Record) -> None:
        self.started.append((record.due, self.clock.now()))


def _run(rate: float, duration: float, tick: float) -> _Starts:
    run = _Starts(Target(), Mix(MixSettings()), rate, duration, tick=tick)
    run.started = []
    asyncio.run(run.run())
    return run


def test_the_scheduler_starts_every_send_on_time_never_early_a_tick_at_a_time() -> None:
    run = _run(rate=500, duration=0.3, tick=0.01)
    dues = [due for due, _ in run.started]
    assert len(dues) == 150 and dues == sorted(dues)
    assert all(b - a == pytest.approx(1 / 500, abs=1e-6) for a, b in itertools.pairwise(dues))
    assert all(started >= due - 1e-4 for due, started in run.started)  # never before its time
    starts = [started for _, started in run.started]
    wakeups = 1 + sum(b - a > 0.001 for a, b in itertools.pairwise(starts))
    assert wakeups <= 0.3 / 0.01 + 2  # sends due within a tick start together


def test_at_a_low_rate_each_send_waits_for_its_own_time() -> None:
    run = _run(rate=100, duration=0.2, tick=0.001)
    assert len(run.started) == 20
    # never early; late only by what a busy machine (parallel tests) adds, well inside the run
    assert all(0 <= started - due < 0.15 for due, started in run.started)
