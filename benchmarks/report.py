"""Tables, ratios and the issue's targets, for the terminal and RESULTS.md.

The same Markdown tables are printed and written, so what a developer sees
after ``make bench`` is what RESULTS.md records.  A failed measurement shows
as INVALID (wrong result) or ERROR (exception, crash, timeout) and never as a
number, and a ratio involving one shows the marker too.
"""

from __future__ import annotations

import math

from contenders import BASELINE, REFERENCE, SUBJECT

# Issue 4's targets, set for SQLite: lightalchemy ÷ raw at most ...
RATIO_TARGETS = {
    "bulk_create": 3.0,
    "load_all": 3.0,
    "get_by_pk": 4.0,
    "single_insert_commit": 1.3,
    "update_dirty": 4.0,
    "filter_query": 2.0,
    "delete": 4.0,
}
# ... and issue 7's, set for PostgreSQL (raw = psycopg, with COPY for bulk loads)
PG_RATIO_TARGETS = {
    "bulk_create": 4.0,
    "load_all": 3.0,
    "get_by_pk": 2.0,
    "single_insert_commit": 1.6,
    "update_dirty": 2.0,
    "filter_query": 2.0,
    "delete": 2.0,
}
TARGETS_BY_BACKEND = {"sqlite": (4, RATIO_TARGETS), "postgresql": (7, PG_RATIO_TARGETS)}
STREAM_RSS_MB = 50.0  # lightalchemy's peak RSS growth while streaming, below this
IMPORT_MS = 60.0  # import lightalchemy.orm, at most
LOAD_ALL_RSS_SHARE = 0.60  # lightalchemy's load_all RSS growth ÷ SQLAlchemy's, at most


# --- numbers -------------------------------------------------------------------------------

def fmt_seconds(value: float) -> str:
    """Four significant digits in fixed point (0.0006120, 1.234, 12.35)."""
    if value <= 0:
        return "0"
    digits = max(0, 3 - math.floor(math.log10(value)))
    return f"{value:.{digits}f}"


def _ok(cell: dict | None) -> bool:
    return cell is not None and cell.get("status") == "ok"


def _marker(cell: dict | None) -> str:
    return "—" if cell is None else cell["status"].upper()


def _cells(results: dict, workload: str) -> dict:
    return results["workloads"].get(workload, {}).get("contenders", {})


def ratio(results: dict, workload: str, top: str, bottom: str) -> float | str | None:
    """seconds(top) ÷ seconds(bottom), a failure marker, or None when not measured."""
    cells = _cells(results, workload)
    a, b = cells.get(top), cells.get(bottom)
    if a is None or b is None:
        return None
    for cell in (a, b):
        if not _ok(cell):
            return _marker(cell)
    if not b["seconds"]:
        return None
    return a["seconds"] / b["seconds"]


def _text(value, fmt: str = "{:.2f}") -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return fmt.format(value)


def _met(measured, limit: float, strict: bool = False) -> bool | None:
    if not isinstance(measured, (int, float)):
        return None
    return measured < limit if strict else measured <= limit


def _met_text(met: bool | None) -> str:
    return {True: "met", False: "not met", None: "n/a"}[met]


def ratio_targets(results: dict) -> tuple[int, dict]:
    """(issue number, workload → limit) of the ratio targets for the run's backend."""
    backend = results["meta"].get("backend", "sqlite")
    return TARGETS_BY_BACKEND.get(backend, TARGETS_BY_BACKEND["sqlite"])


# --- analysis ------------------------------------------------------------------------------

