"""Meta-learning a prior for linear tasks: ridge regression around a meta-learned common mean.

Every task here is a linear regression ``y = X @ w + b + noise``. Learning *from scratch* means ridge
regression that shrinks ``(w, b)`` towards zero. Learning *around a common mean* shrinks it towards a
centre ``h`` learned from many earlier tasks instead (Denevi et al., 2018). For a fixed adaptation rule the
adapted parameters are an affine function of ``h``, so the centre that minimises the average query error
after adaptation has a closed form: one least-squares problem over all training tasks. The same holds when
adaptation is ``k`` steps of gradient descent started at ``h``, which makes this module a closed-form,
linear version of Model-Agnostic Meta-Learning (MAML, Finn et al., 2017).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted, validate_data

from medmeta_lite.data.tasks import Task
from medmeta_lite.learners.linear import LinearPredictorMixin
from medmeta_lite.validation import check_count, check_non_negative, check_positive, make_rng

__all__ = ["MetaLearnedPrior", "RidgeAroundPrior", "query_errors"]


def _with_bias_column(X: np.ndarray) -> np.ndarray:
    return np.hstack([X, np.ones((X.shape[0], 1))])


def _affine_adaptation(design, y, *, alpha, n_inner_steps, inner_lr):
    """Return ``(P, q)`` such that adapting from the centre ``h`` gives parameters ``P @ h + q``.

    The single per-task function behind meta-training, meta-validation, adaptation and evaluation.
    ``design`` already holds the bias column. ``n_inner_steps=None`` is the exact minimiser of
    ``||design @ theta - y||^2 + alpha * ||theta - h||^2``; an integer ``k`` is ``k`` steps of gradient
    descent on the support mean squared error, started at ``h``.
    """
    n_samples, n_parameters = design.shape
    if n_inner_steps is None:
        system = design.T @ design + alpha * np.eye(n_parameters)
        right_hand_sides = np.column_stack([alpha * np.eye(n_parameters), design.T @ y])
        # lstsq, not solve(): alpha = 0 with fewer shots than parameters leaves the system singular
        solution = np.linalg.lstsq(system, right_hand_sides, rcond=None)[0]
        return solution[:, :n_parameters], solution[:, n_parameters]
    hessian = (2.0 / n_samples) * design.T @ design
    step_matrix = np.eye(n_parameters) - inner_lr * hessian
    step_offset = inner_lr * (2.0 / n_samples) * design.T @ y
    linear_part, offset = np.eye(n_parameters), np.zeros(n_parameters)
    for _ in range(n_inner_steps):
        linear_part, offset = step_matrix @ linear_part, step_matrix @ offset + step_offset
    return linear_part, offset


def _adapted_query_errors(tasks, centre, alpha, n_inner_steps, inner_lr) -> np.ndarray:
    """Query mean squared error of every task after adapting from ``centre``."""
    errors = []
    for task in tasks:
        linear_part, offset = _affine_adaptation(_with_bias_column(task.X_support), task.y_support,
                                                 alpha=alpha, n_inner_steps=n_inner_steps, inner_lr=inner_lr)
        residual = _with_bias_column(task.X_query) @ (linear_part @ centre + offset) - task.y_query
        errors.append(np.mean(residual ** 2))
    return np.asarray(errors)


def _check_steps(n_inner_steps, inner_lr, *, name="n_inner_steps", lr_name="inner_lr"):
    if n_inner_steps is None:
        return None, None
    return check_count(name, n_inner_steps, minimum=0), check_positive(lr_name, inner_lr)


class RidgeAroundPrior(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Linear regression that starts from, or shrinks towards, a prior ``(prior_coef, prior_intercept)``.

    With ``n_iter=None`` it minimises ``||y - X @ coef - intercept||^2 + alpha * ||(coef, intercept) -
    (prior_coef, prior_intercept)||^2`` in closed form; the intercept is shrunk like the weights. With the
    default zero prior this is ridge regression from scratch. With an integer ``n_iter`` it instead takes
    ``n_iter`` gradient-descent steps on the mean squared error, starting at the prior (``alpha`` is then
    unused): early stopping keeps the solution near the prior.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the pull towards the prior (closed form only).
    prior_coef : array-like of shape (n_features,) or None, default=None
        Centre of the weights; None means zeros (learning from scratch).
    prior_intercept : float, default=0.0
        Centre of the intercept.
    n_iter : int or None, default=None
        None for the closed form, otherwise the number of gradient-descent steps.
    learning_rate : float, default=0.1
        Step size of gradient descent (used only when ``n_iter`` is an integer).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_features_in_ : int

    Notes
    -----
    Introduced in ``notebooks/01_what_is_meta_learning.ipynb``; ``MetaLearnedPrior.adapt`` returns it.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.array([[0.0], [1.0]]), np.array([0.0, 2.0])
    >>> RidgeAroundPrior(alpha=1.0).fit(X, y).coef_.round(3)          # from scratch: shrunk towards 0
    array([0.8])
    >>> RidgeAroundPrior(alpha=1.0, prior_coef=[2.0]).fit(X, y).coef_.round(3)   # the prior is right
    array([2.])
    """

    def __init__(self, *, alpha: float = 1.0, prior_coef=None, prior_intercept: float = 0.0,
                 n_iter: int | None = None, learning_rate: float = 0.1):
        self.alpha = alpha
        self.prior_coef = prior_coef
        self.prior_intercept = prior_intercept
        self.n_iter = n_iter
        self.learning_rate = learning_rate

    def fit(self, X, y):
        """Fit the weights and intercept on ``X`` and ``y`` (a task's support set).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : RidgeAroundPrior
        """
        alpha = check_non_negative("alpha", self.alpha)
        n_iter, learning_rate = _check_steps(self.n_iter, self.learning_rate, name="n_iter",
                                             lr_name="learning_rate")
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        n_features = X.shape[1]
        prior_coef = np.zeros(n_features) if self.prior_coef is None else np.asarray(self.prior_coef, float)
        if prior_coef.shape != (n_features,):
            raise ValueError(f"prior_coef must have shape ({n_features},) to match X, got {prior_coef.shape}")
        centre = np.append(prior_coef, float(self.prior_intercept))
        linear_part, offset = _affine_adaptation(_with_bias_column(X), y, alpha=alpha, n_inner_steps=n_iter,
                                                 inner_lr=learning_rate)
        parameters = linear_part @ centre + offset
        self.coef_ = parameters[:-1]
        self.intercept_ = float(parameters[-1])
        return self

    def _query_errors(self, tasks) -> np.ndarray:
        alpha = check_non_negative("alpha", self.alpha)
        n_iter, learning_rate = _check_steps(self.n_iter, self.learning_rate, name="n_iter",
                                             lr_name="learning_rate")
        n_features = tasks[0].X_support.shape[1]
        prior_coef = np.zeros(n_features) if self.prior_coef is None else np.asarray(self.prior_coef, float)
        if prior_coef.shape != (n_features,):
            raise ValueError(f"prior_coef must have shape ({n_features},) to match X, got {prior_coef.shape}")
        centre = np.append(prior_coef, float(self.prior_intercept))
        return _adapted_query_errors(tasks, centre, alpha, n_iter, learning_rate)



