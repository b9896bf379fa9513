"""Model-collapse check: refit a generator on its own output, generation after generation.

Training on one's own synthetic output narrows the distribution: rare modes
vanish, tails thin and interpolating generators contract toward the centre.
:func:`collapse_check` makes that visible for the two kinds of edgecase
generators (duck-typed, see CONTRACTS.md "Generators for the quality stage"):

* tabular: ``generator.fit(X, y)`` and ``generator.generate(n, random_state=...)``
  returning minority rows. Generation ``g`` refits on the real majority rows
  plus generation ``g-1``'s minority output and is compared with the *real*
  minority rows: fidelity (mean 1-KS / 1-TV), tail-quantile error, spread
  (mean nearest-neighbour distance and per-column sd, relative to the real
  minority) and exact copies of real minority rows.
* market: ``generator.from_returns(returns)`` whose ``generate(n_paths,
  n_steps, scenario="base", severity=0.0, random_state=...)`` returns Paths.
  Generation ``g`` refits from one long simulated series of generation ``g-1``
  and tracks the Hill tail index of both tails, the worst and best day,
  excess kurtosis, volatility, volatility clustering and KS distance to the
  real returns.

Generation 0 is the real data, so every curve starts from its real value.
"""

from __future__ import annotations

import copy
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.neighbors import NearestNeighbors
from tqdm.auto import tqdm

from edgecase._io import Section, dumps, write_html
from edgecase._random import RandomStateLike, spawn
from edgecase._validate import check_returns, check_scalar, check_X_y
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.quality._prep import Encoder, prepare, subsample
from edgecase.quality.fidelity import column_fidelity, ks_statistic, tail_quantiles
from edgecase.quality.privacy import exact_copy_share, row_hashes

__all__ = ["CollapseReport", "collapse_check", "hill_tail_index"]

#: Rows used for the nearest-neighbour spread of one generation (O(n log n) per generation).
SPREAD_ROWS = 5_000


def hill_tail_index(x: Any, *, tail: str = "left", fraction: float = 0.05) -> float:
    """Hill estimate of the tail index alpha from the ``fraction`` largest losses or gains.

    Smaller alpha = heavier tail (daily equity returns: about 3); a Gaussian
    gives large values that grow with the sample. ``tail="left"`` uses losses
    (``-x``), ``"right"`` gains. ``k = max(10, fraction * n)`` order statistics;
    NaN when fewer than ``k + 1`` returns lie in that tail.

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_t(3, size=20_000)
    >>> 2.0 < hill_tail_index(x, tail="right") < 4.5
    True
    """
    if tail not in ("left", "right"):
        raise InvalidParameterError(f"tail must be 'left' or 'right'; got {tail!r}.")
    check_scalar(fraction, "fraction", low=0.0, high=0.5, low_inclusive=False)
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInputError("x must be a 1-D array of numbers.") from None
    if arr.ndim != 1 or not np.all(np.isfinite(arr)):
        raise InvalidInputError(
            f"x must be a 1-D array of finite returns; got shape {arr.shape} with "
            f"{int(np.sum(~np.isfinite(arr)))} non-finite value(s)."
        )
    v = -arr if tail == "left" else arr
    v = np.sort(v[v > 0])[::-1]
    k = max(10, int(fraction * len(arr)))
    if len(v) <= k:
        return float("nan")
    logs = np.log(v[:k]) - np.log(v[k])
    m = logs.mean()
    return float(1.0 / m) if m > 0 else float("nan")


@dataclass
class CollapseReport:
    """Metrics per generation of a :func:`collapse_check` (generation 0 = real data).

    ``history`` has one row per generation; ``tails`` is the long table of tail
    quantiles (tabular: per minority column; market: of the returns).
    """

    mode: str
    history: pd.DataFrame
    tails: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    plot_columns: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """Real value, last generation's value and their relative change, per metric."""
        h = self.history
        first, last = h.iloc[0], h.iloc[-1]
        # relative to the real value; undefined (NaN) where the real value is 0
        rel = (last - first) / first.abs().where(first != 0)
        return pd.DataFrame(
            {
                "real (generation 0)": first,
                f"generation {h.index[-1]}": last,
                "relative change": rel,
            }
        )

    def plot(self) -> Any:
        """The decay of each tracked metric over generations (a matplotlib Figure)."""
        from edgecase.quality.plots import plot_collapse

        return plot_collapse(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "history": self.history.reset_index(),
            "summary": self.summary().reset_index(names="metric"),
            "tails": self.tails,
            "notes": self.notes,
            "meta": self.meta,
        }

    def to_json(self) -> str:
        """The report as JSON text (NaN becomes null)."""
        return dumps(self.to_dict())

    def to_html(self, path: str | Path) -> Path:
        """Write a self-contained HTML page with the history table and the decay plot."""
        sec = [
            Section("Summary", "\n\n".join(self.notes), [self.summary()], [self.plot()]),
            Section("History", "", [self.history]),
            Section("Tail quantiles", "", [self.tails]),
        ]
        return write_html(
            path,
            f"Model-collapse check ({self.mode})",
            sec,
            meta={k: v for k, v in self.meta.items() if k != "generator"},
        )


