"""An embedded card-transaction simulator with per-account behaviour and fraud typologies.

Legit behaviour is driven by a spending profile per account: a home country,
a radius of in-person spending, category preferences with category-specific
ticket sizes scaled by the account's spending level, a diurnal pattern (peak
hour and spread), an online share, recurring (favourite) merchants, a few own
devices (and new ones over time), shopping sessions and a small travel
propensity. Fraud rows come from :mod:`edgecase.fraud.typologies` and are mixed
into the victims' histories. At severity 0 no single feature separates fraud
from legit rows (ROC-AUC below 0.85) and no category level is mostly fraud: the
signal is in combinations, as in a bank's data.
History features are computed afterwards, on the merged history, with sorted
group operations (``np.searchsorted``, grouped expanding medians,
``duplicated``), never per-row Python loops.

Randomness: accounts are split into blocks of ``BLOCK_SIZE``; block ``b`` draws
its profiles, legit rows and fraud rows from ``block_rngs(seed, b, 1)``. Its row
count and its fraud events (typology and size of each) come from a plan for the
whole table, drawn from a stream of its own, so every chunk computes the same plan
and a chunked run over whole blocks reproduces the same rows. The plan deals whole
events to blocks: at low rates most blocks hold no fraud, the others whole episodes.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.indexers import BaseIndexer
from tqdm.auto import tqdm

from edgecase._random import BLOCK_SIZE, RandomStateLike, as_seed_sequence, block_rngs
from edgecase._validate import as_frame, check_bool, check_labels01, check_memory, check_scalar
from edgecase.errors import InvalidInputError, InvalidParameterError
from edgecase.fraud import _world as w
from edgecase.fraud._plan import largest_remainder as _largest_remainder
from edgecase.fraud._plan import plan_blocks as _plan
from edgecase.fraud.typologies import TYPOLOGIES, Typology, get_typology
from edgecase.parallel import ParquetOutput, run_chunks
from edgecase.schema import Column, TableSchema

__all__ = [
    "simulate_transactions",
    "FEATURE_COLUMNS",
    "COLUMNS",
    "split_features",
    "transaction_schema",
    "MERCHANT_CATEGORIES",
    "CHANNELS",
    "COUNTRIES",
]

START = np.datetime64("2024-01-01T00:00:00", "ns")
MERCHANT_CATEGORIES = w.CATEGORIES
CHANNELS = w.CHANNELS
COUNTRIES = w.COUNTRIES
LABELS = ("legit", *TYPOLOGIES)

COLUMNS = [
    "transaction_id",
    "account_id",
    "timestamp",
    "amount",
    "merchant_id",
    "merchant_category",
    "channel",
    "country",
    "device_id",
    "account_age_days",
    "hour",
    "txn_count_1h",
    "txn_count_24h",
    "amount_to_median",
    "is_new_device",
    "is_new_country",
    "is_new_merchant",
    "distance_from_home_km",
    "status",
    "card_id",
    "event_id",
    "label_time",
    "is_fraud",
    "typology",
]
FEATURE_COLUMNS = [
    "amount",
    "merchant_category",
    "channel",
    "country",
    "account_age_days",
    "hour",
    "txn_count_1h",
    "txn_count_24h",
    "amount_to_median",
    "is_new_device",
    "is_new_country",
    "is_new_merchant",
    "distance_from_home_km",
]

_CAT_DTYPE = pd.CategoricalDtype(list(MERCHANT_CATEGORIES))
_CHANNEL_DTYPE = pd.CategoricalDtype(list(CHANNELS))
_COUNTRY_DTYPE = pd.CategoricalDtype(list(COUNTRIES))
_LABEL_DTYPE = pd.CategoricalDtype(list(LABELS))
_STATUS_DTYPE = pd.CategoricalDtype(["approved", "declined"])
#: card_id = account_id * CARDS_PER_ACCOUNT + the number of the card (0 first, +1 per block)
CARDS_PER_ACCOUNT = 64
# Row shares (not event shares) of the default mix.
_DEFAULT_MIX = {
    "card_testing": 0.22,
    "account_takeover": 0.15,
    "bust_out": 0.12,
    "velocity_burst": 0.15,
    "high_value_outlier": 0.08,
    "merchant_compromise": 0.15,
    "cash_out": 0.13,
}


def transaction_schema(*, features_only: bool = False) -> TableSchema:
    """The declared schema of :func:`simulate_transactions` output.

    Physical bounds only (amount >= 0.01, hours 0..23, counts >= 0), so rows
    generated beyond history still pass. ``label_time`` is left out: it is NaT on
    every legit row, and the schema's columns have no missing values.

    Examples
    --------
    >>> transaction_schema()["hour"].high
    23
    """
    check_bool(features_only, "features_only")
    cols = [
        Column("transaction_id", "integer", "id", low=0, dtype="int64"),
        Column("account_id", "integer", "entity", low=0, dtype="int64"),
        Column("timestamp", "datetime", "time", dtype="datetime64[ns]"),
        Column("amount", "numeric", low=0.01, dtype="float64"),
        Column("merchant_id", "integer", "id", low=0, dtype="int64"),
        Column("merchant_category", "category", categories=MERCHANT_CATEGORIES, mode="grocery"),
        Column("channel", "category", categories=CHANNELS, mode="card_present"),
        Column("country", "category", categories=COUNTRIES, mode="US"),
        Column("device_id", "integer", "id", low=0, dtype="int64"),
        Column("account_age_days", "integer", low=0, dtype="int64"),
        Column("hour", "integer", low=0, high=23, dtype="int64"),
        Column("txn_count_1h", "integer", low=0, dtype="int64"),
        Column("txn_count_24h", "integer", low=0, dtype="int64"),
        Column("amount_to_median", "numeric", low=1e-9, dtype="float64"),
        Column("is_new_device", "bool", dtype="bool"),
        Column("is_new_country", "bool", dtype="bool"),
        Column("is_new_merchant", "bool", dtype="bool"),
        Column("distance_from_home_km", "numeric", low=0.0, dtype="float64"),
        Column("status", "category", categories=("approved", "declined"), mode="approved"),
        Column("card_id", "integer", "id", low=0, dtype="int64"),
        Column("event_id", "integer", "id", low=-1, dtype="int64"),
        Column("is_fraud", "bool", "label", dtype="bool"),
        Column("typology", "category", categories=LABELS, mode="legit"),
    ]
    if features_only:
        cols = [c for c in cols if c.name in FEATURE_COLUMNS]
    return TableSchema(cols)


def _mix(typologies: Any, severity: float) -> tuple[list[Typology], np.ndarray]:
    if typologies is None:
        typologies = _DEFAULT_MIX
    if isinstance(typologies, (str, Typology)):
        typologies = [typologies]
    if isinstance(typologies, Mapping):
        items = list(typologies.items())
    elif isinstance(typologies, Sequence):
        items = [(t, 1.0) for t in typologies]
    else:
        raise InvalidParameterError(
            f"typologies must be None, a name, a list of names/Typology objects or a "
            f"{{name: weight}} mapping; got {type(typologies).__name__}."
        )
    if not items:
        raise InvalidParameterError("typologies is empty; give at least one typology.")
    objs, weights = [], []
    for t, wgt in items:
        objs.append(
            get_typology(t) if isinstance(t, Typology) else get_typology(t, severity=severity)
        )
        check_scalar(wgt, f"weight of typology {t!r}", low=0.0)
        weights.append(float(wgt))
    weights = np.asarray(weights)
    if weights.sum() <= 0:
        raise InvalidParameterError("typology weights must not all be 0.")
    return objs, weights / weights.sum()


def _event_starts(rng: np.random.Generator, n: int, days: int) -> np.ndarray:
    """Start times of fraud events: any day, any hour, busier when people are awake."""
    hour = np.where(rng.random(n) < 0.5, rng.uniform(0.0, 24.0, n), rng.normal(14.0, 4.0, n))
    return rng.integers(0, days, n) * w.DAY + (np.mod(hour, 24.0) * w.HOUR).astype(np.int64)


def _fraud_rows(
    rng: np.random.Generator,
    acc: w.Accounts,
    event_typ: np.ndarray,
    event_size: np.ndarray,
    typologies: list[Typology],
    days: int,
) -> dict[str, np.ndarray]:
    """The fraud rows of one block's planned events (typology index and size of each).

    Rows carry a block-local victim episode (one account hit by one event) and the
    episode's confirmation time ``label_t``.
    """
    victim_p = acc.weight / acc.weight.sum()
    parts, n_episodes = [], 0
    for j in np.unique(event_typ):
        typ, sz = typologies[j], event_size[event_typ == j]
        starts = _event_starts(rng, sz.shape[0], days)
        if typ.multi_victim:
            # distinct victims within an event
            victims = np.concatenate(
                [rng.choice(acc.n, size=int(k), replace=False, p=victim_p) for k in sz]
            )
        else:
            victims = rng.choice(acc.n, size=sz.shape[0], p=victim_p)
        rows = typ.rows(rng, acc, victims, starts, sz)
        m = rows["acct"].shape[0]
        ev = np.repeat(np.arange(sz.shape[0]), sz)
        # one episode per victim: the whole event, or each account of a multi-victim event
        episode = np.arange(m) if typ.multi_victim else ev
        last = pd.Series(rows["t"]).groupby(episode).transform("max").to_numpy()
        rows["label_t"] = last + typ.label_delays(rng, sz.shape[0])[ev]
        rows["episode"] = n_episodes + episode
        n_episodes += int(episode.max()) + 1
        rows["typology"] = np.full(m, LABELS.index(typ.name), dtype=np.int8)
        parts.append(rows)
    return {key: np.concatenate([r[key] for r in parts]) for key in parts[0]}


def _simulate_block(
    rng: np.random.Generator,
    first_account: int,
    n_acc: int,
    n_rows: int,
    events: tuple[np.ndarray, np.ndarray],
    typologies: list[Typology],
    days: int,
) -> tuple[dict[str, np.ndarray], w.Accounts]:
    """One block's rows; ``events`` are its planned fraud events (typology indices, sizes)."""
    event_typ, event_size = events
    n_fraud = int(event_size.sum())
    acc = w.draw_accounts(rng, first_account, n_acc)
    counts = _largest_remainder(n_rows - n_fraud, acc.weight)
    legit = w.legit_rows(rng, acc, counts, days)
    n_legit = legit["acct"].shape[0]
    legit["typology"] = np.zeros(n_legit, dtype=np.int8)
    legit["episode"] = np.full(n_legit, -1, dtype=np.int64)
    legit["label_t"] = np.full(n_legit, -1, dtype=np.int64)
    if n_fraud:
        fraud = _fraud_rows(rng, acc, event_typ, event_size, typologies, days)
        legit = {k: np.concatenate([legit[k], fraud[k]]) for k in legit}
    return legit, acc


