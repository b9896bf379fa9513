"""The fraud stage's package surface: what importing it costs."""

from __future__ import annotations

import subprocess
import sys


def test_import_does_not_load_matplotlib():
    code = "import edgecase.fraud, sys; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_figures_still_reachable_from_the_package():
    from edgecase.fraud import plot_synthetic, plot_typologies
    from edgecase.fraud.plots import plot_synthetic as direct

    assert plot_synthetic is direct and callable(plot_typologies)
