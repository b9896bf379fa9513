"""EdgeCaseOversampler: imbalanced-learn common checks, counts, dtypes, constraints, parents_."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.estimator_checks import check_param_validation

from edgecase.errors import InvalidParameterError
from edgecase.fraud import EdgeCaseOversampler


@parametrize_with_checks([EdgeCaseOversampler(random_state=0)])
def test_imblearn_common_checks(estimator, check):
    check(estimator)


def test_sklearn_param_validation_with_edgecase_errors():
    check_param_validation("EdgeCaseOversampler", EdgeCaseOversampler(random_state=0))
    with pytest.raises(InvalidParameterError, match="k_neighbors"):
        EdgeCaseOversampler(k_neighbors=0).fit_resample(np.eye(10), [0] * 5 + [1] * 5)
