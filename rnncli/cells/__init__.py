"""The cell family: the registry that ``--cell NAME`` looks names up in.

This module imports no TensorFlow, so the command line can list the names before TensorFlow loads.
"""

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class CellEntry:
    name: str
    family: str
    paper: str
    module: str
    class_name: str
    aliases: tuple = ()


GREFF = "Greff et al. 2015, LSTM: A Search Space Odyssey"
JOZEFOWICZ = "Jozefowicz et al. 2015, An Empirical Exploration of Recurrent Network Architectures"
RNN_MODULE, GRU_MODULE, LSTM_MODULE = "rnncli.cells.rnn", "rnncli.cells.gru", "rnncli.cells.lstm"

REGISTRY = {
    entry.name: entry
    for entry in [
        CellEntry("rnn", "rnn", "Elman 1990, Finding Structure in Time", RNN_MODULE, "ElmanRNN"),
        CellEntry("irnn", "rnn", "Le et al. 2015, A Simple Way to Initialize Recurrent Networks of Rectified "
                  "Linear Units", RNN_MODULE, "IRNN"),
        CellEntry("jordan", "rnn", "Jordan 1986, Serial Order (the RecurrentArchitectures seed's vanillaRNN)",
                  RNN_MODULE, "JordanRNN"),
        CellEntry("gru", "gru", "Cho et al. 2014, as written by " + JOZEFOWICZ, GRU_MODULE, "GRU"),
        CellEntry("mut1", "gru", JOZEFOWICZ + " (MUT1)", GRU_MODULE, "MUT1", aliases=("jzs1",)),
        CellEntry("mut2", "gru", JOZEFOWICZ + " (MUT2)", GRU_MODULE, "MUT2", aliases=("jzs2",)),
        CellEntry("mut3", "gru", JOZEFOWICZ + " (MUT3)", GRU_MODULE, "MUT3", aliases=("jzs3",)),
        CellEntry("lstm", "lstm", GREFF + " (vanilla, peepholes)", LSTM_MODULE, "LSTM"),
        CellEntry("nig", "lstm", GREFF + " (no input gate)", LSTM_MODULE, "LSTM"),
        CellEntry("nfg", "lstm", GREFF + " (no forget gate)", LSTM_MODULE, "LSTM"),
        CellEntry("nog", "lstm", GREFF + " (no output gate)", LSTM_MODULE, "LSTM"),
        CellEntry("niaf", "lstm", GREFF + " (no input activation)", LSTM_MODULE, "LSTM"),
        CellEntry("noaf", "lstm", GREFF + " (no output activation)", LSTM_MODULE, "LSTM"),
        CellEntry("np", "lstm", GREFF + " (no peepholes; the Udacity cell)", LSTM_MODULE, "LSTM"),
        CellEntry("cifg", "lstm", GREFF + " (coupled input and forget gate)", LSTM_MODULE, "LSTM"),
        CellEntry("fgr", "lstm", GREFF + " (full gate recurrence)", LSTM_MODULE, "LSTM"),
    ]
}

ALIASES = {alias: entry.name for entry in REGISTRY.values() for alias in entry.aliases}

#: Every name ``--cell`` accepts: the registered names, then the aliases.
CELL_NAMES = tuple(REGISTRY) + tuple(ALIASES)


def lookup(name):
    """The ``CellEntry`` of a registered name or alias; raises ``KeyError`` for an unknown name."""
    return REGISTRY[ALIASES.get(name, name)]


def cell_class(name):
    """The class that builds the cell ``name`` (imports TensorFlow)."""
    entry = lookup(name)
    return getattr(importlib.import_module(entry.module), entry.class_name)


def make_cell(name, input_size, hidden_size, init, forget_bias=0.0):
    """Build the cell registered as ``name`` (or an alias); raises ``KeyError`` for an unknown name."""
    return cell_class(name).build(lookup(name).name, input_size, hidden_size, init, forget_bias)


def parameter_count(name, input_size, hidden_size):
    """Trainable parameters of one layer of the cell ``name``: it builds the cell, so the count is the code's."""
    from rnncli.cells.initializers import WeightInit

    return make_cell(name, input_size, hidden_size, WeightInit("uniform")).parameter_count
