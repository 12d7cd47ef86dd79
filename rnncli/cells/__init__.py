"""The cell family: the registry that ``--cell NAME`` looks names up in.

This module imports no TensorFlow, so the command line can list the names, count parameters and show the
equations before TensorFlow loads (``tests/cells/test_family.py`` checks every count against the built cell).
"""

import ast
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CellEntry:
    name: str
    family: str
    paper: str
    module: str
    class_name: str
    #: Trainable parameters of one layer, ``(input, H) -> count``, as the class docstring gives them.
    parameters: Callable[[int, int], int]
    aliases: tuple = ()
    #: What ``--layer-norm`` adds to ``parameters``, ``(input, H) -> count``; None for a cell without a
    #: layer-normalised form.
    layer_norm_parameters: Callable[[int, int], int] | None = None


def _blocks(count, peepholes=0, gate_recurrence=0):
    """``count`` blocks of ``input·H + H² + H`` (input matrix, recurrent matrix, bias), peephole vectors of H and
    ``H x H`` gate-recurrence matrices."""
    return lambda n, h: count * (n * h + h * h + h) + peepholes * h + gate_recurrence * h * h


def _mutant(recurrent_matrices):
    """MUT1 and MUT2: ``2·input·H + R·H² + 3H``, plus the ``input·H`` projection of ``x_t`` when ``input ≠ H``."""
    return lambda n, h: 2 * n * h + recurrent_matrices * h * h + 3 * h + (n * h if n != h else 0)


def _layer_norm(vectors):
    """``--layer-norm``'s gains and shifts: ``vectors`` vectors of H."""
    return lambda n, h: vectors * h


GREFF = "Greff et al. 2015, LSTM: A Search Space Odyssey"
JOZEFOWICZ = "Jozefowicz et al. 2015, An Empirical Exploration of Recurrent Network Architectures"
RNN_MODULE, GRU_MODULE, LSTM_MODULE = "rnncli.cells.rnn", "rnncli.cells.gru", "rnncli.cells.lstm"
#: Layer-normalised GRU and MUT3: gains of the x-terms and the recurrent terms of r, z and h̃.
GATED_LAYER_NORM = _layer_norm(6)


def _lstm(name, variant, blocks, peepholes, gate_recurrence=0):
    """A variant of the LSTM class keeping ``blocks`` of z, i, f, o. Layer-normalised, each block has a gain
    for its x-term and one for its recurrent term, and the cell a gain and a shift: ``(2·blocks + 2)H``."""
    return CellEntry(name, "lstm", f"{GREFF} ({variant})", LSTM_MODULE, "LSTM",
                     _blocks(blocks, peepholes, gate_recurrence), layer_norm_parameters=_layer_norm(2 * blocks + 2))


REGISTRY = {
    entry.name: entry
    for entry in [
        CellEntry("rnn", "rnn", "Elman 1990, Finding Structure in Time", RNN_MODULE, "ElmanRNN", _blocks(1)),
        CellEntry("irnn", "rnn", "Le et al. 2015, A Simple Way to Initialize Recurrent Networks of Rectified "
                  "Linear Units", RNN_MODULE, "IRNN", _blocks(1)),
        CellEntry("jordan", "rnn", "Jordan 1986, Serial Order (the RecurrentArchitectures seed's vanillaRNN)",
                  RNN_MODULE, "JordanRNN",
                  lambda n, h: n * h + 2 * h * h + 2 * h),
        CellEntry("gru", "gru", "Cho et al. 2014, as written by " + JOZEFOWICZ, GRU_MODULE, "GRU", _blocks(3),
                  layer_norm_parameters=GATED_LAYER_NORM),
        CellEntry("mut1", "gru", JOZEFOWICZ + " (MUT1)", GRU_MODULE, "MUT1", _mutant(2), aliases=("jzs1",)),
        CellEntry("mut2", "gru", JOZEFOWICZ + " (MUT2)", GRU_MODULE, "MUT2", _mutant(3), aliases=("jzs2",)),
        CellEntry("mut3", "gru", JOZEFOWICZ + " (MUT3)", GRU_MODULE, "MUT3", _blocks(3), aliases=("jzs3",),
                  layer_norm_parameters=GATED_LAYER_NORM),
        _lstm("lstm", "vanilla, peepholes", 4, 3),
        _lstm("nig", "no input gate", 3, 2),
        _lstm("nfg", "no forget gate", 3, 2),
        _lstm("nog", "no output gate", 3, 2),
        _lstm("niaf", "no input activation", 4, 3),
        _lstm("noaf", "no output activation", 4, 3),
        _lstm("np", "no peepholes; the Udacity cell", 4, 0),
        _lstm("cifg", "coupled input and forget gate", 3, 2),
        _lstm("fgr", "full gate recurrence", 4, 3, 9),
    ]
}

