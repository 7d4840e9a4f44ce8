"""Computations behind the foundation notebooks (01-07): what meta-learning is, and what it buys.

Each ``make_*_demo(...)`` does its computation once and returns a dict of arrays, which a ``plot_*``
function of :mod:`medmeta_lite.plotting.foundations` then draws quickly enough for a slider. All randomness
enters through ``random_state``, so two runs give identical numbers.
"""

from __future__ import annotations

import numpy as np

from medmeta_lite.data.bundled import load_diabetes_tasks
from medmeta_lite.data.synthetic_images import load_synthetic_split
from medmeta_lite.data.tasks import LinearTaskSampler, Task
from medmeta_lite.fewshot.episodes import EpisodeSampler
from medmeta_lite.fewshot.evaluation import evaluate_episodes
from medmeta_lite.priors.meta_prior import MetaLearnedPrior, RidgeAroundPrior, query_errors
from medmeta_lite.priors.warm_start import (
    WarmStartSearch,
    configuration_errors,
    random_search_expected_evaluations,
    sample_curve_tasks,
)
from medmeta_lite.validation import make_rng

ALPHAS = np.logspace(-2, 3, 11)
"""Ridge strengths searched by meta-validation (meta-learned prior) and in hindsight (scratch)."""


def labels_to_reach(shots, errors, target: float):
    """Return the smallest number of shots whose mean error is at most ``target``, or None if none is.

    Examples
    --------
    >>> labels_to_reach([1, 2, 5, 10], [0.9, 0.5, 0.3, 0.2], target=0.3)
    5
    >>> labels_to_reach([1, 2], [0.9, 0.5], target=0.1) is None
    True
    """
    shots, errors = np.asarray(shots), np.asarray(errors)
    reached = np.flatnonzero(errors <= target)
    return int(shots[reached[0]]) if reached.size else None


def _best_scratch_errors(tasks, alphas=ALPHAS) -> tuple[float, float]:
    """Mean query error of ridge from scratch with the alpha that is best in hindsight (generous to it)."""
    errors = [query_errors(RidgeAroundPrior(alpha=alpha), tasks).mean() for alpha in alphas]
    best = int(np.argmin(errors))
    return float(errors[best]), float(alphas[best])


def _linear_tasks(rng, weights, intercepts, *, n_shots, n_queries, noise, names="target") -> list[Task]:
    """Tasks whose true parameters are given: rows of ``weights`` and entries of ``intercepts``."""
    weights = np.atleast_2d(weights)
    X = rng.uniform(-1.0, 1.0, size=(len(weights), n_shots + n_queries, weights.shape[1]))
    y = np.einsum("tnd,td->tn", X, weights) + np.asarray(intercepts)[:, None]
    y = y + noise * rng.standard_normal(y.shape)
    return [Task(X[i, :n_shots], y[i, :n_shots], X[i, n_shots:], y[i, n_shots:], name=f"{names} {i}",
                 parameters={"weights": weights[i], "intercept": float(intercepts[i])})
            for i in range(len(weights))]


