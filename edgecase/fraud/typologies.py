"""Fraud typologies: how fraudsters actually use a compromised card or account.

Each typology is a small class with a ``severity`` knob:

* ``severity=0``: the pattern as typically observed (obvious to a rule engine),
* ``severity=1``: the calibrated evasive form (amounts close to the victim's
  usual spending, slower velocity, the victim's own device and country),
* ``severity>1``: beyond that (even slower, even more ordinary-looking).

A typology turns a set of *events* (a victim account and a start time each)
into transaction rows, vectorised over all events at once; the simulator then
computes the history features (counts in the last hour, amount vs median, new
device/country/merchant flags) exactly as for legitimate rows, so the features
are consistent whatever the typology.

Examples
--------
>>> get_typology("card_testing", severity=1.0)
CardTesting(severity=1.0)
>>> sorted(TYPOLOGIES)[:3]
['account_takeover', 'bust_out', 'card_testing']
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from edgecase._validate import check_choice, check_severity
from edgecase.errors import InvalidParameterError, UnknownNameError
from edgecase.fraud._world import (
    ATM,
    CARD_PRESENT,
    CASH,
    CAT,
    CATEGORIES,
    DAY,
    FRAUD_DEVICE_BASE,
    HOUR,
    ONLINE,
    ONLINE_RETAIL,
    RISKY,
    TRAVEL_P,
    Accounts,
    cash_amount,
    popular_merchant,
)

__all__ = [
    "Typology",
    "CardTesting",
    "AccountTakeover",
    "BustOut",
    "VelocityBurst",
    "HighValueOutlier",
    "MerchantCompromise",
    "CashOut",
    "TYPOLOGIES",
    "get_typology",
]


def _toward(typical: float | np.ndarray, evasive: float | np.ndarray, s: float, lo=None, hi=None):
    """Move a parameter from its typical (s=0) to its evasive (s=1) value, linearly beyond."""
    out = np.asarray(typical, dtype=float) + (np.asarray(evasive, dtype=float) - typical) * s
    if lo is not None or hi is not None:
        out = np.clip(out, lo, hi)
    return out


def _expand(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Event index and position within the event for every row."""
    ev = np.repeat(np.arange(sizes.shape[0]), sizes)
    starts = np.cumsum(sizes) - sizes
    return ev, np.arange(ev.shape[0]) - starts[ev]


