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
from edgecase._validate import float_matrix
from edgecase.fraud import MUTABLE_COLUMNS
from edgecase.fraud.mutable import DERIVED_COLUMNS

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


def legit_lines(df: pd.DataFrame) -> list[str]:
    """The full-evasion tuning run, with each recipe's severity-1 recall gain over none."""
    lines = [
        f"Full evasion (`... bench_harden tune legit`, run {bh._mtime(bh._TUNE_LEGIT_CSV)} UTC, "
        f"the report's sizes: {bh.N_TRAIN:,} training and {bh.N_TEST:,} test rows): `:legit` "
        "rounds move the mutable columns of caught training fraud to the values of a random "
        "legitimate training row (where the column's allowed sign permits), instead of just "
        "past the boundary; `oracle` is the ceiling on these populations.",
        "",
        *bh._tune_lines(df),
        "",
        "Recall at severity 1 minus none's, mean over the held-out typologies on the tuning "
        "seed [95% t interval over the typologies, paired]:",
        "",
    ]
    g = gains(df, "recall@1%", 1.0).drop(index="none")
    lines += [
        f"- {rec}: {r['diff']:+.3f} [{r['lo']:+.3f}, {r['hi']:+.3f}]" for rec, r in g.iterrows()
    ]
    won = any(rec.endswith(":legit") and r["lo"] > 0 for rec, r in g.iterrows())
    verdict = "a gain beyond its interval" if won else "no gain beyond its interval"
    return [*lines, "", f"Full evasion: {verdict}; harden's default MOVES is {bh._DEFAULTS[2]!r}."]


def _cell(r: pd.Series, recipe: str) -> str:
    if recipe == "none":
        return f"{r['value']:.3f}"
    return f"{r['value']:.3f} ({r['diff']:+.3f} [{r['lo']:+.3f}, {r['hi']:+.3f}])"


_COLS = [("recall@1%", 0.0), ("recall@1%", 1.0), ("recall@1%", 2.0), ("pr_auc", 0.0)]


def _table(tabs: list[pd.DataFrame]) -> list[str]:
    lines = [
        "| recipe | recall sev 0 | recall sev 1 | recall sev 2 | PR-AUC sev 0 |",
        "|---|---|---|---|---|",
    ]
    for recipe in tabs[0].index:
        lines.append(
            f"| {recipe} | " + " | ".join(_cell(t.loc[recipe], recipe) for t in tabs) + " |"
        )
    return lines


def _verdict(tabs: list[pd.DataFrame], new: list[str]) -> str:
    """Clear gain: severity-1 recall interval above 0 and severity-0 PR-AUC not below none
    beyond its interval."""
    clear = [r for r in new if tabs[1].loc[r, "lo"] > 0 and tabs[3].loc[r, "hi"] >= 0]
    if clear:
        return f"a clear gain for {clear}"
    return (
        "no clear gain (severity-1 recall interval above 0 with severity-0 PR-AUC not below "
        "none beyond its interval) for any setting tried"
    )


def novel_lines(df: pd.DataFrame) -> list[str]:
    """The table (recall at severities 0, 1, 2 and severity-0 PR-AUC vs none) and a verdict."""
    tabs = [gains(df, m, s) for m, s in _COLS]
    n = int(tabs[1]["n"].min())
    lines = [
        f"Outlier exposure (`... bench_harden tune novel`, run {bh._mtime(NOVEL_CSV)} UTC, "
        f"training seed {bh.TUNE_SEED}, the report's sizes, {n} held-out typologies): "
        "`harden:1:1:boundary:R` adds, each round, R rows per adversarial variation drawn "
        "column by column from the legitimate training rows (derived columns repaired), "
        "labelled fraud; the quality check reads the variations alone. Value (gain vs none "
        "[95% t interval over the held-out typologies, paired]).",
        "",
        *_table(tabs),
    ]
    verdict = _verdict(tabs, [r for r in tabs[1].index if r.count(":") == 4])
    return [*lines, "", f"Outlier exposure: {verdict}; harden's default OUTLIERS is "
            f"{bh._DEFAULTS[3]!r}."]  # fmt: skip


IFOREST_CSV = "/tmp/bench_harden_tuneiforest.csv"
BLEND_WEIGHTS = (0.1, 0.25, 0.5, 1.0)


