"""Words as people split them, and joined back with the spacing people write (``--tokenizer``).

``whitespace``: a word is whatever lies between whitespace ("Romeo?" and "Romeo," are two words, as in the
Penn Treebank files, which come split already).

``words`` (the default): words, numbers and each punctuation mark are separate tokens.

- A word is letters, with apostrophes and hyphens inside it ("o'er", "to-morrow"), or an apostrophe and
  letters at its start ("'tis", "'em": Shakespeare's elisions); a number is digits with ``.``, ``,`` or ``:``
  between digits ("1,000", "3.14", "10:30"). ``--``, ``...``, ``&c`` and ``<unk>`` (the Penn Treebank's
  mark for a rare word) are one token each; any other character that is not a space is a token by itself.
- Contractions follow the Penn Treebank: the clitics ``'s 're 've 'll 'm 'd n't`` are split off the word
  they end ("don't" -> "do n't", "he's" -> "he 's", "can't" -> "ca n't"), and so is Early Modern English
  ``'t`` for "it" ("is't" -> "is 't", "on't" -> "on 't").

Both keep each line end as the token ``<eos>``, so a model learns where lines break.

Joining (``join_words``) writes tokens with the usual spacing: one space between tokens, none before a
closing mark (``, . ; : ! ? ) ] } % -``, a trailing ``'``, ``...``) or a clitic, none after an opening one
(``( [ {``), none on either side of a dash ``--``; a ``"`` opens and closes in turn. ``normalise_spacing``
writes any text with these rules, so ``join_words(tokenize(text)) == normalise_spacing(text)`` for text
whose words are the tokens above (all of tinyshakespeare's 40,000 lines but one, which has a typo: "sha$l").
"""

import re

END_OF_LINE = "<eos>"

_LETTERS = r"[^\W\d_]"
_TOKEN = re.compile(rf"""
      {_LETTERS}+(?:['’-]{_LETTERS}+)*      # words, with inner apostrophes and hyphens
    | '{_LETTERS}+(?:['’-]{_LETTERS}+)*     # an elision: 'tis, 'em
    | \d+(?:[.,:]\d+)*                      # numbers
    | --+ | \.\.\. | &[cC]\b | <unk>        # dashes, ellipses, &c (et cetera), <unk>
    | \S                                    # any other mark
""", re.VERBOSE)
_CLITICS = ("n't", "'s", "'re", "'ve", "'ll", "'m", "'d", "'t")
_CLITIC = re.compile(r"(?i)(?:n't|'s|'re|'ve|'ll|'m|'d|'t)$")
#: Words whose "n't" is "'t" after an "n": Shakespeare's "on it".
_ON_IT = ("on't", "upon't")

_CLOSING = {",", ".", ";", ":", "!", "?", ")", "]", "}", "'", "...", "%", "-"}
_OPENING = {"(", "[", "{"}


def _tokens_of_line(line):
    tokens = []
    for token in _TOKEN.findall(line):
        clitic = _CLITIC.search(token) if "'" in token else None
        if clitic and clitic.start() > 0:
            cut = clitic.start() + (token.lower() in _ON_IT)
            tokens += [token[:cut], token[cut:]]
        else:
            tokens.append(token)
    return tokens


def tokenize(text, tokenizer="words"):
    """The tokens of ``text``, ``<eos>`` at each line end."""
    lines = text.split("\n")
    split = str.split if tokenizer == "whitespace" else _tokens_of_line
    tokens = []
    for number, line in enumerate(lines):
        tokens += split(line)
        if number < len(lines) - 1:
            tokens.append(END_OF_LINE)
    return tokens


def _attaches_left(token):
    return token in _CLOSING or token.startswith("--") or token.lower() in _CLITICS


def join_words(tokens, tokenizer="words"):
    """Tokens joined back into text: ``<eos>`` as a line end; with the ``words`` tokenizer, the spacing rules
    above, else one space between tokens."""
    pieces, glued, quotes = [], True, 0
    for token in tokens:
        if token == END_OF_LINE:
            pieces.append("\n")
            glued, quotes = True, 0
            continue
        if tokenizer == "whitespace":
            space = not glued
        elif token == '"':
            quotes += 1
            space = not glued and quotes % 2 == 1
        else:
            space = not glued and not _attaches_left(token)
        pieces.append(" " + token if space else token)
        glued = tokenizer != "whitespace" and (token in _OPENING or token.startswith("--")
                                               or (token == '"' and quotes % 2 == 1))
    return "".join(pieces)


_SPACES = re.compile(r"[^\S\n]+")
#: Spaces the rules leave out: before a closing mark, a dash, a clitic or a trailing apostrophe; after an
#: opening mark or a dash.
_NO_SPACE = re.compile(r"""
      \ (?=[,.;:!?)\]}%-]|--)
    | \ (?=(?:n't|'s|'re|'ve|'ll|'m|'d|'t)\b)
    | \ (?='(?:\s|$|[,.;:!?]))
    | (?<=[(\[{-])\ 
""", re.VERBOSE | re.IGNORECASE)
#: A space the rules put in: between a closing mark and the word or elision after it.
_MISSING_SPACE = re.compile(r"(?<=[,;:!?])(?='?[^\W\d_])")


def normalise_spacing(text):
    """``text`` written with the spacing rules above: each run of spaces and tabs one space, none at a line's
    ends, before a closing mark, a dash or a clitic, or after an opening mark or a dash; one after a comma,
    semicolon, colon, ! or ? that a word follows."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _MISSING_SPACE.sub(" ", _NO_SPACE.sub("", "\n".join(lines)))
