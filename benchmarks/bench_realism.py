"""Realism scorecard: calibrated base generator vs arch GARCH-t, GJR-skew-t, a stationary
block bootstrap and Merton jump diffusion, all fitted to the S&P 500 (1999-2018).

Each model simulates ``N_PATHS`` paths as long as the real sample; facts are the median
over paths (see ``edgecase.market.facts``). Run:
``.venv/bin/python -m benchmarks.bench_realism``

``--oos``: out of sample instead. Every model is fitted on the first 60% of the S&P 500,
the NASDAQ and WTI and scored against the last 40%, which no model saw.
"""

from __future__ import annotations

import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
from scipy import optimize, stats

from benchmarks._results import record
from edgecase.datasets import load_market
from edgecase.market import (
    BlackSwanGenerator,
    ConstantVolatility,
    MertonJumps,
    Process,
    realism_scorecard,
)

N_PATHS = 20
SEEDS = (20240601, 20240602, 20240603)
OURS = "edgecase base (severity 0)"


def _arch_paths(
    vol: str, dist: str, r: np.ndarray, rng: np.random.Generator, n_days: int | None = None
) -> np.ndarray:
    """arch's own fit and simulate (one path per call, as arch offers it)."""
    from arch import arch_model
    from arch.univariate import SkewStudent, StudentsT

    o = 1 if vol == "gjr" else 0
    am = arch_model(100 * r, vol="GARCH", p=1, o=o, q=1, dist=dist, rescale=False)
    res = am.fit(disp="off")
    # Re-seed arch's simulator reproducibly (its distributions draw from their own generator).
    seeded = StudentsT if dist == "t" else SkewStudent
    am.distribution = seeded(seed=np.random.default_rng(int(rng.integers(2**31))))
    n_days = r.size if n_days is None else n_days
    out = np.empty((N_PATHS, n_days))
    for i in range(N_PATHS):
        out[i] = am.simulate(res.params, n_days, burn=500)["data"].to_numpy() / 100
    return out


def _bootstrap_paths(
    r: np.ndarray, rng: np.random.Generator, target: np.ndarray, n_days: int | None = None
) -> tuple[np.ndarray, float]:
    """arch's stationary bootstrap with the Politis-White mean block length of ``target``."""
    from arch.bootstrap import StationaryBootstrap, optimal_block_length

    block = float(optimal_block_length(target)["stationary"].iloc[0])
    bs = StationaryBootstrap(block, r, seed=int(rng.integers(2**31)))
    n_days = r.size if n_days is None else n_days
    out = np.empty((N_PATHS, n_days))
    for i, (pos, _) in enumerate(bs.bootstrap(N_PATHS)):
        # Long paths: concatenate resamples of the sample (each a stationary bootstrap).
        x = pos[0]
        while x.size < n_days:
            x = np.concatenate([x, next(bs.bootstrap(1))[0][0]])
        out[i] = x[:n_days]
    return out, block


def _merton_fit(r: np.ndarray) -> dict:
    """MLE of constant-vol Merton jump diffusion (Poisson mixture truncated at 6 jumps)."""
    k = np.arange(7)

    def nll(theta):
        mu, log_s, log_lam, m, log_d = theta
        s, lam, d = np.exp(log_s), np.exp(log_lam), np.exp(log_d)
        pk = stats.poisson.pmf(k, lam)
        sd = np.sqrt(s**2 + k * d**2)
        dens = (pk * stats.norm.pdf(r[:, None], mu + k * m, sd)).sum(axis=1)
        return -np.log(np.maximum(dens, 1e-300)).sum()

    x0 = [r.mean(), np.log(r.std() * 0.8), np.log(0.05), -0.01, np.log(0.02)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = optimize.minimize(
            nll, x0, method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-6}
        )
    mu, log_s, log_lam, m, log_d = res.x
    return {
        "mu": mu,
        "sigma": np.exp(log_s),
        "intensity": np.exp(log_lam),
        "mean": m,
        "std": np.exp(log_d),
    }


