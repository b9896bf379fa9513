"""The tuning helpers of bench_harden: recipe settings, paired gains over typologies, blends."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from benchmarks import _harden_tune as ht
from benchmarks import bench_harden as bh


@pytest.mark.parametrize(
    ("recipe", "want"),
    [
        ("harden", bh._DEFAULTS),
        ("harden:4:2", (4, 2.0, bh._DEFAULTS[2], bh._DEFAULTS[3])),
        ("harden:1:1:legit", (1, 1.0, "legit", bh._DEFAULTS[3])),
        ("harden:1:1:boundary:0.25", (1, 1.0, "boundary", 0.25)),
    ],
)
def test_recipe_sets_the_constants_given_and_defaults_for_the_rest(recipe, want, monkeypatch):
    seen = {}

    def spy(*args, **kwargs):
        m = bh._HARDEN
        seen["v"] = (m.PER_ROW, m.OVERSHOOT, m.MOVES, m.OUTLIERS)
        return types.SimpleNamespace(model="fitted")

    monkeypatch.setattr(bh, "harden", spy)
    for name in ("PER_ROW", "OVERSHOOT", "MOVES", "OUTLIERS"):
        monkeypatch.setattr(bh._HARDEN, name, getattr(bh._HARDEN, name))
    X = pd.DataFrame({"amount": [1.0, 2.0]})
    assert bh._fit(recipe, X, np.array([0, 1]), 0) == "fitted"
    assert seen["v"] == want


def test_gains_are_paired_t_intervals_over_typologies():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0.3, 0.05, 7), rng.normal(0.1, 0.05, 7)
    held = [f"t{i}" for i in range(7)]
    df = pd.DataFrame(
        {"recipe": ["x"] * 7 + ["none"] * 7, "held_out": held * 2, "severity": 1.0}
    ).assign(m=np.r_[a, b])
    r = ht.gains(df, "m", 1.0).loc["x"]
    ci = stats.ttest_rel(a, b).confidence_interval(0.95)
    assert r["diff"] == pytest.approx(np.mean(a - b)) and r["value"] == pytest.approx(a.mean())
    assert (r["lo"], r["hi"]) == pytest.approx((ci.low, ci.high))


class _Const:
    def __init__(self, f):
        self.f = f

    def predict_proba(self, X):
        p = self.f(X)
        return np.column_stack([1 - p, p])

    def score_samples(self, Z):
        return -self.f(pd.DataFrame(Z, columns=["a", "b"]))


def test_blend_ends_are_the_model_and_the_forest_ranks():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    y = (np.arange(400) < 40).astype(int)
    model, forest = (
        _Const(lambda Z: 1 / (1 + np.exp(-Z["a"].to_numpy()))),
        _Const(lambda Z: Z["b"].to_numpy()),
    )
    test = X.iloc[:100]
    s0 = ht._Blend(model, forest, X, y, 0.0, ["a", "b"]).predict_proba(test)[:, 1]
    s1 = ht._Blend(model, forest, X, y, 1.0, ["a", "b"]).predict_proba(test)[:, 1]
    # scores are empirical CDFs over the legitimate rows: same order as each input
    assert stats.spearmanr(s0, test["a"]).statistic > 0.99
    assert stats.spearmanr(s1, test["b"]).statistic > 0.99
    legit = X[y == 0]
    assert ht._Blend(model, forest, X, y, 0.5, ["a", "b"]).predict_proba(legit)[:, 1].max() <= 1


def test_confirmation_table_is_the_chosen_blend_paired_over_seeds(monkeypatch, tmp_path):
    # two seeds x two typologies; the blend beats none by 0.1 on seed 0 and 0.3 on seed 1
    # at severity 0 (mean of the typologies), so the diff is 0.2 with a t interval over 2 seeds
    rows = []
    for seed, gain in ((0, 0.1), (1, 0.3)):
        for held in ("a", "b"):
            for recipe, add in (("none", 0.0), (f"none+iforest:{ht.CONFIRM_WEIGHT}", gain),
                                ("none+iforest:0.5", 9.0)):  # fmt: skip
                rows.append({"seed": seed, "held_out": held, "recipe": recipe, "severity": 0.0,
                             "recall@1%": 0.2 + add, "pr_auc": 0.1})  # fmt: skip
    path = tmp_path / "c.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    monkeypatch.setattr(ht, "CONFIRM_CSV", str(path))
    lines = ht.confirm_lines(pd.read_csv(path))
    body = [line for line in lines if line.startswith("| 0.0")]
    assert len(body) == 1 and "none+iforest:0.5" not in "\n".join(lines)
    half = stats.t.ppf(0.975, 1) * np.std([0.1, 0.3], ddof=1) / np.sqrt(2)
    assert f"+0.200 [{0.2 - half:+.3f}, {0.2 + half:+.3f}]" in body[0]


def test_novelty_recipe_builds_the_blend_with_its_settings(monkeypatch):
    seen = {}

    class Spy:
        def __init__(self, **kw):
            seen.update(kw)

        def fit(self, X, y):
            return "fitted"

    monkeypatch.setattr(bh, "NoveltyBlend", Spy)
    X, y = pd.DataFrame({"amount": [1.0, 2.0]}), np.array([0, 1])
    assert bh._fit("novelty:fisher:0.25", X, y, 3) == "fitted"
    assert (seen["combine"], seen["weight"], seen["random_state"]) == ("fisher", 0.25, 3)
    seen.clear()
    bh._fit("novelty", X, y, 0)
    assert "combine" not in seen and "weight" not in seen  # the class's defaults


def _rows(recipes: dict[str, float], seeds=(0, 1), gains=(0.1, 0.3)) -> pd.DataFrame:
    rows = []
    for seed, g in zip(seeds, gains, strict=True):
        for held in ("a", "b"):
            for recipe, scale in recipes.items():
                rows.append({"seed": seed, "held_out": held, "recipe": recipe, "severity": 0.0,
                             "recall@1%": 0.2 + scale * g, "pr_auc": 0.1 + scale * g})  # fmt: skip
    return pd.DataFrame(rows)


def test_seen_table_pairs_each_recipe_with_none_over_seeds(monkeypatch, tmp_path):
    df = _rows({"none": 0.0, "novelty": 1.0, "harden": -1.0})
    path = tmp_path / "s.csv"
    df.to_csv(path, index=False)
    monkeypatch.setattr(ht, "SEEN_CSV", str(path))
    lines = ht.seen_lines(df)
    half = stats.t.ppf(0.975, 1) * np.std([0.1, 0.3], ddof=1) / np.sqrt(2)
    nov = next(line for line in lines if line.startswith("| novelty"))
    har = next(line for line in lines if line.startswith("| harden"))
    assert f"+0.200 [{0.2 - half:+.3f}, {0.2 + half:+.3f}]" in nov
    assert f"-0.200 [{-0.2 - half:+.3f}, {-0.2 + half:+.3f}]" in har
    assert lines[-1].startswith("| none | 0.200 | | 0.100 |")


def test_targets_judge_harden_and_novelty_each():
    # severity 1 gains: harden +0.2 (meets +0.10), novelty +0.02 (misses); one KEEL set
    # below none for novelty only
    rows = []
    for seed, noise in ((0, 0.01), (1, -0.01), (2, 0.0)):
        for sev in (0.0, 1.0):
            for recipe, gain in (("none", 0.0), ("harden", 0.2), ("novelty", 0.02)):
                rows.append({"seed": seed, "held_out": "a", "recipe": recipe, "severity": sev,
                             "recall@1%": 0.3 + gain + noise * (recipe != "none"),
                             "pr_auc": 0.3 + gain})  # fmt: skip
    lines = bh._targets(pd.DataFrame(rows), {"novelty": ["glass4"]})
    text = "\n".join(lines)
    assert "severity 1, >= none + 0.10: harden +0.200" in text
    assert "novelty +0.020" in text
    recall = [line for line in lines if "severity 1" in line]
    assert recall[0].endswith("**met**.") and recall[1].endswith("**missed**.")
    keel = [line for line in lines if "KEEL" in line]
    assert keel[0].endswith("**met**.") and "['glass4'] -> **missed**" in keel[1]
