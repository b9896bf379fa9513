"""What the command line says: --help, "Did you mean", flag spelling, refusals before work.

In-process ``edgecase.cli.main`` calls, each checked before any simulation or training
starts, so the whole file runs in seconds.
"""

from __future__ import annotations

import argparse
import inspect
import re
from pathlib import Path

import pytest

from edgecase._cli_config import command_parsers
from edgecase._cli_parser import (
    LIBRARY_NAMES,
    REQUIRED_TITLE,
    cli_message,
    flag_names,
    required_dests,
)
from edgecase.cli import build_parser, main

COMMANDS = command_parsers(build_parser())


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse errors exit from inside parse_args
        rc = int(exc.code or 0)
    return rc, capsys.readouterr().err


def _one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("edgecase: error: "), err
    return lines[0]


# ----------------------------------------------------------------------------- --help


@pytest.mark.parametrize("section", list(COMMANDS))
def test_help_marks_required_options_and_shows_every_default(section: str) -> None:
    parser = COMMANDS[section]
    text = parser.format_help()
    usage = " ".join(text.split("\n\n")[0].split())
    flat = " ".join(text.split())
    for action in parser._actions:
        if not action.option_strings or action.dest in {"help", "version"}:
            continue
        flag = action.option_strings[-1]
        shown = f"{flag} {action.metavar or action.dest.upper()}"
        if action.dest in required_dests(parser):
            assert f" {shown}" in usage and f"[{shown}]" not in usage, usage
        else:
            assert f"[{flag}" in usage, usage
        if any(action.default is v for v in (None, False, argparse.SUPPRESS)):
            continue
        # A set default is in the help, in the form argparse would substitute.
        assert f"(default: {action.default})" in flat, f"{section} {flag}: {flat}"
    if required_dests(parser):
        assert REQUIRED_TITLE in text


def test_required_options_are_the_ones_main_asks_for(capsys) -> None:
    assert required_dests(COMMANDS["train"]) == ["target", "out"]
    assert required_dests(COMMANDS["stress-portfolio"]) == ["weights", "out"]
    assert required_dests(COMMANDS["demo"]) == []
    rc, err = _run(["train", "d.csv"], capsys)
    assert rc == 2 and "needs --target, --out" in _one_line(err)


def test_required_option_may_come_from_config(tmp_path, capsys) -> None:
    # --weights used to be argparse-required, so a config file could never supply it.
    cfg = tmp_path / "c.toml"
    cfg.write_text('[stress-portfolio]\nweights = "sp500=1"\nout = "p.csv"\n')
    rc, err = _run(["stress-portfolio", "--config", str(cfg), "--n", "0"], capsys)
    assert rc == 2
    assert "--n must be >= 100" in _one_line(err)  # got past the required check


# ----------------------------------------------------------------------------- Did you mean


@pytest.mark.parametrize(
    "argv,typo,suggestion",
    [
        (["trian"], "trian", "train"),
        (["stress-portfolo"], "stress-portfolo", "stress-portfolio"),
        (["genrate", "fraud"], "genrate", "generate"),
        (["generate", "frad"], "frad", "fraud"),
        (["train", "d.csv", "--leakage", "dorp"], "dorp", "drop"),
    ],
)
def test_mistyped_choice_gets_a_suggestion(argv, typo, suggestion, capsys) -> None:
    rc, err = _run(argv, capsys)
    line = _one_line(err)
    assert rc == 2
    assert f"{typo!r} is not" in line and f"Did you mean {suggestion!r}?" in line


def test_far_off_command_gets_the_list_but_no_guess(capsys) -> None:
    rc, err = _run(["frobnicate"], capsys)
    line = _one_line(err)
    assert rc == 2 and "'frobnicate' is not a command" in line
    assert "Did you mean" not in line and "stress-portfolio" in line


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    (tmp_path / "real.csv").write_text("amount,label\n1,0\n2,1\n3,0\n")
    (tmp_path / "synth.csv").write_text("amount,labels\n1,0\n2,1\n")
    (tmp_path / "ret.csv").write_text("date,log_ret\n2020-01-01,0.01\n2020-01-02,-0.02\n")
    return tmp_path


@pytest.mark.parametrize(
    "argv,needles",
    [
        (["quality", "real.csv", "real.csv", "--target", "labl"],
         ["--target 'labl'", "real table 'real.csv'", "Did you mean 'label'"]),
        # the real table has it, the synthetic one spells it differently
        (["quality", "real.csv", "synth.csv", "--target", "label"],
         ["--target 'label'", "synthetic table 'synth.csv'", "Did you mean 'labels'"]),
        (["train", "real.csv", "--target", "lable", "--out", "m"],
         ["--target 'lable'", "Did you mean 'label'"]),
        (["generate", "fraud", "--from", "real.csv", "--target", "lbl", "--out", "x.csv"],
         ["--target 'lbl'", "Did you mean 'label'"]),
        (["generate", "market", "--returns", "ret.csv", "--column", "log_return", "--out", "m.csv"],
         ["--column 'log_return'", "Did you mean 'log_ret'"]),
    ],
)  # fmt: skip
def test_column_options_suggest_the_closest_column(tables, monkeypatch, capsys, argv, needles):
    monkeypatch.chdir(tables)
    rc, err = _run(argv, capsys)
    line = _one_line(err)
    assert rc == 2
    for needle in needles:
        assert needle in line


