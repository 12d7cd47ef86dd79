"""The interface every recurrent cell implements, after Sonnet 2's recurrent cores.

A cell maps one time step ``(x_t, state_{t-1}) -> (h_t, state_t)``. The equations of most cells split into
terms that read only ``x_t`` (``W x_t + b``) and terms that read the state. ``project_inputs`` computes the
first kind for a whole window in one large matmul; ``step`` applies the recurrence to one projected step.
``cell(x_t, state)`` is ``step(project_inputs(x_t), state)``, so calling a cell one step at a time and
unrolling it over a window give the same numbers.
"""

import numpy as np

from rnncli.tensorflow_quiet import tf


class RecurrentCell(tf.Module):
    """Base class: subclasses set ``State`` (a namedtuple type), take ``(input_size, hidden_size, init,
    forget_bias=0.0, name=None)`` and implement ``state_size``, ``input_projection`` (the fused x-only weights
    and bias) and ``step``."""

    State = None
    #: Name used by ``--cell`` and in the registry.
    name_in_registry = None

    @classmethod
    def build(cls, name, input_size, hidden_size, init, forget_bias=0.0):
        """The cell registered as ``name`` (``make_cell`` calls this; a class serving several names, as the
        LSTM and its variants, overrides it)."""
        return cls(input_size, hidden_size, init, forget_bias=forget_bias)

    def __init__(self, input_size, hidden_size, name=None):
        super().__init__(name=name or self.name_in_registry)
        if input_size <= 0 or hidden_size <= 0:
            raise ValueError("input and hidden sizes must be positive")
        self.input_size = input_size
        self.hidden_size = hidden_size

    @property
    def output_size(self):
        return self.hidden_size

    @property
    def state_size(self):
        """A ``State`` of the width of each state tensor."""
        raise NotImplementedError

    def initial_state(self, batch_size):
        """Zeros for every part of the state, ``[batch_size, width]`` each."""
        return self.State(*[tf.zeros([batch_size, width]) for width in self.state_size])

    def input_projection(self):
        """``(kernel [input_size, P], bias [P])`` of the x-only terms of the equations."""
        raise NotImplementedError

    def project_inputs(self, inputs):
        """``inputs @ kernel + bias`` for inputs of shape ``[..., input_size]`` (one step or a whole window)."""
        kernel, bias = self.input_projection()
        leading = tf.shape(inputs)[:-1]
        flat = tf.reshape(inputs, [-1, self.input_size])
        projected = tf.matmul(flat, kernel) + bias
        return tf.reshape(projected, tf.concat([leading, [tf.shape(kernel)[1]]], axis=0))

    def step(self, projected_inputs, state):
        """One step of the recurrence: ``(h_t, state_t)``."""
        raise NotImplementedError

    def __call__(self, inputs, state):
        return self.step(self.project_inputs(inputs), state)

    @property
    def parameter_count(self):
        return int(sum(np.prod(v.shape) for v in self.trainable_variables))


def weight(value, name):
    """A trainable float32 ``tf.Variable`` from a NumPy initial value."""
    return tf.Variable(np.asarray(value, dtype=np.float32), name=name)