def simulate_transactions(
    n_transactions: int = 200_000,
    n_accounts: int | None = None,
    fraud_rate: float = 0.002,
    typologies: Any = None,
    random_state: RandomStateLike = None,
    *,
    severity: float = 0.0,
    days: int = 90,
    progress: bool = True,
    chunk_size: int | None = None,
    client: Any = None,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
) -> pd.DataFrame | ParquetOutput:
    """Simulate card transactions with per-account behaviour and labelled fraud.

    Parameters
    ----------
    n_transactions : int, default 200_000
        Rows to produce (legit + fraud).
    n_accounts : int, optional
        Card accounts; default one per 40 transactions (at least 1).
    fraud_rate : float, default 0.002
        Share of fraud rows, in [0, 0.5]; ``round(n_transactions * fraud_rate)``
        rows are fraud (rates down to 0.0001 and below work).
    typologies : None, name, list or {name: weight}
        Fraud typologies to inject (names from :data:`TYPOLOGIES` or
        :class:`~edgecase.fraud.typologies.Typology` objects); default: all seven,
        card testing the most frequent. Weights are **row** shares, like
        ``fraud_rate``: ``{"card_testing": 3, "bust_out": 1}`` makes three card
        testing rows per bust-out row (over the whole table, rounded by largest
        remainder). Each typology's rows are whole events (sizes as the typology
        draws them, made to sum exactly to its rows), so episodes keep their size
        at any ``fraud_rate``; only when no draw fits, or the rows are fewer than
        one event, is the typology's last event cut.
    random_state : None, int or Generator
    severity : float, default 0.0
        Severity given to typologies named by string (0 typical, 1 evasive).
    days : int, default 90
        Length of the simulated window (starting 2024-01-01, local time).
    progress : bool, default True
        Show a progress bar over account blocks (over chunks when chunked).
    chunk_size : int, optional
        Simulate in chunks of this many accounts (a multiple of 1,000; default
        10,000 when ``client`` or ``out`` is given), one task each.
    client : distributed.Client, scheduler address or False, optional
        Run the chunks on Dask (see :func:`edgecase.parallel.resolve_client`).
    out : path, optional
        Stream the rows to Parquet, one part file per chunk, and return a
        :class:`~edgecase.parallel.ParquetOutput`.
    overwrite : bool, default False
        Empty a non-empty ``out`` folder first.

    Returns
    -------
    DataFrame or ParquetOutput
        Columns :data:`COLUMNS` in time order (see CONTRACTS.md for dtypes).
        Beyond the features: ``status`` (approved/declined; card testing is
        often declined), ``card_id`` (``account_id * 64 + k``: the holder's k-th
        card, a new one after each confirmed fraud episode, so no row uses a
        card after its block), ``event_id`` (one victim episode: the rows one
        event put on one account; -1 on legit rows) and ``label_time`` (when the
        episode was confirmed, days to weeks after its last row depending on the
        typology; NaT on legit rows). None of these is in :data:`FEATURE_COLUMNS`;
        ``transaction_id`` is 0..n-1 in time order. Chunked (``chunk_size``,
        ``client`` or ``out`` given), rows come by block of 1,000 accounts, in
        time order within each block (sort by ``timestamp`` for a global order),
        and are identical for any ``chunk_size`` and executor; they are the same
        rows as the one-shot table, with ``transaction_id`` numbered in that order.

    Examples
    --------
    >>> df = simulate_transactions(2_000, fraud_rate=0.01, random_state=0, progress=False)
    >>> df.shape, int(df["is_fraud"].sum())
    ((2000, 24), 20)
    >>> bool(df.groupby("account_id")["timestamp"].is_monotonic_increasing.all())
    True
    >>> a = simulate_transactions(6_000, 3_000, random_state=0, chunk_size=1_000, progress=False)
    >>> b = simulate_transactions(6_000, 3_000, random_state=0, chunk_size=2_000, progress=False)
    >>> a.equals(b), len(a), a["transaction_id"].is_unique
    (True, 6000, True)
    """
    n_transactions, n_accounts, typ_objs, p = _resolve_args(
        n_transactions, n_accounts, fraud_rate, typologies, severity, days
    )
    seed = as_seed_sequence(random_state)
    if chunk_size is not None or client is not None or out is not None:
        result = run_chunks(
            simulate_accounts_chunk, n_accounts, random_state=seed, client=client, out=out,
            chunk_size=10_000 if chunk_size is None else chunk_size, overwrite=overwrite,
            progress=progress, n_transactions=n_transactions, n_accounts=n_accounts,
            fraud_rate=fraud_rate, typologies=typologies, severity=severity, days=days,
        )  # fmt: skip
        return result if isinstance(result, ParquetOutput) else pd.concat(result, ignore_index=True)

    # about 80 float64 values per row at the peak (2M rows peaked at 1.3 GB)
    check_memory(
        (n_transactions, 80), what=f"simulate_transactions({n_transactions:,})",
        hint="simulate fewer rows, or pass out= (a Parquet folder) to write them in chunks.",
    )  # fmt: skip
    plan = _plan(n_transactions, n_accounts, float(fraud_rate), seed, typ_objs, p)
    return _simulate_blocks(seed, plan, 0, plan["n_blocks"], typ_objs, int(days), progress=progress)


