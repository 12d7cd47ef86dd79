"""What the cells whose whole state is their previous output share: the simple RNNs (``rnn.py``) and the GRU
family (``gru.py``).

Such a cell names its x-only terms ``k``; each is ``x_t W_k + b_k`` with ``W_k [input, H]``, ``b_k [H]``. The
fused kernel ``[W_k1 | W_k2 | ...]`` projects a whole window in one matmul, and ``step`` gets the terms of one
time step back by name (``input_terms``).
"""

from collections import namedtuple

from rnncli.cells.base import RecurrentCell, weight
from rnncli.tensorflow_quiet import tf

HiddenState = namedtuple("HiddenState", ["hidden"])


class HiddenStateCell(RecurrentCell):
    """Base of the cells with state ``HiddenState(h_{t-1})``; subclasses fill ``self.W`` and ``self.b`` for
    every name in ``input_terms`` (in projection order)."""

    State = HiddenState
    input_terms = ()

    @property
    def state_size(self):
        return HiddenState(self.hidden_size)

    def input_projection(self):
        kernel = tf.concat([self.W[k] for k in self.input_terms], axis=1)
        bias = tf.concat([self.b[k] for k in self.input_terms], axis=0)
        return kernel, bias

    def split_terms(self, projected_inputs):
        """``{term: [..., H]}`` from the fused projection of one step or a window."""
        return dict(zip(self.input_terms, tf.split(projected_inputs, len(self.input_terms), axis=-1)))

    def input_matrix(self, init, term):
        return weight(init.matrix((self.input_size, self.hidden_size)), f"W_{term}")

    def recurrent_matrix(self, init, name):
        return weight(init.matrix((self.hidden_size, self.hidden_size), recurrent=True), name)

    def bias(self, init, term, offset=0.0):
        return weight(init.vector(self.hidden_size) + offset, f"b_{term}")

    def input_itself(self, init, term):
        """The matrix of a term where the equations add ``x_t`` itself to a hidden-width sum: the identity
        when the input is as wide as the hidden layer (the paper's case; no parameters), else a learned
        projection ``P_term [input, H]`` (a one-hot first layer is as wide as the vocabulary)."""
        if self.input_size == self.hidden_size:
            return tf.eye(self.hidden_size)
        return weight(init.matrix((self.input_size, self.hidden_size)), f"P_{term}")
