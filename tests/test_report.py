import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from edgecase.report import Section, dumps, write_html


def test_html_is_self_contained(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    path = write_html(
        tmp_path / "r" / "report.html",
        "T",
        [Section("S", text="a\n\nb", tables=[pd.DataFrame({"x": [1.5]})], figures=[fig])],
    )
    html = path.read_text()
    assert "data:image/png;base64," in html and "<table" in html
    assert "http://" not in html and "https://" not in html


def test_json_has_no_nan():
    obj = {
        "a": np.float64("nan"),
        "b": pd.DataFrame({"x": [1, 2]}),
        "c": np.int64(3),
        "d": pd.Timestamp("2008-10-15"),
    }
    out = json.loads(dumps(obj))
    assert out == {"a": None, "b": [{"x": 1}, {"x": 2}], "c": 3, "d": "2008-10-15T00:00:00"}
