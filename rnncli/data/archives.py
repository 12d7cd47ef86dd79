"""Archives: recognised by their first bytes, listed, and read one member at a time, with guards.

Kinds (``archive_kind``): ``zip``; ``tar``, plain or compressed (``.tar.gz``, ``.tgz``, ``.tar.bz2``,
``.tar.xz``; the catalog's ``tar.gz``); and ``gz``, ``bz2``, ``xz``: one compressed file, whose one member is
named after the archive without its suffix.

- An archive holding any member whose name is absolute or climbs out with ``..`` is refused whole: it was
  built to write outside the folder it is unpacked in, so none of it is trusted.
- Only the member asked for is read; it must be a regular file. An archive of several files needs the member
  named (``choose_member``); the error lists them.
- No more than a limit is read from a member: its declared size for a catalog corpus, else ``MEMBER_LIMIT``. A
  member whose header already declares more is refused before a byte is decompressed (zip bombs); a member
  shorter than the catalog declares is refused too.
- Members are streamed: an extracted member is copied a chunk at a time to ``NAME.part`` and renamed into place
  when complete; a member read for a corpus is gathered in one buffer, so it needs its size in memory once.
"""

import bz2
import contextlib
import gzip
import hashlib
import lzma
import os
import tarfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from rnncli.errors import UsageProblem

#: The most bytes read from a member whose size the catalog does not record: above any text corpus it holds.
MEMBER_LIMIT = 1 << 30
CHUNK_BYTES = 1 << 20

_MAGIC = {b"PK\x03\x04": "zip", b"PK\x05\x06": "zip", b"\x1f\x8b": "gz", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
_COMPRESSED = {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open}
_TAR = ("tar", "tar.gz")
_DAMAGE = (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, OSError)
#: Files that archivers add beside the content (macOS resource forks and folder settings).
_CLUTTER = ("__MACOSX", ".DS_Store")


class ArchiveError(UsageProblem):
    """An archive that cannot be used: damaged, escaping its folder, too large, or without the member asked for."""


def archive_kind(path):
    """The kind of archive ``path`` is, by its first bytes (not its name), or None for any other file."""
    with open(path, "rb") as stream:
        head = stream.read(8)
    kind = next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)
    if kind in (None, *_COMPRESSED) and _is_tar(path):
        return "tar"
    return kind


def _is_tar(path):
    try:
        return tarfile.is_tarfile(path)
    except _DAMAGE:
        return False


def escapes(name):
    """Whether an archive member called ``name`` would land outside the folder it is unpacked in."""
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (bool(path.parts) and ":" in path.parts[0])


def member_names(archive, kind):
    """The regular files of ``archive``, in archive order, leaving out archivers' clutter."""
    with _damage_reported(archive):
        if kind == "zip":
            with zipfile.ZipFile(archive) as bundle:
                _refuse_escaping_members(archive, bundle.namelist())
                names = [info.filename for info in bundle.infolist() if not info.is_dir()]
        elif kind in _TAR:
            with tarfile.open(archive) as bundle:
                members = bundle.getmembers()
                _refuse_escaping_members(archive, [member.name for member in members])
                names = [member.name for member in members if member.isfile()]
        else:
            names = [_compressed_member(archive)]
    return [name for name in names if not any(part in _CLUTTER for part in PurePosixPath(name).parts)]


def _compressed_member(archive):
    path = Path(archive)
    return path.stem if path.suffix.lower() in (".gz", ".bz2", ".xz") else path.name


def choose_member(archive, kind, wanted=None):
    """The member of ``archive`` a corpus is read from: its only file, or ``wanted`` (``--member``)."""
    names = member_names(archive, kind)
    listed = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
    if wanted is not None:
        if wanted not in names:
            raise ArchiveError(f"{archive} has no member {wanted!r}; its files: {listed or 'none'}")
        return wanted
    if len(names) != 1:
        raise ArchiveError(f"{archive} holds {len(names)} files; choose one with --member NAME: {listed}"
                           if names else f"{archive} is an archive without any file")
    return names[0]


def read_member(archive, kind, member, limit=None):
    """The bytes of ``member`` of ``archive``, at most ``limit`` (default ``MEMBER_LIMIT``)."""
    data = bytearray()
    for chunk in _chunks(archive, kind, member, limit or MEMBER_LIMIT):
        data += chunk
    return data


def extract_member(archive, kind, member, destination, declared_bytes=None):
    """Copy ``member`` of ``archive`` to ``destination``, refusing more (or fewer) bytes than ``declared_bytes``;
    returns its SHA-256."""
    destination = Path(destination)
    part = destination.with_name(destination.name + ".part")
    digest = hashlib.sha256()
    try:
        with open(part, "wb") as target:
            copied = 0
            for chunk in _chunks(archive, kind, member, declared_bytes or MEMBER_LIMIT):
                copied += len(chunk)
                target.write(chunk)
                digest.update(chunk)
        if declared_bytes is not None and copied != declared_bytes:
            raise ArchiveError(f"{archive}: member {member!r} holds {copied:,} bytes, not the {declared_bytes:,} "
                               "expected")
    except ArchiveError:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, destination)
    return digest.hexdigest()


def _chunks(archive, kind, member, limit):
    """The bytes of ``member``, a chunk at a time, refusing to go past ``limit``."""
    with _damage_reported(archive), _member_stream(archive, kind, member, limit) as source:
        read = 0
        for chunk in iter(lambda: source.read(CHUNK_BYTES), b""):
            read += len(chunk)
            if read > limit:
                raise _too_large(archive, member, limit)
            yield chunk


def _too_large(archive, member, limit):
    return ArchiveError(f"{archive}: member {member!r} holds more than the {limit:,} bytes expected; refusing "
                        "to extract it")


@contextlib.contextmanager
def _damage_reported(archive):
    try:
        yield
    except _DAMAGE as problem:
        raise ArchiveError(f"{archive} is damaged or truncated ({problem})") from None


def _refuse_escaping_members(archive, names):
    bad = [name for name in names if escapes(name)]
    if bad:
        raise ArchiveError(f"{archive}: refusing the archive, its member {bad[0]!r} escapes the folder it is "
                           "unpacked in")


@contextlib.contextmanager
def _member_stream(archive, kind, member, limit):
    if kind == "zip":
        with zipfile.ZipFile(archive) as bundle:
            _refuse_escaping_members(archive, bundle.namelist())
            if member not in bundle.namelist():
                raise ArchiveError(f"{archive} has no member {member!r}")
            if bundle.getinfo(member).file_size > limit:
                raise _too_large(archive, member, limit)
            with bundle.open(member) as stream:
                yield stream
    elif kind in _TAR:
        with tarfile.open(archive) as bundle:
            _refuse_escaping_members(archive, bundle.getnames())
            try:
                info = bundle.getmember(member)
            except KeyError:
                raise ArchiveError(f"{archive} has no member {member!r}") from None
            if not info.isfile():
                raise ArchiveError(f"{archive}: member {member!r} is not a regular file")
            if info.size > limit:
                raise _too_large(archive, member, limit)
            with bundle.extractfile(info) as stream:
                yield stream
    else:
        with _COMPRESSED[kind](archive, "rb") as stream:
            yield stream