def query_errors(learner, tasks) -> np.ndarray:
    """Fit a copy of ``learner`` on each task's support set and return its query mean squared error.

    Parameters
    ----------
    learner : estimator
        Unfitted template; it is cloned for every task, never modified.
    tasks : list of Task

    Returns
    -------
    ndarray of shape (n_tasks,)
        Query mean squared error of each task.

    Examples
    --------
    >>> from medmeta_lite.data.tasks import LinearTaskSampler
    >>> tasks = LinearTaskSampler(random_state=0).sample_tasks(3, n_shots=5, n_queries=20)
    >>> query_errors(RidgeAroundPrior(alpha=1.0), tasks).shape
    (3,)
    """
    tasks = _check_tasks(tasks)
    if type(learner) is RidgeAroundPrior:
        # same maths as clone().fit().predict(), without sklearn's per-call validation (10x faster)
        return learner._query_errors(tasks)
    errors = []
    for task in tasks:
        model = clone(learner).fit(task.X_support, task.y_support)
        errors.append(np.mean((model.predict(task.X_query) - task.y_query) ** 2))
    return np.asarray(errors)


def _check_tasks(tasks, *, need_queries: bool = True) -> list[Task]:
    if isinstance(tasks, Task):
        tasks = [tasks]
    if isinstance(tasks, (str, bytes)) or not hasattr(tasks, "__iter__"):
        raise TypeError(f"tasks must be a list of Task objects or a task sampler, got {type(tasks).__name__}")
    tasks = list(tasks)
    if not tasks:
        raise ValueError("tasks is empty: meta-learning needs at least one task")
    for index, task in enumerate(tasks):
        if not isinstance(task, Task):
            raise TypeError(f"tasks[{index}] is a {type(task).__name__}, not a Task")
        if need_queries and task.n_queries == 0:
            raise ValueError(f"task {task.name!r} has no query examples; meta-learning measures the adapted "
                             "model on the query set, so every training task needs n_queries >= 1")
    n_features = {task.X_support.shape[1] for task in tasks}
    if len(n_features) > 1:
        raise ValueError(f"all tasks must have the same number of features, got {sorted(n_features)}")
    return tasks


