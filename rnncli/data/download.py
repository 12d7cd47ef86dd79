"""Downloads that fail at once when waiting cannot help, retry visibly when it can, resume, verify, and never
leave a half-written file behind.

A download says so at once ("Downloading text8 (31.3 MB) from mattmahoney.net …"), shows a progress bar with
its rate, and streams into ``NAME.part``, resuming it with an HTTP Range request when the server honours one
and starting over when it does not. The ``.part`` and its folders appear with the first byte, so a download
that never got one leaves nothing; Ctrl-C keeps the ``.part`` for the next attempt to resume.

- Fails at once, with advice for working offline: a name that does not resolve, a refused connection, no
  route to the host, a TLS failure, a 4xx answer other than 408 and 429, a redirect loop.
- Retried with exponential back-off, one line per retry: a timeout, a stall (no byte for ``timeout_seconds``),
  a reset or cut connection, a 5xx, 408 or 429 answer. The last failure is reported with the bytes received.
- Refused, keeping nothing: an HTML page where a corpus was expected (a login page, a project page instead of
  its raw file), a size other than the expected one, a wrong SHA-256, a file ``accept`` refuses.

Only a complete, verified and accepted file is renamed into place (atomically). With the ``Validators``
(ETag, Last-Modified) of the copy already there, the request is conditional, and a 304 answer keeps that copy.
"""

import dataclasses
import errno
import hashlib
import os
import re
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import requests
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from urllib3.exceptions import HTTPError as TransportError
from urllib3.exceptions import ReadTimeoutError

from rnncli.data.spec import CorpusSpec
from rnncli.errors import NetworkProblem

CHUNK_BYTES = 1 << 20
#: Bytes per network read: what arrived before a cut connection is kept, except the last read's.
READ_BYTES = 1 << 16


class DownloadError(NetworkProblem):
    """A download or an archive that cannot be used; the message says why and what to do."""


class _Kept(DownloadError):
    """A download that failed on the network: what arrived is kept in its ``.part`` for the next attempt."""


class _Transient(Exception):
    """A failure that another attempt may not meet (a stall, a reset, a 5xx answer)."""


class _Unreachable(Exception):
    """A failure that waiting cannot cure (no name, no route, refused, TLS); what arrived so far is kept."""


class _Refused(Exception):
    """An answer that says the file is not there for us (a 4xx); nothing is kept."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a download tries: ``retries`` attempts after the first, the k-th after a pause of
    ``backoff_seconds * 2**(k-1)``; an attempt ends when the server sends no byte for ``timeout_seconds``."""

    retries: int = 4
    backoff_seconds: float = 1.0
    timeout_seconds: float = CorpusSpec.stall_timeout


DEFAULT_RETRY = RetryPolicy()


def retry_policy(stall_timeout):
    """The default retries, with an attempt ending after ``stall_timeout`` seconds without a byte."""
    return dataclasses.replace(DEFAULT_RETRY, timeout_seconds=stall_timeout)


@dataclass(frozen=True)
class Validators:
    """What a server said identifies the version it sent (``ETag``, ``Last-Modified``)."""

    etag: str | None = None
    last_modified: str | None = None

    @classmethod
    def of(cls, response):
        return cls(response.headers.get("ETag"), response.headers.get("Last-Modified"))

    def __bool__(self):
        return bool(self.etag or self.last_modified)

    def conditional_headers(self):
        """Headers asking for the file only when it is no longer this version."""
        headers = {"If-None-Match": self.etag} if self.etag else {}
        return headers | ({"If-Modified-Since": self.last_modified} if self.last_modified else {})


@dataclass(frozen=True)
class Arrival:
    """A file that arrived: its SHA-256 and the validators the server sent with it."""

    sha256: str
    validators: Validators


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def offline_advice(url, catalog_name=None):
    """What to do without a network: the commands that work with a copy fetched elsewhere."""
    if catalog_name:
        return (f"to work offline, download {url} where there is a network, then run `rnncli datasets add "
                f"{catalog_name} PATH` with the file as downloaded, or train on it directly: `rnncli train --corpus "
                "PATH`")
    return (f"to work offline, download {url} where there is a network and train on it directly: `rnncli train "
            "--corpus PATH` (an archive as downloaded will do)")


