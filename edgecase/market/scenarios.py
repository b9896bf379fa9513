"""Calibrated black-swan scenarios and crisis replay on top of the base process.

A scenario is an object with ``overlay(rng, n, n_steps, n_assets) -> Overlay``:
per block of paths it draws *when* and *how* the stress hits, from its own
random streams, and the base process applies it inside its time loop. So
``severity=0`` gives exactly the calibrated base paths, and an injected crash
feeds the volatility recursion (aftershocks follow from the calibrated
dynamics, plus an explicit decaying volatility multiplier).

Severity 1 is calibrated to the record (:data:`RECORDS`: 2008's -56.8% drawdown,
1987's -20.47% day, the data's highest 21-day volatility, its highest 60-day
correlation); values above 1 go beyond it.
"""

from __future__ import annotations

import numbers
import os
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from edgecase._random import RandomStateLike, as_seed_sequence
from edgecase._validate import check_choice, check_keywords, check_scalar, check_severity
from edgecase.errors import InvalidParameterError, UnknownNameError
from edgecase.market._windows import _onset, _shifted_table, _window
from edgecase.market.calibrate import MarketCalibration, calibrate
from edgecase.market.crises import _ALIASES, CRISES, CrisisReplay
from edgecase.market.paths import Paths
from edgecase.market.process import CHUNK_PATHS, Overlay, Process
from edgecase.parallel import ParquetOutput

__all__ = [
    "SCENARIOS",
    "CRISES",
    "Crash",
    "VolSpike",
    "CorrelationBreakdown",
    "LiquidityGap",
    "FlashCrash",
    "CrisisReplay",
    "BlackSwanGenerator",
    "peak_correlation",
    "RECORDS",
    "record_vol_21d",
    "severity_one",
]

SCENARIOS = ("base", "crash", "vol_spike", "correlation_breakdown", "liquidity_gap", "flash_crash")


#: The historic worst each scenario's severity 1 reproduces, with its source. The
#: volatility record comes from the calibration data (see :func:`record_vol_21d`).
RECORDS: dict[str, dict[str, Any]] = {
    "crash": {
        "value": -0.568,
        "measure": "median max drawdown over 252 days (price, simple)",
        "source": "S&P 500 close 2007-10-09 1565.15 to 2009-03-09 676.53 (-56.8%); "
        "S&P Dow Jones Indices",
    },
    "flash_crash": {
        "value": -0.2047,
        "measure": "median worst day (simple return)",
        "source": "S&P 500 close 1987-10-16 282.70 to 1987-10-19 224.84 (-20.47%); "
        "Brady report 1988, S&P Dow Jones Indices",
    },
    "vol_spike": {
        "value": None,
        "measure": "median peak 21-day realised volatility (annualised)",
        "source": "the calibration data's highest 21-day realised volatility "
        "(S&P 500 1999-2018: October-November 2008)",
    },
}

#: Paths and seed of the simulations that size severity 1 (common random numbers, so the
#: root search below sees a monotone function).
_CAL_PATHS, _CAL_SEED = 1000, 20250


def record_vol_21d(returns: pd.DataFrame) -> float:
    """The highest 21-day realised volatility (annualised) of the equal-weighted returns.

    Examples
    --------
    >>> from edgecase.datasets import load_market
    >>> round(record_vol_21d(load_market("sp500")[["log_return"]]), 2)
    0.85
    """
    port = returns.to_numpy(dtype=float).mean(axis=1)
    return float(pd.Series(port).rolling(21).std().max() * np.sqrt(252))


def _book(r: np.ndarray) -> np.ndarray:
    """Equal-weighted log returns (n, T) of paths (n, T, d)."""
    return r.mean(axis=2)


def _median_max_drawdown(r: np.ndarray) -> float:
    logp = np.cumsum(_book(r), axis=1)
    peak = np.maximum.accumulate(np.maximum(logp, 0.0), axis=1)
    return float(np.median(np.expm1(logp - peak).min(axis=1)))


