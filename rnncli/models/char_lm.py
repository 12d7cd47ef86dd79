"""A character (or word) language model: input layer, a stack of recurrent cells, softmax output.

For ids ``s_1 .. s_T`` (time-major ``[T, B]``)::

    x_t = onehot(s_t)            or  E[s_t]            (``embedding_size`` 0 or > 0)
    h^l_t, state^l_t = cell_l(h^{l-1}_t, state^l_{t-1})  with h^0_t = x_t, for layers l = 1..L
    p(s_{t+1} | s_{<=t}) = softmax(h^L_t W_out + b_out)

The model holds weights only; whoever runs it (trainer, evaluator, sampler) owns the carried states.
"""

import numpy as np

from rnncli.cells import make_cell
from rnncli.cells.initializers import WeightInit
from rnncli.cells.base import weight
from rnncli.tensorflow_quiet import tf
from rnncli.unroll import unroll


class CharLanguageModel(tf.Module):
    def __init__(self, vocab_size, cell_name, hidden_size, layers=1, embedding_size=0,
                 init=None, forget_bias=0.0, unroll_mode="static"):
        super().__init__(name="char_lm")
        init = init or WeightInit()
        self.vocab_size = vocab_size
        self.embedding_size = embedding_size
        self.unroll = unroll(unroll_mode)
        with self.name_scope:
            if embedding_size:
                self.embedding = weight(init.rng.uniform(-0.05, 0.05, (vocab_size, embedding_size)), "embedding")
            input_size = embedding_size or vocab_size
            self.cells = []
            for _ in range(layers):
                self.cells.append(make_cell(cell_name, input_size, hidden_size, init, forget_bias))
                input_size = hidden_size
            self.softmax_weights = weight(init.rng.uniform(-0.1, 0.1, (hidden_size, vocab_size)), "softmax_w")
            self.softmax_bias = weight(np.zeros(vocab_size), "softmax_b")

    def initial_states(self, batch_size):
        """One zero state per layer."""
        return [cell.initial_state(batch_size) for cell in self.cells]

    def embed(self, ids):
        """``x_t`` for integer ids of any shape: one-hot rows or embedding rows."""
        ids = tf.cast(ids, tf.int32)
        if self.embedding_size:
            return tf.gather(self.embedding, ids)
        return tf.one_hot(ids, self.vocab_size)

    def __call__(self, ids, states):
        """``(logits [T, B, V], final_states)`` for time-major ids ``[T, B]`` and per-layer ``states``."""
        x = self.embed(ids)
        final_states = []
        for cell, state in zip(self.cells, states):
            x, state = self.unroll(cell, x, state)
            final_states.append(state)
        return self.output_logits(x), final_states

    def step(self, ids, states):
        """One time step for ids ``[B]``: ``(logits [B, V], new_states)``."""
        x = self.embed(ids)
        new_states = []
        for cell, state in zip(self.cells, states):
            x, state = cell(x, state)
            new_states.append(state)
        return self.output_logits(x), new_states

    def output_logits(self, hidden):
        flat = tf.reshape(hidden, [-1, tf.shape(hidden)[-1]])
        logits = tf.matmul(flat, self.softmax_weights) + self.softmax_bias
        return tf.reshape(logits, tf.concat([tf.shape(hidden)[:-1], [self.vocab_size]], axis=0))

    @property
    def parameter_count(self):
        return int(sum(np.prod(v.shape) for v in self.trainable_variables))
