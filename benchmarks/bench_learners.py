"""Fit time of medmeta_lite's LinearRegression against scikit-learn's on the same data, in the same run.

Targets: time ratio (ours / scikit-learn) <= 1.0 and largest absolute coefficient difference <= 1e-10.
Run with ``python benchmarks/bench_learners.py`` (or ``make bench``); ``--repeats`` sets the number of
timed fits per learner. Timings on a shared machine are noisy: compare the ratio, not the seconds.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from sklearn import linear_model

from medmeta_lite.linear import LinearRegression


def median_fit_time(make_model, X, y, repeats: int) -> tuple[float, object]:
    """Median wall time of ``make_model().fit(X, y)`` over ``repeats`` runs, after one warm-up fit."""
    model = make_model().fit(X, y)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model = make_model().fit(X, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times), model


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    return "; ".join(f"{pool.get('internal_api')} {pool.get('version')} ({pool.get('num_threads')} threads, "
                     f"{pool.get('architecture')})" for pool in threadpool_info())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=100_000)
    parser.add_argument("--n-features", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=15)
    arguments = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(arguments.n_samples, arguments.n_features)) + rng.normal(size=arguments.n_features)
    y = X @ rng.normal(size=arguments.n_features) + 3.0 + rng.normal(size=arguments.n_samples)

    # interleave the two learners so that a busy neighbour slows both alike
    ours_times, theirs_times = [], []
    for _ in range(3):
        ours_time, ours = median_fit_time(LinearRegression, X, y, arguments.repeats)
        theirs_time, theirs = median_fit_time(linear_model.LinearRegression, X, y, arguments.repeats)
        ours_times.append(ours_time)
        theirs_times.append(theirs_time)
    ours_time, theirs_time = min(ours_times), min(theirs_times)
    ratio = ours_time / theirs_time
    coefficient_difference = max(float(np.max(np.abs(ours.coef_ - theirs.coef_))),
                                 abs(ours.intercept_ - theirs.intercept_))

    print(f"LinearRegression fit, n={arguments.n_samples:,}, d={arguments.n_features}, "
          f"best of 3 medians of {arguments.repeats} fits")
    print(f"  BLAS: {blas_info()}")
    print(f"  medmeta_lite : {1e3 * ours_time:8.2f} ms")
    print(f"  scikit-learn : {1e3 * theirs_time:8.2f} ms")
    print(f"  ratio        : {ratio:8.3f}   (target <= 1.0)")
    print(f"  max |coef difference| : {coefficient_difference:.2e}   (target <= 1e-10)")
    return 0 if coefficient_difference <= 1e-10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
