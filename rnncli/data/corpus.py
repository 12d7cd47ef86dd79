"""From a corpus source to a vocabulary and contiguous train / validation / test id arrays.

Splits are contiguous runs of symbols (characters or words): train | valid | test, or valid | train | test
with ``valid_position="start"`` (the Udacity notebook's first 1000 characters). A corpus published with its
splits (the Penn Treebank) keeps them unless sizes are given. The vocabulary comes from the training split
alone; symbols of the other splits that it lacks become ``<unk>`` and are counted.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np

from rnncli.data.sources import resolve_source
from rnncli.data.spec import MAX_CHARACTERS, WORD_VOCAB_SIZE
from rnncli.data.symbols import count_id, symbol_stream
from rnncli.data.text import read_text
from rnncli.data.vocabulary import UNITS, Vocabulary
from rnncli.errors import UsageProblem

SPLITS = ("train", "valid", "test")


@dataclass
class Corpus:
    vocabulary: Vocabulary
    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray
    #: Symbols of each split outside the vocabulary (``<unk>`` when it has one, else left out).
    unknown: dict
    #: Characters of the text the splits were made of.
    characters: int
    #: The sizes of the validation and test splits in symbols, as resolved from the options and defaults.
    valid_size: int
    test_size: int

    @property
    def unknown_in_valid(self):
        return self.unknown["valid"]

    @property
    def unknown_in_test(self):
        return self.unknown["test"]


def split_sizes(total, valid_size, test_size, valid_fraction=0.0, presplit=None, unit="characters"):
    """``(valid_size, test_size)`` in symbols. Defaults: the published splits' sizes when ``presplit`` gives
    the positions (valid start, test start), else ``valid_fraction`` of the corpus and no test split."""
    if presplit is not None:
        valid_default, test_default = presplit[1] - presplit[0], total - presplit[1]
    else:
        valid_default, test_default = int(total * valid_fraction), 0
    valid = valid_size if valid_size is not None else valid_default
    test = test_size if test_size is not None else test_default
    if valid + test >= total:
        raise UsageProblem(f"--valid-size {valid} and --test-size {test} leave no training text "
                           f"(the corpus has {total:,} {unit})")
    return valid, test


def split_ranges(total, valid_size, test_size, valid_position):
    """``{split: (start, stop)}`` in symbol positions."""
    rest = total - test_size
    if valid_position == "start":
        ranges = {"valid": (0, valid_size), "train": (valid_size, rest)}
    else:
        ranges = {"train": (0, rest - valid_size), "valid": (rest - valid_size, rest)}
    return ranges | {"test": (rest, total)}


def prepare_corpus(text, valid_size=None, test_size=None, valid_position="end", *, level="char", vocab_size=None,
                   max_vocab=MAX_CHARACTERS, valid_fraction=0.1, split_at=None, tokenizer="words"):
    """Split ``text`` contiguously and encode it with the vocabulary of the training split (words split by
    ``tokenizer``); ``split_at`` (valid start, test start) in characters marks a corpus published with its
    splits."""
    stream = symbol_stream(text, level, split_at or (), tokenizer)
    presplit = tuple(stream.position(offset) for offset in split_at) if split_at else None
    valid_size, test_size = split_sizes(len(stream), valid_size, test_size, valid_fraction, presplit,
                                        UNITS[level] + "s")
    ranges = split_ranges(len(stream), valid_size, test_size, valid_position)
    vocabulary = Vocabulary.from_counts(stream.counts(*ranges["train"]), level, vocab_size, tokenizer)
    if level == "char" and len(vocabulary) > max_vocab:
        raise UsageProblem(too_many_characters(len(vocabulary), max_vocab))
    ids = {split: stream.encode(vocabulary, *ranges[split]) for split in SPLITS}
    unknown = {split: count_id(ids[split], vocabulary.marker) for split in SPLITS}
    if any(unknown.values()) and not vocabulary.has_unknown:
        vocabulary = vocabulary.with_unknown()
    return Corpus(vocabulary, ids["train"], ids["valid"], ids["test"], unknown, len(text), valid_size, test_size)


def too_many_characters(found, limit):
    return (f"the training text has {found:,} distinct characters, more than --max-vocab {limit:,}: a softmax "
            "that wide trains very slowly. The usual cause is the wrong --encoding (UTF-8 read as UTF-16, say) "
            "or binary data; pass the right --encoding, use --level word (with --vocab-size), or raise "
            "--max-vocab if this text really has that many characters")


def resolve_spec(spec, defaults):
    """``spec`` with its text options taken from ``defaults`` (the corpus's) where it leaves them None."""
    level = spec.level or defaults.level
    if spec.tokenizer and level != "word":
        raise UsageProblem(f"--tokenizer {spec.tokenizer} splits words: it needs --level word")
    vocab_size = spec.vocab_size or defaults.vocab_size or (WORD_VOCAB_SIZE if level == "word" else None)
    tokenizer = (spec.tokenizer or defaults.tokenizer) if level == "word" else None
    return dataclasses.replace(spec, encoding=spec.encoding or defaults.encoding,
                               normalize=spec.normalize or defaults.normalize, level=level, vocab_size=vocab_size,
                               tokenizer=tokenizer)


def load_corpus(spec, console=None):
    """``(corpus, resolved)``: the ``Corpus`` that ``spec`` describes (downloaded when needed), and ``spec`` with
    every default filled in, split sizes included, for a run to save."""
    source = resolve_source(spec, console)
    if source.notice and console is not None:
        console.print(source.notice, markup=False, highlight=False)
    spec = resolve_spec(spec, source.defaults)
    text = read_text(source, spec.encoding, spec.normalize, spec.max_corpus_bytes, console)
    corpus = prepare_corpus(text.text, _given(spec.valid_size, source.defaults.valid_size),
                            _given(spec.test_size, source.defaults.test_size), spec.valid_position,
                            level=spec.level, vocab_size=spec.vocab_size, max_vocab=spec.max_vocab,
                            valid_fraction=source.defaults.valid_fraction, split_at=text.split_at,
                            tokenizer=spec.tokenizer)
    return corpus, dataclasses.replace(spec, valid_size=corpus.valid_size, test_size=corpus.test_size)


def load_ids(spec, vocabulary, console=None):
    """``(ids, unknown)`` of the whole text ``spec`` names, under a trained run's ``vocabulary``."""
    source = resolve_source(spec, console)
    spec = resolve_spec(spec, source.defaults)
    return vocabulary.encode(read_text(source, spec.encoding, spec.normalize, spec.max_corpus_bytes, console).text)


def _given(value, default):
    return value if value is not None else default
