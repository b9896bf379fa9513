"""Market leg: a crash early-warning classifier trained only on generated black-swan paths,
evaluated on real S&P 500 windows (2008 included), then stressed per market scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score
from xgboost import XGBClassifier

from edgecase.datasets import load_market
from edgecase.errors import InvalidInputError, UnknownNameError
from edgecase.market import BlackSwanGenerator
from edgecase.market.features import make_features
from edgecase.stress import StressHarness
from edgecase.stress.market import MarketScenario, market_scenarios
from edgecase.train import Trainer


@pytest.fixture(scope="module")
def leg():
    sp = load_market("sp500")["log_return"]
    # Calibrate on data before the evaluation window: nothing of 2007-2009 is seen in training.
    gen = BlackSwanGenerator.from_returns(sp[:"2006-12-31"])
    parts = [
        # Training paths from the unconditional state: the classifier must cover every
        # market state, not the (calm) last day of the calibration sample.
        make_features(
            gen.generate(60, 252, scenario=sc, severity=sev, random_state=i, start="long_run")
        )
        for i, (sc, sev) in enumerate(
            [
                ("base", 0.0),
                ("crash", 1.0),
                ("vol_spike", 1.0),
                ("crash", 0.5),
                ("flash_crash", 1.0),
            ]
        )
    ]
    X = pd.concat([p[0] for p in parts], ignore_index=True)
    y = pd.concat([p[1] for p in parts], ignore_index=True)
    est = XGBClassifier(
        n_estimators=80, max_depth=3, learning_rate=0.1, n_jobs=2, tree_method="hist"
    )
    trainer = Trainer(estimator=est, cv=3, threshold="f1", random_state=0, progress=False).fit(X, y)
    X_real, y_real = make_features(sp)
    window = (X_real.index >= "2007-01-01") & (X_real.index <= "2009-12-31")
    return gen, trainer, X_real[window], y_real[window]


def test_trained_on_paths_ranks_real_2007_2009_crashes(leg):
    _, trainer, X_real, y_real = leg
    assert 0.05 < y_real.mean() < 0.3  # real crash windows exist in 2007-2009
    scores = trainer.predict_proba(X_real)[:, 1]
    assert roc_auc_score(y_real, scores) > 0.65
    assert average_precision_score(y_real, scores) > 2 * y_real.mean()
    by_quarter = pd.Series(scores, index=X_real.index).resample("QE").mean()
    # Warnings rise into the Lehman quarter compared with calm early 2007.
    assert by_quarter["2008-12-31"] > 2 * by_quarter["2007-03-31"]


def test_market_scenarios_in_the_harness(leg):
    gen, trainer, X_real, y_real = leg
    scenarios = market_scenarios(gen, ["crash", "vol_spike"], n_paths=30)
    report = StressHarness(
        trainer,
        scenarios,
        metric="recall",
        alert_rate=0.1,
        severities=[0.0, 1.0, 2.0],
        n_boot=50,
        random_state=0,
        progress=False,
    ).run(X_real, y_real)
    assert set(report.curves["scenario"]) == {"market_crash", "market_vol_spike"}
    assert len(report.curves) == 6
    assert np.isfinite(report.curves["value"]).all()
    assert set(report.breaking_points["scenario"]) == {"market_crash", "market_vol_spike"}


def test_market_scenario_same_seed_same_rows(leg):
    gen, _, X_real, _ = leg
    sc = MarketScenario(gen, "crash", n_paths=10)
    a = sc.apply(X_real, None, 1.0, random_state=3)
    b = sc.apply(X_real, None, 1.0, random_state=3)
    pd.testing.assert_frame_equal(a[0], b[0])
    assert list(a[0].columns) == list(X_real.columns)


def test_market_scenario_bad_input(leg):
    gen, _, X_real, _ = leg
    with pytest.raises(UnknownNameError, match="scenario"):
        MarketScenario(gen, "meteor").apply(X_real, None, 1.0)
    with pytest.raises(InvalidInputError, match="extra"):
        MarketScenario(gen, "crash", n_paths=5).apply(X_real.assign(extra=1.0), None, 1.0)