def _resolve_args(
    n_transactions: Any, n_accounts: Any, fraud_rate: Any, typologies: Any, severity: Any, days: Any
) -> tuple[int, int, list[Typology], np.ndarray]:
    """Validate the simulator's arguments; returns (n_transactions, n_accounts, typologies, weights)."""
    check_scalar(n_transactions, "n_transactions", kind=numbers.Integral, low=1)
    if n_accounts is None:
        n_accounts = max(1, int(n_transactions) // 40)
    check_scalar(n_accounts, "n_accounts", kind=numbers.Integral, low=1, high=n_transactions)
    check_scalar(fraud_rate, "fraud_rate", low=0.0, high=0.5)
    check_scalar(days, "days", kind=numbers.Integral, low=1, high=3650)
    typ_objs, p = _mix(typologies, float(check_scalar(severity, "severity", low=0.0)))
    return int(n_transactions), int(n_accounts), typ_objs, p


def _simulate_blocks(
    seed: np.random.SeedSequence,
    plan: dict[str, Any],
    b0: int,
    b1: int,
    typ_objs: list[Typology],
    days: int,
    *,
    progress: bool = False,
    by_block: bool = False,
) -> pd.DataFrame:
    """Rows of account blocks ``b0 .. b1 - 1``, in time order (``by_block``: block, then time).

    Accounts never span blocks and history features are per account, so any
    split of the blocks gives the same rows; ``transaction_id`` counts from the
    first row of block ``b0``.
    """
    acc_per_block, rows_per_block, offsets = (
        plan["acc_per_block"], plan["rows_per_block"], plan["event_offsets"]
    )  # fmt: skip
    first_id = int(rows_per_block[:b0].sum())
    parts, known_parts = [], []
    rngs = block_rngs(seed, b0, b1 - b0)
    for b in tqdm(range(b0, b1), disable=not progress, desc="simulating accounts", unit="block"):
        raw, acc = _simulate_block(
            rngs[b - b0],
            b * BLOCK_SIZE,
            int(acc_per_block[b]),
            int(rows_per_block[b]),
            (
                plan["event_typology"][offsets[b] : offsets[b + 1]],
                plan["event_size"][offsets[b] : offsets[b + 1]],
            ),
            typ_objs,
            days,
        )
        raw["account_id"] = acc.account_id[raw.pop("acct")]
        # globally unique victim episodes: the block in the high bits (chunk-invariant)
        raw["episode"] = np.where(raw["episode"] >= 0, (b << 32) + raw["episode"], -1)
        raw["age0"] = acc.age0[acc.account_id.searchsorted(raw["account_id"])]
        raw["home"] = acc.home[acc.account_id.searchsorted(raw["account_id"])]
        parts.append(raw)
        # history from before the window: home country, own devices, favourite merchants
        nd = acc.n_devices
        dev_acc = np.repeat(acc.account_id, nd + 1)
        dev_k = np.arange(dev_acc.shape[0]) - np.repeat(np.cumsum(nd + 1) - (nd + 1), nd + 1)
        fav = acc.favourites.reshape(acc.n, -1)
        known_parts.append(
            {
                "device": (dev_acc, dev_acc * 4 + dev_k),
                "country": (acc.account_id, acc.home),
                "merchant": (np.repeat(acc.account_id, fav.shape[1]), fav.ravel()),
            }
        )
    raw = {k: np.concatenate([r[k] for r in parts]) for k in parts[0]}

    order = np.lexsort((raw["t"], raw["account_id"]))
    raw = {k: v[order] for k, v in raw.items()}
    acct = raw["account_id"]
    # strictly increasing time per account: push ties forward by whole seconds
    grp_start = np.r_[0, np.flatnonzero(acct[1:] != acct[:-1]) + 1]
    rank = np.arange(acct.shape[0]) - np.repeat(grp_start, np.diff(np.r_[grp_start, acct.shape[0]]))
    adj = raw["t"] - rank
    adj = pd.Series(adj).groupby(acct, sort=False).cummax().to_numpy()
    raw["t"] = adj + rank
    raw["amount"] = np.maximum(np.round(raw["amount"], 2), 0.01)

    known = {
        col: tuple(np.concatenate([kp[col][i] for kp in known_parts]) for i in (0, 1))
        for col in ("device", "country", "merchant")
    }
    hist = _history_features(raw, known)
    card_seq = _card_sequence(raw["account_id"], raw["t"], raw["label_t"])

    if by_block:
        # chunk-invariant order: block by block (accounts never span blocks), time within
        final = np.lexsort((raw["account_id"], raw["t"], raw["account_id"] // BLOCK_SIZE))
    else:
        final = np.lexsort((raw["account_id"], raw["t"]))
    t = raw["t"][final]
    is_fraud = raw["typology"][final] > 0
    df = pd.DataFrame(
        {
            "transaction_id": first_id + np.arange(final.shape[0], dtype=np.int64),
            "account_id": raw["account_id"][final].astype(np.int64),
            "timestamp": START + t.astype("timedelta64[s]").astype("timedelta64[ns]"),
            "amount": raw["amount"][final].astype(np.float64),
            "merchant_id": raw["merchant"][final].astype(np.int64),
            "merchant_category": pd.Categorical.from_codes(raw["cat"][final], dtype=_CAT_DTYPE),
            "channel": pd.Categorical.from_codes(raw["channel"][final], dtype=_CHANNEL_DTYPE),
            "country": pd.Categorical.from_codes(raw["country"][final], dtype=_COUNTRY_DTYPE),
            "device_id": raw["device"][final].astype(np.int64),
            "account_age_days": (raw["age0"][final] + t // w.DAY).astype(np.int64),
            "hour": ((t // w.HOUR) % 24).astype(np.int64),
            "txn_count_1h": hist["txn_count_1h"][final].astype(np.int64),
            "txn_count_24h": hist["txn_count_24h"][final].astype(np.int64),
            "amount_to_median": hist["amount_to_median"][final].astype(np.float64),
            "is_new_device": hist["is_new_device"][final],
            "is_new_country": hist["is_new_country"][final],
            "is_new_merchant": hist["is_new_merchant"][final],
            "distance_from_home_km": np.maximum(raw["distance"][final], 0.0).astype(np.float64),
            "status": pd.Categorical.from_codes(
                raw["declined"][final].astype(np.int8), dtype=_STATUS_DTYPE
            ),
            "card_id": (raw["account_id"][final] * CARDS_PER_ACCOUNT + card_seq[final]).astype(
                np.int64
            ),
            "event_id": raw["episode"][final].astype(np.int64),
            "label_time": _label_time(raw["label_t"][final]),
            "is_fraud": is_fraud,
            "typology": pd.Categorical.from_codes(raw["typology"][final], dtype=_LABEL_DTYPE),
        }
    )
    return df


def simulate_accounts_chunk(
    seed: np.random.SeedSequence,
    start: int,
    stop: int,
    *,
    n_transactions: int,
    n_accounts: int,
    fraud_rate: float = 0.002,
    typologies: Any = None,
    severity: float = 0.0,
    days: int = 90,
) -> pd.DataFrame:
    """Rows of accounts ``start .. stop - 1`` of a simulation (``start`` a multiple of ``BLOCK_SIZE``).

    The chunk task of a chunked :func:`simulate_transactions`: any split of
    the accounts into whole blocks gives the same rows. Rows are ordered by account
    block, then time; ``transaction_id`` is unique over the whole simulation.
    """
    typ_objs, p = _mix(typologies, float(severity))
    plan = _plan(int(n_transactions), int(n_accounts), float(fraud_rate), seed, typ_objs, p)
    b0, b1 = start // BLOCK_SIZE, -(-stop // BLOCK_SIZE)
    return _simulate_blocks(seed, plan, b0, b1, typ_objs, int(days), by_block=True)


def _label_time(label_t: np.ndarray) -> np.ndarray:
    """Seconds since START (or -1 for legit rows) as datetimes, NaT for legit rows."""
    out = START + np.maximum(label_t, 0).astype("timedelta64[s]").astype("timedelta64[ns]")
    return np.where(label_t >= 0, out, np.datetime64("NaT", "ns"))


def _card_sequence(acct: np.ndarray, t: np.ndarray, label_t: np.ndarray) -> np.ndarray:
    """Which card of its account each row uses (rows sorted by account, then time).

    A confirmed fraud episode blocks the card at its ``label_t`` and the holder gets a new
    one: the number of the account's confirmations strictly before a row is its card.
    """
    fraud = label_t >= 0
    ep_acct, ep_t = acct[fraud], label_t[fraud]
    # one block per episode: every row of an episode carries the same label_t
    keys = np.unique(ep_acct * (1 << 36) + ep_t)
    row_key = acct * (1 << 36) + t
    seq = np.searchsorted(keys, row_key, side="left") - np.searchsorted(keys, acct * (1 << 36))
    return np.minimum(seq, CARDS_PER_ACCOUNT - 1)


def _history_features(raw: dict, known: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict:
    """History features on rows sorted by (account, time); ``known`` holds pre-window history."""
    acct, t, amount = raw["account_id"], raw["t"], raw["amount"]
    key = acct * (1 << 36) + t
    pos = np.arange(key.shape[0])
    out = {
        "txn_count_1h": pos - np.searchsorted(key, key - w.HOUR, side="left"),
        "txn_count_24h": pos - np.searchsorted(key, key - w.DAY, side="left"),
    }
    first = np.r_[True, acct[1:] != acct[:-1]]
    # each row's window is its account's rows so far: one rolling median in C over
    # explicit bounds, the same numbers as groupby().expanding().median() without its
    # per-account Python loop (the simulator's largest cost)
    start = np.maximum.accumulate(np.where(first, pos, 0))
    med = pd.Series(amount).rolling(_Prefix(start=start), min_periods=1).median().to_numpy()
    prev_med = np.r_[1.0, med[:-1]]
    out["amount_to_median"] = np.where(first, 1.0, amount / np.where(first, 1.0, prev_med))
    for col, flag in (
        ("device", "is_new_device"),
        ("country", "is_new_country"),
        ("merchant", "is_new_merchant"),
    ):
        ka, kv = known[col]
        out[flag] = _first_seen(acct, raw[col].astype(np.int64), ka, kv.astype(np.int64))
    return out


class _Prefix(BaseIndexer):
    """Window bounds ``[start[i], i + 1)``: every row back to ``start[i]``."""

    def get_window_bounds(
        self, num_values: int = 0, min_periods: Any = None, center: Any = None,
        closed: Any = None, step: Any = None,
    ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        return self.start.astype(np.int64), np.arange(1, num_values + 1, dtype=np.int64)


def _first_seen(acct: np.ndarray, v: np.ndarray, ka: np.ndarray, kv: np.ndarray) -> np.ndarray:
    """True where a row's (account, value) pair is new: in no earlier row (rows sorted by
    account, then time) and not in the pre-window history ``(ka, kv)``.

    One stable sort of history then rows by pair: a pair's first entry is its only new one.
    """
    a, val = np.concatenate([ka, acct]), np.concatenate([kv, v])
    order = np.lexsort((np.arange(a.shape[0]), val, a))
    sa, sv = a[order], val[order]
    new = np.empty(a.shape[0], dtype=bool)
    new[order] = np.r_[True, (sa[1:] != sa[:-1]) | (sv[1:] != sv[:-1])]
    return new[ka.shape[0] :]


def split_features(df: pd.DataFrame, *, known_by: Any = None) -> tuple[pd.DataFrame, pd.Series]:
    """Model features and the 0/1 target of a simulated table.

    Returns ``(df[FEATURE_COLUMNS].copy(), df["is_fraud"].astype("int8"))``.

    Parameters
    ----------
    df : DataFrame
        Output of :func:`simulate_transactions`.
    known_by : datetime-like, optional
        Label as a bank would on that date: fraud whose ``label_time`` is later
        counts as 0 (not confirmed yet). Every row of ``df`` must be at or before
        ``known_by``; filter the rows first.

    Examples
    --------
    >>> X, y = split_features(simulate_transactions(500, random_state=1, progress=False))
    >>> list(X.columns) == FEATURE_COLUMNS, y.dtype.name, y.name
    (True, 'int8', 'is_fraud')
    """
    df = as_frame(df, name="df")
    need = [*FEATURE_COLUMNS, "is_fraud"] + (
        [] if known_by is None else ["label_time", "timestamp"]
    )
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise InvalidInputError(
            f"df is missing simulator column(s) {missing}; expected the output of "
            "simulate_transactions."
        )
    y = pd.Series(check_labels01(df["is_fraud"], name="is_fraud"), index=df.index, name="is_fraud")
    if known_by is not None:
        y = (y.astype(bool) & _confirmed_by(df, known_by)).astype("int8")
    y.name = "is_fraud"
    return df[FEATURE_COLUMNS].copy(), y


def _confirmed_by(df: pd.DataFrame, known_by: Any) -> pd.Series:
    try:
        cut = pd.Timestamp(known_by)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"known_by must be a datetime; got {known_by!r}.") from exc
    late = int((df["timestamp"] > cut).sum())
    if late:
        raise InvalidInputError(
            f"{late} row(s) have a timestamp after known_by={cut}; keep only rows up to "
            "known_by (their labels are not final either)."
        )
    return df["label_time"].notna() & (df["label_time"] <= cut)
