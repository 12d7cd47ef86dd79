"""How often each gate unit is saturated, after Karpathy, Johnson and Fei-Fei 2015 ("Visualizing and
Understanding Recurrent Networks", figure 3). For a gate ``g_t`` of one unit over ``T`` steps::

    left  = (1 / T) · #{t : g_t < 0.1}        the fraction of time the gate is (nearly) closed
    right = (1 / T) · #{t : g_t > 0.9}        the fraction of time it is (nearly) open

On the scatter of ``(left, right)`` a unit near the top left is almost always open (a forget gate there
keeps its cell: long memory), one near the bottom right almost always closed, one on the anti-diagonal
``left + right = 1`` switches between the two, one near the origin stays in between.
"""

import numpy as np

LEFT, RIGHT = 0.1, 0.9
#: A unit that spends more than this fraction of the time on one side "mostly" is open or closed.
MOSTLY = 0.5


def saturation(gate):
    """``(left [H], right [H])``: the fractions of the ``T`` steps of ``gate [T, H]`` below ``LEFT`` and above
    ``RIGHT``."""
    gate = np.asarray(gate)
    return (gate < LEFT).mean(axis=0), (gate > RIGHT).mean(axis=0)


def reading(name, left, right):
    """One line that says where the cloud of gate ``name`` lies."""
    units = len(left)
    mostly_open, mostly_closed = int((right > MOSTLY).sum()), int((left > MOSTLY).sum())
    in_between = int(((left < LEFT) & (right < LEFT)).sum())
    return (f"{name}: {mostly_open} of {units} units open (> {RIGHT}) most of the time, {mostly_closed} closed "
            f"(< {LEFT}) most of the time, {in_between} almost never saturated (under {LEFT:.0%} each way); "
            f"mean fraction open {right.mean():.2f}, closed {left.mean():.2f}.")
