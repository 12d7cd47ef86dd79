"""Two-dimensional LSTM cells: Graves et al. 2007 and the stable cell of Leifert et al. 2016.

A cell at grid position (i, j) reads its input x and the states of its two predecessors, the cell above
``(h↑, c↑) = state(i-1, j)`` and the cell to the left ``(h←, c←) = state(i, j-1)`` (zero state off the grid).
Row vectors, ``⊙`` elementwise. Five pre-activation blocks come from one projection::

    [z_1 .. z_5] = x W + [h↑, h←] R + b                     W [C, 5n], R = [R↑; R←] [2n, 5n], b [5n]

Graves ("Multi-Dimensional Recurrent Neural Networks", arXiv 0705.2011; no peepholes, as the seed):
input gate, one forget gate per dimension, output gate, block input::

    i = σ(z_1),  f↑ = σ(z_2),  f← = σ(z_3),  o = σ(z_4),  a = tanh(z_5)
    c = i ⊙ a + f↑ ⊙ c↑ + f← ⊙ c←
    h = o ⊙ tanh(c)

With two forget gates near 1 the state sums contributions along every monotone path from the top-left, so
``|c|`` can grow with the grid. Leifert et al.'s stable cell ("Cells in Multidimensional Recurrent Neural
Networks", JMLR 17(97), 2016; field-notes C2) has one forget gate times a convex combination of the two
predecessors through a lambda gate, so the state grows no faster than in one dimension::

    i = σ(z_1),  f = σ(z_2),  λ = σ(z_3),  o = σ(z_4),  a = tanh(z_5)
    c = i ⊙ a + f ⊙ (λ ⊙ c↑ + (1 - λ) ⊙ c←)
    h = o ⊙ tanh(c)

``layer_norm=True`` is the seed's cell: no bias; each block normalised over its n features,
``z_k ← LN(z_k; g_k, s_k)`` (``rnncli.cells.layer_norm``: gain 1, shift 0 at the start, ε = 1e-5), and
``h = o ⊙ tanh(LN(c; g_c, s_c))`` while the carried state keeps the un-normalised c. ``forget_bias`` starts the
forget blocks' bias (or shift) there. Weights: one Glorot-uniform ``[C + 2n, 5n]`` matrix split into W and
R (the TF-1 default the seed got).
"""

from collections import namedtuple

import numpy as np

from rnncli.cells.base import RecurrentCell, weight
from rnncli.cells.layer_norm import layer_norm, layer_norm_blocks
from rnncli.cells.lstm import LSTMState
from rnncli.tensorflow_quiet import tf

#: What a 2D cell reads besides its input: the states of the cell above and the cell to the left.
Neighbours = namedtuple("Neighbours", ["up", "left"])

BLOCKS = 5
FORGET_BLOCKS = {"graves": (1, 2), "stable": (1,)}


class MDLSTMCell(RecurrentCell):
    """A 2D LSTM cell; ``step(projected, Neighbours(up, left))`` with ``LSTMState`` neighbours."""

    State = LSTMState
    layer_norm_form = True

    def __init__(self, input_size, hidden_size, init, kind="graves", layer_norm=False, forget_bias=0.0, name=None):
        super().__init__(input_size, hidden_size, name=name or f"md_lstm_{kind}", layer_norm=layer_norm)
        if kind not in FORGET_BLOCKS:
            raise ValueError(f"unknown 2D cell {kind!r}; choose from {', '.join(FORGET_BLOCKS)}")
        self.kind = kind
        n = hidden_size
        start = np.zeros(BLOCKS * n)
        for block in FORGET_BLOCKS[kind]:
            start[block * n:(block + 1) * n] = forget_bias
        kernel = init.matrix((input_size + 2 * n, BLOCKS * n))
        with self.name_scope:
            self.W = weight(kernel[:input_size], "W")
            self.R = weight(kernel[input_size:], "R")
            if layer_norm:
                self.gate_gain = weight(np.ones(BLOCKS * n), "gate_gain")
                self.gate_shift = weight(start, "gate_shift")
                self.cell_gain = weight(np.ones(n), "cell_gain")
                self.cell_shift = weight(np.zeros(n), "cell_shift")
            else:
                self.b = weight(start, "b")

    @property
    def state_size(self):
        return LSTMState(self.hidden_size, self.hidden_size)

    def input_projection(self):
        bias = tf.zeros([BLOCKS * self.hidden_size]) if self.layer_norm else self.b
        return self.W, bias

    def step(self, projected_inputs, neighbours):
        up, left = neighbours
        z = projected_inputs + tf.matmul(tf.concat([up.hidden, left.hidden], axis=-1), self.R)
        if self.layer_norm:
            z = layer_norm_blocks(z, self.gate_gain, self.gate_shift, self.hidden_size)
        gates, block_input = tf.split(z, [4 * self.hidden_size, self.hidden_size], axis=-1)
        i, gate_2, gate_3, o = tf.split(tf.sigmoid(gates), 4, axis=-1)
        if self.kind == "graves":
            f_up, f_left = gate_2, gate_3
            carried = f_up * up.cell + f_left * left.cell
        else:
            f, mix = gate_2, gate_3  # mix is the lambda gate
            carried = f * (mix * up.cell + (1.0 - mix) * left.cell)
        c = i * tf.tanh(block_input) + carried
        shown = layer_norm(c, self.cell_gain, self.cell_shift) if self.layer_norm else c
        h = o * tf.tanh(shown)
        return h, LSTMState(h, c)
