"""Hypothesis strategies for property-testing your own fraud and market models.

Built on :mod:`hypothesis.extra.pandas`; typed functions returning
``SearchStrategy`` with keyword-only options, like hypothesis' own extras.

* :func:`transactions` / :func:`tables`: rows that satisfy a
  :class:`~edgecase.schema.TableSchema` (the simulator's by default).
* :func:`process_params`, :func:`processes`, :func:`market_paths`: valid market
  process parameters, process objects and small path sets.

Examples
--------
>>> from hypothesis import HealthCheck, given, settings
>>> from edgecase.strategies import transactions
>>> # a whole simulator row per example is slow to draw on a busy machine
>>> @settings(max_examples=5, database=None, deadline=None,
...           suppress_health_check=[HealthCheck.too_slow])
... @given(transactions(max_rows=5))
... def test_amounts_are_positive(df):
...     assert (df["amount"] >= 0.01).all()
>>> test_amounts_are_positive()
"""

from __future__ import annotations

from edgecase.fraud.strategies import tables, transactions
from edgecase.market.strategies import market_paths, process_params, processes

__all__ = ["transactions", "tables", "process_params", "processes", "market_paths"]
