"""Unrolling a cell over a time-major window, separate from the cells themselves (as Sonnet's unrolls).

Every unroll first computes every step's x-only terms with one matmul (``cell.project_inputs`` over the
whole ``[T, B, input]`` window), then run the recurrence:

- ``static_unroll``: a Python loop over ``tf.unstack`` of the projection, traced once by ``tf.function``.
  Time-major ``unstack`` matters: slicing ``x[:, t]`` of a batch-major tensor makes every step's gradient
  a dense ``[B, T, ·]`` tensor (O(T²) work, field-notes B2).
- ``dynamic_unroll``: a ``tf.while_loop`` over TensorArrays (graph size independent of T; the seed-003
  way, and the one XLA compiles in seconds).
- ``window_unroll``: the static loop with a backward pass of its own for cells with an affine recurrence
  (``rnncli.cells.base.AffineRecurrence``): the recurrent weight gradient is a few large matmuls per window.

``recording_unroll`` is the dynamic loop that also keeps every step's internals (gates, the LSTM's cell) for
``rnncli inspect``; training never runs it, so keeping them costs training nothing.
"""

from rnncli.cells.base import affine_preactivations
from rnncli.tensorflow_quiet import tf
from rnncli.unroll_modes import concrete_mode

#: Steps per matmul of ``window_unroll``'s weight gradient: small enough that the matmuls of earlier chunks
#: run beside the sequential backward recurrence, large enough to be efficient (25 measured best at 512 units).
WEIGHT_GRADIENT_CHUNK = 25


def static_unroll(cell, inputs, state):
    """``(outputs [T, B, H], final_state)`` of ``cell`` over ``inputs [T, B, input]`` from ``state``."""
    outputs = []
    for projected_t in tf.unstack(cell.project_inputs(inputs)):
        output, state = cell.step(projected_t, state)
        outputs.append(output)
    return tf.stack(outputs), state


def recording_unroll(cell, inputs, state):
    """``(outputs [T, B, H], final_state, internals)``: as ``dynamic_unroll``, with the ``Internals`` that
    ``cell.step_with_internals`` reports, each value stacked over the window to ``[T, B, H]``. The first step
    runs before the loop: it gives the structure of the internals, one TensorArray per value."""
    projected = cell.project_inputs(inputs)
    steps = tf.shape(projected)[0]
    projected_steps = tf.TensorArray(projected.dtype, size=steps).unstack(projected)
    output, state, internals = cell.step_with_internals(projected_steps.read(0), state)
    arrays = tf.nest.map_structure(lambda first: tf.TensorArray(first.dtype, size=steps).write(0, first),
                                   (output, internals))

    def body(t, state, arrays):
        output, state, internals = cell.step_with_internals(projected_steps.read(t), state)
        return t + 1, state, tf.nest.map_structure(lambda array, value: array.write(t, value), arrays,
                                                   (output, internals))

    _, state, arrays = tf.while_loop(
        lambda t, *_: t < steps, body, (tf.constant(1), state, arrays), maximum_iterations=steps
    )
    outputs, internals = tf.nest.map_structure(lambda array: array.stack(), arrays)
    return outputs, state, internals


def dynamic_unroll(cell, inputs, state):
    """As ``static_unroll``, computed with a ``tf.while_loop``."""
    projected = cell.project_inputs(inputs)
    steps = tf.shape(projected)[0]
    projected_steps = tf.TensorArray(projected.dtype, size=steps).unstack(projected)
    outputs = tf.TensorArray(projected.dtype, size=steps)

    def body(t, state, outputs):
        output, state = cell.step(projected_steps.read(t), state)
        return t + 1, state, outputs.write(t, output)

    _, state, outputs = tf.while_loop(
        lambda t, *_: t < steps, body, (tf.constant(0), state, outputs), maximum_iterations=steps
    )
    return outputs.stack(), state


