"""A book of weights on a generator's assets: P&L, VaR/ES per scenario and severity, reverse stress.

The P&L of a path is that of a buy-and-hold book over the horizon, as a fraction of
its value at the start: ``sum_i w_i (exp(R_i) - 1)`` with ``R_i`` the asset's summed
log return. VaR and ES at ``level`` are positive losses: ``VaR = -q_{1-level}(P&L)``
and ``ES = -E[P&L | P&L <= -VaR]``. Intervals are percentile bootstraps over paths.
Every scenario and severity uses the same seed (common random numbers), so the
severity-0 column of every scenario is the same base book, and a VaR curve moves
only because the stress does.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from edgecase._random import RandomStateLike, as_generator, as_seed_sequence
from edgecase._validate import check_scalar, check_severity
from edgecase.errors import InvalidParameterError

__all__ = ["Portfolio", "PortfolioStress", "book_var_es"]

#: Scenarios :meth:`Portfolio.stress` runs by default (all of the generator's).
DEFAULT_SCENARIOS = (
    "base",
    "crash",
    "vol_spike",
    "correlation_breakdown",
    "liquidity_gap",
    "flash_crash",
)


def book_var_es(pnl: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """VaR and ES (positive losses) at ``level`` along the last axis of ``pnl``.

    Examples
    --------
    >>> import numpy as np
    >>> v, e = book_var_es(np.linspace(-1, 1, 1001), 0.9)
    >>> round(float(v), 2), round(float(e), 2)
    (0.8, 0.9)
    """
    pnl = np.asarray(pnl, dtype=float)
    q = np.quantile(pnl, 1.0 - level, axis=-1, keepdims=True)
    tail = pnl <= q
    es = -(np.where(tail, pnl, 0.0).sum(axis=-1) / np.maximum(tail.sum(axis=-1), 1))
    return -q[..., 0], es


@dataclass
class PortfolioStress:
    """Result of :meth:`Portfolio.stress`: one row per scenario and severity.

    ``table`` columns: scenario, severity, the P&L quantiles ``q0.01`` ... (fractions of
    the book), ``var`` and ``es`` at ``level`` with bootstrap ``var_low/var_high`` and
    ``es_low/es_high`` (``ci`` coverage), and ``mean``.
    """

    table: pd.DataFrame
    level: float
    horizon: int
    n_paths: int
    ci: float

    def plot(self, ax: Any = None):
        """VaR and ES against severity per scenario, with their intervals; returns the Figure."""
        from edgecase.market.plots import portfolio_stress_plot

        return portfolio_stress_plot(self, ax=ax)


class Portfolio:
    """Weights on a generator's assets, stressed by its scenarios.

    Parameters
    ----------
    weights : mapping or Series
        Asset name -> fraction of the book's capital (negative: short). Assets of the
        generator left out hold nothing; names the generator does not know are an error.
    generator : BlackSwanGenerator
        Or any object with ``assets`` and ``generate(n_paths, n_steps, scenario,
        severity, random_state, start=...)`` returning paths with ``returns``.

    Examples
    --------
    >>> from edgecase.datasets import load_market
    >>> from edgecase.market import BlackSwanGenerator
    >>> gen = BlackSwanGenerator.from_returns(load_market("sp500")["log_return"])
    >>> book = Portfolio({"log_return": 1.0}, gen)
    >>> res = book.stress(["crash"], [0.0, 1.0], n_paths=1000, horizon=63, random_state=0)
    >>> bool(res.table["var"].iloc[1] > res.table["var"].iloc[0])
    True
    """

    def __init__(self, weights: Mapping[str, float] | pd.Series, generator: Any) -> None:
        assets = [str(a) for a in getattr(generator, "assets", [])]
        if not assets or not callable(getattr(generator, "generate", None)):
            raise InvalidParameterError(
                "generator must have assets and generate(); use BlackSwanGenerator.from_returns."
            )
        if isinstance(weights, pd.Series):
            weights = weights.to_dict()
        if not isinstance(weights, Mapping) or not weights:
            raise InvalidParameterError("weights must be a non-empty mapping asset -> weight.")
        unknown = sorted(str(k) for k in weights if str(k) not in assets)
        if unknown:
            raise InvalidParameterError(
                f"weights names asset(s) {unknown} the generator does not have; it has {assets}."
            )
        w = np.zeros(len(assets))
        for k, v in weights.items():
            w[assets.index(str(k))] = float(
                check_scalar(v, f"weights[{k!r}]", kind=numbers.Real, low=-100.0, high=100.0)
            )
        if not np.any(w):
            raise InvalidParameterError("weights are all zero; the book holds nothing.")
        self.weights = pd.Series(w, index=assets, name="weight")
        self.generator = generator

    def pnl(self, returns: np.ndarray) -> np.ndarray:
        """Horizon P&L per path (fraction of the book) of paths' log ``returns`` (n, T, d)."""
        growth = np.expm1(np.asarray(returns, dtype=float).sum(axis=1))
        return growth @ self.weights.to_numpy()

    def _sharing(self, start: Any) -> AbstractContextManager:
        """The generator's shared-draws context (common random numbers drawn once), if any."""
        hook = getattr(self.generator, "shared_draws", None)
        return hook(start) if callable(hook) else nullcontext()

    def _simulate(self, scenario, severity, n_paths, horizon, seed, start) -> np.ndarray:
        paths = self.generator.generate(
            n_paths, horizon, scenario=scenario, severity=severity,
            random_state=seed, start=start,
        )  # fmt: skip
        return self.pnl(paths.returns)

    def stress(
        self,
        scenarios: Sequence[str] = DEFAULT_SCENARIOS,
        severities: Sequence[float] = (0.0, 0.5, 1.0, 1.5, 2.0),
        n_paths: int = 10_000,
        horizon: int = 252,
        *,
        level: float = 0.99,
        quantiles: Sequence[float] = (0.01, 0.05, 0.5, 0.95),
        n_boot: int = 200,
        ci: float = 0.9,
        start: Any = "last",
        random_state: RandomStateLike = None,
    ) -> PortfolioStress:
        """P&L quantiles, VaR and ES per scenario and severity, with bootstrap intervals.

        Returns
        -------
        PortfolioStress
            ``.table`` (one row per scenario and severity) and ``.plot()``.
        """
        level, ci, n_paths, horizon, n_boot = _check_common(level, ci, n_paths, horizon, n_boot)
        sev = [check_severity(s) for s in severities]
        if not sev or not list(scenarios):
            raise InvalidParameterError("scenarios and severities must not be empty.")
        ss = as_seed_sequence(random_state)
        seed, boot_seed = ss.spawn(2)
        boot = as_generator(boot_seed).integers(0, n_paths, (n_boot, n_paths))
        rows, base = [], None
        with self._sharing(start):
            for scn in scenarios:
                for s in sev:
                    if s == 0.0 or scn == "base":
                        # the base book: simulated and summarised once for every scenario
                        if base is None:
                            x = self._simulate("base", 0.0, n_paths, horizon, seed, start)
                            base = _summary(x, level, quantiles, boot, ci)
                        summary = base
                    else:
                        x = self._simulate(scn, s, n_paths, horizon, seed, start)
                        summary = _summary(x, level, quantiles, boot, ci)
                    rows.append({"scenario": scn, "severity": s, **summary})
        return PortfolioStress(pd.DataFrame(rows), level, horizon, n_paths, ci)

    def reverse_stress(
        self,
        loss: float = 0.25,
        level: float = 0.99,
        *,
        scenarios: Sequence[str] = DEFAULT_SCENARIOS[1:],
        max_severity: float = 3.0,
        n_grid: int = 13,
        n_paths: int = 5000,
        horizon: int = 252,
        n_boot: int = 200,
        ci: float = 0.9,
        start: Any = "last",
        random_state: RandomStateLike = None,
    ) -> pd.DataFrame:
        """Per scenario the smallest severity at which the ``level`` horizon loss exceeds ``loss``.

        The VaR is evaluated on ``n_grid`` severities from 0 to ``max_severity`` with
        common random numbers and the crossing is interpolated linearly between grid
        points; the interval re-finds the crossing on bootstrap resamples of the paths
        (the same paths at every severity). ``severity`` is NaN when even
        ``max_severity`` stays below the limit (``var_at_max`` says how close it gets)
        and 0 when the base book already breaches it.

        Examples
        --------
        >>> from edgecase.datasets import load_market
        >>> from edgecase.market import BlackSwanGenerator
        >>> gen = BlackSwanGenerator.from_returns(load_market("sp500")["log_return"])
        >>> out = Portfolio({"log_return": 1.0}, gen).reverse_stress(
        ...     0.3, scenarios=["crash"], n_grid=5, n_paths=1000, n_boot=50, random_state=0)
        >>> list(out.columns)
        ['scenario', 'severity', 'ci_low', 'ci_high', 'var_at_max', 'loss', 'level']
        """
        level, ci, n_paths, horizon, n_boot = _check_common(level, ci, n_paths, horizon, n_boot)
        loss = float(check_scalar(loss, "loss", low=0.0, low_inclusive=False, high=100.0))
        top = check_severity(max_severity, "max_severity")
        n_grid = int(check_scalar(n_grid, "n_grid", kind=numbers.Integral, low=2, high=1000))
        grid = np.linspace(0.0, top, n_grid)
        ss = as_seed_sequence(random_state)
        seed, boot_seed = ss.spawn(2)
        boot = as_generator(boot_seed).integers(0, n_paths, (n_boot, n_paths))
        with self._sharing(start):
            base = self._simulate("base", 0.0, n_paths, horizon, seed, start)
            pnls = {
                scn: np.stack(
                    [base]
                    + [self._simulate(scn, s, n_paths, horizon, seed, start) for s in grid[1:]]
                )
                for scn in scenarios
            }
        rows = []
        for scn in scenarios:
            pnl = pnls[scn]
            var = book_var_es(pnl, level)[0]
            var_b = book_var_es(pnl[:, boot], level)[0]  # (n_grid, n_boot)
            point = _crossing(grid, var, loss)
            cross_b = np.array([_crossing(grid, var_b[:, b], loss) for b in range(n_boot)])
            lo, hi = _nan_interval(cross_b, ci, top)
            rows.append(
                {"scenario": scn, "severity": point, "ci_low": lo, "ci_high": hi,
                 "var_at_max": float(var[-1]), "loss": loss, "level": level}
            )  # fmt: skip
        return pd.DataFrame(rows)

    def var_forecasts(
        self,
        dates: Sequence[Any],
        *,
        level: float = 0.99,
        n_paths: int = 5000,
        random_state: RandomStateLike = None,
    ) -> pd.DataFrame:
        """One-day VaR and ES of the book from each date's filtered state, for ``var_backtest``.

        For each date (inside the calibration sample, not its last day) ``n_paths``
        one-day paths start from that day's filtered variance and regime probabilities
        (``start=date``) and the book's simulated P&L gives the next day's VaR, ES and
        conditional sd. The parameters are those of the whole calibration sample, so
        this is an in-sample backtest of the filter and the shocks; calibrate on an
        earlier sample for an out-of-sample one.

        Returns
        -------
        DataFrame
            Indexed by the day forecast: ``var``, ``es``, ``sigma`` (positive losses /
            sd, fractions of the book) and ``pnl``, the book's realised P&L that day. Pass
            it on as ``var_backtest(f["pnl"], f["var"], alpha=level, es=f["es"],
            sigma=f["sigma"])``.
        """
        level = float(check_scalar(level, "level", low=0.5, high=1.0, high_inclusive=False))
        n_paths = int(check_scalar(n_paths, "n_paths", kind=numbers.Integral, low=100, high=10**7))
        real = getattr(getattr(self.generator, "calibration", None), "returns", None)
        if not isinstance(real, pd.DataFrame) or not isinstance(real.index, pd.DatetimeIndex):
            raise InvalidParameterError(
                "var_forecasts needs a generator calibrated on dated returns "
                "(BlackSwanGenerator.from_returns on a Series or DataFrame with a DatetimeIndex)."
            )
        pos = _date_positions(dates, real.index)
        seeds = as_seed_sequence(random_state).spawn(len(pos))
        w = self.weights.to_numpy()
        rows = []
        for p, seed in zip(pos, seeds, strict=True):
            x = self._simulate("base", 0.0, n_paths, 1, seed, real.index[p])
            var, es = book_var_es(x, level)
            realised = float(np.expm1(real.iloc[p + 1].to_numpy(dtype=float)) @ w)
            rows.append({"var": float(var), "es": float(es), "sigma": float(x.std()),
                         "pnl": realised})  # fmt: skip
        return pd.DataFrame(rows, index=real.index[pos + 1])

    def __repr__(self) -> str:
        w = ", ".join(f"{k}={v:g}" for k, v in self.weights.items() if v)
        return f"Portfolio({w})"


