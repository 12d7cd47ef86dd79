"""Symbol streams and vocabularies: characters and words, <unk>, chunked encoding, saving."""

import json

import numpy as np
import pytest

from rnncli.data import symbols
from rnncli.data.symbols import CharStream, WordStream
from rnncli.data.vocabulary import UNKNOWN, Vocabulary
from rnncli.data.words import join_words


def test_a_character_vocabulary_is_sorted_and_ids_use_the_smallest_dtype():
    vocabulary = Vocabulary.of_text("banana bread")
    assert vocabulary.symbols == [" ", "a", "b", "d", "e", "n", "r"]
    ids, unknown = vocabulary.encode("bread")
    assert ids.dtype == np.uint8 and unknown == 0
    assert ids.tolist() == [2, 6, 4, 1, 3]
    assert vocabulary.decode(ids) == "bread"


def test_large_vocabularies_get_wider_ids():
    text = "".join(chr(0x4E00 + i) for i in range(300))
    ids, _ = Vocabulary.of_text(text).encode(text)
    assert ids.dtype == np.uint16 and ids.max() == 299


def test_unknown_symbols_map_to_unk_when_the_vocabulary_has_it_and_are_left_out_otherwise():
    plain = Vocabulary.of_text("abc")
    ids, unknown = plain.encode("abxcy")
    assert plain.decode(ids) == "abc" and unknown == 2
    with_unk = plain.with_unknown()
    ids, unknown = with_unk.encode("abxcy")
    assert with_unk.decode(ids) == f"ab{UNKNOWN}c{UNKNOWN}" and unknown == 2
    assert with_unk.symbols[-1] == UNKNOWN and with_unk.unknown_symbols("abxcy") == ["x", "y"]


@pytest.mark.parametrize("chunk", [1, 5, 64])
def test_chunked_streams_give_the_same_symbols_as_one_piece(monkeypatch, chunk):
    text = "naïve café\nthe cat sat on the mat\n日本語 text\n" * 3
    whole_words = WordStream(text, boundaries=(11,))
    monkeypatch.setattr(symbols, "CHUNK", chunk)
    chars = CharStream(text)
    vocabulary = Vocabulary.from_counts(chars.counts(0, len(chars)))
    assert vocabulary.decode(chars.encode(vocabulary, 0, len(chars))) == text
    words = WordStream(text, boundaries=(11,))
    assert [words.words[i] for i in words.ids] == [whole_words.words[i] for i in whole_words.ids]
    assert len(words) == 39 and words.position(11) == 3 and words.counts(0, len(words))["the"] == 6


def test_words_are_whitespace_tokens_with_eos_at_line_ends_and_decode_back():
    stream = WordStream("the cat  sat\n\non the mat")
    vocabulary = Vocabulary.from_counts(stream.counts(0, len(stream)), "word")
    assert vocabulary.symbols == ["<eos>", "the", "cat", "mat", "on", "sat"]  # by count, then alphabetically
    ids = stream.encode(vocabulary, 0, len(stream))
    assert vocabulary.decode(ids) == "the cat sat\n\non the mat"
    assert join_words(["a", "<eos>", "b", "c", "<eos>"]) == "a\nb c\n"


def test_a_word_vocabulary_size_keeps_the_most_frequent_and_makes_the_rest_unk():
    counts = {"the": 5, "cat": 3, "sat": 3, "mat": 1, "on": 1}
    vocabulary = Vocabulary.from_counts(counts, "word", size=3)
    assert vocabulary.symbols == ["the", "cat", UNKNOWN]
    ids, unknown = vocabulary.encode("the cat sat on the mat")
    assert vocabulary.decode(ids) == "the cat <unk> <unk> the <unk>" and unknown == 3
    assert Vocabulary.from_counts(counts, "word", size=5).symbols == ["the", "cat", "sat", "mat", "on"]


def test_a_literal_unk_word_is_the_unknown_symbol():
    vocabulary = Vocabulary.from_counts({"the": 3, UNKNOWN: 2, "cat": 1}, "word")
    assert vocabulary.symbols == ["the", "cat", UNKNOWN]
    assert vocabulary.encode("the <unk> dog")[0].tolist() == [0, 2, 2]


def test_vocabularies_survive_json():
    for vocabulary in (Vocabulary.of_text("abc").with_unknown(), Vocabulary(["the", "<eos>"], "word")):
        restored = Vocabulary.from_json(vocabulary.to_json())
        assert (restored.symbols, restored.level, restored.has_unknown) == (
            vocabulary.symbols, vocabulary.level, vocabulary.has_unknown)


def test_a_word_vocabulary_keeps_its_tokenizer_and_one_saved_before_tokenizers_splits_on_whitespace():
    words = Vocabulary(["Romeo", "?"], "word", tokenizer="words")
    assert Vocabulary.from_json(words.to_json()).encode("Romeo?")[0].tolist() == [0, 1]
    assert words.decode([0, 1, 0]) == "Romeo? Romeo"
    old = Vocabulary.from_json(json.dumps({"level": "word", "symbols": ["Romeo?"], "unknown": False}))
    assert old.tokenizer == "whitespace" and old.encode("Romeo?")[0].tolist() == [0]