def download(url, destination, expected_bytes=None, sha256=None, console=None, retry=None, *, label=None,
             advice=None, accept=None, validators=None):
    """Fetch ``url`` to ``destination`` (a Path), with a progress bar on ``console``; returns an ``Arrival``, or
    None when ``validators`` (those of the copy at ``destination``) show that copy is current.

    ``label`` names the file in messages (default: the URL's file name); ``advice`` is added to a failure the
    network causes (default: ``offline_advice(url)``); ``accept(part)`` may refuse the complete file by raising.
    """
    retry = retry or DEFAULT_RETRY
    destination = Path(destination)
    part = destination.with_name(destination.name + ".part")
    new_folders = _missing_folders(destination.parent)
    label = label or PurePosixPath(urlsplit(url).path).name or url
    if not validators:
        _say(console, f"Downloading {label}{_megabytes(expected_bytes)} from {urlsplit(url).hostname} …")
    try:
        arrived = _fetch_with_retries(part, url, expected_bytes, retry, console, label, validators,
                                      advice or offline_advice(url))
        if arrived is None:
            return None
        digest = _verified_digest(part, url, expected_bytes, sha256)
        if accept is not None:
            accept(part)
    except Exception as problem:  # Ctrl-C (not an Exception) keeps the .part too
        if not isinstance(problem, _Kept):
            _discard(part, new_folders)
        raise
    os.replace(part, destination)
    return Arrival(digest, arrived)


def _fetch_with_retries(part, url, expected_bytes, retry, console, label, validators, advice):
    """The validators of the file now in ``part`` (None: the copy the ``validators`` describe is current), after
    as many attempts as ``retry`` allows, each failure that waiting may cure reported in one line."""
    attempts = retry.retries + 1
    for attempt in range(1, attempts + 1):
        try:
            return _fetch_into(part, url, expected_bytes, retry.timeout_seconds, console, label, validators)
        except (requests.RequestException, TransportError) as problem:
            failure = _network_failure(problem, url, _size(part), retry.timeout_seconds)
        except _Transient as problem:
            failure = problem
        except _Refused as problem:
            raise DownloadError(f"{problem}; {advice}") from None
        if isinstance(failure, _Unreachable):
            raise _Kept(f"cannot download {url}: {failure}; {advice}") from None
        if attempt == attempts:
            raise _Kept(f"{failure} ({attempts} attempts); run the command again later to resume the download, "
                        f"or {advice}") from None
        wait = retry.backoff_seconds * 2 ** (attempt - 1)
        _say(console, f"{failure}; retrying in {wait:g} s, attempt {attempt + 1} of {attempts}")
        time.sleep(wait)


def _say(console, line):
    if console is not None:
        console.print(line, markup=False, highlight=False)


def _megabytes(count):
    return f" ({count / 1e6:,.1f} MB)" if count is not None else ""


def _size(path):
    return path.stat().st_size if path.exists() else 0


def _missing_folders(folder):
    """``folder`` and those of its parents that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _discard(part, new_folders):
    """Delete ``part`` and the folders made for it, when they hold nothing else."""
    part.unlink(missing_ok=True)
    for folder in new_folders:
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()


def _verified_digest(part, url, expected_bytes, sha256):
    size = part.stat().st_size
    if expected_bytes is not None and size != expected_bytes:
        raise DownloadError(f"{url} gave {size:,} bytes, expected {expected_bytes:,}; the partial file was deleted")
    digest = sha256_of(part)
    if sha256 and digest != sha256:
        raise DownloadError(f"{url}: SHA-256 {digest} does not match the expected {sha256}; "
                            "the downloaded file was deleted")
    return digest


def _causes(problem):
    """``problem`` and every exception it wraps: arguments, ``reason`` (urllib3), causes and contexts."""
    seen, pending = [], [problem]
    while pending:
        current = pending.pop()
        if isinstance(current, BaseException) and not any(current is s for s in seen):
            seen.append(current)
            pending += [*current.args, getattr(current, "reason", None), current.__cause__, current.__context__]
    return seen


def _network_failure(problem, url, received, timeout):
    """An ``_Unreachable`` or a ``_Transient`` that says in one line what ``problem`` (from requests, or from
    urllib3 while the body streams) means."""
    host = urlsplit(url).hostname
    causes = _causes(problem)

    def found(kind):
        return next((cause for cause in causes if isinstance(cause, kind)), None)

    if isinstance(problem, requests.TooManyRedirects):
        return _Unreachable(f"it redirects in a loop (more than {requests.models.DEFAULT_REDIRECT_LIMIT} "
                            "redirects): the address is wrong or the server is misconfigured")
    if found(socket.gaierror):
        return _Unreachable(f"the name {host} does not resolve (no network, or no DNS)")
    if tls := found(ssl.SSLError):
        return _Unreachable(f"the TLS connection to {host} failed ({tls.reason or tls})")
    if found(ConnectionRefusedError):
        return _Unreachable(f"{urlsplit(url).netloc} refused the connection")
    if any(isinstance(c, OSError) and c.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) for c in causes):
        return _Unreachable(f"there is no route to {host} (the network is unreachable)")
    if isinstance(problem, requests.ConnectTimeout):
        return _Transient(f"connecting to {host} timed out after {timeout:g} s")
    if isinstance(problem, requests.ReadTimeout) or found(ReadTimeoutError):
        return _Transient(f"{host} stalled: no byte for {timeout:g} s, {received:,} bytes received")
    if found(ConnectionResetError):
        return _Transient(f"{host} reset the connection")
    return _Transient(f"the connection to {host} was cut after {received:,} bytes")


def _fetch_into(part, url, expected_bytes, timeout, console, label, validators):
    """One attempt: append to ``part`` from where it stops, or rewrite it when the server cannot resume; returns
    the server's validators, or None for a 304 answer to a conditional request."""
    have = _size(part)
    if expected_bytes is not None and have == expected_bytes:
        return Validators()
    if expected_bytes is not None and have > expected_bytes:
        part.unlink()
        have = 0
    headers = {"Range": f"bytes={have}-"} if have else (validators.conditional_headers() if validators else {})
    with requests.get(url, stream=True, timeout=timeout, headers=headers) as response:
        status = f"HTTP {response.status_code} {response.reason}"
        if response.status_code == 304 and validators:
            return None
        if response.status_code == 416:
            _accept_complete_part(part, have, response)
            return Validators.of(response)
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise _Transient(f"{urlsplit(url).hostname} answered {status}")
        if response.status_code not in (200, 206):
            raise _Refused(f"{url}: {status}")
        _refuse_web_page(response, url)
        start = _resume_offset(part, have, response)
        length = response.headers.get("Content-Length")
        total = start + int(length) if length is not None else None
        if expected_bytes is not None and total is not None and total != expected_bytes:
            raise DownloadError(f"{url}: the server announces {total:,} bytes where {expected_bytes:,} are "
                                "expected; nothing was kept")
        limit = expected_bytes if expected_bytes is not None else total
        _stream_body(response, part, start, limit, url, console, label)
        return Validators.of(response)


