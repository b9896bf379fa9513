"""Does hardening help on fraud the model has never seen, and does it do no harm?

Recipes, each trained with the same Trainer (XGBoost, 3 folds) and 3 training seeds:
``none``; ``edgecase`` (EdgeCaseOversampler in the folds); ``smote`` (SMOTE-NC on the
simulator, SMOTE on KEEL); ``sim_mix`` (simulator only: the training population is
simulated at severities 0, 0.5 and 1); ``harden`` (:func:`edgecase.train.harden`,
adversarial, simulator: ``MUTABLE_COLUMNS``; KEEL: every numeric column).

1. Simulator, leave one typology out: training sees all typologies but one; the test is a
   fresh population (another seed) of the held-out one at severities 0, 0.5, 1 and 2.
   Recall at a 1% alert budget (threshold fixed on the severity-0 test scores) and
   PR-AUC. Differences vs ``none`` are paired by seed; the interval is a t interval
   over the 3 seeds of the per-typology mean (all typologies that exist).
   ``oracle`` is the detectability ceiling: per held-out typology, severity and seed, the
   same model trained on a fresh population (another seed, never the test rows) of the
   held-out typology itself at that severity, same size and fraud rate, scored on the
   same test population. No augmentation that does not know the typology can expect more;
   ``oracle - none`` at severity 1 is the headroom the +0.10 target must fit in.
2. KEEL sets: PR-AUC on held-out real positives (30%, stratified, per seed) and
   recall at an alert budget equal to the positive rate, under FeatureShift of the
   held-out positives toward the negatives' means (severity 1).

Run: ``.venv/bin/python -m benchmarks.bench_harden`` (the sizes below keep it near 30
minutes on 2 busy cores; one line per finished unit goes to stdout). The simulator half
resumes from its saved rows: a (seed, held-out typology, recipe) already in
/tmp/bench_harden_loto.csv is not run again, so a new recipe adds only its own units
(delete the file after changing the design constants below).

Tuning, on training seed 10 and its own test populations only: ``... bench_harden tune``
(PER_ROW, OVERSHOOT), ``tune sc`` (with evasion scenarios), ``tune legit`` (full evasion),
``tune novel`` (outlier exposure), ``tune iforest`` (a novelty blend) and ``tune blend``
(NoveltyBlend's settings); ``seen`` scores the report's training sets on fresh rows of the
typologies they know, ``oof`` reads NoveltyBlend's out-of-fold scores; those live in
``benchmarks/_harden_tune.py``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split
from xgboost import XGBClassifier

from benchmarks._results import peak_rss_mb, record
from edgecase.datasets import load_keel
from edgecase.fraud import (
    MUTABLE_COLUMNS,
    TYPOLOGIES,
    simulate_transactions,
    split_features,
)
from edgecase.stress import AmountEvasion, FeatureShift, VelocityEvasion
from edgecase.train import NoveltyBlend, Trainer, harden

SEEDS = (0, 1, 2)
# Harden's settings were chosen on this training seed (and its own test populations) only.
TUNE_SEED = 10
N_TRAIN = 30_000
FRAUD_RATE = 0.01  # 300 training fraud rows
N_TEST = 20_000
# Below the 1% alert budget, so that a perfect model reaches recall 1 (100 test frauds).
TEST_FRAUD_RATE = 0.005
SEVERITIES = (0.0, 0.5, 1.0, 2.0)
# The oracle's training populations: seeds 500..522, apart from the training (100+, 200+)
# and test (900+) seeds.
ORACLE_SEED = 500
ROUNDS = 2
N_TREES = 100
KEEL = [
    "yeast4",
    "yeast5",
    "yeast6",
    "ecoli1",
    "ecoli3",
    "glass4",
    "abalone9-18",
    "page-blocks0",
    "vowel0",
    "pima",
    "segment0",
    "wisconsin",
]


_HARDEN = importlib.import_module("edgecase.train.harden")
_DEFAULTS = (_HARDEN.PER_ROW, _HARDEN.OVERSHOOT, _HARDEN.MOVES, _HARDEN.OUTLIERS)


def _trainer(seed: int, sampler=None) -> Trainer:
    est = XGBClassifier(
        n_estimators=N_TREES, max_depth=4, n_jobs=1, enable_categorical=True, max_cat_to_onehot=8
    )
    return Trainer(
        estimator=est,
        sampler=sampler,
        cv=3,
        threshold="alert_rate=0.01",
        random_state=seed,
        progress=False,
    )


def _sim(n, typologies, severity, seed, rate=FRAUD_RATE):
    return split_features(
        simulate_transactions(
            n,
            fraud_rate=rate,
            typologies=typologies,
            severity=severity,
            random_state=seed,
            progress=False,
        )
    )


def _fit(recipe: str, X, y, seed: int, mix=None):
    if recipe.startswith("harden"):
        # "harden" with its defaults; "harden:PER_ROW:OVERSHOOT[:MOVES[:OUTLIERS]]" a setting
        # being tried (the settings not given keep their defaults)
        given = recipe.split(":")[1:]
        per, over, moves, outliers = (*given, *_DEFAULTS[len(given) :])
        _HARDEN.PER_ROW, _HARDEN.OVERSHOOT, _HARDEN.MOVES = int(per), float(over), moves
        _HARDEN.OUTLIERS = float(outliers)
        sim = "amount" in X.columns
        # "+sc": also the built-in evasion scenarios (no typology's own scenario)
        scen = [AmountEvasion(), VelocityEvasion()] if "+sc" in recipe else None
        return harden(
            _trainer(seed), X, y, scenarios=scen, mutable=MUTABLE_COLUMNS if sim else None,
            rounds=ROUNDS, random_state=seed, progress=False,
        ).model  # fmt: skip
    if recipe == "sim_mix":
        return _trainer(seed).fit(*mix)
    if recipe.startswith("novelty"):
        # "novelty" with its defaults; "novelty:COMBINE:WEIGHT" a setting being tried
        given = recipe.split(":")[1:]
        kw = {"combine": given[0], "weight": float(given[1])} if given else {}
        return NoveltyBlend(model=_trainer(seed), random_state=seed, **kw).fit(X, y)
    sampler = {"none": None, "edgecase": "edgecase", "smote": "smote", "smotenc": "smotenc"}[recipe]
    return _trainer(seed, sampler).fit(X, y)


def _loto_one(seed: int, held: str, recipes: list[str]) -> list[dict]:
    train_typ = [t for t in TYPOLOGIES if t != held]
    tests = {s: _sim(N_TEST, [held], s, 900 + seed, TEST_FRAUD_RATE) for s in SEVERITIES}
    rows = []
    if "oracle" in recipes:
        rows += _oracle(seed, held, tests)
    recipes = [r for r in recipes if r != "oracle"]
    if not recipes:
        return rows
    X, y = _sim(N_TRAIN, train_typ, 0.0, 100 + seed)
    parts = [_sim(N_TRAIN // 3, train_typ, s, 200 + seed + int(10 * s)) for s in (0.0, 0.5, 1.0)]
    mix = (
        pd.concat([p[0] for p in parts], ignore_index=True),
        pd.concat([p[1] for p in parts], ignore_index=True),
    )
    for recipe in recipes:
        t0 = time.perf_counter()
        model = _fit(recipe, X, y, seed, mix)
        _log(f"seed {seed} held {held} {recipe}: {time.perf_counter() - t0:.0f}s")
        rows += _score_rows(model, tests, SEVERITIES, (seed, held, recipe))
    return rows


def _oracle(seed: int, held: str, tests: dict) -> list[dict]:
    """One model per severity, trained on a fresh population of the held-out typology there."""
    rows = []
    for sev in SEVERITIES:
        t0 = time.perf_counter()
        X, y = _sim(N_TRAIN, [held], sev, ORACLE_SEED + seed + int(10 * sev))
        model = _trainer(seed).fit(X, y)
        _log(f"seed {seed} held {held} oracle sev {sev}: {time.perf_counter() - t0:.0f}s")
        rows += _score_rows(model, tests, [sev], (seed, held, "oracle"))
    return rows


def _score_rows(model, tests: dict, sevs, key: tuple) -> list[dict]:
    s0 = model.predict_proba(tests[0.0][0])[:, 1]
    thr = np.quantile(s0, 0.99)  # 1% alert budget, fixed as severity grows
    rows = []
    for sev in sevs:
        Xt, yt = tests[sev]
        s = model.predict_proba(Xt)[:, 1]
        yt = yt.to_numpy()
        rows.append(
            {
                "seed": key[0],
                "held_out": key[1],
                "recipe": key[2],
                "severity": sev,
                "recall@1%": float(np.mean(s[yt == 1] >= thr)),
                "pr_auc": float(average_precision_score(yt, s)),
            }
        )
    return rows


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}] {msg}", flush=True)


def _paired(df: pd.DataFrame, keys: list[str], metric: str) -> pd.DataFrame:
    """Mean over seeds and its diff vs none with a t interval over seeds."""
    per_seed = df.groupby(["recipe", "seed", *keys])[metric].mean().unstack("recipe")
    out = []
    for recipe in per_seed.columns:
        d = (per_seed[recipe] - per_seed["none"]).groupby(keys).agg(["mean", "std", "count"])
        half = stats.t.ppf(0.975, d["count"] - 1) * d["std"] / np.sqrt(d["count"])
        m = per_seed[recipe].groupby(keys).mean()
        out.append(
            pd.DataFrame(
                {
                    "recipe": recipe,
                    "value": m,
                    "diff": d["mean"],
                    "lo": d["mean"] - half,
                    "hi": d["mean"] + half,
                }
            )
        )
    return pd.concat(out).reset_index()


def _fmt(t: pd.DataFrame, keys: list[str]) -> list[str]:
    lines = []
    for _, r in t.iterrows():
        lines.append(
            "| "
            + " | ".join(str(r[k]) for k in keys)
            + f" | {r['recipe']} | {r['value']:.3f} | {_ci(r, r['recipe'])} |"
        )
    return lines


def _keel_one(name: str, seed: int) -> list[dict]:
    X, y = load_keel(name)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    yte = yte.to_numpy()
    num = [
        c
        for c in X.columns
        if pd.api.types.is_numeric_dtype(X[c]) and not pd.api.types.is_bool_dtype(X[c])
    ]
    pos, neg = Xtr[ytr.to_numpy() == 1], Xtr[ytr.to_numpy() == 0]
    sd = Xtr[num].std().replace(0, 1)
    shift = FeatureShift(shift={c: float((neg[c].mean() - pos[c].mean()) / sd[c]) for c in num})
    Xs, _ = shift.apply(Xte, yte, 1.0, random_state=seed)
    has_cat = len(num) < X.shape[1]
    rows = []
    for recipe in ["none", "edgecase", "smotenc" if has_cat else "smote", "harden", "novelty"]:
        t0 = time.perf_counter()
        model = _fit(recipe, Xtr, ytr, seed)
        _log(f"{name} seed {seed} {recipe}: {time.perf_counter() - t0:.0f}s")
        s = model.predict_proba(Xte)[:, 1]
        thr = np.quantile(s, 1 - float(ytr.mean()))
        ss = model.predict_proba(Xs)[:, 1]
        rows.append(
            {
                "set": name,
                "seed": seed,
                "recipe": "smote" if recipe == "smotenc" else recipe,
                "pr_auc": float(average_precision_score(yte, s)),
                "recall_shift": float(np.mean(ss[yte == 1] >= thr)),
            }
        )
    return rows


def _collect(units, fn, path: str, done: list[dict] | None = None) -> pd.DataFrame:
    """Run every unit, saving the rows so far (``done`` first) after each (a cut-short run
    keeps its units)."""
    rows: list[dict] = list(done or [])
    for u in units:
        rows += fn(*u)
        pd.DataFrame(rows).to_csv(path, index=False)
    return pd.DataFrame(rows)


def _targets(loto: pd.DataFrame, worse: dict[str, list[str]]) -> list[str]:
    """The issue's targets, each stated as met or missed, for harden and NoveltyBlend."""
    rec = _paired(loto, ["severity"], "recall@1%").set_index(["severity", "recipe"])
    pra = _paired(loto, ["severity"], "pr_auc").set_index(["severity", "recipe"])
    met = {True: "**met**", False: "**missed**"}
    lines = []
    for recipe in [r for r in ("harden", "novelty") if (1.0, r) in rec.index]:
        r1, p0 = rec.loc[(1.0, recipe)], pra.loc[(0.0, recipe)]
        bad = worse.get(recipe, [])
        lines += [
            f"- Target: held-out-typology recall at 1% alerts, severity 1, >= none + 0.10: "
            f"{recipe} {r1['diff']:+.3f} [{r1['lo']:+.3f}, {r1['hi']:+.3f}] -> "
            f"{met[bool(r1['diff'] >= 0.10)]}.",
            f"- Target: severity-0 PR-AUC not below none beyond its paired interval: {recipe} "
            f"{p0['diff']:+.3f} [{p0['lo']:+.3f}, {p0['hi']:+.3f}] -> {met[bool(p0['hi'] >= 0)]}.",
            f"- Target: no KEEL set below none beyond its interval (PR-AUC), {recipe}: "
            f"{bad or 'none below'} -> {met[not bad]}.",
        ]
    return [
        *lines,
        "- Target: harden on 200k rows with 3 rounds <= 3x a plain Trainer.fit: see the cost "
        "table (`bench_harden --cost`).",
    ]


