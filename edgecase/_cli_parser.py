"""The command line's parser and its messages.

``--help`` shows every default and marks the options a command needs as required
(they may come from ``--config`` instead of the command line, so argparse itself
cannot enforce them); a mistyped command or choice gets "Did you mean"; and a
library error names the flag the user typed (``--fraud-rate``), not the Python
parameter behind it (``fraud_rate``). The library's own messages stay as they are for
Python users: the translation happens here, once, on the way to stderr.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["CliParser", "flag_names", "cli_message", "required_dests", "LIBRARY_NAMES"]

REQUIRED_TITLE = "required (on the command line or in --config)"

# Library parameters that a command's flag sets under another name: parameter ->
# the flags that may stand for it, the first one the command has wins (so ``scenario``
# is ``--scenario`` in `stress` and ``--scenarios`` in `stress-portfolio`).
LIBRARY_NAMES: dict[str, tuple[str, ...]] = {
    "n_transactions": ("n",),
    "n_paths": ("n",),
    "n_steps": ("steps",),
    "n_accounts": ("accounts",),
    "random_state": ("seed",),
    "scenario": ("scenario", "scenarios"),
    "severity": ("severity", "severities"),
}
_NOT_OPTIONS = {"help", "version", "config", "debug"}


class CliHelpFormatter(argparse.HelpFormatter):
    """Adds ``(default: ...)`` to every option whose help does not already say its
    default, and writes config-required options without brackets in the usage line."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if (
            not action.option_strings
            or "default" in text
            # identity, not ==: a default of 0 or 0.0 is shown, only "unset" is not
            or any(action.default is v for v in (None, False, argparse.SUPPRESS))
        ):
            return text
        return f"{text} (default: %(default)s)"

    def add_usage(self, usage: Any, actions: Iterable[argparse.Action], *args: Any) -> None:
        shown = []
        for action in actions:
            if getattr(action, "config_required", False):
                action = copy.copy(action)
                action.required = True
            shown.append(action)
        super().add_usage(usage, shown, *args)


def _suggest(value: str, names: list[str]) -> str:
    close = difflib.get_close_matches(value, names, n=3, cutoff=0.6)
    return f" Did you mean {', '.join(map(repr, close))}?" if close else ""


class CliParser(argparse.ArgumentParser):
    """argparse with the CLI's error format (one line on stderr, exit status 2), the
    help formatter above, "Did you mean" for choices, and config-required options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", CliHelpFormatter)
        super().__init__(*args, **kwargs)
        self._required_group: Any = None

    def add_required(self, *names: str, **kwargs: Any) -> argparse.Action:
        """An option the command needs, from the command line or from ``--config``."""
        if self._required_group is None:
            self._required_group = self.add_argument_group(REQUIRED_TITLE)
        action = self._required_group.add_argument(*names, **kwargs)
        action.config_required = True  # type: ignore[attr-defined]
        return action

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is None or value in action.choices:
            return
        names = [str(c) for c in action.choices]
        hint = _suggest(str(value), names)
        if isinstance(action, argparse._SubParsersAction):
            msg = (
                f"{value!r} is not a command of `{self.prog}`; expected one of {', '.join(names)}."
            )
        else:
            msg = f"{action.option_strings[-1]} {value!r} is not one of {', '.join(names)}."
        raise argparse.ArgumentError(None, msg + hint)

    def error(self, message: str) -> Any:  # type: ignore[override]
        self.exit(2, f"edgecase: error: {message} (see `{self.prog} --help`)\n")


def required_dests(parser: argparse.ArgumentParser) -> list[str]:
    """The options of one command that must be set (see :meth:`CliParser.add_required`)."""
    return [a.dest for a in parser._actions if getattr(a, "config_required", False)]


def flag_names(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Python parameter name -> the flag of this command that sets it."""
    flags = {
        a.dest: next(s for s in a.option_strings if s.startswith("--"))
        for a in parser._actions
        if a.option_strings and a.dest not in _NOT_OPTIONS
    }
    for name, candidates in LIBRARY_NAMES.items():
        flag = next((flags[c] for c in candidates if c in flags), None)
        if flag is not None and name not in flags:
            flags[name] = flag
    return flags


def cli_message(text: str, flags: dict[str, str]) -> str:
    """A library message in the command line's spelling: ``fraud_rate must be`` ->
    ``--fraud-rate must be``, ``sampler='x'`` -> ``--sampler 'x'``, sklearn's "The 'cv'
    parameter of Trainer must be" -> ``--cv must be``. Only names in parameter position
    change (followed by ``=`` or ``must``, not quoted), so prose and column names stay."""
    for name in sorted(flags, key=len, reverse=True):
        flag, word = flags[name], re.escape(name)
        text = re.sub(rf"\bThe '{word}' parameter of \w+", flag, text)
        text = re.sub(rf"(?<![\w.'\"-]){word}=(?=\S)", f"{flag} ", text)
        text = re.sub(rf"(?<![\w.'\"-]){word}(?= must\b)", flag, text)
    # the CLI's own checks write "--flag=value"; the rest of its messages say "--flag value"
    return re.sub(r"(?<![\w'\"-])(--[a-z][\w-]*)=(?=\S)", r"\1 ", text)
