"""A stack of recurrent layers with seed 002's connections between them, for any cell of the family.

Layer ``i`` (0-based, ``L`` layers) runs over the whole window before layer ``i + 1`` starts. With ``x_0`` the
stack's input, ``D`` dropout (training only), ``j = i - K - 1`` (``K = --layer-skip``) and ``[·, ·]``
concatenation::

    u^i_t = [x^i_t,  x^j_t (vertical input),  h^j_{t-1} (vertical hidden)]      the extras only if j >= 0
    h^i_t = core_i(D(u^i_t), ...)                                               a cell, see rnncli.models.cores
    x^{i+1}_t = h^i_t + x^i_t   (--residual, i >= 1)      else   h^i_t
    output_t = D(x^L_t)

- Vertical connections (seed 002's ``MultiRNNCell_Interconnect``; its "input and previous-step state that layer
  i-K-1 received"): the extras widen layer ``i``'s input, so they go through the cell's own input projection
  and any cell takes them. Both are known for the whole window before layer ``i`` runs, since layer ``j`` is
  lower and already unrolled (``h^j_{t-1}`` is its output sequence shifted by one step, led by the output
  carried in its state), so the input projection stays one matmul per window.
- Residual connections join layers of equal width: every layer above the first (the first layer's input is
  the embedding or one-hot vector).
- Dropout (Zaremba et al. 2014, "Recurrent Neural Network Regularization"): on the non-recurrent connections
  only, i.e. every layer's input ``u^i`` and the output, never on the state; ``D(v) = v ⊙ m / (1 - p)``,
  ``m ~ Bernoulli(1 - p)`` drawn afresh at every step. With ``--variational-dropout`` (Gal & Ghahramani 2016,
  "A Theoretically Grounded Application of Dropout in Recurrent Neural Networks") each sequence (batch row)
  draws one mask per window and reuses it at every step of the window.
- ``--input-dropout q`` replaces ``D`` on the first layer's input (the embedding or one-hot vectors) by one mask
  for the whole window and batch, as weight drop's::

      u^0_t = x_t ⊙ m / (1 - q),    m ~ Bernoulli(1 - q)^w   drawn once per window

  It drops columns of the embedding, so the first layer still projects the vocabulary's table, not the window
  (below). ``--input-dropout 0``: no dropout there.
- The stack's input may be a ``SymbolWindow`` (``rnncli.models.symbol_window``): symbol ids and the table of their
  vectors. Unless ``D`` applies to ``u^0`` (``--dropout`` without ``--input-dropout``), the first layer projects
  the table.
- Recurrent regularisers, for cells with an affine recurrence ``a_t = p_t + h_{t-1} R``
  (``rnncli.cells.base.AffineRecurrence``), both drawn once per window::

      a_t = p_t + (h_{t-1} ⊙ m / (1 - q)) R           --state-dropout q: Gal's mask m [B, H] on the state that
                                                      the recurrence reads (the carried state is untouched)
      a_t = p_t + h_{t-1} (R ⊙ M / (1 - w))           --weight-drop w: DropConnect on the recurrent matrices
                                                      (Merity et al. 2017); one mask M per matrix for the batch

  The weights themselves are never changed: ``R ⊙ M`` exists only in the window's graph.
- Every mask comes from a ``tf.random.Generator`` that lives in the checkpoint, so a resumed run draws the
  masks the uninterrupted run would have.
- Skips in time and state averaging live inside each layer's core (``rnncli.models.cores``).
- ``--layer-devices`` puts layer ``i``'s weights and computation on one device (``rnncli.models.placement``).
"""

import contextlib
from collections import namedtuple

from rnncli.cells import make_cell
from rnncli.cells.base import Internals, RecurrentMasks
from rnncli.models.cores import CellCore, StateAveraging, TimeSkip
from rnncli.models.placement import layer_devices
from rnncli.models.stack_options import StackOptions
from rnncli.models.symbol_window import scale_features, vectors
from rnncli.tensorflow_quiet import tf
from rnncli.unroll import recording_unroll, static_unroll, unroll

#: ``outputs [T, B, H]``; ``final_states`` per layer; ``trajectories`` per layer ``[T + 1, B, H]``: the output
#: carried in from the previous window, then the layer's output at every step.
StackOutput = namedtuple("StackOutput", ["outputs", "final_states", "trajectories"])


