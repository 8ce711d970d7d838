"""``make bench-voice-import``: ``hotline import calls`` on a generated 100,000-row Asterisk
Master.csv against a real broker (bench_broker). Reports rows/s, events/s and the importing
process's peak RSS, then shows that a re-import adds nothing: with the ledger nothing is
produced (the topic's end offsets do not move); without it the same event ids are produced
again (the count of distinct event ids on the topic does not change).

The file is generated (deterministic seed, never committed) by ``write_master_csv``, which the
integration test uses for its small file too: cdr_csv's quoting (strings quoted, numbers bare,
an unset time empty), callers from a pool (national, international and "/" formats), every
disposition, queue, voicemail, internal and withheld calls, and some bad rows.

The import runs in a child process (``--child``) so its peak RSS is its own, not the broker's
or this script's.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import bench_broker, write_result

ROWS = 100_000
SEED = 25
TOPIC = "hotline.inbound.voice"
START = 1_796_083_200  # 2026-12-01 00:00 UTC
Fields = list[str | int | None]


def write_master_csv(path: Path, rows: int, seed: int = SEED, prefix: str = "") -> Counter[str]:
    """Write ``rows`` CDR rows; count them by what they should become: ``answered`` (three
    events), ``unanswered`` (two), ``internal`` (skipped), ``bad`` (dead-lettered)."""
    rng = random.Random(seed)
    callers = [_number(rng) for _ in range(max(rows // 5, 1))]
    counts: Counter[str] = Counter()
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        for i in range(rows):
            kind, fields = _row(rng, i, rng.choice(callers), prefix)
            counts[kind] += 1
            out.writerow(fields)
    return counts


def _number(rng: random.Random) -> str:
    local = f"{rng.randrange(10_000_000, 99_999_999)}"
    return rng.choice([f"+4930{local}", f"030{local}", f"030/{local}", f"004930{local}"])


def _row(rng: random.Random, i: int, caller: str, prefix: str) -> tuple[str, Fields]:
    """One row (18 columns) and its kind."""
    roll = rng.random()
    start = START + i * 7
    uid = f"{prefix}{start}.{i}"
    if i % 250 == 249:
        return "bad", _fields(caller, "200", "from-pstn", start, 0, 30, "MAYBE", uid)
    if roll < 0.05:
        return "internal", _fields("201", "202", "from-internal", start, 2, 40, "ANSWERED", uid)
    if roll < 0.25:
        return _outbound(rng, caller, start, uid)
    return _inbound(rng, caller if roll > 0.27 else "anonymous", start, uid)


def _inbound(rng: random.Random, caller: str, start: int, uid: str) -> tuple[str, Fields]:
    roll, ring = rng.random(), rng.randrange(3, 40)
    if roll < 0.6:
        talk = rng.randrange(20, 900)
        return "answered", _fields(caller, "200", "from-pstn", start, ring, talk, "ANSWERED", uid)
    if roll < 0.75:
        row = _fields(caller, "support", "ext-queues", start, ring, 0, "NO ANSWER", uid)
        row[7:9] = ["Queue", "support-de,t,,,300"]
        return "unanswered", row
    if roll < 0.85:
        row = _fields(caller, "200", "from-did", start, ring, 25, "ANSWERED", uid)
        row[7:9] = ["VoiceMail", "200@default,u"]
        return "unanswered", row
    disposition = rng.choice(["NO ANSWER", "BUSY", "FAILED", "CONGESTION"])
    return "unanswered", _fields(caller, "200", "from-trunk", start, ring, 0, disposition, uid)


def _outbound(rng: random.Random, callee: str, start: int, uid: str) -> tuple[str, Fields]:
    ring = rng.randrange(2, 30)
    if rng.random() < 0.7:
        talk = rng.randrange(10, 600)
        return "answered", _fields(
            "201", callee, "from-internal", start, ring, talk, "ANSWERED", uid
        )
    disposition = rng.choice(["NO ANSWER", "BUSY", "FAILED", "CONGESTION"])
    return "unanswered", _fields("201", callee, "from-internal", start, ring, 0, disposition, uid)


def _fields(
    src: str, dst: str, context: str, start: int, ring: int, talk: int, disposition: str, uid: str
) -> Fields:
    answered = disposition == "ANSWERED"
    clid = f'"Kunde, {src[-4:]}" <{src}>' if context != "from-internal" else f'"Agent" <{src}>'
    return [
        *("", src, dst, context, clid),
        *(f"SIP/trunk-{uid[-8:]}", f"SIP/201-{uid[-6:]}" if answered else "", "Dial", "SIP/201,30"),
        _time(start),
        _time(start + ring) if answered else None,
        _time(start + ring + talk),
        *(ring + talk, talk if answered else 0, disposition, "DOCUMENTATION", uid, ""),
    ]


def _time(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def _child(args: list[str]) -> None:
    """Run the import in this process; print its own timing and memory as one JSON line.

    Memory is the process's VmHWM (peak RSS of its own address space): ``ru_maxrss`` would
    include the parent's RSS at fork, which Linux carries across exec."""
    from hotline.cli import app

    before = _status_kib("VmRSS")
    began, cpu_began = time.perf_counter(), time.process_time()
    try:
        app(["import", "calls", *args], standalone_mode=False)
    finally:
        seconds = time.perf_counter() - began
        cpu = time.process_time() - cpu_began  # this process's user + system CPU
        doc = {"seconds": seconds, "cpu_seconds": cpu, "start_rss_kib": before}
        doc["peak_rss_kib"] = _status_kib("VmHWM")
        sys.stderr.write(json.dumps(doc) + "\n")


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _import(bootstrap: str, path: Path, ledger: Path) -> dict[str, object]:
    env = {**os.environ, "HOTLINE_ENV": "dev", "HOTLINE_KAFKA_BOOTSTRAP": bootstrap}
    env |= {"HOTLINE_DEFAULT_TENANT": "bench", "HOTLINE_ACK_TIMEOUT": "60"}
    argv = [sys.executable, "-m", "bench.voice_import_bench", "--child", str(path)]
    argv += ["--region", "DE", "--ledger", str(ledger), "--json"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    measured = json.loads(done.stderr.strip().splitlines()[-1])
    return {"summary": json.loads(done.stdout), **measured}


async def _topic(bootstrap: str) -> tuple[int, int]:
    """Records on the voice topic, and how many distinct event ids they carry."""
    from tests.kafka_helpers import read_all, total_records

    total = await total_records(bootstrap, TOPIC)
    records = await read_all(bootstrap, TOPIC, expect=total, timeout=300)
    ids = {dict(r.headers)["event_id"] for r in records}
    return len(records), len(ids)


def _rates(run: dict[str, object], rows: int) -> dict[str, object]:
    summary, seconds = run["summary"], float(str(run["seconds"]))
    assert isinstance(summary, dict)
    summary["bad_rows"] = summary["bad_rows"][:3]  # the first few; the counts are all there
    return {
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "cpu_seconds": round(float(str(run["cpu_seconds"])), 2),
        "rows_per_cpu_s": round(rows / float(str(run["cpu_seconds"]))),
        "events_per_s": round(int(summary["events"]) / seconds),
        "peak_rss_mib": round(int(str(run["peak_rss_kib"])) / 1024, 1),
        "rss_before_import_mib": round(int(str(run["start_rss_kib"])) / 1024, 1),
        "summary": summary,
    }


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="hotline-bench-voice-"))
    path = work / "Master.csv"
    counts = write_master_csv(path, ROWS)
    load_before = os.getloadavg()[0]  # the machine is shared: a busy one makes rows/s lower
    with bench_broker() as broker:
        first = _import(broker.bootstrap, path, work / "ledger.ids")
        after_first = asyncio.run(_topic(broker.bootstrap))
        again = _import(broker.bootstrap, path, work / "ledger.ids")
        after_again = asyncio.run(_topic(broker.bootstrap))
        no_ledger = _import(broker.bootstrap, path, work / "other-ledger.ids")
        after_no_ledger = asyncio.run(_topic(broker.bootstrap))
    doc = {
        "load_average_1m": {"before": load_before, "after": os.getloadavg()[0]},
        "file": {"rows": ROWS, "bytes": path.stat().st_size, "seed": SEED, "kinds": dict(counts)},
        "import": _rates(first, ROWS),
        "reimport_with_ledger": _rates(again, ROWS),
        "reimport_without_ledger": _rates(no_ledger, ROWS),
        "topic_records_and_distinct_ids": {
            "after_import": after_first,
            "after_reimport_with_ledger": after_again,
            "after_reimport_without_ledger": after_no_ledger,
        },
    }
    path.unlink()
    print(write_result("voice-import", doc))
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2:])
    else:
        main()
