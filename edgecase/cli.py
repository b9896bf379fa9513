"""Command line: ``edgecase demo | simulate | generate | train | stress | quality``.

Every command takes ``--config FILE.toml``: keys of the table named after the
command (``[train]``, ``[generate.market]`` ...) or at the top level set the
defaults, flags on the command line override them; every table and key in the file
must belong to some command and have its option's type. Bad input prints one clear
line on stderr starting with ``edgecase: error:`` and exits with status 2 (1 for
an unexpected error); ``--debug`` adds the traceback and keeps the status.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from typing import Any

from edgecase._cli_checks import (
    check_column,
    check_count,
    check_demo_out,
    check_out,
    check_out_folder,
)
from edgecase._cli_config import apply_config, command_parsers
from edgecase._cli_parser import CliParser, cli_message, flag_names, required_dests
from edgecase._validate import check_choice, check_severity
from edgecase.errors import (
    EdgecaseError,
    InvalidInputError,
    InvalidParameterError,
    UnknownNameError,
)

__all__ = ["main", "build_parser", "read_table", "write_table"]


# ----------------------------------------------------------------------------- I/O helpers


def read_table(path: str | Path) -> Any:
    """Read a CSV or Parquet file; text columns become pandas ``category``."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InvalidInputError(f"data file {str(path)!r} does not exist.")
    suffix = path.suffix.lower()
    if path.is_dir() or suffix in {".parquet", ".pq"}:
        reader = pd.read_parquet
    elif suffix in {".csv", ".txt", ".gz"}:
        reader = pd.read_csv
    else:
        raise InvalidInputError(
            f"data file {str(path)!r}: expected .csv or .parquet, got {suffix!r}."
        )
    try:
        df = reader(path)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        # pandas' ParserError/EmptyDataError and pyarrow's ArrowInvalid are ValueErrors.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidInputError(f"data file {str(path)!r} could not be read: {first}") from exc
    if df.shape[1] == 0 or len(df) == 0:
        raise InvalidInputError(f"data file {str(path)!r} has no rows or no columns.")
    if reader is pd.read_csv:
        _check_csv_header(path)
    for col in df.columns:
        if pd.api.types.is_string_dtype(df[col].dtype) or df[col].dtype == object:
            df[col] = df[col].astype("category")
    return _simulator_levels(df)


def _check_csv_header(path: Path) -> None:
    """Refuse repeated column names: pandas would silently rename ``a,a`` to ``a, a.1``."""
    import pandas as pd

    header = pd.read_csv(path, header=None, nrows=1, dtype=str).iloc[0].tolist()
    seen = pd.Index(header)
    if seen.has_duplicates:
        dup = sorted({str(c) for c in seen[seen.duplicated()]})
        raise InvalidInputError(
            f"data file {str(path)!r} has repeated column name(s) {dup}; name each column once."
        )


def _simulator_levels(df: Any) -> Any:
    """Give simulator category columns all their declared levels.

    A CSV only shows the levels its rows use; typology scenarios and generators
    write rows with any level of :func:`edgecase.fraud.transaction_schema`, so a
    table with the simulator's feature columns gets the declared levels back
    (values outside them are left as read, and the consumer reports them).
    """
    import pandas as pd

    from edgecase.fraud import FEATURE_COLUMNS, transaction_schema

    if not all(c in df.columns for c in FEATURE_COLUMNS):
        return df
    declared = transaction_schema(features_only=True)
    for col in FEATURE_COLUMNS:
        spec = declared[col]
        if spec.kind != "category" or not isinstance(df[col].dtype, pd.CategoricalDtype):
            continue
        levels = list(spec.categories)
        if set(df[col].cat.categories) <= set(levels):
            df[col] = df[col].astype(pd.CategoricalDtype(levels))
    return df