# ----------------------------------------------------------------------------- flag spelling


def test_flag_names_map_library_parameters_to_each_commands_flags() -> None:
    sim = flag_names(COMMANDS["simulate"])
    assert sim["fraud_rate"] == "--fraud-rate"
    assert sim["n_transactions"] == sim["n"] == "--n"
    assert sim["n_accounts"] == "--accounts" and sim["random_state"] == "--seed"
    assert flag_names(COMMANDS["generate.fraud"])["source"] == "--from"
    assert flag_names(COMMANDS["generate.market"])["n_steps"] == "--steps"
    stress = flag_names(COMMANDS["stress"])
    assert stress["severity"] == "--severities" and stress["scenario"] == "--scenario"
    assert stress["alert_rate"] == "--alert-rate" and stress["n_boot"] == "--n-boot"
    book = flag_names(COMMANDS["stress-portfolio"])
    assert book["scenario"] == "--scenarios" and book["n_paths"] == "--n"
    assert "config" not in sim and "debug" not in sim and "help" not in sim


def test_library_names_are_real_parameters_of_what_the_commands_call() -> None:
    """The aliases are the library's actual parameter names, and each stands for a flag
    that some command has: a renamed parameter or flag fails here."""
    from edgecase.fraud import simulate_transactions
    from edgecase.market import BlackSwanGenerator, Portfolio
    from edgecase.stress import StressHarness

    params = {
        *inspect.signature(simulate_transactions).parameters,
        *inspect.signature(BlackSwanGenerator.generate).parameters,
        *inspect.signature(Portfolio.stress).parameters,
        *inspect.signature(StressHarness).parameters,
    }
    every_dest = {a.dest for p in COMMANDS.values() for a in p._actions}
    for name, candidates in LIBRARY_NAMES.items():
        assert name in params, name
        assert any(c in every_dest for c in candidates), name


@pytest.mark.parametrize(
    "section,library,cli",
    [
        ("simulate", "fraud_rate must be <= 0.5; got 2.0.", "--fraud-rate must be <= 0.5; got 2.0."),
        ("simulate", "n_accounts must be >= 1; got 0.", "--accounts must be >= 1; got 0."),
        ("train", "sampler='smoot' is not known; expected one of ['smote'].",
         "--sampler 'smoot' is not known; expected one of ['smote']."),
        ("train", "The 'cv' parameter of Trainer must be an int in the range [2, inf). Got 1 instead.",
         "--cv must be an int in the range [2, inf). Got 1 instead."),
        ("stress-portfolio", "scenario='krash' is not known", "--scenarios 'krash' is not known"),
        ("stress-portfolio", "n_paths must be >= 100; got 0.", "--n must be >= 100; got 0."),
        ("generate.market", "--scenario='krash' is not known", "--scenario 'krash' is not known"),
        # quoted names (columns, policy syntax) and plain prose keep their spelling
        ("stress", "X column 'alert_rate' has 2 missing value(s)",
         "X column 'alert_rate' has 2 missing value(s)"),
        ("train", "threshold='x' does not parse; expected 'alert_rate=A' or 'f1'",
         "--threshold 'x' does not parse; expected 'alert_rate=A' or 'f1'"),
        ("stress", "recall at the alert threshold is 0 for every severity",
         "recall at the alert threshold is 0 for every severity"),
    ],
)  # fmt: skip
def test_cli_message_uses_flag_spelling(section: str, library: str, cli: str) -> None:
    assert cli_message(library, flag_names(COMMANDS[section])) == cli


@pytest.mark.parametrize(
    "argv,flag,python_name",
    [
        (["simulate", "--n", "1000", "--fraud-rate", "2", "--out", "x.csv"], "--fraud-rate must",
         "fraud_rate"),
        (["simulate", "--n", "1000", "--accounts", "0", "--out", "x.csv"], "--accounts must",
         "n_accounts"),
        (["stress-portfolio", "--weights", "sp500=1", "--n", "0", "--out", "p.csv"], "--n must",
         "n_paths"),
    ],
)  # fmt: skip
def test_library_errors_reach_stderr_in_flag_spelling(
    tmp_path, monkeypatch, capsys, argv, flag, python_name
):
    monkeypatch.chdir(tmp_path)
    rc, err = _run([*argv, "--no-progress"] if argv[0] == "simulate" else argv, capsys)
    line = _one_line(err)
    assert rc == 2 and flag in line
    assert not re.search(rf"\b{python_name}\b", line), line


def test_the_library_keeps_its_own_parameter_names() -> None:
    from edgecase.errors import EdgecaseError
    from edgecase.fraud import simulate_transactions

    with pytest.raises(EdgecaseError, match=r"^fraud_rate must be"):
        simulate_transactions(1000, fraud_rate=2.0, progress=False)


