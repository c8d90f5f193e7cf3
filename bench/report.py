"""The results: a table on stdout and a Markdown page (machine, date, versions, settings, figures, targets)."""

import math
import os
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from .context import Section

PACKAGES = [
    "Django",
    "channels",
    "channels-redis",
    "redis",
    "daphne",
    "Twisted",
    "uvicorn",
    "uvloop",
    "celery",
    "psycopg",
    "psycopg-pool",
    "websockets",
]

# (label, section, figure, "<=" or ">=" or "==", threshold, unit)
TARGETS = [
    ("Reply-to-badge p95, from the HTTP send (1,000 sockets, 20 HTTP replies/s)", "badge", "p95", "<=", 50, "ms"),
    ("Reply-to-badge p99, from the HTTP send (1,000 sockets, 20 HTTP replies/s)", "badge", "p99", "<=", 200, "ms"),
    ("Attendant's HTTP send p50 (while 20 replies/s arrive)", "badge", "http_send_p50", "<=", 10, "ms"),
    ("Chat messages sustained", "chat", "delivered_per_s", ">=", 500, "/s"),
    ("Chat messages lost after resync", "chat", "lost_after_resync", "==", 0, ""),
    ("Send to the other side's socket p95 (1,000 idle sockets)", "send", "to_socket_p95", "<=", 50, "ms"),
    ("Typing indicator to the other side p95", "typing", "p95", "<=", 50, "ms"),
    ("Memory per idle websocket", "memory_toolbar", "per_socket_kb", "<=", 50, "KB"),
    ("Panel p95", "page_panel", "p95", "<=", 30, "ms"),
    ('"Meus Atendimentos" p95', "page_mine", "p95", "<=", 30, "ms"),
    ("Conversation page p95", "page_conversation", "p95", "<=", 30, "ms"),
    ("Admin queue p95", "page_admin_queue", "p95", "<=", 150, "ms"),
    ("Report page p95 (30 days, 100,000 tickets)", "page_reports", "p95", "<=", 300, "ms"),
    ("Report page p95 (366 days, 100,000 tickets)", "page_reports_year", "p95", "<=", 300, "ms"),
    ("Report CSV p95 (366 days)", "page_reports_csv", "p95", "<=", 300, "ms"),
    ('"Meu dia" p95', "page_my_day", "p95", "<=", 300, "ms"),
    ("2 MB PNG upload validated and stored, p95", "upload", "png_p95", "<=", 100, "ms"),
    ("2 MB PDF upload validated and stored, p95", "upload", "pdf_p95", "<=", 100, "ms"),
    ("Routing: creation to offer p95 (1,000 waiting, 50 attendants)", "routing_offer", "p95", "<=", 100, "ms"),
]

# (section, figure, baseline section, baseline figure): each product figure over its baseline.
RATIOS = [
    ("push", "p95", "redis", "p95"),
    ("fanout", "p95", "redis", "p95"),
    ("badge", "p50", "push", "p50"),
    ("badge", "p95", "push", "p95"),
    ("badge", "p99", "push", "p99"),
    ("badge", "p95", "badge_service", "p95"),
    ("chat", "delivered_per_s", "echo", "round_trips_per_s"),
    ("chat", "latency_p95", "push", "p95"),
    ("send", "http_p50", "bare_view", "p50"),
    ("memory_toolbar", "per_socket_kb", "memory_bare", "per_socket_kb"),
    ("page_panel", "p50", "bare_view", "p50"),
    ("page_panel", "p95", "bare_view", "p95"),
    ("page_mine", "p50", "bare_view", "p50"),
    ("page_mine", "p95", "bare_view", "p95"),
    ("page_conversation", "p50", "bare_view", "p50"),
    ("page_conversation", "p95", "bare_view", "p95"),
    ("page_admin_queue", "p50", "bare_view", "p50"),
    ("page_admin_queue", "p95", "bare_view", "p95"),
    ("upload", "png_p50", "upload", "raw_write_p50"),
    ("upload", "pdf_p50", "upload", "raw_write_p50"),
    ("storm", "all_back_s", "storm_bare", "all_back_s"),
]


def _number(value) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def compute_ratios(sections: dict[str, Section]) -> None:
    for key, figure, base_key, base_figure in RATIOS:
        section, base = sections.get(key), sections.get(base_key)
        if section is None or section.status != "ok":
            continue
        value = _number(section.figures.get(figure))
        base_value = _number(base.figures.get(base_figure)) if base is not None and base.status == "ok" else None
        name = f"{figure} ÷ {base_key}.{base_figure}"
        if value is None or not base_value or math.isnan(value) or math.isnan(base_value):
            section.ratios[name] = None
        else:
            section.ratios[name] = value / base_value