# --------------------------------------------------------------------------------------------- 01 shots
def make_shots_demo(*, n_tasks: int = 100, shots=(1, 2, 3, 4, 5, 6, 8, 10, 15, 20), n_test_tasks: int = 100,
                    n_queries: int = 50, task_std: float = 0.3, noise: float = 0.3, random_state=0) -> dict:
    """Query error against the number of shots: a prior meta-learned on ``n_tasks`` sites vs scratch.

    The family is :class:`~medmeta_lite.data.tasks.LinearTaskSampler` with one feature, so single tasks can be
    drawn as lines; ``task_std`` is the spread of the task weights and intercepts. For every number of
    shots a prior is meta-learned on training tasks with that many shots (meta-train as you meta-test),
    and scratch gets the ridge strength that is best in hindsight.

    Returns
    -------
    dict
        ``shots``, ``meta-learned`` and ``scratch`` (mean query errors), ``priors`` (the fitted
        :class:`MetaLearnedPrior` for every number of shots), ``training_lines`` (weights and intercepts
        of some training tasks),
        and ``example``: one new task with a pool of support points and the two fits for every shot count.

    Notes
    -----
    Introduced in ``notebooks/01_what_is_meta_learning.ipynb``.
    """
    rng = make_rng(random_state)
    family = {"weight_std": task_std, "intercept_std": task_std, "noise": noise}
    sampler = LinearTaskSampler(**family, random_state=rng)
    test_sampler = LinearTaskSampler(**family, random_state=rng)
    meta, scratch, scratch_alphas, priors = [], [], [], {}
    for n_shots in shots:
        training_tasks = sampler.sample_tasks(n_tasks, n_shots, 20)
        priors[n_shots] = MetaLearnedPrior(alphas=ALPHAS, random_state=rng).fit(training_tasks)
        tasks = test_sampler.sample_tasks(n_test_tasks, n_shots, n_queries)
        meta.append(priors[n_shots].query_errors(tasks).mean())
        error, alpha = _best_scratch_errors(tasks)
        scratch.append(error)
        scratch_alphas.append(alpha)
    pool = test_sampler.sample_task(max(shots), 200)
    fits = {}
    for n_shots, alpha in zip(shots, scratch_alphas, strict=True):
        X, y = pool.X_support[:n_shots], pool.y_support[:n_shots]
        meta_fit = priors[n_shots].adapt(X, y)
        scratch_fit = RidgeAroundPrior(alpha=alpha).fit(X, y)
        fits[n_shots] = {"meta-learned": (float(meta_fit.coef_[0]), meta_fit.intercept_),
                         "scratch": (float(scratch_fit.coef_[0]), scratch_fit.intercept_)}
    lines = [(float(task.parameters["weights"][0]), task.parameters["intercept"])
             for task in training_tasks[:25]]
    return {"shots": np.asarray(shots), "meta-learned": np.asarray(meta), "scratch": np.asarray(scratch),
            "scratch_alphas": np.asarray(scratch_alphas), "priors": priors, "training_lines": lines,
            "example": {"task": pool, "fits": fits}}


# ------------------------------------------------------------------------------------------ 02 transfer
def make_transfer_demo(*, n_features: int = 2, n_shots: int = 5, n_tasks: int = 100,
                       distances=(0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5), n_target_tasks: int = 200,
                       n_queries: int = 50, n_source: int = 500, noise: float = 0.3,
                       random_state=0) -> dict:
    """Transfer from one source task vs a prior meta-learned on many tasks vs scratch, as targets move away.

    A target task at distance ``r`` has parameters ``(1 - r) * source + r * fresh``, where ``fresh`` is an
    independent task of the family: ``r = 0`` is the source task itself and ``r = 1`` a typical new task.
    All three learners use the same ridge strength (the meta-learned one); only the centre differs:
    the source fit (transfer), the meta-learned mean (meta-learned) or zero (scratch).

    Returns
    -------
    dict
        ``distances`` and the mean query errors ``transfer``, ``meta-learned`` and ``scratch``.

    Notes
    -----
    Introduced in ``notebooks/02_meta_learning_vs_transfer.ipynb``.
    """
    rng = make_rng(random_state)
    sampler = LinearTaskSampler(n_features=n_features, noise=noise, random_state=rng)
    prior = MetaLearnedPrior(alphas=ALPHAS, random_state=rng).fit(sampler, n_tasks=n_tasks, n_shots=n_shots,
                                                                 n_queries=20)
    source = sampler.sample_task(n_source, 0)
    pretrained = RidgeAroundPrior(alpha=1e-3).fit(source.X_support, source.y_support)
    learners = {
        "transfer": RidgeAroundPrior(alpha=prior.alpha_, prior_coef=pretrained.coef_,
                                     prior_intercept=pretrained.intercept_),
        "meta-learned": prior.make_learner(),
        "scratch": RidgeAroundPrior(alpha=prior.alpha_),
    }
    source_parameters = np.append(source.parameters["weights"], source.parameters["intercept"])
    errors = {name: [] for name in learners}
    for distance in distances:
        fresh = sampler.sample_batch(n_target_tasks, 1, 0)["parameters"]
        fresh = np.column_stack([fresh["weights"], fresh["intercept"]])
        target = (1 - distance) * source_parameters + distance * fresh
        tasks = _linear_tasks(rng, target[:, :-1], target[:, -1], n_shots=n_shots, n_queries=n_queries,
                              noise=noise)
        for name, learner in learners.items():
            errors[name].append(query_errors(learner, tasks).mean())
    return {"distances": np.asarray(distances, dtype=float), "n_shots": n_shots, "alpha": prior.alpha_,
            **{name: np.asarray(values) for name, values in errors.items()}}