def analyse(results: dict) -> None:
    """Add ``ratios`` and ``targets`` to ``results`` (both also go to results.json)."""
    contenders = results["meta"]["contenders"]
    ratios = {}
    for workload in results["workloads"]:
        row = {}
        if BASELINE in contenders:
            for c in contenders:
                if c != BASELINE:
                    row[f"{c} / {BASELINE}"] = ratio(results, workload, c, BASELINE)
        if REFERENCE in contenders and SUBJECT in contenders:
            row[f"{REFERENCE} / {SUBJECT}"] = ratio(results, workload, REFERENCE, SUBJECT)
        ratios[workload] = row
    results["ratios"] = ratios

    targets = []
    for workload, limit in ratio_targets(results)[1].items():
        if workload in results["workloads"] and BASELINE in contenders:
            measured = ratio(results, workload, SUBJECT, BASELINE)
            targets.append({"target": f"{workload}: {SUBJECT} ÷ {BASELINE}",
                            "limit": f"≤ {limit:g}", "measured": measured,
                            "met": _met(measured, limit)})
    if "stream" in results["workloads"]:
        cell = _cells(results, "stream").get(SUBJECT)
        measured = cell["rss_growth_mb"] if _ok(cell) else _marker(cell)
        targets.append({"target": f"stream: {SUBJECT} peak RSS growth (MB)",
                        "limit": f"< {STREAM_RSS_MB:g}", "measured": measured,
                        "met": _met(measured, STREAM_RSS_MB, strict=True)})
    if results.get("import_ms"):
        cell = results["import_ms"].get(SUBJECT)
        measured = cell["ms"] if _ok(cell) else _marker(cell)
        targets.append({"target": f"import {SUBJECT}.orm (ms)", "limit": f"≤ {IMPORT_MS:g}",
                        "measured": measured, "met": _met(measured, IMPORT_MS)})
    if "load_all" in results["workloads"]:
        mine, theirs = (_cells(results, "load_all").get(c) for c in (SUBJECT, REFERENCE))
        if _ok(mine) and _ok(theirs) and theirs["rss_growth_mb"]:
            measured = mine["rss_growth_mb"] / theirs["rss_growth_mb"]
        else:
            measured = next((_marker(c) for c in (mine, theirs) if not _ok(c)), None)
        targets.append({"target": f"load_all: {SUBJECT} RSS growth ÷ {REFERENCE}'s",
                        "limit": f"≤ {LOAD_ALL_RSS_SHARE:.0%}", "measured": measured,
                        "met": _met(measured, LOAD_ALL_RSS_SHARE), "format": "{:.0%}"})
    results["targets"] = targets


# --- tables --------------------------------------------------------------------------------