def _cumsum_within(gaps: np.ndarray, ev: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Cumulative gaps restarted at each event (first row of an event at offset 0)."""
    c = np.cumsum(gaps)
    first = np.cumsum(sizes) - sizes
    return c - c[first][ev]


class Typology(ABC):
    """Base class: subclasses set ``name``, ``description`` and implement ``_rows``.

    Parameters
    ----------
    severity : float, default 0.0
        0 typical, 1 calibrated evasive/extreme, >1 beyond.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: ``True`` when one event hits several accounts (one row each).
    multi_victim: ClassVar[bool] = False
    #: Median days from an event's last row to its confirmation (chargeback, customer call).
    label_delay_days: ClassVar[float] = 10.0

    def __init__(self, *, severity: float = 0.0) -> None:
        self.severity = severity

    def __repr__(self) -> str:
        return f"{type(self).__name__}(severity={self.severity!r})"

    @property
    def _s(self) -> float:
        return check_severity(self.severity)

    @abstractmethod
    def event_sizes(self, rng: np.random.Generator, n_events: int) -> np.ndarray:
        """Rows per event (at least 1)."""

    def rows(
        self,
        rng: np.random.Generator,
        acc: Accounts,
        victims: np.ndarray,
        starts: np.ndarray,
        sizes: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """Transaction rows of the events; ``victims`` has one account per *row* for
        multi-victim typologies, one per event otherwise."""
        ev, pos = _expand(sizes)
        acct = victims if self.multi_victim else victims[ev]
        out = self._rows(rng, acc, acct, ev, pos, starts, sizes, self._s)
        out["acct"] = acct
        out.setdefault("declined", rng.random(acct.shape[0]) < self.decline_p(self._s))
        out["t"] = np.maximum(out["t"].astype(np.int64), 0)
        out["amount"] = np.maximum(out["amount"], 0.01)
        if "distance" not in out:
            out["distance"] = acc.distance(acct, out["country"], rng)
        return out

    def decline_p(self, s: float) -> float:
        """Probability that the issuer declines one of the rows (at severity ``s``)."""
        return 0.04

    def label_delays(self, rng: np.random.Generator, n_events: int) -> np.ndarray:
        """Seconds from each event's last row to its confirmation: lognormal, days to weeks."""
        days = self.label_delay_days * np.exp(0.6 * rng.standard_normal(n_events))
        return (np.maximum(days, 0.25) * DAY).astype(np.int64)

    @abstractmethod
    def _rows(self, rng, acc, acct, ev, pos, starts, sizes, s) -> dict[str, Any]:
        """Columns t, amount, cat, merchant, channel, country, device of the event rows."""

    # helpers shared by the typologies
    @staticmethod
    def _country(rng, acc, acct, ev, p_foreign) -> np.ndarray:
        """One place per event: home, or abroad (half the time a high-risk country, half an
        ordinary travel destination: fraud is routed through the same places people visit)."""
        n_ev = int(ev.max()) + 1 if ev.shape[0] else 0
        foreign = rng.random(n_ev) < p_foreign
        dest = np.where(
            rng.random(n_ev) < 0.5,
            rng.choice(RISKY, size=n_ev),
            rng.choice(len(TRAVEL_P), size=n_ev, p=TRAVEL_P),
        )
        return np.where(foreign[ev], dest[ev], acc.home[acct])

    @staticmethod
    def _device(rng, acc, acct, ev, channel, p_new) -> np.ndarray:
        """Online rows of an event use one device: the fraudster's own (with probability
        ``p_new``) or the victim's (malware, a stolen phone); card-present rows use the card."""
        n_ev = int(ev.max()) + 1 if ev.shape[0] else 0
        new = rng.random(n_ev) < p_new
        fraud_dev = FRAUD_DEVICE_BASE + rng.integers(0, 1 << 39, n_ev)
        own = np.where(channel == ONLINE, acc.online_device(acct, rng), acc.card_device(acct))
        return np.where((channel == ONLINE) & new[ev], fraud_dev[ev], own)


class CardTesting(Typology):
    """Card testing: many tiny online authorisations at different merchants, seconds
    apart, to check which stolen card numbers work before cashing out.

    Severity makes amounts approach the victim's usual ticket, spaces the attempts
    out (40 s typical, about an hour at 1), and uses the victim's device and country.
    """

    name = "card_testing"
    description = "bursts of tiny online authorisations at many merchants, many declined"
    label_delay_days = 12.0

    def decline_p(self, s):
        # most tested numbers are dead or blocked; an evasive tester screens them first
        return float(_toward(0.55, 0.15, s, 0.05, 1.0))

    def event_sizes(self, rng, n_events):
        lo, hi = _toward(5, 3, self._s, 2), _toward(20, 8, self._s, 2)
        return rng.integers(int(lo), int(hi) + 1, n_events)

    def _rows(self, rng, acc, acct, ev, pos, starts, sizes, s):
        m = acct.shape[0]
        cat = np.where(rng.random(m) < 0.7, ONLINE_RETAIL, CAT["entertainment"])
        tiny = np.exp(rng.uniform(np.log(0.5), np.log(5.0), m))
        usual = acc.typical_amount(acct, cat) * np.exp(0.3 * rng.standard_normal(m))
        # the victim's usual ticket is as evasive as an amount gets: it stays there beyond s=1
        amount = np.exp(_toward(np.log(tiny), np.log(usual), min(s, 1.0)))
        gap_mean = _toward(40.0, 3600.0, s, 5.0)
        t = starts[ev] + _cumsum_within(rng.exponential(gap_mean, m), ev, sizes)
        channel = np.full(m, ONLINE)
        return {
            "t": t,
            "amount": amount,
            "cat": cat,
            "merchant": popular_merchant(rng, cat),
            "channel": channel,
            "country": self._country(rng, acc, acct, ev, _toward(0.4, 0.1, s, 0.0, 1.0)),
            "device": self._device(rng, acc, acct, ev, channel, _toward(0.7, 0.3, s, 0.0, 1.0)),
        }


class AccountTakeover(Typology):
    """Account takeover: a fraudster logs in (usually from a new device, sometimes the
    victim's own through malware or a stolen phone; often abroad, more often at night)
    and makes a few large online purchases.

    Severity: the victim's own country and waking hours, amounts near the usual
    (6x the typical ticket at 0, 1.5x at 1), a device that looks known.
    """

    name = "account_takeover"
    description = "often a new device or country, tilted to the night, a few large online buys"
    label_delay_days = 5.0

    def event_sizes(self, rng, n_events):
        return rng.integers(2, 7, n_events)

    def _rows(self, rng, acc, acct, ev, pos, starts, sizes, s):
        m = acct.shape[0]
        cat = rng.choice([CAT["electronics"], CAT["travel"], CAT["retail"], ONLINE_RETAIL], m)
        factor = np.exp(_toward(np.log(6.0), np.log(1.5), s, 0.0) + 0.3 * rng.standard_normal(m))
        day0 = starts // DAY * DAY
        # a tilt toward the night (the fraudster's own hours or time zone), never a window:
        # the rest of the logins come at the victim's usual hours
        first = np.cumsum(sizes) - sizes
        usual = acc.peak_hour[acct[first]] + acc.hour_sd[acct[first]] * rng.standard_normal(
            first.shape[0]
        )
        night = rng.uniform(-1.0, 7.0, starts.shape[0])
        p_night = _toward(0.45, 0.0, s, 0.0, 1.0)
        hour = np.mod(np.where(rng.random(starts.shape[0]) < p_night, night, usual), 24.0)
        start = day0 + hour * HOUR
        gap = _toward(600.0, 3 * 3600.0, s, 60.0)
        t = start[ev] + _cumsum_within(rng.exponential(gap, m), ev, sizes)
        channel = np.full(m, ONLINE)
        return {
            "t": t,
            "amount": acc.typical_amount(acct, cat) * factor,
            "cat": cat,
            "merchant": popular_merchant(rng, cat),
            "channel": channel,
            "country": self._country(rng, acc, acct, ev, _toward(0.45, 0.1, s, 0.0, 1.0)),
            "device": self._device(rng, acc, acct, ev, channel, _toward(0.75, 0.2, s, 0.0, 1.0)),
        }


class BustOut(Typology):
    """Bust-out: a (often synthetic-identity) account that behaved well maxes out its
    credit over a day or two with high-value purchases, then disappears.

    Severity: spread over longer (2 h gaps at 0, 12 h at 1) and smaller tickets
    (8x typical at 0, 2.5x at 1); it always uses the holder's own cards and country.
    """

    name = "bust_out"
    description = "a sudden run of high-value purchases on the holder's own cards"
    # confirmed only when the account charges off, weeks later
    label_delay_days = 35.0

    def event_sizes(self, rng, n_events):
        return rng.integers(4, 13, n_events)

    def _rows(self, rng, acc, acct, ev, pos, starts, sizes, s):
        m = acct.shape[0]
        cat = rng.choice([CAT["electronics"], CAT["retail"], CAT["travel"], ONLINE_RETAIL], m)
        factor = np.exp(_toward(np.log(8.0), np.log(2.5), s, 0.0) + 0.4 * rng.standard_normal(m))
        gap = _toward(2 * 3600.0, 12 * 3600.0, s, 300.0)
        t = starts[ev] + _cumsum_within(rng.exponential(gap, m), ev, sizes)
        channel = np.where(
            cat == ONLINE_RETAIL, ONLINE, np.where(rng.random(m) < 0.5, ONLINE, CARD_PRESENT)
        )
        return {
            "t": t,
            "amount": acc.typical_amount(acct, cat) * factor,
            "cat": cat,
            "merchant": popular_merchant(rng, cat),
            "channel": channel,
            "country": acc.home[acct],
            "device": self._device(rng, acc, acct, ev, channel, 0.0),
        }


class VelocityBurst(Typology):
    """Velocity burst: a cloned card used at many merchants within minutes, at
    ordinary amounts, before the issuer reacts.

    Severity: fewer, slower transactions (90 s gaps at 0, 20 min at 1) at the
    holder's usual merchants' categories and amounts.
    """

    name = "velocity_burst"
    description = "many ordinary-looking card-present transactions within minutes"
    label_delay_days = 7.0

    def event_sizes(self, rng, n_events):
        lo, hi = _toward(6, 3, self._s, 2), _toward(25, 8, self._s, 3)
        return rng.integers(int(lo), int(hi) + 1, n_events)

    def _rows(self, rng, acc, acct, ev, pos, starts, sizes, s):
        m = acct.shape[0]
        from edgecase.fraud._world import choose_rows

        cat = choose_rows(rng, acc.cat_cdf[acct])
        cat = np.where(cat == CAT["cash_withdrawal"], CAT["retail"], cat)
        factor = np.exp(_toward(np.log(1.8), 0.0, s) + 0.5 * rng.standard_normal(m))
        gap = _toward(90.0, 20 * 60.0, s, 10.0)
        t = starts[ev] + _cumsum_within(rng.exponential(gap, m), ev, sizes)
        channel = np.full(m, CARD_PRESENT)
        return {
            "t": t,
            "amount": acc.typical_amount(acct, cat) * factor,
            "cat": cat,
            "merchant": popular_merchant(rng, cat),
            "channel": channel,
            "country": self._country(rng, acc, acct, ev, _toward(0.3, 0.0, s, 0.0, 1.0)),
            "device": self._device(rng, acc, acct, ev, channel, _toward(0.7, 0.0, s, 0.0, 1.0)),
        }


class HighValueOutlier(Typology):
    """High-value outlier: one purchase far above anything the holder spends.

    Severity shrinks the multiple (4x typical at 0, 1.5x at 1) so the row hides
    inside the holder's own amount distribution.
    """

    name = "high_value_outlier"
    description = "a single purchase far above the holder's usual amounts"

    def event_sizes(self, rng, n_events):
        return np.ones(n_events, dtype=np.int64)

    def _rows(self, rng, acc, acct, ev, pos, starts, sizes, s):
        m = acct.shape[0]
        cat = rng.choice([CAT["electronics"], CAT["travel"], CAT["retail"]], m)
        factor = np.exp(_toward(np.log(4.0), np.log(1.5), s, 0.0) + 0.6 * rng.standard_normal(m))
        channel = np.where(rng.random(m) < 0.6, ONLINE, CARD_PRESENT)
        return {
            "t": starts[ev],
            "amount": acc.typical_amount(acct, cat) * factor,
            "cat": cat,
            "merchant": popular_merchant(rng, cat),
            "channel": channel,
            "country": self._country(rng, acc, acct, ev, _toward(0.4, 0.0, s, 0.0, 1.0)),
            "device": self._device(rng, acc, acct, ev, channel, _toward(0.6, 0.1, s, 0.0, 1.0)),
        }


class MerchantCompromise(Typology):
    """Merchant compromise: card data stolen at (or charged through) one merchant;
    many different accounts are hit at that merchant within a short window.

    Severity widens the window (1 hour at 0, 3 days at 1) and makes each charge
    look like the victim's usual ticket in that category.
    """

    name = "merchant_compromise"
    description = "many accounts charged by the same merchant within a short window"
    multi_victim = True
    # found by common-point-of-purchase analysis, after several victims complain
    label_delay_days = 21.0

    def event_sizes(self, rng, n_events):
        return rng.integers(5, 31, n_events)

    def _rows(self, rng, acc, acct, ev, pos, starts, sizes, s):
        m = acct.shape[0]
        n_ev = sizes.shape[0]
        ev_cat = rng.choice([CAT["retail"], ONLINE_RETAIL, CAT["restaurant"], CAT["fuel"]], n_ev)
        ev_merchant = popular_merchant(rng, ev_cat)
        cat = ev_cat[ev]
        window = _toward(3600.0, 3 * DAY, s, 600.0)
        t = starts[ev] + rng.uniform(0.0, window, m)
        odd = np.exp(rng.uniform(np.log(50.0), np.log(500.0), m))
        usual = acc.typical_amount(acct, cat) * np.exp(0.3 * rng.standard_normal(m))
        # the victim's usual ticket is as evasive as an amount gets: it stays there beyond s=1
        amount = np.exp(_toward(np.log(odd), np.log(usual), min(s, 1.0)))
        channel = np.where(cat == ONLINE_RETAIL, ONLINE, CARD_PRESENT)
        return {
            "t": t,
            "amount": amount,
            "cat": cat,
            "merchant": ev_merchant[ev],
            "channel": channel,
            "country": acc.home[acct],
            "device": self._device(rng, acc, acct, ev, channel, _toward(0.5, 0.0, s, 0.0, 1.0)),
        }


class CashOut(Typology):
    """Cash-out: a skimmed or cloned card emptied at ATMs, a few withdrawals in notes
    within hours, often far from the holder's usual places.

    Severity: fewer, smaller withdrawals (several times the usual at 0, the usual at 1),
    spread over a day, at home rather than abroad.
    """

    name = "cash_out"
    description = "a few ATM withdrawals in notes within hours, on a cloned card"
    label_delay_days = 3.0

    def event_sizes(self, rng, n_events):
        lo, hi = _toward(2, 1, self._s, 1), _toward(6, 3, self._s, 1)
        return rng.integers(int(lo), int(hi) + 1, n_events)

    def _rows(self, rng, acc, acct, ev, pos, starts, sizes, s):
        m = acct.shape[0]
        cat = np.full(m, CASH)
        factor = np.exp(_toward(np.log(3.0), 0.0, s) + 0.5 * rng.standard_normal(m))
        gap = _toward(20 * 60.0, 8 * 3600.0, s, 60.0)
        t = starts[ev] + _cumsum_within(rng.exponential(gap, m), ev, sizes)
        channel = np.full(m, ATM)
        # cloned cards are cashed far from the holder: a wider radius at home, or abroad
        far = np.exp(_toward(np.log(8.0), 0.0, s) + 0.5 * rng.standard_normal(m))
        country = self._country(rng, acc, acct, ev, _toward(0.35, 0.0, s, 0.0, 1.0))
        return {
            "t": t,
            "amount": cash_amount(acc.typical_amount(acct, cat) * factor),
            "cat": cat,
            "merchant": popular_merchant(rng, cat),
            "channel": channel,
            "country": country,
            "device": self._device(rng, acc, acct, ev, channel, 0.0),
            "distance": acc.distance(acct, country, rng)
            * np.where(country == acc.home[acct], far, 1.0),
        }


_CLASSES = (
    CardTesting,
    AccountTakeover,
    BustOut,
    VelocityBurst,
    HighValueOutlier,
    MerchantCompromise,
    CashOut,
)
#: name -> typology class
TYPOLOGIES: dict[str, type[Typology]] = {c.name: c for c in _CLASSES}
assert set(CATEGORIES)  # the world module is the single source of categories


def get_typology(typology: str | Typology, *, severity: float | None = None) -> Typology:
    """A typology instance from a name (or an instance, optionally with a new severity)."""
    if isinstance(typology, Typology):
        if severity is None:
            check_severity(typology.severity)
            return typology
        return type(typology)(severity=check_severity(severity))
    if not isinstance(typology, str):
        raise InvalidParameterError(
            f"typology must be a name in {sorted(TYPOLOGIES)} or a Typology; got {typology!r}."
        )
    check_choice(typology, "typology", list(TYPOLOGIES), error=UnknownNameError)
    return TYPOLOGIES[typology](severity=check_severity(0.0 if severity is None else severity))