class _Blend:
    """(1 - w) x the model's score + w x an IsolationForest novelty, each as its empirical
    CDF over the legitimate training rows (so the two share a scale)."""

    def __init__(self, model, forest, X: pd.DataFrame, y: np.ndarray, w: float, cols) -> None:
        legit = X[y == 0]
        self.model, self.forest, self.w, self.cols = model, forest, w, cols
        self.ref_p = np.sort(model.predict_proba(legit)[:, 1])
        self.ref_n = np.sort(-forest.score_samples(float_matrix(legit[cols])))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        u_p = np.searchsorted(self.ref_p, self.model.predict_proba(X)[:, 1], side="right")
        novelty = -self.forest.score_samples(float_matrix(X[self.cols]))
        u_n = np.searchsorted(self.ref_n, novelty, side="right")
        s = (1 - self.w) * u_p / len(self.ref_p) + self.w * u_n / len(self.ref_n)
        return np.column_stack([1 - s, s])


def _iforest_unit(seed: int, held: str, _recipes) -> list[dict]:
    """none and its blends with an IsolationForest fitted on the legitimate training rows."""
    from sklearn.ensemble import IsolationForest

    train_typ = [t for t in bh.TYPOLOGIES if t != held]
    tests = {
        s: bh._sim(bh.N_TEST, [held], s, 900 + seed, bh.TEST_FRAUD_RATE) for s in bh.SEVERITIES
    }
    X, y = bh._sim(bh.N_TRAIN, train_typ, 0.0, 100 + seed)
    y = y.to_numpy()
    model = bh._trainer(seed).fit(X, y)
    rows = bh._score_rows(model, tests, bh.SEVERITIES, (seed, held, "none"))
    # every column, or only those a fraudster does not control (evasion cannot move them)
    fixed = [c for c in X.columns if c not in MUTABLE_COLUMNS and c not in DERIVED_COLUMNS]
    for name, cols in (("iforest", list(X.columns)), ("iforest_fixed", fixed)):
        forest = IsolationForest(n_estimators=200, random_state=seed)
        forest.fit(float_matrix(X.loc[y == 0, cols]))
        for w in BLEND_WEIGHTS:
            blend = _Blend(model, forest, X, y, w, cols)
            rows += bh._score_rows(blend, tests, bh.SEVERITIES, (seed, held, f"none+{name}:{w}"))
    bh._log(f"seed {seed} held {held} iforest blends")
    return rows


def tune_iforest(path: str = IFOREST_CSV) -> list[str]:
    """The blends on the tuning seed (every typology; resumed per typology)."""
    done = pd.read_csv(path) if os.path.exists(path) else pd.DataFrame()
    have = set(done["held_out"]) if len(done) else set()
    units = [(bh.TUNE_SEED, t, None) for t in bh.TYPOLOGIES if t not in have]
    bh._collect(units, _iforest_unit, path, done.to_dict("records"))
    return iforest_lines(pd.read_csv(path))


def iforest_lines(df: pd.DataFrame) -> list[str]:
    tabs = [gains(df, m, s) for m, s in _COLS]
    lines = [
        f"Novelty blend (`... bench_harden tune iforest`, run {bh._mtime(IFOREST_CSV)} UTC, "
        f"training seed {bh.TUNE_SEED}, the report's sizes): `none+iforest:w` scores "
        "(1 - w) x none's score + w x an IsolationForest novelty (200 trees, fitted on the "
        "legitimate training rows, categories as codes), each as its empirical CDF over the "
        "legitimate training rows; w = 1 is the forest alone; `iforest_fixed`: the forest sees "
        "only the columns a fraudster does not control (not in MUTABLE_COLUMNS, not "
        "derived). Value (gain vs none [95% t interval over the held-out typologies, paired]).",
        "",
        *_table(tabs),
    ]
    verdict = _verdict(tabs, [r for r in tabs[1].index if r.startswith("none+")])
    alone = [r for r in tabs[1].index if r.endswith(":1.0")]
    seen = ", ".join(f"{r} {tabs[1].loc[r, 'value']:.3f}" for r in alone)
    return [
        *lines,
        "",
        f"Severity-1 recall at 1% alerts of the forests alone: {seen} (a random score: 0.010).",
        f"Novelty blend: {verdict}; harden does not blend.",
    ]


