"""Fraud typologies: every generated row satisfies the schema (property test), severity works."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgecase.errors import InvalidParameterError, UnknownNameError
from edgecase.fraud import TYPOLOGIES, simulate_transactions, transaction_schema
from edgecase.fraud.typologies import Typology, get_typology

REQUIRED = {
    "card_testing",
    "account_takeover",
    "bust_out",
    "velocity_burst",
    "high_value_outlier",
    "merchant_compromise",
    "cash_out",
}


def test_required_typologies_are_documented_classes():
    assert REQUIRED <= set(TYPOLOGIES)
    for name, cls in TYPOLOGIES.items():
        assert issubclass(cls, Typology) and cls.name == name
        assert cls.__doc__ and "Severity" in cls.__doc__


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    typology=st.sampled_from(sorted(TYPOLOGIES)),
    severity=st.floats(0.0, 4.0),
    n=st.integers(50, 1500),
    n_accounts=st.integers(1, 60),
    rate=st.floats(0.01, 0.5),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_generated_row_satisfies_the_schema(typology, severity, n, n_accounts, rate, seed):
    df = simulate_transactions(
        n,
        n_accounts=min(n_accounts, n),
        fraud_rate=rate,
        typologies=[typology],
        severity=severity,
        random_state=seed,
        progress=False,
    )
    report = transaction_schema().check(df)
    assert report.ok, str(report)
    assert len(df) == n
    assert int(df["is_fraud"].sum()) == int(round(n * rate))
    assert set(df.loc[df["is_fraud"], "typology"].astype(str)) <= {typology}
    # per-account time order is strict, not just non-decreasing
    assert (
        df.groupby("account_id")["timestamp"]
        .apply(lambda t: (t.diff().dropna() > pd.Timedelta(0)).all())
        .all()
    )


@pytest.mark.parametrize(
    "name, feature, direction",
    [
        ("card_testing", "txn_count_1h", -1),  # slower velocity when evasive
        ("account_takeover", "is_new_country", -1),
        ("high_value_outlier", "amount_to_median", -1),
        ("velocity_burst", "txn_count_1h", -1),
        ("bust_out", "amount_to_median", -1),
        ("merchant_compromise", "amount_to_median", -1),
        ("cash_out", "distance_from_home_km", -1),
    ],
)
def test_severity_makes_each_typology_look_more_legit(name, feature, direction):
    def stat(sev):
        df = simulate_transactions(
            8000, fraud_rate=0.05, typologies=[name], severity=sev, random_state=1, progress=False
        )
        f = df.loc[df["is_fraud"], feature].astype(float)
        return np.median(np.abs(np.log(f))) if feature == "amount_to_median" else f.mean()

    s0, s1 = stat(0.0), stat(1.0)
    assert (s1 - s0) * direction > 0, (s0, s1)


def test_get_typology_errors():
    with pytest.raises(UnknownNameError, match="card_testing"):
        get_typology("card-testing")
    with pytest.raises(InvalidParameterError, match="severity"):
        get_typology("bust_out", severity=-0.5)
    with pytest.raises(InvalidParameterError):
        get_typology(3)
    t = get_typology(get_typology("bust_out"), severity=2.0)
    assert t.severity == 2.0