def _mtime(path: str) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(os.path.getmtime(path)))


def _extra_lines() -> list[str]:
    """The cost table and the tuning runs, when their saved results exist."""
    out = []
    if os.path.exists("/tmp/bench_harden_cost.json"):
        out += ["", pd.read_json("/tmp/bench_harden_cost.json", typ="series")["lines"]]
    files = ["/tmp/bench_harden_tune.csv", "/tmp/bench_harden_tunesc.csv"]
    if os.path.exists(files[0]):
        base = pd.read_csv(files[0])
        out += [
            "",
            "The tuning runs (`... bench_harden tune` and `tune sc`, cut short by the time "
            "limit) used 50,000 training and 30,000 test rows, the sizes before the simulator "
            "half was cut to its time budget; the settings they compare are module constants of "
            "`edgecase.train.harden` (PER_ROW, OVERSHOOT), left at 1 and 1.0. The first run's "
            "rounds were full fits (before the refit-only rounds), the +sc run's refits alone.",
            *_tune_lines(base),
        ]
        if os.path.exists(files[1]):
            out += ["", *_tune_lines(pd.concat([base, pd.read_csv(files[1])], ignore_index=True))]
    from benchmarks import _harden_tune as ht

    saved = [
        (_TUNE_LEGIT_CSV, ht.legit_lines),
        (ht.NOVEL_CSV, ht.novel_lines),
        (ht.IFOREST_CSV, ht.iforest_lines),
        (ht.CONFIRM_CSV, ht.confirm_lines),
        (ht.BLEND_CSV, ht.blend_lines),
        (ht.SEEN_CSV, ht.seen_lines),
        (ht.OOF_CSV, ht.oof_lines),
    ]
    for path, table in saved:
        if os.path.exists(path):
            out += ["", *table(pd.read_csv(path))]
    return out


