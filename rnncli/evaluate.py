"""Perplexity and bits per character of a whole id stream, in batched streams with carried state.

The ``N - 1`` (input, label) pairs of ``ids`` are laid out as ``rows`` contiguous streams, each padded to
a whole number of windows; padded positions weigh zero, so every label counts exactly once::

    nll = (1 / (N - 1)) Σ_t -log p(s_{t+1} | s_{<=t}),   perplexity = exp(nll),   bpc = nll / ln 2
"""

import math
from dataclasses import dataclass

import numpy as np

from rnncli.errors import UsageProblem
from rnncli.report import perplexity
from rnncli.tensorflow_quiet import tf

EVAL_WINDOW = 50
#: A stream shorter than this loses more context at its start than batching gains.
MIN_STREAM_CHARACTERS = 2000


@dataclass
class Evaluation:
    nll: float
    characters: int

    @property
    def perplexity(self):
        return perplexity(self.nll)

    @property
    def bpc(self):
        return self.nll / math.log(2)


def stream_layout(ids, max_rows, window=EVAL_WINDOW):
    """``(inputs, labels, weights)``, each ``[windows, rows, window]``, covering every pair of ``ids``."""
    pairs = len(ids) - 1
    rows = int(np.clip(pairs // MIN_STREAM_CHARACTERS, 1, max_rows))
    row_length = -(-pairs // rows)
    row_length = -(-row_length // window) * window
    padded = rows * row_length
    inputs = np.zeros(padded, dtype=np.int32)
    labels = np.zeros(padded, dtype=np.int32)
    weights = np.zeros(padded, dtype=np.float32)
    inputs[:pairs], labels[:pairs], weights[:pairs] = ids[:-1], ids[1:], 1.0

    def windows(a):
        return a.reshape(rows, row_length // window, window).transpose(1, 0, 2)

    return windows(inputs), windows(labels), windows(weights)


class Evaluator:
    """Evaluates a model; one traced graph serves every call with the same number of rows."""

    def __init__(self, model, max_rows=32, jit_compile=None):
        self.model = model
        self.max_rows = max_rows

        @tf.function(jit_compile=jit_compile)
        def window_nll(inputs, labels, weights, states):
            logits, states = model(tf.transpose(inputs), states)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.transpose(labels), logits)
            return tf.reduce_sum(losses * tf.transpose(weights)), states

        self._window_nll = window_nll

    def __call__(self, ids):
        inputs, labels, weights = stream_layout(ids, self.max_rows)
        states = self.model.initial_states(inputs.shape[1])
        total = 0.0
        for window in range(inputs.shape[0]):
            nll, states = self._window_nll(inputs[window], labels[window], weights[window], states)
            total += float(nll)
        characters = len(ids) - 1
        return Evaluation(total / characters, characters)


def text_ids(run, config, vocabulary, corpus=None, data_dir=None, encoding=None, normalize=None, console=None):
    """``(ids, unknown, label)`` of ``--corpus`` under a trained run (read with the run's options unless
    ``encoding`` or ``normalize`` say otherwise), or of the run's own validation split when ``corpus`` is None;
    ``label`` names the text for a person. Refuses a text of fewer than two symbols."""
    from rnncli.data.corpus import load_corpus, load_ids
    from rnncli.data.spec import CorpusSpec

    if corpus is None:
        spec = CorpusSpec.of(config, corpus=run.corpus_source(config.corpus), data_dir=data_dir or config.data_dir)
        split = load_corpus(spec, console)[0]
        if split.vocabulary.symbols != vocabulary.symbols:
            raise UsageProblem(f"{config.corpus} no longer gives the run's vocabulary; evaluate with --corpus")
        ids, unknown, label = split.valid, split.unknown_in_valid, f"{config.corpus} (validation split)"
    else:
        spec = CorpusSpec.of(config, corpus=corpus, data_dir=data_dir, encoding=encoding or config.encoding,
                             normalize=normalize or config.normalize, member=None)  # --member was the run's corpus's
        (ids, unknown), label = load_ids(spec, vocabulary, console), corpus
    if len(ids) < 2:
        raise UsageProblem(f"--corpus {label}: fewer than two {vocabulary.unit}s of the run's vocabulary")
    return ids, unknown, label


def evaluate_run(run_dir, corpus=None, data_dir=None, encoding=None, normalize=None, console=None,
                 checkpoint="latest"):
    """The run in ``run_dir`` at ``checkpoint`` evaluated on ``--corpus`` (see ``text_ids``), or on its own
    validation split when ``corpus`` is None. Returns the summary that ``rnncli eval`` prints."""
    from rnncli.restore import load_trained

    run, config, vocabulary, model = load_trained(run_dir, checkpoint)
    ids, unknown, text = text_ids(run, config, vocabulary, corpus, data_dir, encoding, normalize, console)
    result = Evaluator(model, config.eval_batch_size)(ids)
    bits = "bpc" if vocabulary.level == "char" else "bits_per_word"
    return {"text": text, "checkpoint": checkpoint, "unit": vocabulary.unit, "perplexity": result.perplexity,
            bits: result.bpc, "bits_per_symbol": result.bpc, f"{vocabulary.unit}s": result.characters,
            "symbols": result.characters, "unknown": unknown,
            "unknown_as": "<unk>" if vocabulary.has_unknown else "skipped"}