ALIASES = {alias: entry.name for entry in REGISTRY.values() for alias in entry.aliases}

#: Every name ``--cell`` accepts: the registered names, then the aliases.
CELL_NAMES = tuple(REGISTRY) + tuple(ALIASES)

#: The cells with a layer-normalised form (``--layer-norm``), registered names.
LAYER_NORM_CELLS = tuple(name for name, entry in REGISTRY.items() if entry.layer_norm_parameters is not None)
#: The cells whose recurrence is affine, ``a_t = p_t + h_{t-1} R`` (``rnncli.cells.base.AffineRecurrence``):
#: what ``--state-dropout`` and ``--weight-drop`` mask.
AFFINE_RECURRENCE_CELLS = tuple(name for name, entry in REGISTRY.items() if entry.family in ("rnn", "lstm"))


def lookup(name):
    """The ``CellEntry`` of a registered name or alias; raises ``KeyError`` for an unknown name."""
    return REGISTRY[ALIASES.get(name, name)]


def cell_class(name):
    """The class that builds the cell ``name`` (imports TensorFlow)."""
    entry = lookup(name)
    return getattr(importlib.import_module(entry.module), entry.class_name)


def make_cell(name, input_size, hidden_size, init, forget_bias=0.0, layer_norm=False):
    """Build the cell registered as ``name`` (or an alias), layer-normalised for ``layer_norm``; raises
    ``KeyError`` for an unknown name and ``layer_norm_refusal``'s ``ValueError`` for ``layer_norm`` with a cell
    not in ``LAYER_NORM_CELLS``."""
    return cell_class(name).build(lookup(name).name, input_size, hidden_size, init, forget_bias, layer_norm)


def layer_norm_refusal(name):
    """The ``ValueError`` for a layer-normalised cell ``name`` that has no such form."""
    return ValueError(f"cell {name!r} has no layer-normalised form (--layer-norm); "
                      f"the cells with one are {', '.join(LAYER_NORM_CELLS)}")


def parameter_count(name, input_size, hidden_size, layer_norm=False):
    """Trainable parameters of one layer of the cell ``name``, layer-normalised for ``layer_norm`` (raising
    ``layer_norm_refusal``'s ``ValueError`` for a cell without that form)."""
    entry = lookup(name)
    count = entry.parameters(input_size, hidden_size)
    if not layer_norm:
        return count
    if entry.layer_norm_parameters is None:
        raise layer_norm_refusal(entry.name)
    return count + entry.layer_norm_parameters(input_size, hidden_size)


def equations(name):
    """The docstring of the class that builds ``name``: its equations, read from the source without importing
    the module (which would import TensorFlow)."""
    entry = lookup(name)
    tree = ast.parse(open(importlib.util.find_spec(entry.module).origin, encoding="utf-8").read())
    return next(ast.get_docstring(node) for node in tree.body
                if isinstance(node, ast.ClassDef) and node.name == entry.class_name)
