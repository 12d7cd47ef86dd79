"""Text features against a hand count, and unit correlations against NumPy's ``corrcoef``."""

import numpy as np

from rnncli.inspect.features import FEATURES, correlations, text_features

TEXT = 'a (b)\n  "c." D'
#          a  _  (  b  )  \n _  _  "  c  .  "  _  D
BY_HAND = {
    "inside quotes": [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0],
    "inside brackets": [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    "bracket depth": [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    "since newline": [1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 6, 7, 8],
    "position in word": [1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1],
    "sentence start": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    "indentation": [0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2],
}


def test_features_of_a_short_text_equal_a_hand_count():
    features = text_features(TEXT)
    assert list(features) == list(FEATURES) == list(BY_HAND)
    for name, expected in BY_HAND.items():
        assert features[name].tolist() == expected, name


def test_bracket_depth_nests_and_ignores_a_stray_closer():
    assert text_features(")(([x]))")["bracket depth"].tolist() == [0, 1, 2, 3, 3, 2, 1, 0]


def test_a_word_runs_through_apostrophes_and_digits_and_its_first_word_starts_a_sentence():
    features = text_features("it's 4x. Go")
    assert features["position in word"].tolist() == [1, 2, 3, 4, 0, 1, 2, 0, 0, 1, 2]
    assert features["sentence start"].tolist() == [1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1]


def test_correlations_equal_numpy_corrcoef_and_zero_where_undefined():
    rng = np.random.default_rng(0)
    feature = rng.normal(size=50)
    activations = np.column_stack([rng.normal(size=(50, 4)), 2 * feature + 1, -feature, np.full(50, 0.3)])
    found = correlations(activations, feature)
    expected = [np.corrcoef(activations[:, u], feature)[0, 1] for u in range(6)] + [0.0]
    np.testing.assert_allclose(found, expected, atol=1e-12)
    np.testing.assert_allclose(found[4:6], [1.0, -1.0], atol=1e-12)
    assert np.all(correlations(activations, np.ones(50)) == 0)
