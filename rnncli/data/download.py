"""Downloads that are resumed, verified and never left half-written.

A download streams into ``NAME.part``, resuming it with an HTTP Range request when the server honours one
and starting over when it does not. Connection errors, cut connections, timeouts and 5xx answers are
retried with exponential back-off; a 4xx answer, a size other than the expected one and a wrong SHA-256
are not, and delete the partial file. Only a complete, verified file is renamed into place (atomically).
"""

import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import requests
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from rnncli.errors import NetworkProblem

CHUNK_BYTES = 1 << 20
#: Bytes per network read: what arrived before a cut connection is kept, except the last read's.
READ_BYTES = 1 << 16


class DownloadError(NetworkProblem):
    """A download or an archive that cannot be used; the message says why and what to do."""


class _Retryable(Exception):
    """A failure that another attempt may not meet (a 5xx answer, a cut connection)."""


_RETRYABLE = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError, _Retryable)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a download tries: ``retries`` attempts after the first, the k-th after a pause of
    ``backoff_seconds * 2**k``, each giving up when the server is silent for ``timeout_seconds``."""

    retries: int = 4
    backoff_seconds: float = 1.0
    timeout_seconds: float = 30.0


DEFAULT_RETRY = RetryPolicy()


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(url, destination, expected_bytes=None, sha256=None, console=None, retry=None):
    """Fetch ``url`` to ``destination`` (a Path) with a progress bar on ``console``; returns its SHA-256."""
    retry = retry or DEFAULT_RETRY
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    part = destination.with_name(destination.name + ".part")
    for attempt in range(retry.retries + 1):
        try:
            _fetch_into(part, url, expected_bytes, retry.timeout_seconds, console)
            break
        except _RETRYABLE as problem:
            if attempt == retry.retries:
                raise DownloadError(_gave_up_message(url, problem)) from None
            time.sleep(retry.backoff_seconds * 2**attempt)
        except DownloadError:
            part.unlink(missing_ok=True)
            raise
    digest = _verified_digest(part, url, expected_bytes, sha256)
    os.replace(part, destination)
    return digest


def _verified_digest(part, url, expected_bytes, sha256):
    size = part.stat().st_size
    if expected_bytes is not None and size != expected_bytes:
        part.unlink()
        raise DownloadError(f"{url} gave {size:,} bytes, expected {expected_bytes:,}; the partial file was deleted")
    digest = sha256_of(part)
    if sha256 and digest != sha256:
        part.unlink()
        raise DownloadError(f"{url}: SHA-256 {digest} does not match the expected {sha256}; "
                            "the downloaded file was deleted")
    return digest


def _gave_up_message(url, problem):
    if isinstance(problem, requests.ConnectionError):
        return (f"cannot reach {urlsplit(url).netloc}: the network is unreachable or the server is down; "
                f"download {url} elsewhere and pass the file with --corpus PATH")
    return (f"{url} kept failing ({problem}); run again later to resume the download, "
            "or pass a local file with --corpus PATH")


def _fetch_into(part, url, expected_bytes, timeout, console):
    """One attempt: append to ``part`` from where it stops, or rewrite it when the server cannot resume."""
    have = part.stat().st_size if part.exists() else 0
    if expected_bytes is not None and have == expected_bytes:
        return
    if expected_bytes is not None and have > expected_bytes:
        part.unlink()
        have = 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with requests.get(url, stream=True, timeout=timeout, headers=headers) as response:
        if response.status_code == 416:
            _accept_complete_part(part, have, response)
            return
        if response.status_code >= 500:
            raise _Retryable(f"HTTP {response.status_code} {response.reason}")
        if response.status_code not in (200, 206):
            raise DownloadError(f"{url}: HTTP {response.status_code} {response.reason}")
        start = _resume_offset(part, have, response)
        length = response.headers.get("Content-Length")
        total = start + int(length) if length is not None else None
        if expected_bytes is not None and total is not None and total != expected_bytes:
            raise DownloadError(f"{url}: the server announces {total:,} bytes where {expected_bytes:,} are "
                                "expected; nothing was kept")
        _stream_body(response, part, start, expected_bytes if expected_bytes is not None else total, url, console)


def _stream_body(response, part, start, limit, url, console):
    """Write the body after ``start`` bytes of ``part``, never past ``limit`` bytes (when one is known)."""
    written = start
    with open(part, "ab" if start else "wb") as stream, _progress(console) as progress:
        task = progress.add_task(f"download {PurePosixPath(urlsplit(url).path).name}", total=limit,
                                 completed=start)
        for chunk in response.iter_content(READ_BYTES):
            written += len(chunk)
            if limit is not None and written > limit:
                raise DownloadError(f"{url} sent more than the {limit:,} bytes expected; nothing was kept")
            stream.write(chunk)
            progress.advance(task, len(chunk))
    if limit is not None and written < limit:
        raise _Retryable(f"the connection closed after {written:,} of {limit:,} bytes")


_CONTENT_RANGE = re.compile(r"bytes (\d+)-\d+/(\d+|\*)")
_UNSATISFIABLE_RANGE = re.compile(r"bytes \*/(\d+)")


def _resume_offset(part, have, response):
    """Where the body starts in the file: ``have`` for a 206 that continues the part, 0 for a 200."""
    if response.status_code == 200:
        return 0
    match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
    if match is None or int(match.group(1)) != have:
        part.unlink()
        raise _Retryable(f"the server resumed at {response.headers.get('Content-Range')!r}, not at byte {have:,}")
    return have


def _accept_complete_part(part, have, response):
    """A 416 answer to ``Range: bytes=have-``: fine when the file is exactly ``have`` bytes long."""
    match = _UNSATISFIABLE_RANGE.fullmatch(response.headers.get("Content-Range", ""))
    if match is None or int(match.group(1)) != have:
        part.unlink()
        raise _Retryable("the partial file does not fit the file on the server; starting over")


def _progress(console):
    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                    TimeRemainingColumn(), console=console, transient=True, disable=console is None)
