"""From bytes to the text a model learns from: decoding with checks, normalisation, and joining files.

- Decoding uses ``--encoding`` (UTF-8 unless the corpus says otherwise); an invalid byte is named by its
  offset; NUL characters mean binary data, not text.
- Normalisation: ``none``; ``lower``; ``text8``: lowercase, and every run of characters other than a-z
  becomes one space (the form of Mahoney's text8, without its spelling out of digits).
- The files of a folder are joined in order, each ending with a newline, with an empty line between them.
  A corpus published with its splits (the Penn Treebank) is joined as it is, and the offsets where its
  validation and test files start are kept.
"""

import codecs
from dataclasses import dataclass

import numpy as np

from rnncli.data.spec import MAX_CORPUS_BYTES
from rnncli.data.symbols import CHUNK, code_points
from rnncli.errors import UsageProblem


@dataclass
class SourceText:
    """The text of a corpus; ``split_at`` is (valid start, test start) in characters for a presplit corpus."""

    name: str
    text: str
    split_at: tuple[int, int] | None = None


def check_encoding(encoding):
    """``encoding`` when Python knows it; else a ``UsageProblem``."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UsageProblem(f"--encoding {encoding}: unknown encoding") from None
    return encoding


def decode_text(raw, encoding, label):
    try:
        text = raw.decode(check_encoding(encoding))
    except UnicodeDecodeError as problem:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise UsageProblem(f"{label} starts with a UTF-16 byte-order mark: pass --encoding utf-16") from None
        if b"\x00" in raw:
            raise UsageProblem(f"{label} holds NUL bytes: it is binary data, not text (or UTF-16/32 text without "
                               "a byte-order mark: pass its --encoding)") from None
        raise UsageProblem(f"{label}: invalid {encoding} at byte offset {problem.start:,}; pass the file's "
                           "--encoding (e.g. latin-1)") from None
    if "\x00" in text:
        raise UsageProblem(f"{label} holds NUL characters: it is binary data, not text "
                           "(or UTF-16/32 text: pass its --encoding)")
    return text


def normalize_text(text, how):
    if how == "lower":
        return text.lower()
    if how == "text8":
        return text8_form(text)
    return text


def text8_form(text, chunk=CHUNK):
    """``re.sub("[^a-z]+", " ", text.lower())``, vectorised a chunk at a time (the regular expression takes
    seconds per 100 MB): a character is kept when it is a letter or follows one, and non-letters become spaces."""
    pieces, after_letter = [], True
    for begin in range(0, len(text), chunk):
        codes = code_points(text[begin : begin + chunk].lower())
        letters = (codes >= ord("a")) & (codes <= ord("z"))
        kept = letters | np.concatenate(([after_letter], letters[:-1]))
        pieces.append(np.where(letters, codes, ord(" ")).astype(np.uint8)[kept].tobytes())
        after_letter = bool(letters[-1])
    return b"".join(pieces).decode("ascii")


def join_documents(texts):
    if len(texts) == 1:
        return texts[0]
    return "\n".join(text if text.endswith("\n") else text + "\n" for text in texts)


def read_text(source, encoding, normalize, limit=MAX_CORPUS_BYTES, console=None):
    """The ``SourceText`` of ``source`` (a ``rnncli.data.sources.Source``), decoded and normalised; each file read
    up to ``limit`` bytes."""
    texts = [decode_text(file.read_bytes(limit, console), encoding, file.label) for file in source.files]
    if source.presplit:
        train, valid, test = (normalize_text(text, normalize) for text in texts)
        return SourceText(source.name, train + valid + test, (len(train), len(train) + len(valid)))
    return SourceText(source.name, normalize_text(join_documents(texts), normalize))
