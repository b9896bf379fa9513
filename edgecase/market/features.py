"""Rolling features and crash labels from paths or real returns, for an early-warning classifier.

The same columns come out of simulated :class:`~edgecase.market.Paths` and of a
real return series, so a classifier trained on generated paths can be
evaluated on real S&P 500 windows.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from edgecase._validate import check_returns, check_scalar
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.market.paths import Paths

__all__ = ["make_features", "feature_names"]


def feature_names(windows: Sequence[int] = (5, 20, 60), n_assets: int = 1) -> list[str]:
    """Column names :func:`make_features` produces.

    Examples
    --------
    >>> feature_names((5, 20))
    ['ret_5', 'ret_20', 'vol_5', 'vol_20', 'drawdown_20', 'vol_of_vol_20', 'vol_ratio_5_20']
    """
    w = sorted(int(v) for v in windows)
    cols = [f"ret_{k}" for k in w] + [f"vol_{k}" for k in w]
    cols += [f"drawdown_{w[-1]}", f"vol_of_vol_{w[-1]}", f"vol_ratio_{w[0]}_{w[-1]}"]
    if n_assets > 1:
        cols += [f"corr_{w[-1]}"]
    return cols


def _rolling_sum(x: np.ndarray, w: int) -> np.ndarray:
    """Sum over the last w steps (inclusive) along axis 1; the first w-1 are NaN."""
    c = np.cumsum(x, axis=1)
    out = np.full_like(c, np.nan)
    out[:, w - 1] = c[:, w - 1]
    out[:, w:] = c[:, w:] - c[:, :-w]
    return out


def _rolling_std(x: np.ndarray, w: int) -> np.ndarray:
    m = _rolling_sum(x, w) / w
    m2 = _rolling_sum(x * x, w) / w
    return np.sqrt(np.maximum(m2 - m * m, 0.0) * w / max(w - 1, 1))


def _check_unique_columns(data: Any, name: str) -> None:
    if isinstance(data, pd.DataFrame) and data.columns.duplicated().any():
        dup = data.columns[data.columns.duplicated()].tolist()
        raise InvalidInputError(f"{name} has duplicated column names {dup}; name each asset once.")


def _check_windows(windows: Any) -> list[int]:
    try:
        w = sorted(int(v) for v in windows)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"windows must be positive integers; got {windows!r}."
        ) from None
    if (
        not w
        or w[0] < 2
        or len(set(w)) != len(w)
        or any(not isinstance(v, numbers.Integral) for v in windows)
    ):
        raise InvalidParameterError(f"windows must be distinct integers >= 2; got {windows!r}.")
    return w


def make_features(
    data: Any,
    *,
    windows: Sequence[int] = (5, 20, 60),
    horizon: int = 20,
    drawdown: float = -0.10,
) -> tuple[pd.DataFrame, pd.Series]:
    """Features at each step and a crash label over the next ``horizon`` steps.

    Features use only returns up to and including step t (an equal-weighted
    portfolio of the assets): cumulative log return and annualised realised
    volatility over each window, drawdown from the highest price of the longest
    window, volatility of the shortest-window volatility over the longest window
    (vol-of-vol), short/long volatility ratio and, with several assets, the mean
    pairwise correlation over the longest window.

    ``y = 1`` ("crash") when the price falls below ``(1 + drawdown)`` times its
    value at t on some step of t+1..t+horizon. Only rows with a full look-back
    window and a full look-ahead horizon are returned.

    Parameters
    ----------
    data : Paths, or Series/DataFrame of daily log returns
        Paths give index MultiIndex (path, step); real returns their own index.
    windows : sequence of int
    horizon : int
    drawdown : float in (-1, 0)

    Examples
    --------
    >>> from edgecase.datasets import load_market
    >>> X, y = make_features(load_market("sp500")["log_return"])
    >>> X.shape, y.name, round(float(y.mean()), 3)
    ((4947, 9), 'crash', 0.048)
    """
    w = _check_windows(windows)
    horizon = int(check_scalar(horizon, "horizon", kind=numbers.Integral, low=1, high=10_000))
    drawdown = float(
        check_scalar(
            drawdown, "drawdown", low=-1.0, high=0.0, low_inclusive=False, high_inclusive=False
        )
    )
    if isinstance(data, Paths):
        R = data.returns
        index_kind = "paths"
    else:
        _check_unique_columns(data, "data")
        df = check_returns(data, name="data", min_obs=2)
        R = df.to_numpy(dtype=float)[None]
        index_kind = "real"
    n_paths, T, d = R.shape
    L = w[-1]
    if T < L + horizon:
        raise InvalidInputError(
            f"data has {T} steps per path; windows up to {L} and horizon={horizon} need at least "
            f"{L + horizon}."
        )
    x = R.mean(axis=2)
    feats: dict[str, np.ndarray] = {}
    for k in w:
        feats[f"ret_{k}"] = _rolling_sum(x, k)
    vols = {k: _rolling_std(x, k) * np.sqrt(252.0) for k in w}
    for k in w:
        feats[f"vol_{k}"] = vols[k]
    logp = np.cumsum(x, axis=1)
    # Highest log price over the last L steps, counting the level before the window starts.
    pad = np.concatenate([np.zeros((n_paths, 1)), logp], axis=1)
    peak = np.lib.stride_tricks.sliding_window_view(pad, L + 1, axis=1).max(axis=2)
    dd = np.full((n_paths, T), np.nan)
    dd[:, L - 1 :] = np.expm1(logp[:, L - 1 :] - peak)
    feats[f"drawdown_{L}"] = dd
    v0 = np.nan_to_num(vols[w[0]], nan=0.0)
    vov = _rolling_std(v0, L)
    vov[:, : w[0] + L - 2] = np.nan
    feats[f"vol_of_vol_{L}"] = vov
    with np.errstate(divide="ignore", invalid="ignore"):
        feats[f"vol_ratio_{w[0]}_{L}"] = np.where(vols[L] > 0, vols[w[0]] / vols[L], 1.0)
    if d > 1:
        sd = np.stack([_rolling_std(R[..., a], L) for a in range(d)], axis=2)
        acc, npairs = np.zeros((n_paths, T)), 0
        for i in range(d):
            for j in range(i + 1, d):
                cov = _rolling_sum(R[..., i] * R[..., j], L) / L - (
                    _rolling_sum(R[..., i], L) / L
                ) * (_rolling_sum(R[..., j], L) / L)
                den = sd[..., i] * sd[..., j] * (L - 1) / L
                acc += np.where(den > 0, cov / np.where(den > 0, den, 1.0), 0.0)
                npairs += 1
        feats[f"corr_{L}"] = acc / npairs
    # Label: min over k=1..h of logp[t+k] - logp[t] below log(1 + drawdown).
    fut = np.lib.stride_tricks.sliding_window_view(logp[:, 1:], horizon, axis=1).min(axis=2)
    worst = np.full((n_paths, T), np.nan)
    worst[:, : T - horizon] = fut[:, : T - horizon] - logp[:, : T - horizon]
    first = w[0] + L - 2  # vol-of-vol needs the longest window of short-window vols
    keep = np.arange(T)
    keep = keep[(keep >= max(first, L - 1)) & (keep < T - horizon)]
    if keep.size == 0:
        raise InvalidInputError(
            f"data has {T} steps per path: no step has a full look-back and look-ahead."
        )
    cols = feature_names(w, d)
    X = np.stack([feats[c][:, keep] for c in cols], axis=2).reshape(-1, len(cols))
    yv = (worst[:, keep] < np.log1p(drawdown)).reshape(-1).astype(np.int8)
    if index_kind == "paths":
        index = pd.MultiIndex.from_product([np.arange(n_paths), keep], names=["path", "step"])
    else:
        index = df.index[keep]
    return pd.DataFrame(X, index=index, columns=cols), pd.Series(yv, index=index, name="crash")