_HARDEN_COLUMNS = [
    "val_pr_auc",
    "val_recall",
    "evasion_rate",
    "mean_evasion_step",
    "detection_auc",
    "exact_copy_share",
    "violation_share",
]


def _is_harden_run(run: Any) -> bool:
    h = getattr(run, "history", None)
    return isinstance(h, pd.DataFrame) and "round" in h and hasattr(run, "variations")


def _from_harden(run: Any) -> CollapseReport:
    """A harden run read as generations: round 0 is the model trained on real rows only."""
    h = run.history.set_index("round")
    cols = [c for c in _HARDEN_COLUMNS if c in h.columns]
    kept = int(h.index[h["kept"]][0]) if "kept" in h else None
    notes = [
        "each round refits on the real training rows plus every earlier round's generated "
        "fraud; validation rows are real and never generated from.",
        f"kept round: {kept}; val_pr_auc falling round after round is the collapse to watch.",
    ]
    meta = {"generator": "harden", "generations": int(h.index.max()), "kept_round": kept}
    # the summary compares rounds numerically: flags (accepted, kept) stay in the run itself
    extra = [
        c
        for c in h.columns
        if c not in cols
        and pd.api.types.is_numeric_dtype(h[c])
        and not pd.api.types.is_bool_dtype(h[c])
    ]
    return CollapseReport("harden", h[cols + extra], pd.DataFrame(), notes, meta, cols)


def _mode(generator: Any) -> str:
    if callable(getattr(generator, "from_returns", None)):
        return "market"
    if callable(getattr(generator, "fit", None)) and callable(getattr(generator, "generate", None)):
        return "tabular"
    raise InvalidParameterError(
        f"generator must have fit(X, y) and generate(n, random_state=...) (tabular) or a "
        f"classmethod from_returns(returns) (market); got {type(generator).__name__}."
    )


def _fresh(generator: Any) -> Any:
    """An unfitted copy, so a generation cannot reuse state fitted on the previous one."""
    try:
        from sklearn.base import clone

        return clone(generator)
    except Exception:  # noqa: BLE001 - not a scikit-learn estimator: copy it as it is
        return copy.deepcopy(generator)


def _spread(enc: Encoder, prep, side: str, rng: np.random.Generator) -> float:
    n = len(prep.real) if side == "real" else len(prep.synthetic)
    idx = subsample(n, SPREAD_ROWS, rng)
    X = enc.real(prep, idx) if side == "real" else enc.synthetic(prep, idx)
    if len(X) < 2 or X.shape[1] == 0:
        return float("nan")
    d, _ = NearestNeighbors(n_neighbors=2).fit(X).kneighbors(X)
    return float(d[:, 1].mean())