# --------------------------------------------------------------------------------------------- 03 goals
def make_goals_demo(*, n_features: int = 3, n_tasks: int = 100, n_shots: int = 5, n_inner_steps: int = 5,
                    inner_lr: float = 0.5,
                    steps=(0, 1, 2, 3, 5, 10, 20, 30, 50, 100), shifts=(-3, -2, -1, 0, 1, 2, 3),
                    n_test_tasks: int = 200, n_queries: int = 50, noise: float = 0.3, random_state=0) -> dict:
    """Three goals of meta-learning measured on linear tasks: fast adaptation, generalisation, robustness.

    - Adaptation speed: query error after ``k`` gradient steps from the meta-learned initialisation
      (trained for ``n_inner_steps`` steps, linear MAML) and from zero.
    - Generalisation: query error on the training tasks vs on new tasks of the same family.
    - Robustness: query error of the ridge prior on families shifted by ``shift``, against scratch.

    Notes
    -----
    Introduced in ``notebooks/03_goals_of_meta_learning.ipynb``.
    """
    rng = make_rng(random_state)
    sampler = LinearTaskSampler(n_features=n_features, noise=noise, random_state=rng)
    training_tasks = sampler.sample_tasks(n_tasks, n_shots, 20)
    gradient_prior = MetaLearnedPrior(n_inner_steps=n_inner_steps, inner_lr=inner_lr).fit(training_tasks)
    ridge_prior = MetaLearnedPrior(alphas=ALPHAS, random_state=rng).fit(training_tasks)
    new_tasks = sampler.sample_tasks(n_test_tasks, n_shots, n_queries)
    meta_steps = [gradient_prior.query_errors(new_tasks, n_inner_steps=k).mean() for k in steps]
    scratch_steps = [query_errors(RidgeAroundPrior(n_iter=k, learning_rate=inner_lr), new_tasks).mean()
                     for k in steps]
    shifted_meta, shifted_scratch = [], []
    for shift in shifts:
        shifted = LinearTaskSampler(n_features=n_features, noise=noise, shift=shift, random_state=rng)
        tasks = shifted.sample_tasks(n_test_tasks, n_shots, n_queries)
        shifted_meta.append(ridge_prior.query_errors(tasks).mean())
        shifted_scratch.append(query_errors(RidgeAroundPrior(alpha=ridge_prior.alpha_), tasks).mean())
    return {
        "steps": np.asarray(steps), "meta_steps": np.asarray(meta_steps),
        "scratch_steps": np.asarray(scratch_steps), "n_inner_steps": n_inner_steps,
        "training_error": ridge_prior.meta_train_error_,
        "new_task_error": float(ridge_prior.query_errors(new_tasks).mean()),
        "shifts": np.asarray(shifts, dtype=float), "shifted_meta": np.asarray(shifted_meta),
        "shifted_scratch": np.asarray(shifted_scratch), "alpha": ridge_prior.alpha_,
        "prior_coef": ridge_prior.prior_coef_,
    }


