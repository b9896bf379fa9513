"""``edgecase demo``: the whole pipeline end to end on the simulator and the S&P 500.

Fraud leg: simulate 400,000 card transactions (1% fraud), split by time, train a
baseline XGBoost and harden it (:func:`edgecase.train.harden`: adversarial variations
of the training fraud, guarded rounds), stress both across the fraud scenarios and
every typology's severity at a 1% alert budget.

Market leg: calibrate to the S&P 500 before 2007, generate black-swan paths,
train a crash early-warning classifier on them only, evaluate it on the real
2007-2009 windows, stress it per market scenario, and backtest a GARCH-t 99%
VaR through 2008.

Everything lands in ``edgecase-report/`` (report.html, report.json, PNGs) and a
summary of breaking points is printed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from edgecase.demo.conclusions import (
    SMOKE_NOTE,
    _bp_display,
    _conclusions,
    _harden_section,
    _summary_display,
)

__all__ = ["run_demo"]

ALERT_RATE = 0.01
SEVERITIES = np.linspace(0.0, 3.0, 13)
# Sizes of the full demo and of the quick one (--quick, used by the tests). One fraud in
# 100 rows (the alert budget) and the last 60% of the window as the test part: with seed
# 0 the full test part holds 2,493 fraud rows from 824 episodes (seed 1: 2,337 from 884;
# tests/test_fraud_demo_split.py checks the floors, 2,000 rows and 300 episodes), and
# training has 160,000 rows with every typology.
FULL = {"n_transactions": 400_000, "fraud_rate": 0.01, "test_share": 0.6,
        "n_paths": 60, "n_boot": 200, "min_positives": 2000}  # fmt: skip
# The quick run keeps the old row counts (21,000 train, 9,000 test) so the smoke test's
# time does not grow: the stress sweep scores every test row at every severity.
QUICK = {"n_transactions": 30_000, "fraud_rate": 0.01, "test_share": 0.3,
         "n_paths": 15, "n_boot": 50, "min_positives": 300}  # fmt: skip
# harden rounds (each refits once): few, as the guard usually stops within three
HARDEN_ROUNDS = 3


def _log(msg: str, t0: float) -> None:
    print(f"[{time.perf_counter() - t0:5.1f}s] {msg}", flush=True)


def demo_data(size: dict[str, Any], seed: int, progress: bool = False) -> dict[str, Any]:
    """The fraud leg's data: simulate ``size["n_transactions"]`` rows at ``size["fraud_rate"]``
    and split them by time, as production does: train on the window's first rows, test on
    the last ``size["test_share"]`` of them.

    The full demo's sizes give the test part over 2,000 fraud rows from several hundred
    episodes (so recall is read in steps under 0.001, and the account bootstrap has
    hundreds of events to resample) and every typology in training.

    Examples
    --------
    >>> d = demo_data(QUICK, seed=0)
    >>> len(d["y_train"]) + len(d["y_test"]) == QUICK["n_transactions"]
    True
    >>> round(len(d["y_test"]) / QUICK["n_transactions"], 2)
    0.3
    """
    from edgecase.fraud import simulate_transactions, split_features

    df = simulate_transactions(
        size["n_transactions"], fraud_rate=size["fraud_rate"], random_state=seed, progress=progress
    )
    test = df["timestamp"] > df["timestamp"].quantile(1.0 - size["test_share"])
    X_tr, y_tr = split_features(df[~test])
    X_te, y_te = split_features(df[test])
    fraud = df["is_fraud"].to_numpy(dtype=bool)
    return {
        "X_train": X_tr,
        "y_train": y_tr,
        "X_test": X_te,
        "y_test": y_te,
        # the training rows' time and account, which harden holds out and groups by
        "train_rows": df.loc[~test, ["timestamp", "account_id"]],
        "test_accounts": df.loc[test, "account_id"].to_numpy(),
        "test_events": int(df.loc[test & fraud, "event_id"].nunique()),
        "train_typologies": sorted(set(df.loc[~test & fraud, "typology"].astype(str))),
    }


def _fraud_leg(seed: int, progress: bool, t0: float, size: dict[str, Any]) -> dict[str, Any]:
    from xgboost import XGBClassifier

    from edgecase.stress import StressHarness, fraud_scenarios
    from edgecase.stress.typology import typology_scenarios
    from edgecase.train import Trainer

    data = demo_data(size, seed, progress)
    X_tr, y_tr, X_te, y_te = data["X_train"], data["y_train"], data["X_test"], data["y_test"]
    _log(
        f"simulated {size['n_transactions']:,} transactions; {len(y_te):,} test rows hold "
        f"{int(y_te.sum())} fraud rows from {data['test_events']} episodes",
        t0,
    )
    # The bootstrap resamples whole accounts: an account's fraud rows are one event.
    accounts = data["test_accounts"]

    def estimator() -> Any:
        # The trainer's default model with fewer trees, on one thread: OpenMP threads that
        # wait on a busy 2-core machine cost several times the CPU of a single-threaded fit.
        return XGBClassifier(
            n_estimators=100, learning_rate=0.15, max_depth=4, subsample=0.8, colsample_bytree=0.8,
            max_delta_step=1.0, tree_method="hist", enable_categorical=True, n_jobs=1, random_state=seed,
        )  # fmt: skip

    hardening = _train_models(
        Trainer(
            estimator=estimator(), sampler="none", cv=3, threshold=f"alert_rate={ALERT_RATE}",
            random_state=seed, progress=progress,
        ),  # fmt: skip
        X_tr, y_tr, data["train_rows"], seed, progress, t0,
    )  # fmt: skip
    models = {"baseline": hardening.baseline, "hardened": hardening.model}

    scenarios = fraud_scenarios() + typology_scenarios(min_positives=size["min_positives"])
    reports = {}
    for label, model in models.items():
        if label == "hardened" and model is models["baseline"]:
            # no round passed the guard: the hardened model is the baseline, same stress
            reports[label] = reports["baseline"]
            continue
        reports[label] = StressHarness(
            model, scenarios, metric="recall", alert_rate=ALERT_RATE, severities=SEVERITIES,
            n_boot=size["n_boot"], random_state=seed, progress=progress, ceiling=True,
        ).run(X_te, y_te, groups=accounts)  # fmt: skip
        _log(
            f"stressed {label} model: {len(scenarios)} scenarios x {len(SEVERITIES)} severities", t0
        )
    test_metrics = pd.DataFrame(
        {label: _holdout_metrics(m, X_te, y_te) for label, m in models.items()}
    ).T
    return {
        "models": models,
        "hardening": hardening,
        "reports": reports,
        "test": test_metrics,
        "scores": {label: m.predict_proba(X_te)[:, 1] for label, m in models.items()},
        "y_test": y_te.to_numpy(),
        "n_test": len(y_te),
        "n_test_fraud": int(y_te.sum()),
    }


def _train_models(
    trainer: Any, X: pd.DataFrame, y: pd.Series, rows: pd.DataFrame, seed: int, progress: bool,
    t0: float,
) -> Any:  # fmt: skip
    """Harden ``trainer`` on the training window; its round 0 is the baseline.

    ``rows`` are the simulator rows behind ``X``: their timestamps make harden hold
    out the latest 20% of the window, and the trainer's folds keep an account's rows
    together. Both models fit on the same real rows, so the comparison is of the
    hardening alone. Adversarial variations only (no scenarios): the stress test's
    scenarios stay unseen in training, so the breaking points are not flattered.
    """
    from edgecase.fraud import MUTABLE_COLUMNS
    from edgecase.train import harden

    res = harden(
        trainer, X.assign(timestamp=rows["timestamp"].to_numpy()), y, mutable=MUTABLE_COLUMNS,
        rounds=HARDEN_ROUNDS, groups=rows["account_id"].to_numpy(), random_state=seed,
        progress=progress,
    )  # fmt: skip
    stopped = "; stopped by the guard" if not res.history["accepted"].all() else ""
    _log(
        f"trained baseline and hardened models: {len(res.history) - 1} harden round(s), "
        f"kept round {res.kept_round}{stopped}",
        t0,
    )
    return res


def _holdout_metrics(model: Any, X: pd.DataFrame, y: pd.Series) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, roc_auc_score

    from edgecase.stress.harness import alert_threshold

    s = model.predict_proba(X)[:, 1]
    flagged = s >= alert_threshold(s, ALERT_RATE)
    pos = y.to_numpy() == 1
    return {
        "pr_auc": float(average_precision_score(y, s)),
        "roc_auc": float(roc_auc_score(y, s)),
        f"recall@{ALERT_RATE:.0%} alerts": float(flagged[pos].mean()),
        f"precision@{ALERT_RATE:.0%} alerts": float(pos[flagged].mean()),
    }


def std_t_var_es(nu: float, alpha: float) -> tuple[float, float]:
    """VaR and ES (positive losses) of a Student-t with ``nu`` dof scaled to unit variance.

    ES uses the closed form E[-T | T < t_p] = pdf(t_p) (nu + t_p^2) / ((nu - 1) p),
    p = 1 - alpha, for a standard t; both are then scaled by sqrt((nu - 2) / nu),
    as arch standardises its t.

    Examples
    --------
    >>> q, es = std_t_var_es(1e6, 0.975)  # near-normal: 1.960 and 2.338
    >>> round(q, 3), round(es, 3)
    (1.96, 2.338)
    """
    from scipy import stats

    p = 1.0 - alpha
    tp = float(stats.t.ppf(p, nu))
    scale = np.sqrt((nu - 2) / nu)
    es = stats.t.pdf(tp, nu) * (nu + tp**2) / ((nu - 1) * p)
    return float(-tp * scale), float(es * scale)


def _garch_t_var(returns: pd.Series, start: str, alpha: float = 0.99) -> pd.DataFrame:
    """One-day GARCH(1,1)-t VaR and ES (positive losses, columns ``var``/``es``) from ``start`` on.

    Parameters are fitted on the days before ``start`` only (arch's MLE); the
    forecast for day t+1 uses returns up to day t.
    """
    from arch import arch_model

    r = 100 * returns  # arch's optimiser prefers percent returns
    first = r.index.searchsorted(pd.Timestamp(start))
    am = arch_model(r, mean="Constant", vol="GARCH", p=1, q=1, dist="t")
    res = am.fit(last_obs=r.index[first], disp="off")
    fc = res.forecast(horizon=1, start=r.index[first - 1], reindex=False)
    q, es_unit = std_t_var_es(float(res.params["nu"]), alpha)
    sd = np.sqrt(fc.variance["h.1"])
    var = (-fc.mean["h.1"] + sd * q) / 100
    es = (-fc.mean["h.1"] + sd * es_unit) / 100
    origin = r.index.get_indexer(var.index)
    keep = origin + 1 < len(r)
    index = r.index[origin[keep] + 1]
    return pd.DataFrame({"var": var.to_numpy()[keep], "es": es.to_numpy()[keep]}, index=index)


def _market_leg(seed: int, progress: bool, t0: float, size: dict[str, Any]) -> dict[str, Any]:
    from sklearn.metrics import average_precision_score, roc_auc_score
    from xgboost import XGBClassifier

    from edgecase.datasets import load_market
    from edgecase.market import BlackSwanGenerator
    from edgecase.market.features import make_features
    from edgecase.stress import StressHarness, var_backtest
    from edgecase.stress.market import market_scenarios
    from edgecase.train import Trainer

    sp = load_market("sp500")["log_return"]
    gen = BlackSwanGenerator.from_returns(sp[:"2006-12-31"])
    _log("calibrated the black-swan generator to the S&P 500, 1999-2006", t0)
    mix = [("base", 0.0), ("crash", 1.0), ("vol_spike", 1.0), ("crash", 0.5), ("flash_crash", 1.0)]
    parts = [
        make_features(
            gen.generate(size["n_paths"], 252, scenario=sc, severity=sev, random_state=seed + i)
        )
        for i, (sc, sev) in enumerate(mix)
    ]
    X = pd.concat([p[0] for p in parts], ignore_index=True)
    y = pd.concat([p[1] for p in parts], ignore_index=True)
    est = XGBClassifier(
        n_estimators=80,
        max_depth=3,
        learning_rate=0.1,
        n_jobs=1,
        tree_method="hist",
        random_state=seed,
    )
    crash_model = Trainer(
        estimator=est, cv=3, threshold="f1", random_state=seed, progress=progress
    ).fit(X, y)
    _log(f"trained the crash classifier on {len(X):,} windows of generated paths", t0)

    X_real, y_real = make_features(sp)
    window = (X_real.index >= "2007-01-01") & (X_real.index <= "2009-12-31")
    Xw, yw = X_real[window], y_real[window]
    s = crash_model.predict_proba(Xw)[:, 1]
    evaluation = {
        "real windows 2007-2009": int(len(yw)),
        "crash share": float(yw.mean()),
        "pr_auc": float(average_precision_score(yw, s)),
        "roc_auc": float(roc_auc_score(yw, s)),
        "mean warning 2007H1": float(s[Xw.index < "2007-07-01"].mean()),
        "mean warning 2008Q4": float(
            s[(Xw.index >= "2008-10-01") & (Xw.index < "2009-01-01")].mean()
        ),
    }
    report = StressHarness(
        crash_model, market_scenarios(gen, n_paths=2 * size["n_paths"]), metric="recall",
        severities=np.linspace(0.0, 3.0, 7), n_boot=size["n_boot"], random_state=seed, progress=progress,
        ceiling=True,
    ).run(Xw, yw)  # fmt: skip
    _log("stressed the crash classifier across market scenarios", t0)

    risk = _garch_t_var(sp, "2007-01-01")["2007-01-01":"2009-12-31"]
    var = risk["var"]
    backtest = var_backtest(sp.loc[var.index], var, alpha=0.99, es=risk["es"], random_state=seed)
    _log(
        f"VaR backtest 2007-2009: {backtest.n_exceptions} exceptions, worst zone {backtest.worst_zone}",
        t0,
    )
    crash_paths = gen.generate(500, 252, scenario="crash", severity=1.0, random_state=seed)
    replay = gen.crisis_replay("2008", 200, random_state=seed)
    return {
        "model": crash_model,
        "evaluation": evaluation,
        "report": report,
        "backtest": backtest,
        "crash_paths": crash_paths,
        "replay": replay,
        "returns": sp,
        "var": var,
    }


def _summary(fraud: dict[str, Any], market: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for label, rep in [*fraud["reports"].items(), ("crash classifier", market["report"])]:
        for bp in rep.breaking_points.itertuples():
            rows.append(
                {
                    "model": label,
                    "scenario": bp.scenario,
                    "breaking severity": bp.breaking_severity,
                    "ci_low": bp.ci_low,
                    "ci_high": bp.ci_high,
                    "earliest plausible": bp.earliest_plausible_severity,
                    "ceiling": getattr(bp, "ceiling", np.nan),
                    "status": bp.status,
                    "broken": bool(bp.broken),
                }
            )
    return pd.DataFrame(rows)


def run_demo(
    out: str | Path = "edgecase-report",
    *,
    progress: bool = True,
    seed: int = 0,
    quick: bool = False,
) -> pd.DataFrame:
    """Run the demo, write ``out/`` (report.html, report.json, PNGs), return the breaking-point summary.

    ``quick=True`` runs the same pipeline on 30,000 transactions, fewer paths and 50
    bootstrap draws (a smoke run in seconds; the numbers are noisier).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from edgecase.report import Section, dumps, write_html

    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    size = QUICK if quick else FULL
    fraud = _fraud_leg(seed, progress, t0, size)
    market = _market_leg(seed, progress, t0, size)
    summary = _summary(fraud, market)

    from edgecase.stress.plots import plot_var_backtest

    figures = {
        "fraud_baseline_stress.png": fraud["reports"]["baseline"].plot(model="baseline XGBoost"),
        "fraud_hardened_stress.png": fraud["reports"]["hardened"].plot(model="hardened XGBoost"),
        "fraud_harden_rounds.png": fraud["hardening"].plot(),
        "market_stress.png": market["report"].plot(model="crash classifier"),
        "var_backtest_2008.png": plot_var_backtest(
            market["backtest"], returns=market["returns"], var=market["var"]
        ).figure,
        "crash_paths.png": market["crash_paths"].plot(),
        "replay_2008.png": _replay_figure(market["replay"], market["returns"]),
    }
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=110, bbox_inches="tight")

    bp_table = _bp_display
    sections = [
        Section(
            "Conclusions",
            text="\n\n".join(_conclusions(fraud, market, quick, size)),
            anchor="conclusions",
        ),
        Section(
            "Breaking points",
            text=(
                f"Recall at a {ALERT_RATE:.0%} alert budget (threshold fixed on the unstressed test set) "
                "for the fraud models; recall at the crash classifier's own F1-optimal threshold for the market leg. A model "
                "breaks where its recall curve falls below 80% of its unstressed value (the breaking "
                "severity, inf when it never does up to severity 3), with a 95% interval from a "
                "whole-curve bootstrap that resamples whole accounts; the earliest plausible "
                "severity is where breaking can first not be ruled out. The ceiling is the recall "
                "a reference model cross-fitted on the stressed rows themselves reaches at the "
                "same budget; 'signal gone' marks a crossing where it is past the threshold too."
            ),
            tables=[_summary_display(fraud, market)],
        ),
        Section(
            "Fraud: hold-out performance",
            text=(
                f"{size['n_transactions']:,} simulated transactions, split by time (last {size['test_share']:.0%} = test: {fraud['n_test']:,} rows, "
                f"{fraud['n_test_fraud']} fraud). Baseline: no resampling. Hardened: edgecase.train.harden "
                "on the same rows (see its rounds below)."
            ),
            tables=[fraud["test"].reset_index(names="model")],
        ),
        _harden_section(fraud["hardening"], figures["fraud_harden_rounds.png"]),
        Section(
            "Fraud: baseline model under stress",
            tables=[bp_table(fraud["reports"]["baseline"])],
            figures=[figures["fraud_baseline_stress.png"]],
        ),
        Section(
            "Fraud: hardened model under stress",
            tables=[bp_table(fraud["reports"]["hardened"])],
            figures=[figures["fraud_hardened_stress.png"]],
        ),
        Section(
            "Market: crash early warning trained on generated paths, tested on 2007-2009",
            tables=[pd.DataFrame([market["evaluation"]])],
            figures=[figures["crash_paths.png"], figures["replay_2008.png"]],
        ),
        Section(
            "Market: crash classifier under stress",
            tables=[bp_table(market["report"])],
            figures=[figures["market_stress.png"]],
        ),
        Section(
            "Market: GARCH-t 99% VaR backtest, 2007-2009",
            text=(
                "Parameters fitted on 1999-2006, one-day forecasts filtered through the crisis. "
                "VaR tests: Kupiec, Christoffersen; ES tests: Acerbi-Szekely Z2 (its zone from "
                "the test's published thresholds) and McNeil-Frey (bootstrap p-value)."
            ),
            tables=[market["backtest"].tests],
            figures=[figures["var_backtest_2008.png"]],
        ),
    ]
    write_html(out / "report.html", "edgecase demo", sections, meta={"seed": seed})
    payload = {
        "seed": seed,
        "breaking_points": summary,
        "fraud_holdout": fraud["test"].reset_index(names="model"),
        "harden_history": fraud["hardening"].history,
        "harden_notes": fraud["hardening"].notes,
        "fraud_stress": {k: _json_obj(v.to_json()) for k, v in fraud["reports"].items()},
        "market_evaluation": market["evaluation"],
        "market_stress": _json_obj(market["report"].to_json()),
        "var_backtest": _json_obj(market["backtest"].to_json()),
    }
    (out / "report.json").write_text(dumps(payload))
    plt.close("all")

    with pd.option_context(
        "display.width", 120, "display.max_rows", 100, "display.float_format", "{:.2f}".format
    ):
        print()
        print(summary.to_string(index=False))
    if quick:
        print(f"\n{SMOKE_NOTE}")
    _log(f"wrote {out / 'report.html'}, {out / 'report.json'} and {len(figures)} PNGs", t0)
    return summary


