"""Downloads against a real HTTP server on 127.0.0.1: resumed, retried, verified, never half-written."""

import errno
import hashlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import urllib3
from rich.console import Console

from rnncli.data.download import DownloadError, RetryPolicy, download
from tests.http_server import LAST_MODIFIED, FileServer, closed_port_url

ROOT = Path(__file__).resolve().parents[2]
FAST = RetryPolicy(retries=3, backoff_seconds=0.001, timeout_seconds=5)
DATA = np.random.default_rng(0).integers(0, 256, 300_000, dtype=np.uint8).tobytes()
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def server():
    with FileServer({"corpus.bin": DATA}) as running:
        yield running


def ranges(server):
    return [header for _, header in server.requests]


def resumed_from(header):
    """The offset of a ``Range: bytes=N-`` header: what arrived before a cut, less the read it cut short."""
    offset = int(header.removeprefix("bytes=").removesuffix("-"))
    assert 0 < offset <= 100_000
    return offset


def recording_console():
    return Console(file=io.StringIO(), force_terminal=True, width=200)


def test_a_full_download_is_announced_shows_progress_is_verified_and_renamed_into_place(server, tmp_path):
    console = recording_console()
    arrival = download(server.url("corpus.bin"), tmp_path / "corpus.bin", len(DATA), SHA, console, FAST,
                       label="tiny8")
    assert arrival.sha256 == SHA and arrival.validators.last_modified == LAST_MODIFIED
    assert (tmp_path / "corpus.bin").read_bytes() == DATA
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.bin"]
    shown = console.file.getvalue()
    assert shown.startswith("Downloading tiny8 (0.3 MB) from 127.0.0.1 …\n")
    bar = shown.split("\n", 1)[1]
    assert "tiny8" in bar and "/s" in bar  # the progress bar, with its rate


def test_a_connection_cut_midway_is_resumed_with_range_and_ends_byte_identical(server, tmp_path):
    server.cuts = [100_000]
    download(server.url("corpus.bin"), tmp_path / "corpus.bin", len(DATA), SHA, retry=FAST)
    assert (tmp_path / "corpus.bin").read_bytes() == DATA
    first, second = ranges(server)
    assert first is None
    assert server.sent == 100_000 + len(DATA) - resumed_from(second)  # the second answer carried only the rest


def test_a_download_that_gives_up_resumes_in_a_later_run(server, tmp_path):
    destination = tmp_path / "corpus.bin"
    server.cuts = [100_000, 100_000]
    with pytest.raises(DownloadError, match="was cut after .* bytes \\(2 attempts\\); run the command again later "
                       "to resume the download, or to work offline"):
        download(server.url("corpus.bin"), destination, len(DATA), SHA, retry=RetryPolicy(1, 0.001, 5))
    assert not destination.exists()
    kept = (tmp_path / "corpus.bin.part").read_bytes()
    assert len(kept) > 100_000 and kept == DATA[: len(kept)]
    download(server.url("corpus.bin"), destination, len(DATA), SHA, retry=FAST)
    assert destination.read_bytes() == DATA
    assert ranges(server)[-1] == f"bytes={len(kept)}-"


def test_a_server_without_range_support_starts_over_cleanly(server, tmp_path):
    server.ranges = False
    server.cuts = [100_000]
    download(server.url("corpus.bin"), tmp_path / "corpus.bin", len(DATA), SHA, retry=FAST)
    assert (tmp_path / "corpus.bin").read_bytes() == DATA
    first, second = ranges(server)
    assert first is None and resumed_from(second)  # it asked to resume ...
    assert server.sent == 100_000 + len(DATA)  # ... was sent the whole file again, and wrote it from the start


def test_server_errors_are_retried_until_success(server, tmp_path):
    server.failures = [500, 503]
    download(server.url("corpus.bin"), tmp_path / "corpus.bin", len(DATA), SHA, retry=FAST)
    assert (tmp_path / "corpus.bin").read_bytes() == DATA
    assert len(server.requests) == 3


