"""`edgecase simulate` makes a whole labelled table; `edgecase train` on it does not leak.

Run in-process through ``edgecase.cli.main`` (the console script on PATH may be
another checkout's)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from edgecase.cli import main
from edgecase.fraud import COLUMNS


def test_simulate_then_train_on_the_whole_table(tmp_path: Path, capsys) -> None:
    out = tmp_path / "txns.parquet"
    argv = ["simulate", "--n", "20000", "--fraud-rate", "0.01", "--out", str(out)]
    assert main([*argv, "--seed", "3", "--no-progress"]) == 0
    df = pd.read_parquet(out)
    assert list(df.columns) == COLUMNS and len(df) == 20_000
    assert int(df["is_fraud"].sum()) == 200
    assert "200 fraud in" in capsys.readouterr().out

    model = tmp_path / "model"
    argv = ["train", str(out), "--target", "is_fraud", "--cv", "3", "--out", str(model)]
    assert main([*argv, "--no-progress"]) == 0
    err = capsys.readouterr()
    assert "leakage guard dropped" in err.err
    for col in ("transaction_id", "account_id", "typology", "label_time", "timestamp"):
        assert repr(col) in err.err
    meta = json.loads((model / "metadata.json").read_text())
    names = {f["name"] for f in meta["features"]}
    assert not names & {"typology", "label_time", "timestamp", "event_id", "transaction_id"}
    pr_auc = pd.DataFrame(meta["cv_report"]).set_index("metric").loc["pr_auc", "oof"]
    assert pr_auc < 0.99  # no perfect score from a leak

    code = main([*argv[:-2], "--out", str(tmp_path / "m2"), "--leakage", "raise", "--no-progress"])
    assert code == 2
    assert "leakage guard" in capsys.readouterr().err


def test_simulate_refuses_a_bad_rate(tmp_path: Path, capsys) -> None:
    out = str(tmp_path / "t.csv")
    assert main(["simulate", "--n", "100", "--fraud-rate", "0.9", "--out", out]) == 2
    assert "--fraud-rate must be" in capsys.readouterr().err  # the flag, not the parameter
