"""What a second-order meta-gradient costs: time per meta-step and memory kept for the backward pass.

The computation behind the meta-gradient cost figure of notebook 05.
"""

from __future__ import annotations

import time

import numpy as np

from medmeta_lite.backend import tf
from medmeta_lite.data.tasks import SinusoidTaskSampler
from medmeta_lite.gradmeta.maml import MAML
from medmeta_lite.validation import check_count


# ---------------------------------------------------------------------------------------------------------
# Cost of the meta-gradient
# ---------------------------------------------------------------------------------------------------------
def _bytes_kept_for_backward(graph, n_forward_ops: int) -> int:
    """Bytes of forward-pass tensors that the backward pass reads, in a graph whose first
    ``n_forward_ops`` operations are the forward pass (the ops are stored in creation order)."""
    operations = graph.get_operations()
    forward = {operation.name for operation in operations[:n_forward_ops]}
    kept = {}
    for operation in operations[n_forward_ops:]:
        for tensor in operation.inputs:
            if tensor.op.name in forward and tensor.dtype.is_floating and tensor.shape.is_fully_defined():
                kept[tensor.name] = int(np.prod(tensor.shape.as_list(), dtype=np.int64)) * tensor.dtype.size
    return sum(kept.values())


def _counting_meta_gradient(maml, n_forward_ops: list):
    """The meta-gradient of ``maml``, noting at trace time how many graph ops the forward pass made."""

    def meta_gradient(*tensors):
        meta_loss, tape = maml.meta_loss_and_tape(*tensors)
        # Runs while tracing: every op created so far belongs to the forward pass (inner loops included).
        n_forward_ops.append(len(tf.compat.v1.get_default_graph().get_operations()))
        return meta_loss, tape.gradient(meta_loss, maml.variables_)

    return meta_gradient


def measure_meta_gradient_cost(n_inner_steps_values=(1, 2, 3, 5), first_order_values=(False, True), *,
                               network="mlp", meta_batch_size=25, n_shots=10, n_queries=10, n_repeats=20,
                               jit_compile=True, random_state=0) -> list[dict]:
    """Time one meta-gradient and measure the memory it keeps, for second- and first-order MAML.

    Parameters
    ----------
    n_inner_steps_values : sequence of int, default=(1, 2, 3, 5)
    first_order_values : sequence of bool, default=(False, True)
    network : {"mlp", "conv4"} or network object, default="mlp"
        ``"mlp"`` runs on sinusoid tasks; other networks need image tasks, so pass a sampler-backed
        network only through :class:`MAML` directly.
    meta_batch_size, n_shots, n_queries : int
    n_repeats : int, default=20
        Timed meta-gradients per configuration (after one warm-up call that compiles).
    jit_compile : bool, default=True
    random_state : int, default=0

    Returns
    -------
    list of dict
        One row per configuration with ``first_order``, ``n_inner_steps``, ``seconds_per_step`` (median
        wall time of one meta-gradient, compiled) and ``kept_bytes``: the bytes of forward-pass tensors
        that the backward pass of the meta-gradient reads, counted on the traced graph from the
        tensors' static shapes. ``kept_bytes`` is a deterministic proxy for activation memory (on CPU,
        process RSS is too coarse to see kilobytes); the graph optimiser may still fuse or drop some.

    Notes
    -----
    Plotted in ``notebooks/05_core_challenges.ipynb``. Timings on a shared CPU vary from run to run.

    Examples
    --------
    >>> rows = measure_meta_gradient_cost((1, 2), (False,), meta_batch_size=2, n_repeats=1)
    >>> rows[1]["kept_bytes"] > rows[0]["kept_bytes"]
    True
    """

    check_count("n_repeats", n_repeats)
    sampler = SinusoidTaskSampler(random_state=random_state)
    rows = []
    for first_order in first_order_values:
        for n_inner_steps in n_inner_steps_values:
            maml = MAML(network=network, n_inner_steps=n_inner_steps, first_order=bool(first_order),
                        meta_batch_size=meta_batch_size, jit_compile=jit_compile, random_state=random_state)
            tensors = maml.initialize(sampler.sample_batch(meta_batch_size, n_shots, n_queries))
            n_forward_ops = []
            compiled = tf.function(_counting_meta_gradient(maml, n_forward_ops), jit_compile=jit_compile)
            graph = compiled.get_concrete_function(*tensors).graph
            kept = _bytes_kept_for_backward(graph, n_forward_ops[-1])
            compiled(*tensors)[0].numpy()
            seconds = []
            for _ in range(n_repeats):
                start = time.perf_counter()
                compiled(*tensors)[0].numpy()
                seconds.append(time.perf_counter() - start)
            rows.append({"first_order": bool(first_order), "n_inner_steps": int(n_inner_steps),
                         "seconds_per_step": float(np.median(seconds)), "kept_bytes": kept})
    return rows