_TUNE_LEGIT_CSV = "/tmp/bench_harden_tunelegit.csv"


_LOTO_CSV = "/tmp/bench_harden_loto.csv"
_KEEL_CSV = "/tmp/bench_harden_keel.csv"


SIM_RECIPES = ["none", "edgecase", "smotenc", "sim_mix", "harden", "novelty", "oracle"]


def _run_sim(path: str | None = None, seeds=SEEDS, recipes=SIM_RECIPES) -> list[str]:
    """The missing (seed, typology, recipe) units, resumed from the rows saved in ``path``
    (default: the simulator half's); returns the recipes run."""
    path = path or _LOTO_CSV
    done = pd.read_csv(path) if os.path.exists(path) else pd.DataFrame()
    have = (
        set(zip(done["seed"], done["held_out"], done["recipe"], strict=True))
        if len(done)
        else set()
    )
    # typology-major: a run cut short keeps every seed of the typologies it reached
    units = [
        (seed, held, [r for r in recipes if (seed, held, r) not in have])
        for held in TYPOLOGIES
        for seed in seeds
    ]
    units = [u for u in units if u[2]]
    _log(f"sim: {len(have)} saved (seed, typology, recipe) units, {len(units)} to run")
    _collect(units, _loto_one, path, done.to_dict("records"))
    return sorted({r for u in units for r in u[2]})


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime())


