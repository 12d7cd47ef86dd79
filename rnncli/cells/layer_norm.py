"""Layer normalisation (Ba, Kiros & Hinton 2016, "Layer Normalization", arXiv 1607.06450) of the n features of
each example, as the layer-normalised cells (``--layer-norm``) and the 2D LSTM (``rnncli.grid.md_lstm``) use it::

    LN(v; α, β) = (v - μ) / sqrt(σ² + ε) ⊙ α + β,    μ = (1/n) Σ_k v_k,   σ² = (1/n) Σ_k (v_k - μ)²,   ε = 1e-5

with a gain ``α`` (1 at the start) and a shift ``β`` (0 at the start) of n features each. A cell normalises
each gate's pre-activation on its own, ``layer_norm_blocks``: one mean and variance per gate, not one over the
concatenation of all gates.
"""

from rnncli.tensorflow_quiet import tf

EPSILON = 1e-5


def layer_norm(values, gain, shift=None):
    """``LN(values; gain, shift)`` over the last axis; ``shift=None`` is no shift (a bias follows)."""
    mean, variance = tf.nn.moments(values, axes=[-1], keepdims=True)
    normalised = (values - mean) * tf.math.rsqrt(variance + EPSILON) * gain
    return normalised if shift is None else normalised + shift


def layer_norm_blocks(values, gain, shift, width):
    """``[LN(v_1; α_1, β_1) | ... | LN(v_G; α_G, β_G)]``: each ``width``-wide block of the last axis of
    ``values [..., G·width]`` normalised on its own, with ``gain`` and ``shift`` ``[G·width]`` split the same
    way."""
    blocks = tf.reshape(values, tf.concat([tf.shape(values)[:-1], [-1, width]], axis=0))
    gain, shift = (tf.reshape(v, [-1, width]) for v in (gain, shift))
    return tf.reshape(layer_norm(blocks, gain, shift), tf.shape(values))
