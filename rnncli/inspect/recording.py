"""Running a trained model over a text and keeping what it computes: the surprisal of every character, its
likeliest predictions, and every layer's states and gates at every step.

The text is laid out as ``rnncli eval`` lays it out (``rnncli.evaluate.stream_layout``: up to ``rows``
contiguous streams, each from the zero state, read in windows of ``EVAL_WINDOW`` with the state carried), so
its bits per character are eval's. Position ``t`` of every array is the step that read character ``t`` and
predicted character ``t + 1``::

    surprisal_t = -log2 p(s_{t+1} | s_{<=t})  bits,        bpc = (1 / (N - 1)) Σ_t surprisal_t

The window runs ``CellStack.run_recorded``, a traced function of its own, so training's graphs are untouched.
"""

import math
from dataclasses import dataclass

import numpy as np

from rnncli.evaluate import stream_layout
from rnncli.tensorflow_quiet import tf

#: Predictions shown for every character.
TOP = 5


@dataclass
class Recording:
    """Arrays over the ``N - 1`` steps of a text of ``N`` symbols."""

    #: ``[N - 1]`` bits of the symbol that came.
    surprisal: np.ndarray
    #: ``[N - 1, TOP]`` ids and probabilities of the likeliest next symbols, likeliest first.
    top_ids: np.ndarray
    top_probabilities: np.ndarray
    #: Per layer, ``rnncli.cells.base.Internals`` of ``[N - 1, H]`` values: states ``hidden`` (and ``cell``),
    #: gates.
    layers: list
    #: Streams the text was read as, each from the zero state.
    streams: int

    @property
    def bpc(self):
        return float(np.mean(self.surprisal, dtype=np.float64))


def record(model, ids, rows):
    """The ``Recording`` of ``model`` over the symbol ids ``ids`` read as up to ``rows`` streams."""
    inputs, labels, _ = stream_layout(ids, rows)

    @tf.function
    def window(inputs, labels, states):
        result, internals = model.stack.run_recorded(model.embed(tf.transpose(inputs)), states)
        logits = model.output_logits(result.outputs)
        nats = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.transpose(labels), logits)
        top = tf.math.top_k(tf.nn.softmax(logits), TOP)
        return (nats / math.log(2.0), top.indices, top.values, internals), result.final_states

    states = model.initial_states(inputs.shape[1])
    windows = []
    for inputs_w, labels_w in zip(inputs, labels):
        recorded, states = window(inputs_w, labels_w, states)
        windows.append(tf.nest.map_structure(lambda tensor: tensor.numpy(), recorded))
    surprisal, top_ids, top_probabilities, layers = tf.nest.map_structure(
        lambda *parts: in_text_order(parts, len(ids) - 1), *windows)
    return Recording(surprisal, top_ids, top_probabilities, list(layers), inputs.shape[1])


def in_text_order(windows, steps):
    """The first ``steps`` positions of the text from per-window arrays ``[T, rows, ...]``: window ``w``, step
    ``t`` of row ``r`` is position ``r · row_length + w · T + t`` (``stream_layout``'s order)."""
    stacked = np.stack(windows)  # [windows, T, rows, ...]
    by_row = np.moveaxis(stacked, 2, 0)  # [rows, windows, T, ...]
    return by_row.reshape((-1,) + stacked.shape[3:])[:steps]
