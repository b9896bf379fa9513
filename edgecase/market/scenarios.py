"""Calibrated black-swan scenarios and crisis replay on top of the base process.

A scenario is an object with ``overlay(rng, n, n_steps, n_assets) -> Overlay``:
per block of paths it draws *when* and *how* the stress hits, from its own
random streams, and the base process applies it inside its time loop. So
``severity=0`` gives exactly the calibrated base paths, and an injected crash
feeds the volatility recursion (aftershocks follow from the calibrated
dynamics, plus an explicit decaying volatility multiplier).

Severity 1 is calibrated to history (the sample's worst 20-day fall, worst day,
highest volatility, stress correlation); values above 1 go beyond it.
"""

from __future__ import annotations

import numbers
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from edgecase._random import RandomStateLike, as_seed_sequence
from edgecase._validate import check_choice, check_scalar, check_severity
from edgecase.errors import InvalidParameterError, UnknownNameError
from edgecase.market.calibrate import MarketCalibration, calibrate
from edgecase.market.paths import Paths
from edgecase.market.process import CHUNK_PATHS, MarkovSwitching, Overlay, Process
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
]

SCENARIOS = ("base", "crash", "vol_spike", "correlation_breakdown", "liquidity_gap", "flash_crash")


def _onset(rng: np.random.Generator, n: int, n_steps: int, length: np.ndarray) -> np.ndarray:
    """A start step per path in the first ~60% of the path that leaves room for ``length``."""
    hi = np.maximum(np.minimum(int(0.6 * n_steps), n_steps - length), 1)
    lo = np.minimum(int(0.1 * n_steps), hi - 1)
    return lo + np.floor(rng.random(n) * (hi - lo)).astype(np.int64)


