"""Averaging meta-learner: fit several base learners on different data and average their predictions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted, validate_data

from medmeta_lite.data.tasks import Task
from medmeta_lite.learners.linear import LinearRegression
from medmeta_lite.validation import as_float_targets, check_bool, check_count, make_rng


@dataclass(frozen=True)
class EnsembleLosses:
    """Mean squared errors of each member and of the averaged ensemble on one data set.

    Attributes
    ----------
    member_mse : ndarray of shape (n_members,)
        MSE of each member on its own.
    mean_member_mse : float
        Average of ``member_mse``: the error of a member picked at random.
    ensemble_mse : float
        MSE of the averaged prediction.
    ambiguity : float
        Mean squared spread of the members around the ensemble prediction. The identity
        ``ensemble_mse = mean_member_mse - ambiguity`` (Krogh and Vedelsby, 1995) says that averaging
        gains exactly as much as the members disagree, and never loses.
    """

    member_mse: np.ndarray
    mean_member_mse: float
    ensemble_mse: float
    ambiguity: float

    @classmethod
    def from_predictions(cls, member_predictions, y) -> EnsembleLosses:
        """The losses of members whose predictions on the same inputs are the rows of ``member_predictions``.

        Parameters
        ----------
        member_predictions : array-like of shape (n_members, n_samples)
            What :meth:`AveragingMetaLearner.member_predictions` returns; a caller that also plots the
            predictions computes them once.
        y : array-like of shape (n_samples,)
            The targets.

        Returns
        -------
        EnsembleLosses

        Examples
        --------
        >>> losses = EnsembleLosses.from_predictions([[1.0, 1.0], [3.0, 3.0]], [2.0, 2.0])
        >>> losses.member_mse.tolist(), losses.ensemble_mse, losses.ambiguity
        ([1.0, 1.0], 0.0, 1.0)
        """
        member_predictions = np.asarray(member_predictions, dtype=np.float64)
        if member_predictions.ndim != 2 or len(member_predictions) == 0:
            raise ValueError("member_predictions must be 2-D with one row per member (at least one), "
                             f"got shape {member_predictions.shape}")
        y = as_float_targets(np.asarray(y))
        if y.ndim != 1 or len(y) != member_predictions.shape[1]:
            raise ValueError(f"y must be 1-D with one target per row of X, that is per column of "
                             f"member_predictions ({member_predictions.shape[1]}), got shape {y.shape}")
        ensemble_prediction = member_predictions.mean(axis=0)
        member_mse = ((member_predictions - y) ** 2).mean(axis=1)
        ambiguity = ((member_predictions - ensemble_prediction) ** 2).mean()
        return cls(member_mse=member_mse, mean_member_mse=float(member_mse.mean()),
                   ensemble_mse=float(((ensemble_prediction - y) ** 2).mean()), ambiguity=float(ambiguity))

    def __repr__(self) -> str:
        return (f"EnsembleLosses(ensemble_mse={self.ensemble_mse:.4g}, "
                f"mean_member_mse={self.mean_member_mse:.4g}, ambiguity={self.ambiguity:.4g}, "
                f"n_members={len(self.member_mse)})")


def _member_random_state(estimator, rng: np.random.Generator):
    """Give a clone its own seed when it has a ``random_state``, so members differ but runs repeat."""
    member = clone(estimator)
    if "random_state" in member.get_params(deep=False):
        member.set_params(random_state=int(rng.integers(np.iinfo(np.int32).max)))
    return member


class AveragingMetaLearner(RegressorMixin, BaseEstimator):
    """Average the predictions of several base learners, each fitted on different data.

    ``fit(X, y)`` fits ``n_estimators`` clones of ``estimator``, each on its own bootstrap resample
    (bagging). ``fit_tasks(tasks)`` fits one clone per task on that task's support set, so the
    ensemble pools what several sites learned. ``predict(X)`` returns the mean of the members'
    predictions on ``X``.

    Parameters
    ----------
    estimator : regressor, default=None
        Base learner to clone; None means :class:`medmeta_lite.learners.linear.LinearRegression`.
    n_estimators : int, default=10
        Number of members in ``fit``; must be > 0. ``fit_tasks`` uses one member per task instead.
    bootstrap : bool, default=True
        Draw each member's training rows with replacement. With False every member sees all the data,
        so deterministic members are identical and averaging them gains nothing.
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the resamples and the members' own ``random_state``.

    Attributes
    ----------
    estimators_ : list of fitted regressors
        The members.
    n_features_in_ : int
        Number of features seen during fitting.

    Notes
    -----
    Introduced in ``notebooks/08_averaging_meta_learner.ipynb`` (coding problem A). For squared error
    the ensemble is never worse than the average member (Jensen's inequality); it is strictly better as
    soon as the members disagree somewhere, which is what the different resamples or tasks are for.

    References
    ----------
    .. [1] Breiman, L. (1996). Bagging predictors. *Machine Learning*, 24(2), 123-140.
    .. [2] Krogh, A. and Vedelsby, J. (1995). Neural network ensembles, cross validation, and active
       learning. *Advances in Neural Information Processing Systems 7*, 231-238.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(40, 1))
    >>> y = 2 * X.ravel() + 0.3 * rng.standard_normal(40)
    >>> ensemble = AveragingMetaLearner(n_estimators=5, random_state=0).fit(X, y)
    >>> len(ensemble.estimators_)
    5
    >>> ensemble.predict(np.array([[0.0], [1.0]])).shape
    (2,)
    >>> losses = ensemble.losses(X, y)
    >>> bool(losses.ensemble_mse <= losses.mean_member_mse)
    True
    """

    def __init__(self, *, estimator=None, n_estimators: int = 10, bootstrap: bool = True, random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.bootstrap = bootstrap
        self.random_state = random_state

    def _base_estimator(self):
        return LinearRegression() if self.estimator is None else self.estimator

    def fit(self, X, y):
        """Fit ``n_estimators`` members, each on its own bootstrap resample of ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs; 2-D even with one feature (use ``X.reshape(-1, 1)``).
        y : array-like of shape (n_samples,)
            Numeric targets.

        Returns
        -------
        self : AveragingMetaLearner
            The fitted ensemble.
        """
        n_estimators = check_count("n_estimators", self.n_estimators)
        check_bool("bootstrap", self.bootstrap)
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        y = as_float_targets(y)
        rng = make_rng(self.random_state)
        n_samples = len(X)
        self.estimators_ = []
        for _ in range(n_estimators):
            rows = rng.integers(n_samples, size=n_samples) if self.bootstrap else np.arange(n_samples)
            member = _member_random_state(self._base_estimator(), rng)
            self.estimators_.append(member.fit(X[rows], y[rows]))
        return self

    def fit_tasks(self, tasks: Sequence[Task]):
        """Fit one member per task on the task's support set (``X_support``, ``y_support``).

        Parameters
        ----------
        tasks : sequence of Task
            At least one task; all with the same number of features.

        Returns
        -------
        self : AveragingMetaLearner
            The fitted ensemble, with ``len(tasks)`` members.
        """
        tasks = list(tasks)
        if not tasks:
            raise ValueError("fit_tasks needs at least one task, got an empty sequence")
        for index, task in enumerate(tasks):
            if not isinstance(task, Task):
                raise TypeError(f"tasks[{index}] must be a medmeta_lite Task, got {type(task).__name__}")
        n_features = {task.X_support.shape[1] for task in tasks}
        if len(n_features) > 1:
            raise ValueError(f"all tasks must have the same number of features, got {sorted(n_features)}")
        rng = make_rng(self.random_state)
        self.estimators_ = [
            _member_random_state(self._base_estimator(), rng).fit(task.X_support, task.y_support)
            for task in tasks
        ]
        self.n_features_in_ = n_features.pop()
        vars(self).pop("feature_names_in_", None)  # tasks hold plain arrays: forget names from a fit(X, y)
        return self

    def member_predictions(self, X) -> np.ndarray:
        """Every member's prediction on ``X``: the spread that averaging removes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_estimators, n_samples)
            Row ``i`` is ``estimators_[i].predict(X)``; the column means are :meth:`predict`.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.stack([member.predict(X) for member in self.estimators_])

    def predict(self, X):
        """Average the members' predictions on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs with the same number of features as in fitting.

        Returns
        -------
        ndarray of shape (n_samples,)
            Mean prediction, one per row of ``X``.
        """
        return self.member_predictions(X).mean(axis=0)

    def losses(self, X, y) -> EnsembleLosses:
        """Mean squared error of every member and of the ensemble on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        EnsembleLosses
            ``member_mse``, ``mean_member_mse``, ``ensemble_mse`` and ``ambiguity``.
        """
        return EnsembleLosses.from_predictions(self.member_predictions(X), y)