def _json_obj(text: str) -> Any:
    import json

    return json.loads(text)


def _replay_figure(replay: Any, returns: pd.Series) -> Any:
    """2008 replay variations with the real 2008-09-02..2009-03-09 S&P 500 path on top,
    and the variations' maximum drawdowns against the real one."""
    import matplotlib.pyplot as plt

    from edgecase.market.plots import fan_chart

    real = returns["2008-09-02":"2009-03-09"]
    real_px = 100 * np.exp(np.r_[0.0, np.cumsum(real.to_numpy())])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(13, 4.5), width_ratios=[1.6, 1])
    fan_chart(replay, ax=a1, title=f"2008 replay: {replay.n_paths} variations")
    a1.plot(np.arange(real_px.size), real_px, color="k", lw=2.2,
            label="real S&P 500, 2008-09-02 to 2009-03-09 (from step 0)")  # fmt: skip
    a1.legend(loc="lower left", fontsize=7)
    px = replay.prices(100.0)[:, :, 0]
    dd = 1 - (px / np.maximum.accumulate(px, axis=1)).min(axis=1)
    real_dd = 1 - (real_px / np.maximum.accumulate(real_px)).min()
    a2.hist(dd, bins=30, color="tab:blue", alpha=0.7, label="variations")
    a2.axvline(real_dd, color="k", lw=2, label=f"real 2008: {real_dd:.0%}")
    a2.set_xlabel("maximum drawdown over the path")
    a2.set_ylabel("variations")
    a2.set_title("maximum drawdown: variations vs the real crisis")
    a2.legend(fontsize=7)
    fig.tight_layout()
    return fig