def judge(sections: dict[str, Section], smoke: bool) -> list[tuple[str, str, str]]:
    rows = []
    for label, key, figure, op, threshold, unit in TARGETS:
        target = f"{op.replace('<=', '≤').replace('>=', '≥').replace('==', '=')} {threshold:g} {unit}".strip()
        section = sections.get(key)
        if section is None or section.status != "ok" or _number(section.figures.get(figure)) is None:
            why = "not measured yet" if section is None or section.status == "not available" else "not measured"
            if section is not None and section.status == "failed":
                missing = section.note.startswith("not available")
                why = "not measured yet (route or consumer missing)" if missing else "not measured (failed)"
            rows.append((label, target, why))
            continue
        value = section.figures[figure]
        met = {"<=": value <= threshold, ">=": value >= threshold, "==": value == threshold}[op]
        verdict = "met" if met else "not met"
        if smoke:
            verdict = f"not judged (smoke run; would be {verdict})"
        rows.append((label, target, f"{verdict}: {fmt(value)} {unit}".strip()))
    return rows


def fmt(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if value and abs(value) < 0.01:
            return f"{value:.2g}"
        return f"{value:.2f}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def machine() -> dict[str, str]:
    model = "unknown"
    ram = "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                    break
    except OSError:
        pass
    return {
        "CPU": model,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": f"{platform.system()} {platform.release()}",
    }


def versions(extra: dict[str, str]) -> dict[str, str]:
    found = {"Python": sys.version.split()[0]}
    for package in PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    found.update(extra)
    return found


def figures_text(section: Section) -> str:
    def one(name: str, value) -> str:
        unit = section.units.get(name)
        text = f"{name} {fmt(value)}{(' ' + unit) if unit else ''}"
        low_high = section.spread.get(name)
        if low_high and low_high[0] != low_high[1]:
            text += f" [{fmt(low_high[0])}–{fmt(low_high[1])}]"
        return text

    return ", ".join(one(name, value) for name, value in section.figures.items())


def ratios_text(section: Section) -> str:
    return ", ".join(f"{name} = {fmt(value) if value is not None else 'n/a'}" for name, value in section.ratios.items())


def table(sections: dict[str, Section]) -> str:
    lines = []
    width = max((len(s.key) for s in sections.values()), default=10)
    for section in sections.values():
        lines.append(f"{section.key:<{width}}  {section.status:<13}  {figures_text(section)}")
        if section.ratios:
            lines.append(f"{'':<{width}}  {'':<13}  ratio: {ratios_text(section)}")
        if section.note:
            lines.append(f"{'':<{width}}  {'':<13}  note: {section.note}")
    return "\n".join(lines)


def markdown(
    *, sections, targets, settings_used, versions_found, smoke, started, elapsed, drops_note, analysis="", runs=()
) -> str:
    """runs: for a combined result, one line per run (its date, load and time); figures are then medians."""
    out = [
        "# Benchmark results" + (" (smoke run: tiny numbers, not figures to judge by)" if smoke else ""),
        "",
        "Written by `make bench` (bench/run.py). Every figure comes with its baseline ratio where there is one;",
        "the baselines are measured in the same run, on the same servers, layer and database.",
        "",
    ]
    if runs:
        out += [
            f"**Median of {len(runs)} runs**, each from a fresh seed and fresh servers; where the runs differ, "
            "the lowest and highest value follow in brackets, and the targets are judged on the medians.",
            "",
            *[f"- {line}" for line in runs],
            "",
        ]
    out += [
        f"Date: {started.astimezone(UTC).strftime('%Y-%m-%d %H:%M UTC')}; run time {elapsed:.0f} s.",
        "",
        "## Machine",
        "",
        *[f"- {name}: {value}" for name, value in machine().items()],
        "",
        "## Versions",
        "",
        *[f"- {name}: {value}" for name, value in versions_found.items()],
        "",
        "## Settings used",
        "",
        *[f"- {name}: {value}" for name, value in settings_used.items()],
        "",
        "## Targets (issue 9)",
        "",
        "| target | goal | verdict |",
        "|---|---|---|",
        *[f"| {label} | {goal} | {verdict} |" for label, goal, verdict in targets],
        "",
        "## Figures",
        "",
        "| measurement | status | figures | ratio to baseline |",
        "|---|---|---|---|",
    ]
    for section in sections.values():
        status = section.status + (f" ({section.note})" if section.note else "")
        cells = [section.title, status, figures_text(section), ratios_text(section)]
        out.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    out += ["", "## Channel-layer drops", "", drops_note, ""]
    if analysis:
        out += [analysis.rstrip(), ""]
    return "\n".join(out)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def now() -> datetime:
    return datetime.now(UTC)
