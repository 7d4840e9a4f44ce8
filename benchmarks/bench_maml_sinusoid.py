"""MAML, first-order MAML and Reptile on the sinusoid benchmark of Finn et al. (2017): speed and accuracy.

Follows the protocol of the PyTorch peer benchmark kept beside the project (`bench/README.md` in the
shared folder): y = A sin(x - phase), A ~ U[0.1, 5], phase ~ U[0, pi], x ~ U[-5, 5]; MLP 1-40-40-1 ReLU
with weights drawn from seed 42; meta-batches of 25 tasks with 10 support + 10 query points drawn from
seed 0; one inner SGD step at 0.01; Adam 1e-3. Evaluation: 600 held-out tasks from seed 1234 (10 support
and 100 query points, drawn support first), SGD at 0.01 for 1 and 10 steps. The "pretrained" baseline is
trained jointly on the same task stream for as many iterations.

Prints one JSON line per algorithm: impl, meta_iters, iters_per_s (median over 100-iteration windows),
mse_k10_step1, mse_k10_step10, baseline_mse_k10_step10, seconds, plus informational keys (loadavg).
With --shots 5 10 20 each line also holds mse_k5_step1, mse_k5_step10, mse_k20_step1, ... (and the
baseline's) on 600 held-out tasks with 5 and 20 support points, for comparison with the K = 5 / 10 / 20
MAML rows reported by Li et al. (2017), Meta-SGD, Table 1; meta-training still uses K = 10.
Usage: python benchmarks/bench_maml_sinusoid.py --meta-iters 10000 --algo all
       python benchmarks/bench_maml_sinusoid.py --meta-iters 70000 --algo maml --shots 5 10 20
       python benchmarks/bench_maml_sinusoid.py --meta-iters 1000 --algo maml --variant loop   (slow path)
"""

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np

from medmeta_lite.backend import tf
from medmeta_lite.data.tasks import SinusoidTaskSampler
from medmeta_lite.gradmeta.baselines import PretrainedBaseline
from medmeta_lite.gradmeta.maml import MAML
from medmeta_lite.gradmeta.ops import loss_per_task
from medmeta_lite.gradmeta.reptile import Reptile

TRAIN_SEED, EVAL_SEED, INIT_SEED = 0, 1234, 42
N_EVAL_TASKS, N_EVAL_QUERIES, N_SHOTS, EVAL_LR = 600, 100, 10, 0.01
WINDOW = 100


class TaskLoopMAML(MAML):
    """The "before" version: a Python loop over the tasks of a meta-batch inside the compiled step."""

    def meta_gradient(self, X_support, y_support, X_query, y_query):
        with tf.GradientTape() as outer_tape:
            losses = []
            for task in range(self.meta_batch_size):
                weights = list(self.variables_)
                for _ in range(self.n_inner_steps):
                    with tf.GradientTape() as tape:
                        tape.watch(weights)
                        outputs = self.network_.apply(weights, X_support[task])[None]
                        loss = loss_per_task(outputs, y_support[task][None], self.loss)[0]
                    gradients = tape.gradient(loss, weights)
                    if self.first_order:
                        gradients = [tf.stop_gradient(gradient) for gradient in gradients]
                    weights = [w - self.inner_lr * g for w, g in zip(weights, gradients, strict=True)]
                outputs = self.network_.apply(weights, X_query[task])[None]
                losses.append(loss_per_task(outputs, y_query[task][None], self.loss)[0])
            meta_loss = tf.add_n(losses) / self.meta_batch_size
        return meta_loss, outer_tape.gradient(meta_loss, self.variables_)


def evaluation_tasks(n_shots: int = N_SHOTS) -> dict:
    """600 held-out tasks; support inputs are drawn before query inputs, as in the peer's protocol.

    Every support size shares the seed, so the tasks (amplitude, phase) are the same 600 for K = 5, 10
    and 20; only the support and query inputs differ. ``n_shots=10`` gives the peer's evaluation set.
    """
    rng = np.random.default_rng(EVAL_SEED)
    amplitude = rng.uniform(0.1, 5.0, size=(N_EVAL_TASKS, 1))
    phase = rng.uniform(0.0, np.pi, size=(N_EVAL_TASKS, 1))
    X_support = rng.uniform(-5.0, 5.0, size=(N_EVAL_TASKS, n_shots, 1))
    X_query = rng.uniform(-5.0, 5.0, size=(N_EVAL_TASKS, N_EVAL_QUERIES, 1))
    curve = SinusoidTaskSampler.function
    return {"X_support": X_support, "y_support": curve(X_support[..., 0], amplitude, phase),
            "X_query": X_query, "y_query": curve(X_query[..., 0], amplitude, phase)}