def test_config_messages_keep_the_files_key_names(tmp_path, capsys) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[demo]\nquick = 'yes'\n[train]\nleakage = 'dorp'\n")
    rc, err = _run(["demo", "--config", str(cfg)], capsys)
    line = _one_line(err)
    assert rc == 2 and "[demo] quick must be true or false" in line and "--quick" not in line


@pytest.mark.parametrize(
    "option,value,needles",
    [
        ("--scenarios", "base,krash", ["--scenarios 'krash' is not known", "Did you mean 'crash'"]),
        # used to be a raw ValueError, exit status 1
        ("--severities", "0,a", ["--severities expects comma-separated numbers", "'0,a'"]),
    ],
)
def test_stress_portfolio_checks_its_lists_first(tmp_path, capsys, option, value, needles):
    argv = ["stress-portfolio", "--weights", "sp500=1", option, value]
    rc, err = _run([*argv, "--out", str(tmp_path / "p.csv")], capsys)
    line = _one_line(err)
    assert rc == 2
    for needle in needles:
        assert needle in line


# ----------------------------------------------------------------------------- --out refusals


@pytest.fixture
def demo_calls(monkeypatch) -> list[dict]:
    """Replaces the demo itself: the refusals must come before any of its work."""
    import edgecase.demo

    calls: list[dict] = []
    monkeypatch.setattr(edgecase.demo, "run_demo", lambda **kw: calls.append(kw))
    return calls


def test_demo_refuses_an_existing_file_even_with_force(tmp_path, demo_calls, capsys) -> None:
    (tmp_path / "report.csv").write_text("a\n1\n")
    for extra in ([], ["--force"]):
        rc, err = _run(["demo", "--out", str(tmp_path / "report.csv"), *extra], capsys)
        line = _one_line(err)
        assert rc == 2 and "is an existing file" in line and "report.csv" in line
    assert demo_calls == []


def test_demo_refuses_a_folder_with_other_files_unless_forced(tmp_path, demo_calls, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    (out / "report.html").write_text("my own report")
    rc, err = _run(["demo", "--out", str(out)], capsys)
    line = _one_line(err)
    assert rc == 2 and "'notes.txt'" in line and "--force" in line
    assert demo_calls == [] and (out / "report.html").read_text() == "my own report"
    assert _run(["demo", "--out", str(out), "--force"], capsys)[0] == 0
    assert [c["out"] for c in demo_calls] == [str(out)]


def test_demo_reruns_into_its_own_report_and_into_new_or_empty_folders(
    tmp_path, demo_calls, capsys
):
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    for name in ("report.html", "report.json", "fraud_baseline_stress.png"):
        (earlier / name).write_text("x")
    (tmp_path / "empty").mkdir()
    for out in (earlier, tmp_path / "empty", tmp_path / "new"):
        rc, err = _run(["demo", "--out", str(out), "--quick"], capsys)
        assert rc == 0, err
    assert [c["out"] for c in demo_calls] == [
        str(earlier),
        str(tmp_path / "empty"),
        str(tmp_path / "new"),
    ]


def test_debug_keeps_status_2_and_adds_the_traceback(tmp_path, demo_calls, capsys) -> None:
    (tmp_path / "f").write_text("x")
    rc, err = _run(["--debug", "demo", "--out", str(tmp_path / "f")], capsys)
    assert rc == 2
    assert "Traceback (most recent call last)" in err and "InvalidParameterError" in err
    assert err.strip().splitlines()[-1].startswith("edgecase: error: --out")


@pytest.mark.parametrize(
    "argv",
    [
        ["stress", "no-model", "test.csv", "--out", "taken"],
        ["quality", "real.csv", "synth.csv", "--out", "taken"],
    ],
)
def test_report_folders_refuse_an_existing_file_before_work(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("x")
    rc, err = _run(argv, capsys)
    line = _one_line(err)
    # checked first: neither the missing model nor the missing tables are reached
    assert rc == 2 and "--out 'taken' is an existing file" in line


# ----------------------------------------------------------------------------- README


def _readme_commands() -> list[list[str]]:
    """Every ``edgecase ...`` line of the README's command-line section, continuations joined."""
    import shlex

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = text.split("<!-- section: cli -->", 1)[1].split("<!-- section:", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", block)
    return [
        shlex.split(ln, comments=True)[1:]
        for ln in joined.splitlines()
        if ln.startswith("edgecase ")
    ]


@pytest.mark.parametrize("argv", _readme_commands(), ids=lambda a: " ".join(a[:2]))
def test_readme_commands_parse(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    missing = [d for d in required_dests(COMMANDS[args.section]) if getattr(args, d) is None]
    assert missing == [], f"README's `edgecase {' '.join(argv)}` lacks {missing}"


def test_readme_lists_every_command() -> None:
    assert len(_readme_commands()) >= 8
    shown = {build_parser().parse_args(a).section for a in _readme_commands()}
    assert shown == set(COMMANDS) - {"stress-portfolio"}  # documented in the market section