def _tabular(generator, real, generations, n_samples, rngs, progress):
    if not isinstance(real, tuple | list) or len(real) != 2:
        raise InvalidInputError(
            "real must be a tuple (X, y) for a tabular generator (fit(X, y) / generate(n))."
        )
    X, y = check_X_y(
        real[0], real[1], allow=("category", "bool", "datetime"), names=("real X", "real y")
    )
    minority = X.iloc[np.flatnonzero(y == 1)].reset_index(drop=True)
    majority = X.iloc[np.flatnonzero(y == 0)].reset_index(drop=True)
    if len(minority) < 2:
        raise InvalidInputError(
            f"y has {len(minority)} minority row(s); at least 2 are needed to measure their spread."
        )
    n = len(minority) if n_samples is None else n_samples
    base = prepare(minority, minority)
    # codes of the real levels come first in every prepare(minority, ...) vocabulary, so this
    # encoder and these hashes stay valid for every generation (new levels code higher)
    enc = Encoder(base)
    real_spread = _spread(enc, base, "real", rngs[0])
    sd_real = {c: float(np.std(v)) for c, v in base.num_real.items()}
    h_real = row_hashes(base, "real", list(minority.columns))
    rows, tails = [], []

    def record(g: int, prep) -> None:
        fid = column_fidelity(prep)
        tq = tail_quantiles(prep, probs=(0.01, 0.99))
        sd_ratio = [
            float(np.std(prep.num_synthetic[c])) / sd_real[c]
            for c in prep.numeric
            if sd_real[c] > 0
        ]
        rows.append(
            {
                "generation": g,
                "n_rows": len(prep.synthetic),
                "fidelity_score": float(fid["score"].mean()),
                "tail_error_sd": float(np.mean(np.abs(tq["error_sd"]))) if len(tq) else np.nan,
                "nn_spread_ratio": _spread(enc, prep, "synthetic", rngs[0]) / real_spread
                if real_spread > 0
                else np.nan,
                "sd_ratio": float(np.mean(sd_ratio)) if sd_ratio else np.nan,
                "exact_copy_share": exact_copy_share(
                    row_hashes(prep, "synthetic", list(minority.columns)), h_real
                ),
            }
        )
        t = tq[["column", "quantile", "synthetic"]].rename(columns={"synthetic": "value"})
        tails.append(t.assign(generation=g))

    record(0, base)
    current = minority
    for g in tqdm(range(1, generations + 1), desc="collapse", disable=not progress, leave=False):
        gen = _fresh(generator)
        X_g = pd.concat([majority, current], ignore_index=True)
        y_g = pd.Series(
            np.r_[np.zeros(len(majority)), np.ones(len(current))].astype(np.int8),
            name=getattr(real[1], "name", None) or "y",
        )
        gen.fit(X_g, y_g)
        out = gen.generate(n, random_state=rngs[g])
        try:
            prep = prepare(minority, out)
        except InvalidInputError as exc:
            raise InvalidInputError(
                f"generation {g}: the generator's output is unusable: {exc}"
            ) from None
        record(g, prep)
        current = prep.synthetic.reset_index(drop=True)
    history = pd.DataFrame(rows).set_index("generation")
    cols = ["fidelity_score", "tail_error_sd", "nn_spread_ratio", "sd_ratio", "exact_copy_share"]
    notes = [
        f"each generation refits on the {len(majority):,} real majority rows plus the previous "
        f"generation's {n:,} minority rows and is compared with the {len(minority):,} real minority rows.",
        "nn_spread_ratio < 1: the minority class contracts (interpolation collapse); "
        "sd_ratio < 1: narrower columns.",
    ]
    return history, pd.concat(tails, ignore_index=True), notes, cols


def _return_stats(r: np.ndarray, real: np.ndarray) -> dict[str, float]:
    a = np.abs(r - r.mean())
    acf = float(np.corrcoef(a[:-1], a[1:])[0, 1]) if len(r) > 2 and a.std() > 0 else np.nan
    return {
        "n_days": len(r),
        "hill_left": hill_tail_index(r, tail="left"),
        "hill_right": hill_tail_index(r, tail="right"),
        "worst_day": float(r.min()),
        "best_day": float(r.max()),
        "excess_kurtosis": float(stats.kurtosis(r)),
        "annual_vol": float(r.std() * np.sqrt(252)),
        "abs_return_acf1": acf,
        "ks_to_real": ks_statistic(r, real),
    }


def _market(generator, real, generations, n_steps, rngs, progress):
    if isinstance(real, pd.DataFrame) and real.shape[1] != 1:
        raise InvalidInputError(
            f"real must be one series of daily log returns; got a DataFrame with columns "
            f"{list(real.columns)[:5]} (pass e.g. df['log_return'])."
        )
    df = check_returns(real, name="real", min_obs=250)
    r0 = df.iloc[:, 0].to_numpy(dtype=float)
    n = len(r0) if n_steps is None else n_steps
    index0 = df.index if isinstance(df.index, pd.DatetimeIndex) else None
    rows, tails = [], []
    probs = (0.001, 0.01, 0.99, 0.999)

    def record(g: int, r: np.ndarray) -> None:
        rows.append({"generation": g, **_return_stats(r, r0)})
        tails.append(
            pd.DataFrame({"generation": g, "quantile": probs, "value": np.quantile(r, probs)})
        )

    record(0, r0)
    current = r0
    for g in tqdm(range(1, generations + 1), desc="collapse", disable=not progress, leave=False):
        if index0 is not None and len(current) == len(index0):
            idx = index0
        else:
            start = index0[0] if index0 is not None else pd.Timestamp("2000-01-03")
            idx = pd.bdate_range(start, periods=len(current), name="date")
        series = pd.Series(current, index=idx, name=df.columns[0])
        gen = generator.from_returns(series)
        paths = gen.generate(1, n_steps=n, scenario="base", severity=0.0, random_state=rngs[g])
        arr = np.asarray(getattr(paths, "returns", paths), dtype=float)
        if arr.ndim == 3:
            arr = arr[0, :, 0]
        elif arr.ndim == 2:
            arr = arr[0]
        if arr.ndim != 1 or len(arr) < 250 or not np.all(np.isfinite(arr)):
            raise InvalidInputError(
                f"generation {g}: the generator returned {arr.shape} returns with "
                f"{int(np.sum(~np.isfinite(arr)))} non-finite value(s); expected >= 250 finite daily returns."
            )
        record(g, arr)
        current = arr
    history = pd.DataFrame(rows).set_index("generation")
    cols = [
        "hill_left",
        "hill_right",
        "worst_day",
        "excess_kurtosis",
        "annual_vol",
        "abs_return_acf1",
    ]
    notes = [
        f"each generation refits from one simulated series of {n:,} days of the previous generation.",
        "Hill tail index (5% of days): rising = thinner tails; worst_day moving toward 0 = "
        "crashes being forgotten.",
    ]
    return history, pd.concat(tails, ignore_index=True), notes, cols


