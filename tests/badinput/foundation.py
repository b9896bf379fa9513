"""Foundation entry points: datasets and seeding."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from edgecase import datasets
from edgecase._random import as_generator
from edgecase._validate import check_returns, check_scalar, check_severity, check_X_y

from . import Case
from ._strategies import WRONG_TYPES, bad_frames, bad_real, bad_returns, frame_names

_KNOWN_KEEL = set(datasets.list_keel())

CASES = [
    Case(
        "edgecase.datasets.load_keel",
        st.one_of(
            st.text(max_size=20).filter(lambda s: s not in _KNOWN_KEEL), st.integers(), st.none()
        ),
        datasets.load_keel,
        names=["KEEL data set"],
        covers=(datasets.load_keel,),
    ),
    Case(
        "edgecase.datasets.load_market",
        st.one_of(
            st.text(max_size=10).filter(lambda s: s not in datasets.list_market()),
            st.integers(),
            st.none(),
        ),
        datasets.load_market,
        names=["market series"],
        covers=(datasets.load_market,),
    ),
    Case(
        "random_state (every entry point)",
        st.one_of(
            st.integers(max_value=-1), st.floats(), st.text(max_size=4), st.booleans().map(str)
        ),
        as_generator,
        names=["random_state"],
    ),
    Case("severity (every generator)", bad_real(low=0.0), check_severity, names=["severity"]),
    Case(
        "X/y checks (every fit)",
        bad_frames(),
        lambda Xy: check_X_y(*Xy),
        names=frame_names,
    ),
    Case(
        "returns (every calibration)",
        bad_returns(),
        lambda r: check_returns(r, min_obs=100),
        names=["returns"],
    ),
    Case(
        "integer parameters",
        st.one_of(WRONG_TYPES, st.integers(max_value=0)),
        lambda v: check_scalar(v, "n_paths", kind=(int, np.integer), low=1),
        names=["n_paths"],
    ),
]