def _median_peak_vol(r: np.ndarray) -> float:
    x = pd.DataFrame(_book(r).T).rolling(21).std().max().to_numpy()
    return float(np.median(x) * np.sqrt(252))


def _solve(f: Any, target: float, lo: float, hi: float, tol: float, iters: int = 20) -> float:
    """``x`` in [lo, hi] with ``f(x) = target`` (within ``tol``) for an increasing ``f``.

    Regula falsi with the Illinois step (bracketing, so it cannot leave [lo, hi]; a few
    simulations instead of bisection's dozen). Clipped to the ends when the target is
    outside ``f``'s range there.
    """
    flo, fhi = f(lo) - target, f(hi) - target
    if flo >= 0:
        return lo
    if fhi <= 0:
        return hi
    side = 0
    for _ in range(iters):
        x = (lo * fhi - hi * flo) / (fhi - flo)
        fx = f(x) - target
        if abs(fx) <= tol:
            return x
        if fx < 0:
            lo, flo = x, fx
            if side == -1:
                fhi /= 2.0
            side = -1
        else:
            hi, fhi = x, fx
            if side == 1:
                flo /= 2.0
            side = 1
    return x


def severity_one(cal: MarketCalibration, scenario: str) -> float:
    """The scenario's size at severity 1, sized by simulation to its record (cached).

    crash: the log depth whose median 252-day max drawdown is :data:`RECORDS` ``crash``;
    vol_spike: the peak volatility multiplier whose median peak 21-day volatility is the
    data's record. Both are sized on the long-run base process.
    """
    cache = cal.info.setdefault("severity_one", {})
    if scenario in cache:
        return cache[scenario]
    with _SIZING:
        if scenario not in cache:  # another thread may have sized it while this one waited
            cache[scenario] = _size_severity_one(cal, scenario)
    return cache[scenario]


# A simulation's blocks build their overlays in threads, so two blocks of the first crash
# or vol_spike simulation ask for the same size at once; sizing takes seconds, so the
# second waits for the first's answer instead of simulating it again.
_SIZING = threading.Lock()


def _size_severity_one(cal: MarketCalibration, scenario: str) -> float:
    proc = cal.process
    ss = np.random.SeedSequence(_CAL_SEED)
    if scenario == "crash":

        def f(depth: float) -> float:
            scn = Crash(cal, 1.0, depth=-depth)
            return -_median_max_drawdown(proc.simulate(_CAL_PATHS, 252, ss, scenario=scn).returns)

        val = -_solve(f, -RECORDS["crash"]["value"], 0.0, 3.0, tol=0.002)
    else:

        def f(mult: float) -> float:
            scn = VolSpike(cal, 1.0, peak_multiplier=mult)
            return _median_peak_vol(proc.simulate(_CAL_PATHS, 252, ss, scenario=scn).returns)

        record = record_vol_21d(cal.returns)
        val = _solve(f, record, 1.0, 30.0, tol=0.005 * record)
    return float(val)


