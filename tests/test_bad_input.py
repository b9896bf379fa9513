"""Every public entry point refuses malformed input with an EdgecaseError.

Entry points join by adding a module with ``CASES`` under ``tests/badinput/``;
each is fed at least 200 hypothesis-generated malformed inputs and must raise
an ``EdgecaseError`` subclass whose message names what is wrong (``Case.names``):
another exception type, a message that names nothing, or returning a value
(possibly NaN) instead of raising, fails the test. Every callable in a public
package's ``__all__`` must be covered by a case or exempted here with a reason.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings

from edgecase.errors import EdgecaseError

from .badinput import Case, discover

CASES = discover()


def names_in(message: str, names: list[str]) -> bool:
    """Whether ``message`` contains one of ``names`` as a whole word (so ``y`` is not
    found inside ``every``), case-insensitively."""
    return any(
        re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", message, re.IGNORECASE) for n in names
    )


def test_registry_is_populated():
    assert len(CASES) >= 5
    assert all(c.max_examples >= 200 for c in CASES)
    missing = [c.name for c in CASES if c.names is None]
    assert not missing, f"cases that do not say what their message must name: {missing}"


def test_names_check_can_fail():
    # The check is not vacuous: a message that names nothing fails it.
    assert not names_in("bad input", ["y"])
    assert not names_in("every value is wrong", ["y"])
    assert names_in("y has 2 classes", ["y"])
    assert names_in("X column 'c0' has NaN", ["'c0'"])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_input_raises_edgecase_error(case: Case):
    seen = []

    @settings(
        max_examples=case.max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )
    @given(case.strategy)
    def run(bad):
        seen.append(1)
        try:
            result = case.call(bad)
        except EdgecaseError as exc:
            names = case.expected_names(bad)
            if not names_in(str(exc), names):
                raise AssertionError(
                    f"{case.name}: the message does not name any of {names} for input "
                    f"{bad!r:.200}: {exc}"
                ) from exc
            return
        except Exception as exc:  # noqa: BLE001 - the point is to catch the wrong kind
            raise AssertionError(
                f"{case.name} raised {type(exc).__name__} instead of an EdgecaseError: {exc}"
            ) from exc
        raise AssertionError(
            f"{case.name} accepted malformed input {bad!r} and returned {result!r}"
        )

    run()
    assert len(seen) >= min(case.max_examples, 100), f"only {len(seen)} examples were generated"


# The public surface: every package a user imports from. Each callable in their
# ``__all__`` needs a bad-input case (``Case.covers``) or an entry here saying why it
# takes no input a user could get wrong.
PUBLIC_MODULES = [
    "edgecase",
    "edgecase.cli",
    "edgecase.datasets",
    "edgecase.fraud",
    "edgecase.market",
    "edgecase.parallel",
    "edgecase.plot",
    "edgecase.quality",
    "edgecase.report",
    "edgecase.schema",
    "edgecase.strategies",
    "edgecase.stress",
    "edgecase.train",
]
EXEMPT = {
    # no arguments at all
    "edgecase.cli.build_parser": "takes no arguments",
    "edgecase.datasets.list_keel": "takes no arguments",
    "edgecase.datasets.list_market": "takes no arguments",
    "edgecase.train.default_estimator": "takes only random_state, checked by every fit",
    # result containers: built by edgecase from checked input, never by users
    "edgecase.market.MarketCalibration": "result of calibrate()",
    "edgecase.market.Scorecard": "result of realism_scorecard()",
    "edgecase.market.RegimeFit": "result of fit_regimes_mle()",
    "edgecase.quality.CollapseReport": "result of collapse_check()",
    "edgecase.quality.QualityReport": "result of evaluate()",
    "edgecase.market.PortfolioStress": "result of Portfolio.stress()",
    "edgecase.train.HardeningResult": "result of harden()",
    "edgecase.schema.SchemaReport": "result of TableSchema.check()",
    "edgecase.stress.BreakingExample": "result of minimal_breaking_example()",
    "edgecase.stress.SeverityBreak": "result of breaking_severity()",
    "edgecase.stress.StressReport": "result of StressHarness.run()",
    "edgecase.stress.VarBacktest": "result of var_backtest()",
    "edgecase.train.ComparisonResult": "result of compare()",
    "edgecase.parallel.Chunk": "a chunk plan entry made by chunk_ranges()",
    "edgecase.report.Section": "a report section made by the stages' to_html()",
    # protocols and abstract bases: no behaviour of their own to feed input to
    "edgecase.stress.Scenario": "a typing Protocol",
    "edgecase.stress.BaseScenario": "abstract base; its apply() is covered via the scenarios",
    "edgecase.fraud.Typology": "abstract base of the typologies",
    "edgecase.market.Normal": "takes no arguments",
    "edgecase.stress.fraud_scenarios": "takes no arguments",
    "edgecase.stress.typology_scenarios": "takes no arguments",
    "edgecase.stress.Metric": "a metric definition; StressHarness checks the metric it is given",
    "edgecase.parallel.ParquetOutput": "result of write_parquet()/run_chunks(out=)",
    # figures and reports draw result objects that edgecase built from checked input
    "edgecase.fraud.plot_synthetic": "draws checked generator output",
    "edgecase.fraud.plot_typologies": "draws checked simulator output",
    "edgecase.plot.collapse": "draws a CollapseReport",
    "edgecase.plot.fan_chart": "draws Paths (checked when built)",
    "edgecase.plot.plot_comparison": "draws a ComparisonResult",
    "edgecase.plot.quality": "draws a QualityReport",
    "edgecase.plot.scorecard": "draws a Scorecard",
    "edgecase.plot.stress_curves": "draws a StressReport",
    "edgecase.plot.stress_heatmap": "draws a StressReport",
    "edgecase.plot.stress_report": "draws a StressReport",
    "edgecase.plot.var_backtest": "draws a VarBacktest",
    "edgecase.report.dumps": "serialises results to JSON",
    "edgecase.report.figure_to_base64": "encodes a matplotlib figure",
    "edgecase.report.html_report": "lays out report sections",
    "edgecase.report.to_jsonable": "serialises results to JSON",
    "edgecase.report.write_html": "writes a laid-out report",
    # hypothesis strategies for users' own property tests: they generate valid input
    "edgecase.strategies.market_paths": "a hypothesis strategy of valid paths",
    "edgecase.strategies.process_params": "a hypothesis strategy of valid parameters",
    "edgecase.strategies.processes": "a hypothesis strategy of valid processes",
    "edgecase.strategies.tables": "a hypothesis strategy of valid tables",
    "edgecase.strategies.transactions": "a hypothesis strategy of valid transactions",
}


def _public_callables() -> dict[str, object]:
    import importlib
    import inspect

    out: dict[int, tuple[str, object]] = {}
    for mod_name in PUBLIC_MODULES:
        mod = importlib.import_module(mod_name)
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if not callable(obj) or (inspect.isclass(obj) and issubclass(obj, BaseException)):
                continue
            out.setdefault(id(obj), (f"{mod_name}.{name}", obj))
    return dict(out.values())


def test_every_public_callable_has_a_bad_input_case():
    public = _public_callables()
    covered = {id(o) for c in CASES for o in c.covers}
    aliases = {id(o): n for n, o in public.items()}
    exempt_ids = {id(public[n]) for n in EXEMPT if n in public}
    missing = sorted(aliases[id(o)] for o in public.values() if id(o) not in covered | exempt_ids)
    assert not missing, f"public callables without a bad-input case: {missing}"
    stale = sorted(n for n in EXEMPT if n not in public)
    assert not stale, f"exemptions for names that are not public: {stale}"