def _window(n_steps: int, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Boolean (n_steps, n): step t is in [start, start + length)."""
    t = np.arange(n_steps)[:, None]
    return (t >= start[None, :]) & (t < (start + length)[None, :])


@dataclass
class Crash:
    """A crash of ``severity x`` the historic worst 20-day fall, spread over 5-20 days
    (front-loaded, weights ``exp(-k / L)``), followed by aftershock volatility.

    The fall is added to the returns and fed into the volatility recursion, so the
    calibrated dynamics raise the volatility after it; on top, the volatility is
    multiplied by ``1 + severity * (peak_vol_ratio - 1) / 4`` right after the crash,
    decaying with a 20-day half-life. With several assets each asset falls by its
    beta to the equal-weighted portfolio.
    """

    calibration: MarketCalibration
    severity: float = 1.0

    @property
    def meta(self) -> dict:
        return {
            "scenario": "crash",
            "severity": self.severity,
            "depth": self.severity * self.calibration.worst_20d,
        }

    def overlay(self, rng, n, n_steps, n_assets) -> Overlay:
        if self.severity == 0:
            return Overlay()
        cal = self.calibration
        length = np.minimum(rng.integers(5, 21, n), n_steps)
        start = _onset(rng, n, n_steps, length)
        t = np.arange(n_steps)[:, None]
        k = t - start[None, :]
        inside = (k >= 0) & (k < length[None, :])
        w = np.where(inside, np.exp(-np.maximum(k, 0) / length[None, :]), 0.0)
        w /= np.maximum(w.sum(axis=0, keepdims=True), 1e-300)
        depth = self.severity * cal.worst_20d
        additive = (w * depth)[..., None] * cal.betas[None, None, :n_assets]
        after = k - length[None, :]
        amp = self.severity * max(cal.peak_vol_ratio - 1.0, 0.0) / 4.0
        vol_mult = 1.0 + np.where(after >= 0, amp * 0.5 ** (np.maximum(after, 0) / 20.0), 0.0)
        return Overlay(additive=additive, vol_mult=vol_mult, info={"start": start})


@dataclass
class VolSpike:
    """Volatility rises over 5 days to ``1 + severity x (peak_vol_ratio - 1)`` times its level,
    then decays with a 30-day half-life (the returns keep their sign balance)."""

    calibration: MarketCalibration
    severity: float = 1.0

    @property
    def meta(self) -> dict:
        return {
            "scenario": "vol_spike",
            "severity": self.severity,
            "peak_multiplier": 1 + self.severity * (self.calibration.peak_vol_ratio - 1),
        }

    def overlay(self, rng, n, n_steps, n_assets) -> Overlay:
        if self.severity == 0:
            return Overlay()
        start = _onset(rng, n, n_steps, np.full(n, 5))
        k = np.arange(n_steps)[:, None] - start[None, :]
        peak = self.severity * max(self.calibration.peak_vol_ratio - 1.0, 0.0)
        ramp = np.clip((k + 1) / 5.0, 0.0, 1.0)
        decay = 0.5 ** (np.maximum(k - 4, 0) / 30.0)
        return Overlay(vol_mult=1.0 + peak * np.where(k >= 0, ramp * decay, 0.0))


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
            additive=additive[..., None] * self.calibration.betas[None, None, :n_assets],
            freeze=freeze,
        )


@dataclass
class FlashCrash:
    """A sharp V: a fall of ``severity x`` the EVT-smoothed worst day (the GPD return level
    for one day in the sample length) over 1-2 days, then 70-100% recovered over 1-3 days."""

    calibration: MarketCalibration
    severity: float = 1.0

    @property
    def depth(self) -> float:
        cal = self.calibration
        return -self.severity * cal.evt.return_level(len(cal.returns))

    @property
    def meta(self) -> dict:
        return {"scenario": "flash_crash", "severity": self.severity, "depth": self.depth}

    def overlay(self, rng, n, n_steps, n_assets) -> Overlay:
        if self.severity == 0:
            return Overlay()
        down = rng.integers(1, 3, n)
        up = rng.integers(1, 4, n)
        recover = rng.uniform(0.7, 1.0, n)
        start = _onset(rng, n, n_steps, down + up)
        k = np.arange(n_steps)[:, None] - start[None, :]
        fall = (k >= 0) & (k < down[None, :])
        rise = (k >= down[None, :]) & (k < (down + up)[None, :])
        add = np.where(fall, self.depth / down, 0.0) + np.where(
            rise, -self.depth * recover / up, 0.0
        )
        return Overlay(additive=add[..., None] * self.calibration.betas[None, None, :n_assets])


# ---------------------------------------------------------------------------- crises
# Published S&P 500 closes for crises outside the 1999-2018 sample. Each number
# carries its source; the returns the replay uses are derived from these closes.
CRISES: dict[str, dict[str, Any]] = {
    "2008": {
        "source": "S&P 500 (arch.data.sp500), 2008-09-02 .. 2009-03-09 (Lehman to the low)",
        "window": ("2008-09-02", "2009-03-09"),
    },
    "2010_flash_crash": {
        "source": "S&P 500 (arch.data.sp500), 2010-04-26 .. 2010-07-02 (flash crash 2010-05-06)",
        "window": ("2010-04-26", "2010-07-02"),
    },
    "1987": {
        # 1987-10-19 (Black Monday) -20.47%; two-day (Oct 16 + Oct 19) -24.6%.
        # Closes: S&P Dow Jones Indices, S&P 500 daily closes, as reported in
        # "Report of the Presidential Task Force on Market Mechanisms" (Brady report, 1988)
        # and reproduced in Wikipedia, "Black Monday (1987)".
        "source": "S&P 500 closes 1987-10-15 298.08, 10-16 282.70, 10-19 224.84 (-20.47%, "
        "two-day -24.6%), 10-20 236.83, 10-21 258.38; S&P Dow Jones Indices / Brady report 1988",
        "closes": [298.08, 282.70, 224.84, 236.83, 258.38],
    },
    "2020": {
        # 2020-03-16 -11.98% (2711.02 -> 2386.13); peak 2020-02-19 3386.15 to the low
        # 2020-03-23 2237.40 (-33.9%, 23 trading days). Source: S&P Dow Jones Indices,
        # S&P 500 daily closes (reported e.g. by WSJ/Reuters on those dates).
        "source": "S&P 500 closes 2020-02-19 3386.15 (peak), 03-11 2741.38, 03-12 2480.64, "
        "03-13 2711.02, 03-16 2386.13 (-11.98%), 03-23 2237.40 (low, -33.9%); S&P Dow Jones "
        "Indices",
        "peak": 3386.15,
        "trough": 2237.40,
        "n_days": 23,
        # Trading-day index (peak = day 0) and close of the anchor days.
        "anchors": {16: (2741.38, 2480.64), 17: (2480.64, 2711.02), 18: (2711.02, 2386.13)},
    },
}
_ALIASES = {
    "gfc": "2008",
    "lehman": "2008",
    "flash_crash_2010": "2010_flash_crash",
    "2010": "2010_flash_crash",
    "black_monday": "1987",
    "covid": "2020",
}


def _template(name: str, cal: MarketCalibration, rng: np.random.Generator, n: int) -> np.ndarray:
    """Crisis log returns (n, L) before warping: real data, or published anchors plus filler."""
    spec = CRISES[name]
    if "window" in spec:
        sp = _sp500_returns()
        seg = sp.loc[spec["window"][0] : spec["window"][1]].to_numpy()
        return np.broadcast_to(seg, (n, seg.size)).copy()
    # Filler days between published anchors: calibrated turbulent-regime volatility,
    # shifted per path so each path hits the published total exactly.
    vol = float(np.sqrt(cal.returns.to_numpy().mean(axis=1).var()))
    if cal.regimes is not None:
        vol *= float(np.sqrt(cal.regimes.multipliers.max()))
    if name == "1987":
        closes = np.asarray(spec["closes"])
        anchors = np.diff(np.log(closes))
        lead = 1
        out = np.empty((n, lead + anchors.size))
        out[:, :lead] = rng.normal(0.0, vol, (n, lead))
        out[:, lead:] = anchors
        return out
    L = spec["n_days"]
    total = np.log(spec["trough"] / spec["peak"])
    out = rng.normal(0.0, 2.0 * vol, (n, L))
    fixed = np.zeros(L, dtype=bool)
    for day, (c0, c1) in spec["anchors"].items():
        out[:, day - 1] = np.log(c1 / c0)
        fixed[day - 1] = True
    free = ~fixed
    gap = total - out.sum(axis=1)
    out[:, free] += gap[:, None] / free.sum()
    return out


def _sp500_returns() -> pd.Series:
    from edgecase.datasets import load_market

    return load_market("sp500")["log_return"]


def _warp(x: np.ndarray, factor: np.ndarray, n_steps: int) -> list[np.ndarray]:
    """Time-warp each row's cumulative path to ``round(L * factor)`` days (same total return)."""
    L = x.shape[1]
    cum = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)], axis=1)
    out = []
    for i in range(x.shape[0]):
        Lw = int(np.clip(round(L * factor[i]), 1, n_steps))
        grid = np.linspace(0.0, L, Lw + 1)
        out.append(np.diff(np.interp(grid, np.arange(L + 1), cum[i])))
    return out


