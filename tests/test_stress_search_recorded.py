"""minimal_breaking_example gives the same answer for the same inputs and seed.

The expected values were recorded from the search as it stood before it was split into
per-feature-kind parts; they pin hypothesis' search plus our refinement, so they only
hold for the hypothesis version they were recorded with.
"""

from __future__ import annotations

import json
from pathlib import Path

import hypothesis
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from xgboost import XGBClassifier

from edgecase.stress.search import minimal_breaking_example

RECORDED = Path(__file__).with_name("data") / "minimal_breaking_examples.json"


def _logistic():
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"amount": rng.uniform(0, 500, 4000), "distance": rng.uniform(0, 50, 4000)})
    logit = 0.02 * X["amount"] + 0.1 * X["distance"] - 8 + rng.logistic(size=4000)
    y = (logit > 0).astype(int)
    return LogisticRegression(C=1e4, max_iter=5000).fit(X, y), X


def _mixed():
    """Float, integer, bool and category features, one model over all of them."""
    rng = np.random.default_rng(7)
    n = 3000
    X = pd.DataFrame(
        {
            "amount": rng.uniform(0, 100, n),
            "count": rng.integers(0, 12, n).astype(np.int64),
            "hour": rng.integers(0, 24, n).astype(float),
            "new_device": rng.random(n) < 0.3,
            "channel": pd.Categorical(rng.choice(["pos", "web", "app"], n)),
        }
    )
    y = (
        (X["amount"] > 50).astype(int)
        + (X["count"] > 6)
        + X["new_device"]
        + (X["channel"] == "web")
        >= 3
    ).astype(int)
    model = XGBClassifier(n_estimators=30, max_depth=3, enable_categorical=True, n_jobs=1)
    return model.fit(X, y), X, y


def cases():
    model, X = _logistic()
    row = pd.DataFrame({"amount": [400.0], "distance": [45.0]})
    yield "logistic_all", lambda: minimal_breaking_example(model, row, X_ref=X, random_state=1)
    yield (
        "logistic_bounds",
        lambda: minimal_breaking_example(
            model,
            pd.DataFrame({"amount": [460.0], "distance": [20.0]}),
            mutable=["amount"],
            bounds={"amount": (0.01, 500.0)},
            random_state=3,
        ),
    )
    yield (
        "logistic_integer",
        lambda: minimal_breaking_example(
            model,
            row,
            integer=["distance"],
            directions={"distance": "decrease"},
            X_ref=X,
            score_threshold=0.7,
            max_examples=80,
            random_state=5,
        ),
    )
    yield (
        "logistic_none",
        lambda: minimal_breaking_example(
            model,
            row,
            mutable=["amount"],
            directions={"amount": "increase"},
            bounds={"amount": (0.01, 1e4)},
            max_examples=50,
            random_state=0,
        ),
    )
    mixed, Xm, ym = _mixed()
    s = mixed.predict_proba(Xm)[:, 1]
    for i, seed in enumerate([0, 11]):
        k = int(np.argsort(np.where(ym == 1, s, -1))[-1 - i])
        yield (
            f"mixed_{seed}",
            lambda k=k, seed=seed: minimal_breaking_example(
                mixed,
                Xm.iloc[[k]],
                directions={"count": "decrease", "new_device": "decrease"},
                X_ref=Xm,
                max_examples=120,
                random_state=seed,
            ),
        )
    k = int(np.argmax(np.where(ym == 1, s, -1)))
    yield (
        "mixed_count",
        lambda: minimal_breaking_example(
            mixed,
            Xm.iloc[[k]],
            mutable=["count", "amount"],
            directions={"count": "decrease"},
            X_ref=Xm,
            max_examples=120,
            random_state=2,
        ),
    )


def summarize(ex) -> dict:
    def plain(v):
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        if isinstance(v, (int, np.integer)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            return None if not np.isfinite(v) else repr(float(v))
        return str(v)

    return {
        "found": bool(ex.found),
        "example": None if ex.example is None else {k: plain(v) for k, v in ex.example.items()},
        "changes": [{k: plain(v) for k, v in r.items()} for r in ex.changes.to_dict("records")],
        "score_before": plain(ex.score_before),
        "score_after": plain(ex.score_after),
        "threshold": plain(ex.threshold),
        "distance": plain(ex.distance),
        "search_distance": plain(ex.search_distance),
        "n_evaluations": int(ex.n_evaluations),
        "reason": ex.reason,
    }


def test_same_examples_as_recorded():
    recorded = json.loads(RECORDED.read_text())
    if recorded["hypothesis"] != hypothesis.__version__:
        pytest.skip(
            f"recorded with hypothesis {recorded['hypothesis']}; its search differs across "
            f"versions (installed: {hypothesis.__version__})"
        )
    for name, run in cases():
        assert summarize(run()) == recorded["cases"][name], name


if __name__ == "__main__":  # re-record: python -m tests.test_stress_search_recorded
    out = {"hypothesis": hypothesis.__version__, "cases": {n: summarize(r()) for n, r in cases()}}
    RECORDED.parent.mkdir(exist_ok=True)
    RECORDED.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
