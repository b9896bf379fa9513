"""Historic crises replayed with variations: templates with their sources, time-warp, splice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from edgecase.market._windows import _onset
from edgecase.market.calibrate import MarketCalibration
from edgecase.market.loadings import crisis_window_returns
from edgecase.market.process import Overlay

__all__ = ["CRISES", "CrisisReplay"]

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


def _template(
    name: str, cal: MarketCalibration, rng: np.random.Generator, n: int, d: int
) -> tuple[np.ndarray, str]:
    """Crisis log returns (n, L, d) before warping, and how each asset's came about.

    A crisis inside the data is each asset's own returns in the window where the data
    cover it; otherwise (and for the crises before the data) the S&P 500's template
    times each asset's crash loading."""
    spec = CRISES[name]
    if "window" in spec:
        own = crisis_window_returns(cal.returns.iloc[:, :d], spec["window"])
        if own is not None:
            seg = own[0].to_numpy(dtype=float)
            return np.broadcast_to(seg, (n, *seg.shape)).copy(), own[1]
    tmpl = _sp500_template(name, cal, rng, n)
    how = "S&P 500 template x crash loading"
    return tmpl[..., None] * cal.crash_loadings[None, None, :d], how


def _sp500_template(
    name: str, cal: MarketCalibration, rng: np.random.Generator, n: int
) -> np.ndarray:
    """The S&P 500's crisis log returns (n, L): data, or published anchors plus filler."""
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
    """Time-warp each row's cumulative path (n, L, d) to ``round(L * factor)`` days, the
    same warp for every asset of a row (same total return)."""
    n, L, d = x.shape
    cum = np.concatenate([np.zeros((n, 1, d)), np.cumsum(x, axis=1)], axis=1)
    out = []
    for i in range(n):
        Lw = int(np.clip(round(L * factor[i]), 1, n_steps))
        grid = np.linspace(0.0, L, Lw + 1)
        row = [np.diff(np.interp(grid, np.arange(L + 1), cum[i, :, a])) for a in range(d)]
        out.append(np.stack(row, axis=1))
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
        tmpl, how = _template(self.name, self.calibration, rng, n, n_assets)
        warp = rng.uniform(0.7, 1.4, n)
        scale = self.severity * rng.uniform(0.8, 1.2, n)
        rows = _warp(tmpl, warp, n_steps)
        length = np.array([r.shape[0] for r in rows])
        start = _onset(rng, n, n_steps, length)
        additive = np.zeros((n_steps, n, n_assets))
        vol_mult = np.ones((n_steps, n))
        # The crisis replaces the base noise: fully (x0.15) from severity 1, less below it.
        damp = 1.0 - 0.85 * min(self.severity, 1.0)
        for i, row in enumerate(rows):
            additive[start[i] : start[i] + row.shape[0], i] = scale[i] * row
            vol_mult[start[i] : start[i] + row.shape[0], i] = damp
        return Overlay(
            additive=additive,
            vol_mult=vol_mult,
            info={"start": start, "warp": warp, "scale": scale, "template": how},
        )
