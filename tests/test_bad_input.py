"""Every public entry point refuses malformed input with an EdgecaseError.

Entry points join by adding a module with ``CASES`` under ``tests/badinput/``;
each is fed at least 200 hypothesis-generated malformed inputs and must raise
an ``EdgecaseError`` subclass: another exception type, or returning a value
(possibly NaN) instead of raising, fails the test.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from edgecase.errors import EdgecaseError

from .badinput import Case, discover

CASES = discover()


def test_registry_is_populated():
    assert len(CASES) >= 5
    assert all(c.max_examples >= 200 for c in CASES)


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
        except EdgecaseError:
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