def test_too_many_requests_is_retried_with_a_line_per_retry(server, tmp_path):
    server.failures = [429]
    console = recording_console()
    download(server.url("corpus.bin"), tmp_path / "corpus.bin", retry=FAST, console=console)
    assert "127.0.0.1 answered HTTP 429 Too Many Requests; retrying in 0.001 s, attempt 2 of 4" in \
        console.file.getvalue()


def test_resets_are_retried_with_one_visible_line_each(server, tmp_path):
    server.resets = 2
    console = recording_console()
    download(server.url("corpus.bin"), tmp_path / "corpus.bin", len(DATA), SHA, console, FAST)
    assert (tmp_path / "corpus.bin").read_bytes() == DATA
    retries = [line for line in console.file.getvalue().splitlines() if "retrying" in line]
    assert retries == [f"127.0.0.1 reset the connection; retrying in {wait} s, attempt {n} of 4"
                       for wait, n in (("0.001", 2), ("0.002", 3))]


def test_a_404_fails_at_once_with_the_offline_advice_and_leaves_nothing(server, tmp_path):
    with pytest.raises(DownloadError, match="absent.bin: HTTP 404 Not Found; to work offline, download"):
        download(server.url("absent.bin"), tmp_path / "absent.bin", retry=FAST)
    assert len(server.requests) == 1
    assert list(tmp_path.iterdir()) == []


def fails_at_once(url, tmp_path, match):
    """Whether downloading ``url`` with the default retries (whose back-off would take 15 s) fails in < 2 s,
    leaving nothing, not even the folder it would have written to."""
    started = time.monotonic()
    with pytest.raises(DownloadError, match=match) as failure:
        download(url, tmp_path / "cache" / "downloads" / "corpus.txt", retry=RetryPolicy())
    assert time.monotonic() - started < 2
    assert list(tmp_path.iterdir()) == []
    assert "\n" not in str(failure.value)
    return True


def test_a_refused_connection_fails_at_once_with_the_offline_advice(tmp_path):
    url = closed_port_url()
    assert fails_at_once(url, tmp_path, rf"cannot download {url}: 127.0.0.1:\d+ refused the connection; to work "
                         rf"offline, download {url} where there is a network and train on it directly: `rnncli train "
                         r"--corpus PATH` \(an archive as downloaded will do\)$")


def test_a_name_that_does_not_resolve_fails_at_once(tmp_path, monkeypatch):
    resolve = socket.getaddrinfo

    def resolver_without_the_name(host, *args, **kwargs):
        if host == "corpus.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver_without_the_name)
    assert fails_at_once("http://corpus.invalid/text8.zip", tmp_path,
                         "the name corpus.invalid does not resolve .*; to work offline")


def test_no_route_to_the_host_fails_at_once(tmp_path, monkeypatch):
    def unreachable_network(address, *args, **kwargs):
        raise OSError(errno.ENETUNREACH, os.strerror(errno.ENETUNREACH))

    monkeypatch.setattr(urllib3.util.connection, "create_connection", unreachable_network)
    assert fails_at_once("http://192.0.2.1/text8.zip", tmp_path, "there is no route to 192.0.2.1")


def test_a_tls_failure_fails_at_once(server, tmp_path):
    url = server.url("corpus.bin").replace("http://", "https://")  # TLS spoken to a plain HTTP server
    assert fails_at_once(url, tmp_path, "the TLS connection to 127.0.0.1 failed .*; to work offline")


def test_a_redirect_loop_is_one_line(server, tmp_path):
    server.redirects = {"a.txt": "b.txt", "b.txt": "a.txt"}
    assert fails_at_once(server.url("a.txt"), tmp_path, "redirects in a loop")


def test_a_web_page_instead_of_a_corpus_is_refused_and_not_kept(server, tmp_path):
    server.files["corpus.html"] = b"<html><body>Sign in</body></html>"
    server.types["corpus.html"] = "text/html; charset=utf-8"
    with pytest.raises(DownloadError, match=r"answered with a web page \(text/html\), not a corpus.* raw file"):
        download(server.url("corpus.html"), tmp_path / "corpus.html", retry=FAST)
    assert list(tmp_path.iterdir()) == []


