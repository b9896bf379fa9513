"""Typology scenarios sweep each fraud typology's own severity knob on simulator data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edgecase.errors import InvalidInputError, UnknownNameError
from edgecase.fraud import TYPOLOGIES, simulate_transactions, split_features
from edgecase.stress.typology import TypologyScenario, typology_scenarios


@pytest.fixture(scope="module")
def data():
    return split_features(
        simulate_transactions(20_000, fraud_rate=0.01, random_state=1, progress=False)
    )


def test_one_scenario_per_typology():
    assert [s.name for s in typology_scenarios()] == [f"typology_{t}" for t in TYPOLOGIES]


@pytest.mark.parametrize("typology", list(TYPOLOGIES))
def test_positives_replaced_legit_untouched(data, typology):
    X, y = data
    Xs, ys = TypologyScenario(typology).apply(X, y, 1.0, random_state=0)
    n, legit = len(X), y.to_numpy() == 0
    head = Xs.iloc[:n]
    pd.testing.assert_frame_equal(head[legit], X[legit])
    pd.testing.assert_series_equal(ys.iloc[:n], y)
    # min_positives (2,000) simulated fraud rows: X's 200 replaced, the rest appended
    assert int(ys.sum()) == 2000 and (ys.iloc[n:] == 1).all() and Xs.index.is_unique
    assert list(Xs.dtypes) == list(X.dtypes)
    assert (Xs.loc[ys.to_numpy() == 1, "amount"] >= 0.01).all()
    # in many independent events, each simulated row labelled with its event
    events = Xs.attrs["edgecase_groups"]
    assert pd.isna(events[:n][legit]).all()
    assert pd.Series(events[ys.to_numpy() == 1]).nunique() >= 50
    only = TypologyScenario(typology, min_positives=0).apply(X, y, 1.0, random_state=0)[1]
    pd.testing.assert_series_equal(only, y)


def test_card_testing_severity_moves_amounts_toward_legit(data):
    X, y = data
    sc = TypologyScenario("card_testing")
    pos = y.to_numpy() == 1

    def fraud_median(s):
        Xs, ys = sc.apply(X, y, s, random_state=0)
        return Xs.loc[ys.to_numpy() == 1, "amount"].median()

    med = {s: fraud_median(s) for s in (0.0, 1.0, 2.0)}
    legit_median = X.loc[~pos, "amount"].median()
    # Evasive card testing uses amounts closer to ordinary purchases.
    assert abs(np.log(med[1.0] / legit_median)) < abs(np.log(med[0.0] / legit_median))


def test_needs_simulator_columns_and_known_typology(data):
    X, y = data
    with pytest.raises(InvalidInputError, match="amount"):
        TypologyScenario("card_testing").apply(X.drop(columns=["amount"]), y, 1.0)
    with pytest.raises(UnknownNameError, match="card_testing"):
        TypologyScenario("card_testin").apply(X, y, 1.0)


def test_harness_measures_typologies_against_their_own_lowest_severity(data):
    from xgboost import XGBClassifier

    from edgecase.stress import AmountEvasion, StressHarness

    X, y = data
    model = XGBClassifier(
        n_estimators=40, max_depth=3, enable_categorical=True, tree_method="hist", n_jobs=1
    )
    model.fit(X, y)
    report = StressHarness(
        model,
        [AmountEvasion(), TypologyScenario("card_testing")],
        alert_rate=0.02,
        severities=[0.0, 1.0, 2.0],
        n_boot=50,
        random_state=0,
        progress=False,
    ).run(X, y)
    bps = report.breaking_points.set_index("scenario")
    curves = report.curves.set_index(["scenario", "severity"])["value"]
    assert bps.loc["amount_evasion", "breaking_threshold"] == pytest.approx(
        report.breaking_threshold
    )
    own = 0.8 * curves[("typology_card_testing", 0.0)]
    assert bps.loc["typology_card_testing", "breaking_threshold"] == pytest.approx(own)
    # an explicit threshold applies to every scenario
    fixed = StressHarness(
        model, [TypologyScenario("card_testing")], alert_rate=0.02, severities=[0.0, 1.0],
        n_boot=20, breaking_threshold=0.5, random_state=0, progress=False,
    ).run(X, y)  # fmt: skip
    assert fixed.breaking_points["breaking_threshold"].tolist() == [0.5]
    report.plot()