def _cost_path(part: str) -> str:
    return f"/tmp/bench_harden_{part}_cost.json"


def _load_costs(part: str) -> list[dict]:
    """Every saved run of a half (a resumed run adds its own; an old file holds one dict)."""
    path = _cost_path(part)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        saved = json.load(f)
    if isinstance(saved, dict):  # one run, from before runs were kept as a list
        saved = [{**saved, "run": _mtime(path), "recipes": []}]
    return saved


def _save_cost(part: str, cost: dict) -> None:
    # a resumed sim run adds its cost; a keel run (never resumed) replaces the old one
    runs = (_load_costs(part) if part == "sim" else []) + [cost]
    with open(_cost_path(part), "w") as f:
        json.dump(runs, f)


def _cost_lines() -> list[str]:
    lines = []
    for q in ("sim", "keel"):
        for c in _load_costs(q):
            what = f"recipes {', '.join(c['recipes'])}" if c["recipes"] else "every recipe then"
            lines.append(
                f"Cost of the {q} half (`... bench_harden {q}`, run {c['run']} UTC, {what}): "
                f"wall {c['wall_min']:.1f} min, user+sys CPU {c['cpu_min']:.1f} min, peak RSS "
                f"{c['rss_mb']:.0f} MB, load average (1 min) {c['load_start']:.1f} at start, "
                f"{c['load_end']:.1f} at the end (shared 2-core machine)."
            )
    return lines


