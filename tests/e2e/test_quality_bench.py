"""The quality replay runner works: one scenario, end to end, scores perfectly."""

from __future__ import annotations

from benchmarks.quality.run import SCENARIOS, Outcome, report, run_scenario


def test_replay_of_one_scenario_scores_it() -> None:
    outcome = Outcome()
    run_scenario(SCENARIOS / "04_moved_removed_restored.toml", outcome)
    summary = report(outcome)
    assert summary["totals"]["steps"] == 5
    assert summary["totals"]["expected"] == 1
    assert (summary["recall"], summary["precision"]) == (1.0, 1.0), outcome.problems
