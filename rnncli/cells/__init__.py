"""The cell family: the registry that ``--cell NAME`` looks names up in.

This module imports no TensorFlow, so the command line can list the names before TensorFlow loads.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CellEntry:
    name: str
    family: str
    paper: str
    module: str


GREFF = "Greff et al. 2015, LSTM: A Search Space Odyssey"

REGISTRY = {
    entry.name: entry
    for entry in [
        CellEntry("lstm", "lstm", GREFF + " (vanilla, peepholes)", "rnncli.cells.lstm"),
        CellEntry("nig", "lstm", GREFF + " (no input gate)", "rnncli.cells.lstm"),
        CellEntry("nfg", "lstm", GREFF + " (no forget gate)", "rnncli.cells.lstm"),
        CellEntry("nog", "lstm", GREFF + " (no output gate)", "rnncli.cells.lstm"),
        CellEntry("niaf", "lstm", GREFF + " (no input activation)", "rnncli.cells.lstm"),
        CellEntry("noaf", "lstm", GREFF + " (no output activation)", "rnncli.cells.lstm"),
        CellEntry("np", "lstm", GREFF + " (no peepholes; the Udacity cell)", "rnncli.cells.lstm"),
        CellEntry("cifg", "lstm", GREFF + " (coupled input and forget gate)", "rnncli.cells.lstm"),
        CellEntry("fgr", "lstm", GREFF + " (full gate recurrence)", "rnncli.cells.lstm"),
    ]
}

CELL_NAMES = tuple(REGISTRY)


def make_cell(name, input_size, hidden_size, init, forget_bias=0.0):
    """Build the cell registered as ``name``; raises ``KeyError`` for an unknown name."""
    entry = REGISTRY[name]
    if entry.module == "rnncli.cells.lstm":
        from rnncli.cells.lstm import LSTM

        return LSTM(input_size, hidden_size, init, variant=name, forget_bias=forget_bias)
    raise KeyError(name)
