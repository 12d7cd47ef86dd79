"""Recurrent networks without gates: Elman's RNN, Le et al.'s IRNN, and the seeds' Jordan-style RNN.

Row vectors; ``x_t`` is the input, the state is the previous output::

    rnn     h_t = tanh(x_t W_h + h_{t-1} R_h + b_h)
    irnn    h_t = relu(x_t W_h + h_{t-1} R_h + b_h),    R_h = I and b_h = 0 at the start
    jordan  s_t = tanh(x_t W_s + y_{t-1} R_s + b_s),    y_t = σ(s_t V + b_y)

``x_t W + b`` of the whole window is one matmul outside the time loop; one ``[H, H]`` matmul per step
remains (two for ``jordan``). None of them has a layer-normalised form (``--layer-norm``).
"""

import numpy as np

from rnncli.cells.base import NO_INTERNALS, AffineRecurrence, weight
from rnncli.cells.hidden_state import HiddenState, HiddenStateCell
from rnncli.tensorflow_quiet import tf


class ElmanRNN(AffineRecurrence, HiddenStateCell):
    """Elman's simple recurrent network (Elman 1990, "Finding Structure in Time")::

        h_t = tanh(x_t W_h + h_{t-1} R_h + b_h)

    Parameters: ``input·H + H² + H``. ``--forget-bias`` does nothing (no gate).
    """

    name_in_registry = "rnn"
    input_terms = ("h",)
    activation = staticmethod(tf.tanh)

    def __init__(self, input_size, hidden_size, init, forget_bias=0.0, layer_norm=False, name=None):
        super().__init__(input_size, hidden_size, name=name, layer_norm=layer_norm)
        with self.name_scope:
            self.W = {"h": self.input_matrix(init, "h")}
            self.R_h = self.initial_recurrent_matrix(init)
            self.b = {"h": self.initial_bias(init)}

    def initial_recurrent_matrix(self, init):
        return self.recurrent_matrix(init, "R_h")

    def initial_bias(self, init):
        return self.bias(init, "h")

    def recurrent_kernels(self):
        return [self.R_h]

    def activate_with_internals(self, preactivations, state):
        (a,) = preactivations
        h = self.activation(a)
        return h, HiddenState(h), NO_INTERNALS


class IRNN(ElmanRNN):
    """The IRNN (Le, Jaitly, Hinton 2015, "A Simple Way to Initialize Recurrent Networks of Rectified Linear
    Units", arXiv 1504.00941): Elman's network with ReLU units, recurrent matrix initialised to the identity and
    biases to zero::

        h_t = relu(x_t W_h + h_{t-1} R_h + b_h),    R_h = I, b_h = 0 at the start

    R_h and b_h start there whatever ``--init`` says (that start is what makes it an IRNN); ``W_h`` follows
    ``--init``.
    Parameters: ``input·H + H² + H``.
    """

    name_in_registry = "irnn"
    activation = staticmethod(tf.nn.relu)

    def initial_recurrent_matrix(self, init):
        return weight(np.eye(self.hidden_size), "R_h")

    def initial_bias(self, init):
        return weight(np.zeros(self.hidden_size), "b_h")


class JordanRNN(AffineRecurrence, HiddenStateCell):
    """The RecurrentArchitectures seed's ``vanillaRNN``, kept as it is and named for what it is: the recurrence
    runs through the network's sigmoid *output* (a Jordan network, Jordan 1986, "Serial Order: A Parallel
    Distributed Processing Approach"), not through its hidden layer as in Elman's::

        s_t = tanh(x_t W_s + y_{t-1} R_s + b_s)        hidden layer
        y_t = σ(s_t V + b_y)                            output, fed back; the state is y_t

    Parameters: ``input·H + 2H² + 2H``. ``--forget-bias`` does nothing (no gate).
    """

    name_in_registry = "jordan"
    input_terms = ("s",)

    def __init__(self, input_size, hidden_size, init, forget_bias=0.0, layer_norm=False, name=None):
        super().__init__(input_size, hidden_size, name=name, layer_norm=layer_norm)
        with self.name_scope:
            self.W = {"s": self.input_matrix(init, "s")}
            self.R_s = self.recurrent_matrix(init, "R_s")
            self.b = {"s": self.bias(init, "s")}
            self.V = weight(init.matrix((hidden_size, hidden_size)), "V")
            self.b_y = self.bias(init, "y")

    def recurrent_kernels(self):
        return [self.R_s]

    def activate_with_internals(self, preactivations, state):
        (a,) = preactivations
        s = tf.tanh(a)
        y = tf.sigmoid(tf.matmul(s, self.V) + self.b_y)
        return y, HiddenState(y), NO_INTERNALS
