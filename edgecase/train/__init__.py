"""Leak-free training on rare events: resampling inside folds, threshold policies, honest baselines.

:class:`Trainer` cross-validates a classifier (by default an XGBoost model with
imbalance-aware settings), resampling **only the training part of each fold**
(imbalanced-learn ``Pipeline`` semantics: oversampling never sees a test row),
picks the decision threshold on the out-of-fold scores with a policy such as
``"alert_rate=0.01"`` or ``"precision>=0.8"``, then refits on all rows.
:func:`compare` runs the same folds for several samplers and reports whether
any of them beats the plain model or ``scale_pos_weight`` by more than noise
(Nadeau-Bengio corrected resampled t-test).

Modules: :mod:`~edgecase.train.trainer` (Trainer), :mod:`~edgecase.train.cv`
(splits and the one out-of-fold loop), :mod:`~edgecase.train.thresholds`
(policies), :mod:`~edgecase.train.calibration`, :mod:`~edgecase.train.samplers`
(sampler names), ``compare.py`` (:func:`compare`), :mod:`~edgecase.train.persist`
(save/load), :mod:`~edgecase.train.plots`, ``harden.py`` (:func:`harden`) and
:mod:`~edgecase.train.novelty` (:class:`NoveltyBlend`, a model's score blended
with a novelty detector fitted on legitimate rows, for fraud of unseen kinds).

Examples
--------
>>> from xgboost import XGBClassifier
>>> from edgecase.datasets import load_keel
>>> X, y = load_keel("yeast4")
>>> small = XGBClassifier(n_estimators=20, max_depth=3, n_jobs=1)
>>> tr = Trainer(estimator=small, sampler="smote", cv=3, threshold="alert_rate=0.05",
...              random_state=0, progress=False).fit(X, y)
>>> round(float(tr.cv_report_.loc["alert_rate", "oof"]), 2)
0.05
>>> tr.predict(X.head(3)).tolist()
[0, 0, 0]
"""

from edgecase.train.compare import ComparisonResult, compare, nadeau_bengio
from edgecase.train.cv import default_estimator
from edgecase.train.harden import HardeningResult, harden
from edgecase.train.novelty import NoveltyBlend
from edgecase.train.samplers import DEFAULT_COMPARE, SAMPLER_NAMES
from edgecase.train.trainer import Trainer

__all__ = [
    "Trainer",
    "harden",
    "HardeningResult",
    "NoveltyBlend",
    "compare",
    "ComparisonResult",
    "default_estimator",
    "nadeau_bengio",
    "SAMPLER_NAMES",
    "DEFAULT_COMPARE",
]