def _by_typology(loto: pd.DataFrame) -> list[str]:
    """Recall and PR-AUC at severity 1 per held-out typology, with the oracle beside them."""
    sev1 = loto[loto["severity"] == 1.0]
    rec = _paired(sev1, ["held_out"], "recall@1%").set_index(["held_out", "recipe"])
    pra = _paired(sev1, ["held_out"], "pr_auc").set_index(["held_out", "recipe"])
    lines = [
        "At severity 1, per held-out typology:",
        "",
        "| held out | recipe | recall | diff vs none | PR-AUC | diff vs none |",
        "|---|---|---|---|---|---|",
    ]
    for (held, recipe), r in rec.iterrows():
        if recipe not in ("none", "sim_mix", "harden", "oracle"):
            continue
        q = pra.loc[(held, recipe)]
        cells = [f"{r['value']:.3f}", _ci(r, recipe), f"{q['value']:.3f}", _ci(q, recipe)]
        lines.append(f"| {held} | {recipe} | " + " | ".join(cells) + " |")
    return lines


def _ci(r: pd.Series, recipe: str) -> str:
    if recipe == "none":
        return ""
    return f"{r['diff']:+.3f} [{r['lo']:+.3f}, {r['hi']:+.3f}]"


def _vs_target(r: pd.Series, target: float = 0.10) -> str:
    """Where the target gain lies against the headroom's interval, said plainly."""
    if r["hi"] < target:
        return f"target +{target:.2f} **above** the headroom (beyond its interval): unreachable"
    if r["lo"] > target:
        return f"target +{target:.2f} **below** the headroom (beyond its interval): room for it"
    side = "below" if r["diff"] > target else "above"
    return f"target +{target:.2f} {side} the headroom's mean but inside its interval"


def _ceiling_lines(loto: pd.DataFrame) -> list[str]:
    """The headroom oracle - none at severity 1, on average and per typology, vs the target."""
    sev1 = loto[loto["severity"] == 1.0]
    if "oracle" not in set(sev1["recipe"]):
        return ["No oracle rows saved: the detectability ceiling was not measured."]
    mean = _paired(sev1, ["severity"], "recall@1%").set_index("recipe")
    avg, harden = mean.loc["oracle"], mean.loc["harden"]
    typ = _paired(sev1, ["held_out"], "recall@1%")
    typ = typ[typ["recipe"] == "oracle"].set_index("held_out")
    lines = [
        "Detectability ceiling: `oracle` is, per held-out typology, severity and seed, the same "
        f"model (same Trainer and XGBoost settings) trained on a fresh population of {N_TRAIN:,} "
        f"rows (fraud rate {FRAUD_RATE}, seed {ORACLE_SEED} + seed + 10 x severity, never a test "
        "seed) of the held-out typology alone at that severity, scored on the same test "
        "population with the same alert rule. It is what a training set that knew the typology "
        "gives this model at this size, so no augmentation blind to the typology can expect "
        "more (a stronger model could). The headroom is oracle - none in recall at 1% alerts, "
        "severity 1 (paired by seed, 95% t interval); the target asks harden for none + 0.10.",
        "",
        f"- On average over the {len(TYPOLOGIES)} typologies: headroom {_ci(avg, 'oracle')} -> "
        f"{_vs_target(avg)}. The target is {0.10 / avg['diff']:.0%} of the mean headroom; "
        f"harden's gain ({harden['diff']:+.3f}) is {harden['diff'] / avg['diff']:.0%} of it.",
    ]
    for held, r in typ.iterrows():
        lines.append(f"- {held}: headroom {_ci(r, 'oracle')} -> {_vs_target(r)}.")
    return lines


