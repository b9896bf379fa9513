"""`edgecase stress-portfolio`, run in-process (the installed console script is another tree)."""

import pandas as pd
import pytest

from edgecase.cli import main


def test_stress_portfolio_writes_the_table(tmp_path, capsys):
    out = tmp_path / "book.csv"
    code = main([
        "stress-portfolio", "--weights", "sp500=0.6,nasdaq=0.4", "--scenarios", "base,crash",
        "--severities", "0,1", "--n", "500", "--horizon", "21", "--out", str(out),
    ])  # fmt: skip
    assert code == 0
    t = pd.read_csv(out)
    assert len(t) == 4 and {"var", "es", "var_low", "var_high"} <= set(t.columns)
    crash = t[t.scenario == "crash"].set_index("severity")["var"]
    assert crash[1.0] > crash[0.0]
    assert "worst 99% VaR" in capsys.readouterr().out


@pytest.mark.parametrize("weights", ["sp500", "sp500=abc", "=0.5"])
def test_stress_portfolio_bad_weights(tmp_path, capsys, weights):
    code = main(["stress-portfolio", "--weights", weights, "--out", str(tmp_path / "x.csv")])
    assert code == 2
    assert "--weights" in capsys.readouterr().err