CONFIRM_CSV = "/tmp/bench_harden_iforest_report.csv"
#: the blend weight chosen on the tuning seed (its best severity-1 gain), fixed before the
#: report's seeds are looked at
CONFIRM_WEIGHT = 0.1


def _report_units(unit, path: str) -> pd.DataFrame:
    """``unit`` for every (seed, held-out typology) of the report, resumed per unit."""
    done = pd.read_csv(path) if os.path.exists(path) else pd.DataFrame()
    have = set(zip(done["seed"], done["held_out"], strict=True)) if len(done) else set()
    units = [(s, t, None) for t in bh.TYPOLOGIES for s in bh.SEEDS if (s, t) not in have]
    return bh._collect(units, unit, path, done.to_dict("records"))


def confirm_iforest(path: str = CONFIRM_CSV) -> list[str]:
    """The novelty blend on the report's seeds and test populations (resumed per unit)."""
    return confirm_lines(_report_units(_iforest_unit, path))


def confirm_lines(df: pd.DataFrame) -> list[str]:
    """The chosen blend against none on the report's seeds, paired over seeds."""
    keep = ["none", f"none+iforest:{CONFIRM_WEIGHT}"]
    df = df[df["recipe"].isin(keep)]
    lines = [
        f"Novelty blend on the report's seeds {bh.SEEDS} (`... bench_harden tune "
        f"iforest-report`, run {bh._mtime(CONFIRM_CSV)} UTC): w = {CONFIRM_WEIGHT}, chosen on "
        "the tuning seed before these seeds were run, against none on the same test "
        "populations; mean over seeds of the 7-typology mean, diff vs none [95% t interval "
        "over seeds, paired].",
        "",
        "| severity | recipe | recall at 1% alerts | diff vs none | PR-AUC | diff vs none |",
        "|---|---|---|---|---|---|",
    ]
    rec = bh._paired(df, ["severity"], "recall@1%").set_index(["severity", "recipe"])
    pra = bh._paired(df, ["severity"], "pr_auc").set_index(["severity", "recipe"])
    for (sev, recipe), r in rec.iterrows():
        if recipe == "none":
            continue
        q = pra.loc[(sev, recipe)]
        lines.append(
            f"| {sev} | {recipe} | {r['value']:.3f} | {r['diff']:+.3f} [{r['lo']:+.3f}, "
            f"{r['hi']:+.3f}] | {q['value']:.3f} | {q['diff']:+.3f} [{q['lo']:+.3f}, "
            f"{q['hi']:+.3f}] |"
        )
    return lines


BLEND_CSV = "/tmp/bench_harden_tuneblend.csv"


def blend_lines(df: pd.DataFrame) -> list[str]:
    """NoveltyBlend's combinations on the tuning seed, each with its paired gains."""
    tabs = [gains(df, m, s) for m, s in _COLS]
    lines = [
        f"NoveltyBlend settings (`... bench_harden tune blend`, run {bh._mtime(BLEND_CSV)} UTC, "
        f"training seed {bh.TUNE_SEED}, the report's sizes): `novelty:COMBINE:w` is "
        "`edgecase.train.NoveltyBlend(combine=COMBINE, weight=w)` around the same Trainer: "
        "`mean` averages the two distribution functions, `fisher` adds their weighted -log "
        "tail probabilities. Value (gain vs none [95% t interval over the held-out "
        "typologies, paired]).",
        "",
        *_table(tabs),
    ]
    best = tabs[1].drop("none")["diff"].idxmax()
    return [
        *lines,
        "",
        f"Best severity-1 recall gain on the tuning seed: {best}; NoveltyBlend's defaults are "
        "combine='mean', weight=0.1.",
    ]


SEEN_CSV = "/tmp/bench_harden_seen.csv"
SEEN_RECIPES = ["none", "novelty", "harden"]


def _seen_unit(seed: int, held: str, _recipes) -> list[dict]:
    """The report's training data of one unit, scored on a fresh population (seed 700 +
    seed) of the typologies it was trained on: what a recipe costs on the known fraud."""
    train_typ = [t for t in bh.TYPOLOGIES if t != held]
    X, y = bh._sim(bh.N_TRAIN, train_typ, 0.0, 100 + seed)
    test = {0.0: bh._sim(bh.N_TEST, train_typ, 0.0, 700 + seed, bh.TEST_FRAUD_RATE)}
    rows = []
    for recipe in SEEN_RECIPES:
        rows += bh._score_rows(bh._fit(recipe, X, y, seed), test, [0.0], (seed, held, recipe))
    bh._log(f"seed {seed} held {held} seen-typology tests")
    return rows