def main(part: str = "all") -> None:
    """``part``: ``all``; ``sim`` or ``keel`` (one half, rows saved to /tmp; two halves can run
    side by side); ``report`` (the tables from the saved rows of both halves)."""
    warnings.filterwarnings("ignore")
    t0, c0 = time.perf_counter(), os.times()
    load = os.getloadavg()[0]
    ran: list[str] = []
    if part in ("all", "sim"):
        ran = _run_sim()
    t_loto = time.perf_counter() - t0
    if part in ("all", "keel"):
        _collect([(name, seed) for seed in SEEDS for name in KEEL], _keel_one, _KEEL_CSV)
    t_all = time.perf_counter() - t0
    c1 = os.times()
    cpu = (c1.user - c0.user) + (c1.system - c0.system)
    load_end = os.getloadavg()[0]
    _log(
        f"{part}: wall {t_all / 60:.1f} min, user+sys {cpu / 60:.1f} min, load {load:.1f}->{load_end:.1f}"
    )
    if part in ("sim", "keel"):
        cost = {"wall_min": t_all / 60, "cpu_min": cpu / 60, "rss_mb": peak_rss_mb()}
        cost.update(load_start=load, load_end=load_end, recipes=ran, run=_now())
        _save_cost(part, cost)
        return
    loto = pd.read_csv(_LOTO_CSV).replace({"recipe": {"smotenc": "smote"}})
    keel = pd.read_csv(_KEEL_CSV)

    lines = [
        f"Simulator: {N_TRAIN:,} training rows (fraud rate {FRAUD_RATE}) of all typologies but one, tests of "
        f"{N_TEST:,} fresh rows of the held-out one; XGBoost {N_TREES} trees, harden rounds={ROUNDS}; "
        f"seeds {SEEDS}. Values: mean over seeds of the {len(TYPOLOGIES)}-typology mean; diff vs none "
        "[95% t interval over seeds, paired].",
        "",
        "| severity | recipe | recall at 1% alerts | diff vs none |",
        "|---|---|---|---|",
    ]
    lines += _fmt(_paired(loto, ["severity"], "recall@1%"), ["severity"])
    lines += ["", "| severity | recipe | PR-AUC | diff vs none |", "|---|---|---|---|"]
    lines += _fmt(_paired(loto, ["severity"], "pr_auc"), ["severity"])
    lines += ["", *_by_typology(loto), "", *_ceiling_lines(loto)]
    lines += [
        "",
        f"KEEL ({len(KEEL)} sets, 30% held out per seed): PR-AUC on real held-out rows and "
        "recall (alert budget = positive rate) when the held-out positives shift toward the "
        "negatives' means (FeatureShift, severity 1). Rows of the keel half's run of "
        f"{_mtime(_KEEL_CSV)} UTC (30 trees, harden rounds={ROUNDS}).",
        "",
        "| set | recipe | PR-AUC | diff vs none | recall under shift | diff vs none |",
        "|---|---|---|---|---|---|",
    ]
    pa = _paired(keel, ["set"], "pr_auc").set_index(["set", "recipe"])
    rs = _paired(keel, ["set"], "recall_shift").set_index(["set", "recipe"])
    worse: dict[str, list[str]] = {}
    for (name, recipe), r in pa.iterrows():
        q = rs.loc[(name, recipe)]
        if recipe == "none":
            lines.append(f"| {name} | none | {r['value']:.3f} | | {q['value']:.3f} | |")
            continue
        if r["hi"] < 0:
            worse.setdefault(recipe, []).append(name)
        lines.append(
            f"| {name} | {recipe} | {r['value']:.3f} | {r['diff']:+.3f} [{r['lo']:+.3f}, {r['hi']:+.3f}] "
            f"| {q['value']:.3f} | {q['diff']:+.3f} [{q['lo']:+.3f}, {q['hi']:+.3f}] |"
        )
    lines += [
        "",
        "KEEL sets where a recipe's PR-AUC is below none beyond its interval: "
        + (", ".join(f"{k}: {v}" for k, v in sorted(worse.items())) or "none")
        + ".",
        "",
        *_targets(loto, worse),
        *_extra_lines(),
        "",
    ]
    lines += _cost_lines()
    if part != "report":
        resumed = "every simulator unit resumed from saved rows" if not ran else "simulator"
        lines.append(
            f"This run: {resumed} {t_loto / 60:.1f} min, total (with the KEEL half) "
            f"{t_all / 60:.1f} min; user+sys CPU {cpu / 60:.1f} min; peak RSS "
            f"{peak_rss_mb():.0f} MB; load average (1 min) {load:.1f} at start, {load_end:.1f} "
            "at the end (shared 2-core machine)."
        )
    record(
        "harden",
        "Hardening: unseen typologies and do-no-harm on KEEL",
        ".venv/bin/python -m benchmarks.bench_harden"
        if part == "all"
        else "the halves side by side, `.venv/bin/python -m benchmarks.bench_harden sim` and "
        "`... bench_harden keel`, then `... bench_harden report`",
        "\n".join(lines),
    )
    print("\n".join(lines))


