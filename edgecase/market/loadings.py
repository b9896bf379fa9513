"""How far each asset falls in a market crash: its own behaviour in a historic crisis.

A beta to the equal-weighted book measures ordinary co-movement, dominated by the most
volatile asset; a crisis can treat assets differently (in 2008 the S&P 500, the NASDAQ
and WTI lost 47%, 46% and 59% from Lehman to the low). The *crisis loading* of an asset
is its log return over the crisis window over the book's, so the equal-weighted book
falls by exactly the scenario's depth and each asset by its own historic share.

The window's returns come from the calibration sample when it covers the crisis, else
from the bundled data set of the same name (:func:`edgecase.datasets.load_market`).
When some asset is covered by neither, or the book did not fall in the window, the
betas are used (and the source says so).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CRASH_WINDOW", "crisis_loadings", "crisis_window_returns"]

#: Lehman to the low, the window of the "2008" crisis template.
CRASH_WINDOW = ("2008-09-02", "2009-03-09")

# A window counts as covered when the series has at least this share of its weekdays.
_COVERAGE = 0.9


def _covered(s: pd.Series, window: tuple[str, str]) -> pd.Series | None:
    if not isinstance(s.index, pd.DatetimeIndex) or s.empty:
        return None
    lo, hi = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    if s.index[0] > lo or s.index[-1] < hi:
        return None
    seg = s.loc[lo:hi]
    days = len(pd.bdate_range(lo, hi))
    return seg if len(seg) >= _COVERAGE * days else None


def crisis_window_returns(
    returns: pd.DataFrame, window: tuple[str, str]
) -> tuple[pd.DataFrame, str] | None:
    """Each asset's daily log returns in ``window`` (aligned on common days), with their
    source, or None when some asset's data do not cover it."""
    from edgecase.datasets import list_market, load_market

    cols, sources = {}, []
    for name in returns.columns:
        seg = _covered(returns[name], window)
        where = "calibration sample"
        if seg is None and str(name) in list_market():
            seg = _covered(load_market(str(name))["log_return"], window)
            where = f"load_market({str(name)!r})"
        if seg is None:
            return None
        cols[name] = seg
        sources.append(f"{name}: {where}")
    frame = pd.DataFrame(cols).dropna()
    return frame, "; ".join(sources)


def crisis_loadings(
    returns: pd.DataFrame, betas: np.ndarray, window: tuple[str, str] = CRASH_WINDOW
) -> tuple[np.ndarray, str]:
    """(loading per asset, source): the asset's log return over ``window`` over the
    equal-weighted book's (mean 1), or ``betas`` when the data do not allow it."""
    got = crisis_window_returns(returns, window)
    if got is None:
        return np.asarray(betas, dtype=float), (
            f"beta to the equal-weighted book (no data cover {window[0]} .. {window[1]})"
        )
    frame, source = got
    total = frame.sum(axis=0).to_numpy(dtype=float)
    book = float(total.mean())
    if book > -0.05:
        return np.asarray(betas, dtype=float), (
            f"beta to the equal-weighted book (the book moved {book:+.1%} in the window)"
        )
    return total / book, f"own log returns {window[0]} .. {window[1]} ({source})"
