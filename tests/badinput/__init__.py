"""Registry of public entry points for ``tests/test_bad_input.py``.

Each stage adds a module here (``fraud.py``, ``market.py``, ...) defining
``CASES: list[Case]``; :func:`discover` collects them all, so joining the
bad-input test is one new module and no edit of a shared list.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis.strategies import SearchStrategy


@dataclass(frozen=True)
class Case:
    """One public entry point and a strategy of malformed inputs for it.

    ``call(bad)`` must raise an ``EdgecaseError`` subclass for every ``bad``
    drawn from ``strategy``: any other exception, or returning at all, fails.

    ``names`` says what the message must name: a list of words, or a function of
    ``bad`` giving them (the parameter set wrong, the column broken); the message must
    contain at least one of them as a whole word, so an error that does not say what
    is wrong fails. ``covers`` lists the public callables the case exercises; every
    callable in a public package's ``__all__`` must be covered by some case.
    """

    name: str
    strategy: SearchStrategy
    call: Callable[[Any], Any]
    max_examples: int = 200
    names: Sequence[str] | Callable[[Any], Sequence[str]] | None = None
    covers: tuple[Any, ...] = ()

    def expected_names(self, bad: Any) -> list[str]:
        names = self.names(bad) if callable(self.names) else self.names
        return [str(n) for n in names or ()]


def discover() -> list[Case]:
    cases: list[Case] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        cases.extend(getattr(module, "CASES", []))
    return cases
