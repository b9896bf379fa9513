"""The end-to-end demo, in its quick form, through the installed command."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from edgecase.demo.conclusions import _breaking_shift, _model_verdict


@pytest.mark.xdist_group("quick_demo")
def test_quick_demo_writes_the_report(quick_demo):
    proc, out = quick_demo
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "breaking severity" in proc.stdout
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "Breaking points" in html
    report = json.loads((out / "report.json").read_text())
    scenarios = {row["scenario"] for row in report["breaking_points"]}
    assert {"amount_evasion", "typology_card_testing", "market_crash"} <= scenarios
    assert report["var_backtest"]["n_exceptions"] > 0
    assert 0.5 < report["market_evaluation"]["roc_auc"] <= 1.0
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert len(pngs) == 7
    assert {"fraud_hardened_stress.png", "fraud_harden_rounds.png"} <= set(pngs)
    assert not any("augmented" in p for p in pngs)


@pytest.mark.xdist_group("quick_demo")
def test_quick_demo_compares_the_baseline_with_the_hardened_model(quick_demo):
    proc, out = quick_demo
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    models = {row["model"] for row in report["breaking_points"]}
    assert {"baseline", "hardened", "crash classifier"} == models
    assert [row["model"] for row in report["fraud_holdout"]] == ["baseline", "hardened"]
    history = pd.DataFrame(report["harden_history"])
    assert history["round"].iloc[0] == 0 and history["kept"].sum() == 1
    # the kept round passed the guard
    assert history.loc[history["kept"], "accepted"].all()
    html = (out / "report.html").read_text()
    assert "Fraud: hardening rounds" in html and "Fraud: hardened model under stress" in html
    assert "augmented" not in html.lower()
    # the rounds table: one status per round, the guard's stops and the kept round marked
    assert html.count("stopped by the guard") == int((~history["accepted"]).sum())
    assert html.count(", kept</td>") == 1


class _Report:
    def __init__(self, rows):
        self.breaking_points = pd.DataFrame(
            rows, columns=["scenario", "breaking_severity", "ci_low", "ci_high"]
        )


def test_breaking_shift_counts_scenarios_and_names_separated_intervals():
    inf = np.inf
    base = _Report([("a", 0.5, 0.4, 0.6), ("b", 1.0, 0.5, 2.0), ("c", inf, inf, inf)])
    hard = _Report([("a", 1.5, 1.2, 1.8), ("b", 0.8, 0.3, 1.5), ("c", inf, inf, inf)])
    text = _breaking_shift({"baseline": base, "hardened": hard})
    assert "later on 1, earlier on 1 and the same on 1 of 3 scenarios" in text
    assert text.endswith("do not overlap on a.")
    text = _breaking_shift({"baseline": base, "hardened": base})
    assert "later on 0, earlier on 0 and the same on 3" in text and "overlaps" in text


def _fraud(y, s_base, s_hard, same_model=False):
    base = object()
    models = {"baseline": base, "hardened": base if same_model else object()}
    pr = pd.DataFrame({"pr_auc": [0.0, 0.0]}, index=["baseline", "hardened"])
    scores = {"baseline": s_base, "hardened": s_hard}
    return {"y_test": y, "scores": scores, "models": models, "test": pr, "n_test_fraud": 1}


def test_verdict_reads_the_paired_interval_of_the_severity0_cost():
    rng = np.random.default_rng(0)
    y = np.r_[np.ones(200), np.zeros(2000)]
    good = y * 3 + rng.normal(size=y.size)
    noise = rng.normal(size=y.size)
    assert "hardened model is worse, beyond noise" in _model_verdict(_fraud(y, good, noise), 50, 0)
    assert "hardened model is better, beyond noise" in _model_verdict(_fraud(y, noise, good), 50, 0)
    same = _model_verdict(_fraud(y, good, good.copy()), 50, 0)
    assert "a difference of +0.000" in same and "within noise" in same
    assert "is the baseline" in _model_verdict(_fraud(y, good, good, same_model=True), 50, 0)
