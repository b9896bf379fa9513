import json

import matplotlib

matplotlib.use("Agg")
import re
import subprocess

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

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


def test_html_tables_have_no_raw_index_and_keep_a_meaningful_one():
    from edgecase.report import html_report

    html = html_report("T", [Section("S", tables=[pd.DataFrame({"x": [1.5, 2.5]})])])
    assert "<th></th>" not in html and "<td>0</td>" not in html
    named = pd.DataFrame({"x": [1.5]}, index=pd.Index(["baseline"], name="model"))
    html = html_report("T", [Section("S", tables=[named])])
    assert "<th>model</th>" in html and "<td>baseline</td>" in html


def test_std_t_var_es_matches_numerical_integration():
    from scipy import integrate, stats

    from edgecase.demo import std_t_var_es

    for nu, alpha in [(3.5, 0.99), (5.0, 0.975), (12.0, 0.99)]:
        scale = np.sqrt((nu - 2) / nu)
        q, es = std_t_var_es(nu, alpha)
        # VaR: the unit-variance t puts 1 - alpha below -q
        assert np.isclose(stats.t.cdf(-q / scale, nu), 1 - alpha)
        # ES: mean loss beyond VaR, integrated numerically
        dist = stats.t(nu, scale=scale)
        tail, _ = integrate.quad(lambda x, d=dist: -x * d.pdf(x), -np.inf, -q)
        assert np.isclose(es, tail / (1 - alpha), rtol=1e-6)


def test_paired_pr_auc_bootstrap_matches_monte_carlo_spread():
    """The paired bootstrap's spread of the PR-AUC difference matches the spread over
    fresh samples from a known binormal model (an independent computation)."""
    from sklearn.metrics import average_precision_score as ap

    from edgecase.demo.conclusions import paired_pr_auc_diff

    rng = np.random.default_rng(1)
    n_pos, n_neg = 60, 1940

    def draw():
        y = np.r_[np.ones(n_pos), np.zeros(n_neg)]
        common = rng.normal(size=y.size)
        a = 1.2 * y + common + 0.6 * rng.normal(size=y.size)
        b = 1.5 * y + common + 0.6 * rng.normal(size=y.size)
        return y, a, b

    mc = []
    for _ in range(300):
        y, a, b = draw()
        mc.append(ap(y, b) - ap(y, a))
    mc_sd = np.std(mc)
    widths = []
    for seed in range(8):
        y, a, b = draw()
        _, lo, hi = paired_pr_auc_diff(y, a, b, n_boot=200, seed=seed)
        widths.append((hi - lo) / (2 * 1.96))
    assert 0.7 * mc_sd < np.mean(widths) < 1.3 * mc_sd, (np.mean(widths), mc_sd)


def _browser() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def quick_report(quick_demo):
    proc, out = quick_demo
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


@pytest.mark.xdist_group("quick_demo")
def test_quick_report_opens_with_conclusions_and_says_smoke_test(quick_report):
    html = (quick_report / "report.html").read_text()
    body = html.split("<section", 1)[1]
    assert body.startswith(" id='conclusions'><h2>Conclusions</h2>")
    conclusions = body.split("</section>", 1)[0]
    for phrase in ("SMOKE TEST", "Which fraud model is better", "breaks it first", "Too small"):
        assert phrase in conclusions
    # one spelling for an unbroken scenario, and no raw pandas spellings of it
    assert "not broken" in html or "breaks it" in conclusions
    for raw in (">inf<", ">NaN<", ">nan<"):
        assert raw not in html
    assert "Acerbi-Szekely Z2" in html and "McNeil-Frey" in html


@pytest.mark.xdist_group("quick_demo")
def test_report_in_a_real_browser(quick_report, tmp_path):
    """Chromium loads the page: every image decodes and the conclusions come first."""
    exe = _browser()
    if exe is None:
        pytest.skip("no chromium on PATH (apt-get install chromium)")
    page = tmp_path / "page.html"
    probe = (
        "<script>window.addEventListener('load',()=>{const i=[...document.images];"
        "document.body.setAttribute('data-images',i.length);"
        "document.body.setAttribute('data-loaded',i.filter(x=>x.complete&&x.naturalWidth>0).length);"
        "const h=document.querySelector('h2');document.body.setAttribute('data-first',h?h.textContent:'');"
        "});</script></body>"
    )
    page.write_text((quick_report / "report.html").read_text().replace("</body>", probe))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run(
        [exe, *flags, "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    n = int(re.search(r'data-images="(\d+)"', dom).group(1))
    loaded = int(re.search(r'data-loaded="(\d+)"', dom).group(1))
    assert n >= 6 and loaded == n
    assert 'data-first="Conclusions"' in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [exe, *flags, "--window-size=1280,2400", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    from PIL import Image

    img = np.asarray(Image.open(shot).convert("L"))
    assert img.shape[:2] == (2400, 1280)
    # a rendered page, not a blank one
    assert img.std() > 10
