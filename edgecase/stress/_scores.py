"""A model's positive-class scores, checked: one place for every stress tool that scores rows.

The sweep's shortcut lives here too: a classifier scores rows independently, so a
stressed frame that keeps the test set's rows needs new scores only on the rows the
scenario changed, and, for a metric that reads only the positives' scores at a fixed
threshold (recall, event and value recall), only on the changed positives.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from edgecase.errors import EdgecaseError, InvalidInputError
from edgecase.stress._changes import column_changes


def predict_scores(model: Any, X: pd.DataFrame, *, what: str = "X") -> np.ndarray:
    """Positive-class scores ``model.predict_proba(X)[:, 1]``, checked for shape and NaN."""
    try:
        proba = model.predict_proba(X)
    except EdgecaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - a model failing on the data is a bad input
        raise InvalidInputError(
            f"model.predict_proba failed on {what}: {type(exc).__name__}: {exc}"
        ) from exc
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape != (len(X), 2):
        raise InvalidInputError(
            f"model.predict_proba({what}) must return shape ({len(X)}, 2) for a binary "
            f"classifier; got {proba.shape}."
        )
    scores = proba[:, 1]
    if not np.isfinite(scores).all():
        raise InvalidInputError(
            f"model.predict_proba({what}) returned {int((~np.isfinite(scores)).sum())} "
            "non-finite score(s)."
        )
    return scores


def _predict_where(
    model: Any, X_s: pd.DataFrame, idx: np.ndarray, out: np.ndarray, what: str
) -> np.ndarray:
    """``out`` with the scores of ``X_s``'s rows at positions ``idx`` filled in."""
    if len(idx) == len(X_s):
        out[:] = predict_scores(model, X_s, what=what)
    elif len(idx):
        out[idx] = predict_scores(model, X_s.iloc[idx], what=what)
    return out


def _plan(
    X: pd.DataFrame,
    base: np.ndarray,
    changes: dict[Any, np.ndarray],
    need: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores with the unchanged rows filled from ``base`` (changed rows nobody reads are
    NaN) and the positions still to predict."""
    changed = np.zeros(len(X), dtype=bool)
    for diff in changes.values():
        changed |= diff
    return np.where(changed & ~need, np.nan, base), np.flatnonzero(changed & need)


def rescore(
    model: Any,
    X: pd.DataFrame,
    base: np.ndarray,
    X_s: pd.DataFrame,
    name: str,
    *,
    changes: dict[Any, np.ndarray] | None = None,
    need: np.ndarray | None = None,
) -> np.ndarray:
    """Scores of the stressed rows ``X_s``, predicting only what the metric can see.

    Rows a scenario left unchanged keep their score in ``base`` (the model's scores of
    ``X``): most scenarios move a small share of rows, so the sweep costs a fraction of
    a full predict per severity. ``changes`` is :func:`column_changes` of ``(X, X_s)``
    if already computed. ``need`` (a boolean mask over ``X_s``'s rows, None = every
    row): the rows whose score the caller reads; the others are not predicted and are
    NaN, so a caller that reads them anyway gets NaN, never a stale score.
    """
    what = f"scenario {name!r} data"
    n = len(X)
    need = np.ones(len(X_s), dtype=bool) if need is None else np.asarray(need, dtype=bool)
    if len(X_s) > n and X_s.index[:n].equals(X.index):
        # the test set's rows first, then rows the scenario added (simulated positives)
        head = rescore(model, X, base, X_s.iloc[:n], name, need=need[:n])
        tail = np.full(len(X_s) - n, np.nan)
        tail = _predict_where(model, X_s.iloc[n:], np.flatnonzero(need[n:]), tail, what)
        return np.concatenate([head, tail])
    if changes is None:
        changes = column_changes(X, X_s)
    if changes is None:
        return _predict_where(model, X_s, np.flatnonzero(need), np.full(len(X_s), np.nan), what)
    scores, idx = _plan(X, base, changes, need)
    return _predict_where(model, X_s, idx, scores, what)


#: A frame with more rows to predict than this is predicted at once, not batched.
BATCH_MAX_ROWS = 20_000


class ScoreBatch:
    """:func:`rescore` over many stressed frames of one scenario, with one predict call.

    A predict call has a fixed cost (input conversion, thread start-up) that dwarfs
    scoring the few hundred rows a scenario changes at a severity; the changed rows of
    every severity are collected and scored together (a frame with more than
    ``BATCH_MAX_ROWS`` of them is scored at once). Row scores do not depend on the
    batch they are predicted in (the model scores rows independently), so the scores
    are those of one :func:`rescore` per frame.
    """

    def __init__(self, model: Any, X: pd.DataFrame, base: np.ndarray, name: str) -> None:
        self.model, self.X, self.base, self.name = model, X, base, name
        self._scores: list[np.ndarray] = []
        self._pending: list[tuple[int, np.ndarray, pd.DataFrame]] = []

    def add(
        self,
        X_s: pd.DataFrame,
        changes: dict[Any, np.ndarray] | None,
        need: np.ndarray | None = None,
        *,
        now: bool = False,
    ) -> np.ndarray | None:
        """Queue the scores of ``X_s`` (arguments as in :func:`rescore`); ``now``: score
        it at once and return the scores (else None: see :meth:`scores`)."""
        if now or changes is None or self._large(changes, need):
            out = rescore(self.model, self.X, self.base, X_s, self.name, changes=changes,
                          need=need)  # fmt: skip
            self._scores.append(out)
            return out if now else None
        need = np.ones(len(X_s), dtype=bool) if need is None else np.asarray(need, dtype=bool)
        scores, idx = _plan(self.X, self.base, changes, need)
        if len(idx):
            rows = X_s.iloc[idx]
            rows.attrs = {}  # pd.concat compares the frames' attrs, which may hold arrays
            self._pending.append((len(self._scores), idx, rows))
        self._scores.append(scores)
        return None

    @staticmethod
    def _large(changes: dict[Any, np.ndarray], need: np.ndarray | None) -> bool:
        """Whether a frame changes so many rows that its own predict call costs little
        extra, and holding its rows until :meth:`scores` would cost memory."""
        if not changes:
            return False
        changed = np.logical_or.reduce(list(changes.values()))
        if need is not None:
            changed &= np.asarray(need, dtype=bool)
        return int(changed.sum()) > BATCH_MAX_ROWS

    def scores(self) -> list[np.ndarray]:
        """The scores of every frame added, in order."""
        if self._pending:
            rows = pd.concat([frame for _, _, frame in self._pending])
            pred = predict_scores(self.model, rows, what=f"scenario {self.name!r} data")
            start = 0
            for k, idx, _ in self._pending:
                self._scores[k][idx] = pred[start : start + len(idx)]
                start += len(idx)
            self._pending = []
        return self._scores
