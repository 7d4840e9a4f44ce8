"""Closed-form linear regression (ordinary least squares and ridge): the workbook's reference base learner."""

from __future__ import annotations

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from medmeta_lite.validation import as_float_targets, check_bool, check_non_negative

#: Singular values below this fraction of the largest count as zero (scikit-learn >= 1.9 uses the same
#: default, its ``tol``): directions that the data barely determine get no weight.
RANK_TOLERANCE = 1e-6


class LinearPredictorMixin:
    """``predict`` for every fitted linear model of the package: ``X @ coef_ + intercept_``.

    Shared by :class:`LinearRegression`, :class:`~medmeta_lite.learners.gradient.GradientDescentRegressor` and
    :class:`~medmeta_lite.priors.meta_prior.RidgeAroundPrior`, which differ only in how they fit.
    """

    def predict(self, X):
        """Predict ``X @ coef_ + intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs with the same number of features as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predictions, one per row of ``X``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_ + self.intercept_


class LinearRegression(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Least-squares linear regression with an intercept and an optional ridge penalty.

    Minimises ``||y - X @ coef_ - intercept_||^2 + alpha * ||coef_||^2``. ``X`` and ``y`` are centred
    first, so the intercept is never penalised and is recovered afterwards as
    ``intercept_ = mean(y) - mean(X) @ coef_``. The weights come from a least-squares solver (never an
    explicit inverse of ``X.T @ X``): when ``X`` is rank deficient the solver returns the minimum-norm
    solution, exactly like scikit-learn's ``LinearRegression``. A positive ``alpha`` solves the
    augmented least-squares problem ``[X; sqrt(alpha) I] w = [y; 0]``, which has the ridge solution.

    Parameters
    ----------
    alpha : float, default=0.0
        Ridge penalty; 0 gives ordinary least squares. Must be >= 0.
    fit_intercept : bool, default=True
        Whether to fit an unpenalised intercept. With False the data are used as given.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Learned weights.
    intercept_ : float
        Learned intercept (0.0 when ``fit_intercept=False``).
    rank_ : int
        Rank of the (centred) design matrix seen by the solver; smaller than ``n_features`` means
        that some features are (nearly) linear combinations of others. Always ``n_features`` when
        ``alpha > 0``.
    n_features_in_ : int
        Number of features seen during ``fit``.

    Notes
    -----
    Introduced in ``notebooks/08_averaging_meta_learner.ipynb`` (as the base learner) and used as the
    reference solution in ``notebooks/09_gradient_descent_learner.ipynb``.

    The solver first reduces ``[X, y]`` to its ``(n_features + 1)``-row triangular factor with one
    Householder QR, then solves that small system with LAPACK's SVD driver ``gelsd``: as accurate as
    calling ``gelsd`` on the full data, and faster. Singular values below ``RANK_TOLERANCE`` (1e-6) times
    the largest count as zero, as in scikit-learn >= 1.9.

    References
    ----------
    .. [1] Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements of Statistical Learning*,
       2nd ed., Sections 3.2 (least squares) and 3.4.1 (ridge regression). Springer.
    .. [2] Hoerl, A. E. and Kennard, R. W. (1970). Ridge regression: biased estimation for nonorthogonal
       problems. *Technometrics*, 12(1), 55-67.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = 2 * X.ravel() + 1
    >>> model = LinearRegression().fit(X, y)
    >>> model
    LinearRegression()
    >>> model.coef_.round(6), round(model.intercept_, 6)
    (array([2.]), 1.0)
    >>> model.predict(np.array([[10.0]])).round(6)
    array([21.])
    >>> LinearRegression(alpha=1.0).fit(X, y).coef_.round(4)
    array([1.6667])
    """

    def __init__(self, *, alpha: float = 0.0, fit_intercept: bool = True):
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def _check_hyperparameters(self) -> float:
        check_bool("fit_intercept", self.fit_intercept)
        return check_non_negative("alpha", self.alpha)

    def fit(self, X, y):
        """Fit the weights and the intercept by least squares.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs; 2-D even with one feature (use ``X.reshape(-1, 1)``).
        y : array-like of shape (n_samples,)
            Numeric targets.

        Returns
        -------
        self : LinearRegression
            The fitted model.
        """
        alpha = self._check_hyperparameters()
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        y = as_float_targets(y)
        n_samples, n_features = X.shape

        # One Householder QR of the augmented matrix [X - mean(X), y - mean(y)] = Q R. Because Q has
        # orthonormal columns, ||X w - y|| = ||R[:, :d] w - R[:, d]||: the big problem shrinks to a
        # (d + 1)-row one with the same solutions, singular values and minimum-norm solution.
        augmented = np.empty((n_samples, n_features + 1), order="F")  # LAPACK's layout: no hidden copy
        if self.fit_intercept:
            X_offset = X.mean(axis=0)
            y_offset = y.mean()
            np.subtract(X, X_offset, out=augmented[:, :n_features])
            np.subtract(y, y_offset, out=augmented[:, n_features])
        else:
            X_offset = np.zeros(n_features)
            y_offset = 0.0
            augmented[:, :n_features] = X
            augmented[:, n_features] = y
        (_, _), triangle = linalg.qr(augmented, mode="raw", overwrite_a=True, check_finite=False)
        n_rows = min(n_samples, n_features + 1)
        design, target = triangle[:n_rows, :n_features], triangle[:n_rows, n_features]

        if alpha > 0:
            # ridge as plain least squares on an augmented system: no inverse, no normal equations
            design = np.vstack([design, np.sqrt(alpha) * np.eye(n_features)])
            target = np.concatenate([target, np.zeros(n_features)])

        # SVD-based solve of the small system with scikit-learn's cut-off for "zero" singular values, so
        # rank-deficient X gets the same minimum-norm solution as sklearn's LinearRegression; a ridge
        # system is full rank by construction and, like sklearn's Ridge, gets no cut-off
        cutoff = RANK_TOLERANCE if alpha == 0 else None
        coef, _, rank, _ = linalg.lstsq(design, target, cond=cutoff, lapack_driver="gelsd",
                                        check_finite=False)
        self.coef_ = coef
        self.intercept_ = float(y_offset - X_offset @ coef) if self.fit_intercept else 0.0
        self.rank_ = int(rank)
        return self

