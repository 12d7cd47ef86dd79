"""What a corpus looks like to a model: its size, vocabulary, most and least frequent symbols, splits, and the
symbols of each split outside the vocabulary (``rnncli datasets info``, and the start of a word-level run)."""

import dataclasses
import math

import numpy as np

from rnncli.data.corpus import SPLITS
from rnncli.data.symbols import id_counts


#: The share of ``<unk>`` in the training or validation words above which a run is warned: a model that sees
#: that many learns mostly to predict ``<unk>``.
UNKNOWN_WARNING_RATE = 0.05


def corpus_baselines(train_ids, vocab_size):
    """Losses a model must beat: uniform over the vocabulary, and the unigram (character frequency) model."""
    counts = id_counts(train_ids, vocab_size).astype(np.float64)
    frequencies = counts[counts > 0] / counts.sum()
    unigram = float(-(frequencies * np.log(frequencies)).sum())
    return {"uniform": math.log(vocab_size), "unigram": unigram}


def unknown_rates(corpus):
    """``{"train": share, "valid": share}`` of ``<unk>`` in a word-level corpus's splits; None for characters."""
    if corpus.vocabulary.level != "word":
        return None
    return {split: corpus.unknown[split] / max(len(getattr(corpus, split)), 1) for split in ("train", "valid")}


def unknown_rate_lines(corpus):
    """For a word-level corpus, the share of ``<unk>`` in its training and validation splits, and a warning when
    either is above ``UNKNOWN_WARNING_RATE``; nothing for characters."""
    vocabulary, rates = corpus.vocabulary, unknown_rates(corpus)
    if rates is None:
        return []
    lines = [f"<unk>: {rates['train']:.1%} of the training words, {rates['valid']:.1%} of the validation words "
             f"(vocabulary {len(vocabulary):,}, --tokenizer {vocabulary.tokenizer})"]
    if max(rates.values()) > UNKNOWN_WARNING_RATE:
        lines.append(f"warning: more than {UNKNOWN_WARNING_RATE:.0%} of the words are <unk>: samples will be full of "
                     "it; raise --vocab-size, or try --normalize lower" +
                     (" or --tokenizer words" if vocabulary.tokenizer == "whitespace" else ""))
    return lines


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
        "unknown_rate": unknown_rates(corpus),
    }
