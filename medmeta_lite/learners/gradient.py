"""Linear regression trained by batch gradient descent: the iterative twin of the closed form."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import validate_data

from medmeta_lite.learners.linear import LinearPredictorMixin
from medmeta_lite.validation import (
    as_float_targets,
    check_bool,
    check_count,
    check_non_negative,
    check_positive,
    make_rng,
)

#: The loss counts as diverging once it is this many times larger than at the start.
DIVERGENCE_FACTOR = 100.0


def mse_loss_and_gradient(X: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: float):
    """Mean squared error ``(1/n) ||X @ coef + intercept - y||^2`` and its gradient.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    coef : ndarray of shape (n_features,)
    intercept : float

    Returns
    -------
    loss : float
    gradient_coef : ndarray of shape (n_features,)
        ``(2/n) X.T @ residual``.
    gradient_intercept : float
        ``(2/n) sum(residual)``: the intercept has a gradient too.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.array([[1.0], [2.0]]), np.array([2.0, 4.0])
    >>> loss, gradient_coef, gradient_intercept = mse_loss_and_gradient(X, y, np.zeros(1), 0.0)
    >>> float(loss), gradient_coef, float(gradient_intercept)
    (10.0, array([-10.]), -6.0)
    """
    residual = X @ coef + intercept - y
    n_samples = len(y)
    loss = residual @ residual / n_samples
    gradient_coef = (2.0 / n_samples) * (X.T @ residual)
    gradient_intercept = (2.0 / n_samples) * residual.sum()
    return float(loss), gradient_coef, float(gradient_intercept)


def largest_stable_learning_rate(X: np.ndarray, fit_intercept: bool = True) -> float:
    """Learning rate above which batch gradient descent on the MSE diverges: ``2 / L``.

    The MSE is a quadratic whose Hessian is ``(2/n) A.T @ A``, with ``A = [X, 1]`` (or ``X`` alone
    without an intercept). Gradient descent contracts every direction only when the learning rate is
    below ``2 / L``, where ``L`` is the Hessian's largest eigenvalue.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    fit_intercept : bool, default=True

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[-1.0], [1.0]])
    >>> round(largest_stable_learning_rate(X), 6)
    1.0
    """
    design = np.column_stack([X, np.ones(len(X))]) if fit_intercept else X
    largest_singular_value = np.linalg.norm(design, ord=2)
    largest_eigenvalue = 2.0 * largest_singular_value**2 / len(X)
    return float(2.0 / largest_eigenvalue) if largest_eigenvalue > 0 else float("inf")


class GradientDescentRegressor(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Linear regression fitted by batch gradient descent on the mean squared error.

    Each iteration computes the residual ``r = X @ w + b - y`` on the whole training set, the
    gradient of the loss ``L(w, b) = (1/n) ||r||^2``::

        dL/dw = (2/n) X.T @ r        dL/db = (2/n) sum(r)

    and steps *against* it, because the gradient points uphill::

        w <- w - learning_rate * dL/dw        b <- b - learning_rate * dL/db

    It stops when the gradient's norm falls below ``tol`` or after ``n_iter`` iterations. When the loss
    becomes infinite, NaN or 100 times larger than at the start, the learning rate is too large: fitting
    stops early, ``diverged_`` is set to True and a ``ConvergenceWarning`` names the learning rate, the
    largest stable one and what to try. We warn rather than raise so that ``loss_curve_`` stays
    available to plot the divergence.

    Parameters
    ----------
    learning_rate : float, default=0.1
        Step size; must be > 0. Stable only below ``largest_stable_learning_rate(X)``.
    n_iter : int, default=1000
        Maximum number of gradient steps; must be > 0.
    tol : float, default=1e-8
        Stop when the Euclidean norm of the full gradient (weights and intercept) falls below it.
        Use 0 to always run ``n_iter`` steps; otherwise not reaching it in ``n_iter`` steps gives a
        ``ConvergenceWarning``.
    standardize : bool, default=False
        Run gradient descent on standardised features (mean 0, standard deviation 1) and map the weights
        back to the original units. This makes one learning rate suit every feature scale.
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the small random initial weights (normal, standard deviation 0.01); the intercept starts
        at 0.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Learned weights, in the units of the original features.
    intercept_ : float
        Learned intercept.
    loss_curve_ : ndarray of shape (n_iter_ + 1,)
        Training MSE before the first step and after each step.
    n_iter_ : int
        Number of steps taken.
    converged_ : bool
        True when the gradient norm fell below ``tol``.
    diverged_ : bool
        True when the loss blew up and fitting stopped early.
    n_features_in_ : int
        Number of features seen during ``fit``.

    Notes
    -----
    Introduced in ``notebooks/09_gradient_descent_learner.ipynb``. On a convex quadratic such as the MSE,
    gradient descent with a learning rate below ``2 / L`` converges to the least-squares solution that
    ``LinearRegression`` computes in closed form; the number of steps grows with the condition number
    of the Hessian, which is why standardising the features helps.

    References
    ----------
    .. [1] Cauchy, A. (1847). Méthode générale pour la résolution des systèmes d'équations simultanées.
       *Comptes rendus de l'Académie des sciences*, 25, 536-538.
    .. [2] Nocedal, J. and Wright, S. J. (2006). *Numerical Optimization*, 2nd ed., Chapter 3. Springer.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1)
    >>> y = 2 * X.ravel() + 1
    >>> model = GradientDescentRegressor(learning_rate=0.5, n_iter=500, random_state=0).fit(X, y)
    >>> model.coef_.round(4), round(model.intercept_, 4), model.converged_
    (array([2.]), 1.0, True)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     diverging = GradientDescentRegressor(learning_rate=5.0, random_state=0).fit(X, y)
    >>> diverging.diverged_, "learning_rate=5.0 diverged" in str(caught[0].message)
    (True, True)
    """

    def __init__(self, *, learning_rate: float = 0.1, n_iter: int = 1000, tol: float = 1e-8,
                 standardize: bool = False, random_state=None):
        self.learning_rate = learning_rate
        self.n_iter = n_iter
        self.tol = tol
        self.standardize = standardize
        self.random_state = random_state

    def fit(self, X, y):
        """Run batch gradient descent from small random weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs; 2-D even with one feature (use ``X.reshape(-1, 1)``).
        y : array-like of shape (n_samples,)
            Numeric targets.

        Returns
        -------
        self : GradientDescentRegressor
            The fitted model.
        """
        learning_rate = float(check_positive("learning_rate", self.learning_rate))
        n_iter = int(check_count("n_iter", self.n_iter))
        check_non_negative("tol", self.tol)
        check_bool("standardize", self.standardize)
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        y = as_float_targets(y)
        rng = make_rng(self.random_state)

        if self.standardize:
            mean = X.mean(axis=0)
            scale = X.std(axis=0)
            scale[scale == 0] = 1.0  # a constant feature stays constant instead of dividing by 0
            X_work = (X - mean) / scale
        else:
            X_work = X

        coef = 0.01 * rng.standard_normal(X.shape[1])
        intercept = 0.0
        loss, gradient_coef, gradient_intercept = mse_loss_and_gradient(X_work, y, coef, intercept)
        initial_loss = loss
        losses = [loss]
        converged = diverged = False
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(n_iter):
                if np.sqrt(gradient_coef @ gradient_coef + gradient_intercept**2) < self.tol:
                    converged = True
                    break
                new_coef = coef - learning_rate * gradient_coef
                new_intercept = intercept - learning_rate * gradient_intercept
                loss, gradient_coef, gradient_intercept = mse_loss_and_gradient(
                    X_work, y, new_coef, new_intercept)
                losses.append(loss)
                if not np.isfinite(loss) or loss > DIVERGENCE_FACTOR * max(initial_loss, 1e-12):
                    diverged = True
                    break
                coef, intercept = new_coef, new_intercept
            else:
                converged = bool(np.sqrt(gradient_coef @ gradient_coef + gradient_intercept**2) < self.tol)

        if self.standardize:
            # w_std applies to (x - mean) / scale, so in the original units w = w_std / scale
            coef = coef / scale
            intercept = intercept - mean @ coef

        self.coef_ = coef
        self.intercept_ = float(intercept)
        self.loss_curve_ = np.asarray(losses)
        self.n_iter_ = len(losses) - 1
        self.converged_ = converged
        self.diverged_ = diverged
        if diverged:
            self._warn_divergence(X_work, loss)
        elif not converged and self.tol > 0:
            warnings.warn(
                f"gradient descent did not reach tol={self.tol:g} in n_iter={n_iter} steps "
                f"(final loss {losses[-1]:.4g}); increase n_iter, or the learning rate "
                f"(stable below {largest_stable_learning_rate(X_work):.3g})",
                ConvergenceWarning, stacklevel=2)
        return self

    def _warn_divergence(self, X_work: np.ndarray, loss: float) -> None:
        stable = largest_stable_learning_rate(X_work)
        advice = f"try learning_rate <= {stable / 2:.3g}"
        feature_scales = X_work.std(axis=0)
        if not self.standardize and not np.allclose(feature_scales[feature_scales > 0], 1.0, rtol=0.5):
            advice += " or standardize=True"
        warnings.warn(
            f"learning_rate={self.learning_rate!r} diverged at iteration {self.n_iter_} (loss {loss:.3g}); "
            f"gradient descent on these data is stable only for learning_rate < {stable:.3g}; {advice}. "
            "The weights are those of the last step before the blow-up.",
            ConvergenceWarning, stacklevel=3)

