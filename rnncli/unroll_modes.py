"""The names ``--unroll-mode`` takes, without TensorFlow (the command line lists them before it loads)."""

UNROLL_MODES = ("auto", "static", "dynamic", "window")

#: ``auto`` picks ``window`` from this many units per layer, ``static`` below: ``window`` ran 1.5x faster at
#: 512 units, level with ``static`` (within 10% either way) from 128 to 384, 20% slower at 64
#: (``benchmarks/speed.py``'s one-hot models, 2-core CPU). Where the first layer projects the vocabulary's table
#: instead of the window (``rnncli.models.symbol_window``: a small vocabulary without per-position input dropout),
#: the recurrence is more of a step: ``--preset cpu-long`` trained 8% faster with ``window`` at 448 units
#: (three 70-second runs each: 20.4-21.1k characters a second against 18.3-19.8k), 15% at 384 (27.6k against
#: 24.1k), and level at 256 (39.7k against 39.5k).
WINDOW_FROM_HIDDEN = 384


def concrete_mode(mode, hidden_size):
    """``mode``, with ``auto`` resolved for layers of ``hidden_size`` units."""
    if mode == "auto":
        return "window" if hidden_size >= WINDOW_FROM_HIDDEN else "static"
    return mode
