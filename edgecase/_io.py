"""JSON and self-contained HTML output, shared by every stage.

Part of the shared base, so that stages can write their own ``to_json`` /
``to_html`` without importing :mod:`edgecase.report`, which re-exports these
names as the public API. Nothing here computes a metric; figures are embedded as
base64 PNG so one ``.html`` file can be mailed around.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import html as _html
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Section", "html_report", "write_html", "to_jsonable", "dumps", "figure_to_base64"]


@dataclass
class Section:
    """One heading of a report: prose, tables and matplotlib figures, in that order."""

    title: str
    text: str = ""
    tables: Sequence[pd.DataFrame] = field(default_factory=list)
    figures: Sequence[Any] = field(default_factory=list)  # matplotlib Figures
    anchor: str = ""  # the heading's HTML id, so a reader (or a test) can link to it


def figure_to_base64(fig: Any, *, dpi: int = 110) -> str:
    """PNG bytes of a matplotlib figure, base64-encoded."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1200px;margin:2em auto;color:#222;padding:0 1em}
h1{border-bottom:2px solid #444}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}img{width:100%;height:auto;margin:1em 0}
.meta{color:#666;font-size:0.85em}#conclusions{background:#f5f7fa;border-left:4px solid #2b6cb0;padding:0.2em 1em 0.5em}
"""


def html_report(
    title: str, sections: Sequence[Section], *, meta: dict[str, Any] | None = None
) -> str:
    """Render sections into one self-contained HTML page (no external assets)."""
    import matplotlib.pyplot as plt

    meta = {"generated": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), **(meta or {})}
    parts = [
        "<!DOCTYPE html>",
        f"<html><head><meta charset='utf-8'><title>{_html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_html.escape(title)}</h1>",
        "<p class='meta'>"
        + " &middot; ".join(
            f"{_html.escape(str(k))}: {_html.escape(str(v))}" for k, v in meta.items()
        )
        + "</p>",
    ]
    for sec in sections:
        anchor = f" id='{_html.escape(sec.anchor)}'" if sec.anchor else ""
        parts.append(f"<section{anchor}><h2>{_html.escape(sec.title)}</h2>")
        if sec.text:
            parts.extend(f"<p>{_html.escape(p)}</p>" for p in sec.text.split("\n\n"))
        for table in sec.tables:
            parts.append(_table_html(table))
        for fig in sec.figures:
            parts.append(
                f"<img alt='{_html.escape(sec.title)}' src='data:image/png;base64,{figure_to_base64(fig)}'/>"
            )
            plt.close(fig)
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _table_html(table: pd.DataFrame) -> str:
    """A table without pandas' raw 0..n-1 index; a meaningful index becomes a column."""
    if isinstance(table.index, pd.RangeIndex):
        return table.to_html(float_format=lambda v: f"{v:.4g}", border=0, na_rep="-", index=False)
    return table.reset_index().to_html(
        float_format=lambda v: f"{v:.4g}", border=0, na_rep="-", index=False
    )


def write_html(path: str | Path, title: str, sections: Sequence[Section], **kwargs: Any) -> Path:
    """Write :func:`html_report` to ``path`` (parent folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html_report(title, sections, **kwargs), encoding="utf-8")
    return path


def to_jsonable(obj: Any) -> Any:
    """Convert results (DataFrames, numpy scalars, dataclasses, NaN) into JSON-safe values.

    NaN and inf become ``None`` (JSON has no NaN); DataFrames become lists of records.
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, pd.DataFrame):
        return [to_jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, np.bool_ | bool):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, pd.Timestamp | _dt.datetime | _dt.date):
        return obj.isoformat()
    if obj is None or isinstance(obj, str | int):
        return obj
    if obj is pd.NaT:
        return None
    return str(obj)


def dumps(obj: Any, **kwargs: Any) -> str:
    """``json.dumps(to_jsonable(obj))`` with stable key order and indentation."""
    return json.dumps(
        to_jsonable(obj),
        indent=kwargs.pop("indent", 2),
        sort_keys=kwargs.pop("sort_keys", False),
        **kwargs,
    )
