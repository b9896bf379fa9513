"""Outlier-exposure tuning of harden (``python -m benchmarks.bench_harden tune novel``).

Each round of ``harden:1:1:boundary:R`` adds R rows per adversarial variation drawn
from the product of the legitimate training rows' marginals, labelled fraud
(:data:`edgecase.train.harden.OUTLIERS`). Run on the tuning seed only, with
``none``, ``harden`` and ``oracle`` beside it; those three recipes' units are
taken from the full-evasion tuning run (same seed, sizes and code path) when it
saved them, so only the new recipes are fitted.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks import bench_harden as bh

NOVEL_CSV = "/tmp/bench_harden_tunenovel.csv"
REUSED = ["none", "harden", "oracle"]
TUNE_RECIPES_NOVEL = [*REUSED[:2], "harden:1:1:boundary:1", "harden:1:1:boundary:0.25", "oracle"]


def tune_novel(path: str = NOVEL_CSV, recipes=TUNE_RECIPES_NOVEL) -> list[str]:
    """Run the missing units on the tuning seed (resumed) and return the report lines."""
    if not os.path.exists(path) and os.path.exists(bh._TUNE_LEGIT_CSV):
        old = pd.read_csv(bh._TUNE_LEGIT_CSV)
        old[old["recipe"].isin(REUSED)].to_csv(path, index=False)
    bh._run_sim(path, (bh.TUNE_SEED,), recipes)
    df = pd.read_csv(path)
    return novel_lines(df[df["recipe"].isin(recipes)])


def gains(df: pd.DataFrame, metric: str, severity: float) -> pd.DataFrame:
    """Per recipe: the mean over held-out typologies of ``metric`` and its paired gain vs
    none, with a 95% t interval over the typologies."""
    piv = df[df["severity"] == severity].pivot_table(metric, "held_out", "recipe")
    out = []
    for recipe in piv.columns:
        d = (piv[recipe] - piv["none"]).dropna()
        half = stats.t.ppf(0.975, len(d) - 1) * d.std() / np.sqrt(len(d)) if len(d) > 1 else np.nan
        out.append(
            {
                "recipe": recipe,
                "value": piv[recipe].mean(),
                "diff": d.mean(),
                "lo": d.mean() - half,
                "hi": d.mean() + half,
                "n": len(d),
            }
        )
    return pd.DataFrame(out).set_index("recipe")


def _cell(r: pd.Series, recipe: str) -> str:
    if recipe == "none":
        return f"{r['value']:.3f}"
    return f"{r['value']:.3f} ({r['diff']:+.3f} [{r['lo']:+.3f}, {r['hi']:+.3f}])"


def novel_lines(df: pd.DataFrame) -> list[str]:
    """The table (recall at severities 0, 1, 2 and severity-0 PR-AUC vs none) and a verdict."""
    cols = [("recall@1%", 0.0), ("recall@1%", 1.0), ("recall@1%", 2.0), ("pr_auc", 0.0)]
    tabs = [gains(df, m, s) for m, s in cols]
    n = int(tabs[1]["n"].min())
    lines = [
        f"Outlier exposure (`... bench_harden tune novel`, run {bh._mtime(NOVEL_CSV)} UTC, "
        f"training seed {bh.TUNE_SEED}, the report's sizes, {n} held-out typologies): "
        "`harden:1:1:boundary:R` adds, each round, R rows per adversarial variation drawn "
        "column by column from the legitimate training rows (derived columns repaired), "
        "labelled fraud; the quality check reads the variations alone. Value (gain vs none "
        "[95% t interval over the held-out typologies, paired]).",
        "",
        "| recipe | recall sev 0 | recall sev 1 | recall sev 2 | PR-AUC sev 0 |",
        "|---|---|---|---|---|",
    ]
    for recipe in tabs[0].index:
        lines.append(
            f"| {recipe} | " + " | ".join(_cell(t.loc[recipe], recipe) for t in tabs) + " |"
        )
    new = [r for r in tabs[1].index if r.count(":") == 4]
    clear = [r for r in new if tabs[1].loc[r, "lo"] > 0 and tabs[3].loc[r, "hi"] >= 0]
    verdict = (
        f"a clear gain for {clear}"
        if clear
        else "no clear gain (severity-1 interval above 0 "
        "with severity-0 PR-AUC not below none beyond its interval) for any ratio tried"
    )
    return [*lines, "", f"Outlier exposure: {verdict}; harden's default OUTLIERS is "
            f"{bh._DEFAULTS[3]!r}."]  # fmt: skip
