"""What ``--corpus SRC`` names: a catalog corpus, a text file, a folder of ``.txt`` files, an http(s) URL, or
``-`` for standard input.

``resolve_source`` downloads what must be downloaded (a packaged catalog corpus is read from the package instead)
and answers with the files to read, in order, and how the corpus is read by default. A catalog name wins over
a file of the same name (write ``./text8`` for the file), so ``--corpus text8`` means the same thing in every
folder.
"""

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from rnncli.data import catalog
from rnncli.data.cache import fetch_entry, fetch_url, verify_cached
from rnncli.data.catalog import CorpusDefaults
from rnncli.errors import UsageProblem

STDIN = "-"


@dataclass(frozen=True)
class SourceFile:
    """A file to read: ``path``, or standard input when it is None; a ``cached`` file is checked against the
    SHA-256 recorded when it was downloaded, a packaged one against the catalog's ``sha256``."""

    path: Path | None
    cached: bool = False
    sha256: str | None = None

    @property
    def label(self):
        return "standard input" if self.path is None else str(self.path)

    def read_bytes(self):
        try:
            raw = sys.stdin.buffer.read() if self.path is None else self.path.read_bytes()
        except OSError as problem:
            raise UsageProblem(f"cannot read {self.label}: {problem.strerror}") from None
        if self.cached:
            verify_cached(self.path, raw)
        if self.sha256 is not None and hashlib.sha256(raw).hexdigest() != self.sha256:
            raise UsageProblem(f"{self.label} does not have the SHA-256 the catalog records for it; "
                               "reinstall rnncli")
        if not raw:
            raise UsageProblem(f"{self.label} is empty")
        return raw


@dataclass(frozen=True)
class Source:
    """The files of a corpus, in reading order; when ``presplit``, they are its train, valid and test files."""

    name: str
    files: tuple[SourceFile, ...]
    defaults: CorpusDefaults = CorpusDefaults()
    presplit: bool = False


def resolve_source(spec, data_dir=None, console=None):
    """The ``Source`` that ``--corpus spec`` names, fetching a catalog corpus or URL into the cache first."""
    if spec == STDIN:
        return Source("stdin", (SourceFile(None),))
    known = catalog.load_catalog()
    if spec in known:
        entry = known[spec]
        if entry.packaged:
            files = (SourceFile(catalog.packaged_file(entry.packaged), sha256=entry.sha256),)
        else:
            files = tuple(SourceFile(path, cached=True) for path in fetch_entry(entry, catalog.data_dir(data_dir),
                                                                                   console))
        return Source(spec, files, entry.defaults, entry.presplit)
    if "://" in spec:
        scheme = spec.split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise UsageProblem(f"--corpus {spec}: only http:// and https:// URLs can be downloaded, not {scheme}://")
        return Source(spec, (SourceFile(fetch_url(spec, catalog.data_dir(data_dir), console), cached=True),))
    path = Path(spec)
    if path.is_dir():
        texts = sorted(p for p in path.glob("*.txt") if p.is_file())
        if not texts:
            raise UsageProblem(f"--corpus {spec}: the folder holds no .txt files")
        return Source(path.name, tuple(SourceFile(p) for p in texts))
    if path.exists():
        return Source(path.name, (SourceFile(path),))
    raise UsageProblem(f"--corpus {spec}: no such file or folder, and not a known corpus "
                       f"({', '.join(sorted(known))})")
