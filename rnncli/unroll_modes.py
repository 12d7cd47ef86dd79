"""The names ``--unroll-mode`` takes, without TensorFlow (the command line lists them before it loads)."""

UNROLL_MODES = ("auto", "static", "dynamic", "window")

#: ``auto`` picks ``window`` from this many units per layer, ``static`` below: ``window`` ran 1.5x faster at
#: 512 units, level with ``static`` (within 10% either way) from 128 to 384, 20% slower at 64
#: (``benchmarks/speed.py``, 2-core CPU).
WINDOW_FROM_HIDDEN = 512


def concrete_mode(mode, hidden_size):
    """``mode``, with ``auto`` resolved for layers of ``hidden_size`` units."""
    if mode == "auto":
        return "window" if hidden_size >= WINDOW_FROM_HIDDEN else "static"
    return mode
