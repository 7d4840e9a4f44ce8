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

from medmeta_lite.learners.linear import LinearRegression


def paired_fit_times(X, y, repeats: int) -> tuple[list, list, object, object]:
    """Time ``fit`` of both learners ``repeats`` times, alternating, after one warm-up fit of each.

    Alternating fit by fit means that a busy neighbour slows both learners alike.
    """
    ours, theirs = LinearRegression().fit(X, y), linear_model.LinearRegression().fit(X, y)
    ours_times, theirs_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        ours = LinearRegression().fit(X, y)
        middle = time.perf_counter()
        theirs = linear_model.LinearRegression().fit(X, y)
        ours_times.append(middle - start)
        theirs_times.append(time.perf_counter() - middle)
    return ours_times, theirs_times, ours, theirs


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
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--threads", type=int, default=None,
                        help="limit BLAS threads (1 gives steadier timings on a busy machine)")
    arguments = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(arguments.n_samples, arguments.n_features)) + rng.normal(size=arguments.n_features)
    y = X @ rng.normal(size=arguments.n_features) + 3.0 + rng.normal(size=arguments.n_samples)

    if arguments.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(arguments.threads)
    ours_times, theirs_times, ours, theirs = paired_fit_times(X, y, arguments.repeats)
    ours_time, theirs_time = statistics.median(ours_times), statistics.median(theirs_times)
    ratio = ours_time / theirs_time
    paired_ratio = statistics.median(a / b for a, b in zip(ours_times, theirs_times, strict=True))
    coefficient_difference = max(float(np.max(np.abs(ours.coef_ - theirs.coef_))),
                                 abs(ours.intercept_ - theirs.intercept_))

    print(f"LinearRegression fit, n={arguments.n_samples:,}, d={arguments.n_features}, "
          f"median of {arguments.repeats} alternating fits each")
    print(f"  BLAS: {blas_info()}")
    print(f"  medmeta_lite : {1e3 * ours_time:8.2f} ms")
    print(f"  scikit-learn : {1e3 * theirs_time:8.2f} ms")
    print(f"  ratio        : {ratio:8.3f}   (target <= 1.0; median of paired ratios {paired_ratio:.3f})")
    print(f"  max |coef difference| : {coefficient_difference:.2e}   (target <= 1e-10)")
    return 0 if coefficient_difference <= 1e-10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
