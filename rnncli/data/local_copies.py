"""Copies of catalog corpora fetched elsewhere: recognised, checked, and put into the cache.

A copy of catalog entry E is either E's download as it was downloaded (``text8.zip``) or, when E's archive
holds a single file, that file extracted (``text8``). It is E's when its size is the one E records and, where
E records a SHA-256, so is its digest; a download that is an archive must also hold E's members, with the
sizes E records. ``rnncli datasets add E PATH`` puts a checked copy where a download would have put it, with
its SHA-256 recorded, so E is then read offline. ``--corpus PATH`` names a copy when exactly one entry
records its size and E's checks pass: it is then read with E's splits and normalisation, as ``--corpus E``
would be.
"""

import os
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rnncli.data.archives import ArchiveError, archive_kind, member_names
from rnncli.data.cache import download_path, fetch_entry, member_path, record_digest
from rnncli.data import catalog
from rnncli.data.catalog import CatalogEntry
from rnncli.data.download import sha256_of
from rnncli.errors import UsageProblem


@dataclass(frozen=True)
class CatalogCopy:
    """``path``, a copy of ``entry``: its download when ``is_download``, else its archive's one text file."""

    entry: CatalogEntry
    path: Path
    is_download: bool

    @cached_property
    def sha256(self):
        return sha256_of(self.path)

    def text_files(self):
        """The entry's text files in the copy: ``(path, member name)`` pairs, the name None for the file itself."""
        if self.is_download and self.entry.archive:
            return [(self.path, member.name) for member in self.entry.members]
        return [(self.path, None)]

    @property
    def describe(self):
        what = "download" if self.is_download else f"file {self.entry.members[0].name}"
        digest = "its SHA-256 too" if self.is_download and self.entry.sha256 else "the catalog records no SHA-256"
        return f"{self.path} is {self.entry.name}'s {what} ({self.path.stat().st_size:,} bytes; {digest})"


def check_copy(entry, path):
    """The ``CatalogCopy`` that ``path`` is of ``entry``; a ``UsageProblem`` naming the size or digest that
    differs when it is not one."""
    path = Path(path)
    if not path.is_file():
        raise UsageProblem(f"{path}: no such file")
    size = path.stat().st_size
    single = entry.members[0] if len(entry.members) == 1 else None
    if entry.bytes is None or size == entry.bytes:
        copy = CatalogCopy(entry, path, is_download=True)
    elif single is not None and size == single.bytes:
        copy = CatalogCopy(entry, path, is_download=False)
    else:
        sizes = f"{entry.bytes:,} bytes" + (f", or {single.bytes:,} for its file {single.name}"
                                            if single is not None and single.bytes is not None else "")
        raise UsageProblem(f"{path} is {size:,} bytes, not a copy of {entry.name} ({entry.url}: {sizes})")
    if copy.is_download and entry.sha256 and copy.sha256 != entry.sha256:
        raise UsageProblem(f"{path} has the size of {entry.name} but not its SHA-256 ({copy.sha256}, not the "
                           f"catalog's {entry.sha256}): a damaged or different file")
    if copy.is_download and entry.archive:
        _check_members(entry, path)
    return copy


def _check_members(entry, path):
    try:
        held = member_names(path, archive_kind(path) or "not an archive")
    except ArchiveError as problem:
        raise UsageProblem(f"{problem}: not a copy of {entry.name}") from None
    absent = [member.name for member in entry.members if member.name not in held]
    if absent:
        raise UsageProblem(f"{path} does not hold {entry.name}'s file {absent[0]!r}: not a copy of {entry.name}")


def find_copy(path):
    """The ``CatalogCopy`` that ``path`` is, when exactly one catalog entry records its size (text8's and
    enwik8's extracted files are both 10^8 bytes: such a file is neither) and that entry's checks pass."""
    size = Path(path).stat().st_size
    fitting = [entry for entry in catalog.load_catalog().values()
               if size in {entry.bytes} | ({entry.members[0].bytes} if len(entry.members) == 1 else set())]
    if len(fitting) != 1:
        return None
    try:
        return check_copy(fitting[0], path)
    except UsageProblem:
        return None


def add_copy(copy, folder, console=None):
    """Put ``copy`` into the cache under ``folder`` as a download would have; returns the entry's text files."""
    entry = copy.entry
    target = download_path(entry.url, folder) if copy.is_download else member_path(entry, entry.members[0], folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    shutil.copyfile(copy.path, part)
    os.replace(part, target)
    record_digest(target, copy.sha256)
    return fetch_entry(entry, folder, console)

