"""The simulated card world: categories, countries, merchants and account profiles.

Shared by the legit-behaviour simulator and the fraud typologies. Everything is
drawn per block of accounts from that block's random stream, as arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CATEGORIES = (
    "grocery",
    "restaurant",
    "fuel",
    "retail",
    "online_retail",
    "travel",
    "entertainment",
    "electronics",
    "health",
    "cash_withdrawal",
)
CAT = {c: i for i, c in enumerate(CATEGORIES)}
# Median ticket (USD) and log-sd per category: card-scheme style orders of magnitude.
CAT_MEDIAN = np.array([35.0, 28.0, 45.0, 60.0, 50.0, 300.0, 40.0, 180.0, 55.0, 100.0])
CAT_SIGMA = np.array([0.6, 0.6, 0.4, 0.8, 0.8, 0.9, 0.7, 0.9, 0.7, 0.6])
CAT_POPULARITY = np.array([0.25, 0.15, 0.10, 0.12, 0.12, 0.03, 0.07, 0.04, 0.06, 0.06])
# How strongly a category is bought online (scaled by the account's own online share).
CAT_ONLINE = np.array([0.05, 0.1, 0.0, 0.3, 1.0, 0.7, 0.5, 0.6, 0.2, 0.0])
CASH = CAT["cash_withdrawal"]
ONLINE_RETAIL = CAT["online_retail"]

CHANNELS = ("card_present", "online", "atm")
CARD_PRESENT, ONLINE, ATM = 0, 1, 2

# ISO-2 code, latitude, longitude, share of home accounts, share of travel destinations.
_COUNTRY_TABLE = (
    ("US", 39.0, -98.0, 0.35, 0.10),
    ("GB", 54.0, -2.0, 0.10, 0.08),
    ("DE", 51.0, 10.0, 0.10, 0.08),
    ("FR", 46.0, 2.0, 0.08, 0.12),
    ("ES", 40.0, -4.0, 0.05, 0.12),
    ("IT", 42.0, 12.0, 0.05, 0.10),
    ("NL", 52.0, 5.0, 0.04, 0.05),
    ("CA", 56.0, -106.0, 0.06, 0.06),
    ("MX", 23.0, -102.0, 0.04, 0.08),
    ("BR", -10.0, -55.0, 0.04, 0.04),
    ("IN", 21.0, 78.0, 0.03, 0.03),
    ("JP", 36.0, 138.0, 0.03, 0.05),
    ("AU", -25.0, 133.0, 0.03, 0.04),
    ("NG", 9.0, 8.0, 0.015, 0.02),
    ("RU", 60.0, 90.0, 0.015, 0.02),
    ("CN", 35.0, 103.0, 0.02, 0.04),
    ("RO", 46.0, 25.0, 0.01, 0.03),
    ("UA", 49.0, 32.0, 0.01, 0.02),
)
COUNTRIES = tuple(r[0] for r in _COUNTRY_TABLE)
LAT = np.radians([r[1] for r in _COUNTRY_TABLE])
LON = np.radians([r[2] for r in _COUNTRY_TABLE])
HOME_P = np.array([r[3] for r in _COUNTRY_TABLE]) / sum(r[3] for r in _COUNTRY_TABLE)
TRAVEL_P = np.array([r[4] for r in _COUNTRY_TABLE]) / sum(r[4] for r in _COUNTRY_TABLE)
# Countries card fraud is routed through disproportionately. They have their own customers and
# visitors too: a country that only ever sees fraud would be a perfect (and unrealistic) rule.
RISKY = np.array([COUNTRIES.index(c) for c in ("NG", "RU", "CN", "RO", "UA", "BR", "MX")])

MERCHANTS_PER_CATEGORY = 2_000
MERCHANT_STRIDE = 100_000  # merchant_id = category * stride + local id
N_FAVOURITES = 2
FRAUD_DEVICE_BASE = 1 << 40
# A legit customer's new phone, laptop or cleared browser: ids in their own range.
NEW_DEVICE_BASE = 1 << 39
# Legit device changes: each account starts using Poisson(NEW_DEVICE_RATE) new online devices
# during the window (a new phone, a work laptop, a cleared browser), and makes P_USE_NEW_DEVICE
# of its later online transactions on the newest one. Without this, "new device" would only
# ever mean fraud and become a perfect (and unrealistic) rule.
NEW_DEVICE_RATE = 1.2
P_USE_NEW_DEVICE = 0.7
# Share of legit rows that follow the account's previous one in a session, and the mean gap (s).
P_SESSION = 0.4
SESSION_GAP = 600.0
# Share of legit rows that are micro-payments (app stores, parking, card verification).
P_MICRO = 0.04
# Share of night owls (shift workers, late online shoppers) whose busiest hour is at night.
P_NIGHT_OWL = 0.12
DAY = 86_400
HOUR = 3_600


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def popular_merchant(rng: np.random.Generator, cat: np.ndarray) -> np.ndarray:
    """Merchants with a skewed popularity (few big chains, a long tail)."""
    local = (MERCHANTS_PER_CATEGORY * rng.random(cat.shape[0]) ** 2.5).astype(np.int64)
    return cat.astype(np.int64) * MERCHANT_STRIDE + local


def cash_amount(amount: np.ndarray) -> np.ndarray:
    """ATM withdrawals come in notes: multiples of 20, at least 20."""
    return np.maximum(np.round(amount / 20.0), 1.0) * 20.0


def choose_rows(rng: np.random.Generator, cdf: np.ndarray) -> np.ndarray:
    """One draw per row of a row-wise CDF matrix (vectorised inverse CDF)."""
    u = rng.random(cdf.shape[0])[:, None]
    return np.minimum((u > cdf).sum(axis=1), cdf.shape[1] - 1)


@dataclass
class Accounts:
    """Spending profiles of one block of accounts (all arrays of length n)."""

    account_id: np.ndarray  # int64 global ids
    weight: np.ndarray  # relative activity
    home: np.ndarray  # country index
    radius_km: np.ndarray  # typical distance of in-person spending from home
    age0: np.ndarray  # account age in days at the start of the window
    peak_hour: np.ndarray
    hour_sd: np.ndarray
    scale: np.ndarray  # spending level multiplier
    cat_cdf: np.ndarray  # (n, n_categories) cumulative category preferences
    online_share: np.ndarray
    travel_p: np.ndarray
    n_devices: np.ndarray  # online devices (ids account*4+1..)
    favourites: np.ndarray  # (n, n_categories, N_FAVOURITES) merchant ids

    @property
    def n(self) -> int:
        return int(self.account_id.shape[0])

    def card_device(self, idx: np.ndarray) -> np.ndarray:
        return self.account_id[idx] * 4

    def online_device(self, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        k = (rng.random(idx.shape[0]) * self.n_devices[idx]).astype(np.int64)
        return self.account_id[idx] * 4 + 1 + k

    def typical_amount(self, idx: np.ndarray, cat: np.ndarray) -> np.ndarray:
        return CAT_MEDIAN[cat] * self.scale[idx]

    def distance(
        self, idx: np.ndarray, country: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Distance from home: local spending near home, abroad the distance between countries."""
        home = self.home[idx]
        local = rng.exponential(1.0, idx.shape[0]) * self.radius_km[idx]
        abroad = haversine_km(LAT[home], LON[home], LAT[country], LON[country])
        return np.where(country == home, local, abroad + 5.0 * local)


