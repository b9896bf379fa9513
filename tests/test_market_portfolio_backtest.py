"""From the portfolio to the VaR backtest, and the early-warning leg's start state."""

from __future__ import annotations

import numpy as np
import pytest

from edgecase.datasets import load_market
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.market import BlackSwanGenerator, Portfolio
from edgecase.stress import MarketScenario, var_backtest


@pytest.fixture(scope="module")
def gen() -> BlackSwanGenerator:
    return BlackSwanGenerator.from_returns(load_market("sp500")["log_return"])


def test_forecast_sigma_is_the_filtered_state(gen):
    r = gen.calibration.returns
    days = r.loc["2008-09-01":"2008-12-31"].index[::20]
    f = Portfolio({"log_return": 1.0}, gen).var_forecasts(days, n_paths=20_000, random_state=1)
    cal = gen.calibration
    for day, sigma in zip(days, f["sigma"], strict=True):
        st = cal.start_state(day)
        # Independent of the simulation: the filter's next-day variance times the
        # expected regime multiplier (the P&L is expm1 of a ~1-3% return).
        expected = np.sqrt(st["variance"][0] * (st["regime_probs"] @ cal.regimes.multipliers))
        assert sigma == pytest.approx(expected, rel=0.06), (day, sigma, expected)
    assert list(f.index) == [r.index[r.index.get_loc(d) + 1] for d in days]


def test_forecasts_feed_var_backtest(gen):
    r = gen.calibration.returns["log_return"]
    days = r.loc["2008-01-01":"2009-01-31"].index[:-1]
    book = Portfolio({"log_return": 1.0}, gen)
    f = book.var_forecasts(days, level=0.99, n_paths=1000, random_state=0)
    assert np.allclose(f["pnl"], np.expm1(r.loc[f.index]))
    assert (f["es"] >= f["var"]).all() and (f["var"] > 0).all()
    bt = var_backtest(f["pnl"], f["var"], alpha=0.99, es=f["es"], sigma=f["sigma"])
    assert bt.n_exceptions == int((f["pnl"] < -f["var"]).sum())
    # Conditional forecasts through 2008: a constant long-run VaR would fail by far
    # (dozens of exceptions); the filtered one keeps the count near 1%.
    assert bt.n_exceptions <= 8
    flat = var_backtest(f["pnl"], np.full(len(f), f["var"].median() / 3), alpha=0.99)
    assert flat.n_exceptions > 3 * max(bt.n_exceptions, 1)
    # Same seed, same forecasts.
    again = book.var_forecasts(days[:5], level=0.99, n_paths=1000, random_state=0)
    assert (
        again["var"].tolist()
        == book.var_forecasts(days[:5], n_paths=1000, random_state=0)["var"].tolist()
    )


def test_var_forecasts_refuse_days_outside_the_sample(gen):
    book = Portfolio({"log_return": 1.0}, gen)
    with pytest.raises(InvalidParameterError, match="dates"):
        book.var_forecasts(["1990-01-02"])
    with pytest.raises(InvalidParameterError, match="dates"):
        book.var_forecasts([gen.calibration.returns.index[-1]])


def test_early_warning_leg_starts_from_the_filtered_state(gen):
    def vol20(start):
        sc = MarketScenario(gen, "crash", n_paths=100, n_steps=120, min_positives=0, start=start)
        X, _ = sc.apply(None, None, 0.0, random_state=0)
        return float(X["vol_20"].mean())

    stormy, calm, long_run = vol20("2008-10-31"), vol20("2006-06-30"), vol20("long_run")
    assert stormy > 2 * calm and calm < long_run < stormy
    with pytest.raises(InvalidInputError, match="start"):
        MarketScenario(gen, "crash", n_paths=5, start="1950-01-03").apply(None, None, 1.0, 0)
