"""Fraud scenarios from a user's own labelled table: :class:`FraudScenarioGenerator`."""

from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils import ClassifierTags
from sklearn.utils._param_validation import Interval

from edgecase._random import BLOCK_SIZE, RandomStateLike, as_seed_sequence, block_rngs
from edgecase._validate import (
    check_declared_params,
    check_memory,
    check_min_class_count,
    check_scalar,
    check_severity,
    check_X_y,
)
from edgecase.errors import (
    InvalidInputError,
    InvalidParameterError,
    NotFittedError,
    SchemaViolationError,
)
from edgecase.fraud._synthesis import (
    Codec,
    bounds,
    column_stats,
    fit_class,
    stat_sample,
    synthesise,
)
from edgecase.fraud.mutable import DERIVED_COLUMNS, MUTABLE_COLUMNS, check_mutable
from edgecase.fraud.relations import Relations, detection_auc, find_relations, repair
from edgecase.fraud.simulate import FEATURE_COLUMNS, simulate_transactions, transaction_schema
from edgecase.fraud.typologies import TYPOLOGIES, Typology, get_typology
from edgecase.parallel import ParquetOutput, run_chunks
from edgecase.schema import TableSchema

__all__ = ["FraudScenarioGenerator"]


class FraudScenarioGenerator(BaseEstimator):
    """Realistic, labelled variations of the fraud rows of any table.

    ``fit(X, y)`` learns the minority (fraud) rows' neighbourhoods and the table
    schema; ``generate(n)`` returns ``n`` new fraud rows with exactly ``X``'s
    columns and dtypes. Rows are made by neighbourhood interpolation between
    real fraud rows with tail-aware jitter (see
    :mod:`edgecase.fraud.samplers`); ``severity`` moves them toward the
    nearest legit row as a fraudster would: only the ``mutable`` columns
    move, each only in its allowed direction, a share ``severity / (1 + severity)``
    of the way (0: as observed, 1: halfway, 3: three quarters); the other
    columns and every category stay as interpolated. Columns tied by an exact
    relation on the fitted table (a product, ratio or sum of two others, such
    as page-blocks' ``area = height x length``; an order such as
    ``txn_count_1h <= txn_count_24h``; a declared per-row ratio such as the
    simulator's ``amount_to_median``) are recomputed from their sources, so
    every generated row keeps them. Non-feature columns of the schema (ids,
    entity, time) are copied from the base row, never interpolated.

    When ``X`` has the simulator's feature columns
    (:data:`edgecase.fraud.FEATURE_COLUMNS`), ``generate(typology=...)``
    produces rows of that fraud typology instead, simulated on top of realistic
    account histories at the requested severity.

    Parameters
    ----------
    schema : TableSchema, optional
        Column roles and constraints; default ``TableSchema.infer(X)`` (observed
        bounds). ``X`` must satisfy it at ``fit``.
    typologies : list of str or Typology, optional
        Typologies allowed for ``generate(typology=...)``; default all.
    k_neighbors : int, default 5
        Fraud neighbours used for interpolation.
    mutable : list of columns or dict column -> {"up", "down", "both"}, optional
        The numeric columns a fraudster controls and the way each may move under
        ``severity``. Default: :data:`edgecase.fraud.MUTABLE_COLUMNS` on the
        simulator's feature columns, else every numeric feature column, both ways.
    random_state : None, int, Generator or SeedSequence, default 0
        Seeds ``fit``'s only random step: the row subsamples behind the column
        statistics and the other-class neighbourhoods on large tables. The
        default keeps a generator fitted twice on the same table the same
        model; the rows themselves are seeded by ``generate(random_state=...)``.

    Attributes
    ----------
    schema_ : TableSchema
        The schema the rows satisfy (given or inferred).
    typologies_ : list of str
        Typologies allowed for ``generate(typology=...)``.
    n_fraud_ : int
        Fraud rows seen at ``fit``.
    n_features_in_ : int
        Columns seen at ``fit``.
    mutable_ : dict
        Column -> direction: the columns severity moves.
    relations_ : Relations
        The bounds, orders and identities found on the fitted table's feature
        columns (``relations_.identities``, ``relations_.proportional``,
        ``relations_.orders``); every generated row keeps them.

    Examples
    --------
    >>> from edgecase.datasets import load_keel
    >>> X, y = load_keel("abalone9-18")
    >>> gen = FraudScenarioGenerator().fit(X, y)
    >>> new = gen.generate(100, severity=0.5, random_state=0)
    >>> new.shape, list(new.dtypes) == list(X.dtypes)
    ((100, 8), True)
    >>> gen.schema_.check(new).ok
    True
    """

    _parameter_constraints: dict = {
        "schema": [TableSchema, None],
        "typologies": [str, Typology, list, tuple, None],
        "k_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "mutable": [list, tuple, dict, None],
        "random_state": ["random_state", np.random.Generator, np.random.SeedSequence],
    }

    def __init__(
        self,
        *,
        schema: TableSchema | None = None,
        typologies: Any = None,
        k_neighbors: int = 5,
        mutable: Any = None,
        random_state: RandomStateLike = 0,
    ) -> None:
        self.schema = schema
        self.typologies = typologies
        self.k_neighbors = k_neighbors
        self.mutable = mutable
        self.random_state = random_state

    def _validate_params(self) -> None:
        check_declared_params(super()._validate_params)
        # bool is an Integral to Interval; a flag is never a neighbour count
        check_scalar(self.k_neighbors, "k_neighbors", kind=numbers.Integral, low=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = False
        # not a classifier, but it learns from binary fraud/legit labels only; this tag makes
        # scikit-learn's common checks hand it two classes
        tags.classifier_tags = ClassifierTags(multi_class=False)
        return tags

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any) -> FraudScenarioGenerator:
        """Learn the fraud rows' neighbourhoods and the table's schema.

        Raises
        ------
        InvalidParameterError
            A constructor parameter is outside its constraints (``_parameter_constraints``).
        InvalidInputError
            NaN/inf, sparse or complex data, no ``y``, one class, or fewer fraud rows
            than ``k_neighbors + 1``.
        SchemaViolationError
            ``X`` breaks the schema (e.g. timestamps out of order per entity).
        """
        self._validate_params()
        k = int(self.k_neighbors)
        X, y01 = _check_fit_input(X, y)
        check_min_class_count(y01, k)
        schema = self.schema if self.schema is not None else TableSchema.infer(X)
        _check_schema(schema, X)
        self.schema_ = schema
        self.n_features_in_ = X.shape[1]
        self.columns_ = list(X.columns)
        self.dtypes_ = X.dtypes.copy()
        self.typologies_ = self._allowed_typologies()
        self.is_simulator_table_ = set(X.columns) == set(FEATURE_COLUMNS)

        codec = Codec.from_data(X, "auto")
        num = codec.numeric(X)
        codes = codec.codes(X)
        # ids, entity and time columns are copied from the base row, never blended
        fixed = np.array(
            [
                codec.columns[i] in schema.columns and schema[codec.columns[i]].role != "feature"
                for i in codec.num_idx
            ],
            dtype=bool,
        )
        # fit's one random stream: row subsamples for statistics and neighbourhoods
        rng = np.random.Generator(np.random.PCG64(as_seed_sequence(self.random_state)))
        sample = stat_sample(y01, rng)
        scale, discrete = column_stats(num, sample)
        integer = codec.integer_mask(num)
        low, high = bounds(codec, num, schema, integer)
        self._codec = codec
        self._X = X
        self._stats = dict(
            scale=scale, discrete=discrete | fixed, integer=integer, low=low, high=high
        )
        self._model = fit_class(num, codes, y01 == 1, k, scale, rng)
        self.n_fraud_ = int(y01.sum())
        self._fit_moves(X, schema, codec)
        return self

    def _fit_moves(self, X: pd.DataFrame, schema: TableSchema, codec: Codec) -> None:
        """Which columns severity moves (and which way), and the relations to keep."""
        feats = [c for c in X.columns if c not in schema.columns or schema[c].role == "feature"]
        mutable = self.mutable
        if mutable is None and self.is_simulator_table_:
            mutable = MUTABLE_COLUMNS
        if mutable is None:
            moves = check_mutable(X[feats], None, None) if feats else {}
        else:
            moves = check_mutable(X, mutable, None)
        declared = DERIVED_COLUMNS if self.is_simulator_table_ else {}
        whole = [c for c in feats if c in schema.columns and schema[c].kind == "integer"]
        rel = find_relations(X[feats], list(moves), declared, whole)
        self.relations_ = rel
        self.mutable_ = {c: d for c, d in moves.items() if c not in rel.derived}
        sign = {"up": 1, "down": -1, "both": 2}
        self._stats["move_sign"] = np.array(
            [sign.get(self.mutable_.get(codec.columns[i]), 0) for i in codec.num_idx], dtype=np.int8
        )

    def _allowed_typologies(self) -> list[str]:
        if self.typologies is None:
            return list(TYPOLOGIES)
        items = (
            [self.typologies] if isinstance(self.typologies, (str, Typology)) else self.typologies
        )
        try:
            return [get_typology(t).name for t in items]
        except TypeError:
            raise InvalidParameterError(
                f"typologies must be None or a list of typology names; got {self.typologies!r}."
            ) from None

    # ------------------------------------------------------------------ generate
    def generate(
        self,
        n: int,
        *,
        typology: str | None = None,
        severity: float = 1.0,
        random_state: RandomStateLike = None,
        chunk_size: int | None = None,
        client: Any = None,
        out: str | os.PathLike[str] | None = None,
        overwrite: bool = False,
        progress: bool = True,
    ) -> pd.DataFrame | ParquetOutput:
        """``n`` new fraud rows with the fitted columns and dtypes.

        Parameters
        ----------
        n : int
            Rows to generate.
        typology : str, optional
            On simulator feature columns only: a name from
            :data:`edgecase.fraud.TYPOLOGIES`; rows of that typology are simulated.
        severity : float, default 1.0
            0 as observed; larger values give harder, more legit-looking fraud.
        random_state : None, int or Generator
        chunk_size : int, optional
            Generate in chunks of this many rows (a multiple of 1,000; default
            100,000 when ``client`` or ``out`` is given), one task each. The rows
            are identical to the one-shot ones for any chunk size and executor;
            ``parents_`` is then left as it was.
        client : distributed.Client, scheduler address or False, optional
            Run the chunks on Dask (see :func:`edgecase.parallel.resolve_client`).
        out : path, optional
            Stream the rows to Parquet, one part per chunk, and return a
            :class:`~edgecase.parallel.ParquetOutput`.
        overwrite : bool, default False
            Empty a non-empty ``out`` folder first.
        progress : bool, default True
            A progress bar over the chunks (chunked runs only).
        """
        if not hasattr(self, "_model"):
            raise NotFittedError(
                "this FraudScenarioGenerator is not fitted yet; call fit(X, y) first."
            )
        n = int(check_scalar(n, "n", kind=numbers.Integral, low=1))
        severity = check_severity(severity)
        seed = as_seed_sequence(random_state)
        if out is None:
            # the rows, their category codes and the work buffers: about 3 values per column
            check_memory(
                (n, 3 * max(self.n_features_in_, 1)), what=f"generate({n:,})",
                hint="generate fewer rows, or pass out= (a Parquet folder) to write them in chunks.",
            )  # fmt: skip
        if chunk_size is not None or client is not None or out is not None:
            # The bound method carries the fitted generator: Dask ships it to each worker once.
            result = run_chunks(
                self.generate_range, n, random_state=seed, client=client, out=out,
                chunk_size=100_000 if chunk_size is None else chunk_size, overwrite=overwrite,
                progress=progress, typology=typology, severity=severity,
            )  # fmt: skip
            return (
                result
                if isinstance(result, ParquetOutput)
                else pd.concat(result, ignore_index=True)
            )
        out_rows, parents = self._generate_range(seed, 0, n, typology, severity)
        if parents is not None:
            self.parents_ = parents
        return out_rows

    def generate_range(
        self,
        seed_seq: np.random.SeedSequence,
        start: int,
        stop: int,
        *,
        typology: str | None = None,
        severity: float = 1.0,
    ) -> pd.DataFrame:
        """Rows ``[start, stop)`` of the job ``generate(n, random_state=seed_seq)``.

        ``start`` must be a multiple of ``BLOCK_SIZE``: row ``i`` always draws from block
        ``i // BLOCK_SIZE``, so any split of a job into such ranges (the chunks of
        a chunked :meth:`generate`) gives the same rows.
        """
        if not hasattr(self, "_model"):
            raise NotFittedError(
                "this FraudScenarioGenerator is not fitted yet; call fit(X, y) first."
            )
        if start % BLOCK_SIZE or stop <= start:
            raise InvalidParameterError(
                f"start must be a multiple of {BLOCK_SIZE} and stop > start; got [{start}, {stop})."
            )
        return self._generate_range(seed_seq, start, stop, typology, check_severity(severity))[0]

    def _generate_range(
        self, seed: np.random.SeedSequence, start: int, stop: int, typology: Any, severity: float
    ) -> tuple[pd.DataFrame, np.ndarray | None]:
        n = stop - start
        if typology is not None:
            # one simulation per block of rows, seeded by the block: chunk-invariant
            first, n_blocks = start // BLOCK_SIZE, -(-n // BLOCK_SIZE)
            parts = [
                self._generate_typology(
                    min(BLOCK_SIZE, n - j * BLOCK_SIZE), typology, severity, rng
                )
                for j, rng in enumerate(block_rngs(seed, first, n_blocks))
            ]
            return pd.concat(parts, ignore_index=True), None
        m = self._model
        num_new = np.empty((n, m.num.shape[1]))
        codes_new = np.empty((n, m.codes.shape[1]), dtype=np.int32)
        parents = np.empty((n, 2), dtype=np.int64)
        synthesise(
            m,
            n,
            seed,
            severity=severity,
            out_num=num_new,
            out_codes=codes_new,
            parents=parents,
            first_block=start // BLOCK_SIZE,
            **self._stats,
        )
        full = self._codec.rebuild(self._X.iloc[:0], num_new, codes_new)
        out = self.schema_.repair(full)
        if self.is_simulator_table_:
            # card amounts are whole cents, as in the simulator (0.01 is its lower bound)
            out["amount"] = np.maximum(out["amount"].round(2), 0.01)
        return self._keep_relations(out, parents[:, 0]), parents

    def _keep_relations(self, out: pd.DataFrame, base: np.ndarray) -> pd.DataFrame:
        """Recompute derived columns from their sources; a per-row ratio keeps its base row's."""
        rel: Relations = self.relations_
        if not (rel.identities or rel.proportional or rel.orders):
            return out
        cols = list(rel.low) + list(rel.derived) + rel.boolean
        cols = [c for c in out.columns if c in set(cols)]
        src = self._X[cols].iloc[base].reset_index(drop=True)
        fixed = repair(out[cols], src, rel)
        # a product of in-range sources can leave the derived column's own range: such a
        # row keeps its base row's values of the related columns (both then hold)
        bad = _out_of_range(fixed, self.schema_)
        fixed.loc[bad] = src.loc[bad].to_numpy()
        out[cols] = fixed
        return out

    def detection_auc(
        self, X_real: Any, *, severity: float = 1.0, n: int = 1_000, random_state: Any = 0
    ) -> float:
        """ROC-AUC of a classifier telling ``n`` generated rows from the real fraud rows ``X_real``.

        0.5: indistinguishable; 1.0: always told apart. Pass real fraud the
        generator never saw (held-out positives, or real evasive fraud to check
        that severity makes rows like it). A three-fold cross-validated random
        forest on at most 1,000 rows per side.
        """
        if not hasattr(self, "_model"):
            raise NotFittedError(
                "this FraudScenarioGenerator is not fitted yet; call fit(X, y) first."
            )
        real = X_real if isinstance(X_real, pd.DataFrame) else pd.DataFrame(X_real)
        if list(real.columns) != self.columns_ or len(real) < 10:
            raise InvalidInputError(
                f"X_real must have the fitted columns {self.columns_} and at least 10 rows; "
                f"got {list(real.columns)} and {len(real)} rows."
            )
        if real.isna().to_numpy().any():
            raise InvalidInputError("X_real has missing values; pass complete real fraud rows.")
        rows = self.generate(n, severity=severity, random_state=random_state)
        return detection_auc(rows, real, np.random.default_rng(0))

    def _generate_typology(self, n: int, typology: Any, severity: float, seed: Any) -> pd.DataFrame:
        if not self.is_simulator_table_:
            raise InvalidParameterError(
                "typology= needs a table with the simulator's feature columns "
                f"{FEATURE_COLUMNS}; this generator was fitted on {self.columns_[:6]}... "
                "Use typology=None to vary your own fraud rows."
            )
        typ = get_typology(typology, severity=severity)
        if typ.name not in self.typologies_:
            raise InvalidParameterError(
                f"typology {typ.name!r} is not among this generator's typologies "
                f"{self.typologies_}."
            )
        declared = transaction_schema(features_only=True)
        for col in FEATURE_COLUMNS:
            dt = self.dtypes_[col]
            if isinstance(dt, pd.CategoricalDtype):
                unseen = sorted(set(declared[col].categories) - set(dt.categories))
                if unseen:
                    raise SchemaViolationError(
                        f"column {col!r} was fitted with categories {list(dt.categories)}; "
                        f"typology rows can take the unseen categories {unseen}. Fit on a "
                        "table whose categorical columns keep the simulator's categories "
                        "(see edgecase.fraud.transaction_schema())."
                    )
        rate = 0.05
        n_rows = int(np.ceil(n / rate)) + 100
        sim = simulate_transactions(
            n_rows, fraud_rate=rate, typologies=[typ], random_state=seed, progress=False
        )
        fraud = sim.loc[sim["is_fraud"], FEATURE_COLUMNS].head(n).reset_index(drop=True)
        out = fraud[self.columns_].astype(self.dtypes_.to_dict())
        return self.schema_.repair(out)


