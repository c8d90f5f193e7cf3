"""Several bench runs make one result: medians with their spread, never the best run (issue 16, point 7)."""

from bench.combine import combine_sections
from bench.report import figures_text, judge


def run(p95: float, status: str = "ok", samples: int = 300) -> dict:
    return {
        "badge": {
            "key": "badge",
            "title": "Reply-to-badge",
            "status": status,
            "figures": {"p95": p95, "p99": p95 * 2, "samples": samples},
            "units": {"p95": "ms", "p99": "ms", "samples": ""},
            "ratios": {},
            "note": "" if status == "ok" else "socket refused",
        }
    }


def test_each_figure_is_the_median_of_the_runs_with_the_lowest_and_highest_beside_it():
    sections = combine_sections([run(9.0), run(60.0), run(12.0)])
    badge = sections["badge"]
    assert badge.figures["p95"] == 12.0
    assert badge.spread["p95"] == (9.0, 60.0)
    assert badge.figures["samples"] == 300
    assert "p95 12.00 ms [9.00–60.00]" in figures_text(badge)
    assert figures_text(badge).endswith("samples 300")  # equal in every run: no spread to show


def test_targets_are_judged_on_the_median_not_on_the_quietest_run():
    verdicts = {
        label: verdict for label, _goal, verdict in judge(combine_sections([run(9.0), run(70.0), run(80.0)]), False)
    }
    badge_p95 = next(v for label, v in verdicts.items() if label.startswith("Reply-to-badge p95"))
    assert badge_p95 == "not met: 70.00 ms"


def test_a_section_that_failed_in_any_run_is_failed_in_the_result():
    sections = combine_sections([run(9.0), run(10.0, status="failed"), run(11.0)])
    assert sections["badge"].status == "failed"
    assert sections["badge"].note == "socket refused"
    assert sections["badge"].figures == {}
