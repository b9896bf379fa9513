"""The command line's ``--config FILE.toml``: one resolver that knows every command's table.

Top-level keys set an option for every command that has it; a table per command
(``[train]``, ``[generate.market]``) sets that command's options; flags on the command
line win. An unknown table or key anywhere in the file, or a value of the wrong type, is
an error, so a typo never silently leaves a default in place.
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

from edgecase._validate import closest_names
from edgecase.errors import InvalidParameterError

__all__ = ["apply_config", "command_parsers"]


def command_parsers(
    parser: argparse.ArgumentParser, prefix: str = ""
) -> dict[str, argparse.ArgumentParser]:
    """Every command's config table name (``train``, ``generate.market`` ...) and its parser."""
    out: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                inner = command_parsers(sub, f"{prefix}{name}.")
                out.update(inner or {f"{prefix}{name}": sub})
    return out


def _options(p: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {
        a.dest: a
        for a in p._actions
        if a.dest not in {"help", "config", "debug"}
        and not isinstance(a, argparse._SubParsersAction)
    }


def _check_config_value(where: str, action: argparse.Action, value: Any) -> None:
    """A config value has the type its flag parses to (TOML has real booleans and numbers,
    so a string for a switch or a number is a mistake, not something to coerce)."""
    if isinstance(action, argparse._StoreTrueAction):
        expected, ok = "true or false", isinstance(value, bool)
    elif action.type is int:
        expected, ok = "an integer", isinstance(value, int) and not isinstance(value, bool)
    elif action.type is float:
        expected = "a number"
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        expected, ok = "a string", isinstance(value, str)
    if not ok:
        raise InvalidParameterError(
            f"{where} must be {expected}; got {value!r} ({type(value).__name__})."
        )
    if action.choices is not None and value not in action.choices:
        raise InvalidParameterError(f"{where}={value!r} is not one of {sorted(action.choices)}.")


def _config_tables(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The config as ``{"": top-level keys, "train": {...}, "generate.market": {...}}``;
    a table that names no command is an error (a typo like ``[trian]`` must not be
    ignored)."""
    tables: dict[str, dict[str, Any]] = {"": {}}

    def walk(d: dict[str, Any], prefix: str) -> None:
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            else:
                tables.setdefault(prefix.rstrip("."), {})[k] = v

    walk(config, "")
    return tables


def _resolve_config(
    parser: argparse.ArgumentParser, config: dict[str, Any], path: str, section: str
) -> dict[str, Any]:
    """Check every table and key of the config against every command, then return the
    defaults for ``section``: top-level keys it knows, overridden by its own table."""
    sections = command_parsers(parser)
    options = {name: _options(p) for name, p in sections.items()}
    anywhere = {dest: a for opts in options.values() for dest, a in opts.items()}
    values: dict[str, Any] = {}
    for table, keys in _config_tables(config).items():
        if table and table not in sections:
            close = closest_names(table, list(sections))
            hint = f" Did you mean {', '.join(f'[{c}]' for c in close)}?" if close else ""
            raise InvalidParameterError(
                f"--config {path!r}: table [{table}] is not a command; expected one of "
                f"{', '.join(f'[{s}]' for s in sections)}.{hint}"
            )
        known = options[table] if table else anywhere
        for key, value in keys.items():
            dest = key.replace("-", "_")
            where = f"--config {path!r}: {f'[{table}] ' if table else ''}{key}"
            if dest not in known:
                close = closest_names(dest, list(known))
                hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
                raise InvalidParameterError(
                    f"{where} is not an option of `{table or 'any command'}`.{hint}"
                )
            _check_config_value(where, known[dest], value)
            # Top-level keys come first in the walk, so the command's own table overrides them.
            if table == section or (not table and dest in options[section]):
                values[dest] = value
    return values


def apply_config(
    parser: argparse.ArgumentParser, argv: list[str], args: argparse.Namespace
) -> argparse.Namespace:
    """``args`` re-parsed with the defaults that ``--config`` sets for its command, after
    every table and key of the file has been checked."""
    path = Path(args.config)
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidParameterError(f"--config {str(path)!r} does not exist.") from None
    except (IsADirectoryError, PermissionError) as exc:
        raise InvalidParameterError(f"--config {str(path)!r} cannot be read: {exc}") from None
    except UnicodeDecodeError:
        raise InvalidParameterError(f"--config {str(path)!r} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidParameterError(f"--config {str(path)!r} is not valid TOML: {exc}") from None
    values = _resolve_config(parser, config, str(path), args.section)
    command_parsers(parser)[args.section].set_defaults(**values)
    return parser.parse_args(argv)