def train_timed(learner, n_meta_iter):
    """Fit with a callback that records wall-clock time per 100-iteration window."""
    marks = []
    start = time.perf_counter()
    learner.set_params(n_meta_iter=n_meta_iter)
    learner.fit(SinusoidTaskSampler(random_state=TRAIN_SEED),
                callback=lambda n_done: marks.append((n_done, time.perf_counter())))
    seconds = time.perf_counter() - start
    rates, previous_n, previous_t = [], 0, start
    for n_done, moment in marks:
        if n_done - previous_n >= WINDOW:
            rates.append((n_done - previous_n) / (moment - previous_t))
            previous_n, previous_t = n_done, moment
    # The first window includes tracing and XLA compilation: report it apart, as the peer's warm-up.
    steady = rates[1:] if len(rates) > 1 else rates
    return seconds, steady, rates[0] if rates else float("nan")


def loadavg():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def make_learner(algo, variant, jit):
    common = {"random_state": INIT_SEED, "jit_compile": jit}
    if algo == "reptile":
        learner = Reptile(**common)
    else:
        cls = TaskLoopMAML if variant == "loop" else MAML
        learner = cls(first_order=algo == "fomaml", **common)
    if variant in ("loop", "per-iteration"):
        learner._chunk_size = 1  # one compiled call per meta-iteration: the "before" measurement
    return learner


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meta-iters", type=int, default=5000)
    parser.add_argument("--algo", choices=["maml", "fomaml", "reptile", "all"], default="maml")
    parser.add_argument("--variant", choices=["batched", "per-iteration", "loop"], default="batched",
                        help="batched: all tasks at once, 20 meta-iterations per compiled call (default); "
                             "per-iteration: one call per meta-iteration; loop: Python loop over tasks too")
    parser.add_argument("--no-jit", action="store_true", help="compile without XLA")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--shots", type=int, nargs="+", default=[N_SHOTS], metavar="K",
                        help="support sizes to evaluate after 1 and 10 SGD steps, e.g. --shots 5 10 20 "
                             "(adds mse_k<K>_step1/_step10 and baseline_mse_k<K>_step1/_step10 keys; "
                             "meta-training always uses K = 10)")
    arguments = parser.parse_args()
    if any(n_shots < 1 for n_shots in arguments.shots):
        parser.error(f"--shots values must be positive integers, got {arguments.shots}")
    extra_shots = sorted(set(arguments.shots) - {N_SHOTS})
    tf.config.threading.set_intra_op_parallelism_threads(arguments.threads)
    tf.config.threading.set_inter_op_parallelism_threads(arguments.threads)
    jit = not arguments.no_jit
    evaluation = evaluation_tasks()
    extra_evaluations = {n_shots: evaluation_tasks(n_shots) for n_shots in extra_shots}

    baseline = PretrainedBaseline(random_state=INIT_SEED, jit_compile=jit)
    baseline_seconds, _, _ = train_timed(baseline, arguments.meta_iters)
    baseline_curve = baseline.adaptation_curve(evaluation, n_steps=10, inner_lr=EVAL_LR)
    baseline_extra = {n_shots: baseline.adaptation_curve(batch, n_steps=10, inner_lr=EVAL_LR)
                      for n_shots, batch in extra_evaluations.items()}

    algorithms = ["maml", "fomaml", "reptile"] if arguments.algo == "all" else [arguments.algo]
    for algo in algorithms:
        learner = make_learner(algo, arguments.variant, jit)
        load_start = loadavg()
        seconds, rates, first_window = train_timed(learner, arguments.meta_iters)
        load_end = loadavg()
        curve = learner.adaptation_curve(evaluation, n_steps=10, inner_lr=EVAL_LR)
        suffix = "" if arguments.variant == "batched" else f"-{arguments.variant}"
        result = {
            "impl": f"tf-{algo}{suffix}{'-xla' if jit else ''}",
            "meta_iters": arguments.meta_iters,
            "iters_per_s": round(statistics.median(rates), 3) if rates else None,
            "mse_k10_step1": round(float(curve[1]), 5),
            "mse_k10_step10": round(float(curve[10]), 5),
            "baseline_mse_k10_step10": round(float(baseline_curve[10]), 5),
            "seconds": round(seconds, 2),
            "mse_k10_step0": round(float(curve[0]), 5),
            "baseline_mse_k10_step1": round(float(baseline_curve[1]), 5),
            "first_window_iters_per_s": round(first_window, 3),
            "iters_per_s_p10_p90": ([round(float(np.percentile(rates, q)), 3) for q in (10, 90)]
                                    if rates else None),
            "final_meta_loss": round(float(learner.history_[-WINDOW:].mean()), 5),
            "loadavg_1m_start_end": [load_start, load_end],
            "baseline_train_seconds": round(baseline_seconds, 2),
            "threads": arguments.threads,
            "versions": {"python": platform.python_version(), "tensorflow": tf.__version__,
                         "numpy": np.__version__},
        }
        for n_shots, batch in extra_evaluations.items():
            shot_curve = learner.adaptation_curve(batch, n_steps=10, inner_lr=EVAL_LR)
            for step in (1, 10):
                result[f"mse_k{n_shots}_step{step}"] = round(float(shot_curve[step]), 5)
                result[f"baseline_mse_k{n_shots}_step{step}"] = round(float(baseline_extra[n_shots][step]), 5)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
