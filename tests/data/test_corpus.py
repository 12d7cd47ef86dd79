"""From text to contiguous splits of ids: split sizes, <unk> in valid/test, word level, refusals, load_corpus."""

import pytest

from rnncli.data.corpus import load_corpus, prepare_corpus, split_sizes
from rnncli.data.spec import CorpusSpec
from rnncli.data.vocabulary import UNKNOWN
from rnncli.errors import UsageProblem


def test_splits_are_contiguous_train_valid_test():
    text = "abcdefghij" * 10
    corpus = prepare_corpus(text, valid_size=20, test_size=10)
    decode = corpus.vocabulary.decode
    assert decode(corpus.train) == text[:70]
    assert decode(corpus.valid) == text[70:90]
    assert decode(corpus.test) == text[90:]


def test_a_text8_like_corpus_keeps_27_symbols_when_nothing_is_unknown():
    text = " anarchism originated as a term of abuse " + "the quick brown fox jumps over the lazy dog " * 5
    corpus = prepare_corpus(text, valid_size=44, test_size=44)
    assert len(corpus.vocabulary) == 27 and UNKNOWN not in corpus.vocabulary.symbols
    assert corpus.unknown == {"train": 0, "valid": 0, "test": 0}


def test_characters_unseen_in_training_become_unk_and_are_counted():
    text = "0123456789" + "abcdefghij" * 5
    corpus = prepare_corpus(text, valid_size=10, test_size=0, valid_position="start")
    assert corpus.vocabulary.symbols == list("abcdefghij") + [UNKNOWN]
    assert corpus.vocabulary.decode(corpus.valid) == UNKNOWN * 10 and corpus.unknown_in_valid == 10
    assert corpus.vocabulary.decode(corpus.train) == text[10:]


def test_split_sizes_default_to_a_fraction_or_the_published_splits_and_must_leave_training_text():
    assert split_sizes(1000, None, None, 0.1) == (100, 0)
    assert split_sizes(1000, None, None, 0.1, presplit=(800, 900)) == (100, 100)
    assert split_sizes(1000, 50, None, 0.1, presplit=(800, 900)) == (50, 100)
    with pytest.raises(UsageProblem, match="leave no training text"):
        split_sizes(100, 60, 40)


def test_a_word_corpus_splits_in_words_at_its_published_boundaries():
    train, valid, test = "the cat sat on the mat\nthe cat sat\n", "the dog sat\n", "a cat\n"
    corpus = prepare_corpus(train + valid + test, level="word", vocab_size=5,
                            split_at=(len(train), len(train) + len(valid)))
    assert (corpus.valid_size, corpus.test_size) == (4, 3)
    assert corpus.vocabulary.symbols == ["the", "<eos>", "cat", "sat", UNKNOWN]
    assert corpus.vocabulary.decode(corpus.valid) == "the <unk> sat\n"
    assert corpus.unknown == {"train": 2, "valid": 1, "test": 1}


def test_a_huge_character_vocabulary_is_refused_with_causes_and_fixes():
    text = "".join(chr(0x4E00 + i) for i in range(3000))
    with pytest.raises(UsageProblem, match="3,000 distinct characters, more than --max-vocab 1,000.*--encoding"
                                           ".*--level word"):
        prepare_corpus(text, valid_size=0, test_size=0, max_vocab=1000)


def test_load_corpus_reads_a_folder_and_resolves_every_default(tmp_path):
    (tmp_path / "b.txt").write_text("Hello, World! " * 20, encoding="utf-8")
    (tmp_path / "a.txt").write_text("ÉTÉ " * 20, encoding="utf-8")
    corpus, spec = load_corpus(CorpusSpec(str(tmp_path), normalize="text8"))
    assert (spec.encoding, spec.normalize, spec.level, spec.vocab_size) == ("utf-8", "text8", "char", None)
    assert spec.valid_size == corpus.valid_size == corpus.characters // 10 and spec.test_size == 0
    assert corpus.vocabulary.symbols == list(" dehlortw")


def test_the_packaged_tinyshakespeare_loads_with_the_catalog_defaults(shakespeare):
    corpus, spec = load_corpus(CorpusSpec("tinyshakespeare"))
    assert (spec.valid_size, spec.test_size) == (111_539, 0)  # int(10% of 1,115,394 characters), no test split
    assert corpus.vocabulary.symbols == sorted(set(shakespeare[:-111_539])) and len(corpus.vocabulary) == 65
    assert corpus.vocabulary.decode(corpus.valid) == shakespeare[-111_539:]
    assert corpus.unknown == {"train": 0, "valid": 0, "test": 0}