@dataclass
class Crash:
    """A crash of ``severity x`` the record depth, spread over 5-20 days (front-loaded,
    weights ``exp(-k / L)``), followed by aftershock volatility.

    The depth at severity 1 is sized by simulation so that the median 252-day max
    drawdown is 2008's S&P 500 peak-to-trough, -56.8% (:data:`RECORDS`,
    :func:`severity_one`). The fall is added to the returns and fed into the volatility
    recursion, so the calibrated dynamics raise the volatility after it; on top, the
    volatility is multiplied by ``1 + severity * (peak_vol_ratio - 1) / 4`` right after
    the crash, decaying with a 20-day half-life. With several assets each asset falls
    by its own share in 2008 (:attr:`~edgecase.market.MarketCalibration.crash_loadings`). ``depth`` (a log return, < 0) overrides
    the severity-1 depth.
    """

    calibration: MarketCalibration
    severity: float = 1.0
    depth: float | None = None

    @property
    def total_depth(self) -> float:
        d1 = self.depth if self.depth is not None else severity_one(self.calibration, "crash")
        return self.severity * d1

    @property
    def meta(self) -> dict:
        return {"scenario": "crash", "severity": self.severity, "depth": self.total_depth}

    def overlay(self, rng, n, n_steps, n_assets) -> Overlay:
        if self.severity == 0:
            return Overlay()
        cal = self.calibration
        length = np.minimum(rng.integers(5, 21, n), n_steps)
        start = _onset(rng, n, n_steps, length)
        # Only the <= 20 days of the fall and a table of the decay per day after it are
        # computed, not exp and power over every (step, path): the same values, ~8x less
        # work (exactly 0 away from the fall, with the sign of 0 * depth as before).
        depth = self.total_depth
        load = cal.crash_loadings[:n_assets]
        kk = np.arange(int(length.max()))[:, None]
        inside = kk < length[None, :]
        w = np.where(inside, np.exp(-kk / length[None, :]), 0.0)
        w /= np.maximum(w.sum(axis=0, keepdims=True), 1e-300)
        additive = np.empty((n_steps, n, n_assets))
        additive[...] = (0.0 * depth) * load
        rows = start[None, :] + kk
        keep = inside & (rows < n_steps)
        cols = np.broadcast_to(np.arange(n)[None, :], kk.shape[:1] + (n,))
        additive[rows[keep], cols[keep]] = (w[keep] * depth)[:, None] * load[None, :]
        amp = self.severity * max(cal.peak_vol_ratio - 1.0, 0.0) / 4.0
        # table[j + 1]: the multiplier j >= 0 days after the fall; table[0] = 1 before it
        table = 1.0 + np.concatenate([[0.0], amp * 0.5 ** (np.arange(n_steps) / 20.0)])
        vol_mult = _shifted_table(table, start + length - 1, n_steps)
        return Overlay(additive=additive, vol_mult=vol_mult, info={"start": start})


@dataclass
class VolSpike:
    """Volatility rises over 5 days to ``1 + severity x (M - 1)`` times its level, then decays
    with a 30-day half-life (the returns keep their sign balance).

    ``M`` is sized by simulation so that at severity 1 the median peak 21-day realised
    volatility is the data's record (:func:`record_vol_21d`, :func:`severity_one`);
    ``peak_multiplier`` overrides it."""

    calibration: MarketCalibration
    severity: float = 1.0
    peak_multiplier: float | None = None

    @property
    def multiplier(self) -> float:
        m1 = self.peak_multiplier
        if m1 is None:
            m1 = severity_one(self.calibration, "vol_spike")
        return 1.0 + self.severity * (m1 - 1.0)

    @property
    def meta(self) -> dict:
        return {
            "scenario": "vol_spike",
            "severity": self.severity,
            "peak_multiplier": self.multiplier,
        }

    def overlay(self, rng, n, n_steps, n_assets) -> Overlay:
        if self.severity == 0:
            return Overlay()
        start = _onset(rng, n, n_steps, np.full(n, 5))
        peak = max(self.multiplier - 1.0, 0.0)
        # The multiplier depends only on the day k since the onset: a table over k, indexed
        # by max(k + 1, 0) (entry 0: before the onset), not a power per (step, path).
        k = np.arange(n_steps)
        ramp = np.clip((k + 1) / 5.0, 0.0, 1.0)
        decay = 0.5 ** (np.maximum(k - 4, 0) / 30.0)
        table = 1.0 + peak * np.concatenate([[0.0], ramp * decay])
        return Overlay(vol_mult=_shifted_table(table, start - 1, n_steps))


def _mean_offdiag(C: np.ndarray) -> float:
    d = C.shape[0]
    return float((C.sum() - np.trace(C)) / (d * (d - 1)))