def _refuse_web_page(response, url):
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        raise DownloadError(f"{url} answered with a web page ({kind}), not a corpus: a login page, or the page "
                            "about a file rather than the file. Pass the URL of the raw file (on GitHub, the "
                            "Raw button's: raw.githubusercontent.com/...); nothing was kept")


def _stream_body(response, part, start, limit, url, console, label):
    """Write the body after ``start`` bytes of ``part``, never past ``limit`` bytes (when one is known). The
    file is opened (and its folder made) when the first byte arrives."""
    written, stream = start, None
    try:
        with _progress(console) as progress:
            task = progress.add_task(label, total=limit, completed=start)
            # read1: whatever has arrived, up to READ_BYTES, so a trickle is written (and shown) as it comes
            for chunk in iter(lambda: response.raw.read1(READ_BYTES, decode_content=True), b""):
                written += len(chunk)
                if limit is not None and written > limit:
                    raise DownloadError(f"{url} sent more than the {limit:,} bytes expected; nothing was kept")
                if stream is None:
                    part.parent.mkdir(parents=True, exist_ok=True)
                    stream = open(part, "ab" if start else "wb")
                stream.write(chunk)
                progress.advance(task, len(chunk))
    finally:
        if stream is not None:
            stream.close()
    if limit is not None and written < limit:
        raise _Transient(f"the connection to {urlsplit(url).hostname} closed after {written:,} of {limit:,} bytes")


_CONTENT_RANGE = re.compile(r"bytes (\d+)-\d+/(\d+|\*)")
_UNSATISFIABLE_RANGE = re.compile(r"bytes \*/(\d+)")


def _resume_offset(part, have, response):
    """Where the body starts in the file: ``have`` for a 206 that continues the part, 0 for a 200."""
    if response.status_code == 200:
        return 0
    match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
    if match is None or int(match.group(1)) != have:
        part.unlink()
        raise _Transient(f"the server resumed at {response.headers.get('Content-Range')!r}, not at byte {have:,}")
    return have


def _accept_complete_part(part, have, response):
    """A 416 answer to ``Range: bytes=have-``: fine when the file is exactly ``have`` bytes long."""
    match = _UNSATISFIABLE_RANGE.fullmatch(response.headers.get("Content-Range", ""))
    if match is None or int(match.group(1)) != have:
        part.unlink()
        raise _Transient("the partial file does not fit the file on the server; starting over")


def _progress(console):
    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                    TimeRemainingColumn(), console=console, transient=True,
                    disable=console is None or not console.is_terminal)