@dataclass
class CrisisReplay:
    """Replay a crisis with variations: time-warp (x0.7-1.4), scaling (severity x U(0.8, 1.2))
    and splicing into calibrated base paths at a random start (the base noise is damped
    during the crisis, to 0.15 of itself at severity 1 and not at all at severity 0, and
    the crisis returns feed the volatility, so the base path continues with crisis-level
    aftershocks). Severity 0 gives exactly the base paths."""

    calibration: MarketCalibration
    name: str
    severity: float = 1.0

    @property
    def meta(self) -> dict:
        return {
            "scenario": f"crisis_replay:{self.name}",
            "severity": self.severity,
            "source": CRISES[self.name]["source"],
        }

    def overlay(self, rng, n, n_steps, n_assets) -> Overlay:
        if self.severity == 0:
            return Overlay()
        tmpl = _template(self.name, self.calibration, rng, n)
        warp = rng.uniform(0.7, 1.4, n)
        scale = self.severity * rng.uniform(0.8, 1.2, n)
        rows = _warp(tmpl, warp, n_steps)
        length = np.array([r.size for r in rows])
        start = _onset(rng, n, n_steps, length)
        additive = np.zeros((n_steps, n))
        vol_mult = np.ones((n_steps, n))
        # The crisis replaces the base noise: fully (x0.15) from severity 1, less below it.
        damp = 1.0 - 0.85 * min(self.severity, 1.0)
        for i, row in enumerate(rows):
            additive[start[i] : start[i] + row.size, i] = scale[i] * row
            vol_mult[start[i] : start[i] + row.size, i] = damp
        return Overlay(
            additive=additive[..., None] * self.calibration.betas[None, None, :n_assets],
            vol_mult=vol_mult,
            info={"start": start, "warp": warp, "scale": scale},
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
            reg = MarkovSwitching(reg.transition, reg.multipliers, reg.means, st["regime_probs"])
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

        ``name``: "2008", "2010_flash_crash" (both from the S&P 500 data), "1987",
        "2020" (from published magnitudes; see :data:`CRISES` for the sources).
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