def peak_correlation(returns: pd.DataFrame, window: int = 60) -> float:
    """The highest ``window``-day average pairwise correlation of the returns (the record).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x = np.random.default_rng(0).standard_normal((300, 2))
    >>> bool(peak_correlation(pd.DataFrame(x)) < 0.6)
    True
    """
    R = returns.to_numpy(dtype=float)
    n, d = R.shape
    if d < 2 or n < window:
        return float("nan")
    roll = returns.rolling(window).corr().to_numpy().reshape(n, d, d)[window - 1 :]
    return float(np.nanmax((roll.sum(axis=(1, 2)) - d) / (d * (d - 1))))


@dataclass
class CorrelationBreakdown:
    """For 20-60 days the dependence breaks toward the historic peak correlation.

    Several assets: inside the window each path-step's copula correlation ``B``
    (calm, or the regime's stress correlation) moves to ``(1 - s) B + s T`` with
    ``s = min(severity, 1)`` and, beyond 1, on toward perfect correlation
    (everything falls together), ``(1 - q) T + q`` with ``q = 1 - 1 / severity``.
    The target ``T = (1 - theta) corr + theta`` sits entrywise above both the calm
    and the regime's stress correlation, with ``theta`` set so its average pairwise
    correlation is the sample's highest 60-day one (:func:`peak_correlation`), so
    every correlation rises monotonically with severity. One asset: the serial
    correlation of returns breaks instead (herding: ``r_t += phi r_{t-1}`` with
    ``phi = min(0.25 x severity, 0.9)``), since a single series has no cross-correlation.
    """

    calibration: MarketCalibration
    severity: float = 1.0

    @property
    def meta(self) -> dict:
        return {"scenario": "correlation_breakdown", "severity": self.severity}

    def target_matrix(self) -> np.ndarray:
        """The severity-1 correlation ``T`` (see the class docstring)."""
        cal = self.calibration
        C = cal.copula.corr
        off = ~np.eye(C.shape[0], dtype=bool)
        room = np.maximum(1.0 - C[off], 1e-12)
        theta = 0.0
        peak = peak_correlation(cal.returns)
        base = _mean_offdiag(C)
        if np.isfinite(peak) and base < 1.0:
            theta = (peak - base) / (1.0 - base)
        if cal.stress_corr is not None:
            theta = max(theta, float(np.max((cal.stress_corr[off] - C[off]) / room)))
        theta = float(np.clip(theta, 0.0, 1.0))
        return (1.0 - theta) * C + theta * np.ones_like(C)

    def stress_matrix(self) -> np.ndarray:
        """The correlation of a calm step inside the window at this severity."""
        T = self.target_matrix()
        C = self.calibration.copula.corr
        a, q = min(self.severity, 1.0), self._beyond()
        return (1 - q) * ((1 - a) * C + a * T) + q * np.ones_like(C)

    def _beyond(self) -> float:
        return 0.0 if self.severity <= 1 else 1.0 - 1.0 / self.severity

    def overlay(self, rng, n, n_steps, n_assets) -> Overlay:
        if self.severity == 0:
            return Overlay()
        length = np.minimum(rng.integers(20, 61, n), n_steps)
        start = _onset(rng, n, n_steps, length)
        win = _window(n_steps, start, length)
        if n_assets == 1:
            return Overlay(ar=np.where(win, min(0.25 * self.severity, 0.9), 0.0))
        level = min(self.severity, 1.0) + self._beyond()
        return Overlay(corr_weight=win * level, stress_corr=self.target_matrix())


