import numpy as np
import pytest

from rnncli.data.corpus import Vocabulary, prepare_corpus, read_corpus, split_sizes
from rnncli.errors import UsageProblem


def test_vocabulary_is_the_sorted_characters_and_ids_use_the_smallest_dtype():
    vocabulary = Vocabulary.of_text("banana bread")
    assert vocabulary.symbols == [" ", "a", "b", "d", "e", "n", "r"]
    ids, unknown = vocabulary.encode("bread")
    assert ids.dtype == np.uint8 and unknown == 0
    assert ids.tolist() == [2, 6, 4, 1, 3]
    assert vocabulary.decode(ids) == "bread"
    assert Vocabulary.from_json(vocabulary.to_json()).symbols == vocabulary.symbols


def test_large_vocabularies_get_wider_ids():
    text = "".join(chr(0x4E00 + i) for i in range(300))
    ids, _ = Vocabulary.of_text(text).encode(text)
    assert ids.dtype == np.uint16 and ids.max() == 299


def test_splits_are_contiguous_train_valid_test():
    text = "abcdefghij" * 10
    corpus = prepare_corpus(text, valid_size=20, test_size=10)
    decode = corpus.vocabulary.decode
    assert decode(corpus.train) == text[:70]
    assert decode(corpus.valid) == text[70:90]
    assert decode(corpus.test) == text[90:]


def test_validation_at_the_start_reproduces_the_seed_split():
    text = "0123456789" + "abcdefghij" * 5
    corpus = prepare_corpus(text, valid_size=10, test_size=0, valid_position="start")
    assert corpus.vocabulary.symbols == list("abcdefghij")
    assert len(corpus.valid) == 0 and corpus.unknown_in_valid == 10
    assert corpus.vocabulary.decode(corpus.train) == text[10:]


def test_split_sizes_default_to_a_fraction_and_must_leave_training_text():
    assert split_sizes(1000, None, None, 0.1) == (100, 0)
    with pytest.raises(UsageProblem, match="leave no training text"):
        split_sizes(100, 60, 40)


@pytest.mark.parametrize("content, message", [(b"", "empty"), (b"ab\x00cd", "binary"),
                                              (b"abc\xffdef", "invalid UTF-8 at byte offset 3")])
def test_unreadable_files_are_refused_with_the_reason(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(UsageProblem, match=message):
        read_corpus(str(path))


def test_missing_paths_and_other_url_schemes_are_refused(tmp_path):
    with pytest.raises(UsageProblem, match="no such file"):
        read_corpus(str(tmp_path / "absent.txt"))
    with pytest.raises(UsageProblem, match="only http"):
        read_corpus("ftp://example.org/corpus.txt")