def draw_accounts(rng: np.random.Generator, first_id: int, n: int) -> Accounts:
    n_cat = len(CATEGORIES)
    prefs = rng.dirichlet(CAT_POPULARITY * 8.0, size=n)
    fav_local = (MERCHANTS_PER_CATEGORY * rng.random((n, n_cat, N_FAVOURITES)) ** 2.5).astype(
        np.int64
    )
    favourites = np.arange(n_cat, dtype=np.int64)[None, :, None] * MERCHANT_STRIDE + fav_local
    return Accounts(
        account_id=np.arange(first_id, first_id + n, dtype=np.int64),
        weight=rng.lognormal(0.0, 0.8, n),
        home=rng.choice(len(COUNTRIES), size=n, p=HOME_P),
        radius_km=rng.lognormal(np.log(6.0), 0.6, n),
        age0=rng.integers(0, 3650, n),
        peak_hour=np.where(
            rng.random(n) < P_NIGHT_OWL, rng.normal(1.0, 2.5, n), rng.normal(14.0, 3.0, n)
        ),
        hour_sd=rng.uniform(2.5, 5.0, n),
        scale=rng.lognormal(0.0, 0.5, n),
        cat_cdf=np.cumsum(prefs, axis=1),
        online_share=rng.beta(2.0, 5.0, n),
        travel_p=rng.beta(1.0, 60.0, n),
        n_devices=rng.integers(1, 4, n),
        favourites=favourites,
    )


