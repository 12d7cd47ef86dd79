"""From a corpus source to a vocabulary and contiguous train / validation / test id arrays.

The vocabulary is the sorted set of characters of the training split. Ids use the smallest unsigned dtype
that holds them (uint8 for text8's 27 symbols), so 100 MB of text stays about 100 MB of ids. Characters
of the other splits that the training split lacks are left out of those splits and counted.
"""

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnncli.data.catalog import data_dir as default_data_dir, load_catalog
from rnncli.data.archives import extract_member
from rnncli.data.download import download
from rnncli.errors import UsageProblem


class Vocabulary:
    """An ordered list of symbols; a symbol's id is its position."""

    def __init__(self, symbols):
        self.symbols = list(symbols)
        codepoints = np.array([ord(s) for s in self.symbols], dtype=np.int64)
        self.dtype = np.uint8 if len(self.symbols) <= 256 else np.uint16 if len(self.symbols) <= 65536 else np.uint32
        self._table = np.full(int(codepoints.max(initial=0)) + 1, -1, dtype=np.int64)
        self._table[codepoints] = np.arange(len(self.symbols))

    def __len__(self):
        return len(self.symbols)

    @classmethod
    def of_text(cls, text):
        counts = np.bincount(_codepoints(text))
        return cls(chr(c) for c in np.flatnonzero(counts))

    def encode(self, text):
        """``(ids, unknown)``: the ids of the known characters and how many characters were unknown."""
        codepoints = _codepoints(text)
        inside = codepoints < len(self._table)
        ids = np.full(len(codepoints), -1, dtype=np.int64)
        ids[inside] = self._table[codepoints[inside]]
        known = ids >= 0
        return ids[known].astype(self.dtype), int(len(ids) - known.sum())

    def unknown_characters(self, text):
        """The sorted characters of ``text`` that are not in the vocabulary."""
        present = np.flatnonzero(np.bincount(_codepoints(text)))
        return [chr(c) for c in present if c >= len(self._table) or self._table[c] < 0]

    def decode(self, ids):
        return "".join(self.symbols[i] for i in ids)

    def to_json(self):
        return json.dumps({"symbols": self.symbols}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text):
        return cls(json.loads(text)["symbols"])


def _codepoints(text):
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)


@dataclass
class Corpus:
    vocabulary: Vocabulary
    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray
    unknown_in_valid: int = 0
    unknown_in_test: int = 0


def split_sizes(total, valid_size, test_size, valid_fraction=0.0):
    """``(valid_size, test_size)`` in characters, ``valid_fraction`` of the corpus when none is given."""
    valid = valid_size if valid_size is not None else int(total * valid_fraction)
    test = test_size or 0
    if valid + test >= total:
        raise UsageProblem(f"--valid-size {valid} and --test-size {test} leave no training text "
                           f"(the corpus has {total:,} characters)")
    return valid, test


def prepare_corpus(text, valid_size, test_size, valid_position="end", vocabulary=None):
    """Split ``text`` contiguously and encode it.

    ``valid_position`` "end" gives train | valid | test (the literature's 90M/5M/5M for text8); "start" gives
    valid | train | test (the Udacity notebook's first-1000-characters validation).
    """
    total = len(text)
    test_part = text[total - test_size:] if test_size else ""
    rest = text[: total - test_size] if test_size else text
    if valid_position == "start":
        valid_part, train_part = rest[:valid_size], rest[valid_size:]
    else:
        train_part, valid_part = rest[: len(rest) - valid_size], rest[len(rest) - valid_size:]
    vocabulary = vocabulary or Vocabulary.of_text(train_part)
    train, _ = vocabulary.encode(train_part)
    valid, unknown_valid = vocabulary.encode(valid_part)
    test, unknown_test = vocabulary.encode(test_part)
    return Corpus(vocabulary, train, valid, test, unknown_valid, unknown_test)


@dataclass
class CorpusText:
    text: str
    name: str
    valid_size: int | None = None
    valid_fraction: float = 0.1
    test_size: int = 0


def read_corpus(source, data_dir=None, console=None):
    """The text of ``source``: a catalog name, a text file, an http(s) URL, or ``-`` for stdin."""
    catalog = load_catalog()
    if source == "-":
        return CorpusText(sys.stdin.read(), "stdin")
    if source in catalog:
        entry = catalog[source]
        path = fetch_catalog_entry(source, entry, default_data_dir(data_dir), console)
        return CorpusText(_read_text_file(path), source, entry.get("valid_size"),
                          entry.get("valid_fraction", 0.0), entry.get("test_size", 0))
    if "://" in source:
        scheme = source.split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise UsageProblem(f"--corpus {source}: only http:// and https:// URLs can be downloaded")
        return CorpusText(_read_text_file(fetch_url(source, default_data_dir(data_dir), console)), source)
    path = Path(source)
    if not path.exists():
        known = ", ".join(sorted(catalog))
        raise UsageProblem(f"--corpus {source}: no such file, and not a known corpus ({known})")
    return CorpusText(_read_text_file(path), path.name)


def fetch_catalog_entry(name, entry, folder, console=None):
    """The path of the cached text of catalog corpus ``name``, downloading and extracting it when missing."""
    folder = Path(folder) / name
    text_path = folder / (entry["member"] or Path(entry["url"]).name)
    if text_path.exists():
        return text_path
    if entry["archive"] is None:
        download(entry["url"], text_path, entry["bytes"], entry["sha256"], console)
        return text_path
    archive = folder / Path(entry["url"]).name
    if not archive.exists():
        download(entry["url"], archive, entry["bytes"], entry["sha256"], console)
    extract_member(archive, entry["archive"], entry["member"], text_path, entry["member_bytes"])
    return text_path


def fetch_url(url, folder, console=None):
    """The cached copy of ``url``, downloaded once into ``folder/urls/``."""
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    path = Path(folder) / "urls" / f"{key}-{Path(url.split('?')[0]).name or 'corpus'}"
    if not path.exists():
        download(url, path, console=console)
    return path


def _read_text_file(path):
    raw = Path(path).read_bytes()
    if not raw:
        raise UsageProblem(f"--corpus {path}: the file is empty")
    if b"\x00" in raw[:65536]:
        raise UsageProblem(f"--corpus {path}: the file holds NUL bytes, so it is binary, not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise UsageProblem(f"--corpus {path}: invalid UTF-8 at byte offset {problem.start}") from None
