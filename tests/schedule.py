"""The order test files start in under xdist: the slowest first, so that no long file is left to
run alone at the end while the other worker idles.

`make test` runs ``--dist loadfile --no-loadscope-reorder``: a worker takes the next file in
collection order whenever it runs low (xdist's own reorder, by test count, put the one-test
drills last). ``pytest_collection_modifyitems`` in tests/conftest.py moves the files below to
the front, in this order; every other file keeps its place. The table is measured, not
guessed: ``python -m tests.schedule var/test-times.xml`` prints it again from the JUnit XML
`make test` writes (the sum of each file's test times, slowest first).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import pytest

SLOWEST_FIRST = (
    "tests/e2e/test_multi_instance_drill.py",
    "tests/integration/unifier/test_sla_drill.py",
    "tests/e2e/test_drills.py",
    "tests/e2e/workspace/test_thread.py",
    "tests/integration/unifier/test_sla_lifecycle.py",
    "tests/e2e/test_csat.py",
    "tests/e2e/identity/test_one_customer.py",
    "tests/integration/unifier/test_exactly_once.py",
    "tests/integration/unifier/test_bench_inbox.py",
    "tests/e2e/test_make_run.py",
    "tests/e2e/workspace/test_contact_panel.py",
    "tests/e2e/workspace/test_assignment.py",
)
LISTED = 12  # how many files the table keeps: those of half a minute and more


def slowest_first(items: list[pytest.Item]) -> None:
    """Sorts ``items`` in place: the listed files first, in the table's order (stable)."""
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}

    def key(item: pytest.Item) -> int:  # a node id starts with the file, from the rootdir
        return rank.get(item.nodeid.split("::", 1)[0], len(rank))

    items.sort(key=key)


def measured(junit_xml: Path, top: int = LISTED) -> list[tuple[str, float]]:
    """The ``top`` files of a JUnit XML report by the sum of their tests' times."""
    per_file: dict[str, float] = defaultdict(float)
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        module = case.attrib["classname"].replace(".", "/") + ".py"
        per_file[module] += float(case.attrib.get("time", 0))
    return sorted(per_file.items(), key=lambda kv: -kv[1])[:top]


def main(argv: Sequence[str]) -> None:
    for name, seconds in measured(Path(argv[0])):
        print(f'    "{name}",  # {seconds:.0f} s')


if __name__ == "__main__":
    main(sys.argv[1:])