# ------------------------------------------------------------------------------------- 04 warm start
def make_warm_start_demo(*, n_history_grid=(5, 10, 20, 50, 100), n_new_tasks: int = 50,
                         tolerance: float = 0.1, n_neighbors: int = 5, random_state=0) -> dict:
    """Evaluations a hyperparameter search needs on new tasks: warm start from earlier tasks vs random order.

    Returns
    -------
    dict
        ``n_history_grid``; ``warm`` of shape (n_history, n_new_tasks), the evaluations of the warm start
        with that many earlier tasks; ``random`` of shape (n_new_tasks,), the expected evaluations of a
        random-order search; ``n_configurations`` and ``tolerance``.

    Notes
    -----
    Introduced in ``notebooks/04_applications.ipynb``.
    """

    rng = make_rng(random_state)
    history = sample_curve_tasks(max(n_history_grid), random_state=rng)
    new_tasks = sample_curve_tasks(n_new_tasks, random_state=rng)
    full = WarmStartSearch(n_neighbors=n_neighbors).fit(history)
    warm = []
    for n_history in n_history_grid:
        search = WarmStartSearch(n_neighbors=n_neighbors)
        # reuse the evaluations of the full history instead of repeating them for every subset
        search.configurations_, search.n_tasks_ = full.configurations_, n_history
        search.errors_, search.meta_features_ = full.errors_[:n_history], full.meta_features_[:n_history]
        search._feature_mean = search.meta_features_.mean(axis=0)
        search._feature_scale = search.meta_features_.std(axis=0) + 1e-12
        warm.append([search.evaluations_to_target(task, tolerance) for task in new_tasks])
    random = [random_search_expected_evaluations(configuration_errors(task, full.configurations_), tolerance)
              for task in new_tasks]
    return {"n_history_grid": np.asarray(n_history_grid), "warm": np.asarray(warm, dtype=float),
            "random": np.asarray(random), "n_configurations": len(full.configurations_),
            "tolerance": tolerance}


# ---------------------------------------------------------------------------------- 05 meta-overfitting
def make_meta_overfitting_demo(*, n_features: int = 4, n_tasks_grid=(2, 4, 8, 16, 32, 64),
                               diversities=(0.1, 0.25, 0.5, 1.0), test_diversity: float = 0.5,
                               n_shots: int = 5,
                               n_test_tasks: int = 200, n_queries: int = 50, n_repeats: int = 5,
                               noise: float = 0.3, random_state=0) -> dict:
    """Error of a meta-learned prior on its training tasks and on new tasks, against number and diversity.

    Training tasks come from a family whose weights and intercepts spread by ``diversity``; new tasks
    always spread by ``test_diversity``. Errors are averaged over ``n_repeats`` draws of the training tasks.

    Returns
    -------
    dict
        ``n_tasks_grid``, ``diversities`` and arrays ``training`` and ``new`` of shape
        (n_diversities, n_tasks) holding mean query errors, plus ``alphas`` (chosen ridge strengths).

    Notes
    -----
    Introduced in ``notebooks/05_core_challenges.ipynb``.
    """
    rng = make_rng(random_state)
    new_tasks = LinearTaskSampler(n_features=n_features, weight_std=test_diversity,
                                  intercept_std=test_diversity, noise=noise,
                                  random_state=rng).sample_tasks(n_test_tasks, n_shots, n_queries)
    training = np.zeros((len(diversities), len(n_tasks_grid)))
    new = np.zeros_like(training)
    chosen = np.zeros_like(training)
    for row, diversity in enumerate(diversities):
        sampler = LinearTaskSampler(n_features=n_features, weight_std=diversity, intercept_std=diversity,
                                    noise=noise, random_state=rng)
        for column, n_tasks in enumerate(n_tasks_grid):
            for _ in range(n_repeats):
                prior = MetaLearnedPrior(alphas=ALPHAS, random_state=rng).fit(sampler, n_tasks=n_tasks,
                                                                             n_shots=n_shots, n_queries=20)
                training[row, column] += prior.meta_train_error_ / n_repeats
                new[row, column] += prior.query_errors(new_tasks).mean() / n_repeats
                chosen[row, column] += np.log10(prior.alpha_) / n_repeats
    return {"n_tasks_grid": np.asarray(n_tasks_grid), "diversities": np.asarray(diversities, dtype=float),
            "test_diversity": test_diversity, "training": training, "new": new, "alphas": 10 ** chosen}