def table(headers: list[str], rows: list[list[str]], left: int = 1) -> str:
    """A Markdown table padded so that it also reads well in a terminal.

    The first ``left`` columns are text (left-aligned), the rest numbers.
    """
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells):
        padded = [str(c).ljust(w) if i < left else str(c).rjust(w)
                  for i, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i >= left else ("-" * (w + 2))
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def seconds_table(results: dict) -> str:
    contenders = results["meta"]["contenders"]
    rows = []
    for workload, data in results["workloads"].items():
        cells = data["contenders"]
        rows.append([f"{workload} ({data['size']:,})",
                     *(fmt_seconds(cells[c]["seconds"]) if _ok(cells.get(c))
                       else _marker(cells.get(c)) for c in contenders)])
    return table(["workload (size)", *contenders], rows)


def spread_note(results: dict) -> str:
    """How much the repetitions disagreed (max ÷ min), so a reader can judge the medians."""
    spreads = sorted(
        (max(cell["samples"]) / min(cell["samples"]), workload, contender)
        for workload, data in results["workloads"].items()
        for contender, cell in data["contenders"].items()
        if _ok(cell) and len(cell["samples"]) > 1 and min(cell["samples"]) > 0
    )
    if not spreads:
        return ""
    worst, workload, contender = spreads[-1]
    middle = spreads[len(spreads) // 2][0]
    return (f"Spread of the repetitions (slowest ÷ fastest): typically {middle:.2f}, "
            f"at worst {worst:.2f} ({workload} [{contender}]).")


def ratio_table(results: dict) -> str:
    columns = [k for k in next(iter(results["ratios"].values()), {})]
    with_targets = BASELINE in results["meta"]["contenders"] and \
        SUBJECT in results["meta"]["contenders"]
    headers = ["workload", *(k.replace(" / ", " ÷ ") for k in columns)]
    if with_targets:
        headers += [f"target {SUBJECT} ÷ {BASELINE}", "met"]
    rows = []
    for workload, row in results["ratios"].items():
        line = [workload, *(_text(row[k]) for k in columns)]
        if with_targets:
            limit = ratio_targets(results)[1].get(workload)
            measured = row.get(f"{SUBJECT} / {BASELINE}")
            line += [f"≤ {limit:g}", _met_text(_met(measured, limit))] if limit else ["—", "—"]
        rows.append(line)
    return table(headers, rows)


def targets_table(results: dict) -> str:
    rows = [[t["target"], t["limit"], _text(t["measured"], t.get("format", "{:.2f}")),
             _met_text(t["met"])]
            for t in results["targets"]]
    return table(["target", "limit", "measured", "met?"], rows, left=2)


def memory_table(results: dict) -> str:
    contenders = results["meta"]["contenders"]
    headers = ["workload", *contenders]
    both = SUBJECT in contenders and REFERENCE in contenders
    if both:
        headers.append(f"{SUBJECT} ÷ {REFERENCE}")
    rows = []
    for workload in ("load_all", "stream"):
        if workload not in results["workloads"]:
            continue
        cells = _cells(results, workload)
        row = [workload, *(f"{cells[c]['rss_growth_mb']:.1f}" if _ok(cells.get(c))
                           else _marker(cells.get(c)) for c in contenders)]
        if both:
            mine, theirs = cells[SUBJECT], cells[REFERENCE]
            if _ok(mine) and _ok(theirs):
                share = mine["rss_growth_mb"] / theirs["rss_growth_mb"] \
                    if theirs["rss_growth_mb"] else None
            else:
                share = _marker(mine if not _ok(mine) else theirs)
            row.append(_text(share, "{:.0%}"))
        rows.append(row)
    return table(headers, rows) if rows else ""


def import_table(results: dict) -> str:
    rows = [[c, f"import {cell['module']}", _text(cell["ms"], "{:.1f}") if _ok(cell)
             else _marker(cell)] for c, cell in results.get("import_ms", {}).items()]
    return table(["contender", "statement", "ms (median)"], rows, left=2) if rows else ""


def calls_table(results: dict) -> str:
    calls = results.get("calls_per_item") or {}
    if not calls:
        return ""
    contenders = results["meta"]["contenders"]
    labels = {"bulk_create": "per inserted object", "load_all": "per loaded row"}
    rows = []
    for workload, data in calls.items():
        cells = data["contenders"]
        rows.append([f"{workload}: {labels.get(workload, 'per item')} ({data['items']:,})",
                     *(_text(cells[c]["per_item"], "{:.1f}") if _ok(cells.get(c))
                       else _marker(cells.get(c)) for c in contenders)])
    return table(["Python calls (cProfile)", *contenders], rows)


def compare_table(results: dict) -> str:
    first, second = results["meta"]["compare"]
    rows = []
    for workload, data in results["workloads"].items():
        cells = data["contenders"]
        speedup = ratio(results, workload, second, first)
        rows.append([workload, *(fmt_seconds(cells[c]["seconds"]) if _ok(cells[c])
                                 else _marker(cells[c]) for c in (first, second)),
                     _text(speedup)])
    return table(["workload", f"{first} s", f"{second} s", f"{second} ÷ {first}"], rows)


def failures(results: dict) -> list[dict]:
    """Every INVALID / ERROR result, with where it happened."""
    found = []
    sections = [(w, d["contenders"]) for w, d in results["workloads"].items()]
    sections += [(f"calls:{w}", d["contenders"])
                 for w, d in (results.get("calls_per_item") or {}).items()]
    sections.append(("import", results.get("import_ms") or {}))
    for where, cells in sections:
        for contender, cell in cells.items():
            if not _ok(cell):
                found.append({"workload": where, "contender": contender,
                              "status": cell["status"].upper(), "detail": cell.get("detail"),
                              "traceback": cell.get("traceback")})
    return found


def render(results: dict) -> str:
    """The report body shared by the terminal and RESULTS.md."""
    meta = results["meta"]
    reps = meta["reps"]
    parts = []
    if meta.get("compare"):
        first, second = meta["compare"]
        parts += [f"## Comparison in one run ({second} ÷ {first}: {second}'s time as a "
                  f"fraction of {first}'s; below 1, {second} is faster)",
                  compare_table(results)]
    parts += [f"## Seconds (median of {reps}, lower is better)", seconds_table(results)]
    if spread_note(results):
        parts.append(spread_note(results))
    if any(results["ratios"].values()) and not meta.get("compare"):
        parts += ["## Ratios (X ÷ raw: how many times slower than raw, lower is better; "
                  f"{REFERENCE} ÷ {SUBJECT}: {SUBJECT}'s speed-up, higher is better)",
                  ratio_table(results)]
    if results["targets"]:
        note = "" if meta["scale"] == 1 else \
            f" — sizes scaled by {meta['scale']:g}; the targets are for the full sizes"
        parts += [f"## Targets (issue {ratio_targets(results)[0]}){note}",
                  targets_table(results)]
    for title, body in (("## Peak RSS growth during the workload (MB)", memory_table(results)),
                        (f"## Import time (fresh interpreter, median of {reps})",
                         import_table(results)),
                        ("## Python function calls per item", calls_table(results))):
        if body:
            parts += [title, body]
    problems = failures(results)
    if problems:
        lines = ["## Failures"]
        for f in problems:
            lines.append(f"- **{f['status']}** {f['workload']} [{f['contender']}]: {f['detail']}")
            if f.get("traceback"):
                tail = "\n".join(f["traceback"].rstrip().splitlines()[-12:])
                lines.append("\n```\n" + tail + "\n```")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _backend_words(backend: str) -> str:
    if backend == "postgresql":
        return ("postgresql (psycopg 3; a fresh schema per run on a local server; the raw "
                "contender uses COPY for bulk loads)")
    return f"{backend} (a file database in a temporary directory)"


def _rewritten_by(backend: str) -> str:
    if backend == "sqlite":
        return "regenerated by every full run; `--quick` and filtered runs do not touch this file"
    return (f"`make bench-{backend}`; rewritten by every plain full or `--quick` run on "
            f"{backend}, not by filtered ones; the ratio targets are issue "
            f"{TARGETS_BY_BACKEND.get(backend, (4,))[0]}'s")


def markdown(results: dict, command: str) -> str:
    """RESULTS.md: machine facts, how it was measured, then the tables."""
    meta = results["meta"]
    facts = "\n".join(f"- **{k}**: {v}" for k, v in meta["machine"].items())
    sizes = ", ".join(f"{w} {d['size']:,} (table {d['seed_rows']:,} rows)"
                      for w, d in results["workloads"].items())
    return (
        "# Benchmark results\n\n"
        f"Latest {'full ' if meta['backend'] == 'sqlite' else ''}run of `{command}` "
        f"({_rewritten_by(meta['backend'])}).\n\n"
        f"{facts}\n\n"
        f"Backend: {_backend_words(meta['backend'])}. "
        f"Each (contender, workload, repetition) ran in a fresh subprocess; only the "
        f"workload call was timed (time.perf_counter), median of {meta['reps']} "
        "repetitions interleaved across contenders; every result was checked through the "
        "raw driver after the timed region. lightalchemy was imported from a "
        "byte-compiled snapshot of src/ taken when the run started. Peak RSS growth is "
        "ru_maxrss after the "
        f"workload minus before it. Total wall time: {meta['elapsed_s']:.0f} s.\n\n"
        f"Sizes: {sizes}.\n\n"
        + render(results)
    )