def collapse_check(
    generator: Any,
    real: Any = None,
    generations: int = 5,
    random_state: RandomStateLike = None,
    *,
    n_samples: int | None = None,
    n_steps: int | None = None,
    progress: bool = True,
) -> CollapseReport:
    """Refit ``generator`` on its own output for ``generations`` rounds and track the decay.

    Parameters
    ----------
    generator : object
        A :func:`edgecase.train.harden` result: its per-round history is returned as
        the generations (nothing is refitted; the other arguments are ignored).
        Tabular: has ``fit(X, y)`` and ``generate(n, random_state=...)``
        (minority rows), e.g. ``edgecase.fraud.FraudScenarioGenerator()``; it is
        cloned (scikit-learn ``clone``, else ``deepcopy``) every generation.
        Market: a class (or instance) with classmethod ``from_returns(returns)``,
        e.g. ``edgecase.market.BlackSwanGenerator``.
    real : (X, y) or Series
        Tabular: the real features and 0/1 labels. Market: daily log returns
        (a Series or one-column DataFrame, at least 250 days).
    generations : int
        Rounds of refitting (generation 0, the real data, is extra).
    random_state : None, int or Generator
        Seeds every ``generate`` call (one independent stream per generation).
    n_samples : int, optional
        Tabular: minority rows generated per generation (default: as many as real).
    n_steps : int, optional
        Market: days simulated per generation (default: as many as real).
    progress : bool
        Show a tqdm bar over generations.

    Returns
    -------
    CollapseReport

    Examples
    --------
    >>> class Bootstrap:  # a market generator that resamples its calibration days
    ...     def __init__(self, r):
    ...         self.r = np.asarray(r)
    ...     @classmethod
    ...     def from_returns(cls, returns):
    ...         return cls(returns)
    ...     def generate(self, n_paths, n_steps, scenario="base", severity=0.0, random_state=None):
    ...         rng = np.random.default_rng(random_state)
    ...         return rng.choice(self.r, size=(n_paths, n_steps, 1))
    >>> from edgecase.datasets import load_market
    >>> r = load_market("sp500")["log_return"]
    >>> rep = collapse_check(Bootstrap, r, generations=3, random_state=0, progress=False)
    >>> list(rep.history.index), bool(rep.history["worst_day"].is_monotonic_increasing)
    ([0, 1, 2, 3], True)
    """
    if _is_harden_run(generator):
        return _from_harden(generator)
    mode = _mode(generator)
    if real is None:
        raise InvalidInputError(
            "real is required: (X, y) for a tabular generator, returns for a market one."
        )
    check_scalar(generations, "generations", kind=numbers.Integral, low=1)
    if n_samples is not None:
        check_scalar(n_samples, "n_samples", kind=numbers.Integral, low=2)
    if n_steps is not None:
        check_scalar(n_steps, "n_steps", kind=numbers.Integral, low=250)
    rngs = spawn(random_state, generations + 1)
    if mode == "tabular":
        history, tails, notes, cols = _tabular(
            generator, real, generations, n_samples, rngs, progress
        )
    else:
        history, tails, notes, cols = _market(generator, real, generations, n_steps, rngs, progress)
    meta = {
        "generator": getattr(generator, "__name__", type(generator).__name__),
        "generations": int(generations),
    }
    return CollapseReport(mode, history, tails, notes, meta, cols)
