"""The :class:`Paths` container every market process and scenario returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from edgecase._validate import as_frame, check_time_order
from edgecase.errors import InvalidInputError, InvalidParameterError

__all__ = ["Paths", "log_returns"]


class Paths:
    """Simulated (or replayed) daily log-return paths.

    Parameters
    ----------
    returns : array_like of shape (n_paths, n_steps, n_assets) or (n_paths, n_steps)
        Log returns; a 2-D array is one asset. Stored as float64.
    dates : DatetimeIndex of length n_steps, optional
        Calendar of the steps (e.g. the business days after the calibration sample).
    assets : list of str, optional
        Asset names (default ``asset0, asset1, ...``).
    meta : dict, optional
        Free-form provenance (process, scenario, severity, crash days...).

    Examples
    --------
    >>> import numpy as np
    >>> p = Paths(np.full((2, 3), 0.01), assets=["spx"])
    >>> p.returns.shape, p.prices(s0=100)[0, -1, 0].round(2)
    ((2, 3, 1), np.float64(103.05))
    """

    def __init__(
        self,
        returns: Any,
        *,
        dates: pd.DatetimeIndex | None = None,
        assets: Sequence[str] | None = None,
        meta: dict | None = None,
    ) -> None:
        try:
            arr = np.asarray(returns, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"returns could not be read as float64: {exc}") from None
        if arr.ndim == 2:
            arr = arr[:, :, None]
        if arr.ndim != 3:
            raise InvalidInputError(
                "returns must have shape (n_paths, n_steps, n_assets) or (n_paths, n_steps); "
                f"got {arr.ndim} dimension(s)."
            )
        if 0 in arr.shape:
            raise InvalidInputError(f"returns is empty: shape {arr.shape}.")
        # The sum is finite iff every value is (NaN/inf propagate); a full scan only on failure.
        if not np.isfinite(arr.sum()) and not np.isfinite(arr).all():
            raise InvalidInputError(
                f"returns has {int((~np.isfinite(arr)).sum())} NaN/inf value(s); paths must be finite."
            )
        if assets is None:
            assets = [f"asset{i}" for i in range(arr.shape[2])]
        assets = [str(a) for a in assets]
        if len(assets) != arr.shape[2] or len(set(assets)) != len(assets):
            raise InvalidInputError(
                f"assets must be {arr.shape[2]} unique names (one per asset); got {assets}."
            )
        if dates is not None:
            dates = pd.DatetimeIndex(dates)
            if len(dates) != arr.shape[1]:
                raise InvalidInputError(
                    f"dates has {len(dates)} entries but the paths have {arr.shape[1]} steps."
                )
        self.returns = arr
        self.dates = dates
        self.assets = assets
        self.meta = dict(meta or {})

    @property
    def n_paths(self) -> int:
        return self.returns.shape[0]

    @property
    def n_steps(self) -> int:
        return self.returns.shape[1]

    @property
    def n_assets(self) -> int:
        return self.returns.shape[2]

    def __len__(self) -> int:
        return self.n_paths

    def __repr__(self) -> str:
        return (
            f"Paths(n_paths={self.n_paths}, n_steps={self.n_steps}, assets={self.assets}"
            + (f", scenario={self.meta['scenario']!r}" if "scenario" in self.meta else "")
            + ")"
        )

    def __getitem__(self, item: Any) -> Paths:
        """Select paths (an int, slice or index array); steps and assets are kept."""
        sel = self.returns[item]
        if sel.ndim == 2:
            sel = sel[None]
        return Paths(sel, dates=self.dates, assets=self.assets, meta=self.meta)

    def prices(self, s0: float | Sequence[float] = 100.0) -> np.ndarray:
        """Price paths ``s0 * exp(cumsum(returns))`` of shape (n_paths, n_steps + 1, n_assets).

        The first step is ``s0`` itself, so drawdowns count a fall on day one.
        """
        s0_arr = np.asarray(s0, dtype=float)
        if s0_arr.ndim > 1 or (s0_arr.ndim == 1 and len(s0_arr) != self.n_assets):
            raise InvalidParameterError(
                f"s0 must be a positive number or one per asset ({self.n_assets}); got {s0!r}."
            )
        if not np.all(np.isfinite(s0_arr)) or np.any(s0_arr <= 0):
            raise InvalidParameterError(f"s0 must be positive and finite; got {s0!r}.")
        logp = np.zeros((self.n_paths, self.n_steps + 1, self.n_assets))
        np.cumsum(self.returns, axis=1, out=logp[:, 1:])
        return s0_arr * np.exp(logp)

    def drawdowns(self) -> np.ndarray:
        """Drawdown from the running peak, ``P_t / max_{s<=t} P_s - 1`` (<= 0), shape like returns."""
        logp = np.zeros((self.n_paths, self.n_steps + 1, self.n_assets))
        np.cumsum(self.returns, axis=1, out=logp[:, 1:])
        peak = np.maximum.accumulate(logp, axis=1)
        return np.expm1(logp - peak)[:, 1:]

    def to_frame(self) -> pd.DataFrame:
        """Long DataFrame of log returns, index MultiIndex (path, step), one column per asset."""
        idx = pd.MultiIndex.from_product(
            [np.arange(self.n_paths), np.arange(self.n_steps)], names=["path", "step"]
        )
        return pd.DataFrame(
            self.returns.reshape(-1, self.n_assets), index=idx, columns=list(self.assets)
        )

    def plot(self, **kwargs: Any):
        """Fan chart of prices with quantile bands and a few sample paths (see ``plots.fan_chart``)."""
        from edgecase.market.plots import fan_chart

        return fan_chart(self, **kwargs)


def log_returns(prices: Any, *, name: str = "prices") -> pd.DataFrame | pd.Series:
    """Daily log returns ``log(P_t / P_{t-1})`` of a price Series/DataFrame (first row dropped).

    Prices must be finite and strictly positive: a zero or negative price has no log return.

    Examples
    --------
    >>> import pandas as pd
    >>> log_returns(pd.Series([100.0, 110.0, 99.0])).round(4).tolist()
    [0.0953, -0.1054]
    """
    if isinstance(prices, pd.Series | pd.DataFrame):
        obj = prices
    else:
        try:
            arr = np.asarray(prices, dtype=float)
        except (TypeError, ValueError):
            raise InvalidInputError(f"{name} must be numeric.") from None
        if arr.ndim not in (1, 2):
            raise InvalidInputError(f"{name} must be 1-D or 2-D; got {arr.ndim} dimensions.")
        obj = pd.Series(arr) if arr.ndim == 1 else pd.DataFrame(arr)
    frame = obj.to_frame() if isinstance(obj, pd.Series) else obj
    if len(frame) < 2 or frame.shape[1] == 0:
        raise InvalidInputError(f"{name} needs at least 2 rows to form a return.")
    as_frame(frame, name=name)  # nested or duplicated column names, by name
    check_time_order(frame.index, name=name)  # a return of unsorted prices is meaningless
    for col in frame.columns:
        s = frame[col]
        if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            raise InvalidInputError(f"{name} column {col!r} has dtype {s.dtype}; expected numbers.")
        v = s.to_numpy(dtype=float, na_value=np.nan)
        if not np.isfinite(v).all():
            raise InvalidInputError(f"{name} column {col!r} has NaN/inf prices.")
        if (v <= 0).any():
            raise InvalidInputError(
                f"{name} column {col!r} has {int((v <= 0).sum())} non-positive price(s); "
                "log returns need strictly positive prices."
            )
    out = np.log(obj.astype(float)).diff().iloc[1:]
    return out
