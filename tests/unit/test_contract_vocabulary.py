"""One contract vocabulary: every struct of both contracts (the channels' ``events`` and the
unifier's ``unified``) builds on one configuration, and both are encoded by one encoder."""

from __future__ import annotations

from types import ModuleType

import msgspec
import pytest

from hotline import events as ev
from hotline import unified as un

ROOTS = (ev.Base, ev.FrozenBase)


def structs(module: ModuleType) -> list[type[msgspec.Struct]]:
    return [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, msgspec.Struct) and v.__module__ == module.__name__
    ]


@pytest.mark.parametrize("module", [ev, un], ids=lambda m: m.__name__)
def test_every_contract_struct_builds_on_the_one_base(module: ModuleType) -> None:
    found = structs(module)
    assert found, f"no structs found in {module.__name__}"
    assert [t.__name__ for t in found if t not in ROOTS and not issubclass(t, ROOTS)] == []


def test_one_encoder_for_both_contracts() -> None:
    assert un.encode.__self__ is ev.encode.__self__  # type: ignore[attr-defined]


def test_the_unified_contract_keeps_the_wire_config() -> None:
    """Defaults omitted, unknown fields tolerated: as before the Base was shared."""
    info = un.DecisionInfo(rule="r", evidence="e", rule_version="1")
    assert (
        msgspec.json.decode(
            b'{"rule":"r","evidence":"e","rule_version":"1","new":1}', type=un.DecisionInfo
        )
        == info
    )