def legit_rows(rng: np.random.Generator, acc: Accounts, counts: np.ndarray, days: int) -> dict:
    """Legitimate transactions of a block: ``counts[i]`` rows for account ``i``."""
    idx = np.repeat(np.arange(acc.n), counts)
    m = idx.shape[0]
    day = rng.integers(0, days, m)
    hour = np.mod(acc.peak_hour[idx] + acc.hour_sd[idx] * rng.standard_normal(m), 24.0)
    t = day * DAY + (hour * HOUR).astype(np.int64)
    # shopping sessions: some rows follow the account's previous row within minutes (a mall
    # trip, a basket split over shops), so a burst of activity is not fraud by itself
    same = np.r_[False, idx[1:] == idx[:-1]] & (rng.random(m) < P_SESSION)
    session = np.cumsum(~same) - 1
    gaps = np.where(same, rng.exponential(SESSION_GAP, m), 0.0).astype(np.int64)
    c = np.cumsum(gaps)
    t = t[~same][session] + c - c[~same][session]
    cat = choose_rows(rng, acc.cat_cdf[idx])
    amount = acc.typical_amount(idx, cat) * np.exp(CAT_SIGMA[cat] * rng.standard_normal(m))
    micro = (cat != CASH) & (rng.random(m) < P_MICRO)
    amount = np.where(micro, np.exp(rng.uniform(np.log(0.5), np.log(5.0), m)), amount)
    amount = np.where(cat == CASH, cash_amount(amount), amount)
    fav = acc.favourites[idx, cat, rng.integers(0, N_FAVOURITES, m)]
    merchant = np.where(rng.random(m) < 0.65, fav, popular_merchant(rng, cat))
    p_online = np.clip(acc.online_share[idx] * CAT_ONLINE[cat] * 2.0, 0.0, 1.0)
    channel = np.where(rng.random(m) < p_online, ONLINE, CARD_PRESENT)
    channel = np.where(cat == CASH, ATM, np.where(cat == ONLINE_RETAIL, ONLINE, channel))
    travelling = (rng.random(m) < acc.travel_p[idx]) & (channel != ONLINE)
    country = np.where(travelling, rng.choice(len(COUNTRIES), size=m, p=TRAVEL_P), acc.home[idx])
    device = np.where(channel == ONLINE, acc.online_device(idx, rng), acc.card_device(idx))
    out = {
        "acct": idx,
        "t": t,
        "amount": amount,
        "cat": cat,
        "merchant": merchant,
        "channel": channel,
        "country": country,
        "device": device,
        "distance": acc.distance(idx, country, rng),
    }
    # drawn last, so every other column keeps the same random numbers
    out["device"] = _device_changes(rng, acc, idx, t, channel, device, days)
    # ordinary declines (funds, limits, a mistyped code), likelier on unusually large tickets
    ratio = np.log(amount / acc.typical_amount(idx, cat))
    out["declined"] = rng.random(m) < np.clip(0.01 + 0.03 * np.maximum(ratio, 0.0), 0.0, 0.2)
    return out


def _device_changes(rng, acc, idx, t, channel, device, days) -> np.ndarray:
    """Online rows after an account's k-th device change move to that new device."""
    k_max = 4
    n_new = np.minimum(rng.poisson(NEW_DEVICE_RATE, acc.n), k_max)
    switch = np.sort(rng.integers(0, days * DAY, (acc.n, k_max)), axis=1)
    switch = np.where(np.arange(k_max)[None, :] < n_new[:, None], switch, np.iinfo(np.int64).max)
    # the newest device switched to before each row (0 = none yet)
    k = (t[:, None] >= switch[idx]).sum(axis=1)
    on_new = (channel == ONLINE) & (k > 0) & (rng.random(idx.shape[0]) < P_USE_NEW_DEVICE)
    return np.where(on_new, NEW_DEVICE_BASE + acc.account_id[idx] * k_max + k - 1, device)
