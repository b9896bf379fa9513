"""JSON and self-contained HTML reports.

Reports *read* results computed elsewhere; nothing here computes a metric.
Figures are embedded as base64 PNG so one ``.html`` file can be mailed around.

Examples
--------
>>> import pandas as pd
>>> html = html_report("Demo", [Section("Table", text="One row.", tables=[pd.DataFrame({"a": [1]})])])
>>> html.startswith("<!DOCTYPE html>") and "<table" in html
True
"""

from __future__ import annotations

from edgecase._io import Section, dumps, figure_to_base64, html_report, to_jsonable, write_html

__all__ = ["Section", "html_report", "write_html", "to_jsonable", "dumps", "figure_to_base64"]
