"""A character (or word) language model: input layer, a stack of recurrent cells, softmax output.

For ids ``s_1 .. s_T`` (time-major ``[T, B]``)::

    x_t = onehot(s_t)            or  E[s_t]            (``embedding_size`` 0 or > 0)
    o_t = stack(x_t, states)                           (rnncli.models.stack: L layers and their connections)
    p(s_{t+1} | s_{<=t}) = softmax(o_t W_out + b_out)

Every weight is drawn by the ``--init`` scheme (``rnncli.cells.initializers.WeightInit``): ``E [V, embedding]``
and ``W_out [H, V]`` as matrices, ``b_out`` as a vector, the stack's as its cells say.

- ``--tie-weights`` (Press & Wolf 2017, "Using the Output Embedding to Improve Language Models"):
  ``W_out = Eᵀ``, one matrix for both ends, when the embedding is ``H`` wide.
- ``--embedding-dropout e`` (Gal & Ghahramani 2016, section 4): while training, each window drops whole symbols,
  ``x_t = E[s_t] · k[s_t] / (1 - e)`` with ``k ~ Bernoulli(1 - e)`` one draw per vocabulary entry (shared by the
  batch, as Merity et al. 2017), so a dropped symbol vanishes everywhere it occurs in the window. For a one-hot
  input, the row of ``E`` is the one-hot vector.

The stack receives the window as ids and that table (``rnncli.models.symbol_window``), so its first layer can
project the ``V`` rows of the table rather than every position's vector.

The model holds weights only; whoever runs it (trainer, evaluator, sampler) owns the carried states.
"""

from collections import namedtuple

import numpy as np

from rnncli.cells.base import weight
from rnncli.cells.initializers import WeightInit
from rnncli.models.stack import CellStack, dropout_mask
from rnncli.models.stack_options import StackOptions
from rnncli.models.symbol_window import SymbolWindow, table_pays
from rnncli.tensorflow_quiet import tf

#: ``logits [T, B, V]``, per-layer ``final_states`` and ``trajectories`` (see ``rnncli.models.stack.StackOutput``).
ModelOutput = namedtuple("ModelOutput", ["logits", "final_states", "trajectories"])


class CharLanguageModel(tf.Module):
    def __init__(self, vocab_size, cell_name, hidden_size, layers=1, embedding_size=0,
                 init=None, forget_bias=0.0, unroll_mode="auto", stack_options=StackOptions(), tie_weights=False,
                 embedding_dropout=0.0):
        super().__init__(name="char_lm")
        init = init or WeightInit()
        if tie_weights and embedding_size != hidden_size:
            raise ValueError(f"tied weights need an embedding as wide as the output layer's input ({hidden_size})")
        self.vocab_size = vocab_size
        self.embedding_size = embedding_size
        self.tie_weights = tie_weights
        self.embedding_dropout = embedding_dropout
        with self.name_scope:
            if embedding_size:
                self.embedding = weight(init.matrix((vocab_size, embedding_size)), "embedding")
            self.stack = CellStack(cell_name, embedding_size or vocab_size, hidden_size, layers, init, forget_bias,
                                   unroll_mode, stack_options)
            if not tie_weights:
                self.softmax_weights = weight(init.matrix((hidden_size, vocab_size)), "softmax_w")
            self.softmax_bias = weight(init.vector(vocab_size), "softmax_b")
            if embedding_dropout:
                self.embedding_dropout_rng = tf.random.Generator.from_seed(init.seed + 1)

    def initial_states(self, batch_size):
        """One initial state per layer."""
        return self.stack.initial_states(batch_size)

    def symbols(self, ids, training=False):
        """The ``SymbolWindow`` of int32 ids: the embedding, or the identity for one-hot inputs, as the table,
        its dropped symbols' rows zero when ``training`` with embedding dropout."""
        table = self.embedding if self.embedding_size else tf.eye(self.vocab_size)
        if training and self.embedding_dropout:
            table = table * self._kept_symbols()[:, None]
        return SymbolWindow(ids, table)

    def embed(self, ids, training=False):
        """``x_t`` for integer ids of any shape: one-hot rows or embedding rows, symbols dropped when
        ``training`` with embedding dropout."""
        ids = tf.cast(ids, tf.int32)
        rows = tf.gather(self.embedding, ids) if self.embedding_size else tf.one_hot(ids, self.vocab_size)
        if training and self.embedding_dropout:
            rows *= tf.gather(self._kept_symbols(), ids)[..., None]
        return rows

    def _kept_symbols(self):
        """Embedding dropout's ``k / (1 - e)`` for this window, one draw per vocabulary entry."""
        return dropout_mask([self.vocab_size], self.embedding_dropout, self.embedding_dropout_rng)

    def forward(self, ids, states, training=False):
        """``ModelOutput`` for time-major ids ``[T, B]`` and per-layer ``states``; dropout only when ``training``.
        The stack receives the ids and their table when the vocabulary has fewer rows than the window has
        positions, the vectors otherwise (a word model's: its one-hot table would be ``V x V``)."""
        ids = tf.cast(ids, tf.int32)
        window = self.symbols(ids, training) if table_pays(self.vocab_size, ids) else self.embed(ids, training)
        result = self.stack(window, states, training)
        return ModelOutput(self.output_logits(result.outputs), result.final_states, result.trajectories)

    def __call__(self, ids, states, training=False):
        """``(logits [T, B, V], final_states)``."""
        result = self.forward(ids, states, training)
        return result.logits, result.final_states

    def step(self, ids, states):
        """One time step for ids ``[B]``: ``(logits [B, V], new_states)``."""
        output, states = self.stack.step(self.embed(ids), states)
        return self.output_logits(output), states

    def output_logits(self, hidden):
        flat = tf.reshape(hidden, [-1, tf.shape(hidden)[-1]])
        logits = tf.matmul(flat, self.embedding, transpose_b=True) if self.tie_weights else tf.matmul(
            flat, self.softmax_weights)
        logits += self.softmax_bias
        return tf.reshape(logits, tf.concat([tf.shape(hidden)[:-1], [self.vocab_size]], axis=0))

    @property
    def parameter_count(self):
        return int(sum(np.prod(v.shape) for v in self.trainable_variables))