def _check_common(level, ci, n_paths, horizon, n_boot):
    level = float(check_scalar(level, "level", low=0.5, high=1.0, high_inclusive=False))
    ci = float(check_scalar(ci, "ci", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False))
    n_paths = int(check_scalar(n_paths, "n_paths", kind=numbers.Integral, low=100, high=10**7))
    horizon = int(check_scalar(horizon, "horizon", kind=numbers.Integral, low=1, high=10**4))
    n_boot = int(check_scalar(n_boot, "n_boot", kind=numbers.Integral, low=10, high=10**5))
    return level, ci, n_paths, horizon, n_boot


def _summary(x: np.ndarray, level: float, quantiles, boot: np.ndarray, ci: float) -> dict:
    out = {f"q{q:g}": float(np.quantile(x, q)) for q in quantiles}
    out["mean"] = float(x.mean())
    var, es = book_var_es(x, level)
    vb, eb = book_var_es(x[boot], level)
    a = (1.0 - ci) / 2.0
    out.update(
        var=float(var), var_low=float(np.quantile(vb, a)), var_high=float(np.quantile(vb, 1 - a)),
        es=float(es), es_low=float(np.quantile(eb, a)), es_high=float(np.quantile(eb, 1 - a)),
    )  # fmt: skip
    return out


