"""Severity 1 is the historic worst: each scenario against its record (RECORDS, with sources)."""

import numpy as np
import pandas as pd
import pytest

from edgecase.datasets import load_market
from edgecase.market import BlackSwanGenerator
from edgecase.market.scenarios import RECORDS, record_vol_21d


@pytest.fixture(scope="module")
def gen():
    return BlackSwanGenerator.from_returns(load_market("sp500")["log_return"])


def _paths(gen, scenario):
    # Another seed and more paths than the sizing simulation: an out-of-sample check.
    return gen.generate(3000, 252, scenario, 1.0, random_state=7, start="long_run")


def test_crash_median_drawdown_is_2008s(gen):
    mdd = _paths(gen, "crash").drawdowns().min(axis=1)[:, 0]
    assert np.median(mdd) == pytest.approx(RECORDS["crash"]["value"], abs=0.05)
    assert RECORDS["crash"]["value"] == -0.568 and "2009-03-09" in RECORDS["crash"]["source"]


def test_flash_crash_median_worst_day_is_1987s(gen):
    worst = np.expm1(_paths(gen, "flash_crash").returns[..., 0].min(axis=1))
    assert np.median(worst) == pytest.approx(-0.2047, abs=0.02)


def test_vol_spike_median_peak_vol_is_the_data_record(gen):
    r = _paths(gen, "vol_spike").returns[..., 0]
    peak = pd.DataFrame(r.T).rolling(21).std().max().to_numpy() * np.sqrt(252)
    record = record_vol_21d(gen.calibration.returns)
    # the record of the S&P 500 sample itself, computed independently
    sp = load_market("sp500")["log_return"]
    assert record == pytest.approx(sp.rolling(21).std().max() * np.sqrt(252))
    assert np.median(peak) == pytest.approx(record, rel=0.1)


def test_severity_one_is_sized_once_when_two_threads_ask_together(monkeypatch):
    # a simulation's blocks build their overlays in threads: the first crash simulation
    # asks for the size from two threads at once, and it must be simulated only once
    import threading

    from edgecase.market import scenarios as S

    cal = BlackSwanGenerator.from_returns(load_market("sp500")["log_return"]).calibration
    sized, real = [], S._size_severity_one
    monkeypatch.setattr(S, "_size_severity_one", lambda c, s: sized.append(s) or real(c, s))
    barrier, out = threading.Barrier(2), []

    def ask():
        barrier.wait()
        out.append(S.severity_one(cal, "crash"))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sized == ["crash"] and len(out) == 2 and out[0] == out[1]
    assert out[0] == S.severity_one(cal, "crash") and sized == ["crash"]
