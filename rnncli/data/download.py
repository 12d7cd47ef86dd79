"""Downloads that are resumed, verified and never left half-written, and guarded archive extraction.

A download streams into ``NAME.part`` (resuming it with an HTTP Range request when the server honours one,
starting over when it does not), retries connection errors and 5xx answers with exponential back-off,
checks the byte size and SHA-256, and only then renames the file into place atomically.
"""

import hashlib
import os
import tarfile
import time
import zipfile
from pathlib import Path, PurePosixPath

import requests
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from rnncli.errors import UsageProblem

CHUNK_BYTES = 1 << 20


class DownloadError(UsageProblem):
    """A download or an archive that cannot be used; the message says why and what to do."""


class _Retryable(Exception):
    pass


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(url, destination, expected_bytes=None, sha256=None, console=None, retries=4, timeout=30.0,
             backoff_seconds=1.0):
    """Fetch ``url`` to ``destination`` (a Path); returns the SHA-256 of what was written."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    part = destination.with_name(destination.name + ".part")
    for attempt in range(retries + 1):
        try:
            _fetch_into(part, url, timeout, console)
            break
        except (requests.ConnectionError, requests.Timeout, _Retryable) as problem:
            if attempt == retries:
                raise DownloadError(_unreachable_message(url, problem)) from None
            time.sleep(backoff_seconds * 2**attempt)
    size = part.stat().st_size
    if expected_bytes is not None and size != expected_bytes:
        part.unlink()
        raise DownloadError(f"{url} gave {size:,} bytes, expected {expected_bytes:,}; the partial file was deleted")
    digest = sha256_of(part)
    if sha256 and digest != sha256:
        part.unlink()
        raise DownloadError(f"{url}: SHA-256 {digest} does not match the expected {sha256}; "
                            "the downloaded file was deleted")
    os.replace(part, destination)
    return digest


def _unreachable_message(url, problem):
    if isinstance(problem, _Retryable):
        return f"{url} kept failing ({problem}); try again later or pass a local file with --corpus PATH"
    return (f"cannot reach {url}: the network is unreachable or the server is down; "
            "download the file elsewhere and pass it with --corpus PATH")


def _fetch_into(part, url, timeout, console):
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with requests.get(url, stream=True, timeout=timeout, headers=headers) as response:
        if response.status_code == 416:  # the .part already holds everything
            return
        if response.status_code >= 500:
            raise _Retryable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise DownloadError(f"{url}: HTTP {response.status_code} {response.reason}")
        resumed = response.status_code == 206
        mode = "ab" if resumed else "wb"
        start = have if resumed else 0
        length = response.headers.get("Content-Length")
        total = start + int(length) if length is not None else None
        with open(part, mode) as stream, _progress(console) as progress:
            task = progress.add_task(f"download {PurePosixPath(url).name}", total=total, completed=start)
            for chunk in response.iter_content(CHUNK_BYTES):
                stream.write(chunk)
                progress.advance(task, len(chunk))
        written = part.stat().st_size
        if total is not None and written < total:
            raise _Retryable(f"connection closed after {written:,} of {total:,} bytes")


def _progress(console):
    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                    TimeRemainingColumn(), console=console, transient=True, disable=console is None)


def extract_member(archive, kind, member, destination, max_bytes):
    """Copy one ``member`` of a zip or tar.gz ``archive`` to ``destination``, at most ``max_bytes`` of it.

    Members whose names are absolute or climb out with ``..`` are refused; other members are ignored.
    """
    if PurePosixPath(member).is_absolute() or ".." in PurePosixPath(member).parts:
        raise DownloadError(f"{archive}: refusing archive member {member!r}, which escapes the cache folder")
    destination = Path(destination)
    part = destination.with_name(destination.name + ".part")
    try:
        with _open_member(archive, kind, member) as source, open(part, "wb") as target:
            copied = 0
            for chunk in iter(lambda: source.read(CHUNK_BYTES), b""):
                copied += len(chunk)
                if copied > max_bytes:
                    raise DownloadError(f"{archive}: member {member!r} holds more than the declared "
                                        f"{max_bytes:,} bytes; refusing to extract it")
                target.write(chunk)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as problem:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{archive} is damaged or truncated ({problem}); delete it and download again") from None
    except DownloadError:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, destination)


def _open_member(archive, kind, member):
    if kind == "zip":
        bundle = zipfile.ZipFile(archive)
        if member not in bundle.namelist():
            raise DownloadError(f"{archive} has no member {member!r}")
        return bundle.open(member)
    bundle = tarfile.open(archive, "r:gz")
    try:
        info = bundle.getmember(member)
    except KeyError:
        raise DownloadError(f"{archive} has no member {member!r}") from None
    return bundle.extractfile(info)
