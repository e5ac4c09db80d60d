"""The one place that turns generated source into functions.

Generated code is registered with ``linecache`` under a readable file name,
so tracebacks and debuggers show the real lines.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

_counter = itertools.count()


def build(name: str, source: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """Compile ``source`` (which defines ``name``) and return that function."""
    import linecache  # here, not at import time: it pulls in tokenize

    filename = f"<lightalchemy generated {name} #{next(_counter)}>"
    code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(code, namespace)
    function = namespace[name]
    function.__source__ = source
    return function
