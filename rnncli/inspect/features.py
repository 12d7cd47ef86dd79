"""Features of a text computed from the text alone, and how well each unit of a network follows them.

Feature ``t`` describes the text up to and including character ``t``, as the state after reading it does
(an opening bracket is inside its brackets, a closing one outside; a newline is 0 characters from itself);
``FEATURES`` defines each.

A unit follows a feature as far as Pearson's correlation of its activation ``a`` with the feature ``f`` over the
``T`` characters says::

    r = Σ_t (a_t - ā)(f_t - f̄) / sqrt(Σ_t (a_t - ā)² · Σ_t (f_t - f̄)²)
"""

import numpy as np

#: Each feature's definition, in the order of ``text_features``'s row.
FEATURES = {
    "inside quotes": 'from an opening " to the character before its closing ": 1, else 0',
    "inside brackets": "1 where the bracket depth is above 0, else 0",
    "bracket depth": "nesting of ( [ { against ) ] } (a closer without an opener is ignored)",
    "since newline": "characters since the last newline",
    "position in word": "1, 2, ... along a run of letters, digits and apostrophes; 0 elsewhere",
    "sentence start": "1 on the first word of the text and of every word after . ! or ?, else 0",
    "indentation": "spaces and tabs that open the current line (so far)",
}
OPENERS, CLOSERS = "([{", ")]}"
SENTENCE_ENDS = ".!?"


def is_word_character(character):
    return character.isalnum() or character == "'"


def text_features(text):
    """``{name: float64 array [len(text)]}`` of every feature of ``FEATURES``, in that order."""
    values = {name: np.zeros(len(text)) for name in FEATURES}
    quoted, depth, column, word, indentation = False, 0, 0, 0, 0
    opening_line, sentence_over, in_first_word = True, True, False
    for t, character in enumerate(text):
        if character == '"':
            quoted = not quoted
        depth += character in OPENERS
        depth -= character in CLOSERS and depth > 0
        column = 0 if character == "\n" else column + 1
        if character == "\n":
            opening_line, indentation = True, 0
        elif opening_line and character in " \t":
            indentation += 1
        else:
            opening_line = False
        word = word + 1 if is_word_character(character) else 0
        if word == 1:
            in_first_word, sentence_over = sentence_over, False
        elif word == 0:
            in_first_word = False
            sentence_over = sentence_over or character in SENTENCE_ENDS
        row = (quoted, depth > 0, depth, column, word, in_first_word, indentation)
        for name, value in zip(FEATURES, row):
            values[name][t] = value
    return values


def correlations(activations, feature):
    """Pearson's ``r`` of every column of ``activations [T, U]`` with ``feature [T]``, ``[U]``; 0 where a column
    or the feature does not vary (``r`` is undefined there)."""
    a = np.asarray(activations, np.float64)
    a = a - a.mean(axis=0)
    f = np.asarray(feature, np.float64)
    f = f - f.mean()
    denominator = np.sqrt((a * a).sum(axis=0) * (f @ f))
    covariance = f @ a
    return np.divide(covariance, denominator, out=np.zeros_like(covariance), where=denominator > 0)
