"""Several runs of the bench into one result: each figure is the median of the runs, with its spread.

`make bench` runs the whole benchmark three times (bench/run.py --runs 3), each in a process of its own
with a fresh seed and fresh servers, and writes RESULTS.md from the medians: one quiet or one unlucky run
neither hides nor invents a problem. Targets are judged on the medians; the lowest and highest values are
shown beside each figure.
"""

import statistics
from datetime import datetime

from .context import Section
from .report import compute_ratios, judge


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def combine_sections(runs: list[dict[str, dict]]) -> dict[str, Section]:
    """runs: each run's "sections" as written in its JSON. A section failed in any run is failed here."""
    combined: dict[str, Section] = {}
    for key, first in runs[0].items():
        found = [run[key] for run in runs if key in run]
        section = Section(key, first["title"], units=dict(first["units"]))
        bad = [s for s in found if s["status"] != "ok"]
        if len(found) < len(runs) or bad:
            section.status = bad[0]["status"] if bad else "failed"
            section.note = bad[0]["note"] if bad else f"missing in {len(runs) - len(found)} of {len(runs)} runs"
            combined[key] = section
            continue
        section.note = first["note"]
        for name, value in first["figures"].items():
            values = [s["figures"].get(name) for s in found]
            if all(_number(v) for v in values):
                middle = statistics.median(values)
                if all(isinstance(v, int) for v in values) and float(middle).is_integer():
                    middle = int(middle)
                section.figures[name] = round(middle, 2) if isinstance(middle, float) else middle
                section.spread[name] = (min(values), max(values))
            else:
                section.figures[name] = value
        combined[key] = section
    compute_ratios(combined)
    return combined


def combine(results: list[dict], *, smoke: bool) -> tuple[dict[str, Section], list, list[str]]:
    """(sections, targets, one line per run) from the runs' JSON results."""
    sections = combine_sections([r["sections"] for r in results])
    targets = judge(sections, smoke)
    lines = []
    for n, result in enumerate(results, 1):
        started = datetime.fromisoformat(result["started"]).strftime("%Y-%m-%d %H:%M UTC")
        lines.append(
            f"run {n}: {started}, {result['elapsed']:.0f} s, load average at start {result['load_at_start']}, "
            f"at end {result['load_at_end']}"
        )
    return sections, targets, lines