def _crossing(grid: np.ndarray, var: np.ndarray, loss: float) -> float:
    """The first severity where ``var`` reaches ``loss`` (linear between grid points); NaN if never."""
    above = np.flatnonzero(var >= loss)
    if not above.size:
        return float("nan")
    i = int(above[0])
    if i == 0:
        return 0.0
    v0, v1 = var[i - 1], var[i]
    return float(grid[i - 1] + (loss - v0) / (v1 - v0) * (grid[i] - grid[i - 1]))


def _nan_interval(x: np.ndarray, ci: float, top: float) -> tuple[float, float]:
    """Percentile interval where resamples that never cross count as beyond ``top``."""
    a = (1.0 - ci) / 2.0
    filled = np.sort(np.where(np.isnan(x), np.inf, x))
    # Order statistics rather than interpolation: inf - inf would be NaN.
    lo = filled[int(np.floor(a * (filled.size - 1)))]
    hi = filled[int(np.ceil((1 - a) * (filled.size - 1)))]
    return float(lo) if np.isfinite(lo) else float("nan"), float(hi)


def _date_positions(dates: Sequence[Any], index: pd.DatetimeIndex) -> np.ndarray:
    """Positions of ``dates`` in ``index``; each must be a day of it other than the last."""
    if isinstance(dates, str) or not len(dates):
        raise InvalidParameterError("dates must be a non-empty sequence of dates.")
    try:
        when = pd.DatetimeIndex(pd.to_datetime(list(dates)))
    except (TypeError, ValueError):
        raise InvalidParameterError("dates must be dates (strings or timestamps).") from None
    pos = index.get_indexer(when)
    bad = [str(d.date()) for d, p in zip(when, pos, strict=True) if p < 0 or p >= len(index) - 1]
    if bad:
        raise InvalidParameterError(
            f"dates {bad[:5]} are not days of the calibration sample with a next day "
            f"({index[0].date()} .. {index[-2].date()})."
        )
    return pos
