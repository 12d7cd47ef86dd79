"""The interface every recurrent cell implements, after Sonnet 2's recurrent cores.

A cell maps one time step ``(x_t, state_{t-1}) -> (h_t, state_t)``. The equations of most cells split into
terms that read only ``x_t`` (``W x_t + b``) and terms that read the state. ``project_inputs`` computes the
first kind for a whole window in one large matmul; ``step`` applies the recurrence to one projected step.
``cell(x_t, state)`` is ``step(project_inputs(x_t), state)``, so calling a cell one step at a time and
unrolling it over a window give the same numbers.
"""

import contextlib
from collections import namedtuple

import numpy as np

from rnncli.cells import layer_norm_refusal
from rnncli.cells.layer_norm import layer_norm, layer_norm_blocks
from rnncli.tensorflow_quiet import tf

#: What a step reports besides its output ``h_t``, for inspection (``rnncli.inspect``): ``states`` maps the names
#: of the state parts other than ``h_t`` (the LSTM's ``cell``) and ``gates`` the names of the gates (LSTM ``i``,
#: ``f``, ``o``; GRU ``r``, ``z``) to their values ``[B, H]``; both are empty for a cell without them.
Internals = namedtuple("Internals", ["states", "gates"])
NO_INTERNALS = Internals({}, {})


class RecurrentMasks(namedtuple("RecurrentMasks", ["state", "kernels"])):
    """The dropout masks of one training window for an ``AffineRecurrence`` (``rnncli.models.stack``): ``state``
    ``[B, H]`` multiplies the ``h_{t-1}`` the recurrence reads, ``kernels`` one mask per recurrent matrix; each
    already divided by its keep probability, either None when unused. Both are elementwise, so applying a mask
    to the gradient of a masked tensor gives the gradient of the tensor."""

    def on_state(self, hidden):
        """``v ⊙ m`` (``v`` without a state mask)."""
        return hidden if self.state is None else hidden * self.state

    def on_kernels(self, kernels):
        """``[K_g ⊙ M_g]`` (``kernels`` without weight masks)."""
        if self.kernels is None:
            return kernels
        return [kernel * mask for kernel, mask in zip(kernels, self.kernels, strict=True)]


#: Outside a training window: nothing dropped.
NO_MASKS = RecurrentMasks(None, None)


class RecurrentCell(tf.Module):
    """Base class: subclasses set ``State`` (a namedtuple type), take ``(input_size, hidden_size, init,
    forget_bias=0.0, layer_norm=False, name=None)`` and implement ``state_size``, ``input_projection`` (the
    fused x-only weights and bias) and ``step_with_internals``."""

    State = None
    #: Name used by ``--cell`` and in the registry.
    name_in_registry = None
    #: The ``AffineRecurrence`` this cell steps with (itself for such cells), or None.
    affine_recurrence = None
    #: Whether the class has a layer-normalised form (``layer_norm=True``, ``--layer-norm``); for a registered
    #: cell, the registry's ``layer_norm_parameters`` count its weights.
    layer_norm_form = False

    @classmethod
    def build(cls, name, input_size, hidden_size, init, forget_bias=0.0, layer_norm=False):
        """The cell registered as ``name`` (``make_cell`` calls this; a class serving several names, as the
        LSTM and its variants, overrides it)."""
        return cls(input_size, hidden_size, init, forget_bias=forget_bias, layer_norm=layer_norm)

    def __init__(self, input_size, hidden_size, name=None, layer_norm=False):
        super().__init__(name=name or self.name_in_registry)
        if input_size <= 0 or hidden_size <= 0:
            raise ValueError("input and hidden sizes must be positive")
        if layer_norm and not self.layer_norm_form:
            raise layer_norm_refusal(self.name)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.layer_norm = layer_norm

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
        """``inputs @ kernel + bias`` for inputs of shape ``[..., input_size]`` (one step or a whole window), or
        what ``complete_projection`` makes of ``inputs @ kernel`` and ``bias``."""
        kernel, bias = self.input_projection()
        leading = tf.shape(inputs)[:-1]
        flat = tf.reshape(inputs, [-1, self.input_size])
        projected = self.complete_projection(tf.matmul(flat, kernel), bias)
        return tf.reshape(projected, tf.concat([leading, [tf.shape(kernel)[1]]], axis=0))

    def complete_projection(self, product, bias):
        """The x-only terms from ``x_t W`` (``[N, P]``, N steps and batch rows) and ``b``: ``x_t W + b``."""
        return product + bias

    def step_with_internals(self, projected_inputs, state):
        """One step of the recurrence: ``(h_t, state_t, Internals)``."""
        raise NotImplementedError

    def step(self, projected_inputs, state):
        """One step of the recurrence: ``(h_t, state_t)``. The internals it drops are tensors the step computes
        anyway (gates, the cell): a traced training step has the same operations as before cells reported them."""
        output, state, _ = self.step_with_internals(projected_inputs, state)
        return output, state

    def __call__(self, inputs, state):
        return self.step(self.project_inputs(inputs), state)

    @property
    def parameter_count(self):
        return int(sum(np.prod(v.shape) for v in self.trainable_variables))


