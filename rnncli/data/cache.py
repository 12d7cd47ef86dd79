"""The download cache: catalog corpora and URLs fetched once, each file's SHA-256 recorded beside it and checked.

Layout under the data folder::

    downloads/<key>-<file name>             a download (key: 16 hex digits of the URL's SHA-256)
    downloads/<key>-<file name>.sha256      its SHA-256, in ``sha256sum`` format, recorded when it arrived
    downloads/<key>-<file name>.validators  the ETag and Last-Modified a user's URL came with (JSON)
    <corpus>/<member file name>             a member extracted from a corpus's archive, with its own .sha256

Files arrive by atomic rename only when complete, so a file without a record is whole: its digest is recorded
when it is first used. A cached file that no longer matches its record is deleted, and the user is told.
A catalog corpus is fixed by the catalog and is never fetched again; a user's URL is revalidated on each use
(a conditional request, answered 304 while it is unchanged), and its cached copy is used when that fails.
"""

import dataclasses
import hashlib
import json
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from rnncli.data.archives import ArchiveError, extract_member
from rnncli.data.download import DEFAULT_RETRY, DownloadError, Validators, download, offline_advice, sha256_of
from rnncli.run_dir import write_atomically

DIGEST_SUFFIX = ".sha256"
VALIDATORS_SUFFIX = ".validators"


def digest_path(path):
    return path.with_name(path.name + DIGEST_SUFFIX)


def record_digest(path, digest):
    write_atomically(digest_path(path), f"{digest}  {path.name}\n")


def recorded_digest(path):
    """The SHA-256 recorded for ``path``, or None."""
    record = digest_path(path)
    return record.read_text(encoding="utf-8").split()[0] if record.exists() else None


def verify_cached(path, data=None):
    """Check cached ``path`` (or its bytes ``data``, already read) against its recorded SHA-256."""
    digest = hashlib.sha256(data).hexdigest() if data is not None else sha256_of(path)
    recorded = recorded_digest(path)
    if recorded is None:
        record_digest(path, digest)
    elif digest != recorded:
        forget(path)
        raise DownloadError(f"the cached {path} no longer matches the SHA-256 recorded when it was downloaded; "
                            "it was deleted, run the command again to fetch it anew")


def forget(path):
    """Delete a cached file and its records."""
    for file in (path, digest_path(path), validators_path(path)):
        file.unlink(missing_ok=True)


def download_path(url, folder):
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    return Path(folder) / "downloads" / f"{key}-{PurePosixPath(urlsplit(url).path).name or 'download'}"


def validators_path(path):
    return path.with_name(path.name + VALIDATORS_SUFFIX)


def recorded_validators(path):
    record = validators_path(path)
    return Validators(**json.loads(record.read_text(encoding="utf-8"))) if record.exists() else Validators()


def fetch_url(url, folder, console=None, retry=None, accept=None):
    """The cached copy of a user's ``url`` under ``folder``: downloaded when missing, else revalidated once (no
    retries) with the validators it came with; a copy without them, or one that cannot be revalidated, is used
    as it is. ``accept(part)`` may refuse a new download (``rnncli.data.download.download``)."""
    path = download_path(url, folder)
    saved = recorded_validators(path) if path.exists() else Validators()
    if path.exists() and not saved:
        return path
    retry = retry or DEFAULT_RETRY
    try:
        arrival = download(url, path, console=console, retry=dataclasses.replace(retry, retries=0) if saved else retry,
                           accept=accept, validators=saved)
    except DownloadError as problem:
        if not saved:
            raise
        if console is not None:
            console.print(f"warning: the cached copy of {url} was not checked for changes: "
                          f"{str(problem).split(';')[0]}", markup=False, highlight=False)
        return path
    if arrival is not None:
        record_digest(path, arrival.sha256)
        write_atomically(validators_path(path), json.dumps(dataclasses.asdict(arrival.validators)))
    return path


def fetch_download(entry, folder, console=None, retry=None):
    """The cached download of catalog ``entry``, fetched (and its SHA-256 recorded) when missing."""
    path = download_path(entry.url, folder)
    if not path.exists():
        arrival = download(entry.url, path, entry.bytes, entry.sha256, console, retry, label=entry.name,
                           advice=offline_advice(entry.url, entry.name))
        record_digest(path, arrival.sha256)
    return path


def member_path(entry, member, folder):
    """Where member ``member`` of catalog ``entry`` is kept: its file name in the corpus's own folder."""
    return Path(folder) / entry.name / PurePosixPath(member.name).name


def text_paths(entry, folder):
    """The text files of catalog ``entry`` in the cache, in order (they may not exist yet)."""
    if entry.archive is None:
        return [download_path(entry.url, folder)]
    return [member_path(entry, member, folder) for member in entry.members]


def fetch_entry(entry, folder, console=None, retry=None):
    """The text files of catalog ``entry``, downloading and extracting whatever is missing."""
    if entry.archive is None:
        return [fetch_download(entry, folder, console, retry)]
    missing = [member for member in entry.members if not member_path(entry, member, folder).exists()]
    if missing:
        archive = fetch_download(entry, folder, console, retry)
        verify_cached(archive)
        for member in missing:
            target = member_path(entry, member, folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                record_digest(target, extract_member(archive, entry.archive, member.name, target, member.bytes))
            except ArchiveError as problem:  # the archive is not the one the catalog describes
                forget(archive)
                raise DownloadError(f"{problem}; the download was deleted") from None
    return text_paths(entry, folder)


def cache_state(entry, folder):
    """"packaged" (shipped with rnncli, never downloaded), "cached" (every text file is there), "archive" (only
    the download is), or "no"."""
    if entry.packaged:
        return "packaged"
    if all(path.exists() for path in text_paths(entry, folder)):
        return "cached"
    return "archive" if download_path(entry.url, folder).exists() else "no"
