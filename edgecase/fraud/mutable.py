"""Which simulator feature columns a fraudster controls, and which way evasion moves them.

:data:`MUTABLE_COLUMNS` maps a column of :data:`~edgecase.fraud.FEATURE_COLUMNS`
to the direction a fraudster can push it to look legitimate: ``"down"`` (smaller
amounts, fewer transactions per hour, a known device), ``"up"`` or ``"both"``
(the hour of day is chosen freely). Columns not listed are out of the fraudster's
hands: the account's age, the merchant category, channel and country the
attack needs. :data:`DERIVED_COLUMNS` names columns computed from another one:
``amount_to_median`` is the amount over the account's running median, so it
scales with ``amount`` and is never moved on its own.

Examples
--------
>>> MUTABLE_COLUMNS["amount"], MUTABLE_COLUMNS["hour"]
('down', 'both')
>>> DERIVED_COLUMNS["amount_to_median"]
('ratio', 'amount')
"""

from __future__ import annotations

__all__ = ["MUTABLE_COLUMNS", "DERIVED_COLUMNS", "DIRECTIONS"]

#: The allowed values of a direction.
DIRECTIONS = ("up", "down", "both")

MUTABLE_COLUMNS: dict[str, str] = {
    "amount": "down",
    "hour": "both",
    "txn_count_1h": "down",
    "txn_count_24h": "down",
    "distance_from_home_km": "down",
    "is_new_device": "down",
    "is_new_country": "down",
    "is_new_merchant": "down",
}

#: column -> (relation, source): ``("ratio", "amount")`` means the column is
#: ``amount / k`` with a per-row constant ``k`` (the account's median), so moving
#: the amount by a factor moves the column by the same factor.
DERIVED_COLUMNS: dict[str, tuple[str, str]] = {"amount_to_median": ("ratio", "amount")}
