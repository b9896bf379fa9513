"""evaluate() on real KEEL data: the metrics move the right way.

The generators here are small real ones written for the test (imbalanced-learn
SMOTE interpolation, a row copier, Gaussian noise); edgecase's own generators
are added by the lead after the merge.
"""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import SMOTE

from edgecase.datasets import load_keel
from edgecase.errors import SchemaViolationError
from edgecase.quality import QualityReport, evaluate


def _split(real: pd.DataFrame, target: str, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stratified 75/25 split: the generators below only ever see the first part."""
    rng = np.random.default_rng(seed)
    hold = []
    for _, part in real.groupby(target, observed=True):
        idx = rng.permutation(part.index.to_numpy())
        hold.extend(idx[: len(idx) // 4])
    mask = real.index.isin(hold)
    return real[~mask].reset_index(drop=True), real[mask].reset_index(drop=True)


def smote_table(real: pd.DataFrame, target: str, seed: int) -> pd.DataFrame:
    """A good generator: SMOTE interpolation within each class, as many new rows as real."""
    X, y = real.drop(columns=target), real[target]
    counts = y.value_counts().to_dict()
    sm = SMOTE(sampling_strategy={k: 2 * v for k, v in counts.items()}, random_state=seed)
    Xr, yr = sm.fit_resample(X, y)
    out = Xr.iloc[len(X) :].assign(**{target: yr.iloc[len(X) :].to_numpy()})
    return out.reset_index(drop=True)


def copy_rows(real: pd.DataFrame, seed: int) -> pd.DataFrame:
    """A leaking generator: resamples real rows as they are."""
    rng = np.random.default_rng(seed)
    return real.iloc[rng.integers(0, len(real), len(real))].reset_index(drop=True)


def noise_like(real: pd.DataFrame, target: str, seed: int) -> pd.DataFrame:
    """A useless generator: standard normal noise, labels kept."""
    rng = np.random.default_rng(seed)
    X = real.drop(columns=target)
    noise = pd.DataFrame(rng.normal(size=X.shape), columns=X.columns)
    return noise.assign(**{target: real[target].to_numpy()})


@pytest.fixture(scope="module")
def yeast() -> tuple[pd.DataFrame, pd.DataFrame]:
    X, y = load_keel("yeast4")
    return _split(X.assign(y=y), "y")


@pytest.fixture(scope="module")
def reports(yeast) -> dict[str, QualityReport]:
    ref, hold = yeast
    synth = {
        "identical": ref.copy(),
        "smote": smote_table(ref, "y", 1),
        "copy": copy_rows(ref, 2),
        "noise": noise_like(ref, "y", 3),
    }
    return {
        k: evaluate(ref, s, target="y", holdout=hold, random_state=0, progress=False)
        for k, s in synth.items()
    }


def _summary(rep: QualityReport, metric: str, area: str | None = None) -> float:
    s = rep.summary()
    sel = s["metric"] == metric
    if area is not None:
        sel &= s["area"] == area
    return float(s.loc[sel, "value"].iloc[0])


def test_identical_data_is_perfectly_faithful_and_fails_privacy(reports):
    rep = reports["identical"]
    assert (rep.fidelity["statistic"] == 0).all() and (rep.fidelity["score"] == 1).all()
    assert (rep.fidelity_minority["score"] == 1).all()
    assert np.allclose(rep.tails["error_sd"], 0) and np.allclose(rep.tails_minority["error_sd"], 0)
    assert np.nanmax(np.abs(rep.association_diff.to_numpy())) == 0
    assert rep.privacy["exact_copy_share"] == 1.0
    assert rep.privacy["dcr_synthetic_median"] == 0.0
    assert rep.privacy["membership_auc"] > 0.95  # every member is in the synthetic table
    assert abs(rep.detection["all rows"]["auc"] - 0.5) < 0.15
    flags = rep.flags
    assert "privacy: exact copies of real rows (share)" in flags
    assert "privacy: membership-inference AUC" in flags
    assert not any(f.startswith("fidelity") or f.startswith("detection") for f in flags)


def test_noise_fails_fidelity_and_detection(reports):
    rep = reports["noise"]
    assert rep.fidelity["score"].mean() < 0.6
    assert rep.detection["all rows"]["auc"] > 0.97
    assert rep.detection["minority"]["auc"] > 0.9
    assert _summary(rep, "tail quantile |error| (sd, 1/99/99.9%)", "fidelity") > 1
    assert rep.privacy["exact_copy_share"] == 0
    flags = rep.flags
    assert "fidelity: column score (mean of 1-KS / 1-TV)" in flags
    assert "detection: real-vs-synthetic AUC (all rows)" in flags
    # noise is useless to train on, and hurts when added to the real rows
    u = rep.utility.set_index("setting")["pr_auc"]
    assert u["TSTR (synthetic)"] < 0.5 * u["TRTR (real)"]
    assert "utility: TSTR / TRTR" in flags


def test_copying_generator_is_flagged(reports):
    rep = reports["copy"]
    assert rep.privacy["exact_copy_share"] == 1.0
    assert rep.privacy["share_closer_than_holdout_p5"] > 0.5
    # about 63% of the reference rows were drawn, holdout rows never were
    assert 0.55 < rep.privacy["real_rows_copied_share"] < 0.75
    assert rep.privacy["membership_auc"] > 0.75
    # the rare class is checked on its own: copied fraud rows are the worst leak
    assert rep.privacy["minority_exact_copy_share"] == 1.0
    assert rep.privacy["minority_share_closer_than_holdout_p5"] > 0.5
    assert "privacy: exact copies of real rows (minority, share)" in rep.flags
    assert {
        "privacy: exact copies of real rows (share)",
        "privacy: closer than holdout 5% DCR (share)",
        "privacy: membership-inference AUC",
    } <= set(rep.flags)


def test_interpolating_generator_sits_between(reports):
    good, same, noise, copy = (reports[k] for k in ("smote", "identical", "noise", "copy"))
    f = {k: r.fidelity["score"].mean() for k, r in reports.items()}
    assert f["noise"] < f["smote"] < f["identical"]
    assert f["smote"] > 0.85
    det = {k: r.detection["all rows"]["auc"] for k, r in reports.items()}
    # SMOTE still gives itself away (it puts values between the few levels of yeast's
    # discrete columns, e.g. Erl and Pox), but less than noise and more than a copy
    assert det["identical"] < det["smote"] < det["noise"]
    assert good.privacy["exact_copy_share"] < 0.02
    assert good.privacy["membership_auc"] < copy.privacy["membership_auc"]
    dcr = {k: r.privacy["dcr_synthetic_median"] for k, r in reports.items()}
    assert dcr["identical"] == 0 < dcr["smote"] < dcr["noise"]
    assert "privacy: exact copies of real rows (share)" not in good.flags
    # interpolated rows keep most of the signal a model needs on real test rows
    u = good.utility.set_index("setting")["pr_auc"]
    assert u["TSTR (synthetic)"] > 0.5 * u["TRTR (real)"]
    assert u["TSTR (synthetic)"] > 3 * good.utility["test_positive_share"].iloc[0]


def test_minority_only_synthetic_rows(yeast):
    """Generators of minority variations (FraudScenarioGenerator-like): target holds one class."""
    ref, hold = yeast
    X, y = ref.drop(columns="y"), ref["y"]
    n_min = int(y.sum())
    Xr, _ = SMOTE(sampling_strategy={1: 3 * n_min}, random_state=0).fit_resample(X, y)
    synth = Xr.iloc[len(X) :].assign(y=np.int8(1)).reset_index(drop=True)
    rep = evaluate(ref, synth, target="y", holdout=hold, random_state=0, progress=False)
    assert rep.meta["positive_share_synthetic"] == 1.0
    u = rep.utility.set_index("setting")
    assert np.isnan(u.loc["TSTR (synthetic)", "pr_auc"])
    assert u.loc["augmented (real + synthetic)", "train_positives"] == n_min + 2 * n_min
    assert any("one class" in n for n in rep.notes)
    # whole-table metrics compare like with like (real minority rows), not the class balance
    assert any("are all class 1" in n for n in rep.notes)
    pd.testing.assert_frame_equal(rep.fidelity, rep.fidelity_minority)
    assert rep.fidelity_minority["score"].mean() > 0.8
    assert not any(f.startswith("fidelity") for f in rep.flags)


def test_categorical_columns_use_total_variation_and_association(tmp_path):
    X, y = load_keel("abalone19")
    real = X.assign(y=y)
    synth = real.copy()
    rng = np.random.default_rng(0)
    synth["Sex"] = pd.Categorical(
        rng.permutation(synth["Sex"].astype(str).to_numpy()), categories=X["Sex"].cat.categories
    )
    rep = evaluate(real, synth, target="y", random_state=0, progress=False)
    row = rep.fidelity.set_index("column").loc["Sex"]
    assert row["metric"] == "TV" and row["statistic"] == 0  # same marginal...
    # ...but the permutation destroyed Sex's association with the size columns
    assert rep.association_real.loc["Sex", "Length"] > 0.3
    assert abs(rep.association_synthetic.loc["Sex", "Length"]) < 0.1
    assert _summary(rep, "association |diff| (pairs with a categorical)", "fidelity") > 0.2
    assert _summary(rep, "correlation |diff| (numeric pairs)", "fidelity") == 0


def test_constraints_flag_unknown_levels_and_non_integers():
    X, y = load_keel("page-blocks0")
    real = X.assign(y=y).iloc[::4].reset_index(drop=True)  # 1,368 rows keep the test fast
    X = real.drop(columns="y")
    int_col = [c for c in X.columns if X[c].dtype == np.int64][0]
    synth = real.copy()
    synth[int_col] = synth[int_col].astype(float)
    synth.loc[:9, int_col] += 0.5
    flt = [c for c in X.columns if X[c].dtype == np.float64 and (X[c] >= 0).all()][0]
    synth.loc[10:14, flt] = -1.0
    synth.loc[15:16, flt] = float(X[flt].max()) * 10
    rep = evaluate(real, synth, target="y", random_state=0, progress=False)
    c = rep.constraints.set_index("column")
    assert c.loc[int_col, "non_integer"] == 10
    assert c.loc[flt, "negative"] == 5 and c.loc[flt, "outside_observed_range"] == 7
    assert rep.constraint_shares["violation_share"] == pytest.approx(15 / len(real))
    assert "constraints: rows breaking a hard rule (share)" in rep.flags
    # edgecase.schema lands with the fraud branch; until then the report says so
    assert rep.schema_check["edgecase schema"].startswith(("inferred", "edgecase.schema is not"))

    X2, y2 = load_keel("abalone19")
    real2 = X2.assign(y=y2).iloc[::3].reset_index(drop=True)
    synth2 = real2.copy()
    synth2["Sex"] = synth2["Sex"].cat.add_categories(["X"])
    synth2.loc[:3, "Sex"] = "X"
    rep2 = evaluate(real2, synth2, target="y", random_state=0, progress=False)
    assert rep2.constraints.set_index("column").loc["Sex", "unknown_level"] == 4


def test_declared_schema_is_checked(yeast):
    ref = yeast[0].iloc[::3].reset_index(drop=True)  # the rules do not need many rows

    class Bounds:  # duck-typed stand-in for an edgecase TableSchema that raises
        def check(self, df):
            if (df["Mcg"] > 0.9).any():
                raise SchemaViolationError("column 'Mcg' above 0.9")
            return df

    rep = evaluate(ref, ref.copy(), target="y", schema=Bounds(), random_state=0, progress=False)
    assert rep.schema_check["edgecase schema"].startswith("declared: violated: column 'Mcg'")
    low = ref[ref["Mcg"] <= 0.9]
    rep = evaluate(ref, low, target="y", schema=Bounds(), random_state=0, progress=False)
    assert rep.schema_check["edgecase schema"].startswith("declared: passed")

    class Report:  # TableSchema.check(df) returns a report with .ok and .violations
        def __init__(self, table):
            self.violations, self.ok = table, table.empty

        def __str__(self):
            return f"{len(self.violations)} rule(s) broken"

    class Reporting:
        def check(self, df):
            n = int((df["Gvh"] < 0.3).sum())
            rows = [("Gvh", "below low", n, [])] if n else []
            return Report(pd.DataFrame(rows, columns=["column", "rule", "n_rows", "examples"]))

    rep = evaluate(ref, ref.copy(), target="y", schema=Reporting(), random_state=0, progress=False)
    n_low = int((ref["Gvh"] < 0.3).sum())
    assert n_low > 0 and rep.schema_violations["n_rows"].sum() == n_low
    assert rep.schema_check["edgecase schema"] == "declared: violated: 1 rule(s) broken"
    assert _summary(rep, "schema violations (row x rule)") == n_low
    assert "constraints: schema violations (row x rule)" in rep.flags


def test_same_seed_same_report_and_outputs(yeast, reports, tmp_path):
    ref, hold = yeast
    synth = smote_table(ref, "y", 1)
    a = evaluate(ref, synth, target="y", holdout=hold, random_state=0, progress=False)
    assert a.to_json() == reports["smote"].to_json()
    data = json.loads(a.to_json())
    assert {"summary", "fidelity", "privacy", "utility", "detection"} <= set(data)
    assert len(data["summary"]) == len(a.summary())
    path = a.to_html(tmp_path / "q" / "quality.html")
    html = path.read_text()
    assert "data:image/png;base64," in html and "Synthetic data quality" in html
    fig = a.plot()
    assert len(fig.axes) >= 6
    plt.close(fig)


def test_privacy_in_a_second_thread_gives_the_same_report(yeast, reports):
    # the default n_jobs=2 overlaps the privacy part with the others; one after another
    # must give the same report, and the BLAS limit must be restored afterwards
    from threadpoolctl import threadpool_info

    before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    ref, hold = yeast
    synth = smote_table(ref, "y", 1)
    serial = evaluate(
        ref, synth, target="y", holdout=hold, random_state=0, n_jobs=1, progress=False
    )
    assert serial.to_json() == reports["smote"].to_json()
    assert set(serial.meta["seconds"]) == {
        "fidelity",
        "detection",
        "privacy",
        "utility",
        "constraints",
    }
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == before


def test_without_target_and_subsampling_is_reported(yeast):
    ref, _ = yeast
    X = ref.drop(columns="y")
    synth = copy_rows(X, 5)
    rep = evaluate(X, synth, random_state=1, n_queries=100, max_rows=200, progress=False)
    assert rep.utility is None and rep.fidelity_minority is None
    assert "detection" in " ".join(rep.sampling) and "DCR/NNDR: 100 of" in " ".join(rep.sampling)
    assert rep.privacy["n_dcr_queries"] == 100
    assert rep.privacy["exact_copy_share"] == 1.0
    assert any("no holdout given" in n for n in rep.notes)
    fig = rep.plot()  # no target: the utility panel says so instead of failing
    assert len(fig.axes) >= 6
    plt.close(fig)


@st.composite
def small_valid_pairs(draw):
    """Small mixed-type real/synthetic tables that are valid input, in odd shapes."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_r, n_s = draw(st.integers(8, 40)), draw(st.integers(1, 40))
    n_pos = draw(st.integers(2, n_r // 2))

    def table(n: int, levels: list[str]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "x": rng.normal(size=n),
                "k": rng.integers(0, 3, n),
                "const": np.ones(n),
                "c": pd.Categorical(rng.choice(levels, n), categories=levels),
                "b": rng.random(n) > 0.5,
                "t": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 9, n), unit="h"),
            }
        )

    real = table(n_r, ["p", "q"]).assign(y=np.r_[np.ones(n_pos), np.zeros(n_r - n_pos)].astype(int))
    synth = table(n_s, draw(st.sampled_from([["p", "q"], ["q", "p", "r"], ["r"]])))
    synth["y"] = draw(st.sampled_from([1, 0])) if draw(st.booleans()) else rng.integers(0, 2, n_s)
    return real, synth, draw(st.sampled_from(["y", None]))


@settings(max_examples=8, deadline=None, database=None)
@given(small_valid_pairs())
def test_small_odd_inputs_give_a_report_not_a_crash(pair):
    real, synth, target = pair
    rep = evaluate(real, synth, target=target, random_state=0, progress=False, n_folds=2)
    s = rep.summary()
    assert len(s) > 10 and s["flag"].dtype == bool
    json.loads(rep.to_json())
