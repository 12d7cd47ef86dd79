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

Reads are bounded: a file larger than ``--max-corpus-bytes`` (or than the memory can take) is refused before it
is read, standard input is read in chunks up to that size, and devices and named pipes, which may never end or
never start, are refused (pipe them in with ``--corpus -``).
"""

import contextlib
import hashlib
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from rnncli.data import catalog
from rnncli.data.archives import archive_kind, choose_member, read_member
from rnncli.data.cache import fetch_entry, fetch_url, verify_cached
from rnncli.data.catalog import CorpusDefaults
from rnncli.data.download import retry_policy
from rnncli.data.local_copies import find_copy
from rnncli.data.spec import MAX_CORPUS_BYTES
from rnncli.errors import UsageProblem
from rnncli.memory import available_bytes, check_fits, size_text

STDIN = "-"
#: Memory a corpus takes per byte of its file while it is decoded, normalised and encoded (code points as
#: 32-bit integers, the text, its ids).
MEMORY_PER_BYTE = 8
_CHUNK = 1 << 20


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

    def read_bytes(self, limit=MAX_CORPUS_BYTES, console=None):
        """The file's bytes, at most ``limit`` of them (``--max-corpus-bytes``)."""
        try:
            raw = read_stdin(limit, console) if self.path is None else _read_file(self.path, limit)
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

    def read_bytes(self, limit=MAX_CORPUS_BYTES, console=None):
        """The member's bytes, at most ``limit`` of them (``--max-corpus-bytes``)."""
        if self.cached:
            verify_cached(self.archive)
        raw = read_member(self.archive, self.kind, self.member, limit)
        if not raw:
            raise UsageProblem(f"{self.label} is empty")
        return raw


def _read_file(path, limit):
    size = path.stat().st_size
    if size > limit:
        raise UsageProblem(f"{path} holds {size:,} bytes, more than --max-corpus-bytes {limit:,}")
    check_fits(size * MEMORY_PER_BYTE, f"--corpus {path} ({size_text(size)})")
    return path.read_bytes()


def read_stdin(limit, console=None):
    """Standard input, read in chunks up to ``limit`` bytes or an eighth of the memory available, whichever is
    less; on a terminal, says first how to end it."""
    if sys.stdin.isatty():
        message = "reading standard input; end with Ctrl-D"
        if console:
            console.print(message)
        else:
            print(message, file=sys.stderr)
    cap = min(limit, (available_bytes() or limit * MEMORY_PER_BYTE) // MEMORY_PER_BYTE)
    chunks, size = [], 0
    while chunk := sys.stdin.buffer.read(min(_CHUNK, cap + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > cap:
            raise UsageProblem(f"standard input gave more than {cap:,} bytes (--max-corpus-bytes {limit:,}"
                               + (")" if cap == limit else ", or an eighth of the memory available)"))
    return b"".join(chunks)


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
            with _cache_errors(catalog.data_dir(spec.data_dir)) as folder:
                paths = fetch_entry(entry, folder, console, retry_policy(spec.stall_timeout))
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
    with _cache_errors(catalog.data_dir(spec.data_dir)) as folder:
        path = fetch_url(corpus, folder, console, retry_policy(spec.stall_timeout),
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


@contextlib.contextmanager
def _cache_errors(folder):
    """The download cache ``folder`` for the block; a cache that cannot be written (a file, read-only, no
    permission) is one line saying which path and why."""
    try:
        yield folder
    except OSError as problem:
        where = f" ({problem.filename})" if problem.filename else ""
        raise UsageProblem(f"cannot use the download cache {folder}{where}: {problem.strerror or problem}; "
                           "set --data-dir or RNNCLI_DATA_DIR to a writable folder") from None


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
        _check_regular(path)
        return [path]
    raise UsageProblem(f"--corpus {spec}: no such file or folder, and not a known corpus "
                       f"({', '.join(sorted(catalog.load_catalog()))})")


_KINDS = ((stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"), (stat.S_ISFIFO, "named pipe"),
          (stat.S_ISSOCK, "socket"))


def _check_regular(path):
    """Refuse a device, pipe or socket: one may never end (``/dev/zero``), another never start."""
    mode = path.stat().st_mode
    for test, kind in _KINDS:
        if test(mode):
            raise UsageProblem(f"--corpus {path} is a {kind}, not a file; to read a stream, pipe it in: "
                               f"--corpus - < {path}")


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