def test_a_server_that_stalls_after_its_headers_is_retried_then_reported_with_host_and_bytes(server, tmp_path):
    server.silences = [1.0, 1.0]
    console = recording_console()
    with pytest.raises(DownloadError, match=r"127.0.0.1 stalled: no byte for 0.2 s, 0 bytes received \(2 attempts\)"):
        download(server.url("corpus.bin"), tmp_path / "cache" / "corpus.bin", console=console,
                 retry=RetryPolicy(1, 0.001, 0.2))
    assert "stalled: no byte for 0.2 s, 0 bytes received; retrying in 0.001 s, attempt 2 of 2" in \
        console.file.getvalue()
    assert list(tmp_path.iterdir()) == []


def test_a_stall_midway_keeps_what_arrived_and_names_it(server, tmp_path):
    server.cuts = [100_000, 0]
    server.silences = [1.0, 1.0]
    with pytest.raises(DownloadError, match=r"stalled: no byte for 0.2 s, (\d+,)?\d+ bytes received") as failure:
        download(server.url("corpus.bin"), tmp_path / "corpus.bin", retry=RetryPolicy(1, 0.001, 0.2))
    received = int(str(failure.value).split("s, ")[1].split(" bytes")[0].replace(",", ""))
    assert (tmp_path / "corpus.bin.part").read_bytes() == DATA[:received] and received > 0


def test_a_conditional_download_of_an_unchanged_file_is_answered_304(server, tmp_path):
    first = download(server.url("corpus.bin"), tmp_path / "corpus.bin", retry=FAST)
    assert download(server.url("corpus.bin"), tmp_path / "corpus.bin", retry=FAST, validators=first.validators) is None
    assert server.conditional == [None, first.validators.etag]
    server.files["corpus.bin"] = DATA[::-1]
    changed = download(server.url("corpus.bin"), tmp_path / "corpus.bin", retry=FAST, validators=first.validators)
    assert changed.sha256 != first.sha256 and (tmp_path / "corpus.bin").read_bytes() == DATA[::-1]


def test_a_wrong_hash_is_an_error_and_deletes_the_download(server, tmp_path):
    with pytest.raises(DownloadError, match=f"SHA-256 {SHA} does not match .* the downloaded file was deleted"):
        download(server.url("corpus.bin"), tmp_path / "corpus.bin", len(DATA), "0" * 64, retry=FAST)
    assert list(tmp_path.iterdir()) == []


def test_a_server_announcing_another_size_than_expected_is_refused(server, tmp_path):
    with pytest.raises(DownloadError, match=f"announces {len(DATA):,} bytes where {len(DATA) + 1:,} are expected"):
        download(server.url("corpus.bin"), tmp_path / "corpus.bin", len(DATA) + 1, retry=FAST)
    assert list(tmp_path.iterdir()) == []


def test_a_server_silent_before_answering_times_out_instead_of_hanging(server, tmp_path):
    server.stalls = [1.0, 1.0]
    with pytest.raises(DownloadError, match=r"stalled: no byte for 0.2 s, 0 bytes received \(2 attempts\)"):
        download(server.url("corpus.bin"), tmp_path / "corpus.bin", retry=RetryPolicy(1, 0.001, 0.2))
    assert not (tmp_path / "corpus.bin").exists()


def test_ctrl_c_stops_a_trickling_download_at_once_and_keeps_its_part(server, tmp_path):
    """The command line in a process of its own, interrupted while a server sends a byte every 5 s."""
    server.trickle = 5.0
    environment = {**os.environ, "RNNCLI_DATA_DIR": str(tmp_path / "cache")}
    command = subprocess.Popen([sys.executable, "-m", "rnncli", "datasets", "info", server.url("corpus.bin")],
                               cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while not list((tmp_path / "cache").rglob("*.part")) and time.monotonic() < deadline:
        time.sleep(0.05)
    interrupted = time.monotonic()
    command.send_signal(signal.SIGINT)
    assert command.wait(timeout=10) == 128 + signal.SIGINT
    assert time.monotonic() - interrupted < 2
    [part] = (tmp_path / "cache").rglob("*.part")
    assert part.read_bytes() == DATA[: len(part.read_bytes())] and part.stat().st_size >= 1
    assert command.stdout.read().decode().startswith("Downloading corpus.bin from 127.0.0.1")
