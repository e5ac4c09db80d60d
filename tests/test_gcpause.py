"""The collector pause around the ORM's large batches (``_util.gcpause``)."""

import gc

import pytest

from lightalchemy._util import gcpause


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


@pytest.fixture(autouse=True)
def _collector_back_on():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_a_large_batch_runs_without_the_collector_and_gives_it_back():
    gc.enable()
    with gcpause.paused(gcpause.MIN_BATCH):
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), gcpause.paused(gcpause.MIN_BATCH):
        raise ValueError
    assert gc.isenabled()


def test_small_batches_and_a_disabled_collector_are_left_alone():
    gc.enable()
    with gcpause.paused(gcpause.MIN_BATCH - 1):
        assert gc.isenabled()
    gc.disable()
    with gcpause.paused(10 * gcpause.MIN_BATCH):
        assert not gc.isenabled()
    assert not gc.isenabled()


@pytest.mark.skipif(not gcpause._PROMOTE, reason="this interpreter keeps the pause only")
def test_the_batch_lands_in_the_oldest_generation_and_cycles_are_still_collected():
    gc.enable()
    gc.collect()
    with gcpause.paused(gcpause.MIN_BATCH):
        made = [Node() for _ in range(gcpause.MIN_BATCH)]
    # nothing is left young for the next collection to scan all at once
    assert gc.get_count()[0] < gcpause.MIN_BATCH
    del made
    assert gc.collect() >= gcpause.MIN_BATCH  # the full collection still frees them


@pytest.mark.skipif(not gcpause._PROMOTE, reason="this interpreter keeps the pause only")
def test_a_program_that_froze_objects_keeps_them_frozen():
    gc.enable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with gcpause.paused(gcpause.MIN_BATCH):
            [Node() for _ in range(10)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
