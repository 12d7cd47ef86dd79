"""Decoding with checks, normalisation, and joining the files of a corpus."""

import random
import re

import pytest

from rnncli.data.sources import Source, SourceFile
from rnncli.data.text import decode_text, normalize_text, read_text, text8_form
from rnncli.errors import UsageProblem


@pytest.mark.parametrize("raw, encoding, message", [
    (b"ab\x00cd", "utf-8", "NUL characters: it is binary data"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff", "utf-8", "NUL bytes: it is binary data"),
    (b"abc\xffdef", "utf-8", "invalid utf-8 at byte offset 3; pass the file's --encoding"),
    (b"abc", "klingon", "--encoding klingon: unknown encoding"),
])
def test_undecodable_bytes_are_refused_with_the_reason(raw, encoding, message):
    with pytest.raises(UsageProblem, match=re.escape(message)):
        decode_text(raw, encoding, "corpus.txt")


def test_the_given_encoding_is_used():
    assert decode_text("café".encode("latin-1"), "latin-1", "x") == "café"
    assert decode_text("naïve".encode("utf-16"), "utf-16", "x") == "naïve"


def test_text8_normalisation_keeps_a_to_z_and_single_spaces_whatever_the_chunks():
    rng = random.Random(0)
    alphabet = "abcXYZ  ,.\n\t0123ÉéßİΣσ日本"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        expected = re.sub("[^a-z]+", " ", text.lower())
        assert all(text8_form(text, chunk) == expected for chunk in (1, 3, 1000))
    assert normalize_text("Hello, World!\n1984", "text8") == "hello world "
    assert normalize_text("Hello, World!", "lower") == "hello, world!"
    assert normalize_text("Hello", "none") == "Hello"


def file_source(tmp_path, texts, presplit=False):
    files = []
    for i, text in enumerate(texts):
        files.append(tmp_path / f"{i}.txt")
        files[-1].write_text(text, encoding="utf-8")
    return Source("test", tuple(SourceFile(path) for path in files), presplit=presplit)


def test_files_are_joined_each_ending_a_line_with_an_empty_line_between(tmp_path):
    assert read_text(file_source(tmp_path, ["one", "two\n", "three"]), "utf-8", "none").text == "one\n\ntwo\n\nthree\n"


def test_a_presplit_corpus_is_joined_as_it_is_and_remembers_where_its_splits_start(tmp_path):
    text = read_text(file_source(tmp_path, ["Train A\n", "Valid\n", "Test\n"], presplit=True), "utf-8", "lower")
    assert text.text == "train a\nvalid\ntest\n" and text.split_at == (8, 14)

