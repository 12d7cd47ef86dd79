"""What ``--corpus SRC`` names: a catalog corpus, a text file, an archive, a folder of ``.txt`` files, an
http(s) URL, or ``-`` for standard input.

``resolve_source`` downloads what must be downloaded (a packaged catalog corpus is read from the package instead)
and answers with the files to read, in order, and how the corpus is read by default. A catalog name wins over a
file of the same name (write ``./text8`` for the file), so ``--corpus text8`` means the same thing in every
folder.

A file or URL that is an archive (zip, tar, gz, bz2, xz: ``rnncli.data.archives``, recognised by its first
bytes) is read from its one file, or from ``--member NAME``; a URL's archive is checked before it enters the
cache, so one that cannot be used is not kept. A local file that is a copy of a catalog corpus
(``rnncli.data.local_copies``) is read as that corpus, with its splits and normalisation.
"""

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from rnncli.data import catalog
from rnncli.data.archives import archive_kind, choose_member, read_member
from rnncli.data.cache import fetch_entry, fetch_url, verify_cached
from rnncli.data.catalog import CorpusDefaults
from rnncli.data.download import retry_policy
from rnncli.data.local_copies import find_copy
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
class ArchiveMember:
    """Member ``member`` of ``archive`` (of ``rnncli.data.archives`` kind ``kind``), read with the archives' guards;
    a ``cached`` archive is checked against the SHA-256 recorded when it was downloaded."""

    archive: Path
    kind: str
    member: str
    cached: bool = False

    @property
    def label(self):
        return f"{self.archive} (member {self.member})"

    def read_bytes(self):
        if self.cached:
            verify_cached(self.archive)
        raw = read_member(self.archive, self.kind, self.member)
        if not raw:
            raise UsageProblem(f"{self.label} is empty")
        return raw


@dataclass(frozen=True)
class Source:
    """The files of a corpus, in reading order; when ``presplit``, they are its train, valid and test files.
    ``notice`` is a line to show when the corpus is read (a local copy recognised as a catalog corpus)."""

    name: str
    files: tuple[SourceFile | ArchiveMember, ...]
    defaults: CorpusDefaults = CorpusDefaults()
    presplit: bool = False
    notice: str | None = None


def resolve_source(spec, console=None):
    """The ``Source`` that ``spec.corpus`` names (``spec``: a ``rnncli.data.spec.CorpusSpec``), fetching a
    catalog corpus or URL into the cache first."""
    corpus, known = spec.corpus, catalog.load_catalog()
    if spec.member is not None and (corpus == STDIN or corpus in known or Path(corpus).is_dir()):
        raise UsageProblem(f"--member {spec.member}: --corpus {corpus} is not an archive")
    if corpus == STDIN:
        return Source("stdin", (SourceFile(None),))
    if corpus in known:
        entry = known[corpus]
        if entry.packaged:
            files = (SourceFile(catalog.packaged_file(entry.packaged), sha256=entry.sha256),)
        else:
            paths = fetch_entry(entry, catalog.data_dir(spec.data_dir), console, retry_policy(spec.stall_timeout))
            files = tuple(SourceFile(path, cached=True) for path in paths)
        return Source(corpus, files, entry.defaults, entry.presplit)
    if "://" in corpus:
        return _url_source(spec, console)
    return _local_source(spec)


def _url_source(spec, console):
    corpus, member = spec.corpus, spec.member
    scheme = corpus.split("://", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise UsageProblem(f"--corpus {corpus}: only http:// and https:// URLs can be downloaded, not {scheme}://")
    path = fetch_url(corpus, catalog.data_dir(spec.data_dir), console, retry_policy(spec.stall_timeout),
                     accept=lambda part: file_or_member(part, member))
    return Source(corpus, (file_or_member(path, member, cached=True),))


def _local_source(spec):
    paths = local_files(spec.corpus)
    name = Path(spec.corpus).name
    if Path(spec.corpus).is_dir():
        return Source(name, tuple(SourceFile(path) for path in paths))
    copy = find_copy(paths[0]) if spec.member is None else None
    if copy is None:
        return Source(name, (file_or_member(paths[0], spec.member),))
    files = tuple(ArchiveMember(path, archive_kind(path), member) if member else SourceFile(path)
                  for path, member in copy.text_files())
    return Source(copy.entry.name, files, copy.entry.defaults, copy.entry.presplit,
                  notice=f"{copy.describe}: read as --corpus {copy.entry.name}, with its splits and normalisation")


def file_or_member(path, member=None, cached=False):
    """What to read of file ``path``: the file, or when it is an archive its one file or ``member``."""
    kind = archive_kind(path)
    if kind is None:
        if member is not None:
            raise UsageProblem(f"--member {member}: {path} is not an archive")
        return SourceFile(path, cached)
    return ArchiveMember(path, kind, choose_member(path, kind, member), cached)


def is_local(spec):
    """Whether ``--corpus spec`` names a file or folder (not standard input, a catalog name or a URL)."""
    return spec != STDIN and "://" not in spec and spec not in catalog.load_catalog()


def local_files(spec):
    """The files a local ``--corpus spec`` reads: the file, or the folder's ``.txt`` files in name order."""
    path = Path(spec)
    if path.is_dir():
        texts = sorted(p for p in path.glob("*.txt") if p.is_file())
        if not texts:
            raise UsageProblem(f"--corpus {spec}: the folder holds no .txt files")
        return texts
    if path.exists():
        return [path]
    raise UsageProblem(f"--corpus {spec}: no such file or folder, and not a known corpus "
                       f"({', '.join(sorted(catalog.load_catalog()))})")


def fingerprint(spec):
    """``(bytes, sha256)`` of what a local ``--corpus spec`` holds, its files read in order, so a resumed run
    can tell that its corpus changed."""
    digest, size = hashlib.sha256(), 0
    for path in local_files(spec):
        try:
            with open(path, "rb") as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
        except OSError as problem:
            raise UsageProblem(f"cannot read {path}: {problem.strerror}") from None
    return size, digest.hexdigest()
