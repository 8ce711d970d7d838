"""The tables and P1 sections of bench/report.md: result rows, P2 from both sides, the P1
variants, the per-service benchmarks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from bench.report_inbox import inbox_section

RESULTS = Path(__file__).parent / "results"


def save_plot(fig: Figure, plots: Path, name: str) -> str:
    """Write ``fig`` as plots/<name> and return its path as the report links it."""
    plots.mkdir(exist_ok=True)
    path = plots / name
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return f"plots/{path.name}"


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def table_head(*columns: str) -> list[str]:
    """A markdown table's header row and its separator, one cell per column."""
    return ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]


TABLE_HEAD = table_head(
    "id",
    "seconds",
    "offered msg/s",
    "sent",
    "acked",
    "stored/s (median)",
    "HTTP ack ms p50 / p99",
    "receive→committed p99 ms",
    "lost",
    "dup",
    "order viol.",
    "counters exact",
    "2xx during outage",
    "target",
)


def scenario_row(d: dict[str, Any]) -> str:
    dl = d["delivery"]
    return (
        f"| {d['id']} | {d['duration_s']:g} | {d['rate_offered']:g} | {d['sent']} | {d['acked']} | "
        f"{d['stored_per_s']['median']} | {d['http_ack_ms']['p50']} / "
        f"{d['http_ack_ms']['p99']} | {d['receive_to_committed_ms']['p99']} | {dl['lost']} | "
        f"{dl['duplicates']} | {dl['out_of_order']} | {dl['counters_exact']} | "
        f"{d.get('acks_during_faults', 0)} | {d['target']} |"
    )


def host_note(doc: dict[str, Any]) -> str:
    cpu = doc.get("host_cpu") or {}
    if cpu.get("busy") is None:
        return ""  # results from before the host was read
    return f" All cores were {cpu['busy']:.1%} busy; the hypervisor stole {cpu['steal']:.1%}."


VARIANTS = (
    ("e2e-P1-no-retries", "P1 without provider retries (every send a new message)"),
    ("e2e-P1-ack-path-rt", "P1 with the ack path in the realtime class (session 10)"),
)


def p1_sections(p1: dict[str, Any] | None) -> list[str]:
    """P2 from both sides, and the P1 variants (no retries; the ack path at realtime)."""
    out = both_sides("P2 from both sides (P1 run)", p1)
    for name, title in VARIANTS:
        variant = load(name)
        if variant:
            out += [f"## {title}", "", *TABLE_HEAD, scenario_row(variant), ""]
            out += both_sides("", variant)
    return out


def both_sides(title: str, p1: dict[str, Any] | None) -> list[str]:
    edge = (p1 or {}).get("edge_ack") or {}
    if not (p1 and edge.get("share_within")):
        return []
    within, late = edge["share_within"], p1.get("send_lateness_ms", {})
    return [
        *([f"## {title}", ""] if title else []),
        f"Generator (due → response read): p50 {p1['http_ack_ms']['p50']} / p99 "
        f"{p1['http_ack_ms']['p99']} ms. The edges' own histogram (request handled → "
        f"response written): {within['10ms']:.1%} within 10 ms, {within['25ms']:.1%} "
        f"within 25 ms, {within['50ms']:.1%} within 50 ms of {edge['requests']} requests. "
        f"The generator started its sends p50 {late.get('p50')} / p99 {late.get('p99')} ms "
        f"late.{host_note(p1)}{cpu_note(p1)}",
        "",
    ]


def process_shares(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each process's CPU and wait for a core (bench.processes); empty where the run has none."""
    return (doc.get("cpu_window") or {}).get("processes") or {}


def cpu_note(doc: dict[str, Any]) -> str:
    """Each process's CPU and its wait for a core, where the run has them."""
    procs = process_shares(doc)
    if not procs:
        return ""
    window = doc["cpu_window"]
    each = "; ".join(
        f"{name} {p['cpu_pct']} / {p['runqueue_wait_pct']} ({p['wait_per_run_us']} µs)"
        for name, p in procs.items()
    )
    start = window["from_s"]
    return (
        f" Seconds {start:g}–{start + window['seconds']:g} of the load, % of one core, "
        f"CPU / waiting for a core (mean wait per run): {each}."
    )


def service_sections() -> list[str]:
    out = []
    uni = load("unifier")
    if uni:
        sq, pg, back = uni["sqlite"], uni["postgresql"], uni["sqlite_backlog"]
        out += [
            "## Unifier drain (`make bench-unifier`)",
            "",
            f"SQLite {sq['events_per_s']} ev/s, PostgreSQL {pg['events_per_s']} ev/s "
            f"(targets {uni['targets']['sqlite_events_per_s']} / "
            f"{uni['targets']['postgresql_events_per_s']}); "
            f"1,000,000-event backlog: {back.get('events_per_s')} ev/s, "
            f"{back.get('vs_empty')} of the empty-backlog rate for the same traffic "
            f"({back.get('empty_backlog_per_s')} ev/s; target >= 0.95); "
            f"last / first 50,000: {back.get('last_vs_first')}.",
            "",
        ]
    ident = load("identity")
    if ident:
        out += identity_section(ident)
    inbox = load("inbox")
    if inbox:
        out += inbox_section(inbox)
    social = load("social")
    if social:
        at = social["at_1000_per_s"]
        out += [
            "## social_ingest webhooks (`make bench-social`)",
            "",
            f"{social['throughput_per_s']}/s; at 1,000/s p50 {at['p50_ms']} ms, "
            f"p99 {at['p99_ms']} ms (targets >= 2,000/s, p99 <= 25 ms).",
            "",
        ]
    return out


def identity_section(doc: dict[str, Any]) -> list[str]:
    """Identity resolution with a big store beside an empty one (issue 21)."""
    out = [
        "## Identity resolution against a big store (`make bench-identity`)",
        "",
        f"{doc['contacts']:,} contacts / {doc['identities']:,} identities pre-filled, "
        f"{doc['events']:,} events, {doc['existing_share']:.0%} of senders stored people:",
        "",
    ]
    for name in ("sqlite", "postgresql"):
        if run := doc.get(name):
            out.append(
                f"- {name}: fill {run['fill_s']} s; {run['events_per_s']} ev/s filled, "
                f"{run['empty_events_per_s']} empty (vs_empty {run['vs_empty']}), "
                f"{run['senders_only_events_per_s']} with only the senders stored "
                f"(vs_senders_only {run['vs_senders_only']})"
            )
    return [*out, ""]
