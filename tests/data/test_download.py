"""Downloads against a real HTTP server on 127.0.0.1: resumed, retried, verified, never half-written."""

import hashlib
import io

import numpy as np
import pytest
from rich.console import Console

from rnncli.data.download import DownloadError, RetryPolicy, download
from tests.http_server import FileServer, closed_port_url

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


def test_a_full_download_shows_progress_is_verified_and_renamed_into_place(server, tmp_path):
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    digest = download(server.url("corpus.bin"), tmp_path / "corpus.bin", len(DATA), SHA, console, FAST)
    assert digest == SHA
    assert (tmp_path / "corpus.bin").read_bytes() == DATA
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.bin"]
    assert "download corpus.bin" in console.file.getvalue()


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
    with pytest.raises(DownloadError, match="kept failing .* run again later to resume"):
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


def test_a_404_fails_at_once_and_leaves_nothing(server, tmp_path):
    with pytest.raises(DownloadError, match="absent.bin: HTTP 404"):
        download(server.url("absent.bin"), tmp_path / "absent.bin", retry=FAST)
    assert len(server.requests) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_hash_is_an_error_and_deletes_the_download(server, tmp_path):
    with pytest.raises(DownloadError, match=f"SHA-256 {SHA} does not match .* the downloaded file was deleted"):
        download(server.url("corpus.bin"), tmp_path / "corpus.bin", len(DATA), "0" * 64, retry=FAST)
    assert list(tmp_path.iterdir()) == []


def test_a_server_announcing_another_size_than_expected_is_refused(server, tmp_path):
    with pytest.raises(DownloadError, match=f"announces {len(DATA):,} bytes where {len(DATA) + 1:,} are expected"):
        download(server.url("corpus.bin"), tmp_path / "corpus.bin", len(DATA) + 1, retry=FAST)
    assert list(tmp_path.iterdir()) == []


def test_a_refused_connection_gives_the_offline_message(tmp_path):
    with pytest.raises(DownloadError, match="network is unreachable .* pass the file with --corpus PATH"):
        download(closed_port_url(), tmp_path / "corpus.txt", retry=FAST)
    assert list(tmp_path.iterdir()) == []


def test_a_silent_server_times_out_instead_of_hanging(server, tmp_path):
    server.stalls = [1.0, 1.0]
    with pytest.raises(DownloadError, match="kept failing .*timed out"):
        download(server.url("corpus.bin"), tmp_path / "corpus.bin", retry=RetryPolicy(1, 0.001, 0.2))
    assert not (tmp_path / "corpus.bin").exists()