def _simulate_all(r_s: pd.Series, seed: int) -> tuple[dict[str, np.ndarray], list[str]]:
    r = r_s.to_numpy()
    rng = np.random.default_rng(seed)
    models: dict[str, np.ndarray] = {}
    notes = []
    t0 = time.perf_counter()
    gen = BlackSwanGenerator.from_returns(r_s)
    models[OURS] = gen.generate(N_PATHS, r.size, "base", 0.0, random_state=seed).returns[..., 0]
    gen_fhs = BlackSwanGenerator.from_returns(r_s, shocks="bootstrap")
    models["edgecase base, FHS shocks"] = gen_fhs.generate(
        N_PATHS, r.size, "base", 0.0, random_state=seed
    ).returns[..., 0]
    notes.append(f"edgecase calibration + simulation: {time.perf_counter() - t0:.1f} s")
    models["arch GARCH-t"] = _arch_paths("garch", "t", r, rng)
    models["arch GJR-skew-t"] = _arch_paths("gjr", "skewt", r, rng)
    models["stationary block bootstrap"], block = _bootstrap_paths(r, rng, r)
    notes.append(
        f"stationary block bootstrap: mean block {block:.1f} days (Politis-White optimal "
        "length for the returns, the usual choice)"
    )
    models["stationary bootstrap, long blocks"], block2 = _bootstrap_paths(r, rng, r**2)
    notes.append(
        f"stationary bootstrap, long blocks: mean block {block2:.1f} days (Politis-White "
        "length for r^2); with half-year blocks it resamples whole episodes of the real "
        "sample, so it is close to the data by construction"
    )
    mp = _merton_fit(r)
    merton = Process(
        dynamics=ConstantVolatility(mp["sigma"]),
        jumps=MertonJumps(mp["intensity"], mp["mean"], mp["std"]),
        mu=mp["mu"],
    )
    models["Merton (MLE)"] = merton.simulate(N_PATHS, r.size, random_state=seed).returns[..., 0]
    notes.append(
        "Merton MLE: sigma={sigma:.4f}, jumps/day={intensity:.3f}, "
        "jump mean={mean:.4f}, jump sd={std:.4f}".format(**mp)
    )
    return models, notes


OOS_SERIES = ("sp500", "nasdaq", "wti")
OOS_TRAIN = 0.6


def _oos_simulators(train: pd.Series) -> tuple[dict, list[str]]:
    """Fit every model once on ``train``; each simulator maps (seed, n_days) to paths."""
    r = train.to_numpy()
    ours = BlackSwanGenerator.from_returns(train)
    mle = BlackSwanGenerator.from_returns(train, regime_method="likelihood")
    mp = _merton_fit(r)
    merton = Process(
        dynamics=ConstantVolatility(mp["sigma"]),
        jumps=MertonJumps(mp["intensity"], mp["mean"], mp["std"]),
        mu=mp["mu"],
    )

    def edgecase_sim(gen):
        return lambda seed, n: gen.generate(N_PATHS, n, "base", 0.0, seed).returns[..., 0]

    def arch_sim(vol, dist):
        return lambda seed, n: _arch_paths(vol, dist, r, np.random.default_rng(seed), n)

    def boot_sim(target):
        return lambda seed, n: _bootstrap_paths(r, np.random.default_rng(seed), target, n)[0]

    sims = {
        OURS: edgecase_sim(ours),
        "edgecase, likelihood regimes": edgecase_sim(mle),
        "arch GARCH-t": arch_sim("garch", "t"),
        "arch GJR-skew-t": arch_sim("gjr", "skewt"),
        "stationary block bootstrap": boot_sim(r),
        "stationary bootstrap, long blocks": boot_sim(r**2),
        "Merton (MLE)": lambda seed, n: merton.simulate(N_PATHS, n, seed).returns[..., 0],
    }
    return sims, [f"{train.name}: Merton jumps/day {mp['intensity']:.3f}"]


