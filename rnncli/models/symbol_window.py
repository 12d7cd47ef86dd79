"""A window of symbols held as their ids and the table of their input vectors, so that the first layer's input
projection costs one row per symbol of the vocabulary instead of one per position of the window.

With ids ``s [T, B]``, the input vectors ``x_t = E[s_t]`` (``E [V, w]``: the embedding, or the identity for
one-hot inputs) and any projection ``f`` that maps each row on its own (``x W + b``, layer-normalised or not)::

    f(x_t) = f(E)[s_t]

so ``f`` runs on the ``V`` rows of ``E`` and a gather spreads them over the window; its gradient flows back
through the gather as a sum over the positions of each symbol. That is ``V`` rows against ``T·B``: a character
model's vocabulary (27 to a few hundred) against 1,600 positions at batch 32 x 50, and a saving of most of the
projection's three matmuls (forward, input and weight gradients) when the embedding is wide. A word model's
vocabulary is usually the larger of the two (``table_pays``), and its window stays vectors.

Scaling the features (``scale_features``: a dropout mask shared by every position of the window) scales the
table's columns. A mask per position or per sequence needs the vectors themselves: ``vectors()``.
"""

from collections import namedtuple

from rnncli.tensorflow_quiet import tf


class SymbolWindow(namedtuple("SymbolWindow", ["ids", "table"])):
    """``ids [T, B]`` of symbols whose input vectors are the rows of ``table [V, w]``."""

    def vectors(self):
        """``x [T, B, w]``: the rows of the table the ids name."""
        return tf.gather(self.table, self.ids)

    def project(self, projection):
        """``projection`` (a row-wise map of ``[..., w]``) of every position's vector, through the table."""
        return tf.gather(projection(self.table), self.ids)


def table_pays(vocabulary_size, ids):
    """Whether a table of ``vocabulary_size`` rows is smaller than the window of ``ids`` (its shape known when
    the graph is traced): then the model hands the stack a ``SymbolWindow``, else the vectors themselves."""
    positions = ids.shape.num_elements()
    return positions is not None and vocabulary_size < positions


def vectors(window):
    """The input vectors of ``window``, a ``SymbolWindow`` or already a ``[T, B, w]`` tensor."""
    return window.vectors() if isinstance(window, SymbolWindow) else window


def scale_features(window, scale):
    """``window`` with feature ``k`` of every position multiplied by ``scale [w]``: a ``SymbolWindow``'s table
    columns, or a ``[T, B, w]`` tensor's last axis."""
    if isinstance(window, SymbolWindow):
        return window._replace(table=window.table * scale)
    return window * scale
