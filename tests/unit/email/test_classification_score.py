"""Classification scored on real mail: every message of the bounce corpus and of mikel/mail.

The kind of each mail (bounce, delay, auto-reply, feedback, none) comes from
``bounces/index.json``'s label, except where reading the mail shows the label is wrong
(``KIND_OVERRIDES``, one reason each). Recipients are checked against flufl.bounce's own
expected addresses, status codes against bounce_email's where the code is in the mail. The
per-family table is printed (``pytest -s``); the overall kind score must reach 95%.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from email_ingest.normalize import MailboxConfig, normalize
from hotline import events

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
MIKEL = "mikel-mail/spec/fixtures/emails"
TARGET = 0.95

# file -> (kind, why the index label is wrong), from reading the mail.
KIND_OVERRIDES = {
    "bounce_email/test/bounces/tt_bounce_10.txt": (
        "bounce",
        "Postfix returned the mail with Action: failed (Status 4.0.0): it gave up, no retry",
    ),
    "bounce_email/test/bounces/tt_bounce_18.txt": (
        "delay",
        "Gmail 'Delivery Status Notification (Delay)': 'message will be retried', a warning",
    ),
    "bounce_email/test/bounces/tt_bounce_19.txt": (
        "delay",
        "Gmail 'Delivery Status Notification (Delay)': 'message will be retried', a warning",
    ),
    "flufl.bounce/tests/data/simple_27.txt": (
        "bounce",
        "MDaemon 'no such user here': a permanent failure despite the 'Warning:' subject",
    ),
}
# file -> (expected status, why): bounce_email codes that are not written in the mail.
STATUS_OVERRIDES = {
    "bounce_email/test/bounces/tt_bounce_01.txt": (None, "no code; upstream infers 5.1.2"),
    "bounce_email/test/bounces/tt_bounce_02.txt": (None, "no code; upstream infers 5.1.2"),
    "bounce_email/test/bounces/tt_bounce_08.txt": (None, "no code; upstream infers 5.3.2"),
    "bounce_email/test/bounces/tt_bounce_09.txt": (None, "no code; upstream infers 5.3.2"),
    "bounce_email/test/bounces/unknown_code_bounce_01.txt": (None, "upstream says 'unknown'"),
}
# mikel/mail: the reports, read by hand; every other mail there is ordinary ("none").
MIKEL_REPORTS = {
    "multipart_report_emails/multi_address_bounce1.eml": "bounce",
    "multipart_report_emails/multi_address_bounce2.eml": "bounce",
    "multipart_report_emails/multipart_report_multiple_status.eml": "bounce",
    "multipart_report_emails/report_530.eml": "bounce",
    "multipart_report_emails/report_422.eml": "delay",  # Action: delayed, 4.2.2
    "mime_emails/raw_email_with_mimepart_without_content_type.eml": "delay",  # Action: delayed
}


@dataclass
class Case:
    name: str
    family: str
    kind: str
    recipients: set[str] | None = None
    status: str | None = None
    status_labelled: bool = False


def kind_of(event: events.MessageReceived) -> str:
    flags = event.flags
    for name, kind in (
        ("feedback_report", "feedback"),
        ("bounce", "bounce"),
        ("delivery_delayed", "delay"),
        ("auto_reply", "auto-reply"),
    ):
        if getattr(flags, name, False):
            return kind
    return "none"


def labelled_kind(entry: dict[str, Any]) -> str:
    label: str = entry["kind"]
    if label.startswith("bounce"):
        return "delay" if entry.get("delay_warning") else "bounce"
    if label.startswith("feedback"):
        return "feedback"
    return "auto-reply" if label.startswith("auto-reply") else "none"


def bounce_case(entry: dict[str, Any]) -> Case:
    name = entry["file"]
    family = (entry["mta_hints"] or ["unlabelled"])[0]
    case = Case(name, family, KIND_OVERRIDES.get(name, (labelled_kind(entry), ""))[0])
    expected = entry.get("upstream_expected") or {}
    addresses = {a.lower() for d in expected.get("detectors", []) for a in d["addresses"]}
    if addresses and case.kind in ("bounce", "delay"):
        case.recipients = addresses
    if "code" in expected:
        case.status_labelled = True
        case.status = STATUS_OVERRIDES.get(name, (expected["code"], ""))[0]
    return case


def cases(corpora: Path) -> list[Case]:
    index = json.loads((corpora / "bounces" / "index.json").read_text())
    out = [bounce_case(entry) for entry in index["files"]]
    for path in sorted((corpora / MIKEL).rglob("*.eml")):
        name = str(path.relative_to(corpora / MIKEL))
        out.append(Case("mikel:" + name, "mikel/mail", MIKEL_REPORTS.get(name, "none")))
    return out


def read(corpora: Path, case: Case) -> bytes:
    if case.name.startswith("mikel:"):
        return (corpora / MIKEL / case.name.removeprefix("mikel:")).read_bytes()
    return (corpora / "bounces" / case.name).read_bytes()


def event_of(raw: bytes) -> events.MessageReceived:
    (event,) = normalize(raw, MailboxConfig(), NOW).events
    assert isinstance(event, events.MessageReceived)
    return event


@dataclass
class Score:
    total: int = 0
    kind_ok: int = 0
    rcpt_total: int = 0
    rcpt_ok: int = 0
    status_total: int = 0
    status_ok: int = 0

    def row(self, name: str) -> str:
        rcpt = f"{self.rcpt_ok}/{self.rcpt_total}" if self.rcpt_total else "-"
        status = f"{self.status_ok}/{self.status_total}" if self.status_total else "-"
        pct = 100 * self.kind_ok / self.total
        return f"{name:34} {self.kind_ok:4}/{self.total:<4} {pct:6.1f}%  {rcpt:>8}  {status:>6}"


def score(case: Case, event: events.MessageReceived, into: list[Score]) -> list[str]:
    """Add the case to every score in ``into``; return what it got wrong."""
    wrong = []
    got = {a.lower() for a in getattr(event, "report_recipients", [])}
    kind = kind_of(event)
    if kind != case.kind:
        wrong.append(f"kind {kind} != {case.kind}")
    if case.recipients is not None and got != case.recipients:
        wrong.append(f"recipients {sorted(got)} != {sorted(case.recipients)}")
    codes = (event.bounce_status or "").split(",")
    status_ok = case.status in codes if case.status else event.bounce_status is None
    if case.status_labelled and not status_ok:
        wrong.append(f"status {event.bounce_status} != {case.status}")
    for s in into:
        s.total += 1
        s.kind_ok += kind == case.kind
        s.rcpt_total += case.recipients is not None
        s.rcpt_ok += case.recipients is not None and got == case.recipients
        s.status_total += case.status_labelled
        s.status_ok += case.status_labelled and status_ok
    return wrong


def test_classification_score_on_real_mail(corpora: Path) -> None:
    scores: dict[str, Score] = defaultdict(Score)
    overall = Score()
    misses = []
    for case in cases(corpora):
        source = "source=" + case.name.split("/")[0].split(":")[0]
        into = [overall, scores[case.family], scores["kind=" + case.kind], scores[source]]
        wrong = score(case, event_of(read(corpora, case)), into)
        misses += [f"{case.name}: {w}" for w in wrong]
    print("\n" + f"{'family':34} {'kind ok':>9}  {'%':>6}  {'recipients':>8}  status")
    for name in sorted(scores):
        print(scores[name].row(name))
    print(overall.row("overall"))
    print("\n".join(misses))
    assert overall.total >= 235 + 100
    assert overall.kind_ok / overall.total >= TARGET, misses
    assert overall.rcpt_ok / overall.rcpt_total >= TARGET, misses
    assert overall.status_ok == overall.status_total, misses
