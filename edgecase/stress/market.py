"""Market stress scenarios: black-swan paths at a severity, seen through ``market.features``.

A crash early-warning model is stressed on *generated* data: at each severity
the scenario simulates paths from a calibrated
:class:`~edgecase.market.BlackSwanGenerator` and turns them into the model's
features and crash labels. Severity 0 is the calibrated base process, 1 the
historic-worst stress. The ``X`` handed to the harness (real windows, say)
fixes the alert threshold and the column order; the rows at each severity are
the simulated ones.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from edgecase._random import RandomStateLike, as_generator
from edgecase._validate import as_frame, check_choice, check_scalar, check_severity
from edgecase.errors import InvalidInputError, InvalidParameterError, UnknownNameError
from edgecase.stress._side import GROUPS_ATTR

__all__ = ["MarketScenario", "market_scenarios"]


class MarketScenario:
    """Paths of one black-swan scenario, as features and crash labels.

    Parameters
    ----------
    generator : BlackSwanGenerator
        A calibrated generator (``BlackSwanGenerator.from_returns(...)``).
    scenario : str
        "crash", "vol_spike", "correlation_breakdown", "liquidity_gap" or "flash_crash".
    n_paths, n_steps : int
        Paths simulated at each severity (at least; see ``min_positives``) and their
        length in days.
    min_positives : int, default 2000
        Batches of ``n_paths`` paths are added until the crash labels hold at least this
        many positive rows, or ``max_paths`` paths are reached. Each path is one
        independent event: its id is in ``X_s.attrs["edgecase_groups"]``, so the harness
        resamples whole paths.
    max_paths : int, optional
        Cap on the paths per severity (default ``20 * n_paths``).
    windows, horizon, drawdown
        Passed to :func:`edgecase.market.features.make_features`; use the values the
        model was trained with.
    start : "last", "long_run" or a date, default "last"
        Where the paths begin (see :meth:`~edgecase.market.BlackSwanGenerator.process_at`):
        from the filtered volatility and regime probabilities of the calibration's
        last day, of a date inside it (the eve of the period the model is judged
        on), or from the long-run state.

    Examples
    --------
    >>> from edgecase.datasets import load_market
    >>> from edgecase.market import BlackSwanGenerator
    >>> gen = BlackSwanGenerator.from_returns(load_market("sp500")["log_return"])
    >>> sc = MarketScenario(gen, "crash", n_paths=20)
    >>> X, y = sc.apply(None, None, 1.0, random_state=0)
    >>> X.shape[1], bool(0 < y.mean() < 1)
    (9, True)
    """

    #: The harness measures this scenario against its own lowest severity (its rows are simulated).
    own_baseline = True

    def __init__(
        self,
        generator: Any,
        scenario: str = "crash",
        *,
        n_paths: int = 200,
        n_steps: int = 252,
        windows: Sequence[int] = (5, 20, 60),
        horizon: int = 20,
        drawdown: float = -0.10,
        min_positives: int = 2000,
        max_paths: int | None = None,
        start: Any = "last",
    ) -> None:
        self.generator = generator
        self.scenario = scenario
        self.n_paths = n_paths
        self.n_steps = n_steps
        self.windows = windows
        self.horizon = horizon
        self.drawdown = drawdown
        self.min_positives = min_positives
        self.max_paths = max_paths
        self.start = start

    @property
    def name(self) -> str:
        return f"market_{self.scenario}"

    def apply(
        self, X: Any, y: Any, severity: float, random_state: RandomStateLike = None
    ) -> tuple[pd.DataFrame, pd.Series]:
        """Features and labels of ``n_paths`` paths simulated at ``severity``.

        ``X`` (optional) only fixes the column order; its rows are not used.
        """
        from edgecase.market import SCENARIOS
        from edgecase.market.features import make_features

        severity = check_severity(severity)
        if not hasattr(self.generator, "generate"):
            raise InvalidParameterError(
                "generator must be a BlackSwanGenerator (use BlackSwanGenerator.from_returns(returns))."
            )
        check_choice(
            self.scenario, "scenario", [s for s in SCENARIOS if s != "base"], error=UnknownNameError
        )
        check_scalar(self.n_paths, "n_paths", kind=numbers.Integral, low=1)
        check_scalar(self.min_positives, "min_positives", kind=numbers.Integral, low=0)
        cap = 20 * self.n_paths if self.max_paths is None else self.max_paths
        check_scalar(cap, "max_paths", kind=numbers.Integral, low=self.n_paths)
        rng = as_generator(random_state)
        parts, n_pos, done = [], 0, 0
        while not parts or (n_pos < self.min_positives and done < cap):
            k = min(self.n_paths, cap - done)
            paths = self.generator.generate(
                k, self.n_steps, scenario=self.scenario, severity=severity, random_state=rng,
                start=self.start,
            )  # fmt: skip
            Xb, yb = make_features(
                paths, windows=self.windows, horizon=self.horizon, drawdown=self.drawdown
            )
            path_id = done + Xb.index.get_level_values(0).to_numpy()
            parts.append((Xb, yb, path_id))
            n_pos, done = n_pos + int(yb.sum()), done + k
        X_s = pd.concat([p[0] for p in parts])
        y_s = pd.concat([p[1] for p in parts])
        events = np.concatenate([p[2] for p in parts])
        X_s, y_s = X_s.reset_index(drop=True), y_s.reset_index(drop=True)
        if X is not None:
            cols = list(as_frame(X).columns)
            missing = [c for c in cols if c not in X_s.columns]
            if missing:
                raise InvalidInputError(
                    f"scenario {self.name!r}: X has column(s) {missing} that market features do not "
                    f"produce ({list(X_s.columns)}); build X with edgecase.market.features.make_features "
                    "and the same windows/horizon."
                )
            X_s = X_s[cols]
        X_s.attrs[GROUPS_ATTR] = events
        return X_s, y_s

    def __repr__(self) -> str:
        return f"MarketScenario({self.scenario!r}, n_paths={self.n_paths}, n_steps={self.n_steps})"


def market_scenarios(
    generator: Any,
    scenarios: Sequence[str] = ("crash", "vol_spike", "flash_crash", "liquidity_gap"),
    **kwargs: Any,
) -> list[MarketScenario]:
    """One :class:`MarketScenario` per scenario name, sharing ``kwargs``."""
    if isinstance(scenarios, str):
        raise InvalidParameterError(
            "scenarios must be a list of names, e.g. ['crash', 'vol_spike']."
        )
    from edgecase.market import SCENARIOS

    for s in scenarios:
        check_choice(s, "scenario", [n for n in SCENARIOS if n != "base"], error=UnknownNameError)
    return [MarketScenario(generator, s, **kwargs) for s in scenarios]