def window_unroll(core, inputs, state, chunk=WEIGHT_GRADIENT_CHUNK):
    """As ``static_unroll`` (to which it falls back for a core without ``affine_recurrence``), with the backward
    pass written out. Autodiff of the static loop computes, at every step, ``∂L/∂h_{t-1} = ∂L/∂a_t Rᵀ`` and a
    thin ``[H, B] x [B, 4H]`` matmul ``h_{t-1}ᵀ ∂L/∂a_t`` for the weights, then sums the T of them; on this CPU
    the thin matmuls and the transposed ``Rᵀ`` products ran at a fraction of the matmul peak. With a window's
    recurrent dropout masks (``m`` on the state, ``M`` on ``R``; both 1 without them) the forward pass reads
    ``a_t = p_t + v_t R̃`` with ``v_t = h_{t-1} ⊙ m`` and ``R̃ = R ⊙ M``, made once per window. Going back from
    ``t = T``::

        ∂L/∂a_t, ∂L/∂s_{t-1} += gradient of activate(a_t, s_{t-1})     (autodiff of the elementwise part,
                                                                           on a tape of the step's own)
        ∂L/∂h_{t-1} += (∂L/∂a_t R̃ᵀ) ⊙ m                                 (R̃ᵀ materialised once per window)
        ∂L/∂R = (Σ_chunks [v_t]ᵀ [∂L/∂a_t]) ⊙ M                         (one matmul per ``chunk`` steps)

    Weights read inside ``activate`` (peepholes, FGR's gate matrices, Jordan's output layer) get their
    gradients from the same per-step autodiff, summed over the window.
    """
    cell = getattr(core, "affine_recurrence", None)
    if cell is None:
        return static_unroll(core, inputs, state)
    hidden_index = state._fields.index("hidden")

    @tf.custom_gradient
    def recurrence(projected, *flat_state):
        kernels, masks = cell.recurrent_kernels(), cell.masks  # the masks of the window being traced
        read_kernels = masks.on_kernels(kernels)
        states = [tf.nest.pack_sequence_as(state, flat_state)]
        reads, preactivations, tapes = [], [], []
        # split into blocks once per window, not once per step
        for blocks in zip(*[tf.unstack(block) for block in tf.split(projected, len(kernels), axis=-1)]):
            reads.append(masks.on_state(states[-1].hidden))
            preactivations.append(affine_preactivations(blocks, reads[-1], read_kernels))
            tape = tf.GradientTape()
            with tape:
                tape.watch(preactivations[-1] + tf.nest.flatten(states[-1]))
                states.append(cell.activate(preactivations[-1], states[-1])[1])
            tapes.append(tape)
        outputs = tf.stack([s.hidden for s in states[1:]])

        def gradient(d_outputs, *d_final, variables=()):
            d_state = [tf.zeros_like(part) if d is None else d for part, d in zip(flat_state, d_final)]
            # a concat of transposes, not a transpose of the concat: Grappler folds a Transpose feeding a MatMul
            # into a transposed MatMul, the slow kind here
            kernels_transposed = tf.concat([tf.transpose(k) for k in read_kernels], axis=0)
            kernel_refs = [k.ref() for k in kernels]
            others = [v for v in variables if v.ref() not in kernel_refs]
            d_preactivations, d_others = [None] * len(preactivations), []
            d_outputs = tf.unstack(d_outputs)
            for t in reversed(range(len(preactivations))):
                d_state[hidden_index] += d_outputs[t]
                d_a, d_state, d_other = tapes[t].gradient(
                    tf.nest.flatten(states[t + 1]), [preactivations[t], tf.nest.flatten(states[t]), others],
                    output_gradients=d_state, unconnected_gradients=tf.UnconnectedGradients.ZERO)
                d_preactivations[t] = tf.concat(d_a, axis=-1)
                d_state[hidden_index] += masks.on_state(tf.matmul(d_preactivations[t], kernels_transposed))
                d_others.append(d_other)
            d_kernels = masks.on_kernels(tf.split(tf.add_n([
                tf.matmul(tf.concat(reads[first:first + chunk], axis=0),
                          tf.concat(d_preactivations[first:first + chunk], axis=0), transpose_a=True)
                for first in range(0, len(preactivations), chunk)]), len(kernels), axis=1))
            by_ref = dict(zip(kernel_refs, d_kernels))
            by_ref.update((v.ref(), tf.add_n(list(g))) for v, g in zip(others, zip(*d_others)))
            return [tf.stack(d_preactivations)] + d_state, [by_ref.get(v.ref()) for v in variables]

        return [outputs] + tf.nest.flatten(states[-1]), gradient

    outputs, *final = recurrence(core.project_inputs(inputs), *tf.nest.flatten(state))
    return outputs, tf.nest.pack_sequence_as(state, final)


def unroll(mode, hidden_size):
    """The unroll function named by ``--unroll-mode`` for layers of ``hidden_size`` units."""
    return {"static": static_unroll, "dynamic": dynamic_unroll, "window": window_unroll}[
        concrete_mode(mode, hidden_size)]
