"""The visible reply: scored on the reply-quotes corpus (201 real replies, 17 languages by
our labels), plus short bodies of our own for each client pattern, and the shape of the event
(the full text is never lost)."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from email_ingest.normalize import MailboxConfig, normalize
from email_ingest.visible import VISIBLE_SCAN, visible_text
from hotline import events
from tests.unit.email.reply_corpus import Sample, load, normalise

OVERALL = 0.90
REPLY = "Thanks, that fixed it."
OLD = "> Did you restart it?\n"
S = "Support <help@acme.test>"


def _score(samples: list[Sample]) -> dict[str, list[str]]:
    """Language -> the keys of the samples we got wrong ("" marks each sample seen)."""
    table: dict[str, list[str]] = defaultdict(list)
    for sample in samples:
        got = normalise(visible_text(sample.text))
        table[sample.language].append("" if got == sample.expected else sample.key)
    return table


def _print_table(table: dict[str, list[str]]) -> None:
    print("\nlanguage  samples  exact")
    for lang, keys in sorted(table.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        ok = keys.count("")
        print(f"{lang:8}  {len(keys):7}  {ok:3} ({100 * ok / len(keys):.1f}%)")
    total = [key for keys in table.values() for key in keys]
    print(
        f"{'all':8}  {len(total):7}  {total.count('')} ({100 * total.count('') / len(total):.1f}%)"
    )


def test_corpus_visible_text_is_exact_for_at_least_90_percent(corpora: Path) -> None:
    """Floor per language: at most one miss (English, with 136 samples: one in twenty). The
    other languages have 1 to 11 samples each, so one miss is one client's format; two are a
    gap in that language."""
    samples = load(corpora)
    assert len(samples) == 201
    table = _score(samples)
    _print_table(table)
    misses = [key for keys in table.values() for key in keys if key]
    assert 1 - len(misses) / len(samples) >= OVERALL, misses
    for lang, keys in table.items():
        wrong = [key for key in keys if key]
        assert len(wrong) <= max(1, len(keys) // 20), (lang, wrong)


ATTRIBUTIONS = [
    ("en", "On Mon, Nov 30, 2026 at 10:00 AM Support <help@acme.test> wrote:"),
    ("en gmail wrapped", "On Mon, Nov 30, 2026 at 10:00 AM Support <\nhelp@acme.test> wrote:"),
    ("en gmail wrote alone", "On Mon, Nov 30, 2026 at 10:00 AM Support <help@acme.test>\nwrote:"),
    ("en apple", "On 30 Nov 2026, at 10:00, Support <help@acme.test> wrote:"),
    ("en no date", "On Monday Bob wrote:"),
    ("de", "Am Mo., 30. Nov. 2026 um 10:00 Uhr schrieb Support <help@acme.test>:"),
    ("de wrapped", "Support <help@acme.test> schrieb am Mo., 30.\nNov. 2026 um 10:00 Uhr:"),
    ("fr", "Le lun. 30 nov. 2026 à 10:00, Support <help@acme.test> a écrit :"),
    ("es", "El lun, 30 nov 2026 a las 10:00, Support (<help@acme.test>) escribió:"),
    ("it", "Il giorno lun 30 nov 2026 alle ore 10:00 Support <help@acme.test> ha scritto:"),
    ("pt", "Em seg., 30 de nov. de 2026 às 10:00, Support <help@acme.test> escreveu:"),
    ("nl", "Op ma 30 nov. 2026 om 10:00 schreef Support <help@acme.test>:"),
    ("ru gmail", "пн, 30 нояб. 2026 г. в 10:00, Support <help@acme.test>:"),
    ("ru", "30.11.2026 10:00, Support пишет:"),
    ("ru mail.ru", "Понедельник, 30 ноября 2026, 10:00 +03:00 от Support <help@acme.test>:"),
    ("pl", "W dniu 30.11.2026 o 10:00, Support <help@acme.test> pisze:"),
    ("pl dnia", "Dnia 30 listopada 2026 10:00 Support <help@acme.test> napisał(a):"),
    ("ja", "2026年11月30日(月) 10:00 Support <help@acme.test>:"),
    ("zh", "在 2026年11月30日 10:00，Support <help@acme.test> 写道："),
    ("ko", "2026년 11월 30일 (월) 오전 10:00, Support <help@acme.test>님이 작성:"),
    ("quoted", "> On Mon, Nov 30, 2026 at 10:00 AM Support <help@acme.test> wrote:"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "attribution"), ATTRIBUTIONS, ids=[c for c, _ in ATTRIBUTIONS])
def test_attribution_ends_the_reply(case: str, attribution: str) -> None:
    body = f"{REPLY}\n\n{attribution}\n\n{OLD}>\n> Jo\n"
    assert visible_text(body) == REPLY, case


OUTLOOK = [
    ("en", f"From: {S}\nSent: Monday, November 30, 2026 10:00 AM\nTo: Jo\nSubject: RE: Order"),
    ("en bold", f"*From:* {S}\n*Sent:* Monday, November 30, 2026\n*To:* Jo\n*Subject:* Order"),
    ("fr nbsp", f"De\u00a0: {S}\nEnvoyé\u00a0: lundi\nÀ\u00a0: Jo\nObjet\u00a0: Question"),
    ("de", f"Von: {S}\nGesendet: Montag, 30. November 2026 10:00\nAn: Jo\nBetreff: AW: Frage"),
    ("fr", f"De : {S}\nEnvoyé : lundi 30 novembre 2026 10:00\nÀ : Jo\nObjet : RE: Question"),
    ("es", f"De: {S}\nEnviado: lunes, 30 de noviembre de 2026\nPara: Jo\nAsunto: RE: Pedido"),
    ("it", f"Da: {S}\nInviato: lunedì 30 novembre 2026 10:00\nA: Jo\nOggetto: R: Ordine"),
    ("pt", f"De: {S}\nEnviado: segunda-feira, 30 de novembro\nPara: Jo\nAssunto: RE: Pedido"),
    ("nl", f"Van: {S}\nVerzonden: maandag 30 november 2026\nAan: Jo\nOnderwerp: RE: Vraag"),
    ("ru", f"От: {S}\nОтправлено: 30 ноября 2026 г. 10:00\nКому: Jo\nТема: RE: Заказ"),
    ("pl", f"Od: {S}\nWysłano: poniedziałek, 30 listopada 2026\nDo: Jo\nTemat: RE: Pytanie"),
    ("ja", f"差出人: {S}\n送信日時: 2026年11月30日 10:00\n宛先: Jo\n件名: RE: 注文"),
    ("zh", f"发件人: {S}\n发送时间: 2026年11月30日 10:00\n收件人: Jo\n主题: 回复: 订单"),
    ("ko", f"보낸 사람: {S}\n보낸 날짜: 2026년 11월 30일\n받는 사람: Jo\n제목: RE: 주문"),
    ("rule above", f"________________________________\nFrom: {S}\nTo: Jo\nSubject: Order"),
    ("en separator", f"-----Original Message-----\nFrom: {S}"),
    ("de separator", "-----Ursprüngliche Nachricht-----"),
    ("fr separator", "-------- Message d'origine --------"),
    ("es separator", "-----Mensaje original-----"),
    ("nl separator", "-----Oorspronkelijk bericht-----"),
    ("ru separator", "-----Исходное сообщение-----"),
    ("forward", f"---------- Forwarded message ---------\nFrom: {S}"),
    ("apple forward", "Begin forwarded message:"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "block"), OUTLOOK, ids=[c for c, _ in OUTLOOK])
def test_outlook_header_block_and_separators_end_the_reply(case: str, block: str) -> None:
    body = f"{REPLY}\n\n{block}\n\nDid you restart it?\n\nSupport\n"
    assert visible_text(body) == REPLY, case


SIGNATURES = [
    "-- \nJo Example\nAcme Ltd", "--\nJo", "Sent from my iPhone", "Sent from my Galaxy S24 Ultra",
    "Get Outlook for Android<https://aka.ms/ghei36>", "Von meinem iPhone gesendet",
    "Gesendet von Outlook für Android", "Envoyé de mon iPhone", "Enviado desde mi iPhone",
    "Inviato da iPhone", "Verzonden vanaf mijn iPhone", "Enviado do meu iPhone",
    "Отправлено с iPhone", "Wysłane z iPhone'a", "iPhoneから送信", "从我的 iPhone 发送",
    "내 iPhone에서 보냄",
]  # fmt: skip


@pytest.mark.parametrize("signature", SIGNATURES)
def test_signature_and_device_line_end_the_reply(signature: str) -> None:
    assert visible_text(f"{REPLY}\n\n{signature}\n") == REPLY


KEPT = [
    "On Monday we restart the server.\nOn average it takes a minute.",
    "We read it from: the database, not From: the cache.",
    "My flight:\nFrom: Paris\nTo: London\nDate: 30 November\n\nCan I change it?",
    "Sent from my desk, which is easier than my phone.",
    "Points:\n-- first\n-- second",
    "Fix -- this is not a signature.",
    "Regards,\nJo",
    "I wrote 3 mails about this, here they are:\n- one\n- two",
    "On 3 May I wrote to them, here is the list:\n- one\n- two",
    "Use this:\n\n    git pull\n    make run",
    "> Did you restart it?\n\nYes, twice.",  # a quote followed by an answer is context
]


@pytest.mark.parametrize("body", KEPT)
def test_text_that_only_looks_like_a_marker_is_kept(body: str) -> None:
    assert visible_text(body + "\n") == body


def test_inline_answers_stay_and_only_the_trailing_quote_goes() -> None:
    body = (
        "See below.\n\nOn Mon, Nov 30, 2026 at 10:00 Support <help@acme.test> wrote:\n"
        "> Which version?\n\n2.1\n\n> Which OS?\n\nDebian\n\n> Thanks,\n> Support\n"
    )
    assert visible_text(body) == "See below.\n\n> Which version?\n\n2.1\n\n> Which OS?\n\nDebian"


def test_only_quoted_text_is_shown_in_full() -> None:
    assert visible_text(OLD) == OLD.strip()


def test_work_is_bounded_on_huge_bodies() -> None:
    body = "word " * 2_000_000 + f"\n\n{OLD}"
    start = time.thread_time()
    assert len(visible_text(body)) <= VISIBLE_SCAN
    assert time.thread_time() - start < 2.0


@pytest.mark.parametrize(
    "line", ["a@b.c 1 wrote", "On 1 Jan 2020 a@b.c wrote:", "From: a\nTo: b", "1 <", "> q:"]
)
def test_work_is_bounded_on_hostile_lines(line: str) -> None:
    body = (line + "\n") * (VISIBLE_SCAN // (len(line) + 1))
    start = time.thread_time()
    visible_text("Hi\n\n" + body)
    assert time.thread_time() - start < 1.0


def test_event_keeps_the_full_text_and_strips_only_the_visible_field() -> None:
    body = f"{REPLY}\r\n\r\nAm 30.11.2026 um 10:00 schrieb Support <help@acme.test>:\r\n{OLD}"
    raw = ("From: Jo <jo@example.test>\r\nTo: s@acme.test\r\n\r\n" + body).encode()
    (event,) = normalize(raw, MailboxConfig(), datetime(2026, 11, 30, tzinfo=UTC)).events
    assert isinstance(event, events.MessageReceived)
    assert isinstance(event.content, events.EmailContent)
    assert event.content.text == body.replace("\r\n", "\n")
    assert event.content.visible_text == REPLY