def _out_of_range(df: pd.DataFrame, schema: TableSchema) -> np.ndarray:
    """True for each row with a numeric value outside its schema column's bounds."""
    bad = np.zeros(len(df), dtype=bool)
    for c in df.columns:
        if c not in schema.columns or pd.api.types.is_bool_dtype(df[c].dtype):
            continue
        spec, v = schema[c], df[c].to_numpy(float)
        if spec.low is not None:
            bad |= v < spec.low
        if spec.high is not None:
            bad |= v > spec.high
    return bad


def _check_schema(schema: TableSchema, X: pd.DataFrame) -> None:
    """Refuse a table that breaks the schema, with a hint for the common time-order case."""
    report = schema.check(X)
    if report.ok:
        return
    hint = ""
    if (report.violations["rule"] == "time order").any():
        hint = (
            " Sort the rows by time (within each entity) before fitting, or declare a "
            "schema without a time role."
        )
    raise SchemaViolationError(f"X does not satisfy the schema: {report}.{hint}")


def _check_fit_input(X: Any, y: Any) -> tuple[pd.DataFrame, np.ndarray]:
    """``X`` as a DataFrame of usable columns and ``y`` as 0/1, or an InvalidInputError."""
    if sparse.issparse(X):
        raise InvalidInputError(
            "X is a sparse matrix; sparse input is not supported: pass a dense array or "
            "a DataFrame."
        )
    if y is None:
        raise InvalidInputError(
            "FraudScenarioGenerator requires y to be passed, but the target y is None: "
            "pass the 0/1 fraud labels."
        )
    X, y01 = check_X_y(X, y, allow=("category", "bool", "datetime"))
    complex_cols = [c for c in X.columns if pd.api.types.is_complex_dtype(X[c].dtype)]
    if complex_cols:
        raise InvalidInputError(
            f"X column {complex_cols[0]!r} is complex. Complex data not supported: "
            "pass real numbers."
        )
    return X, y01
