"""MAML, FOMAML, Reptile and baselines: exact gradients, update rules, API contract, the paper's orderings."""

import numpy as np
import pytest

from medmeta_lite.backend import tf
from medmeta_lite.data.bundled import data_dir
from medmeta_lite.data.tasks import SinusoidTaskSampler
from medmeta_lite.defaults.fewshot import DEFAULT_MAML_FILE, DEFAULT_SETTINGS, load_maml_curve
from medmeta_lite.defaults.sinusoid import SINUSOID_FILES
from medmeta_lite.experiments.meta_gradient_cost import measure_meta_gradient_cost
from medmeta_lite.gradmeta.baselines import PretrainedBaseline, SinusoidOracle
from medmeta_lite.gradmeta.maml import MAML
from medmeta_lite.gradmeta.networks import MLP, Conv4
from medmeta_lite.gradmeta.ops import loss_per_task
from medmeta_lite.gradmeta.reptile import Reptile

TINY = MLP(layer_sizes=(1, 4, 1))


def _prepared_maml(first_order, n_inner_steps=2, inner_lr=0.1):
    """A float64 MAML on a tiny network with its variables created, plus one meta-batch of 3 tasks."""
    maml = MAML(network=TINY, dtype="float64", inner_lr=inner_lr, n_inner_steps=n_inner_steps,
                meta_batch_size=3, first_order=first_order, jit_compile=False, random_state=0)
    return maml, maml.initialize(SinusoidTaskSampler(random_state=0).sample_batch(3, 5, 5))


def _flat(tensors):
    return np.concatenate([np.ravel(t) for t in tensors])


def _task_loss(weights, X, y):
    return loss_per_task(TINY.apply(weights, X)[None], y[None], "mse")[0]