def write_table(df: Any, path: str | Path) -> Path:
    """Write a DataFrame as CSV or Parquet, chosen by the file extension."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise InvalidInputError(f"df must be a pandas DataFrame; got {type(df).__name__}.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        df.to_parquet(path, index=False)
    elif suffix == ".csv":
        df.to_csv(path, index=False)
    else:
        raise InvalidParameterError(f"--out {str(path)!r}: expected a .csv or .parquet file name.")
    return path


def _split_target(df: Any, target: str) -> tuple[Any, Any]:
    check_column(df, target, "--target")
    return df.drop(columns=[target]), df[target]


# ----------------------------------------------------------------------------- commands


def _cmd_demo(args: argparse.Namespace) -> int:
    from edgecase.demo import run_demo

    check_demo_out(args.out, args.force)
    run_demo(out=args.out, progress=not args.no_progress, seed=args.seed, quick=args.quick)
    return 0


def _cmd_generate_fraud(args: argparse.Namespace) -> int:
    import numpy as np

    from edgecase.fraud import (
        TYPOLOGIES,
        FraudScenarioGenerator,
        simulate_transactions,
        split_features,
    )

    # Cheap checks first: a typo should not wait for a simulation to fail.
    check_count(args.n, "--n")
    check_count(args.population, "--population")
    check_severity(args.severity, "--severity")
    if args.typology is not None:
        check_choice(args.typology, "--typology", list(TYPOLOGIES), error=UnknownNameError)
    check_out(args.out)
    if args.source:
        X, y = _split_target(read_table(args.source), args.target)
    else:
        population = simulate_transactions(
            n_transactions=args.population, random_state=args.seed, progress=not args.no_progress
        )
        X, y = split_features(population)
    gen = FraudScenarioGenerator().fit(X, y)
    rows = gen.generate(
        args.n,
        typology=args.typology,
        severity=args.severity,
        random_state=np.random.default_rng(args.seed),
    )
    # every generated row is a fraud row: label it with the data's own positive label so the
    # file can be appended to the training table as it is
    from edgecase._validate import check_binary_target

    labels = np.asarray(y)
    rows[args.target] = labels[np.flatnonzero(check_binary_target(y, name=args.target) == 1)[0]]
    out = write_table(rows, args.out)
    print(f"wrote {len(rows):,} fraud variations (severity {args.severity}) to {out}")
    return 0


def _cmd_generate_market(args: argparse.Namespace) -> int:
    from edgecase.datasets import load_market
    from edgecase.market import SCENARIOS, BlackSwanGenerator

    check_count(args.n, "--n")
    check_count(args.steps, "--steps")
    check_severity(args.severity, "--severity")
    check_choice(args.scenario, "--scenario", list(SCENARIOS), error=UnknownNameError)
    check_out(args.out)
    if args.returns:
        table = read_table(args.returns)
        col = args.column or table.columns[-1]
        check_column(table, col, "--column", str(args.returns))
        returns = _dated(table, col)
    else:
        returns = load_market(args.series)["log_return"]
    gen = BlackSwanGenerator.from_returns(returns)
    paths = gen.generate(
        args.n,
        n_steps=args.steps,
        scenario=args.scenario,
        severity=args.severity,
        random_state=args.seed,
    )
    out = write_table(paths.to_frame().reset_index(), args.out)
    print(
        f"wrote {args.n:,} {args.scenario} paths x {args.steps} steps (severity {args.severity}) to {out}"
    )
    return 0


def _parse_weights(text: str) -> dict[str, float]:
    """``"sp500=0.6,nasdaq=0.3"`` -> {"sp500": 0.6, "nasdaq": 0.3}."""
    out: dict[str, float] = {}
    for item in str(text).split(","):
        name, sep, value = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            raise InvalidParameterError(
                f"--weights {text!r}: expected name=weight pairs, e.g. sp500=0.6,nasdaq=0.4."
            ) from None
    return out


def _cmd_stress_portfolio(args: argparse.Namespace) -> int:
    import pandas as pd

    from edgecase.datasets import load_market
    from edgecase.market import SCENARIOS, BlackSwanGenerator, Portfolio

    weights = _parse_weights(args.weights)
    scenarios = [x.strip() for x in args.scenarios.split(",")]
    for name in scenarios:
        check_choice(name, "--scenarios", list(SCENARIOS), error=UnknownNameError)
    severities = [float(x) for x in _severities(args.severities)]
    check_out(args.out)
    names = list(weights)
    frame = pd.concat({n: load_market(n)["log_return"] for n in names}, axis=1, sort=True)
    gen = BlackSwanGenerator.from_returns(frame.dropna())
    book = Portfolio(weights, gen)
    res = book.stress(
        scenarios, severities, n_paths=args.n, horizon=args.horizon, level=args.level,
        random_state=args.seed,
    )  # fmt: skip
    out = write_table(res.table, args.out)
    worst = res.table.loc[res.table["var"].idxmax()]
    print(
        f"wrote {len(res.table)} rows ({len(scenarios)} scenarios x {len(severities)} severities, "
        f"{args.n:,} paths x {args.horizon} days) to {out}; worst {args.level:.0%} VaR "
        f"{worst['var']:.1%} ({worst['scenario']}, severity {worst['severity']:g})"
    )
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from edgecase.fraud import simulate_transactions

    check_count(args.n, "--n")
    check_out(args.out)
    df = simulate_transactions(
        args.n, n_accounts=args.accounts, fraud_rate=args.fraud_rate, severity=args.severity,
        days=args.days, random_state=args.seed, progress=not args.no_progress,
    )  # fmt: skip
    out = write_table(df, args.out)
    n_fraud = int(df["is_fraud"].sum())
    n_events = int(df.loc[df["is_fraud"], "event_id"].nunique())
    print(f"wrote {len(df):,} transactions ({n_fraud:,} fraud in {n_events:,} episodes) to {out}")
    return 0


def _dated(table: Any, col: Any) -> Any:
    """The return column, indexed by the table's date column when it has one, so that the
    calibration sees (and refuses) rows that are not in time order."""
    import pandas as pd

    for c in table.columns:
        if c == col:
            continue
        s = table[c]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            dates = s
        elif isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object:
            try:
                dates = pd.to_datetime(s.astype(str), format="ISO8601")
            except (ValueError, TypeError):
                continue
        else:
            continue
        return pd.Series(table[col].to_numpy(), index=pd.DatetimeIndex(dates), name=col)
    return table[col]


def _cmd_train(args: argparse.Namespace) -> int:
    import warnings

    from edgecase.train import Trainer

    X, y = _split_target(read_table(args.data), args.target)
    trainer = Trainer(
        sampler=args.sampler,
        cv=args.cv,
        threshold=args.threshold,
        leakage=args.leakage,
        random_state=args.seed,
        progress=not args.no_progress,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        trainer.fit(X, y)
    for w in caught:
        if "leakage guard" in str(w.message):
            print(f"edgecase: warning: {w.message}", file=sys.stderr)
    trainer.save(args.out)
    report = trainer.cv_report_
    print(f"saved model to {args.out} (threshold {trainer.threshold_:.4g})")
    print(report.to_string() if hasattr(report, "to_string") else report)
    return 0


def _stress_scenarios(names: Any, X: Any) -> list[Any]:
    """Scenarios named on the command line; default: the fraud scenarios on simulator
    columns, else Gaussian noise on every numeric column (any table)."""
    from edgecase.fraud import FEATURE_COLUMNS, TYPOLOGIES
    from edgecase.stress import FRAUD_SCENARIOS, Perturb, fraud_scenarios
    from edgecase.stress.typology import TypologyScenario

    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    if not names:
        if all(c in X.columns for c in FEATURE_COLUMNS):
            return fraud_scenarios()
        return [Perturb()]
    known = [*FRAUD_SCENARIOS, *(f"typology_{t}" for t in TYPOLOGIES), "perturb"]
    out: list[Any] = []
    for name in names:
        check_choice(name, "--scenario", known, error=UnknownNameError)
        if name == "perturb":
            out.append(Perturb())
        elif name.startswith("typology_"):
            out.append(TypologyScenario(name.removeprefix("typology_")))
        else:
            out.append(FRAUD_SCENARIOS[name]())
    return out


def _severities(text: Any) -> Any:
    import numpy as np

    if text is None:
        return np.linspace(0.0, 3.0, 13)
    if isinstance(text, (list, tuple)):
        parts = list(text)
    else:
        parts = [p for p in str(text).split(",") if p.strip()]
    try:
        return np.array([float(p) for p in parts])
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"--severities expects comma-separated numbers such as 0,0.5,1,2; got {text!r}."
        ) from None


def _cmd_stress(args: argparse.Namespace) -> int:
    from edgecase.stress import StressHarness
    from edgecase.train import Trainer

    out = check_out_folder(args.out, "stress.html and stress.json")
    model = Trainer.load(args.model_dir)
    X, y = _split_target(read_table(args.data), args.target)
    harness = StressHarness(
        model,
        _stress_scenarios(args.scenario, X),
        metric=args.metric,
        alert_rate=args.alert_rate,
        breaking_threshold=args.breaking_threshold,
        severities=_severities(args.severities),
        n_boot=args.n_boot,
        random_state=args.seed,
        progress=not args.no_progress,
    )
    report = harness.run(X, y)
    out.mkdir(parents=True, exist_ok=True)
    (out / "stress.json").write_text(report.to_json())
    report.to_html(out / "stress.html")
    print(report.breaking_points.to_string(index=False))
    print(f"wrote {out / 'stress.html'} and {out / 'stress.json'}")
    return 0


def _cmd_quality(args: argparse.Namespace) -> int:
    from edgecase.quality import evaluate

    if args.out:
        check_out_folder(args.out, "quality.html and quality.json")
    real, synth = read_table(args.real), read_table(args.synthetic)
    if args.target is not None:
        check_column(real, args.target, "--target", f"the real table {args.real!r}")
        check_column(synth, args.target, "--target", f"the synthetic table {args.synthetic!r}")
    report = evaluate(
        real, synth, target=args.target, random_state=args.seed, progress=not args.no_progress
    )
    print(report.summary().to_string())
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "quality.json").write_text(report.to_json())
        report.to_html(out / "quality.html")
        print(f"wrote {out / 'quality.html'} and {out / 'quality.json'}")
    return 0


# ----------------------------------------------------------------------------- parser
# ----------------------------------------------------------------------------- parser


def _common(p: argparse.ArgumentParser, *, progress: bool = True) -> None:
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--config", help="TOML file with defaults for this command's options")
    if progress:
        p.add_argument("--no-progress", action="store_true", help="hide progress bars")
    # Also accepted after the command; SUPPRESS keeps the top-level value when absent here.
    p.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )


def _add_demo(sub: Any) -> None:
    demo = sub.add_parser("demo", help="run the end-to-end demo and write edgecase-report/")
    demo.add_argument("--out", default="edgecase-report", help="output folder")
    demo.add_argument("--quick", action="store_true", help="smaller sizes: a smoke run in seconds")
    demo.add_argument(
        "--force",
        action="store_true",
        help="write into an --out folder that holds other files than an earlier demo "
        "report (files of the same names are replaced)",
    )
    _common(demo)
    demo.set_defaults(func=_cmd_demo, section="demo")


def _add_simulate(sub: Any) -> None:
    sim = sub.add_parser("simulate", help="a whole labelled card-transaction table")
    sim.add_argument("--n", type=int, default=200_000, help="rows")
    sim.add_argument("--fraud-rate", type=float, default=0.002, help="share of fraud rows")
    sim.add_argument("--accounts", type=int, default=None, help="accounts (default: n / 40)")
    sim.add_argument("--severity", type=float, default=0.0, help="0 typical, 1 evasive")
    sim.add_argument("--days", type=int, default=90, help="days simulated")
    sim.add_required("--out", help="output .csv or .parquet")
    _common(sim)
    sim.set_defaults(func=_cmd_simulate, section="simulate")


def _add_generate(sub: Any) -> None:
    gen = sub.add_parser("generate", help="generate fraud variations or black-swan market paths")
    gsub = gen.add_subparsers(dest="kind", required=True, metavar="KIND")
    fraud = gsub.add_parser(
        "fraud", help="fraud variations (from your table or the embedded simulator)"
    )
    fraud.add_argument("--n", type=int, default=10_000, help="rows to generate")
    fraud.add_argument(
        "--typology", default=None, help="typology on simulator columns, e.g. card_testing"
    )
    fraud.add_argument(
        "--severity", type=float, default=1.0, help="0 = typical, 1 = calibrated evasive"
    )
    fraud.add_argument(
        "--from", dest="source", help="your labelled table (.csv/.parquet); default: the simulator"
    )
    fraud.add_argument("--target", default="is_fraud", help="label column of --from")
    fraud.add_argument(
        "--population", type=int, default=50_000, help="simulated rows to learn from without --from"
    )
    fraud.add_required("--out", help="output .csv or .parquet")
    _common(fraud)
    fraud.set_defaults(func=_cmd_generate_fraud, section="generate.fraud")

    market = gsub.add_parser("market", help="black-swan paths calibrated to real returns")
    market.add_argument("--n", type=int, default=1_000, help="paths")
    market.add_argument("--steps", type=int, default=252, help="steps per path")
    market.add_argument(
        "--scenario",
        default="crash",
        help="base, crash, vol_spike, correlation_breakdown, liquidity_gap, flash_crash",
    )
    market.add_argument(
        "--severity", type=float, default=1.0, help="0 = calibrated base, 1 = historic worst"
    )
    market.add_argument("--series", default="sp500", help="shipped series to calibrate to")
    market.add_argument(
        "--returns", help="your own daily log returns (.csv/.parquet) instead of --series"
    )
    market.add_argument("--column", help="column of --returns to use (default: the last)")
    market.add_required("--out", help="output .csv or .parquet")
    _common(market, progress=False)
    market.set_defaults(func=_cmd_generate_market, section="generate.market")


def _add_train(sub: Any) -> None:
    train = sub.add_parser("train", help="leak-free training with augmentation inside folds")
    train.add_argument("data", help="labelled table (.csv/.parquet)")
    train.add_required("--target", help="label column")
    train.add_argument(
        "--sampler", default=None, help="none, scale_pos_weight, smote, edgecase, ..."
    )
    train.add_argument(
        "--threshold", default="f1", help='policy: f1, "precision>=0.9", "alert_rate=0.01", ...'
    )
    train.add_argument(
        "--cv", type=int, default=5, help="folds (forward in time if the table has a time column)"
    )
    train.add_argument(
        "--leakage",
        default="drop",
        choices=["drop", "raise", "keep"],
        help="ids, label derivatives, raw timestamps, one-column perfect predictors: drop them "
        "with a warning, refuse, or keep them on purpose",
    )
    train.add_required("--out", help="model folder to write")
    _common(train)
    train.set_defaults(func=_cmd_train, section="train")


def _add_stress(sub: Any) -> None:
    stress = sub.add_parser("stress", help="sweep scenarios and severities, report breaking points")
    stress.add_argument("model_dir", help="folder written by `edgecase train`")
    stress.add_argument("data", help="labelled test table (.csv/.parquet)")
    stress.add_argument("--target", default="is_fraud", help="label column")
    stress.add_argument(
        "--metric", default="recall", help="recall, precision, pr_auc, fpr, ece, brier"
    )
    stress.add_argument(
        "--alert-rate", type=float, default=None, help="fixed alert budget, e.g. 0.01"
    )
    stress.add_argument(
        "--breaking-threshold", type=float, default=None, help="metric value that counts as broken"
    )
    stress.add_argument(
        "--scenario",
        action="append",
        default=None,
        help="scenario (repeatable): amount_evasion, velocity_evasion, new_merchant_categories, "
        "time_shift, account_takeover_mix, legit_drift, typology_<name>, perturb "
        "(default: the fraud scenarios on simulator columns, else perturb)",
    )
    stress.add_argument(
        "--severities",
        default=None,
        help="comma-separated severities to sweep (default: 0,0.25,...,3)",
    )
    stress.add_argument("--n-boot", type=int, default=200, help="bootstrap draws")
    stress.add_required("--out", help="report folder")
    _common(stress)
    stress.set_defaults(func=_cmd_stress, section="stress")

    sp = sub.add_parser(
        "stress-portfolio", help="VaR/ES of a book of shipped series per scenario and severity"
    )
    sp.add_required("--weights", help="e.g. sp500=0.6,nasdaq=0.3,wti=0.1")
    sp.add_argument("--scenarios", default="base,crash,vol_spike", help="comma-separated")
    sp.add_argument("--severities", default="0,0.5,1,2", help="comma-separated")
    sp.add_argument("--n", type=int, default=10_000, help="paths")
    sp.add_argument("--horizon", type=int, default=252, help="days")
    sp.add_argument("--level", type=float, default=0.99, help="VaR/ES level")
    sp.add_required("--out", help="output .csv or .parquet table")
    _common(sp, progress=False)
    sp.set_defaults(func=_cmd_stress_portfolio, section="stress-portfolio")


def _add_quality(sub: Any) -> None:
    quality = sub.add_parser("quality", help="fidelity, privacy and utility of synthetic rows")
    quality.add_argument("real", help="real table (.csv/.parquet)")
    quality.add_argument("synthetic", help="synthetic table with the same columns")
    quality.add_argument("--target", default=None, help="label column, if any")
    quality.add_argument("--out", default=None, help="report folder (optional)")
    _common(quality)
    quality.set_defaults(func=_cmd_quality, section="quality")


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog="edgecase",
        description="Rare events and edge cases: generate, train, stress, check quality.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    from edgecase import __version__

    parser.add_argument("--version", action="version", version=f"edgecase {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_demo, _add_simulate, _add_generate, _add_train, _add_stress, _add_quality):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    command = command_parsers(parser)[args.section]
    # Library messages are put in flag spelling; the config file's own messages name its keys.
    spelling: dict[str, str] = {}
    try:
        if getattr(args, "config", None):
            args = apply_config(parser, argv, args)
        missing = [k for k in required_dests(command) if getattr(args, k, None) in (None, "")]
        if missing:
            flags = ", ".join("--" + k.replace("_", "-") for k in missing)
            raise InvalidParameterError(
                f"`edgecase {args.section.replace('.', ' ')}` needs {flags} (on the command line or in --config)."
            )
        spelling = flag_names(command)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("edgecase: error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            # The traceback, but the same exit status: bad input is 2 with or without it.
            traceback.print_exc()
        print(f"edgecase: error: {_one_line(exc, spelling)}", file=sys.stderr)
        return 2 if isinstance(exc, EdgecaseError) else 1


def _one_line(exc: BaseException, flags: dict[str, str]) -> str:
    """The error as one line, in flag spelling; errors that are not edgecase's own say
    what they are and point at --debug, since they may be a bug rather than bad input."""
    text = " ".join(str(exc).split())
    if isinstance(exc, EdgecaseError):
        return cli_message(text, flags)
    if isinstance(exc, OSError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text} (rerun with --debug for the traceback)"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