TUNE_RECIPES = ["none", "harden:1:1", "harden:4:1", "harden:4:2", "harden:8:2.5"]
TUNE_RECIPES_SC = ["harden+sc:1:1", "harden+sc:4:2"]
# full evasion (mutable columns from legitimate rows) beside the defaults and the ceiling
TUNE_RECIPES_LEGIT = ["none", "harden", "harden:1:1:legit", "harden:4:1:legit", "oracle"]
# NoveltyBlend's two ways to combine, at the weight the benchmark's first blend used and above
TUNE_RECIPES_BLEND = [
    "none",
    "novelty:mean:0.1",
    "novelty:fisher:0.1",
    "novelty:fisher:0.25",
    "novelty:fisher:0.5",
]


def tune(which: str = "") -> None:
    """harden's settings tried on the tuning seed only (never on the report's seeds)."""
    warnings.filterwarnings("ignore")
    if which in ("novel", "iforest", "iforest-report"):
        from benchmarks import _harden_tune as ht

        run = {"novel": ht.tune_novel, "iforest": ht.tune_iforest}
        print("\n".join(run.get(which, ht.confirm_iforest)()))
        return
    recipes = {"sc": TUNE_RECIPES_SC, "legit": TUNE_RECIPES_LEGIT, "blend": TUNE_RECIPES_BLEND}
    recipes = recipes.get(which, TUNE_RECIPES)
    path = f"/tmp/bench_harden_tune{which}.csv"
    if which == "blend" and not os.path.exists(path) and os.path.exists(_TUNE_LEGIT_CSV):
        # none's units on the tuning seed are the same fits as the full-evasion run's
        old = pd.read_csv(_TUNE_LEGIT_CSV)
        old[old["recipe"] == "none"].to_csv(path, index=False)
    _run_sim(path, (TUNE_SEED,), recipes)
    df = pd.read_csv(path)
    print("\n".join(_tune_lines(df[df["recipe"].isin(recipes)])))


def _tune_lines(df: pd.DataFrame) -> list[str]:
    # only the held-out typologies every recipe reached (a tuning run may be cut short)
    full = df.groupby("held_out")["recipe"].nunique() == df["recipe"].nunique()
    df = df[df["held_out"].isin(full[full].index)]
    piv = df.groupby(["recipe", "severity"])[["recall@1%", "pr_auc"]].mean().unstack("severity")
    lines = [
        f"Tuning (training seed {TUNE_SEED}, its own test populations; mean over the held-out "
        f"typologies {sorted(df['held_out'].unique())}). harden:PER_ROW:OVERSHOOT[:MOVES]; +sc: "
        "with the amount_evasion and velocity_evasion scenarios.",
        "",
        "| recipe | recall sev 0 | recall sev 1 | recall sev 2 | PR-AUC sev 0 | PR-AUC sev 1 |",
        "|---|---|---|---|---|---|",
    ]
    for recipe, r in piv.iterrows():
        lines.append(
            f"| {recipe} | {r[('recall@1%', 0.0)]:.3f} | {r[('recall@1%', 1.0)]:.3f} | "
            f"{r[('recall@1%', 2.0)]:.3f} | {r[('pr_auc', 0.0)]:.3f} | {r[('pr_auc', 1.0)]:.3f} |"
        )
    return lines