def test_second_order_meta_gradient_matches_finite_differences():
    maml, batch = _prepared_maml(first_order=False)
    theta = [v.numpy() for v in maml.variables_]
    _, gradient = maml.meta_gradient(*batch)
    analytic = _flat(gradient)
    numeric, epsilon = [], 1e-6
    for index, weight in enumerate(theta):
        for position in np.ndindex(weight.shape):
            values = []
            for sign in (1, -1):
                shifted = [w.copy() for w in theta]
                shifted[index][position] += sign * epsilon
                for variable, value in zip(maml.variables_, shifted, strict=True):
                    variable.assign(value)
                values.append(float(maml.meta_gradient(*batch)[0]))
            numeric.append((values[0] - values[1]) / (2 * epsilon))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_first_order_drops_exactly_the_hessian_term():
    """With one inner step, MAML's gradient is mean_t (I - a H_t) v_t and FOMAML's is mean_t v_t."""
    inner_lr = 0.1
    second, batch = _prepared_maml(first_order=False, n_inner_steps=1, inner_lr=inner_lr)
    first, _ = _prepared_maml(first_order=True, n_inner_steps=1, inner_lr=inner_lr)
    X_support, y_support, X_query, y_query = batch
    theta = [tf.constant(v.numpy()) for v in second.variables_]
    manual_first, hessian_term = [], []
    for task in range(3):
        with tf.GradientTape() as tape:
            tape.watch(theta)
            support_loss = _task_loss(theta, X_support[task], y_support[task])
        phi = [w - inner_lr * g for w, g in zip(theta, tape.gradient(support_loss, theta), strict=True)]
        with tf.GradientTape() as tape:
            tape.watch(phi)
            query_loss = _task_loss(phi, X_query[task], y_query[task])
        v = tape.gradient(query_loss, phi)
        with tf.GradientTape() as outer:
            outer.watch(theta)
            with tf.GradientTape() as inner:
                inner.watch(theta)
                support_loss = _task_loss(theta, X_support[task], y_support[task])
            dot = tf.add_n([tf.reduce_sum(g * c) for g, c in zip(inner.gradient(support_loss, theta), v,
                                                                   strict=True)])
        manual_first.append(_flat(v))
        hessian_term.append(-inner_lr * _flat(outer.gradient(dot, theta)))
    fomaml = _flat(first.meta_gradient(*batch)[1])
    maml = _flat(second.meta_gradient(*batch)[1])
    np.testing.assert_allclose(fomaml, np.mean(manual_first, axis=0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(maml - fomaml, np.mean(hessian_term, axis=0), rtol=1e-8, atol=1e-12)
    assert np.abs(maml - fomaml).max() > 1e-4  # the dropped term is not negligible here


def test_first_meta_update_is_an_adam_step():
    """Adam's first step moves every weight by meta_lr * g / (|g| + eps)."""
    maml, batch = _prepared_maml(first_order=False)
    theta = _flat([v.numpy() for v in maml.variables_])
    gradient = _flat(maml.meta_gradient(*batch)[1])
    fitted = MAML(network=TINY, dtype="float64", inner_lr=0.1, n_inner_steps=2, meta_batch_size=3,
                  n_meta_iter=1, n_shots=5, n_queries=5, jit_compile=False, random_state=0)
    fitted.fit(SinusoidTaskSampler(random_state=0))
    np.testing.assert_allclose(_flat(fitted.meta_parameters_),
                               theta - 0.001 * gradient / (np.abs(gradient) + 1e-8), atol=1e-12)


def test_reptile_moves_towards_the_average_adapted_weights():
    reptile = Reptile(network=TINY, dtype="float64", inner_lr=0.05, meta_lr=0.5, n_inner_steps=2,
                      meta_batch_size=2, n_meta_iter=1, n_shots=4, n_queries=6, anneal_meta_lr=False,
                      jit_compile=False, random_state=3)
    reptile.fit(SinusoidTaskSampler(random_state=1))
    theta = TINY.init_weights(np.random.default_rng(3), dtype="float64")
    batch = SinusoidTaskSampler(random_state=1).sample_batch(2, 4, 6)
    X = np.concatenate([batch["X_support"], batch["X_query"]], axis=1)
    y = np.concatenate([batch["y_support"], batch["y_query"]], axis=1)
    adapted = []
    for task in range(2):
        phi = [tf.constant(w) for w in theta]
        for _ in range(2):
            with tf.GradientTape() as tape:
                tape.watch(phi)
                loss = _task_loss(phi, tf.constant(X[task]), tf.constant(y[task]))
            phi = [w - 0.05 * g for w, g in zip(phi, tape.gradient(loss, phi), strict=True)]
        adapted.append(_flat(phi))
    expected = _flat(theta) + 0.5 * (np.mean(adapted, axis=0) - _flat(theta))
    np.testing.assert_allclose(_flat(reptile.meta_parameters_), expected, atol=1e-12)


def test_xla_and_plain_graphs_train_the_same_model():
    models = [MAML(meta_batch_size=5, n_meta_iter=20, jit_compile=jit, random_state=0).fit(
        SinusoidTaskSampler(random_state=0)) for jit in (True, False)]
    xla, plain = (_flat(model.meta_parameters_) for model in models)
    np.testing.assert_allclose(xla, plain, atol=1e-5)
    np.testing.assert_allclose(models[0].history_, models[1].history_, rtol=1e-4)


def test_same_seeds_give_the_same_history_with_or_without_a_callback():
    calls = []
    histories = [MAML(meta_batch_size=4, n_meta_iter=45, jit_compile=False, random_state=1).fit(
        SinusoidTaskSampler(random_state=2), callback=callback).history_ for callback in (None, calls.append)]
    np.testing.assert_array_equal(*histories)
    assert calls == [20, 40, 45]  # once per compiled chunk of 20 meta-iterations


@pytest.fixture(scope="module")
def committed():
    folder = data_dir()
    classes = {"maml": MAML, "fomaml": MAML, "reptile": Reptile, "pretrained": PretrainedBaseline}
    return {name: classes[name].load(folder / SINUSOID_FILES[name]) for name in classes}


def _curve(model, n_shots, n_tasks=300):
    batch = SinusoidTaskSampler(random_state=1234).sample_batch(n_tasks, n_shots, 100)
    return model.adaptation_curve(batch, n_steps=10, inner_lr=0.01)


def test_committed_models_reproduce_the_paper_orderings(committed):
    maml = _curve(committed["maml"], 10)
    pretrained = _curve(committed["pretrained"], 10)
    assert maml[1] < pretrained[10], "MAML after 1 step beats the pretrained network after 10"
    for name in ("maml", "fomaml", "reptile"):
        curve = maml if name == "maml" else _curve(committed[name], 10)
        assert curve[10] <= curve[1] < curve[0], f"{name}: the query MSE falls with adaptation"
        assert curve[10] < pretrained[10], f"{name} after 10 steps beats the pretrained network"
    by_shots = [_curve(committed["maml"], n_shots)[10] for n_shots in (5, 10, 20)]
    assert by_shots[0] > by_shots[1] > by_shots[2], f"more support points, lower MSE: {by_shots}"


def test_adapt_returns_a_new_learner_and_leaves_the_meta_parameters(committed):
    maml = committed["maml"]
    before = [w.copy() for w in maml.meta_parameters_]
    task = SinusoidTaskSampler(random_state=5).sample_task(n_shots=10, n_queries=50)
    learner = maml.adapt(task.X_support, task.y_support, n_inner_steps=10)
    for original, kept in zip(before, maml.meta_parameters_, strict=True):
        np.testing.assert_array_equal(original, kept)
    assert learner.weights_[0] is not maml.meta_parameters_[0]
    assert np.mean((learner.predict(task.X_query) - task.y_query) ** 2) < np.mean(
        (maml.predict(task.X_query) - task.y_query) ** 2)
    unadapted = maml.adapt(task.X_support, task.y_support, n_inner_steps=0)
    np.testing.assert_allclose(unadapted.predict(task.X_query), maml.predict(task.X_query))


@pytest.mark.parametrize("cls", [MAML, Reptile, PretrainedBaseline])
def test_save_and_load_round_trip(cls, tmp_path):
    model = cls(meta_batch_size=3, n_meta_iter=2, jit_compile=False,
                random_state=0).fit(SinusoidTaskSampler(random_state=0))
    model.save(tmp_path / "model.npz")
    loaded = cls.load(tmp_path / "model.npz")
    X = np.linspace(-5, 5, 7)[:, None]
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.history_, model.history_)
    saved, loaded_params = model.get_params(), loaded.get_params()
    assert loaded_params.pop("network").get_config() == model.network_.get_config()
    assert saved.pop("network") == "mlp" and loaded_params == saved
    with pytest.raises(ValueError, match="holds a"):
        (Reptile if cls is MAML else MAML).load(tmp_path / "model.npz")


@pytest.mark.parametrize("options, message", [
    ({"inner_lr": 0.0}, "inner_lr"), ({"inner_lr": -1.0}, "inner_lr"), ({"meta_lr": 0}, "meta_lr"),
    ({"n_meta_iter": 0}, "n_meta_iter"), ({"n_inner_steps": 0}, "n_inner_steps"),
    ({"meta_batch_size": 0}, "meta_batch_size"), ({"loss": "hinge"}, "loss"),
    ({"network": "resnet"}, "network")])
def test_bad_hyperparameters_are_value_errors_that_name_them(options, message):
    with pytest.raises(ValueError, match=message):
        MAML(**options).fit(SinusoidTaskSampler(random_state=0))


@pytest.mark.parametrize("options, message", [
    ({"meta_batch_size": 2.5}, "meta_batch_size must be an integer"), ({"inner_lr": "fast"}, "inner_lr")])
def test_hyperparameters_of_the_wrong_type_are_type_errors_that_name_them(options, message):
    with pytest.raises(TypeError, match=message):
        MAML(**options).fit(SinusoidTaskSampler(random_state=0))


def test_bad_inputs_are_value_errors_that_name_them(committed):
    maml = committed["maml"]
    with pytest.raises(ValueError, match="features"):
        maml.adapt(np.zeros((5, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="y_support"):
        maml.adapt(np.zeros((5, 1)), np.zeros(4))
    with pytest.raises(ValueError, match="shape"):
        maml.predict(np.zeros(5))
    with pytest.raises(ValueError, match="n_inner_steps"):
        maml.adapt(np.zeros((5, 1)), np.zeros(5), n_inner_steps=-1)
    with pytest.raises(ValueError, match="not fitted"):
        MAML().adapt(np.zeros((5, 1)), np.zeros(5))
    with pytest.raises(TypeError, match="sample_batch"):
        MAML().fit([1, 2, 3])
    with pytest.raises(ValueError, match="n_meta_iter"):
        MAML(n_meta_iter=-3).fit(SinusoidTaskSampler())


class _BrightSquares:
    """Image tasks for the Conv-4 path: class c has a bright 4×4 square in corner c."""

    def __init__(self, n_ways=2, size=16, random_state=0):
        self.n_ways, self.size, self._rng = n_ways, size, np.random.default_rng(random_state)

    def sample_batch(self, n_tasks, n_shots, n_queries):
        parts = {}
        for part, n_per_class in (("support", n_shots), ("query", n_queries)):
            labels = np.tile(np.repeat(np.arange(self.n_ways), n_per_class), (n_tasks, 1))
            images = 0.3 * self._rng.standard_normal((*labels.shape, self.size, self.size, 1))
            for corner in range(self.n_ways):
                row, column = divmod(corner, 2)
                rows = slice(row * (self.size - 4), row * (self.size - 4) + 4)
                columns = slice(column * (self.size - 4), column * (self.size - 4) + 4)
                images[..., rows, columns, 0] += 2.0 * (labels == corner)[..., None, None]
            parts[f"X_{part}"], parts[f"y_{part}"] = images, labels
        return parts


def test_conv4_with_cross_entropy_learns_image_tasks():
    maml = MAML(network=Conv4(n_ways=2, n_filters=8), loss="cross_entropy", inner_lr=0.1, meta_lr=0.01,
                meta_batch_size=4, n_meta_iter=20, n_shots=2, n_queries=3, jit_compile=False, random_state=0)
    maml.fit(_BrightSquares())
    batch = _BrightSquares(random_state=1).sample_batch(10, 2, 5)
    accuracy = maml.accuracy_curve(batch, n_steps=3, inner_lr=0.1)
    assert accuracy.shape == (4,) and accuracy[3] >= 0.8
    learner = maml.adapt(batch["X_support"][0], batch["y_support"][0], n_inner_steps=3)
    assert set(learner.predict(batch["X_query"][0])) <= {0, 1}
    probabilities = learner.predict_proba(batch["X_query"][0][:, :, :, 0])  # without a channel axis
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_conv4_reads_episode_samplers_and_the_number_of_classes():
    episodes = pytest.importorskip("medmeta_lite.fewshot.episodes")
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 6)
    images = rng.random((24, 16, 16)).astype("float32") + labels[:, None, None]
    sampler = episodes.EpisodeSampler(images, labels, n_ways=3, n_shots=1, n_queries=2, random_state=0)
    maml = MAML(network="conv4", loss="cross_entropy", meta_batch_size=2, n_meta_iter=2, first_order=True,
                jit_compile=False, random_state=0).fit(sampler)
    assert maml.network_.n_ways == 3 and maml.history_.shape == (2,)
    assert maml.adaptation_curve(sampler.sample_batch(3), n_steps=1).shape == (2,)


def test_meta_gradient_cost_grows_with_steps_only_for_second_order():
    rows = measure_meta_gradient_cost((1, 3), (False, True), meta_batch_size=4, n_repeats=2,
                                      jit_compile=False)
    kept = {(row["first_order"], row["n_inner_steps"]): row["kept_bytes"] for row in rows}
    assert kept[(False, 3)] > 2 * kept[(False, 1)]
    assert kept[(True, 3)] == kept[(True, 1)]
    assert all(row["seconds_per_step"] > 0 for row in rows)


def test_pretrained_baseline_fits_the_pooled_data_and_the_oracle_recovers_a_task():
    baseline = PretrainedBaseline(meta_batch_size=10, n_meta_iter=200, jit_compile=False, random_state=0).fit(
        SinusoidTaskSampler(random_state=0))
    assert baseline.history_[-20:].mean() < baseline.history_[:20].mean()
    task = SinusoidTaskSampler(random_state=7).sample_task(n_shots=5, n_queries=100)
    oracle = SinusoidOracle().fit(task.X_support, task.y_support)
    assert oracle.amplitude_ == pytest.approx(task.parameters["amplitude"])
    assert oracle.phase_ == pytest.approx(task.parameters["phase"])
    np.testing.assert_allclose(oracle.predict(task.X_query), task.y_query, atol=1e-10)
    with pytest.raises(ValueError, match="shape"):
        SinusoidOracle().fit(np.zeros((3, 2)), np.zeros(3))


def test_a_callback_returning_true_stops_training_at_that_chunk():
    maml = MAML(n_meta_iter=100, meta_batch_size=2, n_shots=5, n_queries=5, random_state=0)
    maml.fit(SinusoidTaskSampler(random_state=0), callback=lambda n_done: n_done >= 40)
    assert maml.history_.shape == (40,) and np.isfinite(maml.history_).all()


def test_committed_image_maml_stopped_when_validation_stopped_improving():
    curve = load_maml_curve()
    settings = DEFAULT_SETTINGS
    accuracy = curve["validation_accuracy"]
    best = int(np.argmax(accuracy))
    assert np.all(np.diff(curve["meta_iteration"]) == settings["maml_check_every"])
    stopped_early = curve["meta_iteration"][-1] < settings["maml_max_meta_iter"]
    assert not stopped_early or len(accuracy) - 1 - best == settings["maml_patience"]
    assert accuracy[best] > 0.8, "the committed MAML should solve 5-way episodes of its training classes"
    assert MAML.load(data_dir() / DEFAULT_MAML_FILE).meta_parameters_ is not None
