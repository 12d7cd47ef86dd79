"""A text as a stream of symbols: its characters, or its words.

Both streams answer the same questions about a range ``[start, stop)`` of symbol positions: how often each
symbol occurs (``counts``) and the symbols' ids under a vocabulary (``encode``). They work in chunks, so a
100 MB text never becomes a Python list of 100 M strings or an int64 array: characters are read as their
code points, 1 M at a time, and looked up in a table; words are numbered once, in order of first
appearance, and renumbered by the vocabulary with one table lookup. Counting ids (``count_id``, ``id_counts``)
is chunked for the same reason: NumPy would otherwise make an int64 or boolean copy of the whole array.

A symbol the vocabulary lacks gets the id ``vocabulary.marker`` (one past its known symbols, where
``<unk>`` sits when the vocabulary has it). Words are the tokens of ``rnncli.data.words.tokenize`` (by default
words, numbers and punctuation apart), and each line end is the token ``<eos>`` (as the Penn Treebank readers
do), so a word model learns where lines break.
"""

import re

import numpy as np

from rnncli.data.words import tokenize

CHUNK = 1 << 20
_WHITESPACE = re.compile(r"\s")


def code_points(text):
    """The code points of ``text``: uint8 for ASCII text (a copy of its bytes), else uint32."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


class CharStream:
    """The characters of ``text``; symbol positions are character offsets."""

    level = "char"

    def __init__(self, text, boundaries=(), tokenizer=None):
        self.text = text

    def __len__(self):
        return len(self.text)

    def position(self, offset):
        """The symbol position of character ``offset`` (a file boundary)."""
        return offset

    def counts(self, start, stop):
        total = np.zeros(0, dtype=np.int64)
        for _, codes in self._code_points(start, stop):
            found = np.bincount(codes)
            if len(found) > len(total):
                found[: len(total)] += total
                total = found
            else:
                total[: len(found)] += found
        return {chr(code): int(total[code]) for code in np.flatnonzero(total)}

    def encode(self, vocabulary, start, stop):
        known = [ord(symbol) for symbol in vocabulary.index]
        # Long enough for every byte value, plus a last slot that any larger code point is clipped to.
        table = np.full(max(max(known, default=0) + 2, 257), vocabulary.marker, dtype=vocabulary.dtype)
        table[known] = list(vocabulary.index.values())
        ids = np.empty(stop - start, dtype=vocabulary.dtype)
        for offset, codes in self._code_points(start, stop):
            if codes.dtype != np.uint8:
                codes = np.minimum(codes, len(table) - 1)
            ids[offset : offset + len(codes)] = table[codes]
        return ids

    def _code_points(self, start, stop):
        """``(offset from start, code points)`` chunks of ``text[start:stop]``."""
        for begin in range(start, stop, CHUNK):
            yield begin - start, code_points(self.text[begin : min(begin + CHUNK, stop)])


class WordStream:
    """The words of ``text`` split by ``tokenizer`` (``rnncli.data.words``); ``boundaries`` are character offsets
    (file boundaries) no word spans."""

    level = "word"

    def __init__(self, text, boundaries=(), tokenizer="words"):
        first_seen = {}
        pieces, self._positions, count = [], {}, 0
        for begin, end in _pieces(text, boundaries):
            tokens = tokenize(text[begin:end], tokenizer)
            pieces.append(np.fromiter((first_seen.setdefault(t, len(first_seen)) for t in tokens),
                                      dtype=np.int32, count=len(tokens)))
            count += len(tokens)
            self._positions[end] = count
        self.words = list(first_seen)
        self.ids = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)

    def __len__(self):
        return len(self.ids)

    def position(self, offset):
        return self._positions[offset]

    def counts(self, start, stop):
        found = id_counts(self.ids[start:stop], len(self.words))
        return {self.words[i]: int(found[i]) for i in np.flatnonzero(found)}

    def encode(self, vocabulary, start, stop):
        renumber = np.array([vocabulary.index.get(word, vocabulary.marker) for word in self.words],
                            dtype=vocabulary.dtype)
        return renumber[self.ids[start:stop]]


def _pieces(text, boundaries):
    """``(begin, end)`` ranges covering ``text``, about ``CHUNK`` characters each, ending on whitespace, at a
    boundary, or at the end."""
    begin = 0
    for stop in sorted(set(boundaries) | {len(text)}):
        while stop - begin > CHUNK:
            space = _WHITESPACE.search(text, begin + CHUNK, stop)
            if space is None:
                break
            yield begin, space.end()
            begin = space.end()
        yield begin, stop
        begin = stop


def count_id(ids, value):
    """How many of ``ids`` equal ``value``, in chunks (no full-length boolean array)."""
    return sum(int(np.count_nonzero(ids[i : i + CHUNK] == value)) for i in range(0, len(ids), CHUNK))


def id_counts(ids, vocab_size):
    """How often each id occurs, in chunks (``np.bincount`` of a whole uint8 array makes an int64 copy of it)."""
    counts = np.zeros(vocab_size, dtype=np.int64)
    for i in range(0, len(ids), CHUNK):
        counts += np.bincount(ids[i : i + CHUNK], minlength=vocab_size)
    return counts


STREAMS = {stream.level: stream for stream in (CharStream, WordStream)}


def symbol_stream(text, level, boundaries=(), tokenizer="words"):
    return STREAMS[level](text, boundaries, tokenizer)
