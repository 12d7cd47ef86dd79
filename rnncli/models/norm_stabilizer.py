"""The norm stabiliser of Krueger and Memisevic 2015 ("Regularizing RNNs by Stabilizing Activations",
arXiv 1511.08400), seed 002's ``norm_stabilizer_loss``.

For each layer's hidden trajectory ``h_0 .. h_T`` (``h_0`` the output carried in from the previous window)::

    penalty = β Σ_layers (1 / T) Σ_{t=1}^{T} mean_batch (||h_t||_2 - ||h_{t-1}||_2)²

Summing over layers keeps β's meaning per layer the same as in a one-layer network. The penalty is added to
the training loss only; the cross-entropy is reported on its own, so perplexities stay comparable.
"""

from rnncli.tensorflow_quiet import tf

#: The seed's ``norm_regularizer_factor`` (and the value ``--norm-stabilizer`` takes without a number).
SEED_BETA = 50.0
#: ||h|| has no gradient at h = 0 (a layer of dead ReLUs), so the squared norm is floored here.
_SQUARED_NORM_FLOOR = 1e-12


def norm_stabilizer(trajectories, beta):
    """The penalty for a list of per-layer trajectories ``[T + 1, B, H]``; a zero constant when ``beta`` is 0."""
    if not beta:
        return tf.constant(0.0)
    total = 0.0
    for trajectory in trajectories:
        norms = tf.sqrt(tf.maximum(tf.reduce_sum(tf.square(trajectory), axis=-1), _SQUARED_NORM_FLOOR))
        total += tf.reduce_mean(tf.square(norms[1:] - norms[:-1]))
    return beta * total
