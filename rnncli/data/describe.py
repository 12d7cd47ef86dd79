"""What a corpus looks like to a model: its size, vocabulary, most and least frequent symbols, splits, and the
symbols of each split outside the vocabulary (``rnncli datasets info``)."""

import dataclasses

import numpy as np

from rnncli.data.corpus import SPLITS
from rnncli.data.symbols import id_counts


def describe_corpus(corpus, spec, top=10):
    """A JSON-ready summary of ``corpus`` (made by ``spec``, resolved) with ``top`` symbols at each end."""
    vocabulary = corpus.vocabulary
    counts = id_counts(corpus.train, len(vocabulary))
    order = np.argsort(-counts, kind="stable")
    ranked = [[vocabulary.symbols[i], int(counts[i])] for i in order if counts[i] > 0]
    splits = {split: len(getattr(corpus, split)) for split in SPLITS}
    return {
        **dataclasses.asdict(spec),
        "characters": corpus.characters,
        "symbols": sum(splits.values()),
        "unit": vocabulary.unit,
        "vocab_size": len(vocabulary),
        "has_unknown": vocabulary.has_unknown,
        "most_frequent": ranked[:top],
        "least_frequent": ranked[::-1][:top],
        "splits": splits,
        "unknown": corpus.unknown,
    }