COST_ROWS = 200_000
COST_ROUNDS = 3


def _cost_child(side: str) -> None:
    """One timed run in this fresh process: a plain default ``Trainer.fit`` or ``harden``."""
    from benchmarks.bench_oversample_speed import measure

    warnings.filterwarnings("ignore")
    X, y = split_features(simulate_transactions(COST_ROWS, random_state=0, progress=False))
    base = peak_rss_mb()
    out: dict = {}

    def run() -> None:
        tr = Trainer(random_state=0, progress=False)
        if side == "plain":
            tr.fit(X, y)
            return
        res = harden(tr, X, y, mutable=MUTABLE_COLUMNS, rounds=COST_ROUNDS, guard=False,
                     random_state=0, progress=False)  # fmt: skip
        out["rounds_run"] = int(res.history["round"].max())

    load0 = os.getloadavg()[0]
    out.update(measure(run), side=side, peak_mb=peak_rss_mb(), data_mb=base)
    out.update(load_start=load0, load_end=os.getloadavg()[0], n_fraud=int(y.sum()))
    print(json.dumps(out))


def cost(repeats: int = 3) -> None:
    """harden (3 rounds, every round run) against a plain Trainer.fit, alternated, best of ``repeats``."""
    from benchmarks.bench_oversample_speed import best_alternating, run_child

    runs: dict[str, list[dict]] = {"plain": [], "harden": []}

    def one(side: str) -> dict:
        r = run_child("benchmarks.bench_harden", ["_cost_child", side])
        r["cpu_s"] = r["user_s"] + r["sys_s"]
        runs[side].append(r)
        _log(f"cost {side}: {json.dumps(r)}")  # every run, so a cut-short run keeps them
        return r

    best = best_alternating(["plain", "harden"], one, repeats=repeats, key="cpu_s")
    p, h = best["plain"], best["harden"]
    ratio, wratio = h["cpu_s"] / p["cpu_s"], h["wall_s"] / p["wall_s"]
    lines = [
        f"Cost: {COST_ROWS:,} simulated rows (`simulate_transactions({COST_ROWS}, random_state=0)`, "
        f"{p['n_fraud']} fraud), the default `Trainer(random_state=0)` (XGBoost 200 trees, "
        f"n_jobs=2, 5 folds), `harden(..., mutable=MUTABLE_COLUMNS, rounds={COST_ROUNDS}, "
        "guard=False)` so that every round runs; each run in a fresh process, the sides "
        f"alternated, best of {repeats} by user+sys CPU.",
        "",
        "| side | run | wall s | user+sys CPU s | peak RSS MB | load at start |",
        "|---|---|---|---|---|---|",
    ]
    for side, rs in runs.items():
        for i, r in enumerate(rs):
            lines.append(
                f"| {side} | {i + 1} | {r['wall_s']:.0f} | {r['cpu_s']:.0f} | {r['peak_mb']:.0f} "
                f"| {r['load_start']:.1f} |"
            )
    met = "**met**" if ratio <= 3 else "**missed**"
    lines += [
        "",
        f"- Target: harden with {COST_ROUNDS} rounds <= 3x a plain Trainer.fit: CPU ratio "
        f"**{ratio:.2f}** (best of each side), wall ratio {wratio:.2f} -> {met}.",
    ]
    print("\n".join(lines))
    pd.Series({"lines": "\n".join(lines)}).to_json("/tmp/bench_harden_cost.json")


if __name__ == "__main__":
    arg = sys.argv[1] if len(sys.argv) > 1 else "all"
    if arg == "_cost_child":
        _cost_child(sys.argv[2])
    elif arg in ("seen", "oof"):
        from benchmarks import _harden_tune as ht

        warnings.filterwarnings("ignore")
        print("\n".join(ht.seen_cost() if arg == "seen" else ht.oof_check()))
    elif arg == "tune":
        tune(sys.argv[2] if len(sys.argv) > 2 else "")
    elif arg in ("cost", "--cost"):
        cost(int(sys.argv[2]) if len(sys.argv) > 2 else 3)
    else:
        main(arg)