@dataclass
class LiquidityGap:
    """No-trade stretches followed by a gap: for ``1 + Poisson(severity)`` stretches of
    ``1 + Poisson(3 x severity)`` days the price does not move; the hidden returns are
    released on the next trading day together with an extra down-gap of
    ``severity x U(0.3, 1) x`` the historic worst day."""

    calibration: MarketCalibration
    severity: float = 1.0

    @property
    def meta(self) -> dict:
        return {"scenario": "liquidity_gap", "severity": self.severity}

    def overlay(self, rng, n, n_steps, n_assets) -> Overlay:
        if self.severity == 0:
            return Overlay()
        n_gaps = 1 + rng.poisson(self.severity, n)
        max_gaps = int(n_gaps.max())
        lengths = 1 + rng.poisson(3.0 * self.severity, (max_gaps, n))
        starts = np.floor(rng.random((max_gaps, n)) * max(n_steps - 1, 1)).astype(np.int64)
        sizes = self.severity * rng.uniform(0.3, 1.0, (max_gaps, n)) * self.calibration.worst_1d
        freeze = np.zeros((n_steps, n), dtype=bool)
        additive = np.zeros((n_steps, n))
        cols = np.arange(n)
        for g in range(max_gaps):
            use = g < n_gaps
            length = np.minimum(lengths[g], n_steps - 1 - starts[g])
            freeze |= _window(n_steps, starts[g], np.where(use, length, 0))
            release = np.minimum(starts[g] + length, n_steps - 1)
            additive[release[use], cols[use]] += sizes[g][use]
        freeze[-1] = False  # whatever is hidden is released by the end of the path
        return Overlay(
            additive=additive[..., None] * self.calibration.crash_loadings[None, None, :n_assets],
            freeze=freeze,
        )


@dataclass
class FlashCrash:
    """A sharp V: one day falls by ``severity x`` 1987-10-19's -20.47% (:data:`RECORDS`, as a
    log return), half the paths after a precursor day of 10-30% of that, then 70-100% of
    the fall is recovered over 1-3 days."""

    calibration: MarketCalibration
    severity: float = 1.0

    @property
    def depth(self) -> float:
        return self.severity * float(np.log1p(RECORDS["flash_crash"]["value"]))

    @property
    def meta(self) -> dict:
        return {"scenario": "flash_crash", "severity": self.severity, "depth": self.depth}

    def overlay(self, rng, n, n_steps, n_assets) -> Overlay:
        if self.severity == 0:
            return Overlay()
        down = rng.integers(1, 3, n)
        up = rng.integers(1, 4, n)
        recover = rng.uniform(0.7, 1.0, n)
        pre = rng.uniform(0.1, 0.3, n)
        start = _onset(rng, n, n_steps, down + up)
        # The crash day is the last day of the fall; a two-day fall has a precursor first.
        # Written into the few days of the V only (the other days stay exactly 0.0).
        total = self.depth * (1.0 + np.where(down == 2, pre, 0.0))
        add = np.zeros((n_steps, n))
        cols = np.arange(n)
        step = -total * recover / up
        days = [(start + down - 1, down > 0, self.depth), (start, down == 2, self.depth * pre)]
        days += [(start + down + j, j < up, step) for j in range(int(up.max()))]
        for day, on, value in days:
            on = on & (day < n_steps)  # a short path cuts the V off
            add[day[on], cols[on]] = value if np.ndim(value) == 0 else value[on]
        return Overlay(
            additive=add[..., None] * self.calibration.crash_loadings[None, None, :n_assets]
        )