class CellStack(tf.Module):
    """``layers`` cells named ``cell_name`` connected as the module docstring says."""

    def __init__(self, cell_name, input_size, hidden_size, layers, init, forget_bias=0.0, unroll_mode="auto",
                 options=StackOptions()):
        super().__init__(name="stack")
        options.check(layers, cell_name)
        self.options = options
        self.input_size = input_size
        self.unroll = unroll(unroll_mode, hidden_size)
        # tf.device(None) places nothing: the default placement
        self.devices = layer_devices(options.layer_devices) if options.layer_devices else [None] * layers
        lag = options.layer_skip + 1
        self.sources = [i - lag if options.vertical != "none" and i >= lag else None for i in range(layers)]
        stream_widths = [input_size] + [hidden_size] * (layers - 1)
        step_width = hidden_size if options.time_skip else 0
        with self.name_scope:
            self.cells, self.layers = [], []
            for i, device in enumerate(self.devices):
                window_width = stream_widths[i] + self._vertical_width(self.sources[i], stream_widths, hidden_size)
                with tf.device(device):
                    cell = make_cell(cell_name, window_width + step_width, hidden_size, init, forget_bias,
                                     options.layer_norm)
                self.cells.append(cell)
                self.layers.append(self._layer_core(cell, window_width, hidden_size))
            if options.draws_masks:
                self.dropout_rng = tf.random.Generator.from_seed(init.seed)

    def _links(self, kind):
        """Whether vertical connections carry ``kind`` ("input" or "hidden")."""
        return self.options.vertical in (kind, "both")

    def _vertical_width(self, source, stream_widths, hidden_size):
        if source is None:
            return 0
        return (stream_widths[source] if self._links("input") else 0) + (hidden_size if self._links("hidden") else 0)

    def _layer_core(self, cell, window_width, hidden_size):
        core = CellCore(cell, window_width)
        if self.options.state_averaging:
            core = StateAveraging(core, self.options.state_averaging)
        if self.options.time_skip:
            core = TimeSkip(core, self.options.time_skip, hidden_size)
        return core

    def initial_states(self, batch_size):
        """One initial state per layer."""
        return [layer.initial_state(batch_size) for layer in self.layers]

    def __call__(self, inputs, states, training=False):
        """``StackOutput`` for a time-major window ``inputs [T, B, input]`` (or a ``SymbolWindow``) from per-layer
        ``states``; dropout only when ``training``."""
        return self._run(inputs, states, training, self.unroll)

    def step(self, inputs, states):
        """One step without dropout: ``(output [B, H], new_states)`` for ``inputs [B, input]``."""
        result = self._run(inputs[None], states, False, static_unroll)
        return result.outputs[0], result.final_states

    def run_recorded(self, inputs, states):
        """``(StackOutput, internals)`` without dropout; ``internals`` holds per layer the ``Internals`` of its
        cell at every step (``rnncli.unroll.recording_unroll``), its states led by the layer's output ``hidden``
        (``h^i_t``), each ``[T, B, H]``. For inspection; training never runs it."""
        recorded = []

        def unroll_and_record(layer, window, state):
            hidden, final_state, internals = recording_unroll(layer, window, state)
            recorded.append(Internals({"hidden": hidden, **internals.states}, internals.gates))
            return hidden, final_state

        return self._run(inputs, states, False, unroll_and_record), recorded

    def _run(self, inputs, states, training, unroll_layer):
        received, trajectories, final_states = [], [], []
        x = inputs
        for i, (layer, state) in enumerate(zip(self.layers, states)):
            with tf.device(self.devices[i]):
                extras = self._vertical_inputs(self.sources[i], received, trajectories)
                window = tf.concat([vectors(x)] + extras, axis=-1) if extras else x
                batch_size = tf.shape(tf.nest.flatten(state)[0])[0]
                with self._recurrent_dropout(self.cells[i], training, batch_size):
                    hidden, final_state = unroll_layer(layer, self._drop_layer_input(i, window, training), state)
            received.append(x)
            trajectories.append(tf.concat([layer.last_output(state)[None], hidden], axis=0))
            final_states.append(final_state)
            x = hidden + x if self.options.residual and i > 0 else hidden
        return StackOutput(self._dropout(x, training), final_states, trajectories)

    def _vertical_inputs(self, source, received, trajectories):
        if source is None:
            return []
        return ([vectors(received[source])] if self._links("input") else []) + (
            [trajectories[source][:-1]] if self._links("hidden") else [])

    def _drop_layer_input(self, i, window, training):
        """Layer ``i``'s window as its cell receives it: ``D(u^i)``, or the first layer's by ``--input-dropout``."""
        rate = self.options.input_dropout
        if i > 0 or rate is None:
            return self._dropout(window, training)
        if not training or not rate:
            return window
        return scale_features(window, dropout_mask([self.input_size], rate, self.dropout_rng))

    def _dropout(self, values, training):
        """``D`` of a time-major window (``[T, B, w]`` or a ``SymbolWindow``): a mask per step, or per window
        (``--variational-dropout``)."""
        rate = self.options.dropout
        if not training or not rate:
            return values
        values = vectors(values)
        shape = tf.shape(values)
        if self.options.variational_dropout:
            return values * dropout_mask(tf.concat([[1], shape[1:]], axis=0), rate, self.dropout_rng)
        return values * dropout_mask(shape, rate, self.dropout_rng)

    def _recurrent_dropout(self, cell, training, batch_size):
        """The context in which ``cell`` runs a window: with this window's state and weight masks when training
        with ``--state-dropout`` or ``--weight-drop``, as it is otherwise."""
        options = self.options
        if not training or not (options.state_dropout or options.weight_drop):
            return contextlib.nullcontext()
        state_mask = kernel_masks = None
        if options.state_dropout:
            state_mask = dropout_mask([batch_size, cell.hidden_size], options.state_dropout, self.dropout_rng)
        if options.weight_drop:
            kernel_masks = [dropout_mask(tf.shape(kernel), options.weight_drop, self.dropout_rng)
                            for kernel in cell.recurrent_kernels()]
        return cell.dropping(RecurrentMasks(state_mask, kernel_masks))


def dropout_mask(shape, rate, rng):
    """``m / (1 - rate)`` with ``m_k = [u_k >= rate]``, ``u ~ U[0, 1)`` of ``shape`` drawn from ``rng``."""
    keep = rng.uniform(shape) >= rate
    return tf.cast(keep, tf.float32) / (1.0 - rate)
