"""The command line's cheap checks: run before any work, so a typo never waits for a
simulation or a training run to fail."""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any

from edgecase._validate import check_scalar, closest_names
from edgecase.errors import InvalidParameterError

__all__ = ["check_column", "check_count", "check_out", "check_out_folder", "check_demo_out"]


def check_column(df: Any, name: Any, flag: str, where: str = "the data") -> None:
    """Refuse a column-naming option that names no column, with the closest names."""
    if name not in df.columns:
        close = closest_names(str(name), [str(c) for c in df.columns])
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise InvalidParameterError(f"{flag} {name!r} is not a column of {where}.{hint}")


def check_count(value: Any, flag: str) -> int:
    """A count option (rows, paths, steps): an integer >= 1."""
    return int(check_scalar(value, flag, kind=numbers.Integral, low=1))


def check_out(path: Any) -> None:
    """An --out that names a table: .csv or .parquet."""
    if Path(str(path)).suffix.lower() not in {".csv", ".parquet", ".pq"}:
        raise InvalidParameterError(f"--out {str(path)!r}: expected a .csv or .parquet file name.")


def check_out_folder(path: Any, writes: str) -> Path:
    """An --out that names a folder: refused before any work when it is an existing file."""
    out = Path(str(path))
    if out.exists() and not out.is_dir():
        raise InvalidParameterError(
            f"--out {str(out)!r} is an existing file, but this command writes a folder "
            f"({writes}); name a new or existing folder instead."
        )
    return out


def _is_demo_output(entry: Path) -> bool:
    return entry.is_file() and (
        entry.name in {"report.html", "report.json"} or entry.suffix == ".png"
    )


def check_demo_out(path: Any, force: bool) -> None:
    """Rerunning the demo into its own earlier report is fine; writing it among other
    files is refused unless --force, so a mistyped --out never mixes a report into (or
    replaces the report.html of) some unrelated folder."""
    out = check_out_folder(path, "report.html, report.json and PNG figures")
    if force or not out.is_dir():
        return
    other = sorted(e.name for e in out.iterdir() if not _is_demo_output(e))
    if other:
        shown = ", ".join(map(repr, other[:3])) + (
            f" and {len(other) - 3} more" if len(other) > 3 else ""
        )
        raise InvalidParameterError(
            f"--out {str(out)!r} is a folder that holds other files than an earlier demo report "
            f"({shown}); name a new or empty folder, or pass --force to write into it anyway."
        )