def main_oos() -> None:
    """Out-of-sample realism: fit on the first 60%, score the last 40% (3 seeds)."""
    t0 = time.perf_counter()
    rows, notes = {}, []
    kurt = {}
    for name in OOS_SERIES:
        r_s = load_market(name)["log_return"].rename(name)
        cut = int(OOS_TRAIN * len(r_s))
        train, test = r_s.iloc[:cut], r_s.iloc[cut:]
        notes.append(
            f"{name}: train {train.index[0].date()} .. {train.index[-1].date()} ({cut} days), "
            f"test {test.index[0].date()} .. {test.index[-1].date()} ({len(test)} days)"
        )
        sims, extra = _oos_simulators(train)
        for model, sim in sims.items():
            for seed in SEEDS:
                card = realism_scorecard(sim(seed, len(test)), test)
                rows[(name, model, seed)] = card.score
                if seed == SEEDS[0]:
                    kurt[(name, model)] = card.facts_sim["excess_kurtosis"]
                    kurt[(name, "real (test)")] = card.facts_real["excess_kurtosis"]
    scores = pd.Series(rows).unstack(level=2)
    mean = scores.mean(axis=1).unstack(level=0)
    spread = (scores.max(axis=1) - scores.min(axis=1)).unstack(level=0)
    peers = [m for m in mean.index if not m.startswith("edgecase")]
    wins = {s: bool((mean.loc[OURS, s] > mean.loc[peers, s]).all()) for s in OOS_SERIES}
    best = {s: str(mean[s].idxmax()) for s in OOS_SERIES}
    lose = [
        f"{s}: {OURS} {mean.loc[OURS, s]:.3f} loses to "
        + ", ".join(
            f"{p} {mean.loc[p, s]:.3f}" for p in peers if mean.loc[p, s] >= mean.loc[OURS, s]
        )
        for s in OOS_SERIES
        if not wins[s]
    ]
    margins = [
        f"{s}: margin over the best peer {mean.loc[OURS, s] - mean.loc[peers, s].max():+.3f}, "
        f"seed spread of ours {spread.loc[OURS, s]:.3f}"
        + (" (within seed noise)" if abs(mean.loc[OURS, s] - mean.loc[peers, s].max())
           < spread.loc[OURS, s] else "")
        for s in OOS_SERIES
    ]  # fmt: skip
    load = os.getloadavg()
    body = "\n".join(
        [
            f"Fit on the first {OOS_TRAIN:.0%} of each series, {N_PATHS} paths as long as the "
            f"last {1 - OOS_TRAIN:.0%}, scored against it (combined realism score in (0, 1], "
            f"higher is better); mean over seeds {list(SEEDS)}. Wall {time.perf_counter() - t0:.0f} s, "
            f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (2 cores, shared).",
            "",
            "### Mean score over 3 seeds",
            "```",
            mean.round(3).to_string(),
            "```",
            "### Spread over seeds (max - min)",
            "```",
            spread.round(3).to_string(),
            "```",
            "### Excess kurtosis, first seed (median over paths) vs the test period",
            "```",
            pd.Series(kurt).unstack(level=0).round(1).to_string(),
            "```",
            "### Target: beat every peer on at least 2 of 3 series",
            f"- beats every peer on {sum(wins.values())} of 3 series: "
            + ("met" if sum(wins.values()) >= 2 else "**missed**"),
            *[f"- best on {s}: {best[s]}" for s in OOS_SERIES],
            *[f"- Where we lose: {x}" for x in lose],
            *[f"- {m}" for m in margins],
            *[f"- {n}" for n in notes],
        ]
    )
    record(
        "market_realism_oos",
        "Market realism out of sample (fit 60%, score 40%: S&P 500, NASDAQ, WTI)",
        ".venv/bin/python -m benchmarks.bench_realism --oos",
        body,
    )
    print(body)


