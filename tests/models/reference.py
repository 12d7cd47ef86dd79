"""The stack's equations (rnncli.models.stack and rnncli.models.cores) in NumPy, one time step at a time: time in
the outer loop and layers in the inner one, where the implementation runs each layer over a whole window. The
cells are checked against their own equations in tests/cells; here each is a black box, called for one step on
its widened input. Every state starts at zero."""

import numpy as np

from rnncli.tensorflow_quiet import tf


def cell_step(cell, inputs, state):
    """``(h, new_state)`` of the cell's own one-step call, in NumPy."""
    output, new = cell(tf.constant(inputs, tf.float32), type(state)(*[tf.constant(part, tf.float32) for part in state]))
    return output.numpy(), type(state)(*[part.numpy() for part in new])


def window_widths(cells, options):
    """Width of each layer's window input ``u^i``: the cell's input less the time skip's columns."""
    skip_width = cells[0].hidden_size if options.time_skip else 0
    return [cell.input_size - skip_width for cell in cells]


def numpy_stack(cells, options, xs, masks=None):
    """``(outputs [T, B, H], trajectories)`` of a stack over ``xs [T, B, input]`` from zero states; ``masks``:
    per layer ``[T, B, w_i]`` then the output's ``[T, B, H]``, already scaled by 1 / (1 - p)."""
    steps, batch, _ = xs.shape
    hidden = cells[0].hidden_size
    alpha, skip, lag = options.state_averaging, options.time_skip, options.layer_skip + 1
    zero = np.zeros((batch, hidden))
    states = [[type(s)(*[np.zeros(part.shape) for part in s])] for s in (c.initial_state(batch) for c in cells)]
    outputs = [[] for _ in cells]  # outputs[i][t] = h^i_t
    top = []
    for t in range(steps):
        x, received = xs[t], []
        for i, cell in enumerate(cells):
            parts = [x]
            if options.vertical != "none" and i - lag >= 0:
                if options.vertical in ("input", "both"):
                    parts.append(received[i - lag])
                if options.vertical in ("hidden", "both"):
                    parts.append(outputs[i - lag][t - 1] if t > 0 else zero)
            u = np.concatenate(parts, axis=-1)
            if masks is not None:
                u = u * masks[i][t]
            if skip:
                u = np.concatenate([u, outputs[i][t - skip] if t >= skip else zero], axis=-1)
            history = states[i]
            fed = history[-1]
            if alpha:
                mean = type(fed)(*[np.mean(parts_so_far, axis=0) for parts_so_far in zip(*history)])
                fed = type(fed)(*[(1 - alpha) * last + alpha * m for last, m in zip(history[-1], mean)])
            h, state = cell_step(cell, u, fed)
            history.append(state)
            outputs[i].append(h)
            received.append(x)
            x = h + x if options.residual and i > 0 else h
        top.append(x if masks is None else x * masks[-1][t])
    trajectories = [np.stack([zero] + layer_outputs) for layer_outputs in outputs]
    return np.stack(top), trajectories
