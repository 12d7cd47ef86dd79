"""What --corpus names: catalog corpora, files, folders, URLs and standard input, and the refusals."""

import dataclasses
import hashlib
import io
import os
import sys

import pytest

from rnncli import memory
from rnncli.data import catalog, download
from rnncli.data.download import DownloadError
from rnncli.data.sources import resolve_source
from rnncli.data.spec import CorpusSpec
from rnncli.errors import UsageProblem
from tests.http_server import closed_port_url


def source_of(corpus, **options):
    return resolve_source(CorpusSpec(corpus=corpus, **options))


def test_a_folder_is_its_txt_files_in_name_order(tmp_path):
    for name in ("b.txt", "a.txt", "notes.md"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    (tmp_path / "c.txt").mkdir()
    source = source_of(str(tmp_path))
    assert [f.path.name for f in source.files] == ["a.txt", "b.txt"] and not source.presplit


def test_a_folder_without_txt_files_is_refused(tmp_path):
    with pytest.raises(UsageProblem, match="the folder holds no .txt files"):
        source_of(str(tmp_path))


def test_standard_input_is_read_as_bytes(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("naïve text".encode())))
    [stdin] = source_of("-").files
    assert stdin.label == "standard input" and stdin.read_bytes() == "naïve text".encode()


def test_missing_files_unknown_names_other_schemes_and_empty_files_are_refused(tmp_path):
    with pytest.raises(UsageProblem, match="no such file or folder, and not a known corpus .*text8"):
        source_of(str(tmp_path / "absent.txt"))
    with pytest.raises(UsageProblem, match="only http:// and https:// URLs can be downloaded, not ftp://"):
        source_of("ftp://example.org/corpus.txt")
    (tmp_path / "empty.txt").touch()
    [empty] = source_of(str(tmp_path / "empty.txt")).files
    with pytest.raises(UsageProblem, match="empty.txt is empty"):
        empty.read_bytes()


def test_a_catalog_name_comes_before_a_file_of_that_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "text8").write_text("a local file", encoding="utf-8")
    entry = dataclasses.replace(catalog.load_catalog()["text8"], url=closed_port_url())
    monkeypatch.setattr(catalog, "load_catalog", lambda: {"text8": entry})
    monkeypatch.setattr(download, "DEFAULT_RETRY", download.RetryPolicy(0, 0, 5))
    with pytest.raises(DownloadError, match="refused the connection; to work offline, download .* then run "
                       "`rnncli datasets add text8 PATH` with the file as downloaded, or train on it "
                       "directly: `rnncli train --corpus PATH`"):
        source_of("text8")
    assert source_of("./text8").files[0].read_bytes() == b"a local file"


def test_the_packaged_tinyshakespeare_is_read_from_the_package_without_the_network(monkeypatch):
    entry = dataclasses.replace(catalog.load_catalog()["tinyshakespeare"], url=closed_port_url())
    monkeypatch.setattr(catalog, "load_catalog", lambda: {"tinyshakespeare": entry})
    [packaged] = source_of("tinyshakespeare").files
    assert packaged.path == catalog.packaged_file("tinyshakespeare.txt")
    raw = packaged.read_bytes()
    assert len(raw) == 1_115_394 and hashlib.sha256(raw).hexdigest() == entry.sha256
    assert raw.startswith(b"First Citizen:\nBefore we proceed any further, hear me speak.")


def test_a_packaged_copy_that_does_not_match_the_catalog_is_refused(monkeypatch):
    entry = dataclasses.replace(catalog.load_catalog()["tinyshakespeare"], sha256="0" * 64)
    monkeypatch.setattr(catalog, "load_catalog", lambda: {"tinyshakespeare": entry})
    [packaged] = source_of("tinyshakespeare").files
    with pytest.raises(UsageProblem, match="does not have the SHA-256 the catalog records for it; reinstall"):
        packaged.read_bytes()


def test_the_shipped_catalog_records_the_known_facts():
    known = catalog.load_catalog()
    assert {"text8", "enwik8", "tinyshakespeare", "ptb", "ptb_char"} <= known.keys()
    text8 = known["text8"]
    assert (text8.url, text8.bytes, text8.archive) == ("http://mattmahoney.net/dc/text8.zip", 31_344_016, "zip")
    assert text8.members == (catalog.Member("text8", 100_000_000),)
    assert known["enwik8"].defaults.encoding == "latin-1"
    assert known["ptb"].presplit and known["ptb"].defaults.level == "word"
    assert known["ptb"].members[0].name == "./simple-examples/data/ptb.train.txt"
    assert known["tinyshakespeare"].sha256 == "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"


def test_devices_and_named_pipes_are_refused_with_a_hint(tmp_path):
    with pytest.raises(UsageProblem, match="^--corpus /dev/zero is a character device, not a file; to read a stream, "
                                           "pipe it in: --corpus - < /dev/zero$"):
        source_of("/dev/zero")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(UsageProblem, match="fifo is a named pipe, not a file"):
        source_of(str(tmp_path / "fifo"))


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path):
    (tmp_path / "big.txt").write_bytes(b"a" * 1001)
    [big] = source_of(str(tmp_path / "big.txt")).files
    with pytest.raises(UsageProblem, match="big.txt holds 1,001 bytes, more than --max-corpus-bytes 1,000$"):
        big.read_bytes(limit=1000)
    assert big.read_bytes(limit=1001) == b"a" * 1001


def test_standard_input_is_read_up_to_the_limit(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * 5000)))
    [stdin] = source_of("-").files
    with pytest.raises(UsageProblem, match=r"^standard input gave more than 4,096 bytes \(--max-corpus-bytes 4,096\)"):
        stdin.read_bytes(limit=4096)


class Terminal(io.TextIOWrapper):
    def isatty(self):
        return True


def test_standard_input_on_a_terminal_says_how_to_end_it(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", Terminal(io.BytesIO(b"typed text")))
    [stdin] = source_of("-").files
    assert stdin.read_bytes() == b"typed text"
    assert capsys.readouterr().err == "reading standard input; end with Ctrl-D\n"


def test_a_request_beyond_the_memory_available_is_refused_with_the_estimate(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 2 * 10**9)
    memory.check_fits(2 * 10**9, "--length 5")
    with pytest.raises(UsageProblem, match="^--length 6 needs about 2.5 GB of memory, more than the 2 GB available"):
        memory.check_fits(25 * 10**8, "--length 6")
