"""Unrolling a cell over a time-major window, separate from the cells themselves (as Sonnet's unrolls).

Both unrolls first compute every step's x-only terms with one matmul (``cell.project_inputs`` over the
whole ``[T, B, input]`` window), then run the recurrence:

- ``static_unroll``: a Python loop over ``tf.unstack`` of the projection, traced once by ``tf.function``.
  Time-major ``unstack`` matters: slicing ``x[:, t]`` of a batch-major tensor makes every step's gradient
  a dense ``[B, T, ·]`` tensor (O(T²) work, field-notes B2).
- ``dynamic_unroll``: a ``tf.while_loop`` over TensorArrays (graph size independent of T; the seed-003
  way, and the one XLA compiles in seconds).
"""

from rnncli.tensorflow_quiet import tf

UNROLL_MODES = ("static", "dynamic")


def static_unroll(cell, inputs, state):
    """``(outputs [T, B, H], final_state)`` of ``cell`` over ``inputs [T, B, input]`` from ``state``."""
    outputs = []
    for projected_t in tf.unstack(cell.project_inputs(inputs)):
        output, state = cell.step(projected_t, state)
        outputs.append(output)
    return tf.stack(outputs), state


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


def unroll(mode):
    """The unroll function named by ``--unroll-mode``."""
    return {"static": static_unroll, "dynamic": dynamic_unroll}[mode]
