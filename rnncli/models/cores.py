"""The layers of a stack as recurrent cores: a cell whose input may be widened, and two wrappers that carry
state of their own (skips in time, state averaging).

Every core has the part of the cell interface that ``rnncli.unroll`` uses, so both unrolls run any of them
unchanged: ``project_inputs(window [T, B, w]) -> [T, B, P]`` once per window, then ``step(projected_t, state)
-> (h_t, state_t)`` per step; besides, ``initial_state(batch)`` and ``last_output(state) = h_{t-1}``.
``step_with_internals`` also passes on what the cell reports (``rnncli.cells.base.Internals``), for inspection.
Every part of a state is batch-major, as a cell's. The first layer's window may be a ``SymbolWindow``
(``rnncli.models.symbol_window``), which a cell core projects through the vocabulary's table.
"""

from collections import namedtuple

from rnncli.models.symbol_window import SymbolWindow
from rnncli.tensorflow_quiet import tf

TimeSkipState = namedtuple("TimeSkipState", ["core", "recent_outputs"])
AveragedState = namedtuple("AveragedState", ["last", "mean", "steps"])


class CellCore(tf.Module):
    """A cell as one layer. The cell's input is ``[u_t, e_t]``: the window input ``u_t`` (``window_width`` wide,
    known for the whole window before the layer runs), then per-step extras ``e_t`` (known only inside the time
    loop, as the layer's own earlier outputs). With the cell's input kernel split by rows, ``W = [W_u; W_e]``::

        p_t = [u_t, e_t] W + b = (u_t W_u + b) + e_t W_e

    ``u_t W_u + b`` is one matmul for the whole window (``project_inputs``); ``e_t W_e`` one per step
    (``project_extras``). Without extras this is the cell's own projection.
    """

    def __init__(self, cell, window_width):
        super().__init__()
        self.cell = cell
        self.window_width = window_width

    def initial_state(self, batch_size):
        return self.cell.initial_state(batch_size)

    def project_inputs(self, window):
        if isinstance(window, SymbolWindow):
            return window.project(self.project_inputs)
        if self.window_width == self.cell.input_size:
            return self.cell.project_inputs(window)
        kernel, bias = self.cell.input_projection()
        return tf.tensordot(window, kernel[: self.window_width], axes=1) + bias

    def project_extras(self, extras):
        kernel, _ = self.cell.input_projection()
        return tf.matmul(extras, kernel[self.window_width:])

    def step(self, projected_inputs, state):
        return self.cell.step(projected_inputs, state)

    def step_with_internals(self, projected_inputs, state):
        return self.cell.step_with_internals(projected_inputs, state)

    @property
    def affine_recurrence(self):
        """The cell, when it is an ``AffineRecurrence`` (``rnncli.unroll.window_unroll`` then applies)."""
        return self.cell.affine_recurrence

    def last_output(self, state):
        """``h_{t-1}``: every cell of the family keeps its last output as ``state.hidden``."""
        return state.hidden


class CoreWrapper(tf.Module):
    """A core around another core: projections pass through; subclasses change the step and the state."""

    #: A wrapper changes the step, so ``rnncli.unroll.window_unroll`` falls back to the static unroll.
    affine_recurrence = None

    def __init__(self, core):
        super().__init__()
        self.core = core

    def project_inputs(self, window):
        return self.core.project_inputs(window)

    def project_extras(self, extras):
        return self.core.project_extras(extras)

    def step(self, projected_inputs, state):
        output, state, _ = self.step_with_internals(projected_inputs, state)
        return output, state


class StateAveraging(CoreWrapper):
    """Averaged states (seed 002's decoder option, here in every layer at every step, for training, evaluation
    and sampling alike). With ``s_0`` the initial state and ``s_k`` the state after step ``k``::

        s̃_{t-1} = (1 - α) s_{t-1} + α m_{t-1},    m_{t-1} = (1 / t) Σ_{k=0}^{t-1} s_k
        h_t, s_t = core(p_t, s̃_{t-1})                  (the mean collects s_t, not s̃_t)

    Every part of the state is averaged (``h`` and ``c`` of an LSTM). The state carries the mean and the
    number of steps ``t`` behind it, so the mean runs on across windows until the state is reset; it is kept
    as ``m_t = m_{t-1} + (s_t - m_{t-1}) / (t + 1)`` because a float32 running sum loses the newest states
    after many windows. A zero state is the initial state of a zero cell state (``m_0 = s_0 = 0``, ``t = 0``),
    so zeroing the saved states resets the average too.
    """

    def __init__(self, core, alpha):
        super().__init__(core)
        self.alpha = alpha

    def initial_state(self, batch_size):
        state = self.core.initial_state(batch_size)
        return AveragedState(last=state, mean=state, steps=tf.zeros([batch_size, 1]))

    def step_with_internals(self, projected_inputs, state):
        fed = tf.nest.map_structure(lambda last, mean: (1.0 - self.alpha) * last + self.alpha * mean,
                                    state.last, state.mean)
        output, new, internals = self.core.step_with_internals(projected_inputs, fed)
        steps = state.steps + 1.0
        mean = tf.nest.map_structure(lambda mean, part: mean + (part - mean) / (steps + 1.0), state.mean, new)
        return output, AveragedState(last=new, mean=mean, steps=steps), internals

    def last_output(self, state):
        return self.core.last_output(state.last)


class TimeSkip(CoreWrapper):
    """Skip connections in time: the layer's output ``K`` steps back is a per-step extra of its input, through the
    cell's own input kernel (the cell's input is ``H`` wider)::

        p_t = (u_t W_u + b) + h_{t-K} W_s,    h_t, s_t = core(p_t, s_{t-1})

    The state carries the last ``K`` outputs ``[h_{t-K}, ..., h_{t-1}]`` (zeros before the first step) as
    ``recent_outputs [B, K, H]``, so the skips reach across windows as the recurrence does.
    """

    def __init__(self, core, skip, hidden_size):
        super().__init__(core)
        self.skip = skip
        self.hidden_size = hidden_size

    def initial_state(self, batch_size):
        return TimeSkipState(core=self.core.initial_state(batch_size),
                             recent_outputs=tf.zeros([batch_size, self.skip, self.hidden_size]))

    def step_with_internals(self, projected_inputs, state):
        skipped = self.core.project_extras(state.recent_outputs[:, 0])
        output, core_state, internals = self.core.step_with_internals(projected_inputs + skipped, state.core)
        recent = tf.concat([state.recent_outputs[:, 1:], output[:, None]], axis=1)
        return output, TimeSkipState(core=core_state, recent_outputs=recent), internals

    def last_output(self, state):
        return self.core.last_output(state.core)
