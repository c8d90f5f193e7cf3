"""`make bench` keeps working: a tiny run of the whole benchmark (issue 9, item 6).

The figures are never asserted here (they depend on the machine); only that the run starts the
production shape, completes, stops everything, and reports every section.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from bench.report import TARGETS
from bench.run import SECTIONS

ROOT = Path(__file__).resolve().parents[2]
MARKDOWN_HEADINGS = [
    "## Machine",
    "## Versions",
    "## Settings used",
    "## Targets",
    "## Figures",
    "## Channel-layer drops",
]


def _smoke_database_url() -> str:
    """A database of its own, named after the caller's, so parallel test runs never share it."""
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=parsed.path + "_bench_smoke"))


@pytest.mark.slow
def test_bench_smoke_run_completes_and_reports_every_section(tmp_path):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.fail("the bench smoke needs PostgreSQL and Redis: run it through `make test`")
    markdown, results = tmp_path / "RESULTS.md", tmp_path / "results.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--smoke",
            "--out",
            str(markdown),
            "--json",
            str(results),
            "--database-url",
            _smoke_database_url(),
            "--redis-url",
            os.environ["REDIS_URL"],
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]

    report = json.loads(results.read_text())
    assert report["completed"] is True
    assert list(report["sections"]) == list(SECTIONS), output[-4000:]
    statuses = {key: section["status"] for key, section in report["sections"].items()}
    # Baselines need nothing but the stack: they must really run. Product sections may wait for their routes.
    for key in ("redis", "bare_view", "echo", "memory_bare", "fanout", "push", "upload", "storm_bare", "drops"):
        assert statuses[key] == "ok", (key, report["sections"][key]["note"])
    assert set(statuses.values()) <= {"ok", "not available"}, statuses

    text = markdown.read_text()
    for heading in MARKDOWN_HEADINGS:
        assert heading in text
    for key in SECTIONS:
        assert report["sections"][key]["title"] in text
    assert len(report["targets"]) == len(TARGETS)
