"""One estimator contract for every model: scikit-learn's get_params/set_params/clone, keyword
hyperparameters stored unchanged, and one not-fitted error."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError

from medmeta_lite.fewshot import (
    AdaptedEpisodeClassifier,
    FineTuningClassifier,
    PixelNearestCentroid,
    ProtoNet,
    ScratchClassifier,
)
from medmeta_lite.gradmeta import MAML, PretrainedBaseline, Reptile
from medmeta_lite.learners import (
    AveragingMetaLearner,
    GradientDescentRegressor,
    KerasRegressor,
    LinearRegression,
)
from medmeta_lite.priors import MetaLearnedPrior, RidgeAroundPrior, WarmStartSearch

MODELS = [LinearRegression, GradientDescentRegressor, AveragingMetaLearner, KerasRegressor, MetaLearnedPrior,
          RidgeAroundPrior, WarmStartSearch, MAML, Reptile, PretrainedBaseline, ProtoNet,
          FineTuningClassifier, ScratchClassifier, PixelNearestCentroid]


def _make(cls):
    return cls(meta_learner=MAML()) if cls is AdaptedEpisodeClassifier else cls()


@pytest.mark.parametrize("cls", [*MODELS, AdaptedEpisodeClassifier], ids=lambda cls: cls.__name__)
def test_hyperparameters_are_keyword_only_and_round_trip_through_get_and_set_params(cls):
    assert issubclass(cls, BaseEstimator)
    signature = inspect.signature(cls.__init__) if cls.__init__ is not object.__init__ else None
    parameters = [p for p in signature.parameters.values() if p.name != "self"] if signature else []
    required = [p.name for p in parameters if p.default is inspect.Parameter.empty]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters if p.name not in required)
    model = _make(cls)
    params = model.get_params(deep=False)
    assert sorted(params) == sorted(p.name for p in parameters)
    assert model.set_params(**params) is model
    copy = clone(model)
    assert copy is not model and type(copy) is cls
    assert copy.get_params(deep=False).keys() == params.keys()


@pytest.mark.parametrize("cls", [LinearRegression, GradientDescentRegressor, AveragingMetaLearner,
                                 RidgeAroundPrior, MAML, Reptile, PretrainedBaseline, ProtoNet,
                                 FineTuningClassifier], ids=lambda cls: cls.__name__)
def test_an_unfitted_model_raises_scikit_learns_not_fitted_error(cls):
    model = cls()
    with pytest.raises(NotFittedError, match="not fitted"):
        if cls in (MAML, Reptile, PretrainedBaseline):
            model.adapt(np.zeros((3, 1)), np.zeros(3))
        elif cls in (ProtoNet, FineTuningClassifier):
            model.embed(np.zeros((2, 28, 28)))
        else:
            model.predict(np.zeros((2, 1)))


@pytest.mark.parametrize("cls", [MAML, Reptile, PretrainedBaseline, ProtoNet, FineTuningClassifier],
                         ids=lambda cls: cls.__name__)
def test_fit_takes_data_only_no_hyperparameter_overrides(cls):
    fit_parameters = list(inspect.signature(cls.fit).parameters)
    assert set(fit_parameters) - {"self", "task_sampler", "callback", "images", "labels"} == set()
