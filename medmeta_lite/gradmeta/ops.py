"""Tensor operations shared by every gradient-based meta-learner: task losses, the inner loop, Adam.

The functions take weights with a leading task axis, so that a whole meta-batch of tasks adapts in one
call; MAML, first-order MAML, Reptile, the pretrained baseline and the few-shot adapter all use them.
"""

from __future__ import annotations

from medmeta_lite.backend import tf

LOSSES = ("mse", "cross_entropy")


# ---------------------------------------------------------------------------------------------------------
# Pure functions shared by meta-training, validation and test
# ---------------------------------------------------------------------------------------------------------
def loss_per_task(outputs, y, loss: str):
    """Mean loss of each task: ``outputs`` (n_tasks, n_examples, n_outputs), ``y`` (n_tasks, n_examples)."""
    if loss == "mse":
        return tf.reduce_mean(tf.square(outputs[..., 0] - tf.cast(y, outputs.dtype)), axis=1)
    labels = tf.cast(y, tf.int32)
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=outputs)
    return tf.reduce_mean(losses, axis=1)


def adapt(network, loss, weights, X_support, y_support, n_steps, inner_lr, second_order):
    """Run ``n_steps`` of SGD on every task's support set at once; return the adapted batched weights.

    The one inner loop of the package: MAML and first-order MAML (training and ``adapt``), Reptile, the
    pretrained baseline, :class:`medmeta_lite.fewshot.AdaptedEpisodeClassifier` and whole-network
    fine-tuning (:class:`medmeta_lite.fewshot.FineTuningClassifier`) all call it.

    Parameters
    ----------
    network : functional network
        Has ``apply(weights, X)`` (see :mod:`medmeta_lite.gradmeta.networks`).
    loss : {"mse", "cross_entropy"}
    weights : list of tensors
        With a leading task axis (see :func:`tile`).
    X_support, y_support : tensors of shape (n_tasks, n_shots, ...) and (n_tasks, n_shots)
    n_steps : int or scalar int tensor
        A Python int unrolls the loop, so that an enclosing tape can differentiate through every step
        (MAML's meta-gradient). A tensor runs a graph loop whose tracing cost does not grow with the
        number of steps (evaluation with many steps).
    inner_lr : float
    second_order : bool
        With ``False`` the inner gradients are constants for any enclosing tape: the meta-gradient then
        skips their derivative (first-order MAML).

    Returns
    -------
    list of tensors
        The adapted weights, with the task axis.

    Notes
    -----
    Summing the per-task losses gives each task its own gradient, because task ``t``'s loss depends only
    on ``weights[i][t]``.
    """

    def sgd_step(weights):
        with tf.GradientTape() as tape:
            tape.watch(weights)
            total = tf.reduce_sum(loss_per_task(network.apply(weights, X_support), y_support, loss))
        gradients = tape.gradient(total, weights)
        if not second_order:
            gradients = [tf.stop_gradient(gradient) for gradient in gradients]
        return [weight - inner_lr * gradient for weight, gradient in zip(weights, gradients, strict=True)]

    if isinstance(n_steps, int):
        for _ in range(n_steps):
            weights = sgd_step(weights)
        return weights
    _, weights = tf.while_loop(lambda step, _: step < n_steps,
                               lambda step, current: (step + 1, sgd_step(current)),
                               (tf.constant(0, n_steps.dtype), list(weights)))
    return weights


def tile(weights, n_tasks):
    """Repeat unbatched weights along a new leading task axis of length ``n_tasks`` (no copy)."""
    return [tf.broadcast_to(weight[None], tf.concat([[n_tasks], tf.shape(weight)], axis=0))
            for weight in weights]


def adam_update(variables, gradients, first_moments, second_moments, step, learning_rate,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    """Adam (Kingma & Ba, 2015) written out so that it compiles with the rest of the meta-step."""
    step.assign_add(1)
    t = tf.cast(step, variables[0].dtype)
    correction = tf.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    for variable, gradient, m, v in zip(variables, gradients, first_moments, second_moments, strict=True):
        m.assign(beta_1 * m + (1 - beta_1) * gradient)
        v.assign(beta_2 * v + (1 - beta_2) * tf.square(gradient))
        variable.assign_sub(learning_rate * correction * m / (tf.sqrt(v) + epsilon))
