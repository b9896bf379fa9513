"""Stylized facts of daily returns and a realism scorecard (simulated vs real).

Statistics (Cont 2001): excess kurtosis, skew, Hill tail index of both tails,
ACF of returns (lags 1-5), ACF of ``|r|`` (lags 1..100) and its power-law decay
exponent, leverage ``corr(r_t, |r_{t+k}|)``, gain/loss asymmetry (mean first
passage time to +5% over that to -5%), kurtosis of 1/5/20-day aggregated
returns and, in the scorecard, Wasserstein distances of 1/5/20/100-day returns.

Simulated paths are compared like for like with one real series: each fact is
computed per path and the **median over paths** is reported, so a simulation
with paths as long as the real sample faces the same finite-sample bias (the
sample ACF of ``|r|`` at lag 100 and the sample kurtosis both depend strongly
on the length of the series).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from edgecase._validate import check_returns, check_scalar
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.market.paths import Paths

__all__ = ["stylized_facts", "realism_scorecard", "Scorecard", "as_path_matrix"]

_MIN_OBS = 30


def _asset_index(asset: Any, names: list[Any], name: str) -> int:
    """The position of ``asset`` (a position or a name) among ``names``, or an error."""
    if isinstance(asset, numbers.Integral) and not isinstance(asset, bool):
        if 0 <= int(asset) < len(names):
            return int(asset)
        raise InvalidParameterError(
            f"asset={int(asset)} is out of range: {name} has {len(names)} asset(s) {names[:10]}."
        )
    if isinstance(asset, str):
        if asset in names:
            return names.index(asset)
        raise InvalidParameterError(
            f"asset={asset!r} is not an asset of {name}; expected one of {names[:10]} or a position."
        )
    raise InvalidParameterError(
        f"asset must be a position (int) or an asset name (str); got {asset!r}."
    )


def _frame_path(data: pd.Series | pd.DataFrame, asset: Any, name: str) -> np.ndarray:
    df = check_returns(data, name=name, min_obs=_MIN_OBS)
    # A Series is one asset: position 0 or its own name.
    names = [data.name] if isinstance(data, pd.Series) else list(df.columns)
    return df.iloc[:, _asset_index(asset, names, name)].to_numpy(float)[None, :]


def as_path_matrix(data: Any, *, asset: int | str = 0, name: str = "returns") -> np.ndarray:
    """Log returns as a float (n_paths, n_steps) matrix: a Series/1-D array is one path.

    ``asset`` picks a column of a DataFrame, an asset of a Paths or of a 3-D array, by
    position or name; it is refused when it names nothing. Constant paths are refused:
    their facts (autocorrelations, kurtosis) are undefined.
    """
    if isinstance(data, Paths):
        arr = data.returns[:, :, _asset_index(asset, list(data.assets), name)]
    elif isinstance(data, pd.Series | pd.DataFrame):
        arr = _frame_path(data, asset, name)
    else:
        try:
            arr = np.asarray(data, dtype=float)
        except (TypeError, ValueError):
            raise InvalidInputError(f"{name} must be numeric log returns.") from None
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim == 3:
            arr = arr[:, :, _asset_index(asset, list(range(arr.shape[2])), name)]
        elif arr.ndim == 2:
            _asset_index(asset, [0], name)
        if arr.ndim != 2:
            raise InvalidInputError(f"{name} must be 1-D, 2-D (paths x steps) or a Paths object.")
    if arr.shape[1] < _MIN_OBS or arr.shape[0] == 0:
        raise InvalidInputError(
            f"{name} has {arr.shape[1]} step(s) per path; at least {_MIN_OBS} are needed."
        )
    if not np.isfinite(arr).all():
        raise InvalidInputError(f"{name} has NaN/inf values; expected finite log returns.")
    flat = np.flatnonzero(np.ptp(arr, axis=1) == 0)
    if len(flat):
        raise InvalidInputError(
            f"{name} path {int(flat[0])} is constant ({len(flat)} constant path(s)); "
            "stylized facts of returns that never move are undefined."
        )
    return arr


def _acf(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample ACF per row for lags 1..max_lag (FFT, biased estimator as in statsmodels)."""
    T = x.shape[1]
    xc = x - x.mean(axis=1, keepdims=True)
    nfft = 1 << int(np.ceil(np.log2(2 * T)))
    f = np.fft.rfft(xc, nfft, axis=1)
    ac = np.fft.irfft(f * np.conj(f), nfft, axis=1)[:, : max_lag + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = ac[:, 1:] / ac[:, :1]
    return np.nan_to_num(out, nan=0.0)


def _leverage(x: np.ndarray, max_lag: int) -> np.ndarray:
    out = np.empty((x.shape[0], max_lag))
    for k in range(1, max_lag + 1):
        a, b = x[:, :-k], np.abs(x[:, k:])
        a = a - a.mean(axis=1, keepdims=True)
        b = b - b.mean(axis=1, keepdims=True)
        den = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
        out[:, k - 1] = np.where(den > 0, (a * b).sum(axis=1) / np.where(den > 0, den, 1), 0.0)
    return out


def _excess_kurtosis(x: np.ndarray) -> np.ndarray:
    return stats.kurtosis(x, axis=1, fisher=True, bias=True)


def _hill(x: np.ndarray, frac: float = 0.025) -> np.ndarray:
    """Hill tail index of the positive values of each row (top ``frac`` order statistics)."""
    k = max(int(frac * x.shape[1]), 5)
    top = -np.sort(-x, axis=1)[:, : k + 1]
    out = np.full(x.shape[0], np.nan)
    ok = top[:, k] > 0
    if ok.any():
        logs = np.log(top[ok, :k] / top[ok, k : k + 1])
        out[ok] = 1.0 / np.maximum(logs.mean(axis=1), 1e-12)
    return out


def _aggregate(x: np.ndarray, m: int) -> np.ndarray:
    n = x.shape[1] // m
    return x[:, : n * m].reshape(x.shape[0], n, m).sum(axis=2)


def _gain_loss(x: np.ndarray, level: float = 0.05, horizon: int = 250) -> np.ndarray:
    """Mean first-passage time to +level over that to -level (> 1: losses come faster)."""
    T = x.shape[1]
    H = min(horizon, T - 1)
    out = np.full(x.shape[0], np.nan)
    lg = np.log1p(level)
    ll = np.log1p(-level)
    for i in range(x.shape[0]):
        c = np.concatenate([[0.0], np.cumsum(x[i])])
        win = np.lib.stride_tricks.sliding_window_view(c[1:], H)[: T - H + 1]
        rel = win - c[: T - H + 1, None]
        up, dn = rel >= lg, rel <= ll
        tu = np.where(up.any(axis=1), up.argmax(axis=1) + 1, 0)
        td = np.where(dn.any(axis=1), dn.argmax(axis=1) + 1, 0)
        if (tu > 0).any() and (td > 0).any():
            out[i] = tu[tu > 0].mean() / td[td > 0].mean()
    return out


def _power_exponent(acf_abs: np.ndarray) -> float:
    lags = np.arange(1, acf_abs.size + 1)
    ok = acf_abs > 1e-3
    if ok.sum() < 3:
        return float("nan")
    slope = np.polyfit(np.log(lags[ok]), np.log(acf_abs[ok]), 1)[0]
    return float(-slope)


def stylized_facts(returns: Any, *, max_lag: int = 100, asset: int | str = 0) -> pd.Series:
    """Stylized facts of daily log returns (median over paths for several paths).

    Parameters
    ----------
    returns : Series, 1-D array, (n_paths, n_steps) array or Paths
    max_lag : int
        Largest lag of the ACF of ``|r|`` (default 100).
    asset : int or str
        Which asset of a multi-asset Paths.

    Returns
    -------
    Series
        ``excess_kurtosis, skew, hill_left, hill_right, acf_r_1..5, acf_abs_1..max_lag,
        acf_abs_power, leverage_1..20, gain_loss, kurtosis_1d, kurtosis_5d, kurtosis_20d``.
        ``gain_loss`` is NaN when neither a 5% gain nor loss is reached.

    Examples
    --------
    >>> from edgecase.datasets import load_market
    >>> f = stylized_facts(load_market("sp500")["log_return"])
    >>> [round(float(f[k]), 3) for k in ("excess_kurtosis", "acf_abs_1", "acf_abs_100", "leverage_1")]
    [8.169, 0.244, 0.12, -0.125]
    """
    max_lag = int(check_scalar(max_lag, "max_lag", kind=numbers.Integral, low=5, high=10_000))
    x = as_path_matrix(returns, asset=asset)
    if x.shape[1] <= max_lag + 1:
        raise InvalidInputError(
            f"returns has {x.shape[1]} steps per path; max_lag={max_lag} needs more than "
            f"{max_lag + 1}."
        )
    med = lambda v: float(np.nanmedian(v, axis=0)) if np.isfinite(v).any() else float("nan")  # noqa: E731
    out: dict[str, float] = {
        "excess_kurtosis": med(_excess_kurtosis(x)),
        "skew": med(stats.skew(x, axis=1)),
        "hill_left": med(_hill(-x)),
        "hill_right": med(_hill(x)),
    }
    ac = np.median(_acf(x, 5), axis=0)
    out.update({f"acf_r_{k}": float(ac[k - 1]) for k in range(1, 6)})
    aa = np.median(_acf(np.abs(x), max_lag), axis=0)
    out.update({f"acf_abs_{k}": float(aa[k - 1]) for k in range(1, max_lag + 1)})
    out["acf_abs_power"] = _power_exponent(aa)
    lev = np.median(_leverage(x, 20), axis=0)
    out.update({f"leverage_{k}": float(lev[k - 1]) for k in range(1, 21)})
    out["gain_loss"] = med(_gain_loss(x))
    for m in (1, 5, 20):
        agg = _aggregate(x, m)
        out[f"kurtosis_{m}d"] = med(_excess_kurtosis(agg)) if agg.shape[1] >= 8 else float("nan")
    return pd.Series(out, name="value")


@dataclass
class Scorecard:
    """Realism of simulated paths against real returns.

    ``table`` has one row per compared statistic (``group, real, sim, error,
    score``): ``error`` is a scaled distance (0 = identical, 1 = clearly off)
    and ``score = 1 / (1 + error)``. ``score`` (the combined score, in (0, 1],
    higher is better) averages the groups equally.
    """

    table: pd.DataFrame
    facts_real: pd.Series
    facts_sim: pd.Series
    returns_real: np.ndarray = field(repr=False)
    returns_sim: np.ndarray = field(repr=False)

    @property
    def score(self) -> float:
        return float(self.table.groupby("group")["score"].mean().mean())

    def group_scores(self) -> pd.Series:
        return self.table.groupby("group")["score"].mean()

    def plot(self, **kwargs: Any):
        from edgecase.market.plots import scorecard_plot

        return scorecard_plot(self, **kwargs)

    def to_json(self) -> str:
        """The combined score, group scores, table and both fact sets as JSON (no NaN)."""
        from edgecase._io import dumps

        return dumps(
            {
                "score": self.score,
                "group_scores": self.group_scores().to_dict(),
                "table": self.table.to_dict(orient="records"),
                "facts_real": self.facts_real.to_dict(),
                "facts_sim": self.facts_sim.to_dict(),
            }
        )

    def to_html(self, path: Any, *, title: str = "Market realism scorecard") -> Any:
        """A self-contained HTML page with the table and the comparison figure."""
        import matplotlib.pyplot as plt

        from edgecase._io import Section, write_html

        fig = self.plot()
        try:
            section = Section(
                title=f"Combined score {self.score:.3f}",
                text="Errors are scaled distances (0 = identical); score = 1 / (1 + error).",
                tables=[self.table],
                figures=[fig],
            )
            return write_html(path, title, [section])
        finally:
            plt.close(fig)


def _wasserstein(sim: np.ndarray, real: np.ndarray, h: int) -> float:
    """W1 distance of overlapping h-day returns, in units of the real h-day std."""

    def hsum(x):
        c = np.cumsum(x, axis=1)
        c = np.concatenate([np.zeros((x.shape[0], 1)), c], axis=1)
        return (c[:, h:] - c[:, :-h]).ravel()

    rs, ss = hsum(real), hsum(sim)
    return float(stats.wasserstein_distance(ss, rs) / rs.std())


def realism_scorecard(
    sim: Any, real: Any, *, max_lag: int = 100, asset: int | str = 0
) -> Scorecard:
    """Compare simulated paths with real returns on every stylized fact.

    For a like-for-like comparison simulate paths about as long as the real sample
    (e.g. 20 paths of ``len(real)`` days): per-path facts are summarised by their
    median over paths.

    Examples
    --------
    >>> from edgecase.datasets import load_market
    >>> from edgecase.market import BlackSwanGenerator
    >>> r = load_market("sp500")["log_return"]
    >>> sim = BlackSwanGenerator.from_returns(r).generate(4, 2000, "base", 0.0, random_state=0)
    >>> card = realism_scorecard(sim, r)
    >>> 0 < card.score <= 1, sorted(card.group_scores().index)[:3]
    (True, ['acf_abs', 'acf_r', 'aggregation'])
    """
    xs = as_path_matrix(sim, asset=asset, name="sim")
    xr = as_path_matrix(real, asset=asset, name="real")
    lag = int(check_scalar(max_lag, "max_lag", kind=numbers.Integral, low=5, high=10_000))
    for name, x in (("sim", xs), ("real", xr)):
        if x.shape[1] <= lag + 1:
            raise InvalidInputError(
                f"{name} has {x.shape[1]} steps per path; max_lag={lag} needs more than {lag + 1}."
            )
    fs = stylized_facts(xs, max_lag=max_lag)
    fr = stylized_facts(xr, max_lag=max_lag)
    rows: list[tuple[str, str, float, float, float]] = []

    def add(group: str, stat: str, s: float, r: float, err: float) -> None:
        rows.append((group, stat, r, s, err if np.isfinite(err) else 10.0))

    rel = lambda s, r, floor: abs(s - r) / max(abs(r), floor)  # noqa: E731
    add(
        "tails",
        "excess_kurtosis",
        fs["excess_kurtosis"],
        fr["excess_kurtosis"],
        rel(fs["excess_kurtosis"], fr["excess_kurtosis"], 1.0),
    )
    add("tails", "skew", fs["skew"], fr["skew"], rel(fs["skew"], fr["skew"], 0.25))
    for t in ("hill_left", "hill_right"):
        add("tails", t, fs[t], fr[t], rel(fs[t], fr[t], 1.0))
    d = np.mean([abs(fs[f"acf_r_{k}"] - fr[f"acf_r_{k}"]) for k in range(1, 6)])
    add("acf_r", "acf_r_1..5 (mean abs diff)", float(d), 0.0, d / 0.05)
    for k in (1, 5, 20, 50, max_lag):
        key = f"acf_abs_{k}"
        if key in fs:
            add("acf_abs", key, fs[key], fr[key], abs(fs[key] - fr[key]) / 0.05)
    d = np.mean([abs(fs[f"acf_abs_{k}"] - fr[f"acf_abs_{k}"]) for k in range(1, max_lag + 1)])
    add("acf_abs", f"acf_abs_1..{max_lag} (mean abs diff)", float(d), 0.0, d / 0.05)
    add(
        "acf_abs",
        "acf_abs_power",
        fs["acf_abs_power"],
        fr["acf_abs_power"],
        rel(fs["acf_abs_power"], fr["acf_abs_power"], 0.1),
    )
    add(
        "leverage",
        "leverage_1",
        fs["leverage_1"],
        fr["leverage_1"],
        abs(fs["leverage_1"] - fr["leverage_1"]) / 0.05,
    )
    d = np.mean([abs(fs[f"leverage_{k}"] - fr[f"leverage_{k}"]) for k in range(1, 21)])
    add("leverage", "leverage_1..20 (mean abs diff)", float(d), 0.0, d / 0.05)
    add(
        "gain_loss",
        "gain_loss",
        fs["gain_loss"],
        fr["gain_loss"],
        abs(np.log(fs["gain_loss"] / fr["gain_loss"])) / np.log(1.5),
    )
    for m in (5, 20):
        key = f"kurtosis_{m}d"
        add("aggregation", key, fs[key], fr[key], rel(fs[key], fr[key], 1.0))
    for h in (1, 5, 20, 100):
        if h < min(xs.shape[1], xr.shape[1]):
            w = _wasserstein(xs, xr, h)
            add("distribution", f"wasserstein_{h}d", w, 0.0, w / 0.1)
    table = pd.DataFrame(rows, columns=["group", "statistic", "real", "sim", "error"])
    table["score"] = 1.0 / (1.0 + table["error"])
    return Scorecard(table=table, facts_real=fr, facts_sim=fs, returns_real=xr, returns_sim=xs)
