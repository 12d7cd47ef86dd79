"""The cell family and the registry that ``--cell NAME`` looks names up in."""

from rnncli.cells.initializers import SCHEMES, WeightInit
from rnncli.cells.lstm import LSTM, VARIANTS as LSTM_VARIANTS

CELL_NAMES = tuple(LSTM_VARIANTS)


def make_cell(name, input_size, hidden_size, init, forget_bias=0.0):
    """Build the cell registered as ``name``; raises ``KeyError`` for an unknown name."""
    if name in LSTM_VARIANTS:
        return LSTM(input_size, hidden_size, init, variant=name, forget_bias=forget_bias)
    raise KeyError(name)


__all__ = ["CELL_NAMES", "SCHEMES", "WeightInit", "make_cell"]
