"""The symbols a model knows, in id order, and the mapping of text to ids and back.

Character vocabularies are sorted by code point; word vocabularies run from the most frequent word down
(ties in alphabetical order, as TensorFlow's PTB reader). ``<unk>``, when a vocabulary has it, is the last id:
it stands for every symbol outside the vocabulary, and is added only when some text needs it (text8 keeps its
27 symbols). Ids use the smallest unsigned dtype that holds them, so 100 MB of text8 is 100 MB of ids.
"""

import json

import numpy as np

from rnncli.data.symbols import count_id, symbol_stream
from rnncli.data.words import join_words

UNKNOWN = "<unk>"
UNITS = {"char": "character", "word": "word"}


class Vocabulary:
    """The symbols of a level (``char`` or ``word``; words split by ``tokenizer``, see ``rnncli.data.words``)."""

    def __init__(self, symbols, level="char", unknown=False, tokenizer=None):
        self.known = list(symbols)
        self.level = level
        self.tokenizer = (tokenizer or "words") if level == "word" else None
        self.has_unknown = unknown
        self.symbols = self.known + ([UNKNOWN] if unknown else [])
        self.index = {symbol: i for i, symbol in enumerate(self.known)}
        #: The id of any symbol outside the vocabulary: ``<unk>``'s when it has one.
        self.marker = len(self.known)
        self.dtype = np.min_scalar_type(self.marker)

    def __len__(self):
        return len(self.symbols)

    @property
    def unit(self):
        return UNITS[self.level]

    @classmethod
    def of_text(cls, text, level="char", size=None, tokenizer="words"):
        """The vocabulary of every symbol of ``text`` (see ``from_counts``)."""
        stream = symbol_stream(text, level, tokenizer=tokenizer)
        return cls.from_counts(stream.counts(0, len(stream)), level, size, tokenizer)

    @classmethod
    def from_counts(cls, counts, level="char", size=None, tokenizer="words"):
        """The vocabulary of symbols counted in ``counts``; with ``size``, at most ``size`` ids: the ``size - 1``
        most frequent symbols and ``<unk>``. A literal ``<unk>`` word (the Penn Treebank has them) is ``<unk>``."""
        ranked = sorted((s for s in counts if s != UNKNOWN), key=lambda s: (-counts[s], s))
        unknown = UNKNOWN in counts
        if size is not None and len(ranked) + unknown > size:
            ranked, unknown = ranked[: size - 1], True
        return cls(sorted(ranked) if level == "char" else ranked, level, unknown, tokenizer)

    def with_unknown(self):
        return Vocabulary(self.known, self.level, unknown=True, tokenizer=self.tokenizer)

    def encode(self, text):
        """``(ids, unknown)``: the ids of ``text``'s symbols and how many were outside the vocabulary; those map
        to ``<unk>`` when the vocabulary has it, and are left out when it does not."""
        stream = symbol_stream(text, self.level, tokenizer=self.tokenizer)
        ids = stream.encode(self, 0, len(stream))
        unknown = count_id(ids, self.marker)
        if unknown and not self.has_unknown:
            ids = ids[ids != self.marker]
        return ids, unknown

    def unknown_symbols(self, text):
        """The sorted symbols of ``text`` that are not in the vocabulary."""
        stream = symbol_stream(text, self.level, tokenizer=self.tokenizer)
        return sorted(symbol for symbol in stream.counts(0, len(stream)) if symbol not in self.index)

    def decode(self, ids):
        symbols = [self.symbols[i] for i in ids]
        return "".join(symbols) if self.level == "char" else join_words(symbols, self.tokenizer)

    def to_json(self):
        return json.dumps({"level": self.level, "symbols": self.symbols, "unknown": self.has_unknown,
                           "tokenizer": self.tokenizer}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text):
        """The vocabulary ``to_json`` wrote (one saved before ``--tokenizer`` existed split words on whitespace);
        ``ValueError`` when ``text`` is not one."""
        saved = json.loads(text)
        if not isinstance(saved, dict) or not isinstance(saved.get("symbols"), list) or not saved["symbols"]:
            raise ValueError('not an object with a non-empty list of "symbols"')
        if not all(isinstance(symbol, str) for symbol in saved["symbols"]):
            raise ValueError('"symbols" holds something other than strings')
        if saved.get("level") not in ("char", "word") or not isinstance(saved.get("unknown"), bool):
            raise ValueError('it lacks "level" (char or word) or "unknown" (true or false)')
        unknown = saved["unknown"]
        return cls(saved["symbols"][:-1] if unknown else saved["symbols"], saved["level"], unknown,
                   saved.get("tokenizer", "whitespace"))

