"""The README runs as written: every ```python block, in order, one namespace per
``<!-- section: ... -->`` section, in a temporary folder.

A block whose first line is ``# readme: skip (reason)`` is not run (it needs a
cluster or writes more than a test should); the reason is reported as the skip.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
_SECTION = re.compile(r"^<!-- section: (\S+) -->\s*$")
_SKIP = re.compile(r"^# readme: skip \((.+)\)\s*$")


def readme_sections(text: str) -> dict[str, list[str]]:
    """Python blocks per section, in order; blocks before the first marker are "intro"."""
    sections: dict[str, list[str]] = {"intro": []}
    current, block = "intro", None
    for line in text.splitlines():
        m = _SECTION.match(line)
        if m and block is None:
            current = m.group(1)
            sections.setdefault(current, [])
        elif block is None and line.strip() == "```python":
            block = []
        elif block is not None and line.strip() == "```":
            sections[current].append("\n".join(block))
            block = None
        elif block is not None:
            block.append(line)
    return {k: v for k, v in sections.items() if v}


def test_sections_are_found():
    sections = readme_sections(README.read_text())
    assert {"intro", "fraud", "market", "train", "stress", "quality", "parallel"} <= set(sections)


@pytest.mark.parametrize("section", list(readme_sections(README.read_text())))
def test_readme_section_runs(section, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {"__name__": "__main__"}
    skipped = []
    for i, code in enumerate(readme_sections(README.read_text())[section]):
        m = _SKIP.match(code.splitlines()[0])
        if m:
            skipped.append(m.group(1))
            continue
        exec(compile(code, f"README.md[{section}, block {i}]", "exec"), namespace)
        plt.close("all")
    assert os.getcwd() == str(tmp_path)
    if skipped and len(skipped) == len(readme_sections(README.read_text())[section]):
        pytest.skip("; ".join(skipped))
