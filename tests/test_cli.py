"""The installed ``edgecase`` command, end to end, in a temporary directory.

Every test runs the console script of this virtualenv in a subprocess, as a
user would, and checks the files it writes, its stdout and its stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from edgecase.fraud import FEATURE_COLUMNS, simulate_transactions, split_features


def _find_edgecase() -> Path:
    here = Path(sys.executable).parent / "edgecase"
    if here.exists():
        return here
    found = shutil.which("edgecase")
    # The CLI is part of the package: a missing console script is an installation bug.
    assert found, "the `edgecase` console script is not installed (pip install -e .)"
    return Path(found)


EDGECASE = _find_edgecase()


def run(*args: str, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [str(EDGECASE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    if ok:
        assert proc.returncode == 0, f"edgecase {' '.join(args)} failed:\n{proc.stderr}"
    return proc


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> str:
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("edgecase: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# ----------------------------------------------------------------------------- --help

HELP = {
    (): ["demo", "generate", "train", "stress", "quality", "--debug"],
    ("demo",): ["--out", "--seed", "--config"],
    ("generate",): ["fraud", "market"],
    ("generate", "fraud"): ["--n", "--typology", "--severity", "--from", "--out", "--seed"],
    ("generate", "market"): ["--n", "--steps", "--scenario", "--severity", "--series", "--out"],
    ("train",): ["data", "--target", "--sampler", "--threshold", "--cv", "--out"],
    ("stress",): ["model_dir", "data", "--scenario", "--severities", "--n-boot", "--out"],
    ("quality",): ["real", "synthetic", "--target", "--out", "--config"],
}


@pytest.mark.parametrize("command", list(HELP), ids=lambda c: " ".join(c) or "edgecase")
def test_help(tmp_path: Path, command: tuple[str, ...]) -> None:
    proc = run(*command, "--help", cwd=tmp_path)
    assert proc.stdout.startswith(f"usage: {' '.join(['edgecase', *command])}")
    for option in HELP[command]:
        assert option in proc.stdout, f"{option} missing from `{command} --help`"
    assert proc.stderr == ""


# ----------------------------------------------------------------------------- generate


def test_generate_fraud_parquet(tmp_path: Path) -> None:
    proc = run(
        "generate", "fraud", "--n", "200", "--population", "5000", "--out", "x.parquet",
        "--no-progress", cwd=tmp_path,
    )  # fmt: skip
    assert "wrote 200 fraud variations" in proc.stdout
    df = pd.read_parquet(tmp_path / "x.parquet")
    assert df.shape == (200, len(FEATURE_COLUMNS) + 1)
    assert list(df.columns) == [*FEATURE_COLUMNS, "is_fraud"]
    assert df["is_fraud"].all()  # every variation is a fraud row, labelled as in the data
    assert isinstance(df["merchant_category"].dtype, pd.CategoricalDtype)
    assert (df["amount"] >= 0.01).all() and df["hour"].between(0, 23).all()


def test_generate_fraud_typology_is_reproducible(tmp_path: Path) -> None:
    args = ["generate", "fraud", "--n", "60", "--population", "3000", "--typology",
            "card_testing", "--severity", "0", "--seed", "7", "--no-progress"]  # fmt: skip
    run(*args, "--out", "a.csv", cwd=tmp_path)
    run(*args, "--out", "b.csv", cwd=tmp_path)
    a = (tmp_path / "a.csv").read_bytes()
    assert a == (tmp_path / "b.csv").read_bytes()
    df = pd.read_csv(tmp_path / "a.csv")
    assert len(df) == 60
    # severity 0 card testing: tiny online authorisations
    assert (df["channel"] == "online").all()
    assert df["amount"].median() < 5


def test_generate_market_csv(tmp_path: Path) -> None:
    proc = run(
        "generate", "market", "--n", "20", "--steps", "60", "--scenario", "crash",
        "--out", "m.csv", cwd=tmp_path,
    )  # fmt: skip
    assert "wrote 20 crash paths x 60 steps" in proc.stdout
    df = pd.read_csv(tmp_path / "m.csv")
    assert list(df.columns) == ["path", "step", "log_return"]
    assert len(df) == 20 * 60
    assert sorted(df["path"].unique()) == list(range(20))
    assert np.isfinite(df["log_return"]).all()
    # A severity-1 crash: the worst day of a typical path is far beyond a normal day.
    worst = df.groupby("path")["log_return"].min()
    assert worst.median() < -0.04


# ----------------------------------------------------------------------------- train + stress


def _simulator_csvs(tmp_path: Path) -> tuple[Path, Path]:
    df = simulate_transactions(2_000, fraud_rate=0.03, random_state=0, progress=False)
    cut = df["timestamp"].quantile(0.6)
    paths = []
    for name, part in [
        ("train.csv", df[df["timestamp"] <= cut]),
        ("test.csv", df[df["timestamp"] > cut]),
    ]:
        X, y = split_features(part)
        X.assign(is_fraud=y).to_csv(tmp_path / name, index=False)
        paths.append(tmp_path / name)
    return paths[0], paths[1]


def test_train_then_stress(tmp_path: Path) -> None:
    train, test = _simulator_csvs(tmp_path)
    proc = run(
        "train", train.name, "--target", "is_fraud", "--cv", "2",
        "--threshold", "alert_rate=0.03", "--out", "model", "--no-progress", cwd=tmp_path,
    )  # fmt: skip
    meta = json.loads((tmp_path / "model" / "metadata.json").read_text())
    assert (tmp_path / "model" / "model.json").exists()
    assert meta["threshold_policy"] == "alert_rate=0.03"
    assert f"threshold {meta['threshold']:.4g}" in proc.stdout
    assert "pr_auc" in proc.stdout
    # CSV shows only the levels its rows use; the simulator's declared levels are restored.
    country = next(f for f in meta["features"] if f["name"] == "country")
    assert len(country["categories"]) > 17

    from edgecase.train import Trainer

    model = Trainer.load(tmp_path / "model")
    assert list(model.feature_names_in_) == FEATURE_COLUMNS

    proc = run(
        "stress", "model", test.name, "--n-boot", "50", "--severities", "0,1,2",
        "--scenario", "amount_evasion", "--scenario", "typology_card_testing",
        "--out", "rep", "--no-progress", cwd=tmp_path,
    )  # fmt: skip
    report = json.loads((tmp_path / "rep" / "stress.json").read_text())
    assert (tmp_path / "rep" / "stress.html").stat().st_size > 10_000  # embedded figures
    assert report["metric"] == "recall"
    assert report["severities"] == [0.0, 1.0, 2.0]
    assert [b["scenario"] for b in report["breaking_points"]] == [
        "amount_evasion",
        "typology_card_testing",
    ]
    assert len(report["curves"]) == 2 * 3
    assert report["alert_threshold"] == pytest.approx(meta["threshold"])
    assert "typology_card_testing" in proc.stdout

    # a test table with a level the model never saw: one clear line, not a crash
    bad = pd.read_csv(test)
    bad.loc[0, "channel"] = "carrier_pigeon"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    proc = run("stress", "model", "bad.csv", "--out", "rep2", cwd=tmp_path, ok=False)
    assert_one_line_error(proc, "channel", "carrier_pigeon")
    assert not (tmp_path / "rep2").exists()


# ----------------------------------------------------------------------------- quality


def test_quality(tmp_path: Path) -> None:
    from imblearn.over_sampling import SMOTE

    from edgecase.datasets import load_keel

    X, y = load_keel("yeast4")
    X, y = X.iloc[::2], y.iloc[::2]  # 742 rows, 25 positive: enough for every part, fast
    X.assign(y=y).to_csv(tmp_path / "real.csv", index=False)
    Xs, ys = SMOTE(random_state=0).fit_resample(X, y)
    Xs.assign(y=ys).iloc[len(X) :].to_parquet(tmp_path / "synth.parquet")
    proc = run(
        "quality", "real.csv", "synth.parquet", "--target", "y", "--out", "q", "--no-progress",
        cwd=tmp_path,
    )  # fmt: skip
    assert "real-vs-synthetic AUC" in proc.stdout
    rep = json.loads((tmp_path / "q" / "quality.json").read_text())
    assert {"summary", "flags", "privacy", "utility"} <= set(rep)
    # SMOTE interpolates between real rows, so its rows sit closer to them than holdout rows do
    assert any("DCR" in f for f in rep["flags"])
    assert (tmp_path / "q" / "quality.html").exists()


# ----------------------------------------------------------------------------- --config


def test_config_values_and_flag_override(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text(
        'seed = 3\ntarget = "is_fraud"\n\n'
        '[generate.market]\nn = 5\nsteps = 30\nscenario = "vol_spike"\nout = "cfg.csv"\n'
    )
    proc = run("generate", "market", "--config", "c.toml", cwd=tmp_path)
    assert "wrote 5 vol_spike paths x 30 steps" in proc.stdout
    assert len(pd.read_csv(tmp_path / "cfg.csv")) == 5 * 30

    # flags override the file
    run("generate", "market", "--config", "c.toml", "--n", "3", "--out", "flag.csv", cwd=tmp_path)
    assert len(pd.read_csv(tmp_path / "flag.csv")) == 3 * 30
    # the file's values are the ones used: the same call spelled out gives the same bytes
    run(
        "generate", "market", "--n", "5", "--steps", "30", "--scenario", "vol_spike",
        "--seed", "3", "--out", "explicit.csv", cwd=tmp_path,
    )  # fmt: skip
    assert (tmp_path / "explicit.csv").read_bytes() == (tmp_path / "cfg.csv").read_bytes()


def test_config_errors(tmp_path: Path) -> None:
    (tmp_path / "typo.toml").write_text("[train]\ntraget = 'y'\n")
    (tmp_path / "broken.toml").write_text("[train\n")
    (tmp_path / "d.csv").write_text("a,y\n1,0\n2,1\n")
    proc = run("train", "d.csv", "--config", "typo.toml", cwd=tmp_path, ok=False)
    assert_one_line_error(proc, "traget", "typo.toml")
    proc = run("train", "d.csv", "--config", "broken.toml", cwd=tmp_path, ok=False)
    assert_one_line_error(proc, "not valid TOML")
    proc = run("train", "d.csv", "--config", "missing.toml", cwd=tmp_path, ok=False)
    assert_one_line_error(proc, "missing.toml", "does not exist")


# ----------------------------------------------------------------------------- bad input

BAD = [
    (["train", "nope.csv", "--target", "y", "--out", "m"], ["nope.csv", "does not exist"]),
    (["train", "d.csv", "--target", "yy", "--out", "m"], ["--target 'yy'", "Did you mean", "'y'"]),
    (["train", "d.csv", "--out", "m"], ["needs --target"]),
    (["train", "d.txt.json", "--target", "y", "--out", "m"], ["expected .csv or .parquet"]),
    (["generate", "fraud", "--n", "0", "--out", "x.csv"], ["n"]),
    (["generate", "market", "--severity", "-1", "--out", "m.csv"], ["severity"]),
    (["generate", "market", "--scenario", "krash", "--out", "m.csv"], ["krash", "crash"]),
    (["generate", "market", "--n", "2", "--out", "m.xlsx"], ["m.xlsx", ".csv or .parquet"]),
    (["stress", "nomodel", "d.csv", "--target", "y", "--out", "r"], ["nomodel"]),
    (["quality", "d.csv", "empty.csv"], ["empty.csv"]),
    (["generate", "fraud", "--n", "many"], ["--n", "invalid int value"]),
    (["frobnicate"], ["'frobnicate' is not a command", "train"]),
    (["trian"], ["'trian' is not a command", "Did you mean 'train'?"]),
    (["demo", "--out", "d.csv"], ["--out 'd.csv' is an existing file"]),
]


@pytest.mark.parametrize("argv,needles", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_one_line(tmp_path: Path, argv: list[str], needles: list[str]) -> None:
    (tmp_path / "d.csv").write_text("a,b,y\n1,2.5,0\n2,3.5,1\n3,1.5,0\n")
    (tmp_path / "d.txt.json").write_text("{}")
    (tmp_path / "empty.csv").write_text("")
    proc = run(*argv, cwd=tmp_path, ok=False)
    assert proc.returncode == 2
    assert_one_line_error(proc, *needles)


def test_debug_shows_traceback(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("a,y\n1,0\n2,1\n")
    for argv in (
        ["--debug", "train", "d.csv", "--target", "yy", "--out", "m"],
        ["train", "d.csv", "--target", "yy", "--out", "m", "--debug"],
    ):
        proc = run(*argv, cwd=tmp_path, ok=False)
        assert proc.returncode == 2  # bad input: the same status as without --debug
        assert "Traceback (most recent call last)" in proc.stderr
        assert "InvalidParameterError" in proc.stderr


def test_generate_fraud_from_your_table_keeps_its_label(tmp_path: Path) -> None:
    from edgecase.datasets import load_keel

    X, y = load_keel("yeast4")
    X.assign(Class=np.where(y == 1, "positive", "negative")).to_csv(
        tmp_path / "yeast4.csv", index=False
    )
    run("generate", "fraud", "--from", "yeast4.csv", "--target", "Class", "--n", "50",
        "--severity", "0.5", "--out", "more.csv", "--no-progress", cwd=tmp_path)  # fmt: skip
    df = pd.read_csv(tmp_path / "more.csv")
    assert list(df.columns) == [*X.columns, "Class"] and len(df) == 50
    assert (df["Class"] == "positive").all()
