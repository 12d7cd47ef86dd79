import numpy as np
import pytest

from rnncli.data.batches import WindowBatches
from rnncli.data.vocabulary import Vocabulary
from rnncli.errors import UsageProblem

SEED_TEXT = "ons anarchists advocate social relations based upon voluntary association"


def test_consecutive_windows_share_one_character_as_in_the_seed():
    vocabulary = Vocabulary.of_text(SEED_TEXT)
    ids, _ = vocabulary.encode(SEED_TEXT)
    batches = WindowBatches(ids, batch_size=1, unroll=10)
    assert vocabulary.decode(batches.window(0)[0]) == "ons anarchi"
    assert vocabulary.decode(batches.window(1)[0]) == "ists advoca"


def test_rows_start_one_segment_apart_and_wrap_round_the_end():
    ids = np.arange(26, dtype=np.uint8)  # 'a'..'z' as 0..25
    batches = WindowBatches(ids, batch_size=2, unroll=3)
    assert batches.segment == 13
    np.testing.assert_array_equal(batches.window(0), [[0, 1, 2, 3], [13, 14, 15, 16]])
    np.testing.assert_array_equal(batches.window(1), [[3, 4, 5, 6], [16, 17, 18, 19]])
    np.testing.assert_array_equal(batches.window(4)[1], [25, 0, 1, 2])


def test_every_character_of_a_segment_is_a_label_exactly_once():
    ids = np.arange(120) % 251
    batches = WindowBatches(ids, batch_size=4, unroll=5)
    labels = np.concatenate([batches.window(k)[:, 1:] for k in range(6)], axis=1)
    for row in range(4):
        np.testing.assert_array_equal(labels[row], ids[(row * 30 + 1 + np.arange(30)) % 120])


def test_a_run_of_windows_is_the_windows_one_by_one_wrapping_included():
    batches = WindowBatches(np.arange(26, dtype=np.uint8), batch_size=2, unroll=3)
    np.testing.assert_array_equal(batches.windows(2, 4), [batches.window(k) for k in range(2, 6)])


def test_a_corpus_shorter_than_one_batch_is_refused():
    with pytest.raises(UsageProblem, match="fewer than one batch"):
        WindowBatches(np.zeros(50, dtype=np.uint8), batch_size=8, unroll=10)