# ------------------------------------------------------------------------------------ 06 episodes
def make_episode_demo(models: dict, *, n_ways: int = 3, shots=(1, 5), n_queries: int = 5,
                      n_episodes: int = 300, styles=("standard", "scanner_b"), n_per_class: int = 30,
                      random_state=0) -> dict:
    """Few-shot episodes of the synthetic meta-test classes, and each model's accuracy on them, per style.

    Parameters
    ----------
    models : dict of str to classifier
        Objects accepted by :func:`medmeta_lite.fewshot.evaluation.evaluate_episodes` (``predict_episodes`` or
        ``predict``), for example ``PixelNearestCentroid()`` and a loaded ``ProtoNet``.
    n_ways, shots, n_queries : int and tuple of int
        Episode shape; one batch of ``n_episodes`` episodes per number of shots and style, shared by all
        models.
    styles : tuple of str
        Acquisition styles of :mod:`medmeta_lite.data.synthetic_images` (``"scanner_b"``: a new scanner).

    Returns
    -------
    dict
        ``accuracy[style][model][n_shots]`` = (mean, 95% half-width); ``examples[style][n_shots]`` =
        (episode, {model: predicted labels}); ``chance`` = 1 / n_ways.

    Notes
    -----
    The images are synthetic. Introduced in ``notebooks/06_medical_imaging_uses.ipynb``.
    """

    rng = make_rng(random_state)
    accuracy, examples = {}, {}
    for style in styles:
        data = load_synthetic_split("meta_test", n_per_class, style=style, random_state=rng)
        accuracy[style] = {name: {} for name in models}
        examples[style] = {}
        for n_shots in shots:
            sampler = EpisodeSampler(data.images, data.labels, n_ways=n_ways, n_shots=n_shots,
                                     n_queries=n_queries, random_state=rng)
            batch = sampler.sample_batch(n_episodes)
            for name, model in models.items():
                evaluation = evaluate_episodes(model, batch)
                accuracy[style][name][n_shots] = (evaluation.mean, evaluation.ci95)
            episode = batch.episode(0)
            examples[style][n_shots] = (episode, {name: np.asarray(model.predict(
                episode.support_images, episode.support_labels, episode.query_images))
                for name, model in models.items()})
    return {"accuracy": accuracy, "examples": examples, "shots": tuple(shots), "styles": tuple(styles),
            "models": tuple(models), "chance": 1.0 / n_ways, "n_episodes": n_episodes, "n_ways": n_ways}


# ------------------------------------------------------------------------------------- 07 label savings
def make_label_savings_demo(*, shots=(2, 3, 5, 8, 12, 20, 30, 50, 80), by: str = "age",
                            meta_shots: int = 20, n_repeats: int = 10, random_state=0) -> dict:
    """Labelled patients needed at a new site: a prior meta-learned on the other sites vs scratch.

    Uses :func:`~medmeta_lite.data.bundled.load_diabetes_tasks`: every site in turn is the new one; the prior
    is meta-learned on the other sites (``meta_shots`` support patients each, the rest as query); the new
    site gets ``n_shots`` labelled patients and is scored on its remaining patients. Scratch gets, for every
    number of shots, the ridge strength that is best in hindsight. Errors are averaged over sites and
    ``n_repeats`` random draws.

    Returns
    -------
    dict
        ``shots``, ``meta-learned`` and ``scratch`` (mean query errors in units of the target's variance),
        ``sites`` (names).

    Notes
    -----
    Introduced in ``notebooks/07_efficiency_and_label_savings.ipynb``.
    """

    rng = make_rng(random_state)
    meta = np.zeros(len(shots))
    scratch_by_alpha = np.zeros((len(shots), len(ALPHAS)))
    n_runs = 0
    for _ in range(n_repeats):
        training_sites = load_diabetes_tasks(by=by, n_shots=meta_shots, random_state=rng)
        priors = [MetaLearnedPrior(alphas=ALPHAS, random_state=rng).fit(
            [task for other, task in enumerate(training_sites) if other != site])
            for site in range(len(training_sites))]
        for column, n_shots in enumerate(shots):
            new_sites = load_diabetes_tasks(by=by, n_shots=n_shots, random_state=rng)
            for site, task in enumerate(new_sites):
                meta[column] += priors[site].query_errors([task])[0]
                scratch_by_alpha[column] += [query_errors(RidgeAroundPrior(alpha=alpha), [task])[0]
                                             for alpha in ALPHAS]
        n_runs += len(training_sites)
    return {"shots": np.asarray(shots), "meta-learned": meta / n_runs,
            "scratch": scratch_by_alpha.min(axis=1) / n_runs,
            "sites": [task.name for task in training_sites]}