def seen_cost(path: str = SEEN_CSV) -> list[str]:
    """Every (seed, held-out typology) unit of the report (resumed per unit)."""
    return seen_lines(_report_units(_seen_unit, path))


def seen_lines(df: pd.DataFrame) -> list[str]:
    """Severity-0 recall and PR-AUC on the seen typologies, paired over seeds."""
    rec = bh._paired(df, ["severity"], "recall@1%").set_index("recipe")
    pra = bh._paired(df, ["severity"], "pr_auc").set_index("recipe")
    lines = [
        f"The same training sets on fraud they know (`... bench_harden seen`, run "
        f"{bh._mtime(SEEN_CSV)} UTC): each unit's model scored on a fresh population (seed "
        "700 + seed, 20,000 rows at fraud rate 0.005, severity 0) of the six typologies it "
        "was trained on; mean over seeds of the 7-unit mean, diff vs none [95% t interval "
        "over seeds, paired].",
        "",
        "| recipe | recall at 1% alerts | diff vs none | PR-AUC | diff vs none |",
        "|---|---|---|---|---|",
    ]
    for recipe in [r for r in SEEN_RECIPES if r != "none"]:
        r, q = rec.loc[recipe], pra.loc[recipe]
        lines.append(
            f"| {recipe} | {r['value']:.3f} | {r['diff']:+.3f} [{r['lo']:+.3f}, {r['hi']:+.3f}] "
            f"| {q['value']:.3f} | {q['diff']:+.3f} [{q['lo']:+.3f}, {q['hi']:+.3f}] |"
        )
    none_r, none_q = rec.loc["none", "value"], pra.loc["none", "value"]
    return [*lines, f"| none | {none_r:.3f} | | {none_q:.3f} | |"]


OOF_CSV = "/tmp/bench_harden_oof.csv"
OOF_TYPOLOGIES = ["card_testing", "account_takeover", "cash_out"]


def oof_check(path: str = OOF_CSV) -> list[str]:
    """NoveltyBlend's out-of-fold PR-AUC against its model's, with random folds and with
    folds grouped by account, on the tuning seed's training sets."""
    from sklearn.metrics import average_precision_score

    from edgecase.fraud import simulate_transactions, split_features
    from edgecase.train import NoveltyBlend

    rows = []
    for held in OOF_TYPOLOGIES:
        df = simulate_transactions(
            bh.N_TRAIN, fraud_rate=bh.FRAUD_RATE, random_state=100 + bh.TUNE_SEED,
            typologies=[t for t in bh.TYPOLOGIES if t != held], progress=False,
        )  # fmt: skip
        X, y = split_features(df)
        y = y.to_numpy()
        for folds, groups in (("random", None), ("by account", df["account_id"].to_numpy())):
            b = NoveltyBlend(model=bh._trainer(bh.TUNE_SEED), random_state=bh.TUNE_SEED)
            b.fit(X, y, groups=groups)
            t = ~np.isnan(b.oof_scores_)
            rows.append(
                {
                    "held_out": held,
                    "folds": folds,
                    "model": average_precision_score(y[t], b.model_.oof_scores_[t]),
                    "blend": average_precision_score(y[t], b.oof_scores_[t]),
                }
            )
        pd.DataFrame(rows).to_csv(path, index=False)
    return oof_lines(pd.DataFrame(rows))


def oof_lines(df: pd.DataFrame) -> list[str]:
    lines = [
        f"NoveltyBlend's out-of-fold PR-AUC (`... bench_harden oof`, run {bh._mtime(OOF_CSV)} "
        f"UTC, training seed {bh.TUNE_SEED}'s sets): the Trainer's own out-of-fold scores "
        "against the blend's, with the benchmark's random folds and with folds grouped by "
        "account (`fit(X, y, groups=account_id)`).",
        "",
        "| held out | folds | model | blend |",
        "|---|---|---|---|",
    ]
    for _, r in df.iterrows():
        lines.append(f"| {r['held_out']} | {r['folds']} | {r['model']:.3f} | {r['blend']:.3f} |")
    return lines