def main() -> None:
    r_s = load_market("sp500")["log_return"]
    r = r_s.to_numpy()
    per_seed = {}
    for i, seed in enumerate(SEEDS):
        models_i, notes_i = _simulate_all(r_s, seed)
        cards_i = {name: realism_scorecard(x, r_s) for name, x in models_i.items()}
        per_seed[seed] = pd.Series({name: c.score for name, c in cards_i.items()})
        if i == 0:
            notes, cards = notes_i, cards_i
    seeds = pd.DataFrame(per_seed)
    real = next(iter(cards.values())).facts_real
    stats_rows = [
        "excess_kurtosis",
        "skew",
        "hill_left",
        "hill_right",
        "acf_r_1",
        "acf_abs_1",
        "acf_abs_20",
        "acf_abs_50",
        "acf_abs_100",
        "acf_abs_power",
        "leverage_1",
        "leverage_5",
        "gain_loss",
        "kurtosis_5d",
        "kurtosis_20d",
    ]
    table = pd.DataFrame({"real S&P 500": real[stats_rows]})
    for name, card in cards.items():
        table[name] = card.facts_sim[stats_rows]
    for h in (1, 5, 20, 100):
        key = f"wasserstein_{h}d"
        table.loc[key + " (/sd)", "real S&P 500"] = 0.0
        for name, card in cards.items():
            t = card.table.set_index("statistic")
            table.loc[key + " (/sd)", name] = t.loc[key, "sim"]
    groups = pd.DataFrame({name: card.group_scores() for name, card in cards.items()})
    ours = OURS
    fs = cards[ours].facts_sim
    checks = {
        "excess kurtosis in [5, 12]": 5 <= fs["excess_kurtosis"] <= 12,
        "leverage lag 1 <= -0.05": fs["leverage_1"] <= -0.05,
        "|ACF|r| lag 1 - real| <= 0.08": abs(fs["acf_abs_1"] - real["acf_abs_1"]) <= 0.08,
        "|ACF|r| lag 50 - real| <= 0.08": abs(fs["acf_abs_50"] - real["acf_abs_50"]) <= 0.08,
        "|ACF|r| lag 100 - real| <= 0.08": abs(fs["acf_abs_100"] - real["acf_abs_100"]) <= 0.08,
        "beats arch GARCH-t, GJR-skew-t, the stationary block bootstrap and Merton on the "
        f"combined score (mean over {len(SEEDS)} seeds)": all(
            seeds.mean(axis=1)[ours] > seeds.mean(axis=1)[b]
            for b in (
                "arch GARCH-t",
                "arch GJR-skew-t",
                "stationary block bootstrap",
                "Merton (MLE)",
            )
        ),
        "also beats the long-block bootstrap": bool(
            seeds.mean(axis=1)[ours] > seeds.mean(axis=1)["stationary bootstrap, long blocks"]
        ),
    }
    wins = int((seeds.loc[ours] > seeds.loc["stationary block bootstrap"]).sum())
    margin = float(seeds.mean(axis=1)[ours] - seeds.mean(axis=1)["stationary block bootstrap"])
    notes.insert(
        0,
        f"Where we lose: against the stationary block bootstrap the margin of the mean is "
        f"{margin:+.3f} and edgecase wins on {wins} of {len(SEEDS)} seeds, i.e. a tie within "
        "seed noise; the bootstrap resamples the real returns, so it wins on tails, the "
        "1-5 day distribution and ACF of r, and loses the long memory of |r| (ACF ~0 beyond "
        "lag 20). The long-block bootstrap beats every model clearly.",
    )
    seeds_tab = seeds.copy()
    seeds_tab.columns = [f"seed {c}" for c in seeds.columns]
    seeds_tab["mean"] = seeds.mean(axis=1)
    seeds_tab["min"] = seeds.min(axis=1)
    seeds_tab["max"] = seeds.max(axis=1)
    seeds_tab = seeds_tab.sort_values("mean", ascending=False)
    body = "\n".join(
        [
            f"{N_PATHS} paths x {r.size} days per model (as long as the real sample); "
            "each fact is the median over paths. Combined score in (0, 1], higher is better "
            "(mean over groups of 1/(1+error), errors scaled as in `edgecase.market.facts`).",
            "",
            f"### Combined score ({len(SEEDS)} seeds; tables below are for the first)",
            "```",
            seeds_tab.round(3).to_string(),
            "```",
            "### Group scores",
            "```",
            groups.round(3).to_string(),
            "```",
            "### Statistics",
            "```",
            table.round(3).to_string(),
            "```",
            "### Targets (edgecase base, severity 0)",
            *[f"- {k}: {'met' if v else '**missed**'}" for k, v in checks.items()],
            "",
            *[f"- {n}" for n in notes],
        ]
    )
    record(
        "market_realism",
        "Market realism scorecard (S&P 500)",
        ".venv/bin/python -m benchmarks.bench_realism",
        body,
    )
    print(body)


if __name__ == "__main__":
    # no argument (as `make bench` runs it): both scorecards; --oos or --in-sample: one
    if "--in-sample" in sys.argv[1:] or "--oos" not in sys.argv[1:]:
        main()
    if "--oos" in sys.argv[1:] or "--in-sample" not in sys.argv[1:]:
        main_oos()
