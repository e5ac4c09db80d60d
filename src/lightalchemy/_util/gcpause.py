"""Keep CPython's cyclic garbage collector out of the ORM's large batches.

Creating many objects makes the collector run again and again as the heap
grows, each full collection scanning every live object.  The ORM's own batches
(building loaded objects, a flush, expiring after commit) create no garbage
cycles, so the collector waits until the batch is done.

Pausing alone only postpones the cost: the batch's objects then sit in the
youngest generation, and the first allocation after the pause scans all of
them at once (a third of ``load_all`` on PostgreSQL).  Objects built in bulk
are the long-lived kind, so when nobody else uses the permanent generation
the batch ends with ``gc.freeze(); gc.unfreeze()``, which moves every tracked
object into the oldest generation without scanning it.  The price: cyclic
garbage the program made just before the batch waits for the next full
collection instead of the next young one.  A program that froze objects
itself (``gc.freeze()`` before forking) is left alone, and so is an
interpreter whose collector has no generations to move objects between.

The previous collector setting is always restored; small batches are left alone.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

#: batches smaller than this run with the collector as it is
MIN_BATCH = 1000

#: CPython up to 3.13 with the GIL: three generations, and unfreeze() puts the
#: permanent generation into the oldest one (3.14's incremental collector and the
#: free-threaded build keep objects differently; there the pause alone is used)
_PROMOTE = (sys.implementation.name == "cpython" and sys.version_info < (3, 14)
            and getattr(sys, "_is_gil_enabled", lambda: True)())


def _promote_to_oldest() -> None:
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


@contextmanager
def paused(size: int) -> Iterator[None]:
    if size < MIN_BATCH or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if _PROMOTE:
            _promote_to_oldest()
        gc.enable()
