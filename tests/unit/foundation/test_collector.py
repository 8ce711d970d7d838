from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from hotline import collector
from hotline.settings import ServiceSettings


@pytest.fixture
def restore_gc() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_tune_raises_the_young_threshold_and_freezes_startup_objects(restore_gc: None) -> None:
    gc.set_threshold(700, 10, 10)
    collector.tune(ServiceSettings().gc_threshold)
    assert gc.get_threshold() == (50_000, 20, 100)
    assert gc.get_freeze_count() > 0


def test_zero_keeps_python_defaults(restore_gc: None) -> None:
    gc.set_threshold(700, 10, 10)
    collector.tune(0)
    assert gc.get_threshold() == (700, 10, 10)


def test_paused_disables_collections_inside_and_restores_them_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.paused():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()


def test_paused_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
