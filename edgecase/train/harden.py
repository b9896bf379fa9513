"""Harden a model: generate fraud where it breaks, refit on it, and keep only rounds that help.

:func:`harden` holds out real rows that generation never sees, then repeats a
round: stress the current model on the held-out rows (scenario breaking points,
and how far a caught fraud row must move along the columns a fraudster controls
before the model misses it), generate hard variations of the *training* fraud
rows there, refit with the variations added inside the training folds only, and
guard: a round is kept only if the severity-0 PR-AUC on the held-out rows stays
within a paired bootstrap interval of round 0 and the generated rows pass a
quality check. Rounds after the first refit without cross-validation; the kept
round is fitted in full at the end. Training on one's own variations can also make a model worse
(the variations flatter it); ``guard=False`` shows that per round.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import average_precision_score
from tqdm.auto import tqdm

from edgecase._random import RandomStateLike, as_generator, as_seed_sequence
from edgecase._validate import check_bool, check_X_y
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.fraud.mutable import DERIVED_COLUMNS, check_mutable
from edgecase.fraud.relations import find_relations, repair, violations
from edgecase.train import _harden_steps as steps
from edgecase.train._adversarial import MAX_STEP, MovePlan, attack, variations
from edgecase.train.cv import check_int, seed_ints
from edgecase.train.samplers import categorical_columns, is_weighting, make_sampler
from edgecase.train.thresholds import parse_policy, select_threshold
from edgecase.train.trainer import Trainer

__all__ = ["harden", "HardeningResult", "QUALITY_LIMITS"]

#: The quality check of each round's generated rows: at most this share of exact
#: copies of real training rows and of rows breaking the data's bounds, types,
#: orders or identities, and a detection AUC (generated vs real training fraud)
#: of at most this value (1.0 would be rows a classifier always tells apart).
QUALITY_LIMITS = {"exact_copy_share": 0.10, "violation_share": 0.01, "detection_auc": 0.98}

#: Adversarial variations per caught training fraud row and round (the score's own
#: direction plus noisy copies within the allowed signs), and how far past the
#: boundary each lands: the evading step times a factor drawn in [1, OVERSHOOT].
PER_ROW = 1
OVERSHOOT = 1.0
#: How an adversarial variation moves: ``"boundary"`` (just past the model's boundary
#: along the score's direction) or ``"legit"`` (full evasion: the mutable columns take
#: the values of a random legitimate training row wherever the column's allowed sign
#: permits that move, whatever the model scores).
MOVES = "boundary"
#: Outlier exposure: each round also adds this many rows per adversarial variation
#: (rounded), labelled fraud, drawn from the product of the legitimate training
#: rows' marginals (:func:`edgecase.train._harden_steps.marginal_rows`), so that
#: the model also learns what is unlike legitimate behaviour, not only the known
#: fraud. They are not variations of real fraud: the quality check reads the
#: variations alone, and the history gives the outliers' count and share. 0: none.
OUTLIERS = 0.0


class _Pool:
    """The generated rows and the training row each came from (-1: from no single row).

    Shared, never copied, when scikit-learn clones the sampler for a fold.
    """

    def __init__(self, X: pd.DataFrame, source: np.ndarray) -> None:
        self.X, self.source = X, source

    def __deepcopy__(self, memo: dict) -> _Pool:
        return self


class _WithVariations(BaseEstimator):
    """Sampler hook: add the pool rows whose source is in this training part, then resample.

    ``fit_resample`` gets a fold's training rows with their positions as index
    (the Trainer's convention), so a variation of a row the fold tests never
    reaches the fold's training part, and no validation row is in the pool.
    """

    def __init__(self, pool: _Pool | None = None, base: Any = None, random_state: Any = None):
        self.pool = pool
        self.base = base
        self.random_state = random_state

    def fit_resample(self, X: pd.DataFrame, y: Any) -> tuple[pd.DataFrame, np.ndarray]:
        y = np.asarray(y)
        pool = self.pool
        keep = (pool.source < 0) | np.isin(pool.source, X.index.to_numpy())
        self.added_ = pool.source[keep]
        Xa = pd.concat([X, pool.X[keep]], ignore_index=True)
        ya = np.r_[y, np.ones(int(keep.sum()), dtype=y.dtype)]
        base = make_sampler(self.base, categorical_columns(X), int(self.random_state or 0))
        if base is None:
            return Xa, ya
        Xr, yr = base.fit_resample(Xa, ya)
        return Xr, np.asarray(yr)


@dataclass
class HardeningResult:
    """What :func:`harden` returns.

    Attributes
    ----------
    model : Trainer
        The kept round's fitted model (round 0 when no round passed the guard).
    baseline : Trainer
        Round 0: the trainer fitted on the training part without variations.
    history : DataFrame
        One row per round: validation PR-AUC and its paired interval against round 0,
        recall at the model's threshold, adversarial evasion, scenario breaking
        points, the generated rows' quality, whether the round passed the guard and
        which round was kept.
    variations : DataFrame
        Every generated row with its ``round``, ``origin`` (``"adversarial"``,
        ``"outlier"`` (see :data:`OUTLIERS`) or a scenario name) and ``source`` (position in the X given to harden; -1: none).
    train_index, valid_index : ndarray
        Positions in X of the training and the held-out validation rows.
    notes : list of str
    """

    model: Trainer
    baseline: Trainer
    history: pd.DataFrame
    variations: pd.DataFrame
    train_index: np.ndarray
    valid_index: np.ndarray
    notes: list[str] = field(default_factory=list)

    @property
    def kept_round(self) -> int:
        return int(self.history.loc[self.history["kept"], "round"].iloc[0])

    def plot(self) -> Any:
        """Validation PR-AUC (with its paired interval) and adversarial evasion per round."""
        import matplotlib.pyplot as plt

        h = self.history
        fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.2))
        base = h["val_pr_auc"].iloc[0]
        a.errorbar(
            h["round"],
            h["val_pr_auc"],
            yerr=[h["pr_auc_diff"] - h["pr_auc_diff_lo"], h["pr_auc_diff_hi"] - h["pr_auc_diff"]],
            marker="o",
            capsize=3,
        )
        a.axhline(base, color="k", ls="--", lw=0.8)
        a.set(xlabel="round", ylabel="validation PR-AUC (severity 0)")
        b.plot(h["round"], h["mean_evasion_step"], marker="o")
        b.set(xlabel="round", ylabel="mean step to evade (spreads)")
        for ax in (a, b):
            ax.axvline(self.kept_round, color="g", ls=":", lw=1)
        fig.suptitle("harden: guard and robustness per round (green: kept)")
        fig.tight_layout()
        return fig


# ---------------------------------------------------------------- checks


def _check_scenarios(scenarios: Any) -> list[Any]:
    if scenarios is None:
        return []
    items = list(scenarios.values()) if isinstance(scenarios, dict) else scenarios
    if hasattr(items, "apply") or isinstance(items, str):
        items = [items]
    try:
        items = list(items)
    except TypeError:
        raise InvalidParameterError(
            f"scenarios must be a scenario or a list of them; got {type(scenarios).__name__}."
        ) from None
    for sc in items:
        if not isinstance(getattr(sc, "name", None), str) or not callable(
            getattr(sc, "apply", None)
        ):
            raise InvalidParameterError(
                "every scenario needs a text name and apply(X, y, severity, random_state) "
                f"(the stress Scenario protocol); got {sc!r}."
            )
    return items


def _check_options(trainer: Any, rounds: Any, holdout: Any, guard: Any, progress: Any) -> int:
    if not isinstance(trainer, Trainer):
        raise InvalidParameterError(
            f"trainer must be an edgecase.train.Trainer; got {type(trainer).__name__}."
        )
    if is_weighting(trainer.sampler):
        raise InvalidParameterError(
            "harden adds the variations as rows through the trainer's sampler; "
            "sampler='scale_pos_weight' reweights instead: use None or a resampler."
        )
    rounds = check_int(rounds, "rounds", 1)
    if (
        isinstance(holdout, bool)
        or not isinstance(holdout, numbers.Real)
        or not 0 < float(holdout) < 1
    ):
        raise InvalidParameterError(f"holdout must be a share in (0, 1); got {holdout!r}.")
    check_bool(guard, "guard")
    check_bool(progress, "progress")
    return rounds


# ---------------------------------------------------------------- one round


@dataclass
class _Data:
    X: pd.DataFrame  # training part (features)
    y: np.ndarray
    Xv: pd.DataFrame  # validation part
    yv: np.ndarray
    groups: np.ndarray | None
    plan: MovePlan


def _fit(trainer: Trainer, d: _Data, pool: _Pool | None, seed: int) -> Trainer:
    tr = clone(trainer)
    if tr.random_state is None:
        tr.set_params(random_state=seed)
    if pool is not None:
        tr.set_params(sampler=_WithVariations(pool, trainer.sampler, 0))
    tr.set_params(progress=False)
    return tr.fit(d.X, d.y, groups=d.groups)


def _refit_only(trainer: Trainer, base: Trainer, d: _Data, pool: _Pool) -> Trainer | None:
    """A round's model as ``Trainer.fit``'s final refit alone, without its cross-validation.

    The estimator is the one ``Trainer.fit`` would refit on all training rows plus
    the pool (same seeds, same sampler), so its scores, and every PR-AUC the guard
    reads, are those of the full fit; only the threshold is chosen by the trainer's
    policy on the validation scores instead of out-of-fold ones. The kept round is
    fitted in full at the end. None (fit in full every round) when the trainer
    calibrates or its random_state is not a plain seed.
    """
    # base was fitted by _fit: its random_state is the trainer's, or harden's fit seed
    if base.calibrate not in (False, None) or not isinstance(base.random_state, numbers.Integral):
        return None
    m = base._refit_final_only(d.X, d.y, _WithVariations(pool, trainer.sampler, 0))
    try:
        m.threshold_ = float(
            select_threshold(parse_policy(trainer.threshold), d.yv, m.predict_proba(d.Xv)[:, 1])
        )
    except InvalidInputError:
        pass  # the policy cannot be met on the validation rows: keep round 0's threshold
    return m


def _score(model: Trainer):
    return lambda X: model.predict_proba(X)[:, 1]


def _stress(model: Trainer, d: _Data, scenarios: list, seed: int, rng) -> dict[str, Any]:
    s = model.predict_proba(d.Xv)[:, 1]
    caught = d.Xv[(d.yv == 1) & (s >= model.threshold_)]
    _, step = attack(_score(model), caught, model.threshold_, d.plan, rng)
    row = {
        "val_recall": steps.alert_recall(d.yv, s, model.threshold_),
        "evasion_rate": float(np.isfinite(step).mean()) if len(step) else np.nan,
        "mean_evasion_step": float(np.minimum(step, MAX_STEP).mean()) if len(step) else np.nan,
    }
    for sc in scenarios:
        row[f"breaking_{sc.name}"] = steps.breaking_severity(
            model, sc, d.Xv, d.yv, model.threshold_, seed
        )[0]
    return row


def _from_scenario(sc, d: _Data, sev: float, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    Xs, ys = sc.apply(d.X, d.y, sev, random_state=seed)
    Xs = pd.DataFrame(Xs)
    if list(Xs.columns) != list(d.X.columns):
        raise InvalidInputError(
            f"scenario {sc.name!r} returned columns {list(Xs.columns)}; expected {list(d.X.columns)}."
        )
    pos = np.flatnonzero(np.asarray(ys).astype(int) == 1)
    rows = Xs.iloc[pos].reset_index(drop=True)
    if len(Xs) == len(d.X):
        src = pos
        changed = ~(
            pd.util.hash_pandas_object(rows, index=False).to_numpy()
            == pd.util.hash_pandas_object(d.X.iloc[pos], index=False).to_numpy()
        )
        return rows[changed].astype(d.X.dtypes.to_dict()), src[changed]
    return rows.astype(d.X.dtypes.to_dict()), np.full(len(rows), -1)


def _generate(model: Trainer, d: _Data, scenarios, breaks: dict, seed: int, rng):
    """Adversarial variations of caught training fraud, plus scenario rows near each break."""
    s = model.predict_proba(d.X)[:, 1]
    caught = np.flatnonzero((d.y == 1) & (s >= model.threshold_))
    if MOVES not in ("boundary", "legit"):
        raise InvalidParameterError(f"MOVES must be 'boundary' or 'legit'; got {MOVES!r}.")
    if MOVES == "legit":
        moved, pos = _legit_moves(d, caught, PER_ROW, rng)
    else:
        moved, pos = variations(
            _score(model), d.X.iloc[caught], model.threshold_, d.plan, rng,
            per_row=PER_ROW, overshoot=OVERSHOOT,
        )  # fmt: skip
    parts = [(moved, caught[pos], "adversarial")]
    n_out = int(round(_outlier_ratio() * len(moved)))
    if n_out:
        # from no single row (source -1): every fold's training part gets them
        out = steps.marginal_rows(d.X, d.y == 0, n_out, d.plan.relations, rng)
        parts.append((out, np.full(n_out, -1), "outlier"))
    for sc in scenarios:
        b = breaks.get(f"breaking_{sc.name}", np.nan)
        b = steps.STRESS_GRID[-1] if not np.isfinite(b) or b <= 0 else b
        for sev in (0.75 * b, b, 1.25 * b):
            rows, src = _from_scenario(sc, d, float(sev), seed)
            parts.append((rows, src, sc.name))
    X_new = pd.concat([p[0] for p in parts], ignore_index=True)
    src = np.concatenate([p[1] for p in parts]).astype(np.int64)
    origin = np.concatenate([np.full(len(p[0]), p[2], dtype=object) for p in parts])
    return X_new, src, origin


def _outlier_ratio() -> float:
    if isinstance(OUTLIERS, bool) or not isinstance(OUTLIERS, numbers.Real) or not OUTLIERS >= 0:
        raise InvalidParameterError(f"OUTLIERS must be a number >= 0; got {OUTLIERS!r}.")
    return float(OUTLIERS)


def _legit_moves(
    d: _Data, caught: np.ndarray, per_row: int, rng
) -> tuple[pd.DataFrame, np.ndarray]:
    """``per_row`` copies of each caught fraud row whose mutable columns take a legitimate
    training row's values (one donor row per copy, so the moved values are a real
    legitimate profile); a column keeps the fraud value where the move has a forbidden
    sign. Repaired like every variation; returns the rows and their positions in ``caught``."""
    legit = np.flatnonzero(d.y == 0)
    if len(caught) == 0 or len(legit) == 0 or not d.plan.columns:
        return d.X.iloc[:0].copy(), np.zeros(0, dtype=np.int64)
    pos = np.tile(np.arange(len(caught)), per_row)
    src = d.X.iloc[caught[pos]].reset_index(drop=True)
    donor = d.X.iloc[rng.choice(legit, size=len(src))]
    out = src.copy()
    for c, sign in zip(d.plan.columns, d.plan.signs, strict=True):
        a, b = src[c].to_numpy(float), donor[c].to_numpy(float)
        out[c] = np.where((sign == 0) | (np.sign(b - a) == sign), b, a)
    return repair(out, src, d.plan.relations), pos


def _quality(new: pd.DataFrame, d: _Data, rng) -> dict[str, Any]:
    real_fraud = d.X[d.y == 1]
    q = {
        "exact_copy_share": steps.exact_copy_share(new, d.X),
        "violation_share": float(violations(new, d.plan.relations).mean()) if len(new) else np.nan,
        "detection_auc": steps.detection_auc(new, real_fraud, rng),
    }
    q["quality_ok"] = bool(
        len(new) > 0
        and all(
            not (q[k] > lim)  # NaN (too few rows to measure) does not fail the check
            for k, lim in QUALITY_LIMITS.items()
        )
    )
    return q


# ---------------------------------------------------------------- the loop


def _prepare(X: Any, y: Any, groups: Any, holdout: float, seed: int, directions_in):
    mutable, directions = directions_in
    Xdf, yv = check_X_y(X, y, allow=("category", "bool", "datetime"))
    g = None if groups is None else np.asarray(groups)
    if g is not None and (g.ndim != 1 or len(g) != len(yv)):
        raise InvalidInputError(
            f"groups must be 1-D with one label per row of X ({len(yv)}); got shape {g.shape}."
        )
    tr, va, how = steps.split_holdout(Xdf, yv, holdout, g, seed)
    times = [c for c in Xdf.columns if pd.api.types.is_datetime64_any_dtype(Xdf[c].dtype)]
    feats = Xdf.drop(columns=times).reset_index(drop=True)
    dirs = check_mutable(feats, mutable, directions)
    X_tr = feats.iloc[tr].reset_index(drop=True)
    rel = find_relations(X_tr, list(dirs), DERIVED_COLUMNS)
    plan = MovePlan.build(X_tr, dirs, rel)
    data = _Data(
        X_tr,
        yv[tr],
        feats.iloc[va].reset_index(drop=True),
        yv[va],
        None if g is None else g[tr],
        plan,
    )
    notes = [f"validation: {len(va):,} rows held out {how}; generation never sees them."]
    if times:
        notes.append(f"datetime column(s) {times} order the rows; they are not model features.")
    if rel.identities or rel.proportional or rel.orders:
        notes.append(
            f"kept in every variation: identities {rel.identities}, proportional "
            f"{rel.proportional}, orders {rel.orders}."
        )
    return data, tr, va, notes


def _round_row(r: int, model: Trainer, ref: np.ndarray, d: _Data, scen, seed: int, rng) -> dict:
    s = model.predict_proba(d.Xv)[:, 1]
    point, lo, hi = steps.paired_ap_interval(d.yv, s, ref, rng)
    row = {
        "round": r,
        "val_pr_auc": float(average_precision_score(d.yv, s)),
        "pr_auc_diff": point,
        "pr_auc_diff_lo": lo,
        "pr_auc_diff_hi": hi,
        "severity0_ok": bool(hi >= 0),
    }
    row.update(_stress(model, d, scen, seed, rng))
    return row


def _robustness(row: dict, scen: list) -> float:
    """Higher is harder to break: mean evasion step and scenario breaking points, scaled to [0, 1]."""
    parts = [row["mean_evasion_step"] / MAX_STEP] if np.isfinite(row["mean_evasion_step"]) else []
    top = steps.STRESS_GRID[-1]
    for sc in scen:
        b = row[f"breaking_{sc.name}"]
        parts.append((top if not np.isfinite(b) else min(b, top)) / top)
    return float(np.mean(parts)) if parts else float("nan")


def harden(
    trainer: Trainer,
    X: Any,
    y: Any,
    *,
    scenarios: Any = None,
    mutable: Any = None,
    directions: dict[str, str] | None = None,
    rounds: int = 3,
    holdout: float = 0.2,
    groups: Any = None,
    guard: bool = True,
    random_state: RandomStateLike = None,
    progress: bool = True,
) -> HardeningResult:
    """Train on the edge cases where the model breaks, round by round, guarded against harm.

    Parameters
    ----------
    trainer : Trainer
        The recipe (estimator, sampler, cv, threshold policy); cloned for every round.
    X, y : features (numeric, bool, category; datetime columns only order the rows) and 0/1 labels.
    scenarios : scenario or list, optional
        Objects with ``name`` and ``apply(X, y, severity, random_state)``. Their
        breaking points on the validation rows are tracked, and their rows at
        0.75x, 1x and 1.25x each breaking point join the adversarial variations.
        None: adversarial variations only.
    mutable : list of columns or dict column -> direction, optional
        The columns a fraudster controls (numeric or bool). None: every numeric
        column, in both directions. For the simulator use
        :data:`edgecase.fraud.MUTABLE_COLUMNS`.
    directions : dict column -> {"up", "down", "both"}, optional
        Overrides ``"both"`` for columns of ``mutable``.
    rounds : int >= 1
    holdout : float in (0, 1)
        Share of rows held out for validation: the latest rows when X has an
        ordered DatetimeIndex or a datetime column, else whole groups when
        ``groups`` is given, else stratified.
    groups : 1-D array, optional
        E.g. account ids: the holdout and the trainer's folds keep a group together.
    guard : bool
        Stop at the first round whose severity-0 validation PR-AUC falls below
        round 0 beyond a paired 95% bootstrap interval, or whose generated rows fail
        :data:`QUALITY_LIMITS`; the most robust passing round is kept.

        Cost: round 0 is a full ``Trainer.fit``; later rounds fit only its final
        refit (same seeds and sampler, so the same scores as a full fit; their
        threshold is the trainer's policy on the validation scores), and the kept
        round gets a full ``Trainer.fit`` at the end. With a calibrating trainer or a
        non-integer trainer ``random_state``, every round is fitted in full.
    random_state : None, int or Generator
    progress : bool

    Returns
    -------
    HardeningResult

    Examples
    --------
    >>> from xgboost import XGBClassifier
    >>> from edgecase.datasets import load_keel
    >>> X, y = load_keel("yeast4")
    >>> tr = Trainer(estimator=XGBClassifier(n_estimators=30, max_depth=3, n_jobs=1), cv=3,
    ...              threshold="alert_rate=0.05", random_state=0, progress=False)
    >>> res = harden(tr, X, y, rounds=2, random_state=0, progress=False)
    >>> list(res.history["round"])[:1], res.kept_round in res.history["round"].tolist()
    ([0], True)
    """
    rounds = _check_options(trainer, rounds, holdout, guard, progress)
    scen = _check_scenarios(scenarios)
    ss = as_seed_sequence(random_state)
    seed, fit_seed = seed_ints(ss, 2)
    rng = as_generator(ss.spawn(1)[0])
    d, tr_idx, va_idx, notes = _prepare(X, y, groups, float(holdout), seed, (mutable, directions))
    model = _fit(trainer, d, None, fit_seed)
    baseline, ref = model, model.predict_proba(d.Xv)[:, 1]
    row = _round_row(0, model, ref, d, scen, seed, rng)
    rows, models, pools, light = [{**row, "accepted": True}], [model], [None], [False]
    pool_X, pool_src, pool_meta = [], [], []
    for r in tqdm(range(1, rounds + 1), desc="harden", disable=not progress, leave=False):
        new, src, origin = _generate(model, d, scen, rows[-1], seed + r, rng)
        is_out = origin == "outlier"
        q = _quality(new[~is_out], d, rng)
        q.update(
            n_outlier=int(is_out.sum()), outlier_share=float(is_out.mean()) if len(new) else 0.0
        )
        pool_X.append(new)
        pool_src.append(src)
        pool_meta.append(pd.DataFrame({"round": r, "origin": origin}))
        pool = _Pool(pd.concat(pool_X, ignore_index=True), np.concatenate(pool_src))
        pools.append(pool)
        model = _refit_only(trainer, baseline, d, pool)
        light.append(model is not None)
        model = model or _fit(trainer, d, pool, fit_seed)
        row = _round_row(r, model, ref, d, scen, seed, rng)
        row.update(q, n_generated=len(new), n_pool=len(pool.X))
        row["accepted"] = bool(row["severity0_ok"] and q["quality_ok"])
        rows.append(row)
        models.append(model)
        if guard and not row["accepted"]:
            notes.append(f"round {r} failed the guard; stopped and kept the best earlier round.")
            break
    hist = _history(rows, scen)
    best = int(hist.index[hist["kept"]][0])
    if light[best]:
        # the rounds were refits alone: the kept one gets Trainer.fit in full (its threshold
        # chosen out of fold again); its estimator, hence its scores, are the same
        models[best] = _fit(trainer, d, pools[best], fit_seed)
    return _result(
        hist, models[best], baseline, d, tr_idx, va_idx, (pool_X, pool_src, pool_meta), notes
    )


def _history(rows: list[dict], scen: list) -> pd.DataFrame:
    hist = pd.DataFrame(rows)
    hist["robustness"] = [_robustness(r, scen) for r in rows]
    ok = hist["accepted"].to_numpy()
    best = int(hist.loc[ok, "robustness"].fillna(-np.inf).idxmax())
    hist["kept"] = hist.index == best
    first = ["round", "accepted", "kept", "val_pr_auc", "pr_auc_diff", "pr_auc_diff_lo"]
    return hist[first + [c for c in hist.columns if c not in first]]


def _result(hist, model, baseline, d, tr_idx, va_idx, pools, notes) -> HardeningResult:
    pool_X, pool_src, pool_meta = pools
    if pool_X:
        variations = pd.concat(pool_X, ignore_index=True)
        src = np.concatenate(pool_src)
        meta = pd.concat(pool_meta, ignore_index=True)
        variations = variations.assign(
            round=meta["round"].to_numpy(),
            origin=meta["origin"].to_numpy(),
            source=np.where(src >= 0, tr_idx[np.maximum(src, 0)], -1),
        )
    else:
        variations = d.X.iloc[:0].assign(round=[], origin=[], source=[])
    return HardeningResult(model, baseline, hist, variations, tr_idx, va_idx, notes)