class AffineRecurrence:
    """Mixin (listed before the cell's base class) for cells whose previous output ``h_{t-1}`` reaches the
    pre-activations only through matrices. The projected inputs ``p_t`` split into ``G`` blocks, one per
    recurrent matrix of ``R = [R_1 | ... | R_G]``::

        a_t = p_t + h_{t-1} R                  (one matmul per block: measured faster than one fused matmul)
        h_t, s_t = activate(a_t, s_{t-1})      (the rest of the equations: gates, nonlinearities, peepholes)

    The split is what lets ``rnncli.unroll.window_unroll`` compute ``∂L/∂R = Σ_t h_{t-1}ᵀ ∂L/∂a_t`` in a few
    large matmuls per window instead of one thin matmul per step.

    Inside ``dropping(masks)`` (a training window with ``--state-dropout`` or ``--weight-drop``) the recurrence
    reads ``a_t = p_t + (h_{t-1} ⊙ m) (R ⊙ M)`` with the window's ``RecurrentMasks``.
    """

    #: The ``RecurrentMasks`` of the window being unrolled inside ``dropping``, else ``NO_MASKS``.
    masks = NO_MASKS

    @property
    def affine_recurrence(self):
        """Itself, or None when layer-normalised: ``LN(h_{t-1} R)`` is not affine in ``h_{t-1}``."""
        return None if self.layer_norm else self

    @contextlib.contextmanager
    def dropping(self, masks):
        """Unroll with ``masks`` (traced into the window's graph; the weights are not changed)."""
        self.masks = masks
        try:
            yield
        finally:
            del self.masks

    def recurrent_kernels(self):
        """``[R_1, ..., R_G]``, each ``[H, width of block g]``, in projection order."""
        raise NotImplementedError

    def activate_with_internals(self, preactivations, state):
        """``(h_t, state_t, Internals)`` from the blocks ``[a_1, ..., a_G]`` of ``a_t`` and ``state_{t-1}``."""
        raise NotImplementedError

    def activate(self, preactivations, state):
        """``(h_t, state_t)`` from the blocks ``[a_1, ..., a_G]`` of ``a_t`` and ``state_{t-1}``."""
        output, state, _ = self.activate_with_internals(preactivations, state)
        return output, state

    def preactivations(self, projected_blocks, hidden):
        """The blocks of ``a_t = p_t + h_{t-1} R`` from the blocks of ``p_t`` (masked inside ``dropping``)."""
        masks = self.masks
        return affine_preactivations(projected_blocks, masks.on_state(hidden),
                                     masks.on_kernels(self.recurrent_kernels()))

    def step_with_internals(self, projected_inputs, state):
        blocks = tf.split(projected_inputs, len(self.recurrent_kernels()), axis=-1)
        return self.activate_with_internals(self.preactivations(blocks, state.hidden), state)


class LayerNormTerms:
    """Mixin (listed before the cell's base class) for cells whose pre-activations sum x-terms ``x_t W_k``,
    recurrent terms ``v R_k`` (``v`` is ``h_{t-1}`` or made from it) and biases ``b_k``, their weights in the
    dicts ``W``, ``R`` and ``b`` by term name. A layer-normalised cell (``layer_norm``, Ba et al. 2016,
    ``rnncli.cells.layer_norm``) normalises each term on its own over its H features::

        a_k = LN(x_t W_k; α_k) + LN(v R_k; α'_k) + b_k

    Ba et al. give both LNs a shift too; the shifts would only add to ``b_k``, so there are none. The gains
    start at 1. ``project_inputs`` computes ``LN(x_t W_k; α_k) + b_k`` for a whole window at once.
    """

    def create_layer_norm_gains(self, input_terms, recurrent_terms):
        """``gain_W``, ``{k: α_k}`` for ``input_terms`` in projection order, and ``gain_R``, ``{k: α'_k}``."""
        self.gain_W = {k: weight(np.ones(self.hidden_size), f"gain_W_{k}") for k in input_terms}
        self.gain_R = {k: weight(np.ones(self.hidden_size), f"gain_R_{k}") for k in recurrent_terms}

    def complete_projection(self, product, bias):
        """``LN(x_t W_k; α_k) + b_k`` for every H-wide block k of ``product`` when layer-normalised."""
        if not self.layer_norm:
            return super().complete_projection(product, bias)
        return layer_norm_blocks(product, tf.concat(list(self.gain_W.values()), axis=0), bias, self.hidden_size)

    def recurrent_term(self, term, inputs):
        """``inputs R_term``, or ``LN(inputs R_term; α'_term)`` when layer-normalised."""
        product = tf.matmul(inputs, self.R[term])
        return layer_norm(product, self.gain_R[term]) if self.layer_norm else product


def affine_preactivations(projected_blocks, read, kernels):
    """``[p_g + v K_g]``: the blocks of ``a_t`` from those of ``p_t``, the state read ``v`` and the blocks ``K_g``
    of the recurrent matrix."""
    return [block + tf.matmul(read, kernel) for block, kernel in zip(projected_blocks, kernels)]


def weight(value, name):
    """A trainable float32 ``tf.Variable`` from a NumPy initial value."""
    return tf.Variable(np.asarray(value, dtype=np.float32), name=name)
