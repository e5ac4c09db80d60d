"""Pause CPython's cyclic garbage collector around large batches.

Creating or touching many objects makes the collector run full collections
again and again as the heap grows, each scanning every live object.  The ORM's
own batches (building loaded objects, a flush, expiring after commit) create no
garbage cycles, so the collector can wait until the batch is done.  The previous
setting is always restored; small batches are left alone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: batches smaller than this run with the collector as it is
MIN_BATCH = 1000


@contextmanager
def paused(size: int) -> Iterator[None]:
    if size < MIN_BATCH or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
