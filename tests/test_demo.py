"""The end-to-end demo, in its quick form, through the installed command."""

from __future__ import annotations

import json

import pytest


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
    assert len(pngs) == 6