class MetaLearnedPrior(BaseEstimator):
    """Learn, from many tasks, the centre that linear regression on a new task should start from.

    For each training task the adapted parameters are ``P_t @ h + q_t`` (ridge towards ``h``, or gradient
    steps from ``h``); ``fit`` chooses the centre ``h`` that minimises the mean query error after
    adaptation, summed over tasks, by least squares. With ``alphas`` set, the ridge strength is chosen by
    meta-validation: the centre is learned on part of the tasks for every candidate, and the candidate with
    the lowest query error on the held-out tasks wins.

    Parameters
    ----------
    alpha : float, default=1.0
        Ridge strength of the adaptation (ignored when ``alphas`` is set or ``n_inner_steps`` is an int).
    alphas : array-like of float or None, default=None
        Candidates for ``alpha``, compared by meta-validation.
    n_inner_steps : int or None, default=None
        None adapts with closed-form ridge; an integer adapts with that many gradient-descent steps from
        the centre, and the centre is then the best initialisation for exactly those steps (linear MAML).
    inner_lr : float, default=0.1
        Step size of the gradient-descent adaptation.
    validation_fraction : float, default=0.25
        Share of the tasks held out for meta-validation when ``alphas`` is set.
    random_state : int, Generator or None, default=None
        Seeds the split into meta-training and meta-validation tasks.

    Attributes
    ----------
    prior_coef_ : ndarray of shape (n_features,)
        Meta-learned centre of the weights.
    prior_intercept_ : float
        Meta-learned centre of the intercept.
    alpha_ : float
        Ridge strength used for adaptation.
    meta_validation_errors_ : ndarray of shape (n_alphas,) or None
        Mean query error of the held-out tasks for every candidate in ``alphas``.
    meta_train_error_ : float
        Mean query error of the training tasks after adaptation from the learned centre.
    n_tasks_ : int
    n_features_in_ : int

    Notes
    -----
    Introduced in ``notebooks/01_what_is_meta_learning.ipynb``; gradient adaptation in
    ``notebooks/03_goals_of_meta_learning.ipynb``.

    References
    ----------
    .. [1] G. Denevi, C. Ciliberto, D. Stamos and M. Pontil, "Learning to learn around a common mean",
       NeurIPS 2018.
    .. [2] C. Finn, P. Abbeel and S. Levine, "Model-agnostic meta-learning for fast adaptation of deep
       networks", ICML 2017.

    Examples
    --------
    >>> from medmeta_lite.data.tasks import LinearTaskSampler
    >>> sampler = LinearTaskSampler(weight_mean=2.0, random_state=0)
    >>> prior = MetaLearnedPrior(alpha=1.0).fit(sampler, n_tasks=200, n_shots=5, n_queries=20)
    >>> prior.prior_coef_.round(1)          # close to the family's mean weight, 2
    array([2.])
    >>> new_task = sampler.sample_task(n_shots=2, n_queries=50)
    >>> learner = prior.adapt(new_task.X_support, new_task.y_support)
    >>> learner.predict(new_task.X_query).shape
    (50,)
    """

    def __init__(self, *, alpha: float = 1.0, alphas=None, n_inner_steps: int | None = None,
                 inner_lr: float = 0.1, validation_fraction: float = 0.25, random_state=None):
        self.alpha = alpha
        self.alphas = alphas
        self.n_inner_steps = n_inner_steps
        self.inner_lr = inner_lr
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def fit(self, tasks, *, n_tasks: int | None = None, n_shots: int | None = None,
            n_queries: int | None = None):
        """Meta-learn the centre (and, with ``alphas``, the ridge strength) from training tasks.

        Parameters
        ----------
        tasks : list of Task or TaskSampler
            Training tasks, each with a support and a non-empty query set. A sampler is asked for
            ``n_tasks`` tasks of ``n_shots`` support and ``n_queries`` query examples.
        n_tasks, n_shots, n_queries : int, optional
            Required when ``tasks`` is a sampler.

        Returns
        -------
        self : MetaLearnedPrior
        """
        if hasattr(tasks, "sample_tasks"):
            if None in (n_tasks, n_shots, n_queries):
                raise ValueError("fitting on a task sampler needs n_tasks, n_shots and n_queries")
            tasks = tasks.sample_tasks(n_tasks, n_shots, n_queries)
        tasks = _check_tasks(tasks)
        n_inner_steps, inner_lr = _check_steps(self.n_inner_steps, self.inner_lr)
        if self.alphas is None:
            self.alpha_ = check_non_negative("alpha", self.alpha)
            self.meta_validation_errors_ = None
        else:
            if n_inner_steps is not None:
                raise ValueError("alphas selects the ridge strength, which gradient adaptation "
                                 "(n_inner_steps set) does not use; leave alphas=None")
            candidates = [check_non_negative("alpha", alpha) for alpha in np.atleast_1d(self.alphas)]
            if not 0 < self.validation_fraction < 1:
                raise ValueError(f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}")
            if len(tasks) < 2:
                raise ValueError("choosing alpha by meta-validation needs at least 2 tasks")
            order = make_rng(self.random_state).permutation(len(tasks))
            n_validation = min(len(tasks) - 1, max(1, round(self.validation_fraction * len(tasks))))
            validation = [tasks[i] for i in order[:n_validation]]
            training = [tasks[i] for i in order[n_validation:]]
            errors = []
            for alpha in candidates:
                centre = self._solve_centre(training, alpha, None, None)
                errors.append(np.mean(_adapted_query_errors(validation, centre, alpha, None, None)))
            self.meta_validation_errors_ = np.asarray(errors)
            self.alpha_ = candidates[int(np.argmin(errors))]
        centre = self._solve_centre(tasks, self.alpha_, n_inner_steps, inner_lr)
        self.prior_coef_, self.prior_intercept_ = centre[:-1], float(centre[-1])
        self.n_tasks_ = len(tasks)
        self.n_features_in_ = tasks[0].X_support.shape[1]
        training_errors = _adapted_query_errors(tasks, centre, self.alpha_, n_inner_steps, inner_lr)
        self.meta_train_error_ = float(np.mean(training_errors))
        return self

    @staticmethod
    def _solve_centre(tasks, alpha, n_inner_steps, inner_lr) -> np.ndarray:
        blocks, targets = [], []
        for task in tasks:
            linear_part, offset = _affine_adaptation(_with_bias_column(task.X_support), task.y_support,
                                                     alpha=alpha, n_inner_steps=n_inner_steps,
                                                     inner_lr=inner_lr)
            query_design = _with_bias_column(task.X_query)
            weight = 1.0 / np.sqrt(task.n_queries)  # every task counts equally, whatever its query size
            blocks.append(weight * query_design @ linear_part)
            targets.append(weight * (task.y_query - query_design @ offset))
        return np.linalg.lstsq(np.vstack(blocks), np.concatenate(targets), rcond=None)[0]


    def make_learner(self, *, n_inner_steps="fitted", inner_lr=None) -> RidgeAroundPrior:
        """Return an unfitted :class:`RidgeAroundPrior` centred on the meta-learned prior.

        Parameters
        ----------
        n_inner_steps : int, None or "fitted", default="fitted"
            Adaptation rule: "fitted" keeps the one used in ``fit``; None is closed-form ridge; an
            integer is that many gradient steps.
        inner_lr : float or None, default=None
            Gradient step size; None keeps ``self.inner_lr``.

        Returns
        -------
        RidgeAroundPrior
        """
        check_is_fitted(self)
        steps = self.n_inner_steps if isinstance(n_inner_steps, str) and n_inner_steps == "fitted" \
            else n_inner_steps
        learning_rate = self.inner_lr if inner_lr is None else inner_lr
        _check_steps(steps, learning_rate)  # name the caller's arguments, not RidgeAroundPrior's n_iter
        return RidgeAroundPrior(alpha=self.alpha_, prior_coef=self.prior_coef_.copy(),
                                prior_intercept=self.prior_intercept_, n_iter=steps,
                                learning_rate=learning_rate)

    def adapt(self, X_support, y_support, *, n_inner_steps="fitted", inner_lr=None) -> RidgeAroundPrior:
        """Adapt to a new task's support set; returns a NEW fitted learner and leaves ``self`` unchanged.

        Parameters
        ----------
        X_support : array-like of shape (n_shots, n_features)
        y_support : array-like of shape (n_shots,)
        n_inner_steps, inner_lr
            As in :meth:`make_learner`.

        Returns
        -------
        RidgeAroundPrior
            Fitted on the support set, centred on (or started from) the meta-learned prior.
        """
        return self.make_learner(n_inner_steps=n_inner_steps, inner_lr=inner_lr).fit(X_support, y_support)

    def query_errors(self, tasks, *, n_inner_steps="fitted", inner_lr=None) -> np.ndarray:
        """Adapt to every task's support set and return the query mean squared error of each task."""
        return query_errors(self.make_learner(n_inner_steps=n_inner_steps, inner_lr=inner_lr), tasks)
