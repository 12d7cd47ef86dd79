"""One member of a zip or tar.gz archive, copied out with guards.

- An archive holding any member whose name is absolute or climbs out with ``..`` is refused whole: it was
  built to write outside the folder it is unpacked in, so none of it is trusted.
- Only the member asked for is read; the others are ignored. It must be a regular file.
- No more than its declared size is written (zip bombs); a member shorter than declared is refused too.
- The copy goes to ``NAME.part`` and is renamed into place only when complete.
"""

import contextlib
import gzip
import hashlib
import os
import tarfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from rnncli.data.download import CHUNK_BYTES, DownloadError

#: The most bytes written for a member whose size the catalog does not record: above any text corpus it holds.
UNDECLARED_MEMBER_LIMIT = 1 << 30

_DAMAGE = (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def extract_member(archive, kind, member, destination, declared_bytes=None):
    """Copy ``member`` of ``archive`` (``kind`` "zip" or "tar.gz") to ``destination``; returns its SHA-256."""
    destination = Path(destination)
    part = destination.with_name(destination.name + ".part")
    limit = declared_bytes if declared_bytes is not None else UNDECLARED_MEMBER_LIMIT
    digest = hashlib.sha256()
    try:
        with _member_stream(archive, kind, member) as source, open(part, "wb") as target:
            copied = 0
            for chunk in iter(lambda: source.read(CHUNK_BYTES), b""):
                copied += len(chunk)
                if copied > limit:
                    raise DownloadError(f"{archive}: member {member!r} holds more than the {limit:,} bytes "
                                        "expected; refusing to extract it")
                target.write(chunk)
                digest.update(chunk)
        if declared_bytes is not None and copied != declared_bytes:
            raise DownloadError(f"{archive}: member {member!r} holds {copied:,} bytes, not the {declared_bytes:,} "
                                "expected")
    except _DAMAGE as problem:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{archive} is damaged or truncated ({problem})") from None
    except DownloadError:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, destination)
    return digest.hexdigest()


def escapes(name):
    """Whether an archive member called ``name`` would land outside the folder it is unpacked in."""
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (bool(path.parts) and ":" in path.parts[0])


def _refuse_escaping_members(archive, names):
    bad = [name for name in names if escapes(name)]
    if bad:
        raise DownloadError(f"{archive}: refusing the archive, its member {bad[0]!r} escapes the folder it is "
                            "unpacked in")


@contextlib.contextmanager
def _member_stream(archive, kind, member):
    if kind == "zip":
        with zipfile.ZipFile(archive) as bundle:
            _refuse_escaping_members(archive, bundle.namelist())
            if member not in bundle.namelist():
                raise DownloadError(f"{archive} has no member {member!r}")
            with bundle.open(member) as stream:
                yield stream
        return
    with tarfile.open(archive, "r:gz") as bundle:
        _refuse_escaping_members(archive, bundle.getnames())
        try:
            info = bundle.getmember(member)
        except KeyError:
            raise DownloadError(f"{archive} has no member {member!r}") from None
        if not info.isfile():
            raise DownloadError(f"{archive}: member {member!r} is not a regular file")
        with bundle.extractfile(info) as stream:
            yield stream
