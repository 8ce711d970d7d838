"""The event contract may only grow: the snapshot and golden samples pin what was published.

To accept an additive change: `make contract-snapshot` (rewrites events.schema.json), commit.
A change that fails `test_changes_are_additive` needs a new `.v2` tag instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from hotline import events as ev

HERE = Path(__file__).parent
SNAPSHOT = HERE / "events.schema.json"
GOLDEN = sorted((HERE / "golden").glob("*.json"))


def current() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(msgspec.json.encode(ev.json_schema()))
    return schema


def snapshot() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SNAPSHOT.read_text())
    return schema


def test_snapshot_is_up_to_date() -> None:
    assert current() == snapshot(), "schema changed: run `make contract-snapshot` if additive"


def additive_violations(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems = []
    for name, old_def in old["$defs"].items():
        new_def = new["$defs"].get(name)
        if new_def is None:
            problems.append(f"{name}: removed")
            continue
        for prop, spec in old_def.get("properties", {}).items():
            if new_def.get("properties", {}).get(prop) != spec:
                problems.append(f"{name}.{prop}: removed or retyped")
        added_required = set(new_def.get("required", [])) - set(old_def.get("required", []))
        problems += [f"{name}.{p}: new required field" for p in sorted(added_required)]
    return problems


def test_changes_are_additive() -> None:
    assert additive_violations(snapshot(), current()) == []


def test_the_additive_check_catches_breaking_changes() -> None:
    old = snapshot()
    broken = json.loads(json.dumps(old))
    broken["$defs"]["TextContent"]["properties"]["text"] = {"type": "integer"}
    broken["$defs"]["Sender"]["required"].append("avatar")
    del broken["$defs"]["Flags"]
    assert sorted(additive_violations(old, broken)) == [
        "Flags: removed",
        "Sender.avatar: new required field",
        "TextContent.text: removed or retyped",
    ]


def test_every_tag_has_a_golden_sample() -> None:
    tags = {json.loads(p.read_bytes())["type"] for p in GOLDEN}
    assert tags == {t.__struct_config__.tag for t in ev.EVENT_TYPES}


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_samples_keep_decoding_and_round_trip(path: Path) -> None:
    raw = path.read_bytes()
    event = ev.decode(raw)
    assert json.loads(ev.encode(event)) == json.loads(raw)  # nothing lost, nothing added