# -------------------------------------------------------------------------- generator
class BlackSwanGenerator:
    """Calibrated black-swan path generator with one severity knob.

    Build it with :meth:`from_returns`; ``generate(..., severity=0)`` gives the
    calibrated base process, ``severity=1`` a historic-worst stress.

    Examples
    --------
    >>> from edgecase.datasets import load_market
    >>> gen = BlackSwanGenerator.from_returns(load_market("sp500")["log_return"])
    >>> paths = gen.generate(200, 252, scenario="crash", severity=1.0, random_state=0)
    >>> paths.returns.shape, bool(paths.drawdowns().min(axis=1).mean() < -0.25)
    ((200, 252, 1), True)
    """

    def __init__(self, calibration: MarketCalibration) -> None:
        if not isinstance(calibration, MarketCalibration):
            raise InvalidParameterError(
                "calibration must be a MarketCalibration; use BlackSwanGenerator.from_returns."
            )
        self.calibration = calibration
        self._at: dict[str, Process] = {}

    @classmethod
    def from_returns(cls, returns: Any, **kwargs: Any) -> BlackSwanGenerator:
        """Calibrate to daily log returns (Series or DataFrame); ``kwargs`` go to :func:`calibrate`."""
        check_keywords(kwargs, calibrate, where="from_returns", passed=("returns",))
        return cls(calibrate(returns, **kwargs))

    @property
    def process(self):
        """The calibrated base process (starting from the long-run state)."""
        return self.calibration.process

    def process_at(self, start: Any = "last") -> Process:
        """The calibrated process started from the filtered state at ``start``.

        ``"last"``: the day after the sample, from the filtered conditional variance
        of each asset and the regime distribution of that day, as arch's forecasts
        start; ``"long_run"``: the unconditional state (:attr:`process`); a date in
        the sample: the day after it.
        """
        key = start if isinstance(start, str) else str(pd.Timestamp(start))
        cached = self._at.get(key)
        if cached is not None:
            return cached
        st = self.calibration.start_state(start)
        base = self.process
        if st["variance"] is None:
            return base
        parts = base.asset_parts
        dyn = [
            p.dynamics.with_initial(v) if callable(getattr(p.dynamics, "with_initial", None))
            else p.dynamics
            for p, v in zip(parts, st["variance"], strict=True)
        ]  # fmt: skip
        reg = base.regimes
        if reg is not None and st["regime_probs"] is not None:
            reg = reg.with_initial(st["regime_probs"])
        d = base.n_assets
        proc = Process(
            dynamics=dyn if d > 1 else dyn[0],
            shocks=[p.shocks for p in parts] if d > 1 else parts[0].shocks,
            jumps=[p.jumps for p in parts] if d > 1 else parts[0].jumps,
            regimes=reg,
            mu=[p.mu for p in parts] if d > 1 else parts[0].mu,
            ar=[p.ar for p in parts] if d > 1 else parts[0].ar,
            copula=base.copula,
            assets=list(base.asset_names),
        )
        self._at[key] = proc
        return proc

    def shared_draws(self, start: Any = "last") -> AbstractContextManager:
        """A context in which :meth:`generate` calls with one seed and ``start`` share their
        base draws (see :meth:`Process.shared_draws`; the same bytes, drawn once)."""
        return self.process_at(start).shared_draws()

    @property
    def assets(self) -> list[str]:
        return self.calibration.assets

    def _dates(self, n_steps: int, start: Any = "last") -> pd.DatetimeIndex | None:
        idx = self.calibration.returns.index
        if isinstance(idx, pd.DatetimeIndex) and len(idx):
            day = self.calibration.start_state(start)["date"]
            day = idx[-1] if day is None else day
            return pd.bdate_range(day + pd.offsets.BDay(1), periods=n_steps)
        return None

    def scenario(self, scenario: str, severity: float = 1.0):
        """The scenario object for ``scenario`` at ``severity`` (None for "base")."""
        scenario = check_choice(scenario, "scenario", SCENARIOS, error=UnknownNameError)
        severity = check_severity(severity)
        cls = {
            "crash": Crash,
            "vol_spike": VolSpike,
            "correlation_breakdown": CorrelationBreakdown,
            "liquidity_gap": LiquidityGap,
            "flash_crash": FlashCrash,
        }.get(scenario)
        return None if cls is None else cls(self.calibration, severity)

    def generate(
        self,
        n_paths: int,
        n_steps: int = 252,
        scenario: str = "crash",
        severity: float = 1.0,
        random_state: RandomStateLike = None,
        *,
        start: Any = "last",
        chunk_paths: int = CHUNK_PATHS,
        client: Any = None,
        out: str | os.PathLike[str] | None = None,
        overwrite: bool = False,
        progress: bool = True,
    ) -> Paths | ParquetOutput:
        """Simulate ``n_paths`` paths of ``n_steps`` days under ``scenario`` at ``severity``.

        Scenarios: "base", "crash", "vol_spike", "correlation_breakdown",
        "liquidity_gap", "flash_crash". Severity 0 (or "base") gives the calibrated
        base paths, identical for the same seed whatever the scenario.

        ``start`` is where the paths begin (see :meth:`process_at`): ``"last"``
        (default) from the filtered volatility and regime of the last day of the
        sample, so a stress is applied to the market as it stands; ``"long_run"``
        from the unconditional state; or a date inside the sample.

        ``chunk_paths``, ``client``, ``out``, ``overwrite`` and ``progress`` are
        those of :meth:`~edgecase.market.Process.simulate`: with ``client=`` the
        chunks run on Dask, with ``out=`` they stream to Parquet parts (a
        :class:`~edgecase.parallel.ParquetOutput` of long rows: path, step, one
        column per asset). The same seed gives the same bytes either way.
        """
        scn = self.scenario(scenario, severity)
        n_paths = int(check_scalar(n_paths, "n_paths", kind=numbers.Integral, low=1, high=10**8))
        n_steps = int(check_scalar(n_steps, "n_steps", kind=numbers.Integral, low=1, high=10**6))
        ss = as_seed_sequence(random_state)
        proc = self.process_at(start)
        paths = proc.simulate(
            n_paths, n_steps, ss, scenario=scn, chunk_paths=chunk_paths, client=client, out=out,
            overwrite=overwrite, progress=progress,
        )  # fmt: skip
        if isinstance(paths, ParquetOutput):
            return paths
        paths.dates = self._dates(n_steps, start)
        paths.meta["start"] = str(start)
        paths.meta.update({"scenario": scenario, "severity": float(severity)})
        if scn is not None:
            paths.meta.update(scn.meta)
        return paths

    def crisis_replay(
        self,
        name: str,
        n_variations: int,
        random_state: RandomStateLike = None,
        *,
        n_steps: int = 252,
        severity: float = 1.0,
        start: Any = "last",
    ) -> Paths:
        """``n_variations`` variations of a historic crisis spliced into calibrated base paths.

        ``name``: "2008", "2010_flash_crash" (from the data: each asset replays its own
        returns in the window when the calibration sample or the bundled data set of the
        same name covers it, else the S&P 500's times its crash loading), "1987", "2020"
        (from published S&P 500 magnitudes; see :data:`CRISES` for the sources).
        Each variation is time-warped (x0.7-1.4), scaled (``severity`` x U(0.8, 1.2))
        and starts at a random day of a base path; ``start`` is that of :meth:`generate`.

        Examples
        --------
        >>> from edgecase.datasets import load_market
        >>> gen = BlackSwanGenerator.from_returns(load_market("sp500")["log_return"])
        >>> p = gen.crisis_replay("1987", 20, random_state=0)
        >>> bool(p.returns.min(axis=1).mean() < -0.15)
        True
        """
        if isinstance(name, str):
            name = _ALIASES.get(name, name)
        name = check_choice(name, "name", list(CRISES), error=UnknownNameError)
        n_variations = int(
            check_scalar(n_variations, "n_variations", kind=numbers.Integral, low=1, high=10**7)
        )
        n_steps = int(check_scalar(n_steps, "n_steps", kind=numbers.Integral, low=30, high=10**5))
        severity = check_severity(severity)
        scn = CrisisReplay(self.calibration, name, severity)
        paths = self.process_at(start).simulate(
            n_variations, n_steps, as_seed_sequence(random_state), scenario=scn
        )
        paths.dates = self._dates(n_steps, start)
        paths.meta.update(scn.meta)
        return paths

    def __repr__(self) -> str:
        return f"BlackSwanGenerator(assets={self.assets}, process={self.process!r})"
